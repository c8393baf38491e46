//! Where a run stands, under the controls that started it: a progress bar with a Stop button
//! while a run has taken longer than 300 ms, a mark when the charts are of earlier settings
//! (stopped), and the budget's message when it cut the run short.

use bridge::{Progress, RunJob};
use engine::Report;
use leptos::prelude::*;

use crate::format;
use crate::runner::{self, Outcome};
use crate::shared::Shared;

/// Runs quicker than this show no bar: it would only flicker.
const SHOW_AFTER_MS: f64 = 300.0;

/// True once `busy` has been true for 300 ms, false as soon as it is false: for a bar that
/// should not flicker on quick requests.
pub fn after_delay(busy: RwSignal<bool>) -> ReadSignal<bool> {
    let (shown, set_shown) = signal(false);
    Effect::new(move |_| {
        if busy.get() {
            set_timeout(
                move || {
                    if busy.try_get_untracked() == Some(true) {
                        set_shown.try_set(true);
                    }
                },
                std::time::Duration::from_millis(SHOW_AFTER_MS as u64),
            );
        } else {
            set_shown.set(false);
        }
    });
    shown
}

/// The progress line of a run: share done, simulated time and speed.
pub fn progress_text(p: &Progress) -> String {
    let rate = p.events_per_s();
    let speed = if rate >= 1e6 {
        format!("{} M events/s", crate::format::fixed(rate / 1e6, 1))
    } else {
        format!("{} events/s", engine::report::group(rate.round() as u64))
    };
    format!(
        "Simulating: {}% ({} of {} simulated) \u{00b7} {speed}",
        format::fixed(p.fraction() * 100.0, 0),
        format::duration_s(p.done_us as f64 / 1e6),
        format::duration_s(p.end_us as f64 / 1e6),
    )
}

/// Where a side's runs stand.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Status {
    /// The charts show the current settings (or nothing has run yet).
    #[default]
    Current,
    /// A run of newer settings is under way.
    Running,
    /// The learner stopped the run: the charts are of earlier settings.
    Stopped,
}

/// One place's runs (an experiment's side, the lab): the report drawn and the error, kept in
/// step with the worker's answers.
#[derive(Clone, Copy)]
pub struct RunState {
    /// The last report drawn.
    pub report: RwSignal<Option<Shared<Report>>>,
    /// Why the current settings have no run.
    pub error: RwSignal<Option<String>>,
    /// The run under way, once it has taken long enough to report progress.
    pub progress: RwSignal<Option<Progress>>,
    /// Where the runs stand.
    pub status: RwSignal<Status>,
    /// Why the budget cut the shown run short, if it did.
    pub cut: RwSignal<Option<String>>,
    /// The warnings of the scenario last run.
    pub warnings: RwSignal<Vec<String>>,
    /// The worker channel.
    pub channel: StoredValue<String>,
}

impl RunState {
    /// The state of a new place on the page; its runs go on a channel named after `prefix`.
    pub fn new(prefix: &str) -> RunState {
        let channel = runner::channel(prefix);
        let side = RunState {
            report: RwSignal::new(None),
            error: RwSignal::new(None),
            progress: RwSignal::new(None),
            status: RwSignal::new(Status::Current),
            cut: RwSignal::new(None),
            warnings: RwSignal::new(Vec::new()),
            channel: StoredValue::new(channel.clone()),
        };
        on_cleanup(move || runner::forget(&channel));
        side
    }

    /// Sends `job`; when it ends, `engine_ms` gets its time. The answers may come after the view
    /// is gone, so they are set with `try_set`.
    pub fn run(self, job: RunJob, engine_ms: Option<StoredValue<f64>>) {
        self.status.set(Status::Running);
        runner::submit(
            &self.channel.get_value(),
            job,
            move |outcome| match outcome {
                Outcome::Progress(p) => {
                    self.progress.try_set(Some(p));
                }
                Outcome::Done(done) => {
                    if let Some(ms) = engine_ms {
                        ms.try_set_value(done.engine_ms);
                    }
                    self.progress.try_set(None);
                    self.error.try_set(None);
                    self.cut.try_set(done.cut);
                    self.warnings.try_set(done.warnings);
                    self.report.try_set(Some(done.report));
                    self.status.try_set(Status::Current);
                }
                Outcome::Failed(e) | Outcome::Crashed(e) => {
                    self.progress.try_set(None);
                    self.error.try_set(Some(e));
                    self.status.try_set(Status::Current);
                }
                Outcome::Twin(_) | Outcome::Step { .. } | Outcome::Traffic(_) => {}
                Outcome::Stopped(superseded) => {
                    if !superseded {
                        self.progress.try_set(None);
                        self.status.try_set(Status::Stopped);
                    }
                }
            },
        );
    }

    /// Stops the run under way; the last drawn charts stay, marked as stopped.
    pub fn stop(self) {
        runner::stop(&self.channel.get_value());
    }

    /// Forgets the run and what it showed.
    pub fn clear(self) {
        runner::forget(&self.channel.get_value());
        self.report.set(None);
        self.error.set(None);
        self.progress.set(None);
        self.cut.set(None);
        self.status.set(Status::Current);
    }
}

/// The bar and the notes for one run's place on the page.
#[component]
pub fn RunBar(
    /// The runs.
    state: RunState,
    /// The side it is of, while an experiment compares two ("A", "B"); named in the bar.
    #[prop(optional, into)]
    side: Signal<Option<&'static str>>,
) -> impl IntoView {
    let RunState { progress, cut, .. } = state;
    let stopped = move || state.status.get() == Status::Stopped;
    let on_stop = move || state.stop();
    let shown = move || progress.get().filter(|p| p.elapsed_ms >= SHOW_AFTER_MS);
    // The bar is built once per run and only its figures change: a Stop button rebuilt with
    // every progress message (25 a second) would lose the clicks that land on it.
    let visible = Memo::new(move |_| shown().is_some());
    view! {
        {move || visible.get().then(|| view! {
            <div class="run-bar" role="status" data-testid="run-progress">
                <progress max="1" value=move || format::shortest(shown().map_or(0.0, |p| p.fraction()))></progress>
                <span>{move || side.get().map(|x| format!("Side {x}: ")).unwrap_or_default()}{move || shown().map(|p| progress_text(&p)).unwrap_or_default()}</span>
                <button type="button" class="secondary" data-testid="run-stop" on:click=move |_| on_stop()>"Stop"</button>
            </div>
        })}
        {move || stopped().then(|| view! {
            <p class="notice" role="status" data-testid="run-stopped">
                {side.get().map(|x| format!("Side {x}: ")).unwrap_or_default()}
                "Stopped. The charts show the last run that finished, not the settings above."
            </p>
        })}
        {move || cut.get().map(|c| view! {
            <p class="notice warn" role="status" data-testid="run-cut">{c}" The charts show what was simulated until then."</p>
        })}
    }
}
