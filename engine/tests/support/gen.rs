//! The random valid scenarios of the property tests: one generator, over the space a test
//! names. [`SYNC`] holds plain synchronous functions, which `properties.rs` replays with a model
//! of its own; [`DELIVERY`] adds asynchronous and SQS functions, client timeouts, failure
//! windows, downstream limits and idempotency stores (`delivery_properties.rs`).

use engine::scenario::{
    Account, Arch, AsyncConfig, Client, CostConfig, Destination, DlqTarget, Downstream,
    ErrorWindow, Function, Handler, Idempotency, InvocationType, OnLimit, Record, Routing, Runtime,
    SqsConfig, Step, Workload,
};
use engine::{Dist, Scenario};
use proptest::prelude::*;

/// What the random scenarios of a property test hold.
#[derive(Debug, Clone, Copy)]
pub struct Space {
    /// The shortest and the longest run, in seconds.
    pub duration_s: (f64, f64),
    /// About the most requests a function receives over the run.
    pub requests: f64,
    /// Functions of every invocation type, with the delivery features; plain synchronous ones
    /// when false.
    pub delivery: bool,
}

/// Plain synchronous functions over 2-60 s, at most about 600 requests each.
pub const SYNC: Space = Space {
    duration_s: (2.0, 60.0),
    requests: 600.0,
    delivery: false,
};

/// Functions of every invocation type and feature over 5-400 s, at most about 400 requests each.
pub const DELIVERY: Space = Space {
    duration_s: (5.0, 400.0),
    requests: 400.0,
    delivery: true,
};

/// A valid distribution of values up to about `scale`.
pub fn dist(scale: f64) -> BoxedStrategy<Dist> {
    prop_oneof![
        (0.0..=scale).prop_map(Dist::constant),
        (0.0..=scale, 0.0..=scale).prop_map(|(a, b)| Dist::Uniform {
            min: a.min(b),
            max: a.max(b)
        }),
        (scale / 1000.0..=scale).prop_map(|mean| Dist::Exponential { mean }),
        (scale / 1000.0..=scale, 1.0..=4.0)
            .prop_map(|(p50, k)| Dist::Lognormal { p50, p99: p50 * k }),
        proptest::collection::vec(0.0..=scale, 2..12).prop_map(|mut quantiles| {
            quantiles.sort_by(f64::total_cmp);
            Dist::Empirical { quantiles }
        }),
    ]
    .boxed()
}

/// Traffic of every kind over `d` seconds, at most about `r` requests a second.
pub fn workload(d: f64, r: f64) -> BoxedStrategy<Workload> {
    let rate = move || 0.0..=r;
    let time = move || 0.0..=d;
    prop_oneof![
        rate().prop_map(|rate_per_s| Workload::Constant { rate_per_s }),
        rate().prop_map(|rate_per_s| Workload::Poisson { rate_per_s }),
        (prop::collection::vec((time(), rate()), 1..4), any::<bool>()).prop_map(
            |(mut steps, poisson)| {
                steps.sort_by(|a, b| a.0.total_cmp(&b.0));
                let steps = steps
                    .into_iter()
                    .map(|(at_s, rate_per_s)| Step { at_s, rate_per_s })
                    .collect();
                Workload::Steps { steps, poisson }
            }
        ),
        (rate(), 0.0..=5.0 * r, time(), 0.0..=d / 4.0, any::<bool>()).prop_map(
            |(base_per_s, burst_per_s, start_s, length_s, poisson)| Workload::Burst {
                base_per_s,
                burst_per_s,
                start_s,
                length_s,
                poisson
            }
        ),
        (rate(), rate(), time(), time(), any::<bool>()).prop_map(
            |(from_per_s, to_per_s, start_s, length_s, poisson)| {
                Workload::Ramp {
                    from_per_s,
                    to_per_s,
                    start_s,
                    length_s,
                    poisson,
                }
            }
        ),
        (rate(), 0.0..=1.0, 1.0..=d, time(), any::<bool>()).prop_map(
            |(mean_per_s, share, period_s, peak_s, poisson)| {
                Workload::Sine {
                    mean_per_s,
                    amplitude_per_s: mean_per_s * share,
                    period_s,
                    peak_s,
                    poisson,
                }
            }
        ),
        prop::collection::vec(0.0..=d * 1.1, 0..200).prop_map(|mut arrivals_s| {
            arrivals_s.sort_by(f64::total_cmp);
            Workload::Replay { arrivals_s }
        }),
        (
            prop::collection::vec(0..=(r * 60.0) as u32, 0..4),
            any::<bool>()
        )
            .prop_map(|(counts, poisson)| Workload::PerMinute { counts, poisson }),
    ]
    .boxed()
}

