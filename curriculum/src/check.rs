//! The checks that need the engine: each knob against its scenario, each prediction's answer
//! and each challenge's solution run for real.

use std::collections::BTreeMap;

use engine::Scenario;

use crate::knob::{apply_knobs, get_path, number, same_value, set_path};
use crate::metric::{Metric, Unit};
use crate::schema::{Challenge, Control, Experiment, Knob, Lesson, Prediction};
use crate::view::{check_wording, shown};

/// A prediction's or condition's metric must be one of the experiment's figures: the learner
/// sees the figure it tests.
fn in_view(x: &Experiment, metric: &Metric) -> Result<(), String> {
    if x.figure(metric).is_some() {
        return Ok(());
    }
    Err(format!(
        "{metric} is not in view: experiment \"{}\" shows {}; add {{ metric = \"{metric}\", label = \"...\" }} to its figures",
        x.id,
        if x.figures.is_empty() {
            "no figures".to_string()
        } else {
            x.figures.iter().map(|f| f.metric.to_string()).collect::<Vec<_>>().join(", ")
        }
    ))
}

/// A time a condition tests shows in the unit its bound is written in: its figure sets `unit`,
/// and the label writes a number in that unit ("under 100 s" shows "now 90 s").
fn in_bound_unit(x: &Experiment, c: &crate::schema::Condition) -> Result<(), String> {
    if !matches!(c.metric.unit(), Unit::Ms | Unit::S) {
        return Ok(());
    }
    let Some(unit) = x.figure(&c.metric).and_then(|f| f.unit) else {
        return Err(format!(
            "{} is a time: give its figure the unit its bound is written in (unit = \"ms\", \"s\", \"min\" or \"h\"), so the value shows as the bound reads",
            c.metric
        ));
    };
    let sym = unit.symbol();
    let says = c.label.match_indices(&format!(" {sym}")).any(|(i, m)| {
        let before = c.label[..i]
            .chars()
            .next_back()
            .is_some_and(|ch| ch.is_ascii_digit());
        let after = c.label[i + m.len()..]
            .chars()
            .next()
            .is_none_or(|ch| !ch.is_alphanumeric());
        before && after
    });
    if !says {
        return Err(format!(
            "\"{}\" tests {} shown in {sym}: write its bound in {sym} (e.g. \"under 100 {sym}\")",
            c.label, c.metric
        ));
    }
    Ok(())
}

/// An experiment's figures: at least one, each worded for its scope, each unit a time's.
/// Returns (field, message) for each problem.
pub(crate) fn check_figures(x: &Experiment, s: &Scenario) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if x.figures.is_empty() {
        out.push((
            "figures".to_string(),
            "expected at least one figure for the summary line, e.g. figures = [{ metric = \"duration_ms_p99\", label = \"p99\" }]".to_string(),
        ));
    }
    for (i, f) in x.figures.iter().enumerate() {
        let field = format!("figures[{i}]");
        if x.figures[..i].iter().any(|g| g.metric == f.metric) {
            out.push((field.clone(), format!("{} is shown twice", f.metric)));
        }
        if f.label.trim().is_empty() {
            out.push((field.clone(), "expected a label".to_string()));
        }
        if f.unit.is_some() && !matches!(f.metric.unit(), Unit::Ms | Unit::S) {
            out.push((
                format!("{field}.unit"),
                format!("{} is not a time: only a time takes a unit", f.metric),
            ));
        }
        if let Err(m) = check_wording(s, &f.metric, &f.label) {
            out.push((format!("{field}.label"), m));
        }
    }
    out
}

/// Every knob, moved from the lesson's defaults to each end of its range (each option of a
/// select, the other state of a toggle), must change something the experiment shows: one of
/// its figures or the data of one of its charts. A knob that `needs` another is moved with the
/// other one set first. Returns (knob index, message) for each knob that changes nothing.
pub(crate) fn check_live_knobs(x: &Experiment, s: &Scenario) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (i, k) in x.knobs.iter().enumerate() {
        if let Err(m) = check_live_knob(x, s, k) {
            out.push((i, m));
        }
    }
    out
}

fn check_live_knob(x: &Experiment, s: &Scenario, k: &Knob) -> Result<(), String> {
    let mut base = s.clone();
    let mut first = String::new();
    if let Some(n) = &k.needs {
        let other = x
            .knobs
            .iter()
            .find(|o| o.id == n.knob && o.id != k.id)
            .ok_or_else(|| {
                format!(
                    "needs: \"{}\" is not another knob of this experiment",
                    n.knob
                )
            })?;
        if n.above.is_none() && n.below.is_none() && n.equals.is_none() && n.not.is_none() {
            return Err("needs: say when it matters, with above, below, equals or not".into());
        }
        let current = get_path(s, &other.path)?;
        // The other knob's value that lets this one matter: the one asked for, or the end of
        // its range or the first choice that does.
        let candidates: Vec<serde_json::Value> = match other.control {
            Control::Slider => vec![number(other.max, &current), number(other.min, &current)],
            Control::Toggle => vec![
                serde_json::Value::from(true),
                serde_json::Value::from(false),
            ],
            Control::Select => other.options.iter().map(|o| o.value.clone()).collect(),
        };
        let v = n
            .equals
            .clone()
            .or_else(|| candidates.into_iter().find(|c| n.met(c)))
            .unwrap_or_else(|| current.clone());
        if !n.met(&v) {
            return Err(format!(
                "needs: {} can never be met by \"{}\"",
                n.note(&x.knobs),
                other.label
            ));
        }
        if n.met(&current) {
            return Err(format!(
                "needs: {} already holds at the lesson's defaults; drop needs",
                n.note(&x.knobs)
            ));
        }
        base = set_path(s, &other.path, &v).map_err(|e| format!("needs: {e}"))?;
        first = format!(" (with {} at {v})", other.label);
    }
    let current = get_path(&base, &k.path)?;
    let moves: Vec<serde_json::Value> = match k.control {
        Control::Slider => [k.min, k.max]
            .iter()
            .map(|&e| number(e, &current))
            .collect(),
        Control::Toggle => vec![serde_json::Value::from(!current.as_bool().unwrap_or(false))],
        Control::Select => k.options.iter().map(|o| o.value.clone()).collect(),
    };
    let run = |sc: &Scenario| -> Result<Vec<String>, String> {
        let r = engine::run(sc).map_err(|e| e.to_string())?;
        shown(x, &r)
    };
    let before = run(&base)?;
    let mut same = Vec::new();
    for v in moves.iter().filter(|v| !same_value(v, &current)) {
        let moved = set_path(&base, &k.path, v).map_err(|e| format!("at {v}: {e}"))?;
        if run(&moved)? == before {
            same.push(v.clone());
        }
    }
    // Every move counts, each option of a select too: a choice that shows the same as the
    // defaults would read to a learner as a control that does nothing.
    if let Some(v) = same.first() {
        return Err(format!(
            "dead knob: \"{}\" moved from {current} to {v}{first} changes no figure and no chart the experiment shows; show what it changes (a figure or chart), change the defaults, or declare needs = {{ knob = \"...\", above = ... }}",
            k.label
        ));
    }
    Ok(())
}

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
    in_view(x, &p.metric)?;
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
    for (i, cond) in c.conditions.iter().enumerate() {
        in_view(x, &cond.metric).map_err(|m| format!("conditions[{i}]: {m}"))?;
        check_wording(s, &cond.metric, &cond.label).map_err(|m| format!("conditions[{i}]: {m}"))?;
        in_bound_unit(x, cond).map_err(|m| format!("conditions[{i}]: {m}"))?;
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
