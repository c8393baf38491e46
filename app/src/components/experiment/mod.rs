//! An experiment: knobs generated from the lesson file, the engine re-run on every change,
//! playback over a scrubbable timeline, the charts the lesson asks for, the figures it picks, an A/B
//! comparison on the same seeded workload, and the experiment's state in the URL.
//!
//! This file wires the parts together: `state.rs` holds the values and the runs, `url.rs`
//! reads and writes them in the URL, `knob.rs` draws the controls, `playback.rs` moves
//! through the run, `figures.rs` writes the summary line of the figures the lesson picks, and
//! `compare.rs` lays out the sides and compares them.

mod compare;
mod figures;
mod knob;
mod playback;
mod state;
mod url;

use std::collections::BTreeMap;

use curriculum::{Challenge, Experiment, Prediction, ScenarioData};
use leptos::prelude::*;
use serde_json::Value;

pub use figures::{figure_value, shown_label, shown_value, summary_line};
pub use playback::ActiveExperiment;

use crate::charts::ChartKind;
use crate::components::challenge::ChallengePanel;
use crate::components::prediction::Bet;
use crate::components::run_bar::RunBar;
use compare::{CompareTable, Layout, Sides};
use playback::{Moment, Playback, PlaybackBar};
use state::Runs;

/// One live experiment.
#[component]
pub fn ExperimentPanel(
    /// The lesson it belongs to.
    lesson_id: String,
    /// The experiment from the lesson file.
    experiment: Experiment,
    /// Its scenario as the file gives it.
    scenario: ScenarioData,
    /// URL query parameters, which may set its state.
    query: Vec<(String, String)>,
    /// Bets to place before the experiment shows the answer.
    predictions: Vec<Prediction>,
    /// The lesson's challenge, when it is played on this experiment.
    challenge: Option<Challenge>,
) -> impl IntoView {
    let file = scenario.knob_values.clone();
    let start = url::start_state(&experiment, &scenario, &file, &query);
    let file_values = StoredValue::new(file);
    let runs = Runs::new(scenario.json.clone(), experiment.knobs.clone(), &start);
    let exp_id = experiment.id.clone();
    let reduced_motion = playback::prefers_reduced_motion();
    let playback = Playback::new(scenario.duration_s, start.t_s);

    let url_written = url::follow(
        exp_id.clone(),
        runs,
        file_values,
        scenario.seed,
        playback.t_s,
    );
    let pick = Callback::new(move |t: f64| playback.pick(t));
    let claim = playback::shortcuts(exp_id.clone(), playback, runs.report_a, pick);
    let claim2 = claim.clone();

    let charts: Vec<ChartKind> = experiment.charts.clone();
    // Until every bet on this experiment is locked, what would answer it stays blurred.
    let progress = use_context::<RwSignal<crate::progress::Progress>>();
    let bet_ids: Vec<String> = predictions.iter().map(|p| p.id.clone()).collect();
    let lesson_key = lesson_id.clone();
    let pending = Memo::new(move |_| {
        progress
            .is_some_and(|pr| pr.with(|pr| bet_ids.iter().any(|b| !pr.bet_locked(&lesson_key, b))))
    });
    let layout = Layout {
        charts,
        t_s: playback.t_s,
        pick,
        figures: experiment.figures.clone(),
        id_stem: exp_id.clone(),
        file_stem: format!("lambda-lab-{lesson_id}-{}", experiment.id),
        pending: pending.into(),
    };
    let (embed_open, set_embed_open) = signal(false);
    let embed_code = url::embed_code(
        lesson_id.clone(),
        exp_id.clone(),
        experiment.title.clone(),
        url_written,
    );
    let comparing_memo = Memo::new(move |_| runs.values_b.with(Option::is_some));
    let comparing = move || comparing_memo.get();
    let set_a = Callback::new(move |set: BTreeMap<String, Value>| runs.set_a(&set));
    let bets = predictions
        .into_iter()
        .map(|p| view! { <Bet lesson_id=lesson_id.clone() prediction=p experiment=experiment.clone() scenario=scenario.clone() on_show=set_a/> })
        .collect_view();
    let challenge_view = challenge.map(|c| {
        view! { <ChallengePanel lesson_id=lesson_id.clone() challenge=c figures=experiment.figures.clone() report=runs.report_a on_apply=set_a/> }
    });
    let embed_id = format!("{exp_id}-embed");

    view! {
        <section class="experiment" data-experiment=experiment.id.clone() aria-label=experiment.title.clone()
            on:focusin=move |_| claim() on:pointerdown=move |_| claim2()>
            <div class="experiment-head">
                <h2 class="experiment-title">{experiment.title.clone()}</h2>
                <span class="head-buttons">
                <button type="button" class="secondary" aria-expanded=move || embed_open.get().to_string()
                    on:click=move |_| set_embed_open.update(|o| *o = !*o) title="Embed this experiment in a blog post">"Embed"</button>
                <button type="button" class="secondary" aria-pressed=move || comparing().to_string() on:click=move |_| compare::toggle(runs)
                    title="Run a second configuration on the same seeded workload">
                    {move || if comparing() { "Stop comparing" } else { "Compare A/B" }}
                </button>
                </span>
            </div>
            {move || embed_open.get().then(|| {
                let code = embed_code.clone();
                let to_copy = embed_code.clone();
                let copy_embed = move |_| {
                    if let Some(w) = web_sys::window() {
                        let _ = w.navigator().clipboard().write_text(&to_copy());
                    }
                };
                view! {
                    <div class="embed-code">
                        <label for=embed_id.clone()>"Paste this into your page: the frame sizes itself and follows your reader's light or dark theme."</label>
                        <textarea id=embed_id.clone() readonly rows="4" data-testid="embed-code" prop:value=code></textarea>
                        <button type="button" class="primary" on:click=copy_embed>"Copy embed code"</button>
                    </div>
                }
            })}
            {(!start.problems.is_empty()).then(|| view! {
                <p class="notice" role="status" data-testid="link-problems">
                    {format!("Some settings in this link could not be used: {}.", start.problems.join("; "))}
                </p>
            })}
            {bets}
            <PlaybackBar playback=playback report=runs.report_a pick=pick seed=runs.seed reduced_motion=reduced_motion/>
            {move || pending.get().then(|| view! {
                <p class="notice bet-pending" role="status" data-testid="bet-pending">
                    "Lock your bet above to see the charts and figures that answer it."
                </p>
            })}
            <div class="answers" class:pending=move || pending.get()
                aria-hidden=move || pending.get().then_some("true") inert=move || pending.get()>
                <Moment playback=playback report=runs.report_a reduced_motion=reduced_motion/>
            </div>
            <RunBar state=runs.side_a side=Signal::derive(move || comparing().then_some("A"))/>
            <RunBar state=runs.side_b side=Signal::derive(move || comparing().then_some("B"))/>
            <Sides runs=runs comparing=comparing_memo layout=layout/>
            <div class="answers" class:pending=move || pending.get()
                aria-hidden=move || pending.get().then_some("true") inert=move || pending.get()>
                <CompareTable a=runs.report_a b=runs.report_b figures=experiment.figures.clone()/>
            </div>
            {challenge_view}
        </section>
    }
}
