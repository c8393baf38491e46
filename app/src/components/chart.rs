//! A chart on a canvas: redraws when the report or the theme changes, shows the timeline
//! cursor, moves the timeline to the time clicked, and exports itself as PNG and its data as CSV.

use engine::Report;
use leptos::prelude::*;
use plotters::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use crate::canvas::Canvas;
use crate::charts::{self, palette, ChartKind, ChartLook, TimeAxis};
use crate::shared::Shared;
use crate::theme::ThemeCtx;

/// Starts a download of `href` as `name`.
pub fn download(href: &str, name: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(a) = doc.create_element("a") else {
        return;
    };
    let Ok(a) = a.dyn_into::<web_sys::HtmlAnchorElement>() else {
        return;
    };
    a.set_href(href);
    a.set_download(name);
    a.click();
}

/// Starts a download of `text` as a file.
pub fn download_text(text: &str, name: &str, mime: &str) {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    download(&url, name);
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// The canvas's width in CSS pixels (at least 280), read once when it is mounted and then kept
/// by a ResizeObserver: reading it on every redraw would force the browser to lay the whole
/// page out again after each run's DOM changes. 0 until it is mounted.
pub fn observed_width(canvas: NodeRef<leptos::html::Canvas>) -> ReadSignal<u32> {
    let (width, set_width) = signal(0u32);
    Effect::new(move |_| {
        let Some(el) = canvas.get() else { return };
        set_width.set(el.client_width().max(280) as u32);
        let on_resize = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
            let w = entries
                .get(0)
                .dyn_into::<web_sys::ResizeObserverEntry>()
                .map(|e| e.content_rect().width())
                .unwrap_or(0.0);
            if w >= 1.0 {
                set_width.try_set((w as u32).max(280));
            }
        });
        if let Ok(observer) = web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref()) {
            observer.observe(&el);
            let held = send_wrapper::SendWrapper::new((observer, on_resize));
            on_cleanup(move || held.take().0.disconnect());
        }
    });
    width
}

/// Sizes the canvas. Setting a canvas's size clears it and changes the layout: only when it
/// changed (the drawing paints its own background).
pub fn set_size(el: &web_sys::HtmlCanvasElement, width: u32, height: u32) {
    if el.width() != width {
        el.set_width(width);
    }
    if el.height() != height {
        el.set_height(height);
    }
}

/// A canvas chart with a text alternative, a cursor and export buttons.
#[component]
pub fn Chart(
    /// What to draw.
    kind: ChartKind,
    /// The report to draw (`None` while there is none).
    report: Signal<Option<Shared<Report>>>,
    /// The timeline position, in seconds.
    cursor_s: Signal<f64>,
    /// Called with the time clicked on the chart.
    on_pick: Callback<f64>,
    /// Used in export file names.
    file_stem: String,
) -> impl IntoView {
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    let (error, set_error) = signal(None::<String>);
    let (axis, set_axis) = signal(TimeAxis::default());
    let theme = use_context::<ThemeCtx>();
    let height = kind.height();
    let width = observed_width(canvas);
    Effect::new(move |_| {
        let dark = theme.is_some_and(|t| t.dark.get());
        let width = width.get();
        let Some(report) = report.get() else { return };
        let Some(el) = canvas.get() else { return };
        if width == 0 {
            return;
        }
        set_size(&el, width, height);
        let Some(backend) = Canvas::new(el) else {
            set_error.set(Some("This browser cannot draw on a canvas.".into()));
            return;
        };
        let area = backend.into_drawing_area();
        let perf = web_sys::window().and_then(|w| w.performance());
        let t0 = perf.as_ref().map_or(0.0, |p| p.now());
        let drawn = charts::draw(kind, &area, &report, palette::of(dark));
        // How long the drawing took, for the benchmark.
        if let (Some(p), Some(el)) = (perf, canvas.get_untracked()) {
            let _ = el.set_attribute("data-draw-ms", &format!("{:.2}", p.now() - t0));
        }
        match drawn {
            Ok(a) => {
                set_axis.set(a);
                set_error.set(None);
            }
            Err(e) => set_error.set(Some(e)),
        }
    });
    let text = move || {
        report.with(|r| {
            r.as_ref()
                .map(|r| charts::describe(kind, r))
                .unwrap_or_default()
        })
    };
    // Positioned through the CSSOM (style:left ...), never a style attribute: the page's
    // Content-Security-Policy allows no inline styles.
    let cursor_shown = move || axis.with(|a| a.x1 > a.x0);
    let cursor_left = move || format!("{:.1}px", axis.get().x_of(cursor_s.get()));
    let cursor_top = move || format!("{}px", axis.get().y0);
    let cursor_height = move || axis.with(|a| format!("{}px", (a.y1 - a.y0).max(0)));
    let on_click = move |ev: leptos::ev::MouseEvent| {
        if let Some(t) = axis.get_untracked().time_at(f64::from(ev.offset_x())) {
            on_pick.run(t);
        }
    };
    let stem = StoredValue::new(file_stem);
    let export_png = move |_| {
        if let Some(el) = canvas.get_untracked() {
            if let Ok(url) = el.to_data_url() {
                download(&url, &format!("{}-{}.png", stem.get_value(), kind.name()));
            }
        }
    };
    let export_csv = move |_| {
        if let Some(r) = report.get_untracked() {
            download_text(
                &r.series.to_csv(),
                &format!("{}-series.csv", stem.get_value()),
                "text/csv",
            );
        }
    };
    view! {
        <figure class="chart" data-chart-figure=kind.name()>
            <div class="chart-head">
                <figcaption>{kind.title()}</figcaption>
                <span class="chart-actions">
                    <button type="button" class="link-button" on:click=export_png title="Download this chart as a PNG image">"PNG"</button>
                    <button type="button" class="link-button" on:click=export_csv title="Download the time series as CSV">"CSV"</button>
                </span>
            </div>
            <div class="canvas-wrap">
                <canvas node_ref=canvas data-chart=kind.name() role="img" aria-label=text on:click=on_click
                    title="Click to move the timeline here" style:height=format!("{height}px")></canvas>
                <div class="cursor" aria-hidden="true" class:hidden=move || !cursor_shown()
                    style:left=cursor_left style:top=cursor_top style:height=cursor_height></div>
            </div>
            <p class="sr-only">{text}</p>
            {move || error.get().map(|e| view! { <p class="error">{e}</p> })}
        </figure>
    }
}
