//! The experiment's state: each side's knob values and the seed, the scenarios they make and
//! the engine's runs of them (side B only while comparing).

use std::collections::BTreeMap;

use curriculum::Knob;
use engine::{Report, Scenario};
use leptos::prelude::*;
use serde_json::Value;

use super::url::Start;
use crate::shared::Shared;

/// The scenario for a set of knob values and a seed.
fn build(base: &Scenario, knobs: &[Knob], values: &[Value], seed: u64) -> Result<Scenario, String> {
    let mut s = base.clone();
    s.seed = seed;
    let fields: Vec<(&curriculum::FieldPath, &Value)> = knobs
        .iter()
        .zip(values)
        .map(|(k, v)| (&k.path, v))
        .collect();
    // All knobs in one pass (a re-run on every slider move); should that be refused, set them
    // one by one to name the knob at fault.
    curriculum::set_paths(&s, &fields).or_else(|_| {
        for (k, v) in knobs.iter().zip(values) {
            s = curriculum::set_path(&s, &k.path, v).map_err(|e| format!("{}: {e}", k.label))?;
        }
        Ok(s)
    })
}

/// The reactive state of one experiment: every field is a handle, so the whole is `Copy`.
#[derive(Clone, Copy)]
pub(super) struct Runs {
    /// The experiment's knobs.
    pub knobs: StoredValue<Vec<Knob>>,
    /// Side A's knob values.
    pub values_a: RwSignal<Vec<Value>>,
    /// Side B's, while comparing.
    pub values_b: RwSignal<Option<Vec<Value>>>,
    /// The seed both sides run with.
    pub seed: RwSignal<u64>,
    /// Side A's run.
    pub report_a: Signal<Option<Shared<Report>>>,
    /// Side B's run.
    pub report_b: Signal<Option<Shared<Report>>>,
    /// Why side A has no run.
    pub err_a: Signal<Option<String>>,
    /// Why side B has none.
    pub err_b: Signal<Option<String>>,
    /// How long the engine took for side A's last run, in ms (shown as `data-engine-ms` for
    /// the benchmark, which times the run and the redraw together).
    pub engine_ms: StoredValue<f64>,
}

impl Runs {
    /// The state of an experiment on `base`, starting from `start`.
    pub fn new(base: Scenario, knobs: Vec<Knob>, start: &Start) -> Runs {
        let base = StoredValue::new(base);
        let knobs = StoredValue::new(knobs);
        let values_a = RwSignal::new(start.a.clone());
        let values_b = RwSignal::new(start.b.clone());
        let seed = RwSignal::new(start.seed);
        let scenario_a = Memo::new(move |_| {
            build(
                &base.get_value(),
                &knobs.get_value(),
                &values_a.get(),
                seed.get(),
            )
        });
        let engine_ms = StoredValue::new(0.0f64);
        let now_ms = || {
            web_sys::window()
                .and_then(|w| w.performance())
                .map_or(0.0, |p| p.now())
        };
        let outcome_a = Memo::new(move |_| {
            scenario_a.get().and_then(|s| {
                let t0 = now_ms();
                let r = engine::run(&s).map(Shared::new).map_err(|e| e.to_string());
                engine_ms.set_value(now_ms() - t0);
                r
            })
        });
        let scenario_b = Memo::new(move |_| {
            values_b
                .get()
                .map(|v| build(&base.get_value(), &knobs.get_value(), &v, seed.get()))
        });
        let outcome_b = Memo::new(move |_| {
            scenario_b.get().map(|s| {
                s.and_then(|s| engine::run(&s).map(Shared::new).map_err(|e| e.to_string()))
            })
        });
        Runs {
            knobs,
            values_a,
            values_b,
            seed,
            report_a: Signal::derive(move || outcome_a.with(|o| o.as_ref().ok().cloned())),
            report_b: Signal::derive(move || {
                outcome_b.with(|o| o.as_ref().and_then(|o| o.as_ref().ok().cloned()))
            }),
            err_a: Signal::derive(move || outcome_a.with(|o| o.as_ref().err().cloned())),
            err_b: Signal::derive(move || {
                outcome_b.with(|o| o.as_ref().and_then(|o| o.as_ref().err().cloned()))
            }),
            engine_ms,
        }
    }

    /// Sets side A's knobs named in `set` (knob id to value), as a prediction's reveal or a
    /// challenge's solution does; the others keep their values.
    pub fn set_a(self, set: &BTreeMap<String, Value>) {
        let knobs = self.knobs;
        self.values_a.update(|vals| {
            for (i, k) in knobs.get_value().iter().enumerate() {
                if let (Some(v), Some(slot)) = (set.get(&k.id), vals.get_mut(i)) {
                    *slot = v.clone();
                }
            }
        });
    }
}
