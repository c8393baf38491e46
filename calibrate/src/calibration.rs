//! From a reading to a scenario: the lab's TOML, each number annotated with where it came
//! from, read back through `engine::Scenario::from_toml` so it is an ordinary scenario.

use std::fmt::Write as _;

use engine::{Dist, Scenario};
use serde::{Deserialize, Serialize};

use crate::fit::{round3, DistFit};
use crate::reading::Reading;

/// How the calibrated scenario's traffic is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Traffic {
    /// Each arrival of the log, at its estimated time (`workload.kind = "replay"`). Default.
    #[default]
    Replay,
    /// The log's arrivals per minute, Poisson within each minute (`kind = "per_minute"`).
    PerMinute,
}

/// What the learner sets: the assumptions the log cannot tell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Options {
    /// The share of the handler's time that is CPU work (0 to 1): that part speeds up with
    /// more memory (up to 1,769 MB, one vCPU), the rest (waiting on I/O) does not.
    pub cpu_share: f64,
    /// How the traffic is written.
    pub traffic: Traffic,
    /// The rate to use when the log has no timestamps (requests per second).
    pub rate_per_s: Option<f64>,
    /// The scenario's seed.
    pub seed: u64,
    /// The function's name in the scenario.
    pub name: String,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            cpu_share: 0.5,
            traffic: Traffic::Replay,
            rate_per_s: None,
            seed: 1,
            name: "your-function".to_string(),
        }
    }
}

/// Why a reading could not be calibrated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalibrateError {
    /// The option or fact at fault (`cpu_share`, `records`).
    pub field: String,
    /// What was expected and what was found.
    pub message: String,
}

impl std::fmt::Display for CalibrateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for CalibrateError {}

fn err(field: &str, message: impl Into<String>) -> CalibrateError {
    CalibrateError {
        field: field.to_string(),
        message: message.into(),
    }
}

/// A scenario calibrated to a log, with the fits it was built from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// The scenario (what `toml` reads as).
    pub scenario: Scenario,
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

/// Most arrivals of the events log a calibrated scenario records for the comparison (each
/// invocation leaves about three events): the most `record.events` allows.
pub const MAX_RECORDED_EVENTS: u32 = engine::scenario::MAX_RECORD_EVENTS;

/// Builds the scenario that reproduces `reading` (see the module's documentation).
pub fn calibrate(reading: &Reading, options: &Options) -> Result<Calibration, CalibrateError> {
    if !(options.cpu_share.is_finite() && (0.0..=1.0).contains(&options.cpu_share)) {
        return Err(err(
            "cpu_share",
            format!("expected a share from 0 to 1, got {}", options.cpu_share),
        ));
    }
    let facts = &reading.facts;
    let durations: Vec<f64> = reading.records.iter().map(|r| r.duration_ms).collect();
    let handler = DistFit::of(&durations).ok_or_else(|| {
        err(
            "records",
            format!(
                "no REPORT line was read ({} lines: {} skipped, {} malformed): nothing to calibrate",
                reading.lines_read, reading.skipped, reading.malformed
            ),
        )
    })?;
    let inits: Vec<f64> = reading.records.iter().filter_map(|r| r.init_ms).collect();
    let init = DistFit::of(&inits);
    let memory_mb = facts.memory_mb.clamp(128, 10_240);
    let name = if options.name.trim().is_empty() {
        "your-function".to_string()
    } else {
        options.name.replace(['"', '\\', '\n', '\r'], "")
    };
    let mut t = String::new();
    let n = facts.invocations;
    let _ = writeln!(
        t,
        "# Calibrated by lambda-lab from {} REPORT lines ({}).",
        group(n),
        reading.format.label()
    );
    let _ = writeln!(
        t,
        "# The engine replays the log's traffic and durations; cold starts emerge from the model."
    );
    let _ = writeln!(t, "name = \"{name}, calibrated to its log\"");
    let _ = writeln!(t, "seed = {}", options.seed);
    let (workload, duration_s, why) = traffic(reading, options, &handler, init.as_ref())?;
    let _ = writeln!(t, "# {why}");
    let _ = writeln!(t, "duration_s = {duration_s}");
    if duration_s / 60.0 <= 2_000.0 {
        let _ = writeln!(t, "# One point a minute, as the log's per-minute figures.");
        let _ = writeln!(t, "bucket_s = 60");
    }
    let events = (n.saturating_mul(4) + 10_000).min(u64::from(MAX_RECORDED_EVENTS));
    let _ = writeln!(
        t,
        "# Enough of the event log kept to compare every invocation with the log."
    );
    let _ = writeln!(t, "record.events = {events}");
    let _ = writeln!(t);
    let _ = writeln!(t, "[[functions]]");
    let _ = writeln!(t, "name = \"{name}\"");
    let _ = writeln!(
        t,
        "# \"Memory Size\" of {} of {} lines.",
        group(facts.memory_sizes.first().map_or(0, |m| m.1)),
        group(n)
    );
    let _ = writeln!(t, "memory_mb = {memory_mb}");
    let max_s = handler.summary.max / 1_000.0;
    let timeout = (2.0 * max_s).ceil().clamp(3.0, 900.0);
    let _ = writeln!(t, "# The log does not give the timeout: twice the longest duration ({:.3} s), at least AWS's default 3 s.", max_s);
    let _ = writeln!(t, "timeout_s = {timeout}");
    let _ = writeln!(t, "# Init comes whole from the log's Init Durations: no runtime preset, package or layer adds to it.");
    let _ = writeln!(t, "runtime = \"custom\"");
    write_init(&mut t, init.as_ref());
    write_handler(&mut t, &handler, options.cpu_share, memory_mb);
    let _ = writeln!(t, "# How long an idle environment lives is not in the log: the engine's default (AWS does not publish it).");
    let _ = writeln!(t, "idle_expiry_s = 600");
    t.push_str(&workload);
    let scenario = Scenario::from_toml(&t).map_err(|e| {
        err(
            "scenario",
            format!("the calibrated scenario does not read back: {e}"),
        )
    })?;
    Ok(Calibration {
        scenario,
        toml: t,
        handler,
        init,
        memory_mb,
        options: options.clone(),
    })
}

