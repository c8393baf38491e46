//! The log: the box to paste it in (or drop or choose a file), what the reader made of it
//! (format, counts, malformed lines with their numbers, notes) and its charts.

use calibrate::{Traffic, Twin};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::{load_example, Page};
use crate::charts::twin::TwinChart;
use crate::components::twin_chart::TwinCanvas;
use crate::pages::lab::{read_file, read_file_text};
use crate::shared::Shared;

/// The longest log the box shows, in bytes. A larger one (a file of tens of thousands of lines)
/// is read whole but not put in the box: laying out megabytes of text in a textarea blocks the
/// page for a second or more.
const SHOWN_MAX_BYTES: usize = 512 * 1024;

/// The log box, its file button and drop target, and the calibration options.
#[component]
pub(super) fn LogInput(
    /// The page's state.
    page: Page,
    /// Called with the box's text as the learner types or pastes.
    on_type: Callback<String>,
) -> impl IntoView {
    let (dragging, set_dragging) = signal(false);
    let loaded = move |name: String| {
        move |r: Result<String, String>| match r {
            Ok(t) => page.commit(t, &name),
            Err(e) => {
                page.log_error.try_set(Some(engine::clip::message(&e)));
            }
        }
    };
    let choose = move |ev: leptos::ev::Event| {
        let name = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            .and_then(|i| i.files())
            .and_then(|f| f.get(0))
            .map_or_else(|| "your file".to_string(), |f| f.name());
        read_file(&ev, loaded(name));
    };
    let drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        set_dragging.set(false);
        let Some(file) = ev
            .data_transfer()
            .and_then(|d| d.files())
            .and_then(|f| f.get(0))
        else {
            return;
        };
        read_file_text(&file, loaded(file.name()));
    };
    let rate_shown = move || {
        !page.rate_text.with(String::is_empty)
            || page
                .log_error
                .with(|e| e.as_ref().is_some_and(|e| e.contains("rate_per_s")))
            || page
                .twin
                .with(|t| t.as_ref().is_some_and(|t| t.reading.facts.timed == 0))
    };
    view! {
        <div class="yf-input">
            <label for="yf-log" class="field-label">"The log: REPORT lines, a Logs Insights CSV or filter-log-events JSON"</label>
            <textarea id="yf-log" data-testid="yf-log" rows="12" spellcheck="false" class:dragging=move || dragging.get()
                placeholder=move || if page.log.with(|l| l.len() > SHOWN_MAX_BYTES) {
                    format!("{} is read (too large to show here, see below). Paste or type to replace it.", page.source.get())
                } else {
                    "2026-11-02T10:00:01.123Z\tREPORT RequestId: 3f5c\u{2026}\tDuration: 102.25 ms\tBilled Duration: 103 ms\tMemory Size: 512 MB\tMax Memory Used: 78 MB\tInit Duration: 245.12 ms".to_string()
                }
                prop:value=move || page.log.with(|l| if l.len() > SHOWN_MAX_BYTES { String::new() } else { l.clone() })
                on:input=move |ev| on_type.run(event_target_value(&ev))
                on:dragover=move |ev: leptos::ev::DragEvent| { ev.prevent_default(); set_dragging.set(true); }
                on:dragleave=move |_| set_dragging.set(false)
                on:drop=drop></textarea>
            {move || page.log.with(|l| (l.len() > SHOWN_MAX_BYTES).then(|| {
                let lines = l.lines().count();
                view! {
                    <p class="muted small" role="status" data-testid="yf-log-hidden">
                        {format!("{} ({:.1} MB, {} lines) is read whole; it is too large to show in the box. Paste or type there to replace it.",
                            page.source.get(), l.len() as f64 / 1e6, engine::report::group(lines as u64))}
                    </p>
                }
            }))}
            <div class="lab-actions">
                <label class="secondary file-button">"Choose a log file"
                    <input type="file" data-testid="yf-file" accept=".log,.txt,.csv,.json,text/plain,text/csv,application/json" class="sr-only" on:change=choose/>
                </label>
                <button type="button" class="secondary" data-testid="yf-example" on:click=move |_| load_example(page)>"Use the example log"</button>
                <label>"Traffic "
                    <select data-testid="yf-traffic" on:change=move |ev| page.traffic.set(if event_target_value(&ev) == "per-minute" { Traffic::PerMinute } else { Traffic::Replay })>
                        <option value="replay">"replayed, arrival by arrival"</option>
                        <option value="per-minute">"as a rate per minute"</option>
                    </select>
                </label>
            </div>
            <p class="muted small">"Drop a file on the box, or paste the lines. Source: " {move || page.source.get()}</p>
            {move || rate_shown().then(|| view! {
                <label class="rate">"The log has no timestamps: its rate, in requests per second "
                    <input type="text" inputmode="decimal" data-testid="yf-rate" size="8"
                        prop:value=move || page.rate_text.get()
                        on:change=move |ev| page.rate_text.set(event_target_value(&ev))/>
                </label>
            })}
            <p class="error" role="alert" data-testid="yf-log-error">{move || page.log_error.get()}</p>
        </div>
    }
}

