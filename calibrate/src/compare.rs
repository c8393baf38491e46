//! The log beside the engine: the calibrated scenario's run read as a log (its invocations as
//! REPORT records, through the same estimators as the log's), figure by figure and minute by
//! minute, with the differences in per cent.

use engine::report::Report;
use engine::Scenario;
use serde::{Deserialize, Serialize};

use crate::calibration::{CalibrateError, MAX_RECORDED_EVENTS};
use crate::fit::pct_diff;
use crate::parse::Format;
use crate::reading::Reading;
use crate::synth::engine_invocations;

/// One figure, from the log and from the engine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// What it is ("p99 Duration").
    pub figure: String,
    /// Its unit ("ms", "%", "" for a count).
    pub unit: String,
    /// The log's value.
    pub log: f64,
    /// The engine's value.
    pub engine: f64,
    /// `(engine - log) / log` in per cent (`None` when the log's value is 0 and the engine's is not).
    pub diff_pct: Option<f64>,
}

impl Row {
    /// A row of `figure` in `unit`.
    pub fn new(figure: &str, unit: &str, log: f64, engine: f64) -> Row {
        Row {
            figure: figure.to_string(),
            unit: unit.to_string(),
            log,
            engine,
            diff_pct: pct_diff(log, engine),
        }
    }
}

/// One minute, from the log and from the engine (minute 0 starts at each one's first arrival).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct MinuteRow {
    /// Arrivals in the log's minute.
    pub log_invocations: u32,
    /// Arrivals in the engine's.
    pub engine_invocations: u32,
    /// Peak concurrency in the log's minute (estimated from the timestamps).
    pub log_concurrency_max: u32,
    /// Peak concurrency in the engine's (estimated the same way).
    pub engine_concurrency_max: u32,
}

/// The log and the engine side by side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// Invocations, cold-start share, p50/p95/p99 Duration, Init p50, peak concurrency.
    pub rows: Vec<Row>,
    /// Minute by minute, as long as the longer of the two.
    pub per_minute: Vec<MinuteRow>,
    /// What the reader should know (an event log cut short, a log without timestamps).
    pub notes: Vec<String>,
    /// The engine's run read as a log (its facts are what the rows show).
    pub engine: Reading,
}

/// Sets `report` (a run of the calibrated scenario) beside `reading` (the log).
pub fn compare(reading: &Reading, report: &Report) -> Comparison {
    let (records, truncated) = engine_invocations(
        report,
        0,
        reading.facts.memory_mb,
        reading.facts.memory_used.max as u32,
        0,
    );
    let engine = Reading::from_records(Format::Plain, records);
    let (l, e) = (&reading.facts, &engine.facts);
    let rows = vec![
        Row::new(
            "invocations",
            "",
            l.invocations as f64,
            e.invocations as f64,
        ),
        Row::new(
            "cold-start share",
            "%",
            l.cold_start_share * 100.0,
            e.cold_start_share * 100.0,
        ),
        Row::new("p50 Duration", "ms", l.duration.p50, e.duration.p50),
        Row::new("p95 Duration", "ms", l.duration.p95, e.duration.p95),
        Row::new("p99 Duration", "ms", l.duration.p99, e.duration.p99),
        Row::new("p50 Init Duration", "ms", l.init.p50, e.init.p50),
        Row::new(
            "peak concurrency",
            "",
            f64::from(l.concurrency_max),
            f64::from(e.concurrency_max),
        ),
    ];
    let n = l.per_minute.len().max(e.per_minute.len());
    let at = |v: &[crate::reading::Minute], i: usize| v.get(i).copied().unwrap_or_default();
    let per_minute = (0..n)
        .map(|i| {
            let (a, b) = (at(&l.per_minute, i), at(&e.per_minute, i));
            MinuteRow {
                log_invocations: a.invocations,
                engine_invocations: b.invocations,
                log_concurrency_max: a.concurrency_max,
                engine_concurrency_max: b.concurrency_max,
            }
        })
        .collect();
    let mut notes = Vec::new();
    if truncated {
        notes.push("the engine's event log was cut short (record.events): its figures cover only the start of the run".to_string());
    }
    if l.timed == 0 {
        notes
            .push("the log has no timestamps: its traffic and concurrency are unknown".to_string());
    }
    notes.push("Durations exclude Init on both sides, as a REPORT line's Duration does; concurrency is estimated from the end times on both sides".to_string());
    Comparison {
        rows,
        per_minute,
        notes,
        engine,
    }
}

/// Runs `scenario` keeping every event, so each invocation can be read as a log record.
pub fn run_recorded(scenario: &Scenario) -> Result<Report, CalibrateError> {
    let mut s = scenario.clone();
    s.record.events = s.record.events.max(MAX_RECORDED_EVENTS);
    engine::run(&s).map_err(|e| CalibrateError {
        field: "scenario".to_string(),
        message: e.to_string(),
    })
}
