//! The round trip: a known scenario → the engine's synthetic log → calibration → a scenario
//! whose parameters and run match the known ones within stated tolerances. Also: the example
//! log shipped with the app is exactly what generation produces, and the what-if knobs move
//! the figures the way the model says.
//!
//! Tolerances (also in the README, "Your own function"):
//! - memory size: exact;
//! - handler p50 within 5%, handler p99 within 10% of the known scenario's;
//! - Init p50 within 10% of the known scenario's;
//! - arrival rate within 10% of the known scenario's mean rate;
//! - the calibrated scenario's run against the log: cold-start share within 20%, p50 and p99
//!   Duration within 5% and 10%, invocations exact with replayed traffic (within 5% per minute
//!   counts), peak concurrency within 20%. Per-minute traffic keeps the invocations within 5%
//!   but smooths bursts shorter than a minute, so it shows fewer cold starts than the log.

use calibrate::{
    apply, calibrate, cheapest_memory, compare, evaluate, parse, run_recorded, synth_log,
    Calibration, Comparison, Options, Reading, Traffic, WhatIf,
};
use engine::scenario::quantile_at;
use engine::{Dist, Scenario};

const SCENARIO: &str = include_str!("../example/scenario.toml");
const LOG: &str = include_str!("../example/report.log");
/// `Max Memory Used` of the example log (the engine does not model memory use).
const USED_MB: u32 = 78;

fn known() -> Scenario {
    Scenario::from_toml(SCENARIO).expect("the example scenario reads")
}

fn within(what: &str, got: f64, want: f64, tolerance: f64) {
    let off = (got - want).abs() / want.abs();
    assert!(
        off <= tolerance,
        "{what}: got {got:.3}, want {want:.3} within {:.0}% (off by {:.1}%)",
        tolerance * 100.0,
        off * 100.0
    );
}

/// The p-quantile of the known handler: CPU log-normal stretched at 512 MB plus constant I/O.
fn known_handler_quantile(p: f64) -> f64 {
    let f = &known().functions[0];
    let (Dist::Lognormal { p50, p99 }, Dist::Constant { value: io }) =
        (&f.handler.cpu_ms, &f.handler.io_ms)
    else {
        panic!("the example's handler is a log-normal CPU part and a constant I/O part");
    };
    let sigma = (p99 / p50).ln() / 2.326_347_874_040_841;
    let z = match p {
        0.5 => 0.0,
        0.99 => 2.326_347_874_040_841,
        _ => panic!("p50 or p99 only"),
    };
    p50 * (sigma * z).exp() * f.cpu_stretch() + io
}

fn example() -> (Reading, Calibration) {
    let reading = parse(LOG).expect("the example log reads");
    let c = calibrate(&reading, &Options::default()).expect("it calibrates");
    (reading, c)
}

fn row<'a>(c: &'a Comparison, figure: &str) -> &'a calibrate::Row {
    c.rows
        .iter()
        .find(|r| r.figure == figure)
        .unwrap_or_else(|| panic!("no row {figure}"))
}

#[test]
fn the_shipped_example_log_is_what_generation_produces() {
    let generated = synth_log(&known(), USED_MB).expect("the example scenario runs");
    assert!(
        generated == LOG,
        "calibrate/example/report.log is stale: regenerate it with\n  cargo run -p lambda-lab -- synth-log calibrate/example/scenario.toml --out calibrate/example/report.log"
    );
    assert!(
        LOG.len() < 300_000,
        "the example log should stay under 300 KB"
    );
}

