//! "What if" on the calibrated twin: typed knobs applied to its scenario, each run set beside
//! the log's own figures (cost, cold starts, p99), and the search for the cheapest memory size
//! that keeps p99 under a limit, as AWS Lambda Power Tuning does but without touching AWS.

use engine::cost::Prices;
use engine::scenario::Arch;
use engine::Scenario;
use serde::{Deserialize, Serialize};

use crate::calibration::{handler_parts, CalibrateError, Calibration};
use crate::compare::{run_recorded, Row};
use crate::parse::Format;
use crate::reading::{Facts, Reading};
use crate::synth::engine_invocations;

/// The knobs of the twin. [`WhatIf::baseline`] is the calibrated scenario as it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WhatIf {
    /// Memory, 128 to 10,240 MB.
    pub memory_mb: u32,
    /// The CPU-bound share of the handler's time at the log's memory (0 to 1): an assumption
    /// the log cannot tell, and what decides how memory changes the handler's time.
    pub cpu_share: f64,
    /// Provisioned concurrency (environments kept initialised).
    pub provisioned_concurrency: u32,
    /// Reserved concurrency (`None`: none).
    pub reserved_concurrency: Option<u32>,
    /// Run on Graviton (arm64): the engine changes the price only.
    pub arm64: bool,
    /// Deployment package size, in MB: each MB adds the engine's `init_ms_per_package_mb` to Init.
    pub package_mb: f64,
}

impl WhatIf {
    /// The knobs as the calibration set them.
    pub fn baseline(c: &Calibration) -> WhatIf {
        let f = c.scenario.functions.first();
        WhatIf {
            memory_mb: c.memory_mb,
            cpu_share: c.options.cpu_share,
            provisioned_concurrency: f.map_or(0, |f| f.provisioned_concurrency),
            reserved_concurrency: f.and_then(|f| f.reserved_concurrency),
            arm64: f.is_some_and(|f| f.arch == Arch::Arm64),
            package_mb: f.map_or(0.0, |f| f.package_mb),
        }
    }
}

/// The calibrated scenario with the knobs applied, validated (an error names the knob).
pub fn apply(c: &Calibration, w: &WhatIf) -> Result<Scenario, CalibrateError> {
    if !(w.cpu_share.is_finite() && (0.0..=1.0).contains(&w.cpu_share)) {
        return Err(CalibrateError {
            field: "cpu_share".into(),
            message: format!("expected a share from 0 to 1, got {}", w.cpu_share),
        });
    }
    let mut s = c.scenario.clone();
    let Some(f) = s.functions.first_mut() else {
        return Err(CalibrateError {
            field: "scenario".into(),
            message: "the calibrated scenario has no function".into(),
        });
    };
    // The split is made at the memory the log was measured at; the engine then stretches the
    // CPU part for the new memory.
    let (cpu, io) = handler_parts(&c.handler.quantiles, w.cpu_share, c.memory_mb);
    f.handler.cpu_ms = cpu;
    f.handler.io_ms = io;
    f.memory_mb = w.memory_mb;
    f.provisioned_concurrency = w.provisioned_concurrency;
    f.reserved_concurrency = w.reserved_concurrency;
    f.arch = if w.arm64 { Arch::Arm64 } else { Arch::X86_64 };
    f.package_mb = w.package_mb;
    s.validate().map_err(|e| {
        let text = e.to_string();
        let knob = knob_of(&text);
        CalibrateError {
            field: knob.to_string(),
            message: text,
        }
    })?;
    Ok(s)
}

/// The knob a validation message is about.
fn knob_of(message: &str) -> &'static str {
    [
        ("memory_mb", "memory_mb"),
        ("provisioned_concurrency", "provisioned_concurrency"),
        ("reserved_concurrency", "reserved_concurrency"),
        ("package_mb", "package_mb"),
    ]
    .iter()
    .find(|(field, _)| message.contains(field))
    .map_or("scenario", |(_, knob)| knob)
}

/// What a run costs and how it performs, as the log's own figures are read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    /// Invocations.
    pub invocations: u64,
    /// Cold starts.
    pub cold_starts: u64,
    /// 99th percentile Duration (handler only, as a REPORT line's), in ms.
    pub p99_ms: f64,
    /// The cost, in US dollars.
    pub cost_usd: f64,
    /// Requests throttled (the log cannot show these: 0 on its side).
    pub throttled: u64,
    /// Invocations cut by the timeout.
    pub timeouts: u64,
}

/// A what-if run beside the log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// The log's figures (its cost from its Billed Durations at x86_64 prices).
    pub log: Figures,
    /// The engine's.
    pub engine: Figures,
    /// Cost, cold starts and p99 side by side, with the differences in per cent.
    pub rows: Vec<Row>,
}

/// The log's own cost: each line one request, its Billed Duration times its memory, at the
/// shipped x86_64 prices (a REPORT line does not say the architecture).
pub fn log_cost_usd(reading: &Reading) -> f64 {
    let p = Prices::shipped();
    let a = p.for_arch(Arch::X86_64);
    reading
        .records
        .iter()
        .map(|r| {
            a.request_usd + r.billed_ms / 1_000.0 * f64::from(r.memory_mb) / 1_024.0 * a.gb_s_usd
        })
        .sum()
}

