//! The lab: a free sandbox over every knob of the engine. The scenario is edited as the same
//! TOML the command line reads, imported and exported as a file, carried in the URL, and fed
//! with the learner's own traffic (a CSV of arrival times or per-minute counts).

use std::time::Duration;

use bridge::{RunJob, ScenarioInput, TrafficJob};
use engine::Report;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::charts::ChartKind;
use crate::components::chart::{download_text, Chart};
use crate::components::run_bar::{RunBar, RunState};
use crate::route;
use crate::runner::{self, Outcome};
use crate::shared::Shared;

/// The scenario the lab starts from.
pub const TEMPLATE: &str = r#"# A scenario: every field, its unit and its default: see the Field reference (#/reference).
name = "My experiment"
seed = 1
duration_s = 300

[account]
concurrency_limit = 1000

[[functions]]
name = "api"
runtime = "nodejs22.x"
memory_mb = 512
timeout_s = 10
handler.cpu_ms = 20
handler.io_ms = { kind = "lognormal", p50 = 80, p99 = 400 }
idle_expiry_s = 600

[functions.workload]
kind = "burst"
base_per_s = 20
burst_per_s = 200
start_s = 120
length_s = 60
"#;

/// Longest scenario text carried in a link; longer ones are exported as a file instead.
const MAX_LINK_CHARS: usize = 6_000;

fn set_url_scenario(text: &str) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let fits = text.len() <= MAX_LINK_CHARS;
    let url = if fits {
        format!("#/lab?s={}", route::encode(text))
    } else {
        "#/lab".to_string()
    };
    if let Ok(h) = window.history() {
        let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
    fits
}

/// Reads the text of the file chosen in a file input.
pub fn read_file(ev: &leptos::ev::Event, then: impl FnOnce(Result<String, String>) + 'static) {
    let Some(input) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
    else {
        return;
    };
    let Some(file) = input.files().and_then(|f| f.get(0)) else {
        return;
    };
    read_file_text(&file, then);
}

/// Reads the text of a file (chosen in a file input, or dropped on the page).
pub fn read_file_text(file: &web_sys::File, then: impl FnOnce(Result<String, String>) + 'static) {
    let name = file.name();
    let promise = file.text();
    leptos::task::spawn_local(async move {
        let result = wasm_bindgen_futures::JsFuture::from(promise)
            .await
            .ok()
            .and_then(|v| v.as_string())
            .ok_or_else(|| format!("{name}: could not be read as text"));
        then(result);
    });
}

