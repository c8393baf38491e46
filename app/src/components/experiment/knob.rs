//! One knob's control (slider, toggle or select), bound to one side's values, and the
//! mapping of a logarithmic slider's positions to values.

use curriculum::{Control, Knob, Needs};
use leptos::prelude::*;
use serde_json::Value;

use crate::format::{ln, pow, shortest, value_with_unit};

/// Positions of a logarithmic slider.
const LOG_STEPS: f64 = 200.0;

/// A knob value from a slider position.
fn from_position(knob: &Knob, pos: f64) -> f64 {
    let v = if knob.log {
        knob.min * pow(knob.max / knob.min, pos / LOG_STEPS)
    } else {
        pos
    };
    ((v / knob.step).round() * knob.step)
        .max(knob.min)
        .min(knob.max)
}

/// The value for a new slider position. A move that would round back to the same value
/// (a log slider's small steps near its low end) moves one step in its direction instead,
/// so arrow keys never get stuck.
fn next_value(knob: &Knob, old: f64, pos: f64) -> f64 {
    let v = from_position(knob, pos);
    let old_pos = to_position(knob, old);
    if (v - old).abs() > f64::EPSILON || (pos - old_pos).abs() < 0.5 {
        return v;
    }
    let dir = if pos > old_pos { 1.0 } else { -1.0 };
    ((old / knob.step).round() * knob.step + dir * knob.step)
        .max(knob.min)
        .min(knob.max)
}

/// The slider position of a knob value.
fn to_position(knob: &Knob, v: f64) -> f64 {
    if knob.log {
        (ln(v / knob.min) / ln(knob.max / knob.min) * LOG_STEPS).round()
    } else {
        v
    }
}

/// One control, bound to the experiment's values.
#[component]
pub(super) fn KnobControl(
    /// The knob.
    knob: Knob,
    /// Its position in the values.
    index: usize,
    /// All the values of this side of the experiment.
    values: RwSignal<Vec<Value>>,
    /// Makes element ids unique on a page with several experiments.
    id_prefix: String,
    /// The knob it needs set first (its position in the values, and the rule) and the note
    /// shown while it is not.
    #[prop(optional)]
    needs: Option<(usize, Needs, String)>,
) -> impl IntoView {
    let id = format!("{id_prefix}-{}", knob.id);
    let k = StoredValue::new(knob.clone());
    let current = move || values.with(|v| v.get(index).cloned().unwrap_or(Value::Null));
    let needs = StoredValue::new(needs);
    // Greyed while the knob it needs is not set: moving it would change nothing.
    let idle = move || {
        needs.with_value(|n| {
            n.as_ref().is_some_and(|(j, rule, _)| {
                !values.with(|v| v.get(*j).is_some_and(|x| rule.met(x)))
            })
        })
    };
    let note = move || {
        idle().then(|| {
            view! { <small class="knob-note" data-testid="knob-note">{needs.with_value(|n| n.as_ref().map(|(_, _, t)| t.clone()))}</small> }
        })
    };
    match knob.control {
        Control::Slider => {
            let shown = move || value_with_unit(current().as_f64().unwrap_or(0.0), &k.get_value().unit);
            let (min, max, step) = if knob.log { (0.0, LOG_STEPS, 1.0) } else { (knob.min, knob.max, knob.step) };
            view! {
                <div class="knob" class:idle=idle>
                    <label for=id.clone()>{knob.label.clone()}</label>
                    <output for=id.clone()>{shown}</output>
                    {note}
                    <input type="range" id=id name=knob.id.clone() disabled=idle
                        min=shortest(min) max=shortest(max) step=shortest(step)
                        prop:value=move || shortest(to_position(&k.get_value(), current().as_f64().unwrap_or(0.0)))
                        aria-valuetext=shown
                        on:input=move |ev| {
                            let pos = crate::format::number(&event_target_value(&ev)).unwrap_or(0.0);
                            let knob = k.get_value();
                            let old = current().as_f64().unwrap_or(0.0);
                            let v = next_value(&knob, old, pos);
                            values.update(|vals| {
                                if let Some(slot) = vals.get_mut(index) {
                                    *slot = curriculum::number(v, slot);
                                }
                            });
                        }/>
                </div>
            }
            .into_any()
        }
        Control::Toggle => view! {
            <div class="knob knob-toggle" class:idle=idle>
                <input type="checkbox" id=id.clone() name=knob.id.clone() disabled=idle
                    prop:checked=move || current().as_bool().unwrap_or(false)
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        values.update(|vals| if let Some(slot) = vals.get_mut(index) { *slot = Value::from(on) });
                    }/>
                <label for=id>{knob.label.clone()}</label>
                {note}
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
                k.get_value().options.iter().position(|o| curriculum::same_value(&o.value, &cur)).unwrap_or(0).to_string()
            };
            view! {
                <div class="knob" class:idle=idle>
                    <label for=id.clone()>{knob.label.clone()}</label>
                    {note}
                    <select id=id name=knob.id.clone() prop:value=selected disabled=idle
                        on:change=move |ev| {
                            let j: usize = event_target_value(&ev).parse().unwrap_or(0);
                            if let Some(v) = k.get_value().options.get(j).map(|o| o.value.clone()) {
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
pub(super) mod tests {
    use super::*;

    /// A slider from 0.5 to 200 req/s in steps of 0.5.
    pub(in crate::components::experiment) fn knob(log: bool) -> Knob {
        Knob {
            id: "rate".into(),
            label: "Rate".into(),
            path: curriculum::FieldPath::parse("x").expect("a valid path"),
            control: Control::Slider,
            unit: "req/s".into(),
            min: 0.5,
            max: 200.0,
            step: 0.5,
            log,
            options: vec![],
            needs: None,
        }
    }

    #[test]
    fn log_sliders_cover_the_range_and_round_to_the_step() {
        let k = knob(true);
        assert_eq!(from_position(&k, 0.0), 0.5);
        assert_eq!(from_position(&k, LOG_STEPS), 200.0);
        assert_eq!(
            from_position(&k, LOG_STEPS / 2.0),
            10.0,
            "the geometric middle of 0.5..200 is 10"
        );
        assert_eq!(from_position(&k, to_position(&k, 5.0)), 5.0);
    }

    #[test]
    fn arrow_keys_never_get_stuck_on_a_log_slider() {
        let k = knob(true);
        let mut v = 0.5;
        for _ in 0..20 {
            let next = next_value(&k, v, to_position(&k, v) + 1.0);
            assert!(next > v, "one step right from {v} moves up, got {next}");
            v = next;
        }
        assert!(next_value(&k, 5.0, to_position(&k, 5.0) - 1.0) < 5.0);
        assert_eq!(
            next_value(&k, 200.0, LOG_STEPS + 1.0),
            200.0,
            "clamped at the end"
        );
    }
}
