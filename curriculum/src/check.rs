//! The checks that need the engine: each knob against its scenario, each prediction's answer
//! and each challenge's solution run for real.

use std::collections::BTreeMap;

use engine::Scenario;

use crate::knob::{apply_knobs, get_path, number, same_value, set_path};
use crate::schema::{Challenge, Control, Experiment, Knob, Lesson, Prediction};

fn experiment_and_scenario<'a>(
    lesson: &'a Lesson,
    scenarios: &'a BTreeMap<String, Scenario>,
    id: &str,
) -> Result<(&'a Experiment, &'a Scenario), String> {
    let x = lesson
        .experiments
        .iter()
        .find(|x| x.id == id)
        .ok_or_else(|| format!("experiment \"{id}\" does not exist"))?;
    let s = scenarios
        .get(id)
        .ok_or_else(|| format!("experiment \"{id}\" has no valid scenario"))?;
    Ok((x, s))
}

/// The engine must put the reveal's value in the answer's band, and in no other band.
pub(crate) fn check_prediction(
    lesson: &Lesson,
    scenarios: &BTreeMap<String, Scenario>,
    p: &Prediction,
) -> Result<(), String> {
    let (x, s) = experiment_and_scenario(lesson, scenarios, &p.experiment)?;
    if p.choices.len() < 2 {
        return Err("expected at least two choices".into());
    }
    let Some(answer) = p.choices.get(p.answer) else {
        return Err(format!(
            "answer = {} but there are only {} choices (counted from 0)",
            p.answer,
            p.choices.len()
        ));
    };
    let scenario = apply_knobs(s, x, &p.set).map_err(|e| format!("set: {e}"))?;
    let report = engine::run(&scenario).map_err(|e| e.to_string())?;
    let v = p.metric.read(&report)?;
    if !answer.contains(v) {
        let right = p
            .choices
            .iter()
            .position(|c| c.contains(v))
            .map_or("none of the choices".to_string(), |i| {
                format!("choice {i} (\"{}\")", p.choices[i].label)
            });
        return Err(format!(
            "wrong answer: the engine gives {} = {v}, which is {right}, not choice {} (\"{}\")",
            p.metric, p.answer, answer.label
        ));
    }
    if let Some(i) = p
        .choices
        .iter()
        .enumerate()
        .position(|(i, c)| i != p.answer && c.contains(v))
    {
        return Err(format!(
            "choices overlap: {} = {v} is also in choice {i} (\"{}\")",
            p.metric, p.choices[i].label
        ));
    }
    Ok(())
}

/// The defaults must fail the challenge and the solution must pass it.
pub(crate) fn check_challenge(
    lesson: &Lesson,
    scenarios: &BTreeMap<String, Scenario>,
    c: &Challenge,
) -> Result<(), String> {
    let (x, s) = experiment_and_scenario(lesson, scenarios, &c.experiment)?;
    if c.conditions.is_empty() {
        return Err("expected at least one condition".into());
    }
    if c.hints.is_empty() {
        return Err("expected at least one hint".into());
    }
    let defaults = engine::run(s).map_err(|e| e.to_string())?;
    if c.evaluate(&defaults)?.iter().all(|r| r.met) {
        return Err("already solved by the defaults: change the scenario or the conditions so the learner has something to do".into());
    }
    let scenario = apply_knobs(s, x, &c.solution).map_err(|e| format!("solution: {e}"))?;
    let solved = engine::run(&scenario).map_err(|e| format!("solution: {e}"))?;
    let failed: Vec<String> = c
        .evaluate(&solved)?
        .into_iter()
        .filter(|r| !r.met)
        .map(|r| {
            format!(
                "{} ({} = {})",
                r.condition.label, r.condition.metric, r.value
            )
        })
        .collect();
    if !failed.is_empty() {
        return Err(format!(
            "unsolvable: the solution fails {}",
            failed.join(", ")
        ));
    }
    Ok(())
}

/// A knob must point at a field of its scenario, and its range must hold the scenario's value.
pub(crate) fn check_knob(scenario: &Scenario, knob: &Knob) -> Result<(), String> {
    let current = get_path(scenario, &knob.path)?;
    match knob.control {
        Control::Slider => {
            if !(knob.min.is_finite()
                && knob.max.is_finite()
                && knob.min < knob.max
                && knob.step > 0.0)
            {
                return Err(format!(
                    "expected min < max and step > 0, got min = {}, max = {}, step = {}",
                    knob.min, knob.max, knob.step
                ));
            }
            if knob.log && knob.min <= 0.0 {
                return Err("a log slider needs min > 0".into());
            }
            let v = current.as_f64().ok_or_else(|| {
                format!(
                    "{} is not a number ({current}); use a toggle or a select",
                    knob.path
                )
            })?;
            if v < knob.min || v > knob.max {
                return Err(format!(
                    "the scenario's value {v} is outside min..max ({}..{})",
                    knob.min, knob.max
                ));
            }
            for end in [knob.min, knob.max] {
                set_path(scenario, &knob.path, &number(end, &current))
                    .map_err(|e| format!("at {end}: {e}"))?;
            }
        }
        Control::Toggle => {
            if !current.is_boolean() {
                return Err(format!(
                    "a toggle needs a true/false field; {} is {current}",
                    knob.path
                ));
            }
        }
        Control::Select => {
            if knob.options.len() < 2 {
                return Err("a select needs at least two options".into());
            }
            for o in &knob.options {
                let set = set_path(scenario, &knob.path, &o.value)
                    .map_err(|e| format!("option \"{}\": {e}", o.label))?;
                // The app shows the option equal to the scenario's value: each must read back
                // as written (an IAM action written as a string reads back as a list).
                let back = get_path(&set, &knob.path)?;
                if !same_value(&back, &o.value) {
                    return Err(format!(
                        "option \"{}\" reads back from the scenario as {back}, not as written ({}); write it that way",
                        o.label, o.value
                    ));
                }
            }
            if !knob.options.iter().any(|o| same_value(&o.value, &current)) {
                return Err(format!(
                    "the scenario's value {current} is none of the options, so no option would show as selected"
                ));
            }
        }
    }
    Ok(())
}
