//! Golden summaries of the named scenarios with queues, failures and downstream limits (the
//! synchronous ones are in golden.rs), compared with snapshots in `tests/golden/`. Rewrite them
//! after an intended change with
//!
//! ```text
//! UPDATE_EXPECT=1 cargo test -p engine --test golden_delivery
//! ```

use engine::report::{FunctionSummary, Ledger};
use engine::{Report, Summary};
use expect_test::{expect_file, ExpectFile};
use serde::Serialize;

mod support;
use support::{run, shipped};

/// The snapshot: summary, ledger and each function's summary, in declaration order.
#[derive(Serialize)]
struct Golden<'a> {
    summary: &'a Summary,
    ledger: &'a Ledger,
    functions: &'a [FunctionSummary],
}

fn check(name: &str, report: &Report, expected: ExpectFile) {
    assert!(report.ledger.balances(), "{name}: {:?}", report.ledger);
    let golden = Golden {
        summary: &report.summary,
        ledger: &report.ledger,
        functions: &report.functions,
    };
    let mut text = serde_json::to_string_pretty(&golden).expect("a report always serialises");
    text.push('\n');
    expected.assert_eq(&text);
}

/// docs/lambda-facts.md section 6: retries carry the events of the outage's end past it; the rest
/// end in the DLQ of one function and are dropped by the other; duplicates apply twice only
/// without the idempotency store.
#[test]
fn async_retries_through_an_outage() {
    let r = run(&shipped(
        "async-outage-dlq",
        include_str!("../scenarios/async-outage-dlq.toml"),
    ));
    check(
        "async-outage-dlq",
        &r,
        expect_file!["golden/async-outage-dlq.json"],
    );
    let (dlq, none) = (&r.functions[0].summary, &r.functions[1].summary);
    assert!(dlq.async_retries > 0 && none.async_retries > 0);
    assert!(dlq.dlq_depth > 0 && dlq.dlq_depth == dlq.async_events_dropped);
    assert_eq!(none.dlq_depth, 0);
    assert_eq!(r.ledger.dead_lettered, dlq.dlq_depth);
    assert_eq!(r.ledger.dropped, none.async_events_dropped);
    assert!(dlq.duplicates > 0 && none.duplicates > 0);
    assert_eq!(dlq.side_effects_max_per_id, Some(1));
    assert_eq!(none.side_effects_max_per_id, Some(2));
    // The retries reach past the outage: more succeed than arrived outside it.
    let outside = |m: &Summary| m.requests as f64 * (1.0 - 300.0 / 1200.0);
    assert!(dlq.side_effects_total.unwrap_or(0) as f64 > outside(dlq));
}

/// docs/lambda-facts.md sections 5 and 7: the synchronous function's calls beyond the database's 20
/// connections fail; the queue's maximum concurrency keeps it within them, and the backlog
/// drains.
#[test]
fn a_queue_protects_a_downstream() {
    let r = run(&shipped(
        "sqs-protects-downstream",
        include_str!("../scenarios/sqs-protects-downstream.toml"),
    ));
    check(
        "sqs-protects-downstream",
        &r,
        expect_file!["golden/sqs-protects-downstream.json"],
    );
    let (direct, queued) = (&r.functions[0].summary, &r.functions[1].summary);
    assert!(direct.downstream_rejections as f64 > 0.3 * direct.requests as f64);
    assert_eq!(queued.downstream_rejections, 0);
    assert_eq!(queued.concurrency_max, 20);
    assert!(queued.queue_depth_max > 5_000);
    assert_eq!(
        queued.side_effects_total,
        Some(queued.requests),
        "all written, once"
    );
    assert_eq!(r.ledger.in_flight, 0, "the backlog drained");
}
