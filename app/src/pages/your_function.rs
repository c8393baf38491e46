//! "Your own function" (`#/your-function`): a function's CloudWatch REPORT lines read, a
//! scenario calibrated to them and run beside them, "what if" knobs on that twin, and the
//! cheapest memory for a p99 target. The log never leaves the tab: the page hands it to the
//! engine's Web Worker (`calibrate::twin`), which answers with everything the page draws.
//!
//! `read.rs` shows the log as read and its charts, `fit.rs` the twin beside the log and its
//! scenario, `whatif.rs` the knobs, their run and the memory search.

mod fit;
mod read;
mod whatif;

use std::time::Duration;

use calibrate::{Options, Search, Traffic, Twin, TwinRequest, WhatIf};
use leptos::prelude::*;

use crate::runner::{self, Outcome};
use crate::shared::Shared;

/// The example log, copied into `dist/` beside the app (never compiled into the wasm).
const EXAMPLE_URL: &str = "./report.log";
/// Quiet time after a knob moves before the twin is asked again.
const KNOB_DEBOUNCE_MS: u64 = 150;
/// Quiet time after typing in the log before it is read again.
const TYPING_DEBOUNCE_MS: u64 = 400;

/// The page's state, shared by its parts.
#[derive(Clone, Copy)]
pub(crate) struct Page {
    /// The text in the log box.
    pub log: RwSignal<String>,
    /// The log last handed to the engine (`None`: nothing yet).
    pub committed: RwSignal<Option<String>>,
    /// Where the log came from, in words ("the example log", "report.log").
    pub source: RwSignal<String>,
    /// How the traffic is calibrated.
    pub traffic: RwSignal<Traffic>,
    /// The rate to use when the log has no timestamps (requests per second), as typed.
    pub rate_text: RwSignal<String>,
    /// The what-if knobs (`None`: the calibration's own).
    pub knobs: RwSignal<Option<WhatIf>>,
    /// A knob whose typed value cannot be used, with why: nothing is sent while there is one.
    pub knob_error: RwSignal<Option<(&'static str, String)>>,
    /// The last answer.
    pub twin: RwSignal<Option<Shared<Twin>>>,
    /// The log of the last answer.
    pub twin_log: StoredValue<Option<String>>,
    /// Why the log could not be read or calibrated.
    pub log_error: RwSignal<Option<String>>,
    /// Why the knobs' run failed (the last good answer stays up).
    pub whatif_error: RwSignal<Option<String>>,
    /// A request is under way.
    pub busy: RwSignal<bool>,
    /// Its step: done, in all, and what is running.
    pub step: RwSignal<Option<(u32, u32, String)>>,
    /// The cheapest-memory answer, with the knobs it was found for.
    pub search: RwSignal<Option<(Search, WhatIf)>>,
    /// A search is under way.
    pub search_busy: RwSignal<bool>,
    /// Its step.
    pub search_step: RwSignal<Option<(u32, u32, String)>>,
    /// Why the search failed.
    pub search_error: RwSignal<Option<String>>,
    /// The worker channels: the twin and the memory search.
    channels: StoredValue<(String, String)>,
}

impl Page {
    fn new() -> Page {
        let channels = (runner::channel("twin"), runner::channel("twin-search"));
        let (a, b) = channels.clone();
        on_cleanup(move || {
            runner::forget(&a);
            runner::forget(&b);
        });
        Page {
            log: RwSignal::new(String::new()),
            committed: RwSignal::new(None),
            source: RwSignal::new(String::new()),
            traffic: RwSignal::new(Traffic::Replay),
            rate_text: RwSignal::new(String::new()),
            knobs: RwSignal::new(None),
            knob_error: RwSignal::new(None),
            twin: RwSignal::new(None),
            twin_log: StoredValue::new(None),
            log_error: RwSignal::new(None),
            whatif_error: RwSignal::new(None),
            busy: RwSignal::new(false),
            step: RwSignal::new(None),
            search: RwSignal::new(None),
            search_busy: RwSignal::new(false),
            search_step: RwSignal::new(None),
            search_error: RwSignal::new(None),
            channels: StoredValue::new(channels),
        }
    }

