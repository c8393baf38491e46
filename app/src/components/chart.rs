//! A chart on a canvas that redraws whenever the report changes.

use engine::Report;
use leptos::prelude::*;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;

use crate::charts::{self, theme};

/// Which chart to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    /// Environment lanes.
    Lanes,
    /// Environments over time.
    Envs,
}

impl ChartKind {
    fn name(self) -> &'static str {
        match self {
            ChartKind::Lanes => "lanes",
            ChartKind::Envs => "envs",
        }
    }
}

fn prefers_dark() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
        .is_some_and(|m| m.matches())
}

/// A canvas chart with a text alternative for screen readers.
#[component]
pub fn Chart(
    /// What to draw.
    kind: ChartKind,
    /// The report to draw (`None` while there is none).
    report: Signal<Option<Report>>,
    /// A caption shown above the chart.
    title: &'static str,
    /// Height in CSS pixels.
    height: u32,
) -> impl IntoView {
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    let (error, set_error) = signal(None::<String>);
    Effect::new(move |_| {
        let Some(report) = report.get() else { return };
        let Some(el) = canvas.get() else { return };
        let width = (el.client_width().max(280)) as u32;
        el.set_width(width);
        el.set_height(height);
        let Some(backend) = CanvasBackend::with_canvas_object(el) else {
            set_error.set(Some("This browser cannot draw on a canvas.".into()));
            return;
        };
        let area = backend.into_drawing_area();
        let pal = theme::palette(prefers_dark());
        let drawn = match kind {
            ChartKind::Lanes => charts::draw_lanes(&area, &report, pal),
            ChartKind::Envs => charts::draw_envs(&area, &report, pal),
        };
        set_error.set(drawn.err());
    });
    let text = move || {
        report.with(|r| match (r, kind) {
            (Some(r), ChartKind::Lanes) => charts::lanes_text(r),
            (Some(r), ChartKind::Envs) => charts::envs_text(r),
            (None, _) => String::new(),
        })
    };
    view! {
        <figure class="chart">
            <figcaption>{title}</figcaption>
            <canvas node_ref=canvas data-chart=kind.name() role="img" aria-label=text style=format!("height:{height}px")></canvas>
            <p class="sr-only">{text}</p>
            {move || error.get().map(|e| view! { <p class="error">{e}</p> })}
        </figure>
    }
}
