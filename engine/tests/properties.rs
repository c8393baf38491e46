//! Property tests: random valid scenarios, seed sweeps over the named scenarios, invalid
//! scenarios and arbitrary text, all checked against the engine's invariants.
//!
//! The invariants are checked twice over: on the report's own figures (the ledger balances,
//! per-function figures add up to the totals, the time series adds up to the summary, no limit
//! is exceeded), and by replaying the report's event log with an independent model of the rules
//! (concurrency pools, the scaling token bucket, routing, expiry, timeouts, client backoff),
//! which must reach the same counts, ledger and peak concurrency as the report, and must agree
//! that every throttle, cold start and reaping was allowed and called for.
//!
//! `PROPTEST_CASES=1000 cargo test -p engine --release --test properties` searches harder.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use engine::report::{EnvState, EventKind, Outcome, ReapReason, ThrottleReason};
use engine::scenario::{Routing, Runtime, Step, Workload};
use engine::time::{ms_to_us, s_to_us};
use engine::{Dist, Report, Scenario, ScenarioError, SimError, Simulation, Summary};
use proptest::prelude::*;

mod support;
use support::gen::{self, SYNC};

/// True in a debug build, where the engine runs about 8 times slower.
const DEBUG: bool = cfg!(debug_assertions);

/// Cases per property: 64, or `PROPTEST_CASES`.
fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64);
    ProptestConfig {
        cases,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------------------------
// Invariants on the report's own figures.

/// Runs `s`, checks every invariant, and returns the report (or the clean error of a run that
/// hit `max_events`, the only error a valid scenario may give).
fn run_checked(s: &Scenario) -> Result<Report, SimError> {
    match engine::run(s) {
        Ok(report) => {
            check_report(s, &report);
            check_event_log(s, &report);
            Ok(report)
        }
        Err(e @ SimError::EventLimit { .. }) => {
            assert!(
                e.to_string().starts_with("max_events:"),
                "the error names the field: {e}"
            );
            Err(e)
        }
        Err(e) => panic!("a valid scenario must run: {e}\n{}", s.to_toml()),
    }
}

fn check_finite(what: &str, m: &Summary) {
    let figures = [
        m.duration_s,
        m.cold_start_ratio,
        m.throttle_ratio,
        m.env_count_mean,
        m.busy_env_mean,
        m.idle_env_mean,
        m.init_env_mean,
        m.env_lifespan_mean_s,
        m.duration_ms_mean,
        m.duration_ms_p50,
        m.duration_ms_p95,
        m.duration_ms_p99,
        m.duration_ms_max,
        m.billed_gb_s,
        m.cost_usd,
        m.cost.total_usd,
    ];
    assert!(
        figures.iter().all(|x| x.is_finite() && *x >= 0.0),
        "{what}: a figure is negative or not finite: {m:?}"
    );
}

/// Invariants between the figures of one report.
fn check_report(s: &Scenario, r: &Report) {
    let m = &r.summary;
    let l = &r.ledger;
    // Conservation: every request in exactly one terminal state, and every attempt (a first
    // try or a retry) throttled, completed or still in flight.
    assert!(l.balances(), "ledger does not balance: {l:?}");
    assert_eq!(
        m.requests, l.requests,
        "summary and ledger count requests differently"
    );
    assert_eq!(
        m.requests + m.retries,
        m.throttled + m.completed + l.in_flight,
        "attempts: {m:?} {l:?}"
    );
    assert!(m.invocations <= m.requests + m.retries);

    // The functions add up to the totals.
    assert_eq!(r.functions.len(), s.functions.len());
    let total = |f: fn(&Summary) -> u64| r.functions.iter().map(|x| f(&x.summary)).sum::<u64>();
    assert_eq!(total(|x| x.requests), m.requests);
    assert_eq!(total(|x| x.invocations), m.invocations);
    assert_eq!(total(|x| x.completed), m.completed);
    assert_eq!(total(|x| x.cold_starts), m.cold_starts);
    assert_eq!(total(|x| x.throttled), m.throttled);
    assert_eq!(total(|x| x.errors), m.errors);
    assert_eq!(total(|x| x.timeouts), m.timeouts);
    assert_eq!(total(|x| x.retries), m.retries);
    assert_eq!(total(|x| x.envs_created), m.envs_created);
    assert_eq!(
        total(|x| x.provisioned_invocations),
        m.provisioned_invocations
    );
    assert_eq!(total(|x| x.spillover_invocations), m.spillover_invocations);
    let sum_f = |f: fn(&Summary) -> f64| r.functions.iter().map(|x| f(&x.summary)).sum::<f64>();
    assert!(
        (sum_f(|x| x.env_count_mean) - m.env_count_mean).abs() <= 1e-9 * (1.0 + m.env_count_mean)
    );
    assert!((sum_f(|x| x.busy_env_mean) - m.busy_env_mean).abs() <= 1e-9 * (1.0 + m.busy_env_mean));
    assert!((sum_f(|x| x.cost_usd) - m.cost_usd).abs() <= 1e-9 * (1.0 + m.cost_usd));
    check_finite("total", m);

    let limit = u64::from(s.account.concurrency_limit);
    assert!(
        m.concurrency_max <= limit,
        "account concurrency {} over the limit {limit}",
        m.concurrency_max
    );
    for (f, fs) in s.functions.iter().zip(&r.functions) {
        let x = &fs.summary;
        let name = &f.name;
        check_finite(name, x);
        assert_eq!(&fs.name, name);
        // Every invocation is throttled or starts, cold or warm.
        assert!(
            x.cold_starts + x.throttled <= x.invocations,
            "{name}: {x:?}"
        );
        assert!(x.completed + x.throttled <= x.invocations, "{name}: {x:?}");
        assert!(
            x.timeouts <= x.errors && x.errors <= x.completed,
            "{name}: {x:?}"
        );
        if f.error_rate == 0.0 {
            assert_eq!(x.errors, x.timeouts, "{name}: errors without an error rate");
        }
        // Retries only as the client allows.
        assert!(
            x.retries <= x.requests * u64::from(f.client.retries),
            "{name}: {x:?}"
        );
        if f.client.retries == 0 {
            assert_eq!(
                x.invocations, x.requests,
                "{name}: invocations without retries"
            );
        }
        // Provisioned environments and spillover.
        let p = u64::from(f.provisioned_concurrency);
        assert_eq!(
            x.envs_created,
            x.cold_starts + p,
            "{name}: environments are created cold or provisioned"
        );
        if p == 0 {
            assert_eq!(
                x.provisioned_invocations + x.spillover_invocations,
                0,
                "{name}: {x:?}"
            );
        } else {
            assert_eq!(
                x.provisioned_invocations + x.spillover_invocations + x.throttled,
                x.invocations,
                "{name}: {x:?}"
            );
        }
        // Limits.
        assert!(
            x.concurrency_max <= limit,
            "{name}: concurrency {} over the account limit {limit}",
            x.concurrency_max
        );
        if let Some(reserved) = f.reserved_concurrency {
            assert!(
                x.concurrency_max <= u64::from(reserved),
                "{name}: concurrency {} over its reserved {reserved}",
                x.concurrency_max
            );
        }
        // Time averages: busy environments are alive, initialising ones are busy.
        let eps = 1e-9 * (1.0 + x.env_count_mean);
        assert!(x.busy_env_mean <= x.env_count_mean + eps, "{name}: {x:?}");
        assert!(x.init_env_mean <= x.busy_env_mean + eps, "{name}: {x:?}");
        assert!(
            (x.idle_env_mean - (x.env_count_mean - x.busy_env_mean).max(0.0)).abs() <= eps,
            "{name}: {x:?}"
        );
        assert!(
            x.env_lifespan_mean_s <= s.duration_s + 1e-6,
            "{name}: {x:?}"
        );
        // Little's law on the sample path: completed invocations held their environments for
        // their whole duration, all inside the run.
        let held_s = x.busy_env_mean * x.duration_s;
        assert!(
            held_s + 1e-6 >= x.completed as f64 * x.duration_ms_mean / 1000.0 * (1.0 - 1e-9),
            "{name}: {x:?}"
        );
        // Percentiles are ordered.
        assert!(
            x.duration_ms_p50 <= x.duration_ms_p95 && x.duration_ms_p95 <= x.duration_ms_p99,
            "{name}: {x:?}"
        );
        assert!(
            x.duration_ms_p99 <= x.duration_ms_max * 1.001 + 0.001,
            "{name}: {x:?}"
        );
        assert!(
            (x.cost_usd - x.cost.total_usd).abs() <= 1e-12,
            "{name}: {x:?}"
        );
        if x.requests == 0 {
            assert_eq!(
                (x.invocations, x.cold_starts, x.completed),
                (0, 0, 0),
                "{name}: {x:?}"
            );
        }
    }

    // The time series adds up to the summary.
    let rows = &r.series.rows;
    let buckets = s.duration_us().div_ceil(s.bucket_us());
    assert_eq!(rows.len() as u64, buckets.max(1));
    let col = |f: fn(&engine::report::Bucket) -> u64| rows.iter().map(f).sum::<u64>();
    assert_eq!(col(|b| b.arrivals), m.requests);
    assert_eq!(col(|b| b.invocations), m.invocations);
    assert_eq!(col(|b| b.completions), m.completed);
    assert_eq!(col(|b| b.cold_starts), m.cold_starts);
    assert_eq!(col(|b| b.throttles), m.throttled);
    assert_eq!(col(|b| b.errors), m.errors);
    assert_eq!(col(|b| b.retries), m.retries);
    assert_eq!(
        rows.iter().map(|b| b.concurrency_max).max().unwrap_or(0),
        m.concurrency_max
    );
    assert!(rows
        .windows(2)
        .all(|w| w[0].t_s < w[1].t_s && w[0].cost_cum_usd <= w[1].cost_cum_usd));
    for b in rows {
        assert!(
            b.envs_mean.is_finite()
                && b.busy_mean >= 0.0
                && b.init_mean >= 0.0
                && b.idle_mean >= 0.0,
            "{b:?}"
        );
        assert!(b.concurrency_max <= limit, "{b:?}");
    }
    assert_eq!(r.series.by_function.len(), s.functions.len());
    for (f, (rows, fs)) in r.series.by_function.iter().zip(&r.functions).enumerate() {
        let x = &fs.summary;
        assert_eq!(rows.len(), r.series.rows.len());
        assert_eq!(
            rows.iter().map(|b| b.invocations).sum::<u64>(),
            x.invocations,
            "function {f}"
        );
        assert_eq!(
            rows.iter().map(|b| b.throttles).sum::<u64>(),
            x.throttled,
            "function {f}"
        );
        assert_eq!(
            rows.iter().map(|b| b.cold_starts).sum::<u64>(),
            x.cold_starts,
            "function {f}"
        );
        assert_eq!(
            rows.iter().map(|b| b.errors).sum::<u64>(),
            x.errors,
            "function {f}"
        );
        assert_eq!(
            rows.iter().map(|b| b.concurrency_max).max().unwrap_or(0),
            x.concurrency_max,
            "function {f}"
        );
    }

    // Display outputs stay within their bounds, and lanes tile each environment's life.
    let end_us = s.duration_us();
    assert!(r.events.len() <= s.record.events as usize);
    if r.events_truncated {
        assert_eq!(
            r.events.len(),
            s.record.events as usize,
            "the log is cut only when full"
        );
    }
    let lanes = &r.lanes;
    assert_eq!(
        lanes.lanes.len() as u64,
        m.envs_created.min(u64::from(s.record.lanes))
    );
    assert_eq!(lanes.hidden_envs, m.envs_created - lanes.lanes.len() as u64);
    let segments: usize = lanes.lanes.iter().map(|l| l.segments.len()).sum();
    assert!(segments <= s.record.segments as usize);
    for (i, lane) in lanes.lanes.iter().enumerate() {
        assert_eq!(
            lane.env as usize,
            i + 1,
            "lanes are the first environments, in order"
        );
        let life_end = lane.reaped_us.unwrap_or(end_us);
        assert!(
            lane.created_us <= life_end && life_end <= end_us,
            "{lane:?}"
        );
        for seg in &lane.segments {
            assert!(
                seg.start_us < seg.end_us && seg.end_us <= end_us,
                "env {}: {seg:?}",
                lane.env
            );
        }
        if !lanes.truncated {
            // Init, busy and idle spans follow each other without gap or overlap.
            let mut t = lane.created_us;
            for seg in &lane.segments {
                assert_eq!(
                    seg.start_us, t,
                    "env {} (provisioned: {}): a gap or overlap before {seg:?}",
                    lane.env, lane.provisioned
                );
                t = seg.end_us;
            }
            assert_eq!(
                t,
                life_end.max(lane.created_us),
                "env {}: segments end at {t}, life at {life_end}",
                lane.env
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// An independent replay of the event log.

#[derive(Debug, Clone, Copy, PartialEq)]
enum ReqState {
    /// Arrived (or retried) and not yet started or refused: only within one instant.
    Attempting,
    Running,
    /// A retry is due at this time.
    Pending(u64),
    Succeeded,
    Failed,
    Throttled,
}

#[derive(Debug, Clone, Copy)]
struct Req {
    f: usize,
    attempt: u32,
    state: ReqState,
}

#[derive(Debug, Clone)]
struct Env {
    f: usize,
    provisioned: bool,
    state: EnvState,
    /// When it entered its current state (idle since, busy since).
    since_us: u64,
    created_us: u64,
    request: u64,
    init_us: u64,
    /// The outcome of the invocation that ended at `since_us`, if it just ended.
    last_outcome: Option<Outcome>,
    ready_once: bool,
}

/// Replays the log (when it is complete) and checks every step against the rules, then checks
/// that the replay ends with the report's counts, ledger and peak concurrency.
fn check_event_log(s: &Scenario, r: &Report) {
    if r.events_truncated {
        return;
    }
    let n = s.functions.len();
    let end_us = s.duration_us();
    let limit = u64::from(s.account.concurrency_limit);
    let reserved: Vec<Option<u64>> = s
        .functions
        .iter()
        .map(|f| f.reserved_concurrency.map(u64::from))
        .collect();
    let pool = limit - reserved.iter().flatten().sum::<u64>();
    let p: Vec<u64> = s
        .functions
        .iter()
        .map(|f| u64::from(f.provisioned_concurrency))
        .collect();
    // The scaling allowance: a token bucket of `scaling_envs` environments refilled over
    // `scaling_window_s`, kept in integer units of 1/window_us of an environment.
    let window_us = u128::from(s_to_us(s.account.scaling_window_s).max(1));
    let scaling = u128::from(s.account.scaling_envs);
    let mut bucket: Vec<(u128, u64)> = vec![(scaling * window_us, 0); n];
    let refill = |bucket: &mut (u128, u64), t: u64| {
        bucket.0 = (bucket.0 + u128::from(t - bucket.1) * scaling).min(scaling * window_us);
        bucket.1 = t;
    };

    let mut envs: BTreeMap<u32, Env> = BTreeMap::new();
    let mut number = 0u32;
    for (f, &count) in p.iter().enumerate() {
        for _ in 0..count {
            number += 1;
            let env = Env {
                f,
                provisioned: true,
                state: EnvState::Init,
                since_us: 0,
                created_us: 0,
                request: 0,
                init_us: 0,
                last_outcome: None,
                ready_once: false,
            };
            envs.insert(number, env);
        }
    }
    let mut next_env = number + 1;
    let mut next_request = 1u64;
    let mut reqs: HashMap<u64, Req> = HashMap::new();
    let mut on_demand = vec![0u64; n];
    let mut provisioned_busy = vec![0u64; n];
    let mut concurrency_max = vec![0u64; n];
    let mut total_max = 0u64;
    #[derive(Default, Clone)]
    struct Counts {
        requests: u64,
        invocations: u64,
        cold: u64,
        throttled: u64,
        completed: u64,
        errors: u64,
        timeouts: u64,
        retries: u64,
        provisioned: u64,
        spillover: u64,
    }
    let mut c = vec![Counts::default(); n];
    let mut last_t = 0u64;

    let unreserved_used = |on_demand: &[u64]| -> u64 {
        (0..n)
            .filter(|&g| reserved[g].is_none())
            .map(|g| on_demand[g] + p[g])
            .sum()
    };
    // Idle environments of each function: the on-demand ones by number and by the time they
    // went idle (for the routing rules), and how many provisioned ones.
    #[derive(Default, Clone)]
    struct Idle {
        on_demand: BTreeSet<u32>,
        by_since: BTreeSet<(u64, u32)>,
        provisioned: usize,
    }
    fn enter(idle: &mut [Idle], k: u32, e: &Env) {
        if e.provisioned {
            idle[e.f].provisioned += 1;
        } else {
            idle[e.f].on_demand.insert(k);
            idle[e.f].by_since.insert((e.since_us, k));
        }
    }
    fn leave(idle: &mut [Idle], k: u32, e: &Env) {
        if e.provisioned {
            idle[e.f].provisioned -= 1;
        } else {
            idle[e.f].on_demand.remove(&k);
            idle[e.f].by_since.remove(&(e.since_us, k));
        }
    }
    let mut idle = vec![Idle::default(); n];

    for (i, e) in r.events.iter().enumerate() {
        let t = e.t_us;
        let f = usize::from(e.function);
        let at = format!("event {i} at {t} µs ({:?}) of function {f}", e.kind);
        assert!(
            t >= last_t && t < end_us,
            "{at}: out of order or after the end"
        );
        last_t = t;
        assert!(f < n, "{at}: no such function");
        let cfg = &s.functions[f];
        // Room for one more on-demand execution of `f`, by the engine's rules.
        let room = |on_demand: &[u64]| match reserved[f] {
            Some(r) => on_demand[f] + p[f] < r,
            None => unreserved_used(on_demand) < pool,
        };
        match e.kind {
            EventKind::Arrival { request, attempt } => {
                if attempt == 0 {
                    assert_eq!(
                        request, next_request,
                        "{at}: request ids are given in arrival order"
                    );
                    next_request += 1;
                    reqs.insert(
                        request,
                        Req {
                            f,
                            attempt: 0,
                            state: ReqState::Attempting,
                        },
                    );
                    c[f].requests += 1;
                } else {
                    let q = reqs
                        .get_mut(&request)
                        .unwrap_or_else(|| panic!("{at}: retry of an unknown request"));
                    assert_eq!(q.f, f, "{at}");
                    assert_eq!(
                        q.state,
                        ReqState::Pending(t),
                        "{at}: a retry must come exactly when it was scheduled"
                    );
                    assert_eq!(attempt, q.attempt + 1, "{at}");
                    q.attempt = attempt;
                    q.state = ReqState::Attempting;
                }
                c[f].invocations += 1;
            }
            EventKind::ColdStart {
                env,
                request,
                init_us,
            } => {
                assert_eq!(
                    env, next_env,
                    "{at}: environments are numbered in creation order"
                );
                next_env += 1;
                let q = reqs
                    .get_mut(&request)
                    .unwrap_or_else(|| panic!("{at}: unknown request"));
                assert_eq!((q.f, q.state), (f, ReqState::Attempting), "{at}");
                q.state = ReqState::Running;
                assert!(
                    idle[f].provisioned == 0,
                    "{at}: cold start while a provisioned environment is idle"
                );
                assert!(
                    idle[f].on_demand.is_empty(),
                    "{at}: cold start while a warm environment is idle"
                );
                assert!(
                    room(&on_demand),
                    "{at}: cold start beyond the concurrency limit"
                );
                refill(&mut bucket[f], t);
                assert!(
                    bucket[f].0 >= window_us,
                    "{at}: cold start beyond the scaling rate"
                );
                bucket[f].0 -= window_us;
                // Init is at least the fixed part (package and layers), and exactly the
                // configured time when nothing in it is random; the engine caps it at the
                // longest run (400 days), past which it changes nothing.
                let init = |ms: f64| ms_to_us(ms).min(400 * 86_400 * 1_000_000);
                let fixed_ms = cfg.static_init_ms();
                assert!(
                    init_us + 1 >= init(fixed_ms),
                    "{at}: Init shorter than package and layers"
                );
                if let (Runtime::Custom, Dist::Constant { value }) = (cfg.runtime, &cfg.init_ms) {
                    assert!(
                        init_us.abs_diff(init(fixed_ms + *value)) <= 1,
                        "{at}: Init {init_us} µs"
                    );
                }
                on_demand[f] += 1;
                if p[f] > 0 {
                    c[f].spillover += 1;
                }
                c[f].cold += 1;
                let env_state = Env {
                    f,
                    provisioned: false,
                    state: EnvState::Busy,
                    since_us: t,
                    created_us: t,
                    request,
                    init_us,
                    last_outcome: None,
                    ready_once: true,
                };
                envs.insert(env, env_state);
            }
            EventKind::WarmStart {
                env,
                request,
                provisioned,
            } => {
                let q = reqs
                    .get_mut(&request)
                    .unwrap_or_else(|| panic!("{at}: unknown request"));
                assert_eq!((q.f, q.state), (f, ReqState::Attempting), "{at}");
                q.state = ReqState::Running;
                let x = envs
                    .get(&env)
                    .unwrap_or_else(|| panic!("{at}: no such environment"));
                assert_eq!(
                    (x.f, x.provisioned, x.state),
                    (f, provisioned, EnvState::Idle),
                    "{at}"
                );
                if provisioned {
                    provisioned_busy[f] += 1;
                    c[f].provisioned += 1;
                } else {
                    assert!(
                        idle[f].provisioned == 0,
                        "{at}: on demand while a provisioned environment is idle"
                    );
                    assert!(
                        room(&on_demand),
                        "{at}: warm start beyond the concurrency limit"
                    );
                    match cfg.routing {
                        Routing::NewestFirst => {
                            let newest = idle[f].on_demand.last().copied();
                            assert_eq!(newest, Some(env), "{at}: not the newest idle environment");
                        }
                        Routing::MostRecentlyUsed => {
                            let latest = idle[f].by_since.last().map(|&(since, _)| since);
                            assert_eq!(
                                latest,
                                Some(x.since_us),
                                "{at}: not the most recently used environment"
                            );
                        }
                        Routing::Random => {}
                    }
                    on_demand[f] += 1;
                    if p[f] > 0 {
                        c[f].spillover += 1;
                    }
                }
                let x = envs.get_mut(&env).unwrap_or_else(|| panic!("{at}"));
                leave(&mut idle, env, x);
                x.state = EnvState::Busy;
                x.since_us = t;
                x.request = request;
                x.init_us = 0;
                x.last_outcome = None;
            }
            EventKind::Complete {
                env,
                request,
                duration_us,
                outcome,
            } => {
                let x = envs
                    .get_mut(&env)
                    .unwrap_or_else(|| panic!("{at}: no such environment"));
                assert_eq!(
                    (x.f, x.state, x.request),
                    (f, EnvState::Busy, request),
                    "{at}"
                );
                assert_eq!(
                    duration_us,
                    t - x.since_us,
                    "{at}: duration is from arrival to the end"
                );
                let run_us = duration_us - x.init_us;
                let timeout_us = s_to_us(cfg.timeout_s);
                match outcome {
                    Outcome::Timeout => assert_eq!(
                        run_us, timeout_us,
                        "{at}: a timeout stops the handler at the timeout"
                    ),
                    _ => assert!(
                        run_us <= timeout_us,
                        "{at}: ran {run_us} µs past the {timeout_us} µs timeout"
                    ),
                }
                if outcome == Outcome::Error {
                    assert!(cfg.error_rate > 0.0, "{at}: an error without an error rate");
                }
                if x.provisioned {
                    provisioned_busy[f] -= 1;
                } else {
                    on_demand[f] -= 1;
                }
                // A provisioned environment re-initialises after a timeout; otherwise it is idle
                // (an on-demand one reset by a timeout, or past its lifetime, is reaped next).
                x.state = if outcome == Outcome::Timeout && x.provisioned {
                    EnvState::Init
                } else {
                    EnvState::Idle
                };
                x.since_us = t;
                x.last_outcome = Some(outcome);
                if x.state == EnvState::Idle {
                    enter(&mut idle, env, x);
                }
                let q = reqs
                    .get_mut(&request)
                    .unwrap_or_else(|| panic!("{at}: unknown request"));
                assert_eq!(q.state, ReqState::Running, "{at}");
                q.state = if outcome == Outcome::Success {
                    ReqState::Succeeded
                } else {
                    ReqState::Failed
                };
                c[f].completed += 1;
                if outcome != Outcome::Success {
                    c[f].errors += 1;
                }
                if outcome == Outcome::Timeout {
                    c[f].timeouts += 1;
                }
            }
            EventKind::Throttled { request, reason } => {
                let q = reqs
                    .get_mut(&request)
                    .unwrap_or_else(|| panic!("{at}: unknown request"));
                assert_eq!((q.f, q.state), (f, ReqState::Attempting), "{at}");
                q.state = ReqState::Throttled;
                assert!(
                    idle[f].provisioned == 0,
                    "{at}: throttled while a provisioned environment is idle"
                );
                match reason {
                    ThrottleReason::ReservedLimit => {
                        let r = reserved[f].unwrap_or_else(|| {
                            panic!("{at}: reserved limit without a reservation")
                        });
                        assert_eq!(
                            on_demand[f] + p[f],
                            r,
                            "{at}: throttled with reserved concurrency to spare"
                        );
                    }
                    ThrottleReason::AccountLimit => {
                        assert!(
                            reserved[f].is_none(),
                            "{at}: a reserved function throttled by the account pool"
                        );
                        assert_eq!(
                            unreserved_used(&on_demand),
                            pool,
                            "{at}: throttled with unreserved concurrency to spare"
                        );
                    }
                    ThrottleReason::RequestRate => {
                        assert!(
                            room(&on_demand),
                            "{at}: a concurrency throttle reported as the request rate"
                        );
                    }
                    ThrottleReason::ScalingRate => {
                        assert!(
                            room(&on_demand),
                            "{at}: a concurrency throttle reported as the scaling rate"
                        );
                        assert!(
                            idle[f].on_demand.is_empty(),
                            "{at}: throttled while a warm environment is idle"
                        );
                        refill(&mut bucket[f], t);
                        assert!(
                            bucket[f].0 < window_us,
                            "{at}: throttled with scaling allowance left"
                        );
                    }
                }
                c[f].throttled += 1;
            }
            EventKind::RetryScheduled {
                request,
                attempt,
                delay_us,
            } => {
                let q = reqs
                    .get_mut(&request)
                    .unwrap_or_else(|| panic!("{at}: unknown request"));
                assert_eq!(q.f, f, "{at}");
                match q.state {
                    ReqState::Throttled => {}
                    ReqState::Failed => assert!(
                        cfg.client.retry_errors,
                        "{at}: retried an error though retry_errors = false"
                    ),
                    other => panic!("{at}: a retry of a request that is {other:?}"),
                }
                assert_eq!(attempt, q.attempt + 1, "{at}");
                assert!(
                    attempt <= cfg.client.retries,
                    "{at}: more retries than the client makes"
                );
                let backoff_ms = (cfg.client.backoff_base_ms * 2f64.powi(attempt as i32 - 1))
                    .min(cfg.client.backoff_cap_ms);
                let backoff_us = ms_to_us(backoff_ms);
                if cfg.client.jitter {
                    assert!(
                        delay_us <= backoff_us,
                        "{at}: jittered delay {delay_us} µs above the backoff {backoff_us} µs"
                    );
                } else {
                    assert_eq!(
                        delay_us, backoff_us,
                        "{at}: exponential backoff without jitter"
                    );
                }
                q.state = ReqState::Pending(t + delay_us);
                c[f].retries += 1;
            }
            EventKind::Reaped { env, reason } => {
                let x = envs
                    .remove(&env)
                    .unwrap_or_else(|| panic!("{at}: no such environment"));
                assert_eq!(x.f, f, "{at}");
                assert!(
                    !x.provisioned,
                    "{at}: a provisioned environment is never reaped"
                );
                assert_eq!(x.state, EnvState::Idle, "{at}");
                leave(&mut idle, env, &x);
                match reason {
                    ReapReason::IdleExpiry => {
                        if let Dist::Constant { value } = cfg.idle_expiry_s {
                            assert_eq!(
                                t - x.since_us,
                                s_to_us(value),
                                "{at}: reaped after the wrong idle time"
                            );
                        }
                    }
                    ReapReason::Timeout => {
                        assert_eq!(
                            (x.since_us, x.last_outcome),
                            (t, Some(Outcome::Timeout)),
                            "{at}"
                        );
                    }
                    ReapReason::Lifetime => {
                        let l = cfg
                            .max_lifetime_s
                            .unwrap_or_else(|| panic!("{at}: no lifetime set"));
                        assert!(
                            t >= x.created_us + s_to_us(l),
                            "{at}: recycled before its lifetime"
                        );
                        assert_eq!(
                            x.since_us, t,
                            "{at}: recycled other than at the end of an invocation"
                        );
                    }
                }
            }
            EventKind::ProvisionedReady { env } => {
                let x = envs
                    .get_mut(&env)
                    .unwrap_or_else(|| panic!("{at}: no such environment"));
                assert_eq!(
                    (x.f, x.provisioned, x.state),
                    (f, true, EnvState::Init),
                    "{at}"
                );
                if !x.ready_once {
                    assert_eq!(
                        t,
                        s_to_us(cfg.provisioned_ready_s),
                        "{at}: provisioned environments are ready when configured"
                    );
                }
                x.ready_once = true;
                x.state = EnvState::Idle;
                x.since_us = t;
                enter(&mut idle, env, x);
            }
            other => panic!("{at}: {other:?} cannot happen with synchronous functions only"),
        }
        let in_flight = |g: usize| on_demand[g] + provisioned_busy[g];
        concurrency_max[f] = concurrency_max[f].max(in_flight(f));
        if let Some(r) = reserved[f] {
            assert!(
                in_flight(f) <= r,
                "{at}: {} in flight over the reserved {r}",
                in_flight(f)
            );
        }
        let total: u64 = (0..n).map(in_flight).sum();
        assert!(
            total <= limit,
            "{at}: {total} in flight over the account limit {limit}"
        );
        total_max = total_max.max(total);
    }

    // The replay reaches the report's figures.
    for (f, fs) in r.functions.iter().enumerate() {
        let x = &fs.summary;
        let c = &c[f];
        let replayed = [
            c.requests,
            c.invocations,
            c.cold,
            c.throttled,
            c.completed,
            c.errors,
            c.timeouts,
            c.retries,
            c.provisioned,
            c.spillover,
            concurrency_max[f],
        ];
        let reported = [
            x.requests,
            x.invocations,
            x.cold_starts,
            x.throttled,
            x.completed,
            x.errors,
            x.timeouts,
            x.retries,
            x.provisioned_invocations,
            x.spillover_invocations,
            x.concurrency_max,
        ];
        assert_eq!(
            replayed, reported,
            "function {f}: replayed [requests, invocations, cold, throttled, completed, errors, timeouts, retries, provisioned, spillover, concurrency]"
        );
    }
    assert_eq!(
        total_max, r.summary.concurrency_max,
        "peak account concurrency"
    );
    let mut ledger = engine::report::Ledger {
        requests: reqs.len() as u64,
        ..Default::default()
    };
    for (id, q) in &reqs {
        match q.state {
            ReqState::Succeeded => ledger.succeeded += 1,
            ReqState::Failed => ledger.failed += 1,
            ReqState::Throttled => ledger.throttled += 1,
            ReqState::Running => ledger.in_flight += 1,
            ReqState::Pending(due) => {
                assert!(
                    due >= end_us,
                    "request {id}: a retry due at {due} µs never came"
                );
                ledger.in_flight += 1;
            }
            ReqState::Attempting => panic!("request {id} neither started nor was refused"),
        }
    }
    assert_eq!(ledger, r.ledger, "replayed ledger");
    // No environment outlived its keep-alive.
    for (k, x) in &envs {
        if let (false, EnvState::Idle, Dist::Constant { value }) =
            (x.provisioned, x.state, &s.functions[x.f].idle_expiry_s)
        {
            assert!(
                x.since_us + s_to_us(*value) >= end_us,
                "env {k}: idle since {} µs and never reaped",
                x.since_us
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Properties of valid scenarios.

/// Runs `s` in three stretches with `run_until`, as the UI's stepping does.
fn run_in_stretches(s: &Scenario) -> Result<Report, SimError> {
    let mut sim = Simulation::new(s)?;
    let end = sim.end_us();
    for k in 1..=3 {
        sim.run_until(end / 3 * k + if k == 3 { end % 3 } else { 0 })?;
        if let Err(e) = sim.check_invariants() {
            panic!("after stretch {k}: {e}\n{}", s.to_toml());
        }
    }
    sim.finish()
}

/// Runs `s` one event at a time, checking the simulator's invariants (conservation and
/// bounds) between events: after each of the first 20,000, then after every 1,000th.
fn run_stepping_checked(s: &Scenario) -> Result<Report, SimError> {
    let mut sim = Simulation::new(s)?;
    let mut steps = 0u64;
    while sim.step()?.is_some() {
        steps += 1;
        if steps <= 20_000 || steps.is_multiple_of(1_000) {
            if let Err(e) = sim.check_invariants() {
                panic!("after event {steps}: {e}\n{}", s.to_toml());
            }
        }
    }
    sim.run_until(sim.end_us())?;
    sim.finish()
}

proptest! {
    #![proptest_config(config())]

    /// Any valid scenario runs without panicking, keeps every invariant, and gives the same
    /// report every time, whether run at once or in stretches.
    #[test]
    fn valid_scenarios_keep_every_invariant(s in gen::scenario(SYNC)) {
        let first = run_checked(&s);
        let again = engine::run(&s);
        prop_assert_eq!(&first, &again, "same scenario and seed, different report");
        prop_assert_eq!(&first, &run_in_stretches(&s), "stepping changed the report");
        prop_assert_eq!(&first, &run_stepping_checked(&s), "stepping event by event changed the report");
    }

    /// A scenario read back from its own TOML is the same scenario.
    #[test]
    fn scenarios_round_trip_through_toml(s in gen::scenario(SYNC)) {
        let text = s.to_toml();
        let back = Scenario::from_toml(&text);
        prop_assert_eq!(back.as_ref(), Ok(&s), "{}", text);
    }

    /// A change of seed changes the random traffic, not the rules: invariants hold for all.
    #[test]
    fn other_seeds_keep_every_invariant(s in gen::scenario(SYNC), seed in 0..=i64::MAX as u64) {
        let mut s = s;
        s.seed = seed;
        let _ = run_checked(&s);
    }
}

// ---------------------------------------------------------------------------------------------
// Seed sweeps over the named scenarios.

fn named(name: &str, text: &str) -> Scenario {
    let mut s = Scenario::from_toml(text).unwrap_or_else(|e| panic!("scenarios/{name}.toml: {e}"));
    // The whole event log, for the replay.
    s.record.events = engine::scenario::MAX_RECORD_EVENTS;
    s
}

fn sweep(name: &str, s: &Scenario, seeds: u64) {
    for seed in 0..seeds {
        let mut s = s.clone();
        s.seed = seed;
        let report = match run_checked(&s) {
            Ok(r) => r,
            Err(e) => panic!("{name}, seed {seed}: {e}"),
        };
        assert!(
            !report.events_truncated,
            "{name}, seed {seed}: raise record.events for the replay"
        );
        if seed < 2 {
            assert_eq!(
                Ok(&report),
                run_stepping_checked(&s).as_ref(),
                "{name}, seed {seed}: not deterministic"
            );
        }
    }
}

/// Seeds per named scenario: 5 in a debug build, 25 in a release build.
const SEEDS: u64 = if DEBUG { 5 } else { 25 };

#[test]
fn seed_sweep_burst_scaling() {
    sweep(
        "burst-scaling",
        &named(
            "burst-scaling",
            include_str!("../scenarios/burst-scaling.toml"),
        ),
        SEEDS,
    );
}

#[test]
fn seed_sweep_noisy_neighbour() {
    let mut s = named(
        "noisy-neighbour",
        include_str!("../scenarios/noisy-neighbour.toml"),
    );
    // The burst and the minute after it are what matter; 200 s keeps a debug sweep short.
    s.duration_s = 200.0;
    sweep("noisy-neighbour", &s, SEEDS);
}

#[test]
fn seed_sweep_provisioned_spillover() {
    sweep(
        "provisioned-spillover",
        &named(
            "provisioned-spillover",
            include_str!("../scenarios/provisioned-spillover.toml"),
        ),
        SEEDS,
    );
}

#[test]
fn seed_sweep_client_retries() {
    sweep(
        "client-retries",
        &named(
            "client-retries",
            include_str!("../scenarios/client-retries.toml"),
        ),
        SEEDS,
    );
}

#[test]
fn seed_sweep_simfaas_baseline() {
    let mut s = named(
        "simfaas-baseline",
        include_str!("../scenarios/simfaas-baseline.toml"),
    );
    s.duration_s = 20_000.0;
    s.bucket_s = Some(100.0);
    sweep("simfaas-baseline", &s, SEEDS);
}

/// Timeouts of provisioned environments (they re-initialise), lifetimes, errors retried and
/// not: the corners the named scenarios do not reach.
#[test]
fn seed_sweep_corners() {
    let s = named(
        "corners",
        r#"
duration_s = 120
bucket_s = 1
[account]
concurrency_limit = 160
scaling_envs = 15
scaling_window_s = 5
[[functions]]
name = "slow"
runtime = "java21"
timeout_s = 0.5
max_lifetime_s = 20
provisioned_concurrency = 5
provisioned_ready_s = 3
reserved_concurrency = 12
error_rate = 0.1
handler.io_ms = { kind = "exponential", mean = 300 }
idle_expiry_s = { kind = "uniform", min = 1, max = 5 }
client = { retries = 2, backoff_base_ms = 50, jitter = false, retry_errors = false }
workload = { kind = "sine", mean_per_s = 20, amplitude_per_s = 20, period_s = 40 }
[[functions]]
name = "fast"
runtime = "rust"
routing = "most_recently_used"
idle_expiry_s = 2
max_lifetime_s = 15
handler.cpu_ms = { kind = "lognormal", p50 = 30, p99 = 400 }
client = { retries = 4, backoff_base_ms = 10, backoff_cap_ms = 200 }
workload = { kind = "ramp", from_per_s = 200, to_per_s = 0, length_s = 60, poisson = false }
[[functions]]
name = "replayed"
routing = "random"
init_ms = 100
idle_expiry_s = 0.5
handler.io_ms = 200
workload = { kind = "per_minute", counts = [600, 60], poisson = true }
"#,
    );
    sweep("corners", &s, SEEDS * 2);
    // The corners are reached: timeouts, provisioned re-initialisation and recycling.
    let r = run_checked(&s).expect("runs");
    let reaped = |why: ReapReason| {
        r.events
            .iter()
            .filter(|e| matches!(e.kind, EventKind::Reaped { reason, .. } if reason == why))
            .count()
    };
    assert!(r.functions[0].summary.timeouts > 0);
    let reaps = [
        reaped(ReapReason::Lifetime),
        reaped(ReapReason::Timeout),
        reaped(ReapReason::IdleExpiry),
    ];
    assert!(
        reaps.iter().all(|&n| n > 0),
        "reaped for lifetime, timeout, idleness: {reaps:?}"
    );
    let ready = r
        .events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::ProvisionedReady { .. }))
        .count();
    assert!(
        ready > 5,
        "provisioned environments re-initialised after timeouts"
    );
}

/// The scaling rate is a token bucket (docs/lambda-facts.md section 5: 1,000 environments every
/// 10 s per function, refilled continuously, not banked): a burst gets the full allowance at
/// once, then the refill. So a span of L seconds holds at most N (1 + L / W) cold starts, which
/// is up to about 2N in one window W, not N: "N per window" holds only for windows that start
/// with an empty bucket. The replay checks the bucket exactly; this states it in windows.
#[test]
fn scaling_rate_bounds_cold_starts_in_every_span() {
    let s = named(
        "burst-scaling",
        include_str!("../scenarios/burst-scaling.toml"),
    );
    let (n, w_us) = (
        u64::from(s.account.scaling_envs),
        s_to_us(s.account.scaling_window_s),
    );
    for seed in 0..SEEDS {
        let mut s = s.clone();
        s.seed = seed;
        let r = run_checked(&s).expect("runs");
        let cold: Vec<u64> = r
            .events
            .iter()
            .filter_map(|e| match e.kind {
                EventKind::ColdStart { .. } => Some(e.t_us),
                _ => None,
            })
            .collect();
        // Most cold starts in any span of `len` µs (a sliding window over the sorted times).
        let most_in = |len: u64| {
            let mut first = 0;
            let mut most = 0;
            for (last, &t) in cold.iter().enumerate() {
                while t - cold[first] >= len {
                    first += 1;
                }
                most = most.max(last - first + 1);
            }
            most as u64
        };
        for len in [w_us / 10, w_us / 2, w_us, 3 * w_us] {
            let bound = n + n * len / w_us;
            let most = most_in(len);
            assert!(
                most <= bound,
                "seed {seed}: {most} cold starts within {len} µs, bound {bound}"
            );
        }
        // The burst (2,000/s of 1 s requests) takes the whole allowance and then the refill:
        // about 2,000 in its first window, and never N per window.
        let most = most_in(w_us);
        assert!(
            most > n * 19 / 10,
            "seed {seed}: only {most} cold starts in the busiest window"
        );
    }
}

/// Regressions found while writing these tests (fixed in the engine).
#[test]
fn regressions() {
    // An Init longer than the clock can hold (a huge constant, a log-normal's far tail) used to
    // overflow `now + init`: a panic in debug builds, a wrapped clock in release builds.
    // (A log-normal with p99/p50 = 1e300 draws either enormous or tiny values; its seed-1 run
    // draws some of each.)
    for init in [
        "1e20",
        "1e300",
        "{ kind = \"lognormal\", p50 = 1, p99 = 1e300 }",
    ] {
        let s = Scenario::from_toml(&format!(
            "duration_s = 60\n[[functions]]\nname = \"f\"\ninit_ms = {init}\nhandler.io_ms = 200\n\
             workload = {{ kind = \"constant\", rate_per_s = 100 }}\n"
        ))
        .expect("valid");
        let r = run_checked(&s).expect("runs");
        // Requests wait in endless Inits, so new environments keep being created.
        assert!(
            r.summary.cold_starts > 10 && r.summary.completed < r.summary.requests,
            "init {init}: {}",
            r.summary.verdict()
        );
    }
    // A ramp down to 0 used to be thinned at its old peak rate until the end of the run:
    // hours of work for a 400-day run, not counted by max_events.
    for poisson in [true, false] {
        let s = Scenario::from_toml(&format!(
            "duration_s = 34560000\nbucket_s = 86400\n[[functions]]\nname = \"f\"\n\
             workload = {{ kind = \"ramp\", from_per_s = 100000, to_per_s = 0, length_s = 0.01, poisson = {poisson} }}\n"
        ))
        .expect("valid");
        let r = run_checked(&s).expect("runs");
        // About 100,000/s x 0.01 s / 2 = 500 requests, all in the first 10 ms.
        assert!(
            (400..=600).contains(&r.summary.requests),
            "{} requests",
            r.summary.requests
        );
    }
    // The Init of provisioned environments is drawn in their lanes (it used to be missing, so a
    // provisioned lane started with a gap); `check_report` checks every lane tiles its life.
    let s = Scenario::from_toml(
        "duration_s = 30\n[[functions]]\nname = \"f\"\nprovisioned_concurrency = 3\n\
         provisioned_ready_s = 10\nworkload = { kind = \"constant\", rate_per_s = 1 }\n",
    )
    .expect("valid");
    let r = run_checked(&s).expect("runs");
    let first = r.lanes.lanes[0].segments[0];
    assert_eq!(
        (first.start_us, first.end_us, first.state),
        (0, 10_000_000, EnvState::Init)
    );
}

// ---------------------------------------------------------------------------------------------
// Invalid scenarios and arbitrary text.

/// An invalid distribution.
fn bad_dist(k: u32) -> Dist {
    [
        Dist::constant(-1.0),
        Dist::constant(f64::NAN),
        Dist::constant(f64::INFINITY),
        Dist::Uniform { min: 5.0, max: 1.0 },
        Dist::Exponential { mean: 0.0 },
        Dist::Exponential { mean: -3.0 },
        Dist::Lognormal {
            p50: 10.0,
            p99: 5.0,
        },
        Dist::Lognormal { p50: 0.0, p99: 1.0 },
        Dist::Empirical {
            quantiles: vec![3.0],
        },
        Dist::Empirical {
            quantiles: vec![1.0, 5.0, 4.0],
        },
    ][k as usize % 10]
        .clone()
}

/// Breaks one rule of a valid scenario; returns the field the refusal must name.
fn break_rule(s: &mut Scenario, rule: u32, k: u32) -> String {
    let n = s.functions.len();
    let i = k as usize % n;
    let pick = |xs: &[f64]| xs[k as usize % xs.len()];
    let field = |name: &str| format!("functions[{i}].{name}");
    let f = &mut s.functions[i];
    match rule {
        0 => {
            f.memory_mb = if k.is_multiple_of(2) {
                k % 128
            } else {
                10_241 + k % 1_000_000
            };
            field("memory_mb")
        }
        1 => {
            f.timeout_s = pick(&[0.0, -1.0, 900.5, f64::NAN, f64::INFINITY, 1e9, 0.0009]);
            field("timeout_s")
        }
        2 => {
            f.error_rate = pick(&[1.0001, -0.1, f64::NAN, 2.0]);
            field("error_rate")
        }
        3 => {
            f.layers = 6 + k % 100;
            field("layers")
        }
        4 => {
            f.client.retries = 21 + k % 1000;
            field("client.retries")
        }
        5 => {
            f.client.backoff_base_ms = pick(&[-1.0, f64::NAN, 3_600_001.0, f64::INFINITY]);
            field("client.backoff_base_ms")
        }
        6 => {
            f.client.backoff_cap_ms = pick(&[-1.0, f64::NAN, 3_600_001.0]);
            field("client.backoff_cap_ms")
        }
        7 => {
            f.init_ms = bad_dist(k);
            field("init_ms")
        }
        8 => {
            f.handler.cpu_ms = bad_dist(k);
            field("handler.cpu_ms")
        }
        9 => {
            f.handler.io_ms = bad_dist(k);
            field("handler.io_ms")
        }
        10 => {
            f.idle_expiry_s = bad_dist(k);
            field("idle_expiry_s")
        }
        11 => {
            f.max_lifetime_s = Some(pick(&[0.5, 0.0, -1.0, f64::NAN]));
            field("max_lifetime_s")
        }
        12 => {
            let r = 1 + k % 20;
            f.reserved_concurrency = Some(r);
            f.provisioned_concurrency = r + 1 + k % 5;
            field("provisioned_concurrency")
        }
        13 => {
            f.workload = Workload::Poisson {
                rate_per_s: pick(&[-1.0, f64::NAN, 100_001.0, f64::INFINITY]),
            };
            field("workload.rate_per_s")
        }
        14 => {
            f.workload = Workload::Sine {
                mean_per_s: 5.0,
                amplitude_per_s: 5.001,
                period_s: 60.0,
                peak_s: 0.0,
                poisson: k.is_multiple_of(2),
            };
            field("workload.amplitude_per_s")
        }
        15 => {
            let steps = vec![
                Step {
                    at_s: 10.0,
                    rate_per_s: 1.0,
                },
                Step {
                    at_s: 5.0,
                    rate_per_s: 1.0,
                },
            ];
            f.workload = Workload::Steps {
                steps,
                poisson: true,
            };
            field("workload.steps[1].at_s")
        }
        16 => {
            f.workload = Workload::Replay {
                arrivals_s: vec![1.0, 5.0, 3.0],
            };
            field("workload.arrivals_s[2]")
        }
        17 => {
            f.workload = Workload::Burst {
                base_per_s: 1.0,
                burst_per_s: 2.0,
                start_s: -1.0,
                length_s: 1.0,
                poisson: true,
            };
            field("workload.start_s")
        }
        18 => {
            f.package_mb = pick(&[10_241.0, -1.0, f64::NAN]);
            field("package_mb")
        }
        19 => {
            f.init_ms_per_layer = pick(&[-0.5, f64::INFINITY]);
            field("init_ms_per_layer")
        }
        20 => {
            f.provisioned_ready_s = pick(&[-1.0, f64::NAN, f64::INFINITY]);
            field("provisioned_ready_s")
        }
        21 => {
            if n > 1 {
                s.functions[1].name = s.functions[0].name.clone();
                "functions[1].name".into()
            } else {
                f.name = " ".into();
                field("name")
            }
        }
        22 => {
            // More reserved than the account can give while keeping 100 unreserved.
            f.provisioned_concurrency = 0;
            f.reserved_concurrency = Some(s.account.concurrency_limit - 99 + k % 50);
            "functions.reserved_concurrency".into()
        }
        23 => {
            // More provisioned from the unreserved pool than it can give while keeping 100.
            f.reserved_concurrency = None;
            let reserved: u32 = s
                .functions
                .iter()
                .filter_map(|g| g.reserved_concurrency)
                .sum();
            let others: u32 = s
                .functions
                .iter()
                .enumerate()
                .filter(|(j, g)| *j != i && g.reserved_concurrency.is_none())
                .map(|(_, g)| g.provisioned_concurrency)
                .sum();
            s.functions[i].provisioned_concurrency =
                s.account.concurrency_limit - reserved - 100 - others + 1 + k % 10;
            "functions.provisioned_concurrency".into()
        }
        24 => {
            s.duration_s = pick(&[0.0, -5.0, f64::NAN, f64::INFINITY, 400.0 * 86_400.0 + 1.0]);
            "duration_s".into()
        }
        25 => {
            s.bucket_s = Some(pick(&[0.0, -1.0, f64::NAN, s.duration_s / 5000.0]));
            "bucket_s".into()
        }
        26 => {
            s.max_events = 0;
            "max_events".into()
        }
        27 => {
            s.account.concurrency_limit = if k.is_multiple_of(2) {
                k % 100
            } else {
                1_000_001 + k % 1000
            };
            "account.concurrency_limit".into()
        }
        28 => {
            s.account.scaling_envs = 0;
            "account.scaling_envs".into()
        }
        _ => {
            s.account.scaling_window_s = pick(&[0.0, 0.0005, 3601.0, f64::NAN, -1.0]);
            "account.scaling_window_s".into()
        }
    }
}

/// Bits of TOML to splice into scenario text.
const TOKENS: &[&str] = &[
    "=",
    "[",
    "]",
    "[[",
    "]]",
    "{",
    "}",
    "\"",
    ",",
    ".",
    "-",
    "\n",
    "0",
    "1",
    "-1",
    "1e999",
    "nan",
    "inf",
    "-inf",
    "true",
    "99999999999999999999",
    "4294967296",
    "0.0000001",
    "duration_s = ",
    "[[functions]]\nname = \"x\"\n",
    "[account]\n",
    "[functions.workload]\n",
    "kind = \"ramp\"",
    "kind = \"sine\"",
    "kind = \"per_minute\"",
    "kind = \"lognormal\"",
    "reserved_concurrency = ",
    "provisioned_concurrency = ",
    "memory_mb = ",
    "rate_per_s = ",
    "counts = [",
    "steps = [{",
    "arrivals_s = [",
    "é",
    "\u{0}",
    "#",
];

proptest! {
    #![proptest_config(config())]

    /// A scenario that breaks one rule is refused, by `validate`, `run` and `from_toml` alike,
    /// with an error that names the field; nothing panics.
    #[test]
    fn invalid_scenarios_are_refused_naming_the_field(s in gen::scenario(SYNC), rule in 0u32..30, k in any::<u32>()) {
        let mut s = s;
        let field = break_rule(&mut s, rule, k);
        let err = s.validate().expect_err("a broken rule must be refused");
        prop_assert_eq!(&err.field, &field, "{}", err);
        prop_assert!(err.to_string().starts_with(&format!("{field}: ")), "{}", err);
        match engine::run(&s) {
            Err(SimError::Scenario(ScenarioError::Invalid(e))) => prop_assert_eq!(&e.field, &field),
            Err(other) => prop_assert!(false, "run refused it for another reason: {}", other),
            Ok(_) => prop_assert!(false, "run accepted an invalid scenario"),
        }
        match Scenario::from_toml(&s.to_toml()) {
            // A non-finite number is refused as the TOML is read, naming the key itself (a
            // distribution's `value`, inside the field `validate` names).
            Err(ScenarioError::Invalid(e)) => prop_assert!(
                e.field == field || e.field.starts_with(&format!("{field}.")),
                "{} is not {}", e.field, field
            ),
            Err(other) => prop_assert!(false, "from_toml refused it for another reason: {}\n{}", other, s.to_toml()),
            Ok(_) => prop_assert!(false, "from_toml accepted an invalid scenario"),
        }
    }

    /// Any text at all: `from_toml` returns, never panics.
    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        let _ = Scenario::from_toml(&text);
    }

    /// Valid scenario text with random splices, cuts and deletions: mostly refused with a
    /// message; when still valid, it runs (shortened) and keeps every invariant.
    #[test]
    fn mangled_scenario_text_is_refused_or_runs(
        s in gen::scenario(SYNC),
        edits in prop::collection::vec((0.0..1.0f64, 0usize..3, prop::sample::select(TOKENS), 0usize..40), 1..6),
    ) {
        let mut text = s.to_toml();
        for (at, kind, token, len) in edits {
            let mut pos = (at * text.len() as f64) as usize;
            while !text.is_char_boundary(pos) {
                pos -= 1;
            }
            match kind {
                0 => text.insert_str(pos, token),
                1 => {
                    let mut end = (pos + len).min(text.len());
                    while !text.is_char_boundary(end) {
                        end -= 1;
                    }
                    text.replace_range(pos..end, "");
                }
                _ => {
                    text.truncate(pos);
                    text.push_str(token);
                }
            }
        }
        match Scenario::from_toml(&text) {
            Err(e) => prop_assert!(!e.to_string().is_empty()),
            Ok(mut s) => {
                s.duration_s = s.duration_s.min(30.0);
                s.bucket_s = None;
                s.max_events = s.max_events.min(300_000);
                s.record.events = s.record.events.min(300_000);
                if s.validate().is_ok() {
                    let _ = run_checked(&s);
                }
            }
        }
    }
}