/// The lab page.
#[component]
pub fn Lab(
    /// URL query parameters (`s` carries the scenario text).
    query: Vec<(String, String)>,
) -> impl IntoView {
    let from_link = query.iter().find(|(k, _)| k == "s").map(|(_, v)| v.clone());
    let initial = from_link.clone().unwrap_or_else(|| TEMPLATE.to_string());
    let text = RwSignal::new(initial.clone());
    let committed = RwSignal::new(initial);
    let (link_note, set_link_note) = signal(None::<String>);
    let timer = StoredValue::new(None::<TimeoutHandle>);
    let edit = move |v: String| {
        text.set(v);
        if let Some(h) = timer.get_value() {
            h.clear();
        }
        // Re-run once typing pauses, not on every keystroke.
        let h = set_timeout_with_handle(
            move || committed.set(text.get_untracked()),
            Duration::from_millis(300),
        );
        timer.set_value(h.ok());
    };
    // Every committed text is run in the worker; a newer one supersedes it. While the
    // scenario has an error, the last run's charts stay up, dimmed and marked as the last
    // valid run, so the learner keeps their bearings while typing.
    let runs = RunState::new("lab");
    Effect::new(move |_| {
        runs.run(
            RunJob {
                scenario: ScenarioInput::Toml(committed.get()),
                knobs: Vec::new(),
                seed: None,
                source: "scenario".into(),
            },
            None,
        )
    });
    let stale = Signal::derive(move || {
        runs.error.with(Option::is_some) && runs.report.with(Option::is_some)
    });
    let report: Signal<Option<Shared<Report>>> = runs.report.into();
    let cursor = RwSignal::new(0.0);
    Effect::new(move |_| {
        if let Some(end) = report.with(|r| r.as_ref().map(|r| r.summary.duration_s)) {
            cursor.set(end);
        }
    });
    let pick = Callback::new(move |t: f64| cursor.set(t));
    Effect::new(move |_| {
        let t = committed.get();
        set_link_note.set((!set_url_scenario(&t)).then(|| format!("This scenario is longer than {MAX_LINK_CHARS} characters, too long for a link: export it as a file to share it.")));
    });

    let import = move |ev: leptos::ev::Event| {
        read_file(&ev, move |r| match r {
            Ok(t) => {
                text.set(t.clone());
                committed.set(t);
            }
            Err(e) => set_link_note.set(Some(engine::clip::message(&e))),
        });
    };
    let export = move |_| {
        download_text(
            &committed.get_untracked(),
            "lambda-lab-scenario.toml",
            "application/toml",
        )
    };

    // Bring your own traffic: the worker reads the CSV and edits the scenario text in place,
    // keeping the learner's comments and layout; the page only shows its answer.
    let (csv, set_csv) = signal(String::new());
    let (per_minute, set_per_minute) = signal(false);
    let (csv_fn, set_csv_fn) = signal(0usize);
    let (csv_msg, set_csv_msg) = signal(None::<Result<String, String>>);
    let traffic_channel = runner::channel("lab-traffic");
    let forget_traffic = traffic_channel.clone();
    on_cleanup(move || runner::forget(&forget_traffic));
    let traffic_channel = StoredValue::new(traffic_channel);
    let use_traffic = move |_| {
        let sent = committed.get_untracked();
        let job = TrafficJob {
            text: sent.clone(),
            csv: csv.get_untracked(),
            per_minute: per_minute.get_untracked(),
            function: csv_fn.get_untracked(),
        };
        // The answer may come after the page is gone: signals are set with `try_set`.
        runner::submit_traffic(&traffic_channel.get_value(), job, move |outcome| {
            let result = match outcome {
                Outcome::Traffic(Ok(edit)) => {
                    if committed.try_get_untracked().as_ref() != Some(&sent) {
                        Err("The scenario changed while the traffic was being read: press \u{201c}Use this traffic\u{201d} again.".to_string())
                    } else {
                        text.try_set(edit.text.clone());
                        committed.try_set(edit.text);
                        Ok(edit.message)
                    }
                }
                Outcome::Traffic(Err(e)) | Outcome::Failed(e) | Outcome::Crashed(e) => Err(e),
                Outcome::Stopped(_)
                | Outcome::Progress(_)
                | Outcome::Done(_)
                | Outcome::Twin(_)
                | Outcome::Step { .. } => return,
            };
            set_csv_msg.try_set(Some(result));
        });
    };
    let import_csv = move |ev: leptos::ev::Event| {
        read_file(&ev, move |r| match r {
            Ok(t) => set_csv.set(t),
            Err(e) => set_csv_msg.set(Some(Err(engine::clip::message(&e)))),
        });
    };
    let function_names = move || {
        report.with(|r| {
            r.as_ref()
                .map(|r| {
                    r.functions
                        .iter()
                        .map(|f| f.name.clone())
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };

    let charts = [
        ChartKind::Lanes,
        ChartKind::Envs,
        ChartKind::Concurrency,
        ChartKind::Latency,
        ChartKind::Throttles,
        ChartKind::Cost,
    ];
    // The charts of the features the scenario uses; the memo changes only when that set does,
    // so the charts are not rebuilt on every run.
    let extra = Memo::new(move |_| {
        report.with(|r| r.as_ref().map(|r| extra_charts(r)).unwrap_or_default())
    });
    view! {
        <section class="lab">
            <h1>"The lab"</h1>
            <p class="lede">"Every knob of the engine. Edit the scenario (the same TOML the command line reads); the run updates as you type."</p>
            <p class="lab-own" data-testid="lab-your-function">
                "Have a Lambda function in production? "
                <a href="#/your-function">"Calibrate a scenario to its own CloudWatch logs \u{2192}"</a>
            </p>
            {from_link.is_some().then(|| view! { <p class="notice" role="status">"This scenario came from a link."</p> })}
            <div class="lab-grid">
                <div class="lab-editor">
                    <div class="lab-editor-head">
                        <label for="lab-scenario" class="field-label">"Scenario (TOML)"</label>
                        <a href="#/reference" data-testid="lab-reference">"Field reference"</a>
                    </div>
                    <textarea id="lab-scenario" data-testid="lab-scenario" spellcheck="false" rows="24"
                        prop:value=move || text.get()
                        on:input=move |ev| edit(event_target_value(&ev))></textarea>
                    <p class="error" role="alert" data-testid="lab-error">{move || runs.error.get()}</p>
                    {move || {
                        let warnings = runs.warnings.get();
                        (!warnings.is_empty()).then(|| view! {
                            <ul class="warnings" data-testid="lab-warnings" aria-label="Warnings">
                                {warnings.into_iter().map(|w| view! { <li>{w}</li> }).collect_view()}
                            </ul>
                        })
                    }}
                    <div class="lab-actions">
                        <label class="secondary file-button">"Import a scenario file"
                            <input type="file" accept=".toml,text/plain" class="sr-only" on:change=import/>
                        </label>
                        <button type="button" class="secondary" on:click=export>"Export as a file"</button>
                    </div>
                    {move || link_note.get().map(|n| view! { <p class="notice">{n}</p> })}
                    <details class="byot">
                        <summary>"Bring your own traffic"</summary>
                        <p class="muted">"Paste one value per line (the last column of a CSV is used, a header row is skipped): arrival times in seconds, or requests per minute such as a CloudWatch Invocations export."</p>
                        <textarea data-testid="lab-csv" rows="6" spellcheck="false" prop:value=move || csv.get() on:input=move |ev| set_csv.set(event_target_value(&ev))></textarea>
                        <div class="lab-actions">
                            <label class="secondary file-button">"Load a CSV"
                                <input type="file" accept=".csv,.txt,text/csv,text/plain" class="sr-only" on:change=import_csv/>
                            </label>
                            <label>"Rows are "
                                <select on:change=move |ev| set_per_minute.set(event_target_value(&ev) == "minute")>
                                    <option value="arrivals">"arrival times (s)"</option>
                                    <option value="minute">"requests per minute"</option>
                                </select>
                            </label>
                            <label>"for "
                                <select on:change=move |ev| set_csv_fn.set(event_target_value(&ev).parse().unwrap_or(0))>
                                    {move || function_names().into_iter().enumerate().map(|(i, n)| view! { <option value=i.to_string()>{n}</option> }).collect_view()}
                                </select>
                            </label>
                            <button type="button" class="primary" data-testid="lab-use-traffic" on:click=use_traffic>"Use this traffic"</button>
                        </div>
                        {move || csv_msg.get().map(|m| match m {
                            Ok(t) => view! { <p class="ok" role="status" data-testid="lab-csv-result">{t}</p> }.into_any(),
                            Err(e) => view! { <p class="error" role="alert" data-testid="lab-csv-result">{e}</p> }.into_any(),
                        })}
                    </details>
                </div>
                <div class="lab-results" class:stale=move || stale.get() data-testid="lab-results">
                    <RunBar state=runs/>
                    {move || stale.get().then(|| view! { <p class="notice stale-note" role="status" data-testid="lab-stale">"Showing the last valid run: fix the error in the scenario to update it."</p> })}
                    <p class="verdict" class:empty=move || report.with(Option::is_none) data-testid="verdict" aria-live="polite"
                        data-summary=move || report.with(|r| r.as_ref().map(|r| crate::format::json(&r.summary).unwrap_or_default()))>
                        {move || report.get().map(|r| r.summary.verdict())}
                    </p>
                    {move || report.get().filter(|r| r.functions.len() > 1).map(|r| function_table(&r))}
                    {charts.into_iter().map(|kind| view! {
                        <Chart kind=kind report=report cursor_s=cursor.into() on_pick=pick file_stem="lambda-lab-lab".to_string()/>
                    }).collect_view()}
                    {move || extra.get().into_iter().map(|kind| view! {
                        <Chart kind=kind report=report cursor_s=cursor.into() on_pick=pick file_stem="lambda-lab-lab".to_string()/>
                    }).collect_view()}
                </div>
            </div>
        </section>
    }
}

/// The charts a report calls for beyond the usual six: queues, several functions, alarms,
/// traces, caches, an IAM role.
fn extra_charts(r: &Report) -> Vec<ChartKind> {
    let s = &r.summary;
    [
        (s.queue_depth_max + s.dlq_depth > 0, ChartKind::Queue),
        (r.functions.len() > 1, ChartKind::Functions),
        (!r.alarms.is_empty(), ChartKind::Alarm),
        (r.tracing.is_some(), ChartKind::Trace),
        (s.cache_hits + s.cache_misses > 0, ChartKind::Cache),
        (s.iam_allowed + s.iam_denied > 0, ChartKind::Iam),
    ]
    .into_iter()
    .filter_map(|(on, kind)| on.then_some(kind))
    .collect()
}

/// One row per function, for scenarios with several.
fn function_table(r: &Report) -> impl IntoView {
    let rows = r
        .functions
        .iter()
        .map(|f| {
            let s = &f.summary;
            view! {
                <tr>
                    <th scope="row">{f.name.clone()}</th>
                    <td>{engine::report::group(s.requests)}</td>
                    <td>{engine::report::group(s.cold_starts)}</td>
                    <td>{engine::report::group(s.throttled)}</td>
                    <td>{engine::report::group(s.errors)}</td>
                    <td>{engine::report::group(s.triggered)}</td>
                    <td>{crate::format::p99(s)}</td>
                    <td>{format!("${:.4}", s.cost_usd)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="compare">
            <thead><tr><th scope="col">"Function"</th><th scope="col">"Requests"</th><th scope="col">"Cold starts"</th><th scope="col">"Throttled"</th><th scope="col">"Errors"</th><th scope="col">"Sent on"</th><th scope="col">"p99"</th><th scope="col">"Cost"</th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}
