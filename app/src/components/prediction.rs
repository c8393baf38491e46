//! "Place your bet": a question asked before the experiment shows the answer. The engine
//! decides which choice is right; the learner's bet is kept in their progress. The choices
//! show in an order fixed by the learner's seed (`progress::choice_order`), never with the
//! right one first.

use std::collections::BTreeMap;

use bridge::{RunJob, ScenarioInput};
use curriculum::ScenarioData;
use curriculum::{Experiment, Prediction};
use engine::Report;
use leptos::prelude::*;
use serde_json::Value;

use crate::components::experiment::{shown_label, shown_value};
use crate::progress::Progress;
use crate::runner::{self, Outcome};

/// The run that answers the prediction: the experiment's scenario with the question's knobs.
fn reveal_job(
    p: &Prediction,
    experiment: &Experiment,
    scenario: &ScenarioData,
) -> Result<RunJob, String> {
    let mut knobs = Vec::new();
    for (id, v) in &p.set {
        let knob = experiment
            .knobs
            .iter()
            .find(|k| &k.id == id)
            .ok_or_else(|| format!("\"{id}\" is not a knob of experiment \"{}\"", experiment.id))?;
        knob.admits(v)?;
        knobs.push((knob.path.to_string(), v.clone()));
    }
    Ok(RunJob {
        scenario: ScenarioInput::Json(scenario.json.clone()),
        knobs,
        seed: None,
        source: format!("bet {}", p.id),
    })
}

/// The engine's value of the prediction's metric in `report`, and the choice it falls in.
fn reveal(p: &Prediction, report: &Report) -> Result<(f64, Option<usize>), String> {
    let v = p.metric.read(report)?;
    Ok((v, p.choices.iter().position(|c| c.contains(v))))
}

/// One prediction.
#[component]
pub fn Bet(
    /// The lesson (progress is kept per lesson).
    lesson_id: String,
    /// The question.
    prediction: Prediction,
    /// The experiment that answers it.
    experiment: Experiment,
    /// The experiment's scenario as the file gives it.
    scenario: ScenarioData,
    /// Sets the experiment's knobs to the question's values, to see the answer live.
    on_show: Callback<BTreeMap<String, Value>>,
) -> impl IntoView {
    let progress = use_context::<RwSignal<Progress>>();
    let lesson = StoredValue::new(lesson_id);
    let p = StoredValue::new(prediction.clone());
    let placed = move || {
        progress.and_then(|pr| {
            pr.with(|pr| {
                pr.lessons
                    .get(&lesson.get_value())
                    .and_then(|l| l.bets.get(&p.get_value().id).copied())
            })
        })
    };
    let (choice, set_choice) = signal(None::<usize>);
    // The reveal names and shows the figure as the experiment's summary line does.
    let figures = StoredValue::new(experiment.figures.clone());
    // The engine answers once the bet is locked (in the worker, like every run).
    let answer = RwSignal::new(None::<Result<(f64, Option<usize>), String>>);
    let channel = StoredValue::new(runner::channel("bet"));
    on_cleanup(move || runner::forget(&channel.get_value()));
    let job = StoredValue::new(reveal_job(&prediction, &experiment, &scenario));
    Effect::new(move |_| {
        if placed().is_none() || answer.with_untracked(Option::is_some) {
            return;
        }
        match job.get_value() {
            Err(e) => answer.set(Some(Err(e))),
            Ok(job) => {
                runner::submit(&channel.get_value(), job, move |outcome| match outcome {
                    Outcome::Done(done) => {
                        if let Some(bet) = p.try_get_value() {
                            answer.try_set(Some(reveal(&bet, &done.report)));
                        }
                    }
                    Outcome::Failed(e) | Outcome::Crashed(e) => {
                        answer.try_set(Some(Err(e)));
                    }
                    Outcome::Progress(_)
                    | Outcome::Stopped(_)
                    | Outcome::Twin(_)
                    | Outcome::Step { .. }
                    | Outcome::Traffic(_) => {}
                });
            }
        }
    });
    let group_name = format!("bet-{}", prediction.id);
    let lock = move |_| {
        if let (Some(c), Some(pr)) = (choice.get_untracked(), progress) {
            pr.update(|pr| {
                pr.lesson_mut(&lesson.get_value())
                    .bets
                    .insert(p.get_value().id, c);
            });
        }
    };
    // The learner's seed fixes the order the choices show in; the right one never comes
    // first. The radio's value (and the stored bet) is the choice's index in the file.
    let seed = progress
        .and_then(|pr| pr.with_untracked(|pr| pr.seed))
        .unwrap_or(0);
    let order = crate::progress::choice_order(
        seed,
        &prediction.id,
        prediction.choices.len(),
        prediction.answer,
    );
    let shown: Vec<(usize, String)> = order
        .into_iter()
        .filter_map(|i| prediction.choices.get(i).map(|c| (i, c.label.clone())))
        .collect();
    let options = move || {
        shown
            .iter()
            .map(|(i, label)| {
                let (i, name) = (*i, group_name.clone());
                view! {
                    <label class="choice">
                        <input type="radio" name=name value=i.to_string() on:change=move |_| set_choice.set(Some(i))/>
                        {label.clone()}
                    </label>
                }
            })
            .collect_view()
    };
    view! {
        <div class="bet" data-testid="bet" data-prediction=prediction.id.clone()>
            <p class="bet-label">"Place your bet"</p>
            <p class="bet-question">{prediction.question.clone()}</p>
            {move || match placed() {
                None => view! {
                    <fieldset>
                        <legend class="sr-only">{p.get_value().question}</legend>
                        {options()}
                    </fieldset>
                    <button type="button" class="primary" data-testid="lock-bet" disabled=move || choice.get().is_none() on:click=lock>
                        "Lock in my bet"
                    </button>
                }.into_any(),
                Some(bet) => {
                    let pr = p.get_value();
                    let body = match answer.get() {
                        None => view! { <p class="bet-result" data-testid="bet-working">"The engine is running the experiment\u{2026}"</p> }.into_any(),
                        Some(Ok((v, right))) => {
                            let correct = right == Some(bet);
                            let right_label = right.and_then(|i| pr.choices.get(i)).map_or("none of the choices".to_string(), |c| c.label.clone());
                            view! {
                                <p class=if correct { "bet-result right" } else { "bet-result wrong" } data-testid="bet-result">
                                    {if correct { "\u{2713} Right. " } else { "\u{2717} Not quite. " }}
                                    {format!("You bet \u{201c}{}\u{201d}; the engine measured {} = {}: \u{201c}{right_label}\u{201d}.",
                                        pr.choices.get(bet).map_or("?", |c| c.label.as_str()), figures.with_value(|f| shown_label(f, &pr.metric)), figures.with_value(|f| shown_value(f, &pr.metric, v)))}
                                </p>
                                <p>{pr.explanation.clone()}</p>
                            }.into_any()
                        }
                        Some(Err(e)) => view! { <p class="error">{e}</p> }.into_any(),
                    };
                    let set = pr.set.clone();
                    view! {
                        {body}
                        {(!set.is_empty()).then(|| view! {
                            <button type="button" class="secondary" on:click=move |_| on_show.run(set.clone())>"Show it in the experiment"</button>
                        })}
                    }.into_any()
                }
            }}
        </div>
    }
}
