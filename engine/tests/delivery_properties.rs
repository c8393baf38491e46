//! Property tests for scenarios mixing synchronous, asynchronous and SQS functions, with client
//! timeouts, failure windows, downstream limits and idempotency stores: the ledger balances,
//! nothing panics, runs are deterministic, a DLQ means nothing is dropped, and an idempotency
//! store keeps every request's side effect to one application.
//!
//! `PROPTEST_CASES=1000 cargo test -p engine --release --test delivery_properties` searches harder.

use engine::scenario::Runtime;
use engine::scenario::{
    Account, AsyncConfig, Client, CostConfig, Destination, DlqTarget, Downstream, ErrorWindow,
    Function, Handler, Idempotency, InvocationType, OnLimit, Record, Routing, SqsConfig,
};
use engine::scenario::Workload;
use engine::{Dist, Report, Scenario, SimError, Simulation, Summary};
use proptest::prelude::*;

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

fn dist(scale: f64) -> BoxedStrategy<Dist> {
    prop_oneof![
        (0.0..=scale).prop_map(Dist::constant),
        (scale / 1000.0..=scale).prop_map(|mean| Dist::Exponential { mean }),
        (scale / 1000.0..=scale, 1.0..=4.0)
            .prop_map(|(p50, k)| Dist::Lognormal { p50, p99: p50 * k }),
    ]
    .boxed()
}

/// At most about 400 requests over `d` seconds.
fn workload(d: f64) -> BoxedStrategy<Workload> {
    let r = 400.0 / d;
    prop_oneof![
        (0.0..=r).prop_map(|rate_per_s| Workload::Constant { rate_per_s }),
        (0.0..=r).prop_map(|rate_per_s| Workload::Poisson { rate_per_s }),
        prop::collection::vec(0.0..=d, 0..60).prop_map(|mut arrivals_s| {
            arrivals_s.sort_by(f64::total_cmp);
            Workload::Replay { arrivals_s }
        }),
    ]
    .boxed()
}

fn destination() -> impl Strategy<Value = Destination> {
    prop_oneof![
        Just(Destination::Sqs),
        Just(Destination::Sns),
        Just(Destination::Lambda),
        Just(Destination::Eventbridge),
    ]
}

fn async_config() -> impl Strategy<Value = AsyncConfig> {
    (
        0u32..=2,
        60u32..=600,
        prop::option::of(prop_oneof![Just(DlqTarget::Sqs), Just(DlqTarget::Sns)]),
        prop::option::of(destination()),
        prop::option::of(destination()),
        prop_oneof![2 => Just(0.0), 1 => 0.0..=1.0],
        prop_oneof![2 => Just(0.0), 1 => 0.0..=0.9],
    )
        .prop_map(
            |(
                retry_attempts,
                max_event_age_s,
                dlq,
                on_failure,
                on_success,
                duplicate_rate,
                system_error_rate,
            )| {
                AsyncConfig {
                    retry_attempts,
                    max_event_age_s,
                    dlq,
                    on_failure,
                    on_success,
                    duplicate_rate,
                    system_error_rate,
                    queue_max: 1_000_000,
                }
            },
        )
}

/// SQS settings valid for a function timeout of `timeout_s`.
fn sqs_config(timeout_s: f64) -> impl Strategy<Value = SqsConfig> {
    (
        1u32..=30,
        0.0..=3.0f64,
        0.0..=60.0f64,
        prop::option::of(1u32..=5),
        any::<bool>(),
        prop::option::of(2u32..=20),
        60.0..=2_000.0f64,
    )
        .prop_map(
            move |(
                batch_size,
                window,
                vt_extra,
                max_receive_count,
                report,
                max_conc,
                retention_s,
            )| {
                SqsConfig {
                    batch_size,
                    // Batches above 10 need a window of at least 1 s.
                    batching_window_s: if batch_size > 10 {
                        window.max(1.0)
                    } else {
                        window
                    },
                    visibility_timeout_s: 6.0 * timeout_s + vt_extra,
                    max_receive_count,
                    report_batch_item_failures: report,
                    maximum_concurrency: max_conc,
                    retention_s,
                    queue_max: 1_000_000,
                }
            },
        )
}

fn downstream() -> impl Strategy<Value = Downstream> {
    (
        prop::option::of(1u32..=20),
        prop::option::of(0.5..=50.0),
        any::<bool>(),
        0.0..=2_000.0,
    )
        .prop_map(|(connections_max, rate, slow, slow_ms)| Downstream {
            // At least one limit.
            connections_max: if rate.is_none() {
                connections_max.or(Some(5))
            } else {
                connections_max
            },
            rate_limit_per_s: rate,
            on_limit: if slow { OnLimit::Slow } else { OnLimit::Reject },
            slow_ms,
        })
}