#[test]
fn calibration_recovers_the_known_parameters() {
    let (reading, c) = example();
    assert_eq!(reading.malformed, 0);
    let known = known();
    let f = &c.scenario.functions[0];
    assert_eq!(f.memory_mb, known.functions[0].memory_mb, "memory size");
    // The handler at the log's memory: one draw reads both parts.
    let at = |u: f64| {
        let part = |d: &Dist| match d {
            Dist::Empirical { quantiles } => quantile_at(quantiles, u),
            Dist::Constant { value } => *value,
            other => panic!("unexpected {other}"),
        };
        part(&f.handler.cpu_ms) * f.cpu_stretch() + part(&f.handler.io_ms)
    };
    within("handler p50", at(0.5), known_handler_quantile(0.5), 0.05);
    within("handler p99", at(0.99), known_handler_quantile(0.99), 0.10);
    let init_p50 = match &f.init_ms {
        Dist::Empirical { quantiles } => quantile_at(quantiles, 0.5),
        other => panic!("Init should be empirical, got {other}"),
    };
    let Dist::Lognormal {
        p50: known_init, ..
    } = known.functions[0].init_ms
    else {
        panic!("the example's Init is log-normal");
    };
    within("Init p50", init_p50, known_init, 0.10);
    // The known mean rate: 15 s at 10 per second and 885 s at 0.02 per second, ten times.
    let known_rate = (10.0 * 15.0 * 10.0 + 10.0 * 885.0 * 0.02) / known.duration_s;
    within(
        "rate",
        reading.facts.rate_per_s.expect("timestamps"),
        known_rate,
        0.10,
    );
    let engine::Workload::Replay { arrivals_s } = &f.workload else {
        panic!("replayed traffic by default");
    };
    assert_eq!(arrivals_s.len() as u64, reading.facts.invocations);
    // The TOML is what the scenario is, and says where its numbers came from.
    assert_eq!(Scenario::from_toml(&c.toml).expect("reads"), c.scenario);
    assert!(
        c.toml.contains("Durations from the log"),
        "{}",
        &c.toml[..600]
    );
    assert!(c.toml.contains("Init Durations from the log"));
}

#[test]
fn the_calibrated_run_matches_the_log() {
    let (reading, c) = example();
    let report = run_recorded(&c.scenario).expect("runs");
    let cmp = compare(&reading, &report);
    assert_eq!(row(&cmp, "invocations").diff_pct, Some(0.0));
    within(
        "cold-start share",
        row(&cmp, "cold-start share").engine,
        row(&cmp, "cold-start share").log,
        0.20,
    );
    for (figure, tol) in [
        ("p50 Duration", 0.05),
        ("p99 Duration", 0.10),
        ("peak concurrency", 0.20),
    ] {
        let r = row(&cmp, figure);
        within(figure, r.engine, r.log, tol);
    }
    // Minute by minute: the replay puts every arrival in its minute.
    let log_total: u32 = cmp.per_minute.iter().map(|m| m.log_invocations).sum();
    let engine_total: u32 = cmp.per_minute.iter().map(|m| m.engine_invocations).sum();
    assert_eq!(log_total, engine_total);
    let busy = cmp
        .per_minute
        .iter()
        .filter(|m| m.log_invocations >= 50)
        .count();
    assert!(busy >= 5, "the bursts show per minute");
}

#[test]
fn per_minute_traffic_reproduces_the_counts() {
    let reading = parse(LOG).expect("reads");
    let c = calibrate(
        &reading,
        &Options {
            traffic: Traffic::PerMinute,
            ..Options::default()
        },
    )
    .expect("calibrates");
    assert!(matches!(
        c.scenario.functions[0].workload,
        engine::Workload::PerMinute { .. }
    ));
    let cmp = compare(&reading, &run_recorded(&c.scenario).expect("runs"));
    within(
        "invocations",
        row(&cmp, "invocations").engine,
        row(&cmp, "invocations").log,
        0.05,
    );
    // Per-minute counts spread each 15-second burst over its minute: a quarter of the
    // concurrency, so fewer environments and fewer cold starts than the log. The replay keeps
    // them (see the test above); the README says to choose it for bursty traffic.
    let share = row(&cmp, "cold-start share");
    assert!(
        share.engine < 0.8 * share.log,
        "{} vs {}",
        share.engine,
        share.log
    );
    let peak = row(&cmp, "peak concurrency");
    assert!(peak.engine < peak.log, "{} vs {}", peak.engine, peak.log);
}

