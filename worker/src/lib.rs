//! What the engine's worker does with a request, apart from the browser: reading the scenario,
//! setting the knobs and running it in slices. `main.rs` wires it to the worker's messages.
//! Kept free of web APIs so that the native tests run it, but for `port` (wasm only): the
//! messages' end both workers share.

#[cfg(target_arch = "wasm32")]
pub mod port;
pub mod traffic;

use bridge::{RunJob, ScenarioInput};
use engine::{Budget, Report, Scenario, SimError, Simulation};

/// A scenario read and ready to run, with its warnings.
pub fn prepare(job: &RunJob) -> Result<(Scenario, Vec<String>), String> {
    let named = |e: String| engine::clip::message(&format!("{}: {e}", job.source));
    let mut scenario = match &job.scenario {
        ScenarioInput::Toml(text) => Scenario::from_toml(text).map_err(|e| named(e.to_string()))?,
        ScenarioInput::Json(value) => engine::from_value(value.clone()).map_err(named)?,
    };
    if !job.knobs.is_empty() {
        let paths = job
            .knobs
            .iter()
            .map(|(p, v)| curriculum::FieldPath::parse(p).map(|p| (p, v)))
            .collect::<Result<Vec<_>, String>>()
            .map_err(named)?;
        let fields: Vec<(&curriculum::FieldPath, &serde_json::Value)> =
            paths.iter().map(|(p, v)| (p, *v)).collect();
        scenario = curriculum::set_paths(&scenario, &fields).map_err(named)?;
    }
    if let Some(seed) = job.seed {
        scenario.seed = seed;
    }
    let warnings = scenario.warnings();
    Ok((scenario, warnings))
}

/// A run under way, held to the browser's budget.
pub struct Run {
    /// `None` once the run is over.
    sim: Option<Simulation>,
}

/// How a slice of a run ended.
pub enum Slice {
    /// More to do.
    More,
    /// The run is over: its report, and why it was cut short if the budget stopped it.
    Over(Result<(Box<Report>, Option<String>), String>),
}

impl Run {
    /// Starts a run of `scenario`.
    pub fn start(scenario: &Scenario) -> Result<Run, String> {
        let sim = Simulation::new(scenario)
            .map_err(|e| engine::clip::message(&format!("scenario: {e}")))?
            .with_budget(Budget::browser());
        Ok(Run { sim: Some(sim) })
    }

    /// Simulated time done and in all, in µs, and events processed.
    pub fn progress(&self) -> (u64, u64, u64) {
        self.sim
            .as_ref()
            .map_or((0, 0, 0), |s| (s.now_us(), s.end_us(), s.events()))
    }

    /// Processes events until `out_of_time` says to stop (asked every 256 events) or the run
    /// ends.
    pub fn slice(&mut self, mut out_of_time: impl FnMut() -> bool) -> Slice {
        let Some(sim) = self.sim.as_mut() else {
            return Slice::Over(Err("internal error (please report): the run is over".into()));
        };
        let cut = loop {
            let mut ended = None;
            for _ in 0..256 {
                match sim.step() {
                    Ok(Some(_)) => {}
                    Ok(None) => {
                        ended = Some(None);
                        break;
                    }
                    Err(SimError::Budget(stop)) => {
                        ended = Some(Some(stop.to_string()));
                        break;
                    }
                    Err(e) => {
                        self.sim = None;
                        return Slice::Over(Err(engine::clip::message(&e.to_string())));
                    }
                }
            }
            if let Some(cut) = ended {
                break cut;
            }
            if out_of_time() {
                return Slice::More;
            }
        };
        let Some(mut sim) = self.sim.take() else {
            return Slice::More;
        };
        let clip = |e: SimError| engine::clip::message(&e.to_string());
        let finished = if cut.is_none() {
            sim.run_until(sim.end_us()).map_err(clip)
        } else {
            Ok(())
        };
        // A cut run's report covers the time simulated: its figures say so ("for 19.8 s").
        let reached_s = engine::time::us_to_s(sim.now_us());
        Slice::Over(
            finished
                .and_then(|()| sim.finish().map_err(clip))
                .map(|mut r| {
                    if cut.is_some() {
                        r.summary.duration_s = reached_s;
                        for f in &mut r.functions {
                            f.summary.duration_s = reached_s;
                        }
                    }
                    (Box::new(r), cut)
                }),
        )
    }
}

/// Answers a "your own function" request (`calibrate::TwinRequest` as JSON) with the twin as
/// JSON text.
pub fn twin(request: serde_json::Value) -> Result<String, String> {
    twin_with(request, &mut |_| {})
}

/// [`twin`], calling `on_step` as each step starts (the twin worker posts them as progress).
pub fn twin_with(
    request: serde_json::Value,
    on_step: &mut dyn FnMut(calibrate::Step),
) -> Result<String, String> {
    let request: calibrate::TwinRequest =
        engine::from_value(request).map_err(|e| engine::clip::message(&format!("request: {e}")))?;
    let twin = calibrate::twin_with(&request, on_step).map_err(|e| engine::clip::message(&e))?;
    serde_json::to_string(&twin).map_err(|e| format!("internal error (please report): {e}"))
}