/// Function `i` of a scenario lasting `d` seconds, of any invocation type.
fn function(i: usize, d: f64) -> BoxedStrategy<Function> {
    let kind = prop_oneof![
        Just(InvocationType::Sync),
        Just(InvocationType::Async),
        Just(InvocationType::Sqs)
    ];
    let code = (
        prop::sample::select(Runtime::ALL.to_vec()),
        128u32..=3_008,
        0.05..=5.0,
        dist(200.0),
        dist(1_500.0),
        dist(300.0),
        prop_oneof![2 => Just(0.0), 1 => 0.0..=1.0],
        prop::option::of(1u32..=30),
        prop_oneof![3 => Just(0u32), 1 => 1u32..=4],
    );
    let client = (
        0u32..=3,
        0.0..=1_000.0,
        any::<bool>(),
        any::<bool>(),
        prop::option::of(10.0..=3_000.0),
    )
        .prop_map(|(retries, base, jitter, retry_errors, timeout_ms)| Client {
            retries,
            backoff_base_ms: base,
            backoff_cap_ms: 5_000.0,
            jitter,
            retry_errors,
            timeout_ms,
        });
    let failures = (
        prop::collection::vec((0.0..=d, 0.0..=d, 0.0..=1.0), 0..3),
        prop::option::of(downstream()),
        prop::option::of((any::<bool>(), 0.1..=1_000.0)),
        async_config(),
        any::<u64>(),
    );
    (kind, code, client, failures, workload(d))
        .prop_flat_map(move |(kind, code, client, failures, workload)| {
            let timeout_s = code.2;
            (
                Just((kind, code, client, failures, workload)),
                sqs_config(timeout_s),
            )
        })
        .prop_map(move |((kind, code, client, failures, workload), sqs)| {
            let (runtime, memory_mb, timeout_s, init_ms, io_ms, cpu_ms, error_rate, reserved, prov) =
                code;
            let (windows, downstream, idempotency, async_config, _) = failures;
            Function {
                name: format!("f{i}"),
                runtime,
                arch: engine::scenario::Arch::X86_64,
                memory_mb,
                timeout_s,
                package_mb: 0.0,
                layers: 0,
                init_ms_per_package_mb: 10.0,
                init_ms_per_layer: 20.0,
                init_ms,
                handler: Handler { cpu_ms, io_ms },
                error_rate,
                idle_expiry_s: Dist::constant(600.0),
                max_lifetime_s: None,
                routing: Routing::NewestFirst,
                reserved_concurrency: reserved,
                provisioned_concurrency: reserved.map_or(prov, |r| prov.min(r)),
                provisioned_ready_s: 1.0,
                client,
                invocation: kind,
                async_config: Some(async_config),
                sqs: Some(sqs),
                errors_during: windows
                    .into_iter()
                    .map(|(a, b, rate)| ErrorWindow {
                        start_s: a.min(b),
                        end_s: a.max(b) + 1.0,
                        rate,
                    })
                    .collect(),
                downstream,
                idempotency: idempotency.map(|(enabled, ttl_s)| Idempotency { enabled, ttl_s }),
                workload,
                invoke: None,
                triggers: Vec::new(),
                recursive_loop: Default::default(),
                versions: Vec::new(),
                aliases: Vec::new(),
                deployment: None,
                environment: Default::default(),
                cache: None,
                iam: None,
            }
        })
        .boxed()
}

/// A valid scenario of 1-3 functions over 5-400 s.
fn scenario() -> impl Strategy<Value = Scenario> {
    (5.0..=400.0f64)
        .prop_flat_map(|d| {
            let functions = (1usize..=3)
                .prop_flat_map(move |n| (0..n).map(|i| function(i, d)).collect::<Vec<_>>());
            (Just(d), 0..=i64::MAX as u64, functions)
        })
        .prop_map(|(duration_s, seed, functions)| {
            let reserved: u32 = functions
                .iter()
                .filter_map(|f| f.reserved_concurrency)
                .sum();
            let provisioned: u32 = functions
                .iter()
                .filter(|f| f.reserved_concurrency.is_none())
                .map(|f| f.provisioned_concurrency)
                .sum();
            Scenario {
                name: "mixed".into(),
                seed,
                duration_s,
                bucket_s: None,
                max_events: 2_000_000,
                record: Record {
                    lanes: 10,
                    segments: 1_000,
                    events: 2_000,
                },
                account: Account {
                    concurrency_limit: (reserved + provisioned + 100).max(150),
                    scaling_envs: 1_000,
                    scaling_window_s: 10.0,
                },
                cost: CostConfig::default(),
                functions,
                alarms: Vec::new(),
                tracing: None,
            }
        })
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
    fn mixed_scenarios_balance_and_repeat(s in scenario()) {
        let first = run_checked(&s);
        let again = engine::run(&s).ok();
        prop_assert_eq!(&first, &again, "same scenario and seed, different report");
        prop_assert_eq!(&first, &run_in_stretches(&s).ok(), "stepping changed the report");
    }

    /// A scenario read back from its own TOML is the same scenario.
    #[test]
    fn mixed_scenarios_round_trip_through_toml(s in scenario()) {
        let text = s.to_toml();
        let back = Scenario::from_toml(&text);
        prop_assert_eq!(back.as_ref(), Ok(&s), "{}", text);
    }

    /// lambda-facts.md section 6, line 64, and section 7, line 68: with a DLQ (or an on-failure
    /// destination) for every async function, and a redrive policy for every SQS queue whose
    /// retention outlasts the run, no request is ever dropped.
    #[test]
    fn with_a_dlq_nothing_is_dropped(s in scenario(), on_failure in any::<bool>()) {
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
    fn the_idempotency_store_applies_each_effect_once(s in scenario()) {
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