/// The figures of one run of `scenario`, read as a log.
fn run_figures(scenario: &Scenario) -> Result<(Figures, Facts), CalibrateError> {
    let report = run_recorded(scenario)?;
    let memory = scenario.functions.first().map_or(128, |f| f.memory_mb);
    let (records, _) = engine_invocations(&report, 0, memory, 0, 0);
    let facts = Reading::from_records(Format::Plain, records).facts;
    let f = report.functions.first().map(|f| &f.summary);
    Ok((
        Figures {
            invocations: facts.invocations,
            cold_starts: facts.cold_starts,
            p99_ms: facts.duration.p99,
            cost_usd: report.summary.cost_usd,
            throttled: f.map_or(0, |s| s.throttled),
            timeouts: f.map_or(0, |s| s.timeouts),
        },
        facts,
    ))
}

/// Runs `scenario` (a what-if of the twin) and sets it beside the log.
pub fn evaluate(reading: &Reading, scenario: &Scenario) -> Result<Evaluation, CalibrateError> {
    let (engine, _) = run_figures(scenario)?;
    let l = &reading.facts;
    let log = Figures {
        invocations: l.invocations,
        cold_starts: l.cold_starts,
        p99_ms: l.duration.p99,
        cost_usd: log_cost_usd(reading),
        throttled: 0,
        timeouts: 0,
    };
    let rows = vec![
        Row::new("cost", "USD", log.cost_usd, engine.cost_usd),
        Row::new(
            "cold starts",
            "",
            log.cold_starts as f64,
            engine.cold_starts as f64,
        ),
        Row::new("p99 Duration", "ms", log.p99_ms, engine.p99_ms),
        Row::new("throttled", "", 0.0, engine.throttled as f64),
    ];
    Ok(Evaluation { log, engine, rows })
}

/// The memory sizes the search tries (as Power Tuning's usual list, with 1,769 MB, one vCPU).
pub const MEMORY_STEPS_MB: [u32; 15] = [
    128, 256, 512, 768, 1_024, 1_536, 1_769, 2_048, 3_008, 4_096, 5_120, 6_144, 7_168, 8_192,
    10_240,
];

/// One memory size tried.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SearchRow {
    /// Memory, in MB.
    pub memory_mb: u32,
    /// What the run gave.
    pub figures: Figures,
    /// p99 under the limit and no invocation cut by the timeout.
    pub fits: bool,
}

/// Every memory size tried, and the cheapest that keeps p99 under the limit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Search {
    /// The p99 limit, in ms.
    pub p99_limit_ms: f64,
    /// One row per memory size, smallest first.
    pub rows: Vec<SearchRow>,
    /// The cheapest size that fits (`None`: none does).
    pub best_mb: Option<u32>,
    /// The answer in a sentence.
    pub answer: String,
}

/// Runs `scenario` at each of `MEMORY_STEPS_MB` (the same traffic and seed) and finds the
/// cheapest memory whose p99 Duration stays at or under `p99_limit_ms` with no timeout.
pub fn cheapest_memory(scenario: &Scenario, p99_limit_ms: f64) -> Result<Search, CalibrateError> {
    cheapest_memory_with(scenario, p99_limit_ms, &mut |_| {})
}

/// [`cheapest_memory`], calling `on_size` with each memory size before its run.
pub fn cheapest_memory_with(
    scenario: &Scenario,
    p99_limit_ms: f64,
    on_size: &mut dyn FnMut(u32),
) -> Result<Search, CalibrateError> {
    if !(p99_limit_ms.is_finite() && p99_limit_ms > 0.0) {
        return Err(CalibrateError {
            field: "p99_limit_ms".into(),
            message: format!("expected a limit above 0 ms, got {p99_limit_ms}"),
        });
    }
    let mut rows = Vec::with_capacity(MEMORY_STEPS_MB.len());
    for mb in MEMORY_STEPS_MB {
        on_size(mb);
        let mut s = scenario.clone();
        if let Some(f) = s.functions.first_mut() {
            f.memory_mb = mb;
        }
        let (figures, _) = run_figures(&s)?;
        let fits = figures.p99_ms <= p99_limit_ms && figures.timeouts == 0;
        rows.push(SearchRow {
            memory_mb: mb,
            figures,
            fits,
        });
    }
    let best = rows.iter().filter(|r| r.fits).min_by(|a, b| {
        a.figures
            .cost_usd
            .total_cmp(&b.figures.cost_usd)
            .then(a.memory_mb.cmp(&b.memory_mb))
    });
    let answer = match best {
        Some(r) => format!(
            "{} MB is the cheapest that keeps p99 under {p99_limit_ms} ms: p99 {:.1} ms, ${:.6}",
            r.memory_mb, r.figures.p99_ms, r.figures.cost_usd
        ),
        None => {
            let lowest = rows
                .iter()
                .map(|r| r.figures.p99_ms)
                .fold(f64::INFINITY, f64::min);
            format!(
                "no memory size keeps p99 under {p99_limit_ms} ms: the lowest p99 is {lowest:.1} ms (the I/O part does not speed up with memory)"
            )
        }
    };
    Ok(Search {
        p99_limit_ms,
        best_mb: best.map(|r| r.memory_mb),
        rows,
        answer,
    })
}
