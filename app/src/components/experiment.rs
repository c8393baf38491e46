//! An experiment: knobs generated from the lesson file, the engine re-run on every change,
//! the environment lanes, a chart and a one-line verdict.

use engine::lesson::{self, Control, Experiment, Knob};
use engine::{Report, Scenario};
use leptos::prelude::*;
use serde_json::Value;

use crate::components::chart::{Chart, ChartKind};
use crate::format::value_with_unit;

/// Positions of a logarithmic slider.
const LOG_STEPS: f64 = 200.0;

/// A knob value from a slider position.
fn from_position(knob: &Knob, pos: f64) -> f64 {
    let v = if knob.log {
        knob.min * libm_pow(knob.max / knob.min, pos / LOG_STEPS)
    } else {
        pos
    };
    ((v / knob.step).round() * knob.step).clamp(knob.min, knob.max)
}

/// The slider position of a knob value.
fn to_position(knob: &Knob, v: f64) -> f64 {
    if knob.log {
        ((v / knob.min).ln() / (knob.max / knob.min).ln() * LOG_STEPS).round()
    } else {
        v
    }
}

fn libm_pow(a: f64, b: f64) -> f64 {
    a.powf(b)
}

/// The initial value of each knob: from the URL (`<experiment>.<knob>=value`) or the scenario.
fn initial_values(
    exp: &Experiment,
    scenario: &Scenario,
    query: &[(String, String)],
) -> (Vec<Value>, Vec<String>) {
    let mut problems = Vec::new();
    let values = exp
        .knobs
        .iter()
        .map(|k| {
            let file_value = lesson::get_path(scenario, &k.path).unwrap_or(Value::Null);
            let key = format!("{}.{}", exp.id, k.id);
            let Some((_, raw)) = query.iter().find(|(q, _)| *q == key) else {
                return file_value;
            };
            let parsed = match k.control {
                Control::Toggle => raw.parse::<bool>().ok().map(Value::from),
                Control::Select => k
                    .options
                    .iter()
                    .find(|o| o.value.to_string().trim_matches('"') == raw)
                    .and_then(|o| serde_json::to_value(&o.value).ok()),
                Control::Slider => raw
                    .parse::<f64>()
                    .ok()
                    .filter(|v| (k.min..=k.max).contains(v))
                    .map(|v| lesson::number(v, &file_value)),
            };
            parsed.unwrap_or_else(|| {
                problems.push(format!(
                    "{key}=\u{201c}{raw}\u{201d} is not a valid {} (kept the lesson's value)",
                    k.label.to_lowercase()
                ));
                file_value
            })
        })
        .collect();
    (values, problems)
}

/// One live experiment.
#[component]
pub fn ExperimentPanel(
    /// The experiment from the lesson file.
    experiment: Experiment,
    /// Its scenario as the file gives it.
    scenario: Scenario,
    /// URL query parameters, which may set knob values.
    query: Vec<(String, String)>,
) -> impl IntoView {
    let (initial, problems) = initial_values(&experiment, &scenario, &query);
    let values = RwSignal::new(initial);
    let knobs = StoredValue::new(experiment.knobs.clone());
    let base = StoredValue::new(scenario);
    let outcome = Memo::new(move |_| -> Result<Report, String> {
        let vals = values.get();
        let mut s = base.get_value();
        for (k, v) in knobs.get_value().iter().zip(vals) {
            s = lesson::set_path(&s, &k.path, &v).map_err(|e| format!("{}: {e}", k.label))?;
        }
        engine::run(&s).map_err(|e| e.to_string())
    });
    let report = Signal::derive(move || outcome.with(|o| o.as_ref().ok().cloned()));
    let verdict = move || match outcome.get() {
        Ok(r) => r.summary.verdict(),
        Err(e) => e,
    };
    let controls = experiment
        .knobs
        .iter()
        .enumerate()
        .map(|(i, k)| view! { <KnobControl knob=k.clone() index=i values=values id_prefix=experiment.id.clone()/> })
        .collect_view();
    view! {
        <section class="experiment" data-experiment=experiment.id.clone() aria-label=experiment.title.clone()>
            <h2 class="experiment-title">{experiment.title.clone()}</h2>
            {(!problems.is_empty()).then(|| view! {
                <p class="notice" role="status">{format!("This link had values that could not be used: {}.", problems.join("; "))}</p>
            })}
            <div class="controls">{controls}</div>
            <Chart kind=ChartKind::Lanes report=report title="Execution environments (amber: Init, blue: invoking, grey outline: idle)" height=220/>
            <Chart kind=ChartKind::Envs report=report title="Environments over time" height=200/>
            <p class="verdict" data-testid="verdict" aria-live="polite">{verdict}</p>
        </section>
    }
}

