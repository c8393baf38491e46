//! Property tests for scenarios mixing synchronous, asynchronous and SQS functions, with client
//! timeouts, failure windows, downstream limits and idempotency stores: the ledger balances,
//! nothing panics, runs are deterministic, a DLQ means nothing is dropped, and an idempotency
//! store keeps every request's side effect to one application.
//!
//! `PROPTEST_CASES=1000 cargo test -p engine --release --test delivery_properties` searches harder.

use engine::scenario::{Destination, DlqTarget, Idempotency, InvocationType};
use engine::{Report, Scenario, SimError, Simulation, Summary};
use proptest::prelude::*;

mod support;
use support::gen::{self, DELIVERY};

/// Cases per property: 48, or `PROPTEST_CASES`.
fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(48);
    ProptestConfig {
        cases,
        ..ProptestConfig::default()
    }
}

/// Runs `s`: a report that keeps every invariant, or the clean error of a bound that was hit.
fn run_checked(s: &Scenario) -> Option<Report> {
    match engine::run(s) {
        Ok(r) => {
            check(s, &r);
            Some(r)
        }
        Err(e @ (SimError::EventLimit { .. } | SimError::QueueLimit { .. })) => {
            let text = e.to_string();
            assert!(
                text.starts_with("max_events:") || text.starts_with("functions["),
                "a bound names its field: {text}"
            );
            None
        }
        Err(e) => panic!("a valid scenario must run: {e}\n{}", s.to_toml()),
    }
}

fn finite(m: &Summary) -> bool {
    [
        m.queue_age_ms_max,
        m.async_event_age_ms_max,
        m.duration_ms_p99,
        m.cost_usd,
        m.env_count_mean,
    ]
    .iter()
    .all(|x| x.is_finite() && *x >= 0.0)
}

/// The invariants of a report of a mixed scenario.
fn check(s: &Scenario, r: &Report) {
    let (m, l) = (&r.summary, &r.ledger);
    // Conservation: every request in exactly one terminal state, duplicates never counted.
    assert!(l.balances(), "ledger does not balance: {l:?}");
    assert_eq!(m.requests, l.requests);
    let rows = &r.series.rows;
    let col = |f: fn(&engine::report::Bucket) -> u64| rows.iter().map(f).sum::<u64>();
    assert_eq!(
        col(|b| b.arrivals),
        m.requests,
        "arrivals are requests, never duplicates"
    );
    assert_eq!(col(|b| b.invocations), m.invocations);
    assert_eq!(col(|b| b.throttles), m.throttled);
    assert_eq!(col(|b| b.errors), m.errors);
    assert!(finite(m), "{m:?}");

    // The functions add up to the totals.
    let total = |f: fn(&Summary) -> u64| r.functions.iter().map(|x| f(&x.summary)).sum::<u64>();
    assert_eq!(total(|x| x.requests), m.requests);
    assert_eq!(total(|x| x.invocations), m.invocations);
    assert_eq!(total(|x| x.duplicates), m.duplicates);
    assert_eq!(total(|x| x.dlq_depth), m.dlq_depth);
    assert_eq!(
        m.dlq_depth, l.dead_lettered,
        "the DLQs hold every dead-lettered request"
    );
    assert_eq!(rows.last().map_or(0, |b| b.dlq_depth), m.dlq_depth);
    assert_eq!(total(|x| x.async_events_dropped), m.async_events_dropped);
    assert_eq!(total(|x| x.downstream_rejections), m.downstream_rejections);
    assert!(m.queue_depth_max <= total(|x| x.queue_depth_max));
    assert_eq!(
        rows.iter().map(|b| b.queue_depth_max).max().unwrap_or(0),
        m.queue_depth_max
    );

    let mut async_or_sqs_dropped_bound = 0;
    for (f, fs) in s.functions.iter().zip(&r.functions) {
        let x = &fs.summary;
        let name = &f.name;
        assert!(finite(x), "{name}: {x:?}");
        // A duplicate is a delivery beyond the first: an invocation, or for SQS a receive.
        if f.invocation == InvocationType::Sqs {
            assert!(x.duplicates <= x.messages_redelivered, "{name}: {x:?}");
        } else {
            assert!(x.duplicates <= x.invocations, "{name}: {x:?}");
        }
        if let Some(reserved) = f.reserved_concurrency {
            assert!(x.concurrency_max <= u64::from(reserved), "{name}: {x:?}");
        }
        assert!(
            x.queue_age_ms_max <= s.duration_s * 1000.0 + 1e-6,
            "{name}: {x:?}"
        );
        assert!(
            x.downstream_rejections + x.downstream_slowed <= x.invocations * 30,
            "{name}"
        );
        // Side effects: one per successful processing, less what the idempotency store skipped.
        let counted = f.invocation != InvocationType::Sync
            || f.client.timeout_ms.is_some()
            || f.idempotency.is_some();
        assert_eq!(x.side_effects_total.is_some(), counted, "{name}: {x:?}");
        let effects = x.side_effects_total.unwrap_or(0);
        if f.invocation != InvocationType::Sqs && counted {
            assert_eq!(
                effects + x.idempotent_skips,
                x.completed - x.errors,
                "{name}: every successful invocation applies its effect once: {x:?}"
            );
        }
        match f.invocation {
            InvocationType::Sync => {
                assert_eq!(
                    (
                        x.dlq_depth,
                        x.async_events_dropped,
                        x.batches,
                        x.queue_depth_max
                    ),
                    (0, 0, 0, 0),
                    "{name}: {x:?}"
                );
            }
            InvocationType::Async => {
                let a = f.async_config.clone().unwrap_or_default();
                assert!(
                    x.async_event_age_ms_max < f64::from(a.max_event_age_s) * 1000.0,
                    "{name}: invoked past the maximum event age: {x:?}"
                );
                assert!(x.async_retries <= x.requests * u64::from(a.retry_attempts));
                assert!(x.dlq_depth <= x.async_events_dropped, "{name}: {x:?}");
                if a.dlq.is_some() || a.on_failure.is_some() {
                    assert_eq!(x.dlq_depth, x.async_events_dropped, "{name}: {x:?}");
                } else {
                    assert_eq!(x.dlq_depth, 0, "{name}: {x:?}");
                }
                if a.on_failure.is_some() {
                    assert_eq!(x.destination_failure, x.dlq_depth, "{name}: {x:?}");
                }
                if a.duplicate_rate == 0.0 {
                    assert_eq!(x.duplicates, 0, "{name}: {x:?}");
                }
                async_or_sqs_dropped_bound += x.async_events_dropped;
                assert_eq!(x.batches, 0);
            }
            InvocationType::Sqs => {
                let q = f.sqs.clone().unwrap_or_default();
                if let Some(c) = q.maximum_concurrency {
                    assert!(x.concurrency_max <= u64::from(c), "{name}: {x:?}");
                }
                assert!(x.concurrency_max <= 1_250);
                if q.max_receive_count.is_none() {
                    assert_eq!(x.dlq_depth, 0, "{name}: a DLQ without a redrive policy");
                }
                assert!(x.batches <= x.invocations);
                // Every message may be dropped for its retention.
                async_or_sqs_dropped_bound += x.requests;
            }
        }
    }
    assert!(
        l.dead_lettered + l.dropped <= async_or_sqs_dropped_bound,
        "{l:?}: dropped or dead-lettered requests of synchronous functions"
    );
}

