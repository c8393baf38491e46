//! Golden summaries: the named scenarios of `engine/scenarios/` run with their own seed, and
//! their summary and request ledger compared with a snapshot in `tests/golden/`.
//!
//! A run is deterministic (same scenario and seed, same report, bit for bit), so any change
//! to these files is a change in the engine's behaviour: look at the diff, and if it is
//! intended, rewrite the snapshots with
//!
//! ```text
//! UPDATE_EXPECT=1 cargo test -p engine --test golden
//! ```
//!
//! and commit them with the change that caused them.

use engine::report::{FunctionSummary, Ledger};
use engine::{Report, Scenario, Summary};
use expect_test::{expect_file, ExpectFile};
use serde::Serialize;

mod support;
use support::{run, shipped};

/// What a snapshot holds: the summary and the ledger, and each function's summary when there
/// is more than one. A struct rather than a `serde_json::Value`, so that the field order is
/// the declaration order whatever features of serde_json the workspace turns on.
#[derive(Serialize)]
struct Golden<'a> {
    summary: &'a Summary,
    ledger: &'a Ledger,
    #[serde(skip_serializing_if = "Option::is_none")]
    functions: Option<&'a [FunctionSummary]>,
}

fn golden_json(report: &Report) -> String {
    let golden = Golden {
        summary: &report.summary,
        ledger: &report.ledger,
        functions: (report.functions.len() > 1).then_some(report.functions.as_slice()),
    };
    let mut text = serde_json::to_string_pretty(&golden).expect("a report always serialises");
    text.push('\n');
    text
}

fn check(name: &str, scenario: &Scenario, expected: ExpectFile) {
    let report = run(scenario);
    // A snapshot of a report that breaks the engine's own invariants would only freeze a bug.
    assert!(report.ledger.balances(), "{name}: {:?}", report.ledger);
    assert_eq!(report.summary.requests, report.ledger.requests, "{name}");
    expected.assert_eq(&golden_json(&report));
}

#[test]
fn simfaas_baseline_first_100k_s() {
    // The full run is 1,000,000 s (about 3 s in a debug build); its first tenth keeps this test
    // short. The full run is checked against SimFaaS's figures in validation.rs.
    let mut s = shipped(
        "simfaas-baseline",
        include_str!("../scenarios/simfaas-baseline.toml"),
    );
    s.duration_s = 100_000.0;
    s.bucket_s = Some(500.0);
    check(
        "simfaas-baseline",
        &s,
        expect_file!["golden/simfaas-baseline-100k.json"],
    );
}

#[test]
fn burst_hits_the_scaling_rate() {
    let s = shipped(
        "burst-scaling",
        include_str!("../scenarios/burst-scaling.toml"),
    );
    check(
        "burst-scaling",
        &s,
        expect_file!["golden/burst-scaling.json"],
    );
}

#[test]
fn noisy_neighbour_with_reserved_concurrency() {
    let s = shipped(
        "noisy-neighbour",
        include_str!("../scenarios/noisy-neighbour.toml"),
    );
    check(
        "noisy-neighbour",
        &s,
        expect_file!["golden/noisy-neighbour.json"],
    );
}

#[test]
fn provisioned_concurrency_with_spillover() {
    let s = shipped(
        "provisioned-spillover",
        include_str!("../scenarios/provisioned-spillover.toml"),
    );
    check(
        "provisioned-spillover",
        &s,
        expect_file!["golden/provisioned-spillover.json"],
    );
}

#[test]
fn client_retries_with_backoff() {
    let s = shipped(
        "client-retries",
        include_str!("../scenarios/client-retries.toml"),
    );
    check(
        "client-retries",
        &s,
        expect_file!["golden/client-retries.json"],
    );
}

/// The snapshots must say what their scenario files promise, so a snapshot rewritten by
/// `UPDATE_EXPECT=1` after a behaviour change cannot quietly stop showing the lesson.
#[test]
fn the_named_scenarios_show_what_they_are_named_for() {
    use engine::report::{EventKind, ThrottleReason};

    let throttle_reasons = |r: &Report, f: u16| -> Vec<ThrottleReason> {
        let mut v: Vec<ThrottleReason> = r
            .events
            .iter()
            .filter(|e| e.function == f)
            .filter_map(|e| match e.kind {
                EventKind::Throttled { reason, .. } => Some(reason),
                _ => None,
            })
            .collect();
        v.dedup();
        v
    };
    let full_log = |mut s: Scenario| {
        s.record.events = engine::scenario::MAX_RECORD_EVENTS;
        s
    };

    // Burst: throttled, and only ever for the scaling rate.
    let s = full_log(shipped(
        "burst-scaling",
        include_str!("../scenarios/burst-scaling.toml"),
    ));
    let r = run(&s);
    assert!(r.summary.throttled > 0 && !r.events_truncated);
    assert_eq!(throttle_reasons(&r, 0), vec![ThrottleReason::ScalingRate]);

    // Noisy neighbour: checkout (reserved) is never throttled; search is, for the account limit.
    let s = full_log(shipped(
        "noisy-neighbour",
        include_str!("../scenarios/noisy-neighbour.toml"),
    ));
    let r = run(&s);
    assert!(!r.events_truncated);
    assert_eq!(r.functions[1].name, "checkout");
    assert_eq!(r.functions[1].summary.throttled, 0);
    assert!(r.functions[2].summary.throttled > 0);
    assert_eq!(throttle_reasons(&r, 2), vec![ThrottleReason::AccountLimit]);
    assert!(
        r.functions[0].summary.concurrency_max <= 900,
        "the batch job can use only the unreserved 900"
    );

    // Provisioned: most invocations on provisioned environments, some spilling over.
    let s = shipped(
        "provisioned-spillover",
        include_str!("../scenarios/provisioned-spillover.toml"),
    );
    let r = run(&s);
    let m = &r.summary;
    assert!(
        m.provisioned_invocations > m.invocations / 2,
        "{}",
        m.verdict()
    );
    assert!(m.spillover_invocations > 0);
    assert_eq!(
        m.provisioned_invocations + m.spillover_invocations,
        m.invocations
    );

    // Retries: throttles are retried, so invocations exceed requests, and fewer requests end
    // throttled than invocations were.
    let s = shipped(
        "client-retries",
        include_str!("../scenarios/client-retries.toml"),
    );
    let r = run(&s);
    for f in &r.functions {
        let m = &f.summary;
        assert!(
            m.retries > 0 && m.invocations > m.requests,
            "{}: {}",
            f.name,
            m.verdict()
        );
    }
    assert!(r.ledger.throttled < r.summary.throttled);
}
