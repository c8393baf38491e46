//! Everything the "Your own function" page shows, in one answer: the log read, the scenario
//! calibrated to it, the engine's run of it beside the log, the what-if knobs' run, and the
//! cheapest memory when asked. The engine's worker answers one [`TwinRequest`] with one
//! [`Twin`], so the page never runs the engine.

use serde::{Deserialize, Serialize};

use crate::{
    apply, calibrate, cheapest_memory_with, compare, evaluate, parse, run_recorded, Calibration,
    Comparison, DistFit, Evaluation, Options, Reading, Search, WhatIf, MEMORY_STEPS_MB,
};

/// What the page asks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TwinRequest {
    /// The log, in any of the three formats.
    pub log: String,
    /// How to calibrate.
    pub options: Options,
    /// The what-if knobs; `None`: as calibrated.
    pub what_if: Option<WhatIf>,
    /// Find the cheapest memory that keeps p99 at or under this many ms.
    pub cheapest_under_ms: Option<f64>,
}

/// What the page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Twin {
    /// The log as read (its invocations left out: the facts say what the page plots).
    pub reading: Reading,
    /// The calibration's fits and annotated TOML.
    pub calibration: Fitted,
    /// The engine's run of the calibrated scenario beside the log.
    pub comparison: Comparison,
    /// The knobs the what-if run used (the calibration's own when none were given).
    pub what_if: WhatIf,
    /// The what-if run's cost, cold starts and p99 beside the log's.
    pub evaluation: Evaluation,
    /// The cheapest memory, when asked.
    pub search: Option<Search>,
}

/// A calibration as the page shows it: its TOML and fits. The scenario itself stays in the
/// worker, so the page needs no scenario reader.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fitted {
    /// The scenario as the lab's TOML, annotated with where each number came from.
    pub toml: String,
    /// The handler durations' fit.
    pub handler: DistFit,
    /// The Init durations' fit (`None`: the log has no cold start).
    pub init: Option<DistFit>,
    /// The memory size the durations were measured at, in MB.
    pub memory_mb: u32,
    /// The options it was made with.
    pub options: Options,
}

impl From<Calibration> for Fitted {
    fn from(c: Calibration) -> Fitted {
        Fitted {
            toml: c.toml,
            handler: c.handler,
            init: c.init,
            memory_mb: c.memory_mb,
            options: c.options,
        }
    }
}

/// How far a [`twin`] has got: steps done, steps in all, and the step under way in words.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// Steps done.
    pub done: u32,
    /// Steps in all.
    pub total: u32,
    /// The step under way, e.g. "running the what-if".
    pub what: String,
}

/// Reads, calibrates, compares and evaluates; errors name the line or the knob at fault.
pub fn twin(request: &TwinRequest) -> Result<Twin, String> {
    twin_with(request, &mut |_| {})
}

/// [`twin`], calling `on_step` as each step starts: reading the log, calibrating, the
/// calibrated run, the what-if run, and each memory size of the search when asked.
pub fn twin_with(request: &TwinRequest, on_step: &mut dyn FnMut(Step)) -> Result<Twin, String> {
    let total = 4 + if request.cheapest_under_ms.is_some() {
        MEMORY_STEPS_MB.len() as u32
    } else {
        0
    };
    let mut done = 0;
    let mut step = |what: String| {
        on_step(Step { done, total, what });
        done += 1;
    };
    step("reading the log".into());
    let mut reading = parse(&request.log).map_err(|e| e.to_string())?;
    step("calibrating the scenario".into());
    let calibration = calibrate(&reading, &request.options).map_err(|e| e.to_string())?;
    step("running the calibrated scenario".into());
    let report = run_recorded(&calibration.scenario).map_err(|e| e.to_string())?;
    let mut comparison = compare(&reading, &report);
    let what_if = request
        .what_if
        .clone()
        .unwrap_or_else(|| WhatIf::baseline(&calibration));
    step("running the what-if".into());
    let scenario = apply(&calibration, &what_if).map_err(|e| e.to_string())?;
    let evaluation = evaluate(&reading, &scenario).map_err(|e| e.to_string())?;
    let search = match request.cheapest_under_ms {
        Some(limit) => Some(
            cheapest_memory_with(&scenario, limit, &mut |mb| {
                step(format!("searching memory sizes: {mb} MB"))
            })
            .map_err(|e| e.to_string())?,
        ),
        None => None,
    };
    reading.records = Vec::new();
    comparison.engine.records = Vec::new();
    Ok(Twin {
        reading,
        calibration: calibration.into(),
        comparison,
        what_if,
        evaluation,
        search,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = include_str!("../example/report.log");

    fn request() -> TwinRequest {
        TwinRequest {
            log: EXAMPLE.to_string(),
            options: Options::default(),
            what_if: None,
            cheapest_under_ms: None,
        }
    }

    #[test]
    fn the_example_log_gives_a_twin_that_matches_it() {
        let t = twin(&request()).expect("the example calibrates");
        assert!(t.reading.facts.invocations > 1000);
        assert!(
            t.reading.records.is_empty(),
            "the answer leaves the records out"
        );
        let invocations = &t.comparison.rows[0];
        assert_eq!(invocations.log, invocations.engine, "{invocations:?}");
        let c = calibrate(&parse(EXAMPLE).expect("reads"), &Options::default()).expect("fits");
        assert_eq!(t.what_if, WhatIf::baseline(&c));
        assert_eq!(t.calibration, Fitted::from(c));
        assert!(t.search.is_none());
    }

    #[test]
    fn more_memory_and_a_search_change_the_answer() {
        let base = twin(&request()).expect("calibrates");
        let mut r = request();
        let mut w = base.what_if.clone();
        w.memory_mb = 2048;
        w.cpu_share = 0.9;
        r.what_if = Some(w);
        r.cheapest_under_ms = Some(base.evaluation.engine.p99_ms * 2.0);
        let mut steps = Vec::new();
        let t = twin_with(&r, &mut |s| steps.push(s)).expect("runs");
        // Every step is announced once, in order, and the count adds up.
        let total = 4 + MEMORY_STEPS_MB.len() as u32;
        assert_eq!(steps.len() as u32, total);
        assert!(steps
            .iter()
            .enumerate()
            .all(|(i, s)| s.done == i as u32 && s.total == total));
        assert_eq!(steps[3].what, "running the what-if");
        assert!(
            steps[4].what.starts_with("searching memory sizes"),
            "{:?}",
            steps[4]
        );
        assert!(t.evaluation.engine.p99_ms < base.evaluation.engine.p99_ms);
        assert!(t.search.expect("searched").best_mb.is_some());
    }

    #[test]
    fn a_log_without_report_lines_is_an_error_not_a_panic() {
        let mut r = request();
        r.log = "START RequestId: a\nhello\n".into();
        assert!(twin(&r).is_err());
        r.log = String::new();
        assert!(twin(&r).is_err());
    }
}