fn write_init(t: &mut String, init: Option<&DistFit>) {
    match init {
        None => {
            let _ = writeln!(t, "# No line has an Init Duration: every invocation in the log was warm, so Init is unknown (0 here).");
            let _ = writeln!(t, "init_ms = 0");
        }
        Some(f) if f.summary.count < 2 => {
            let _ = writeln!(t, "# The one Init Duration of the log.");
            let _ = writeln!(t, "init_ms = {}", f.summary.p50);
        }
        Some(f) => {
            let s = &f.summary;
            let _ = writeln!(
                t,
                "# Percentiles 0 to 100 of {} Init Durations from the log (p50 {:.1} ms, p99 {:.1} ms).",
                group(s.count),
                s.p50,
                s.p99
            );
            if let Some(Dist::Lognormal { p50, p99 }) = f.lognormal {
                let _ = writeln!(t, "# A log-normal fit would be init_ms = {{ kind = \"lognormal\", p50 = {p50}, p99 = {p99} }}.");
            }
            write_quantiles(t, "init_ms", &f.quantiles);
        }
    }
}

/// The handler's two parts at 1 vCPU: the CPU share of each quantile, shrunk by the stretch
/// the engine will apply at the log's memory, and the rest as I/O. Both empirical, the engine
/// reads them at one draw, so at the log's memory their sum is the log's durations.
pub fn handler_parts(quantiles: &[f64], cpu_share: f64, memory_mb: u32) -> (Dist, Dist) {
    let stretch = (1769.0 / f64::from(memory_mb.max(1))).max(1.0);
    let part = |k: f64| -> Dist {
        if k <= 0.0 {
            Dist::ZERO
        } else {
            Dist::Empirical {
                quantiles: quantiles.iter().map(|q| round3(q * k)).collect(),
            }
        }
    };
    (part(cpu_share / stretch), part(1.0 - cpu_share))
}

fn write_handler(t: &mut String, fit: &DistFit, share: f64, memory_mb: u32) {
    let s = &fit.summary;
    let stretch = (1769.0 / f64::from(memory_mb)).max(1.0);
    let (cpu, io) = handler_parts(&fit.quantiles, share, memory_mb);
    let _ = writeln!(t, "# Handler time: percentiles 0 to 100 of {} Durations from the log (p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms).", group(s.count), s.p50, s.p95, s.p99);
    if let Some(Dist::Lognormal { p50, p99 }) = fit.lognormal {
        let _ = writeln!(t, "# A log-normal fit: p50 = {p50}, p99 = {p99} (its p95 {:.1} ms against the log's {:.1} ms).", fit.lognormal_p95.unwrap_or(0.0), s.p95);
    }
    let _ = writeln!(
        t,
        "# Split by the CPU-bound share you set, {:.0}%: cpu_ms is that share at one full vCPU",
        share * 100.0
    );
    let _ = writeln!(t, "# (the engine stretches it by 1769 / {memory_mb} = {stretch:.3} at {memory_mb} MB), io_ms the rest. Both empirical, one");
    let _ = writeln!(
        t,
        "# draw reads both, so at {memory_mb} MB the handler time is the log's."
    );
    for (key, d) in [("handler.cpu_ms", cpu), ("handler.io_ms", io)] {
        match d {
            Dist::Empirical { quantiles } => write_quantiles(t, key, &quantiles),
            other => {
                let _ = writeln!(t, "{key} = {other}");
            }
        }
    }
}