    /// Hands `text` to the engine as a new log: the knobs go back to the calibration's own.
    pub fn commit(self, text: String, source: &str) {
        self.log.set(text.clone());
        self.source.set(source.to_string());
        self.knobs.set(None);
        self.knob_error.set(None);
        self.search.set(None);
        self.search_error.set(None);
        self.whatif_error.set(None);
        if text.trim().is_empty() {
            self.twin.set(None);
            self.committed.set(None);
            self.log_error.set(Some(
                "The log is empty: paste REPORT lines into the box, drop a log file on it or choose one.".into(),
            ));
            return;
        }
        self.committed.set(Some(text));
    }

    /// The knobs shown: the learner's, or the calibration's own.
    pub fn current_knobs(self) -> Option<WhatIf> {
        self.knobs
            .get()
            .or_else(|| self.twin.with(|t| t.as_ref().map(|t| t.what_if.clone())))
    }

    /// The calibration options: the CPU-bound share is the knobs' (so the scenario written
    /// carries the learner's assumption).
    fn options(self, knobs: Option<&WhatIf>) -> Result<Options, String> {
        let rate = self.rate_text.get_untracked();
        let rate_per_s = match rate.trim() {
            "" => None,
            t => match t.parse::<f64>() {
                Ok(r) if r.is_finite() && r > 0.0 => Some(r),
                _ => {
                    return Err(format!(
                        "Rate: expected a number of requests per second above 0, got \u{201c}{}\u{201d}.",
                        engine::clip::message(t)
                    ))
                }
            },
        };
        let defaults = Options::default();
        Ok(Options {
            cpu_share: knobs.map_or(defaults.cpu_share, |k| k.cpu_share),
            traffic: self.traffic.get_untracked(),
            rate_per_s,
            ..defaults
        })
    }

    /// Asks the engine for the twin of the committed log with the current knobs.
    fn send(self) {
        let Some(log) = self.committed.get_untracked() else {
            return;
        };
        let knobs = self.knobs.get_untracked();
        let options = match self.options(knobs.as_ref()) {
            Ok(o) => o,
            Err(e) => {
                self.log_error.set(Some(e));
                return;
            }
        };
        let request = TwinRequest {
            log: log.clone(),
            options,
            what_if: knobs,
            cheapest_under_ms: None,
        };
        let Ok(json) = serde_json::to_value(&request) else {
            return;
        };
        self.busy.set(true);
        let channel = self.channels.get_value().0;
        runner::submit_twin(&channel, json, move |outcome| {
            let same_log = self
                .twin_log
                .try_with_value(|l| l.as_deref() == Some(log.as_str()))
                .unwrap_or(false);
            let failed = |e: String| {
                if same_log {
                    self.whatif_error.try_set(Some(e));
                } else {
                    self.twin.try_set(None);
                    self.log_error.try_set(Some(e));
                }
            };
            match outcome {
                Outcome::Twin(Ok(text)) => match read_twin(&text) {
                    Ok(t) => {
                        self.twin_log.try_set_value(Some(log.clone()));
                        self.log_error.try_set(None);
                        self.whatif_error.try_set(None);
                        self.twin.try_set(Some(Shared::new(t)));
                    }
                    Err(e) => failed(format!("internal error (please report): the answer: {e}")),
                },
                Outcome::Twin(Err(e)) | Outcome::Failed(e) | Outcome::Crashed(e) => failed(e),
                Outcome::Step { done, total, what } => {
                    self.step.try_set(Some((done, total, what)));
                    return;
                }
                Outcome::Stopped(true) | Outcome::Progress(_) => return,
                Outcome::Stopped(false) | Outcome::Done(_) | Outcome::Traffic(_) => {}
            }
            self.busy.try_set(false);
            self.step.try_set(None);
        });
    }

    /// Stops the twin's request (`search`: the memory search's) under way.
    pub fn stop(self, search: bool) {
        let (twin, cheapest) = self.channels.get_value();
        runner::stop(if search { &cheapest } else { &twin });
    }