#[test]
fn what_if_knobs_move_the_figures_as_the_model_says() {
    let (reading, c) = example();
    let base = WhatIf::baseline(&c);
    assert_eq!(apply(&c, &base).expect("baseline"), c.scenario);
    let at = |w: &WhatIf| evaluate(&reading, &apply(&c, w).expect("valid knobs")).expect("runs");
    let b = at(&base);
    within("baseline p99", b.engine.p99_ms, b.log.p99_ms, 0.10);
    within("baseline cost", b.engine.cost_usd, b.log.cost_usd, 0.05);
    // One vCPU: the CPU half of the handler runs 3.455 times faster.
    let fast = at(&WhatIf {
        memory_mb: 1_769,
        ..base.clone()
    });
    assert!(
        fast.engine.p99_ms < 0.8 * b.engine.p99_ms,
        "{} vs {}",
        fast.engine.p99_ms,
        b.engine.p99_ms
    );
    // All I/O: memory changes nothing but the price.
    let io = WhatIf {
        cpu_share: 0.0,
        ..base.clone()
    };
    let io_fast = at(&WhatIf {
        memory_mb: 1_769,
        ..io.clone()
    });
    within(
        "I/O-bound p99 at 1,769 MB",
        io_fast.engine.p99_ms,
        at(&io).engine.p99_ms,
        0.05,
    );
    let arm = at(&WhatIf {
        arm64: true,
        ..base.clone()
    });
    assert!(arm.engine.cost_usd < b.engine.cost_usd);
    let pc = at(&WhatIf {
        provisioned_concurrency: 15,
        ..base.clone()
    });
    assert!(
        pc.engine.cold_starts < b.engine.cold_starts / 2,
        "{} vs {}",
        pc.engine.cold_starts,
        b.engine.cold_starts
    );
    let reserved = at(&WhatIf {
        reserved_concurrency: Some(2),
        ..base.clone()
    });
    assert!(reserved.engine.throttled > 0);
    // A bigger package: each MB adds 10 ms of Init.
    let pkg = apply(
        &c,
        &WhatIf {
            package_mb: 50.0,
            ..base.clone()
        },
    )
    .expect("valid");
    let cmp = compare(&reading, &run_recorded(&pkg).expect("runs"));
    let init = row(&cmp, "p50 Init Duration");
    within(
        "Init p50 with 50 MB more package",
        init.engine,
        init.log + 500.0,
        0.10,
    );
    let e = apply(
        &c,
        &WhatIf {
            memory_mb: 100,
            ..base.clone()
        },
    )
    .unwrap_err();
    assert_eq!(e.field, "memory_mb", "{e}");
    let e = apply(
        &c,
        &WhatIf {
            cpu_share: 1.5,
            ..base
        },
    )
    .unwrap_err();
    assert_eq!(e.field, "cpu_share");
}

#[test]
fn cheapest_memory_finds_the_smallest_fitting_size_or_says_none_does() {
    let (_, c) = example();
    let s = cheapest_memory(&c.scenario, 1_100.0).expect("runs");
    assert_eq!(s.rows.len(), calibrate::MEMORY_STEPS_MB.len());
    // p99 falls with memory up to one vCPU, then stays.
    assert!(s.rows[0].figures.p99_ms > s.rows[6].figures.p99_ms);
    let best = s.best_mb.expect("some size fits");
    let row = s
        .rows
        .iter()
        .find(|r| r.memory_mb == best)
        .expect("its row");
    assert!(row.fits && row.figures.p99_ms <= 1_100.0);
    for r in s.rows.iter().filter(|r| r.fits) {
        assert!(r.figures.cost_usd >= row.figures.cost_usd);
    }
    assert!(s.answer.contains(&format!("{best} MB")), "{}", s.answer);
    let none = cheapest_memory(&c.scenario, 100.0).expect("runs");
    assert_eq!(none.best_mb, None);
    assert!(none.answer.starts_with("no memory size"), "{}", none.answer);
    assert!(cheapest_memory(&c.scenario, f64::NAN).is_err());
}