/// Runs `job` to its end in one go (the native tests; the worker runs it in slices).
pub fn run_whole(job: &RunJob) -> Result<(Report, Vec<String>, Option<String>), String> {
    let (scenario, warnings) = prepare(job)?;
    let mut run = Run::start(&scenario)?;
    match run.slice(|| false) {
        Slice::Over(r) => r.map(|(report, cut)| (*report, warnings, cut)),
        Slice::More => {
            Err("internal error (please report): a run without a time limit paused".into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bridge::ScenarioInput;

    fn job(text: &str) -> RunJob {
        RunJob {
            scenario: ScenarioInput::Toml(text.into()),
            knobs: Vec::new(),
            seed: None,
            source: "scenario".into(),
        }
    }

    const SMALL: &str = "duration_s = 60\n[[functions]]\nname = \"api\"\nworkload = { kind = \"constant\", rate_per_s = 5 }\n";

    #[test]
    fn a_run_in_slices_gives_the_engines_report_bit_for_bit() {
        let (scenario, _) = prepare(&job(SMALL)).expect("valid");
        let mut run = Run::start(&scenario).expect("starts");
        let mut slices = 0;
        let report = loop {
            // One check per 256 events: stop at every check.
            match run.slice(|| true) {
                Slice::More => slices += 1,
                Slice::Over(r) => break r.expect("runs").0,
            }
        };
        assert!(slices > 0, "the run was cut into slices");
        let whole = engine::run(&scenario).expect("runs");
        assert_eq!(
            serde_json::to_string(&report).ok(),
            serde_json::to_string(&whole).ok()
        );
    }

    #[test]
    fn a_run_cut_by_the_budget_reports_the_time_it_covers() {
        let looping = include_str!("../../engine/scenarios/fan-out-loop.toml");
        let (report, _, cut) = run_whole(&job(looping)).expect("a partial report");
        let cut = cut.expect("the budget cut it");
        assert!(cut.contains("250,000 messages"), "{cut}");
        let s = report.summary.duration_s;
        assert!(
            s > 1.0 && s < 600.0,
            "covers the time simulated, not the scenario's: {s}"
        );
        assert!(report
            .summary
            .verdict()
            .contains(&engine::time::format_duration_us(engine::time::s_to_us(s))));
    }

    #[test]
    fn knobs_and_seed_are_applied_and_a_bad_knob_is_named() {
        let mut j = job(SMALL);
        j.knobs = vec![(
            "functions[0].memory_mb".into(),
            serde_json::Value::from(2048),
        )];
        j.seed = Some(9);
        let (s, _) = prepare(&j).expect("valid");
        assert_eq!(s.functions[0].memory_mb, 2048);
        assert_eq!(s.seed, 9);
        j.knobs = vec![("functions[0].memory_mb".into(), serde_json::Value::from(1))];
        let e = prepare(&j).expect_err("too little memory");
        assert!(e.contains("memory_mb"), "{e}");
    }

    /// The validation page (`app/src/pages/validation.rs`) sends the SimFaaS baseline as JSON
    /// with knobs (whole tables, and `null` for `bucket_s`) where it used to edit the scenario
    /// itself: the scenario run must be the same, so the page shows the same numbers.
    #[test]
    fn the_validation_pages_knobs_give_the_scenario_it_once_edited_by_hand() {
        use serde_json::{json, Value};
        let toml = include_str!("../../engine/scenarios/simfaas-baseline.toml");
        let baseline = Scenario::from_toml(toml).expect("the baseline reads");
        let as_json = serde_json::to_value(&baseline).expect("serialises");
        let sent = |knobs: Vec<(&str, Value)>| RunJob {
            scenario: ScenarioInput::Json(as_json.clone()),
            knobs: knobs.into_iter().map(|(p, v)| (p.to_string(), v)).collect(),
            seed: None,
            source: "validation scenario".into(),
        };
        let quiet = || vec![("record.lanes", json!(0)), ("record.events", json!(0))];
        let mut by_hand = baseline.clone();
        by_hand.record.lanes = 0;
        by_hand.record.events = 0;
        assert_eq!(prepare(&sent(quiet())).expect("valid").0, by_hand);

        let reference: Value = serde_json::from_str(include_str!(
            "../../engine/tests/data/simfaas-reference.json"
        ))
        .expect("reference data");
        let rates: Vec<f64> = reference["measured_aws_2020"]["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .filter_map(|r| r["lam"].as_f64())
            .collect();
        assert!(rates.len() > 3, "{rates:?}");
        for rate in rates {
            let mut knobs = quiet();
            knobs.extend([
                (
                    "functions[0].handler.cpu_ms",
                    json!({ "kind": "exponential", "mean": 1981.0 }),
                ),
                (
                    "functions[0].init_ms",
                    json!({ "kind": "constant", "value": 323.0 }),
                ),
                (
                    "functions[0].workload",
                    json!({ "kind": "poisson", "rate_per_s": rate }),
                ),
                (
                    "duration_s",
                    json!((20_000.0 / rate).min(engine::scenario::MAX_DURATION_S)),
                ),
                ("bucket_s", Value::Null),
            ]);
            let mut sc = by_hand.clone();
            sc.functions[0].handler.cpu_ms = engine::Dist::Exponential { mean: 1981.0 };
            sc.functions[0].init_ms = engine::Dist::constant(323.0);
            sc.functions[0].workload = engine::Workload::Poisson { rate_per_s: rate };
            sc.duration_s = (20_000.0 / rate).min(engine::scenario::MAX_DURATION_S);
            sc.bucket_s = None;
            assert_eq!(prepare(&sent(knobs)).expect("valid").0, sc, "rate {rate}");
        }
    }

    #[test]
    fn a_bad_scenario_names_its_source_and_field() {
        let e =
            prepare(&job("duration_s = -1\n[[functions]]\nname = \"f\"\n")).expect_err("refused");
        assert!(
            e.starts_with("scenario:") && e.contains("duration_s"),
            "{e}"
        );
    }
}