/// Runs `s` in three stretches with `run_until`, as the UI's stepping does.
fn run_in_stretches(s: &Scenario) -> Result<Report, SimError> {
    let mut sim = Simulation::new(s)?;
    let end = sim.end_us();
    for k in 1..=3 {
        sim.run_until(end / 3 * k + if k == 3 { end % 3 } else { 0 })?;
    }
    sim.finish()
}

proptest! {
    #![proptest_config(config())]

    /// Any mix of invocation types and features runs without panicking, balances its ledger,
    /// and gives the same report every time, at once or in stretches.
    #[test]
    fn mixed_scenarios_balance_and_repeat(s in gen::scenario(DELIVERY)) {
        let first = run_checked(&s);
        let again = engine::run(&s).ok();
        prop_assert_eq!(&first, &again, "same scenario and seed, different report");
        prop_assert_eq!(&first, &run_in_stretches(&s).ok(), "stepping changed the report");
    }

    /// A scenario read back from its own TOML is the same scenario.
    #[test]
    fn mixed_scenarios_round_trip_through_toml(s in gen::scenario(DELIVERY)) {
        let text = s.to_toml();
        let back = Scenario::from_toml(&text);
        prop_assert_eq!(back.as_ref(), Ok(&s), "{}", text);
    }

    /// docs/lambda-facts.md section 6, line 64, and section 7, line 68: with a DLQ (or an on-failure
    /// destination) for every async function, and a redrive policy for every SQS queue whose
    /// retention outlasts the run, no request is ever dropped.
    #[test]
    fn with_a_dlq_nothing_is_dropped(s in gen::scenario(DELIVERY), on_failure in any::<bool>()) {
        let mut s = s;
        for f in &mut s.functions {
            if let Some(a) = f.async_config.as_mut() {
                if on_failure {
                    a.on_failure = Some(Destination::Sqs);
                } else {
                    a.dlq = Some(DlqTarget::Sqs);
                }
            }
            if let Some(q) = f.sqs.as_mut() {
                q.max_receive_count.get_or_insert(3);
                q.retention_s = 1_209_600.0;
            }
        }
        if let Some(r) = run_checked(&s) {
            prop_assert_eq!(r.ledger.dropped, 0, "{:?}", r.ledger);
        }
    }

    /// With an idempotency store remembering ids for the whole run, no request's side effect is
    /// applied more than once, however often it is delivered.
    #[test]
    fn the_idempotency_store_applies_each_effect_once(s in gen::scenario(DELIVERY)) {
        let mut s = s;
        for f in &mut s.functions {
            f.idempotency = Some(Idempotency { enabled: true, ttl_s: 400.0 * 86_400.0 });
        }
        if let Some(r) = run_checked(&s) {
            for fs in &r.functions {
                let x = &fs.summary;
                prop_assert!(x.side_effects_max_per_id <= Some(1), "{}: {:?}", fs.name, x);
                prop_assert!(x.side_effects_total <= Some(x.requests), "{}: {:?}", fs.name, x);
            }
            prop_assert!(r.summary.side_effects_max_per_id <= Some(1));
        }
    }
}

/// The named scenarios with queues keep every invariant for other seeds too.
#[test]
fn seed_sweep_named_queue_scenarios() {
    let named = [
        (
            "async-outage-dlq",
            include_str!("../scenarios/async-outage-dlq.toml"),
        ),
        (
            "sqs-protects-downstream",
            include_str!("../scenarios/sqs-protects-downstream.toml"),
        ),
    ];
    for (name, text) in named {
        let mut s =
            Scenario::from_toml(text).unwrap_or_else(|e| panic!("scenarios/{name}.toml: {e}"));
        for seed in 0..8 {
            s.seed = seed;
            let r = run_checked(&s).unwrap_or_else(|| panic!("{name}, seed {seed}: hit a bound"));
            assert!(r.ledger.requests > 0, "{name}, seed {seed}");
        }
    }
}