/// One control, bound to the experiment's values.
#[component]
fn KnobControl(
    /// The knob.
    knob: Knob,
    /// Its position in the values.
    index: usize,
    /// All the experiment's knob values.
    values: RwSignal<Vec<Value>>,
    /// Makes element ids unique on a page with several experiments.
    id_prefix: String,
) -> impl IntoView {
    let id = format!("{id_prefix}-{}", knob.id);
    let k = StoredValue::new(knob.clone());
    let current = move || values.with(|v| v.get(index).cloned().unwrap_or(Value::Null));
    match knob.control {
        Control::Slider => {
            let shown = move || value_with_unit(current().as_f64().unwrap_or(0.0), &k.get_value().unit);
            let (min, max, step) = if knob.log { (0.0, LOG_STEPS, 1.0) } else { (knob.min, knob.max, knob.step) };
            view! {
                <div class="knob">
                    <label for=id.clone()>{knob.label.clone()}</label>
                    <output for=id.clone()>{shown}</output>
                    <input type="range" id=id name=knob.id.clone()
                        min=min.to_string() max=max.to_string() step=step.to_string()
                        prop:value=move || to_position(&k.get_value(), current().as_f64().unwrap_or(0.0)).to_string()
                        aria-valuetext=shown
                        on:input=move |ev| {
                            let pos: f64 = event_target_value(&ev).parse().unwrap_or(0.0);
                            let v = from_position(&k.get_value(), pos);
                            values.update(|vals| {
                                if let Some(slot) = vals.get_mut(index) {
                                    *slot = lesson::number(v, slot);
                                }
                            });
                        }/>
                </div>
            }
            .into_any()
        }
        Control::Toggle => view! {
            <div class="knob knob-toggle">
                <input type="checkbox" id=id.clone() name=knob.id.clone()
                    prop:checked=move || current().as_bool().unwrap_or(false)
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        values.update(|vals| if let Some(slot) = vals.get_mut(index) { *slot = Value::from(on) });
                    }/>
                <label for=id>{knob.label.clone()}</label>
            </div>
        }
        .into_any(),
        Control::Select => {
            let options = knob
                .options
                .iter()
                .enumerate()
                .map(|(j, o)| view! { <option value=j.to_string()>{o.label.clone()}</option> })
                .collect_view();
            let selected = move || {
                let cur = current();
                k.get_value().options.iter().position(|o| o.value == cur).unwrap_or(0).to_string()
            };
            view! {
                <div class="knob">
                    <label for=id.clone()>{knob.label.clone()}</label>
                    <select id=id name=knob.id.clone() prop:value=selected
                        on:change=move |ev| {
                            let j: usize = event_target_value(&ev).parse().unwrap_or(0);
                            let v = k.get_value().options.get(j).map(|o| o.value.clone());
                            if let Some(v) = v {
                                values.update(|vals| if let Some(slot) = vals.get_mut(index) { *slot = v });
                            }
                        }>
                        {options}
                    </select>
                </div>
            }
            .into_any()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn knob(log: bool) -> Knob {
        Knob {
            id: "rate".into(),
            label: "Rate".into(),
            path: "x".into(),
            control: Control::Slider,
            unit: "req/s".into(),
            min: 0.5,
            max: 200.0,
            step: 0.5,
            log,
            options: vec![],
        }
    }

    #[test]
    fn log_sliders_cover_the_range_and_round_to_the_step() {
        let k = knob(true);
        assert_eq!(from_position(&k, 0.0), 0.5);
        assert_eq!(from_position(&k, LOG_STEPS), 200.0);
        let mid = from_position(&k, LOG_STEPS / 2.0);
        assert_eq!(mid, 10.0, "the geometric middle of 0.5..200 is 10");
        assert_eq!(from_position(&k, to_position(&k, 5.0)), 5.0);
    }
}