    /// Asks for the cheapest memory that keeps p99 at or under `limit_ms` with the current knobs.
    pub fn search_cheapest(self, limit_ms: f64) {
        let (Some(log), Some(knobs)) = (self.committed.get_untracked(), self.current_knobs())
        else {
            return;
        };
        let options = match self.options(Some(&knobs)) {
            Ok(o) => o,
            Err(e) => {
                self.search_error.set(Some(e));
                return;
            }
        };
        let request = TwinRequest {
            log,
            options,
            what_if: Some(knobs),
            cheapest_under_ms: Some(limit_ms),
        };
        let Ok(json) = serde_json::to_value(&request) else {
            return;
        };
        self.search_busy.set(true);
        self.search_error.set(None);
        let channel = self.channels.get_value().1;
        runner::submit_twin(&channel, json, move |outcome| {
            match outcome {
                Outcome::Twin(Ok(text)) => match read_twin(&text) {
                    Ok(t) => match t.search {
                        Some(s) => {
                            self.search.try_set(Some((s, t.what_if)));
                        }
                        None => {
                            self.search_error.try_set(Some(
                                "internal error (please report): no search in the answer".into(),
                            ));
                        }
                    },
                    Err(e) => {
                        self.search_error.try_set(Some(format!(
                            "internal error (please report): the answer: {e}"
                        )));
                    }
                },
                Outcome::Twin(Err(e)) | Outcome::Failed(e) | Outcome::Crashed(e) => {
                    self.search_error.try_set(Some(e));
                }
                Outcome::Step { done, total, what } => {
                    self.search_step.try_set(Some((done, total, what)));
                    return;
                }
                Outcome::Stopped(true) | Outcome::Progress(_) => return,
                Outcome::Stopped(false) | Outcome::Done(_) | Outcome::Traffic(_) => {}
            }
            self.search_busy.try_set(false);
            self.search_step.try_set(None);
        });
    }
}

/// The worker's answer read back.
fn read_twin(text: &str) -> Result<Twin, String> {
    serde_json::from_str(text).map_err(|e| e.to_string())
}

/// Fetches the example log shipped beside the app (same origin, cached offline by the
/// service worker).
async fn fetch_example() -> Result<String, String> {
    crate::fetch::text(EXAMPLE_URL, "the example log").await
}

/// Loads the example log into the page.
pub(crate) fn load_example(page: Page) {
    leptos::task::spawn_local(async move {
        match fetch_example().await {
            Ok(text) => {
                if page.log.try_get_untracked().is_some() {
                    page.commit(text, "the example log (calibrate/example/report.log)");
                }
            }
            Err(e) => {
                page.log_error
                    .try_set(Some(format!("{e}. Paste a log or choose a file instead.")));
            }
        }
    });
}

/// The page.
#[component]
pub fn YourFunction() -> impl IntoView {
    let page = Page::new();
    // Every change of the log, the options or the knobs asks the engine again once they have
    // been still for a moment; a newer request supersedes an older one in the worker.
    let timer = StoredValue::new(None::<TimeoutHandle>);
    Effect::new(move |_| {
        page.committed.track();
        page.knobs.track();
        page.traffic.track();
        page.rate_text.track();
        if page.knob_error.get().is_some() {
            return;
        }
        if let Some(h) = timer.get_value() {
            h.clear();
        }
        let h =
            set_timeout_with_handle(move || page.send(), Duration::from_millis(KNOB_DEBOUNCE_MS));
        timer.set_value(h.ok());
    });
    load_example(page);
    let typing = StoredValue::new(None::<TimeoutHandle>);
    let on_type = move |text: String| {
        page.log.set(text);
        if let Some(h) = typing.get_value() {
            h.clear();
        }
        let h = set_timeout_with_handle(
            move || page.commit(page.log.get_untracked(), "the text you pasted"),
            Duration::from_millis(TYPING_DEBOUNCE_MS),
        );
        typing.set_value(h.ok());
    };
    let twin: Signal<Option<Shared<Twin>>> = page.twin.into();
    view! {
        <section class="your-function">
            <h1>"Your own function"</h1>
            <p class="lede">
                "Paste a Lambda function's CloudWatch REPORT lines: the lab reads its traffic, Duration, Init and memory, "
                "builds a scenario that reproduces them, runs it beside the log, and answers \u{201c}what if\u{201d} for that function, without running it."
            </p>
            <p class="privacy" data-testid="yf-privacy">
                <strong>"Nothing is sent anywhere."</strong>
                " The log is read by the simulation engine inside this tab; it is not uploaded and not stored."
            </p>
            <div class="yf-grid">
                <read::LogInput page=page on_type=Callback::new(on_type)/>
                <read::WhatWasRead page=page/>
            </div>
            <read::Charts twin=twin/>
            <fit::FitCheck page=page/>
            <whatif::WhatIfPanel page=page/>
            <whatif::Cheapest page=page/>
        </section>
    }
}