/// What the reader made of the log.
#[component]
pub(super) fn WhatWasRead(
    /// The page's state.
    page: Page,
) -> impl IntoView {
    view! {
        <div class="yf-read" data-testid="yf-read" aria-live="polite">
            <h2>"What was read"</h2>
            {move || match page.twin.get() {
                None if page.busy.get() => view! { <p class="muted" role="status">"Reading the log\u{2026}"</p> }.into_any(),
                None => view! { <p class="muted">"Nothing read yet."</p> }.into_any(),
                Some(t) => reading_view(&t).into_any(),
            }}
        </div>
    }
}

fn reading_view(t: &Twin) -> impl IntoView {
    let r = &t.reading;
    let f = &r.facts;
    let g = engine::report::group;
    let traffic = match (f.rate_per_s, f.timed) {
        (_, 0) => "no timestamps: no traffic".to_string(),
        (Some(rate), _) => format!(
            "{} from the first arrival to the last, {rate:.2} requests/s on average, at most {} at once",
            crate::format::duration_s(f.span_s),
            g(u64::from(f.concurrency_max))
        ),
        (None, _) => "a single timed invocation".to_string(),
    };
    let problems = r.problems.clone();
    let notes = r.notes.clone();
    view! {
        <dl class="facts">
            <dt>"Format"</dt><dd data-testid="yf-format">{r.format.label()}</dd>
            <dt>"Lines read"</dt><dd data-testid="yf-lines">{g(r.lines_read)}</dd>
            <dt>"REPORT lines read"</dt><dd data-testid="yf-reports">{g(f.invocations)}</dd>
            <dt>"Other lines, skipped"</dt><dd data-testid="yf-skipped">{g(r.skipped)}" (START, END and the function's own output)"</dd>
            <dt>"Malformed REPORT lines"</dt><dd data-testid="yf-malformed">{g(r.malformed)}</dd>
            <dt>"Traffic"</dt><dd>{traffic}</dd>
            <dt>"Cold starts"</dt><dd data-testid="yf-cold-share">{format!("{} ({:.1}% of invocations)", g(f.cold_starts), f.cold_start_share * 100.0)}</dd>
            <dt>"Memory"</dt><dd>{format!("Memory Size {} MB, Max Memory Used p50 {:.0} MB, max {:.0} MB", g(u64::from(f.memory_mb)), f.memory_used.p50, f.memory_used.max)}</dd>
        </dl>
        {(!problems.is_empty()).then(|| view! {
            <div class="problems">
                <h3>"Lines that could not be read"</h3>
                <ul data-testid="yf-problems">
                    {problems.into_iter().map(|p| view! {
                        <li data-line=p.line.to_string()><strong>{format!("Line {}: ", p.line)}</strong>{engine::clip::message(&p.message)}</li>
                    }).collect_view()}
                </ul>
            </div>
        })}
        {(!notes.is_empty()).then(|| view! {
            <ul class="warnings" data-testid="yf-notes" aria-label="Notes on the log">
                {notes.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}
            </ul>
        })}
    }
}

/// The log's charts, beside its twin's where the twin has the same figure.
#[component]
pub(super) fn Charts(
    /// The answer to draw.
    twin: Signal<Option<Shared<Twin>>>,
) -> impl IntoView {
    let has = move || twin.with(Option::is_some);
    view! {
        <div class="yf-charts" class:hidden=move || !has()>
            <h2>"What the log shows"</h2>
            <div class="chart-grid">
                {TwinChart::ALL.into_iter().map(|kind| view! { <TwinCanvas kind=kind twin=twin/> }).collect_view()}
            </div>
        </div>
    }
}
