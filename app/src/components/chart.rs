//! A chart on a canvas: redrawn (by the charts worker) when the report, the theme or the width
//! changes; shows the timeline cursor, moves the timeline to the time clicked, and exports
//! itself as PNG and its data as CSV.

use engine::Report;
use leptos::either::Either;
use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

use crate::charts::wire::{FromWorker, Paint};
use crate::charts::{ChartKind, ChartLook, TimeAxis};
use crate::painter;
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

/// A chart of a run: drawn by the charts worker (`crate::painter`) on a canvas handed over to
/// it, with a text alternative, a cursor and export buttons.
///
/// The canvas says which run it shows (`data-run`) and which it has drawn (`data-drawn-run`,
/// with `data-draw-ms`, the time drawing took in the worker): the tests and the benchmark wait
/// for the two to agree.
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
    // The chart in words, as the worker describes what it drew.
    let (text, set_text) = signal(String::new());
    // The canvas's name in the charts worker, once handed over.
    let (named, set_named) = signal(None::<u32>);
    let theme = use_context::<ThemeCtx>();
    let height = kind.height();
    let width = observed_width(canvas);
    let stem = StoredValue::new(file_stem);
    // The last drawing asked for: its number and its run.
    let asked = StoredValue::new((0u32, 0u64));
    // Each canvas is handed over once: a new one after the worker was replaced.
    Effect::new(move |_| {
        let Some(el) = canvas.get() else { return };
        let shown = el.clone();
        let on = move |message: FromWorker, beside: JsValue| match message {
            FromWorker::Drawn {
                seq,
                axis,
                ms,
                text: words,
                error,
                ..
            } => {
                let (asked_seq, run) = asked.get_value();
                if seq != asked_seq {
                    return; // an older drawing; a newer one is on its way
                }
                set_axis.try_set(axis);
                set_text.try_set(words);
                set_error.try_set(error);
                let _ = shown.set_attribute("data-draw-ms", &crate::format::fixed(ms, 2));
                let _ = shown.set_attribute("data-drawn-run", &run.to_string());
            }
            FromWorker::Png { .. } => {
                let Some(blob) = beside.dyn_ref::<web_sys::Blob>() else {
                    return;
                };
                if let Ok(url) = web_sys::Url::create_object_url_with_blob(blob) {
                    download(&url, &format!("{}-{}.png", stem.get_value(), kind.name()));
                    let _ = web_sys::Url::revoke_object_url(&url);
                }
            }
            FromWorker::Ready => {}
        };
        match painter::attach(&el, on) {
            Ok(id) => {
                set_named.set(Some(id));
                on_cleanup(move || painter::release(id));
            }
            Err(e) => set_error.set(Some(e)),
        }
    });
    Effect::new(move |_| {
        let dark = theme.is_some_and(|t| t.dark.get());
        let width = width.get();
        let Some(id) = named.get() else { return };
        let Some(report) = report.get() else { return };
        if width == 0 {
            return;
        }
        let seq = asked.get_value().0 + 1;
        asked.set_value((seq, report.serial()));
        let paint = Paint {
            id,
            seq,
            kind,
            width,
            height,
            dark,
            serial: report.serial(),
        };
        painter::draw(&report, paint);
    });
    let run = move || report.with(|r| r.as_ref().map(|r| r.serial().to_string()));
    // Positioned through the CSSOM (style:left ...), never a style attribute: the page's
    // Content-Security-Policy allows no inline styles.
    let cursor_shown = move || axis.with(|a| a.x1 > a.x0);
    let cursor_left = move || {
        format!(
            "{}px",
            crate::format::fixed(axis.get().x_of(cursor_s.get()), 1)
        )
    };
    let cursor_top = move || format!("{}px", axis.get().y0);
    let cursor_height = move || axis.with(|a| format!("{}px", (a.y1 - a.y0).max(0)));
    let on_click = move |ev: leptos::ev::MouseEvent| {
        if let Some(t) = axis.get_untracked().time_at(f64::from(ev.offset_x())) {
            on_pick.run(t);
        }
    };
    let export_png = move |_| {
        if let Some(id) = named.get_untracked() {
            painter::png(id);
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
    // A canvas handed over to a worker cannot be handed to another: when the worker is
    // replaced, the chart makes a new one. The two sides of an `Either` are two elements: a
    // new generation takes the other side, so its canvas is a new element, not the old one
    // patched.
    let generation = painter::generation();
    let canvas_view = move || {
        let fresh = view! {
            <canvas node_ref=canvas data-chart=kind.name() data-run=run role="img" aria-label=text on:click=on_click
                title="Click to move the timeline here" style:height=format!("{height}px")></canvas>
        };
        if generation.get().is_multiple_of(2) {
            Either::Left(fresh)
        } else {
            Either::Right(fresh)
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
                {canvas_view}
                <div class="cursor" aria-hidden="true" class:hidden=move || !cursor_shown()
                    style:left=cursor_left style:top=cursor_top style:height=cursor_height></div>
            </div>
            <p class="sr-only">{text}</p>
            {move || error.get().map(|e| view! { <p class="error">{e}</p> })}
        </figure>
    }
}
