//! The experiment's state: each side's knob values and the seed, the scenarios they make and
//! the engine's runs of them (side B only while comparing).

use std::collections::BTreeMap;

use bridge::{RunJob, ScenarioInput};
use curriculum::Knob;
use engine::Report;
use leptos::prelude::*;
use serde_json::Value;

use super::url::Start;
use crate::components::run_bar::RunState;
use crate::shared::Shared;

/// The engine's run of a set of knob values and a seed on the experiment's scenario (`base`,
/// as JSON): the worker sets the knobs, validates and runs.
fn job(base: &Value, knobs: &[Knob], values: &[Value], seed: u64) -> RunJob {
    RunJob {
        scenario: ScenarioInput::Json(base.clone()),
        knobs: knobs
            .iter()
            .zip(values)
            .map(|(k, v)| (k.path.to_string(), v.clone()))
            .collect(),
        seed: Some(seed),
        source: "experiment".into(),
    }
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
    /// Side A, with its progress and status.
    pub side_a: RunState,
    /// Side B, while comparing.
    pub side_b: RunState,
    /// How long the engine took for side A's last run, in ms (shown as `data-engine-ms` for
    /// the benchmark, which times the run and the redraw together).
    pub engine_ms: StoredValue<f64>,
}

impl Runs {
    /// The state of an experiment on `base`, starting from `start`.
    pub fn new(base: Value, knobs: Vec<Knob>, start: &Start) -> Runs {
        let base = StoredValue::new(base);
        let knobs = StoredValue::new(knobs);
        let values_a = RwSignal::new(start.a.clone());
        let values_b = RwSignal::new(start.b.clone());
        let seed = RwSignal::new(start.seed);
        let engine_ms = StoredValue::new(0.0f64);
        let side_a = RunState::new("experiment-a");
        let side_b = RunState::new("experiment-b");
        // Every change of the knobs or the seed sends a run; a newer one supersedes it.
        Effect::new(move |_| {
            let job = job(
                &base.get_value(),
                &knobs.get_value(),
                &values_a.get(),
                seed.get(),
            );
            side_a.run(job, Some(engine_ms));
        });
        Effect::new(move |_| match values_b.get() {
            Some(v) => side_b.run(
                job(&base.get_value(), &knobs.get_value(), &v, seed.get()),
                None,
            ),
            None => side_b.clear(),
        });
        Runs {
            knobs,
            values_a,
            values_b,
            seed,
            report_a: side_a.report.into(),
            report_b: side_b.report.into(),
            err_a: side_a.error.into(),
            err_b: side_b.error.into(),
            side_a,
            side_b,
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