fn client() -> impl Strategy<Value = Client> {
    (
        0u32..=4,
        0.0..=2000.0,
        0.0..=10_000.0,
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(retries, backoff_base_ms, backoff_cap_ms, jitter, retry_errors)| Client {
                retries,
                backoff_base_ms,
                backoff_cap_ms,
                jitter,
                retry_errors,
                timeout_ms: None,
            },
        )
}

/// Function `i` of a scenario lasting `d` seconds, with at most about `space.requests`
/// requests: a plain synchronous one, with the delivery features of `space` added on top.
pub fn function(i: usize, d: f64, space: Space) -> BoxedStrategy<Function> {
    let plain = synchronous(i, d, space.requests);
    if !space.delivery {
        return plain;
    }
    (plain, delivery(d))
        .prop_flat_map(|(f, features)| {
            let timeout_s = f.timeout_s;
            (Just((f, features)), sqs_config(timeout_s))
        })
        .prop_map(|((mut f, features), sqs)| {
            let (invocation, timeout_ms, windows, downstream, idempotency, async_config) = features;
            f.invocation = invocation;
            f.client.timeout_ms = timeout_ms;
            f.async_config = Some(async_config);
            f.sqs = Some(sqs);
            f.errors_during = windows
                .into_iter()
                .map(|(a, b, rate)| ErrorWindow {
                    start_s: a.min(b),
                    end_s: a.max(b) + 1.0,
                    rate,
                })
                .collect();
            f.downstream = downstream;
            f.idempotency = idempotency.map(|(enabled, ttl_s)| Idempotency { enabled, ttl_s });
            f
        })
        .boxed()
}

/// A plain synchronous function, the kind `properties.rs` replays with its own model.
fn synchronous(i: usize, d: f64, requests: f64) -> BoxedStrategy<Function> {
    let code = (
        prop::sample::select(Runtime::ALL.to_vec()),
        prop_oneof![Just(Arch::X86_64), Just(Arch::Arm64)],
        128u32..=10_240,
        0.05..=10.0,
        0.0..=50.0,
        0u32..=5,
        dist(300.0),
        dist(1500.0),
        dist(300.0),
        prop_oneof![2 => Just(0.0), 1 => 0.0..=1.0],
    );
    let life = (
        dist(60.0),
        prop::option::of(1.0..=60.0),
        prop_oneof![
            Just(Routing::NewestFirst),
            Just(Routing::MostRecentlyUsed),
            Just(Routing::Random)
        ],
        prop::option::of(1u32..=40),
        prop_oneof![2 => Just(0u32), 1 => 1u32..=8],
        0.0..=20.0,
        client(),
        workload(d, requests / d),
    );
    (code, life)
        .prop_map(move |(code, life)| {
            let (
                runtime,
                arch,
                memory_mb,
                timeout_s,
                package_mb,
                layers,
                init_ms,
                cpu_ms,
                io_ms,
                error_rate,
            ) = code;
            let (
                idle_expiry_s,
                max_lifetime_s,
                routing,
                reserved_concurrency,
                provisioned,
                provisioned_ready_s,
                client,
                workload,
            ) = life;
            Function {
                name: format!("f{i}"),
                runtime,
                arch,
                memory_mb,
                timeout_s,
                package_mb,
                layers,
                init_ms,
                handler: Handler { cpu_ms, io_ms },
                error_rate,
                idle_expiry_s,
                max_lifetime_s,
                routing,
                reserved_concurrency,
                // Provisioned concurrency counts against the function's reserved concurrency.
                provisioned_concurrency: reserved_concurrency
                    .map_or(provisioned, |r| provisioned.min(r)),
                provisioned_ready_s,
                client,
                workload,
                // The rest as a file that leaves them out: a plain synchronous function.
                ..Function::default()
            }
        })
        .boxed()
}

