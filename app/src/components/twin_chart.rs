//! A chart of the "Your own function" page on a canvas: redraws when the twin, the theme or
//! the width changes, has a text alternative, and exports itself as PNG.

use calibrate::Twin;
use leptos::prelude::*;
use plotters::prelude::*;

use crate::canvas::Canvas;
use crate::charts::palette;
use crate::charts::twin::{self, TwinChart};
use crate::components::chart::{download, observed_width, set_size};
use crate::shared::Shared;
use crate::theme::ThemeCtx;

/// Height of every chart of the page, in CSS pixels.
const HEIGHT: u32 = 220;

/// One chart of a twin.
#[component]
pub fn TwinCanvas(
    /// What to draw.
    kind: TwinChart,
    /// The twin to draw (`None` while there is none).
    twin: Signal<Option<Shared<Twin>>>,
) -> impl IntoView {
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    let (error, set_error) = signal(None::<String>);
    let theme = use_context::<ThemeCtx>();
    let width = observed_width(canvas);
    Effect::new(move |_| {
        let dark = theme.is_some_and(|t| t.dark.get());
        let width = width.get();
        let Some(t) = twin.get() else { return };
        let Some(el) = canvas.get() else { return };
        if width == 0 {
            return;
        }
        set_size(&el, width, HEIGHT);
        let Some(backend) = Canvas::new(el) else {
            set_error.set(Some("This browser cannot draw on a canvas.".into()));
            return;
        };
        let drawn = twin::draw(kind, &backend.into_drawing_area(), &t, palette::of(dark));
        set_error.set(drawn.err());
    });
    let text = move || {
        twin.with(|t| {
            t.as_ref()
                .map(|t| twin::describe(kind, t))
                .unwrap_or_default()
        })
    };
    let export_png = move |_| {
        if let Some(el) = canvas.get_untracked() {
            if let Ok(url) = el.to_data_url() {
                download(
                    &url,
                    &format!("lambda-lab-your-function-{}.png", kind.name()),
                );
            }
        }
    };
    view! {
        <figure class="chart" data-twin-chart=kind.name()>
            <div class="chart-head">
                <figcaption>{kind.title()}</figcaption>
                <span class="chart-actions">
                    <button type="button" class="link-button" on:click=export_png title="Download this chart as a PNG image">"PNG"</button>
                </span>
            </div>
            <canvas node_ref=canvas role="img" aria-label=text style:height=format!("{HEIGHT}px")></canvas>
            <p class="sr-only">{text}</p>
            {move || error.get().map(|e| view! { <p class="error">{e}</p> })}
        </figure>
    }
}