/// `key = { kind = "empirical", quantiles = [...] }`, ten numbers a line.
fn write_quantiles(t: &mut String, key: &str, q: &[f64]) {
    let _ = writeln!(t, "{key} = {{ kind = \"empirical\", quantiles = [");
    for chunk in q.chunks(10) {
        let line: Vec<String> = chunk.iter().map(|v| format!("{v}")).collect();
        let _ = writeln!(t, "  {},", line.join(", "));
    }
    let _ = writeln!(t, "] }}");
}

/// The workload section and the `duration_s` line.
fn traffic(
    reading: &Reading,
    options: &Options,
    handler: &DistFit,
    init: Option<&DistFit>,
) -> Result<(String, f64, String), CalibrateError> {
    let facts = &reading.facts;
    let mut w = String::new();
    let tail_s = (handler.summary.max + init.map_or(0.0, |i| i.summary.max)) / 1_000.0;
    let mut starts: Vec<f64> = reading
        .records
        .iter()
        .filter_map(|r| r.start_ms())
        .collect();
    if starts.is_empty() {
        let rate = options.rate_per_s.ok_or_else(|| {
            err(
                "rate_per_s",
                "the log has no timestamps, so its traffic is unknown: give a rate (requests per second)",
            )
        })?;
        if !(rate.is_finite() && rate > 0.0 && rate <= engine::scenario::MAX_RATE_PER_S) {
            return Err(err(
                "rate_per_s",
                format!("expected a rate above 0, at most 100,000, got {rate}"),
            ));
        }
        let duration = (facts.invocations as f64 / rate).ceil().max(60.0);
        let _ = writeln!(w, "# The log has no timestamps: Poisson traffic at the rate you set, long enough for as many requests as the log has.");
        let _ = writeln!(
            w,
            "workload = {{ kind = \"poisson\", rate_per_s = {rate} }}"
        );
        return Ok((
            w,
            duration,
            "Long enough for as many requests as the log has.".into(),
        ));
    }
    starts.sort_by(f64::total_cmp);
    let first = starts[0];
    match options.traffic {
        Traffic::Replay => {
            let last_s = (starts[starts.len() - 1] - first) / 1_000.0;
            let duration = (last_s + tail_s + 1.0).ceil();
            let _ = writeln!(w, "# The log's {} arrivals, each at its REPORT timestamp less its Duration and Init Duration,", group(starts.len() as u64));
            let _ = writeln!(w, "# in seconds from the first.");
            let _ = writeln!(w, "[functions.workload]");
            let _ = writeln!(w, "kind = \"replay\"");
            let _ = writeln!(w, "arrivals_s = [");
            for chunk in starts.chunks(10) {
                let line: Vec<String> = chunk
                    .iter()
                    .map(|s| format!("{}", round3((s - first) / 1_000.0)))
                    .collect();
                let _ = writeln!(w, "  {},", line.join(", "));
            }
            let _ = writeln!(w, "]");
            Ok((
                w,
                duration,
                "The span of the arrivals, plus the longest Duration and Init, plus 1 s.".into(),
            ))
        }
        Traffic::PerMinute => {
            let counts: Vec<u32> = facts.per_minute.iter().map(|m| m.invocations).collect();
            // The last minutes may hold only ends of invocations: no arrivals to replay.
            let keep = counts.iter().rposition(|&c| c > 0).map_or(1, |i| i + 1);
            let counts = &counts[..keep];
            let _ = writeln!(w, "# The log's arrivals per minute (mean {:.3} per second), Poisson within each minute.", facts.rate_per_s.unwrap_or(0.0));
            let _ = writeln!(w, "[functions.workload]");
            let _ = writeln!(w, "kind = \"per_minute\"");
            let _ = writeln!(w, "poisson = true");
            let _ = writeln!(w, "counts = [");
            for chunk in counts.chunks(20) {
                let line: Vec<String> = chunk.iter().map(u32::to_string).collect();
                let _ = writeln!(w, "  {},", line.join(", "));
            }
            let _ = writeln!(w, "]");
            Ok((
                w,
                (counts.len() * 60) as f64,
                format!("{} minutes of the log.", counts.len()),
            ))
        }
    }
}

/// `1,204`.
pub fn group(n: u64) -> String {
    engine::report::group(n)
}
