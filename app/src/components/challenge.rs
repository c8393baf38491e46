//! The lesson's challenge: conditions checked live by the engine on the learner's configuration,
//! hints that unlock one by one, and a solution; solving it is kept in the learner's progress.

use std::collections::BTreeMap;

use curriculum::{Challenge, ShownFigure};
use engine::Report;
use leptos::prelude::*;
use serde_json::Value;

use crate::components::experiment::shown_value;
use crate::progress::Progress;
use crate::shared::Shared;

/// The challenge panel.
#[component]
pub fn ChallengePanel(
    /// The lesson (progress is kept per lesson).
    lesson_id: String,
    /// The challenge.
    challenge: Challenge,
    /// The experiment's figures: a condition shows its value as the summary line does.
    figures: Vec<ShownFigure>,
    /// The learner's current report.
    report: Signal<Option<Shared<Report>>>,
    /// Sets the experiment's knobs (to the solution).
    on_apply: Callback<BTreeMap<String, Value>>,
) -> impl IntoView {
    let progress = use_context::<RwSignal<Progress>>();
    let lesson = StoredValue::new(lesson_id);
    let c = StoredValue::new(challenge.clone());
    let figures = StoredValue::new(figures);
    let results =
        Memo::new(move |_| report.with(|r| r.as_ref().map(|r| c.get_value().evaluate(r))));
    let met = move || results.with(|r| matches!(r, Some(Ok(v)) if v.iter().all(|x| x.met)));
    // Solving is remembered the moment the conditions hold.
    Effect::new(move |_| {
        if met() {
            if let Some(p) = progress {
                if !p.with_untracked(|p| {
                    p.lessons.get(&lesson.get_value()).is_some_and(|l| l.solved)
                }) {
                    p.update(|p| p.lesson_mut(&lesson.get_value()).solved = true);
                }
            }
        }
    });
    let hints_open = move || {
        progress.map_or(0, |p| {
            p.with(|p| p.lessons.get(&lesson.get_value()).map_or(0, |l| l.hints)) as usize
        })
    };
    let more_hint = move |_| {
        if let Some(p) = progress {
            p.update(|p| p.lesson_mut(&lesson.get_value()).hints += 1);
        }
    };
    let (solution_open, set_solution_open) = signal(false);
    let total_hints = challenge.hints.len();
    view! {
        <section class="challenge" data-testid="challenge" aria-labelledby="challenge-title">
            <h3 id="challenge-title">"Challenge"</h3>
            <p class="goal">{challenge.goal.clone()}</p>
            <ul class="conditions">
                {move || match results.get() {
                    Some(Ok(rs)) => rs.into_iter().map(|r| view! {
                        <li class=if r.met { "met" } else { "unmet" }>
                            <span aria-hidden="true">{if r.met { "\u{2713} " } else { "\u{2717} " }}</span>
                            {r.condition.label.clone()}
                            <span class="muted">{format!(" (now {})", figures.with_value(|f| shown_value(f, &r.condition.metric, r.value)))}</span>
                            <span class="sr-only">{if r.met { " met" } else { " not met yet" }}</span>
                        </li>
                    }).collect_view().into_any(),
                    Some(Err(e)) => view! { <li class="error">{e}</li> }.into_any(),
                    None => view! { <li>"Waiting for the experiment to run."</li> }.into_any(),
                }}
            </ul>
            <p class="challenge-status" role="status" data-testid="challenge-status">
                {move || if met() { "\u{2713} Solved: the engine confirms every condition." } else { "Not solved yet: move the knobs above." }}
            </p>
            <div class="hints">
                {move || c.get_value().hints.into_iter().take(hints_open()).enumerate().map(|(i, h)| view! {
                    <p class="hint" data-testid="hint">{format!("Hint {}: {h}", i + 1)}</p>
                }).collect_view()}
                {move || (hints_open() < total_hints).then(|| view! {
                    <button type="button" class="secondary" data-testid="hint-button" on:click=more_hint>
                        {format!("Show a hint ({} of {total_hints})", hints_open() + 1)}
                    </button>
                })}
                <button type="button" class="link-button" on:click=move |_| set_solution_open.update(|o| *o = !*o)>
                    {move || if solution_open.get() { "Hide the solution" } else { "Show the solution" }}
                </button>
            </div>
            {move || solution_open.get().then(|| view! {
                <div class="solution">
                    <p>{c.get_value().solution_text}</p>
                    <button type="button" class="secondary" on:click=move |_| on_apply.run(c.get_value().solution)>"Apply the solution"</button>
                </div>
            })}
        </section>
    }
}