/// A valid scenario of `space`: 1-3 functions, small enough to run in milliseconds.
pub fn scenario(space: Space) -> impl Strategy<Value = Scenario> {
    (space.duration_s.0..=space.duration_s.1)
        .prop_flat_map(move |d| {
            let functions = (1usize..=3)
                .prop_flat_map(move |n| (0..n).map(|i| function(i, d, space)).collect::<Vec<_>>());
            let bucket = prop_oneof![
                Just(None),
                (1u32..=200).prop_map(move |k| Some(d / f64::from(k)))
            ];
            let max_events = prop_oneof![9 => Just(10_000_000u64), 1 => 1u64..3000];
            let record = (
                0u32..=60,
                0u32..=3000,
                prop_oneof![3 => Just(1_000_000u32), 1 => 0u32..300],
            )
                .prop_map(|(lanes, segments, events)| Record {
                    lanes,
                    segments,
                    events,
                });
            let account = (100u32..=400, 1u32..=200, 0.5..=20.0).prop_map(
                |(concurrency_limit, scaling_envs, scaling_window_s)| Account {
                    concurrency_limit,
                    scaling_envs,
                    scaling_window_s,
                },
            );
            let cost =
                (any::<bool>(), any::<bool>()).prop_map(|(bill_init, free_tier)| CostConfig {
                    bill_init,
                    free_tier,
                });
            // TOML integers are signed 64-bit: a seed of 2^63 or more cannot be written to a
            // scenario file (`to_toml` gives up), so files hold seeds up to i64::MAX.
            // `other_seeds_keep_every_invariant` runs the rest.
            let seed = 0..=i64::MAX as u64;
            (
                Just(d),
                seed,
                bucket,
                max_events,
                record,
                account,
                cost,
                functions,
            )
        })
        .prop_map(
            |(duration_s, seed, bucket_s, max_events, record, mut account, cost, functions)| {
                // The account rules: at least 100 stays unreserved, and provisioned concurrency of
                // functions without a reservation comes out of the unreserved pool, less 100.
                let reserved: u32 = functions
                    .iter()
                    .filter_map(|f| f.reserved_concurrency)
                    .sum();
                let unreserved_provisioned: u32 = functions
                    .iter()
                    .filter(|f| f.reserved_concurrency.is_none())
                    .map(|f| f.provisioned_concurrency)
                    .sum();
                account.concurrency_limit = account
                    .concurrency_limit
                    .max(reserved + unreserved_provisioned + 100);
                Scenario {
                    name: "random".into(),
                    seed,
                    duration_s,
                    bucket_s,
                    max_events,
                    record,
                    account,
                    cost,
                    functions,
                    alarms: Vec::new(),
                    tracing: None,
                }
            },
        )
}

/// What `function` adds to a plain function of a `d`-second scenario in the delivery space:
/// the invocation type, a client timeout, failure windows, a downstream, an idempotency store
/// and the asynchronous settings.
#[allow(clippy::type_complexity)]
fn delivery(
    d: f64,
) -> impl Strategy<
    Value = (
        InvocationType,
        Option<f64>,
        Vec<(f64, f64, f64)>,
        Option<Downstream>,
        Option<(bool, f64)>,
        AsyncConfig,
    ),
> {
    (
        prop_oneof![
            Just(InvocationType::Sync),
            Just(InvocationType::Async),
            Just(InvocationType::Sqs)
        ],
        prop::option::of(10.0..=3_000.0),
        prop::collection::vec((0.0..=d, 0.0..=d, 0.0..=1.0), 0..3),
        prop::option::of(downstream()),
        prop::option::of((any::<bool>(), 0.1..=1_000.0)),
        async_config(),
    )
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
