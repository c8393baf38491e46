//! The discrete-event simulation: execution environments, routing, concurrency limits,
//! the scaling rate, throttling, client retries and billing, advanced one event at a time.
//! Asynchronous invocation, SQS event sources, failure windows, downstream limits and
//! idempotency live in `sim/delivery.rs`, behind a per-function `Option` that is `None` for a plain
//! synchronous function, so its hot path does not change.
//!
//! Time is integer microseconds. Events are ordered by `(time, sequence)`, so ties resolve
//! in the order they were scheduled. Every random draw comes from a stream derived from the
//! scenario's seed and the purpose of the draw (see `stream`), so one function's traffic
//! does not change when another knob does.

use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, HashMap};
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};

use hdrhistogram::Histogram;
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64Mcg;

use crate::cost::{self, CostBreakdown, Prices, Usage};
use crate::report::{
    Bucket, EnvState, EventKind, EventRecord, FunctionBucket, FunctionSummary, Lane, Lanes, Ledger,
    Outcome, ReapReason, Report, Segment, Series, Summary, ThrottleReason,
};
use crate::scenario::Arrivals;
use crate::scenario::Sampler;
use crate::scenario::{Function, InvocationType, Routing, Scenario, ScenarioError};
use crate::time::{ms_to_us, s_to_us, us_to_ms, us_to_s, US_PER_MS};

mod delivery;
mod system;

use delivery::{FnExt, Src};
use system::Sys;

/// Hashes an id (a request id, an environment number, a cache key) by Fibonacci
/// multiplication: ids are small consecutive integers, so this spreads them well, costs one
/// multiply, and (unlike std's default SipHash, which showed as a fifth of a system run's time)
/// has no per-process random keys. No map hashed with it is iterated for output, so its order
/// cannot leak into a report.
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u32(&mut self, id: u32) {
        self.write_u64(u64::from(id));
    }

    fn write_u64(&mut self, id: u64) {
        self.0 = (self.0 ^ id).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// A map keyed by ids, hashed with [`IdHasher`].
type IdMap<K, V> = HashMap<K, V, BuildHasherDefault<IdHasher>>;

/// Why a run could not complete.
#[derive(Debug, Clone, PartialEq)]
pub enum SimError {
    /// The scenario is invalid.
    Scenario(ScenarioError),
    /// The run needed more events than `max_events` allows.
    EventLimit {
        /// The bound.
        limit: u64,
        /// Simulated time reached, in µs.
        t_us: u64,
    },
    /// A queue held more messages or events than its `queue_max` allows.
    QueueLimit {
        /// The field that sets the bound, e.g. `functions[0].async.queue_max`.
        field: String,
        /// The bound.
        limit: u64,
        /// Simulated time reached, in µs.
        t_us: u64,
    },
    /// An internal invariant broke (a bug; reported instead of panicking).
    Internal(String),
}

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SimError::Scenario(e) => e.fmt(f),
            SimError::EventLimit { limit, t_us } => write!(
                f,
                "max_events: the run needed more than {limit} events (stopped at {:.1} s of simulated time); shorten duration_s, lower the request rate or raise max_events",
                us_to_s(*t_us)
            ),
            SimError::QueueLimit { field, limit, t_us } => write!(
                f,
                "{field}: the queue held more than {limit} messages (at {:.1} s of simulated time); the function cannot keep up: raise its concurrency or {field}, or lower the traffic",
                us_to_s(*t_us)
            ),
            SimError::Internal(m) => write!(f, "internal error (please report): {m}"),
        }
    }
}

impl std::error::Error for SimError {}

impl From<ScenarioError> for SimError {
    fn from(e: ScenarioError) -> Self {
        SimError::Scenario(e)
    }
}

/// Longest on-demand Init before Lambda stops it and runs it again inside the first invoke.
const ON_DEMAND_INIT_LIMIT_US: u64 = 10_000_000;

/// Synchronous on-demand requests per second the account allows per unit of concurrency quota.
const RPS_PER_CONCURRENCY: u64 = 10;

/// An Init draw in µs, capped at the longest run (400 days): a huge constant or a far
/// log-normal tail would otherwise overflow `now + init` (a panic in debug builds, a wrapped
/// clock in release). An Init that long ends after any run, so the cap changes no result.
fn init_us(init_ms: f64) -> u64 {
    const MAX_INIT_US: u64 = 400 * 86_400 * crate::time::US_PER_S;
    ms_to_us(init_ms).min(MAX_INIT_US)
}

/// Runs a scenario to its end.
pub fn run(scenario: &Scenario) -> Result<Report, SimError> {
    let mut sim = Simulation::new(scenario)?;
    sim.run_until(sim.end_us())?;
    sim.finish()
}

/// The purposes random numbers are drawn for; each gets its own stream.
#[derive(Clone, Copy)]
enum Purpose {
    Arrivals = 1,
    Service = 2,
    Routing = 3,
    Retry = 4,
    /// Failures inside an `errors_during` window.
    Outage = 5,
    /// Duplicate deliveries of asynchronous events.
    Duplicates = 6,
    /// How many requests a trigger sends.
    Triggers = 7,
    /// An alias's weighted routing.
    Alias = 8,
    /// The tracing sampling rule.
    Tracing = 9,
    /// Lambda's own failures to invoke an asynchronous event.
    SystemErrors = 10,
    /// The jitter of a throttled asynchronous event's backoff.
    Backoff = 11,
}

/// A generator for one purpose of one function, derived from the seed by SplitMix64 mixing.
fn stream(seed: u64, function: usize, purpose: Purpose) -> Pcg64Mcg {
    let mut z = seed
        ^ (function as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ (purpose as u64).wrapping_mul(0xD1B5_4A32_D192_ED03);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    Pcg64Mcg::seed_from_u64(z ^ (z >> 31))
}

#[derive(Debug, Clone, Copy)]
enum Ev {
    Arrival {
        f: u16,
    },
    Retry {
        f: u16,
        request: u64,
        attempt: u32,
    },
    Done {
        slot: u32,
    },
    Expire {
        slot: u32,
        gen: u32,
    },
    Ready {
        slot: u32,
    },
    /// A synchronous caller's timeout for the invocation on this environment.
    ClientTimeout {
        slot: u32,
    },
    /// An asynchronous event's retry or backoff is over (or its maximum age is reached).
    AsyncDue {
        f: u16,
        slot: u32,
        gen: u32,
    },
    /// The visibility timeout of an SQS batch ends.
    SqsVisible {
        f: u16,
        batch: u32,
    },
    /// An SQS batching window ends.
    SqsWindow {
        f: u16,
    },
    /// The SQS pollers' once-a-second scaling step.
    SqsTick {
        f: u16,
    },
    /// An SQS poller's backoff after a throttle is over.
    SqsPollerFree {
        f: u16,
    },
    /// A caller's synchronous call to another function ends (answer or caller timeout).
    Resume {
        slot: u32,
        token: u32,
    },
    /// A deployment's traffic shift.
    Deploy {
        d: u16,
        step: u16,
    },
    /// The end of an alarm's period.
    AlarmTick {
        a: u16,
    },
}

// The event queue is the hot path: keep an event in 16 bytes.
const _: () = assert!(std::mem::size_of::<Ev>() <= 16);

#[derive(Debug, Clone, Copy)]
struct Scheduled {
    t: u64,
    seq: u64,
    ev: Ev,
}

impl PartialEq for Scheduled {
    fn eq(&self, o: &Self) -> bool {
        (self.t, self.seq) == (o.t, o.seq)
    }
}
impl Eq for Scheduled {}
impl PartialOrd for Scheduled {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Scheduled {
    fn cmp(&self, o: &Self) -> Ordering {
        (self.t, self.seq).cmp(&(o.t, o.seq))
    }
}

const NO_LANE: u32 = u32::MAX;

/// A function with no next arrival (see `Simulation::arrivals`).
const NO_ARRIVAL: (u64, u64) = (u64::MAX, u64::MAX);
const NO_ARRIVAL_FIRST: (u64, u64, u16) = (u64::MAX, u64::MAX, u16::MAX);

#[derive(Debug, Clone, Copy)]
struct Invocation {
    request: u64,
    attempt: u32,
    arrived: u64,
    cold: bool,
    init_us: u64,
    run_us: u64,
    outcome: Outcome,
    /// Who invoked: a synchronous caller, the async queue or an SQS poller.
    src: Src,
    /// The synchronous caller stopped waiting (client timeout); the invocation runs on.
    abandoned: bool,
    /// It holds one of the downstream's connections.
    conn: bool,
    /// Its synchronous call to another function: 0 none yet, 1 waiting, 2 answered.
    call: u8,
    /// Identifies the wait (a stale `Resume` carries another).
    call_token: u32,
    /// The handler's own time, before any call it waits for, in µs.
    own_us: u64,
    /// Of it, the I/O (calls to the data source), in µs; kept only when tracing.
    io_us: u64,
}

#[derive(Debug, Clone)]
struct Env {
    number: u32,
    f: u16,
    state: EnvState,
    alive: bool,
    provisioned: bool,
    created: u64,
    since: u64,
    expire_at: u64,
    expiry_pending: bool,
    gen: u32,
    idle_key: u64,
    idle_epoch: u64,
    idle_pos: u32,
    retire_at: u64,
    inv: Option<Invocation>,
    lane: u32,
}

/// Idle environments of one function, ordered for the routing policy.
#[derive(Debug, Clone)]
enum IdlePool {
    /// Largest key first (creation number, or idle-since time). Entries of environments that
    /// left the pool (reaped, or their slot reused) are skipped when they surface: each idle
    /// period has its own epoch, so a stale entry never matches a live one.
    Ordered(BinaryHeap<(u64, u64, u32)>),
    /// Any one, uniformly.
    Random(Vec<u32>),
}

impl IdlePool {
    fn new(routing: Routing) -> Self {
        match routing {
            Routing::NewestFirst | Routing::MostRecentlyUsed => {
                IdlePool::Ordered(BinaryHeap::new())
            }
            Routing::Random => IdlePool::Random(Vec::new()),
        }
    }

    fn insert(&mut self, slot: u32, env: &mut Env) {
        match self {
            IdlePool::Ordered(heap) => heap.push((env.idle_key, env.idle_epoch, slot)),
            IdlePool::Random(v) => {
                env.idle_pos = v.len() as u32;
                v.push(slot);
            }
        }
    }

    fn remove(&mut self, slot: u32, envs: &mut [Env]) {
        match self {
            // Lazy: the entry is skipped when it surfaces (the environment is no longer idle).
            IdlePool::Ordered(_) => {}
            IdlePool::Random(v) => {
                let pos = envs[slot as usize].idle_pos as usize;
                if pos < v.len() && v[pos] == slot {
                    v.swap_remove(pos);
                    if let Some(&moved) = v.get(pos) {
                        envs[moved as usize].idle_pos = pos as u32;
                    }
                }
            }
        }
    }

    fn take(&mut self, rng: &mut Pcg64Mcg, envs: &mut [Env]) -> Option<u32> {
        match self {
            IdlePool::Ordered(heap) => {
                while let Some((_, epoch, slot)) = heap.pop() {
                    let e = &envs[slot as usize];
                    if e.alive && e.state == EnvState::Idle && e.idle_epoch == epoch {
                        return Some(slot);
                    }
                }
                None
            }
            IdlePool::Random(v) => {
                if v.is_empty() {
                    return None;
                }
                let pos = rng.gen_range(0..v.len());
                let slot = v.swap_remove(pos);
                if let Some(&moved) = v.get(pos) {
                    envs[moved as usize].idle_pos = pos as u32;
                }
                Some(slot)
            }
        }
    }
}

/// Counters of one function.
#[derive(Debug, Clone, Default)]
struct FnStats {
    requests: u64,
    invocations: u64,
    completed: u64,
    cold_starts: u64,
    throttled: u64,
    errors: u64,
    timeouts: u64,
    retries: u64,
    provisioned_invocations: u64,
    spillover: u64,
    envs_created: u64,
    concurrency_max: u64,
    duration_sum_us: u128,
    succeeded: u64,
    failed: u64,
    throttled_final: u64,
    reaped: u64,
    lifespan_sum_us: u128,
    alive_us: u128,
    running_us: u128,
    init_us: u128,
    // Queues, failures and idempotency (see `Summary` for what each counts).
    queue_depth_max: u64,
    queue_age_max_us: u64,
    dead_lettered: u64,
    dropped: u64,
    async_age_max_us: u64,
    async_events_dropped: u64,
    async_retries: u64,
    async_requeues: u64,
    async_system_errors: u64,
    dead_letter_errors: u64,
    destination_delivery_failures: u64,
    batches: u64,
    batch_item_failures: u64,
    messages_redelivered: u64,
    duplicates: u64,
    /// Side effects are counted for this function (it may run a request more than once, or has
    /// an idempotency store).
    count_effects: bool,
    side_effects: u64,
    side_effects_max: u64,
    idempotent_skips: u64,
    downstream_rejections: u64,
    downstream_slowed: u64,
    destination_success: u64,
    destination_failure: u64,
    client_timeouts: u64,
    /// On-demand Inits stopped at the 10 s limit.
    init_timeouts: u64,
    /// Throttles by the account's request rate.
    throttled_request_rate: u64,
    triggered: u64,
    recursive_dropped: u64,
    cache_hits: u64,
    cache_misses: u64,
    iam_allowed: u64,
    iam_denied: u64,
    iam_harmful_allowed: u64,
}

struct Fn {
    cfg: Function,
    arrivals: Arrivals,
    service: Pcg64Mcg,
    routing_rng: Pcg64Mcg,
    retry_rng: Pcg64Mcg,
    runtime_init: Sampler,
    static_init_ms: f64,
    /// The function's own Init code (`init_ms`).
    init_ms: Sampler,
    cpu_ms: Sampler,
    io_ms: Sampler,
    idle_expiry_s: Sampler,
    timeout_us: u64,
    idle: IdlePool,
    provisioned_idle: Vec<u32>,
    active_on_demand: u32,
    in_flight: u32,
    provisioned: u32,
    tokens: u64,
    tokens_t: u64,
    token_cost: u64,
    token_cap: u64,
    token_refill: u64,
    usage: Usage,
    stats: FnStats,
    hist: Histogram<u64>,
    /// How requests reach it.
    kind: InvocationType,
    /// Queues, failures, downstream and idempotency state; `None` for a plain synchronous function.
    ext: Option<Box<FnExt>>,
    /// The units (versions) of the same function, which share its reserved concurrency;
    /// empty when it has no published version.
    group: Vec<usize>,
}

/// What an environment looks like at one moment, for the UI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvSnapshot {
    /// Environment number.
    pub env: u32,
    /// Function index.
    pub function: u16,
    /// State.
    pub state: EnvState,
    /// Provisioned or on demand.
    pub provisioned: bool,
}

/// The state of the whole simulation at one moment.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// Simulated time, in µs.
    pub t_us: u64,
    /// Environments alive, in creation order.
    pub envs: Vec<EnvSnapshot>,
    /// Invocations in flight.
    pub in_flight: u64,
    /// Events processed so far.
    pub events: u64,
}

/// A run in progress. Advance it with [`Simulation::step`] or [`Simulation::run_until`],
/// look at it with [`Simulation::snapshot`], and end it with [`Simulation::finish`].
pub struct Simulation {
    scenario: Scenario,
    prices: Prices,
    now: u64,
    end: u64,
    bucket_us: u64,
    queue: BinaryHeap<Reverse<Scheduled>>,
    /// Each function's next workload arrival, `(t, seq)` (`NO_ARRIVAL` when its workload is
    /// over). Kept beside the heap, not in it: the arrivals are half of a plain run's events,
    /// and one slot per function is cheaper than a push and a pop. The order of events is the
    /// same.
    arrivals: Vec<(u64, u64)>,
    /// The earliest of `arrivals`: `(t, seq, function)`, `t` `u64::MAX` for none.
    first_arrival: (u64, u64, u16),
    seq: u64,
    events: u64,
    fns: Vec<Fn>,
    envs: Vec<Env>,
    free_slots: Vec<u32>,
    env_count: u32,
    idle_epochs: u64,
    next_bucket_us: u64,
    next_request: u64,
    unreserved_pool: u32,
    unreserved_used: u32,
    /// The account's request-rate allowance for synchronous on-demand invocations, in
    /// millionths of a request (a token bucket of one second of `rps_limit`).
    rps_tokens: u64,
    rps_tokens_t: u64,
    /// 10 x the concurrency quota, in requests per second.
    rps_limit: u64,
    in_flight: u64,
    // Time series.
    rows: Vec<Bucket>,
    fn_rows: Vec<Vec<FunctionBucket>>,
    env_us: Vec<u64>,
    busy_us: Vec<u64>,
    init_us: Vec<u64>,
    cur_bucket: usize,
    bucket_hist: Histogram<u64>,
    // Display recording.
    lanes: Vec<Lane>,
    lane_segments: u32,
    lanes_truncated: bool,
    log: Vec<EventRecord>,
    log_truncated: bool,
    // Queues.
    /// Some function has an async or SQS queue.
    has_queues: bool,
    /// Messages and events held by all queues.
    queued_total: u64,
    /// Requests dead-lettered so far, over all functions.
    dlq_total: u64,
    /// DLQ sends the role denied, since the start (for the time series).
    dead_letter_errors_total: u64,
    /// Largest age a request had when it left a queue in the current bucket, in µs.
    bucket_age_max_us: u64,
    /// Triggers, aliases, deployments, alarms and tracing; `None` when the scenario uses none.
    sys: Option<Box<Sys>>,
    /// Traces are kept: invocations remember their I/O time.
    trace_io: bool,
    /// The environment slot of the invocation started last.
    last_started: u32,
}

fn new_hist(sigfig: u8) -> Result<Histogram<u64>, SimError> {
    // 1 µs to about 28 hours is far beyond the 900 s timeout plus Init.
    Histogram::new_with_bounds(1, 100_000_000_000, sigfig)
        .map_err(|e| SimError::Internal(format!("histogram: {e}")))
}

/// The median, 95th and 99th percentiles in ms, in one pass over the histogram (0 when empty).
fn percentiles_ms(h: &Histogram<u64>) -> (f64, f64, f64) {
    if h.is_empty() {
        return (0.0, 0.0, 0.0);
    }
    let mut q = h.value_at_quantiles([0.5, 0.95, 0.99]).map(us_to_ms);
    (
        q.next().unwrap_or(0.0),
        q.next().unwrap_or(0.0),
        q.next().unwrap_or(0.0),
    )
}

impl Simulation {
    /// Validates `scenario` and sets up a run at time 0.
    pub fn new(scenario: &Scenario) -> Result<Simulation, SimError> {
        scenario.validate().map_err(ScenarioError::Invalid)?;
        let end = scenario.duration_us();
        let bucket_us = scenario.bucket_us();
        let n_buckets = end.div_ceil(bucket_us).max(1) as usize;
        let acct = &scenario.account;
        let window_us = s_to_us(acct.scaling_window_s).max(1);
        let reserved_total: u32 = scenario
            .functions
            .iter()
            .filter_map(|f| f.reserved_concurrency)
            .sum();
        let units = scenario.units().map_err(ScenarioError::Invalid)?;
        let mut fns = Vec::with_capacity(units.len());
        for (i, unit) in units.iter().enumerate() {
            let cfg = &unit.cfg;
            let group: Vec<usize> = if units.len() > scenario.functions.len() {
                let g: Vec<usize> = (0..units.len())
                    .filter(|&k| units[k].function == unit.function)
                    .collect();
                if g.len() > 1 {
                    g
                } else {
                    Vec::new()
                }
            } else {
                Vec::new()
            };
            let seed = scenario.seed;
            let cap = u64::from(acct.scaling_envs) * window_us;
            fns.push(Fn {
                arrivals: Arrivals::new(&cfg.workload, stream(seed, i, Purpose::Arrivals), end),
                service: stream(seed, i, Purpose::Service),
                routing_rng: stream(seed, i, Purpose::Routing),
                retry_rng: stream(seed, i, Purpose::Retry),
                runtime_init: cfg.runtime.init_ms(cfg.arch).sampler(),
                static_init_ms: cfg.static_init_ms(),
                init_ms: cfg.init_ms.sampler(),
                cpu_ms: cfg.handler.cpu_ms.scaled(cfg.cpu_stretch()).sampler(),
                io_ms: cfg.handler.io_ms.sampler(),
                idle_expiry_s: cfg.idle_expiry_s.sampler(),
                timeout_us: s_to_us(cfg.timeout_s),
                idle: IdlePool::new(cfg.routing),
                provisioned_idle: Vec::new(),
                active_on_demand: 0,
                in_flight: 0,
                provisioned: cfg.provisioned_concurrency,
                tokens: cap,
                tokens_t: 0,
                token_cost: window_us,
                token_cap: cap,
                token_refill: u64::from(acct.scaling_envs),
                usage: Usage::default(),
                stats: FnStats::default(),
                hist: new_hist(3)?,
                kind: cfg.invocation,
                ext: FnExt::new(cfg, i, seed),
                group,
                cfg: cfg.clone(),
            });
        }
        let mut sim = Simulation {
            prices: Prices::shipped(),
            now: 0,
            end,
            bucket_us,
            queue: BinaryHeap::new(),
            arrivals: vec![NO_ARRIVAL; fns.len()],
            first_arrival: NO_ARRIVAL_FIRST,
            seq: 0,
            events: 0,
            envs: Vec::new(),
            free_slots: Vec::new(),
            env_count: 0,
            idle_epochs: 0,
            next_bucket_us: bucket_us,
            next_request: 1,
            unreserved_pool: acct.concurrency_limit - reserved_total,
            rps_tokens: u64::from(acct.concurrency_limit) * RPS_PER_CONCURRENCY * 1_000_000,
            rps_tokens_t: 0,
            rps_limit: u64::from(acct.concurrency_limit) * RPS_PER_CONCURRENCY,
            unreserved_used: 0,
            in_flight: 0,
            rows: (0..n_buckets)
                .map(|b| Bucket {
                    t_s: us_to_s(b as u64 * bucket_us),
                    ..Bucket::default()
                })
                .collect(),
            fn_rows: vec![vec![FunctionBucket::default(); n_buckets]; fns.len()],
            env_us: vec![0; n_buckets],
            busy_us: vec![0; n_buckets],
            init_us: vec![0; n_buckets],
            cur_bucket: 0,
            bucket_hist: new_hist(2)?,
            lanes: Vec::new(),
            lane_segments: 0,
            lanes_truncated: false,
            log: Vec::new(),
            log_truncated: false,
            has_queues: fns.iter().any(|f| f.kind != InvocationType::Sync),
            queued_total: 0,
            dlq_total: 0,
            dead_letter_errors_total: 0,
            bucket_age_max_us: 0,
            sys: Sys::new(scenario, &units)?,
            trace_io: scenario.tracing.is_some(),
            last_started: 0,
            fns,
            scenario: scenario.clone(),
        };
        sim.sys_start();
        for f in 0..sim.fns.len() {
            sim.fns[f].stats.count_effects =
                sim.fns[f].ext.as_ref().is_some_and(|e| e.count_effects);
        }
        for f in 0..sim.fns.len() {
            // Provisioned environments count against the pools from the start.
            let p = sim.fns[f].provisioned;
            if p > 0 && sim.fns[f].cfg.reserved_concurrency.is_none() {
                sim.unreserved_used += p;
            }
            let ready = s_to_us(sim.fns[f].cfg.provisioned_ready_s);
            for _ in 0..p {
                let slot = sim.new_env(f, true);
                sim.add_interval(Integral::Init, 0, ready);
                // Its lane starts with this Init, as a re-initialisation after a timeout does.
                sim.segment(slot, 0, ready, EnvState::Init);
                sim.schedule(ready, Ev::Ready { slot });
            }
            if let Some(t) = sim.fns[f].arrivals.next_us() {
                sim.schedule(t, Ev::Arrival { f: f as u16 });
            }
        }
        Ok(sim)
    }

    /// Simulated time now, in µs.
    pub fn now_us(&self) -> u64 {
        self.now
    }

    /// The end of the run, in µs.
    pub fn end_us(&self) -> u64 {
        self.end
    }

    /// Processes the next event if it falls before the end; returns its time, or `None` when done.
    pub fn step(&mut self) -> Result<Option<u64>, SimError> {
        let Some(next) = self.peek() else {
            return Ok(None);
        };
        if next.t >= self.end {
            return Ok(None);
        }
        match next.ev {
            Ev::Arrival { f } => self.set_arrival(usize::from(f), NO_ARRIVAL),
            _ => {
                self.queue.pop();
            }
        }
        self.events += 1;
        if self.events > self.scenario.max_events {
            return Err(SimError::EventLimit {
                limit: self.scenario.max_events,
                t_us: next.t,
            });
        }
        self.advance(next.t);
        match next.ev {
            Ev::Arrival { f } => {
                let f = usize::from(f);
                let request = self.next_request;
                self.next_request += 1;
                // An alias may send the request to one of the function's versions.
                let u = match self.sys.as_deref_mut() {
                    None => f,
                    Some(sys) => {
                        let u = sys.route(f);
                        self.sys_arrival(request);
                        u
                    }
                };
                self.fns[u].stats.requests += 1;
                self.rows[self.cur_bucket].arrivals += 1;
                if self.fns[u].kind == InvocationType::Sync {
                    self.invoke(u, request, 0);
                } else {
                    self.queue_arrival(u, request)?;
                }
                if let Some(t) = self.fns[f].arrivals.next_us() {
                    self.schedule(t.max(self.now), Ev::Arrival { f: f as u16 });
                }
            }
            Ev::Retry {
                f,
                request,
                attempt,
            } => self.invoke(usize::from(f), request, attempt),
            Ev::Done { slot } => self.done(slot)?,
            Ev::Expire { slot, gen } => self.expire(slot, gen),
            Ev::Ready { slot } => self.ready(slot),
            ev @ (Ev::Resume { .. } | Ev::Deploy { .. } | Ev::AlarmTick { .. }) => {
                self.sys_event(ev)?
            }
            ev => self.queue_event(ev)?,
        }
        if self.sys.is_some() {
            self.sys_flush();
        }
        Ok(Some(next.t))
    }

    /// Processes every event before `t_us` (or the end, whichever is first).
    pub fn run_until(&mut self, t_us: u64) -> Result<(), SimError> {
        let stop = t_us.min(self.end);
        while let Some(next) = self.peek() {
            if next.t >= stop {
                break;
            }
            self.step()?;
        }
        if stop > self.now {
            self.advance(stop.min(self.end.saturating_sub(1)));
            self.now = stop;
        }
        Ok(())
    }

    /// The environments and counters as they are now.
    pub fn snapshot(&self) -> Snapshot {
        let mut envs: Vec<EnvSnapshot> = self
            .envs
            .iter()
            .filter(|e| e.alive)
            .map(|e| {
                // A cold environment is in Init until its handler starts.
                let state = match e.inv {
                    Some(inv) if inv.cold && self.now < inv.arrived + inv.init_us => EnvState::Init,
                    Some(_) => EnvState::Busy,
                    None => e.state,
                };
                EnvSnapshot {
                    env: e.number,
                    function: e.f,
                    state,
                    provisioned: e.provisioned,
                }
            })
            .collect();
        envs.sort_by_key(|e| e.env);
        Snapshot {
            t_us: self.now,
            envs,
            in_flight: self.in_flight,
            events: self.events,
        }
    }

    /// The state at an earlier (or later) time, by a deterministic re-run from the start.
    pub fn snapshot_at(scenario: &Scenario, t_us: u64) -> Result<Snapshot, SimError> {
        let mut sim = Simulation::new(scenario)?;
        sim.run_until(t_us)?;
        Ok(sim.snapshot())
    }

    /// The next event: the heap's first or the first arrival, whichever comes first.
    #[inline]
    fn peek(&self) -> Option<Scheduled> {
        let (t, seq, f) = self.first_arrival;
        match self.queue.peek() {
            Some(Reverse(s)) if t == u64::MAX || (s.t, s.seq) < (t, seq) => Some(*s),
            _ if t == u64::MAX => None,
            _ => Some(Scheduled {
                t,
                seq,
                ev: Ev::Arrival { f },
            }),
        }
    }

    /// Sets function `f`'s next arrival (`NO_ARRIVAL` for none) and finds the first of all.
    /// Plain integers, not an `Option` of a tuple: a value rebuilt in memory from two halves
    /// stalls the load that reads it whole, and this runs twice per arrival.
    #[inline]
    fn set_arrival(&mut self, f: usize, (t, seq): (u64, u64)) {
        self.arrivals[f] = (t, seq);
        let (ft, fs, ff) = self.first_arrival;
        if t != u64::MAX && (t, seq) < (ft, fs) {
            // Earlier than the first (or there is none): this one is.
            self.first_arrival = (t, seq, f as u16);
        } else if usize::from(ff) == f {
            // The first was this function's: find the new one.
            let mut best = NO_ARRIVAL_FIRST;
            for (i, &(t, seq)) in self.arrivals.iter().enumerate() {
                if (t, seq) < (best.0, best.1) {
                    best = (t, seq, i as u16);
                }
            }
            self.first_arrival = best;
        }
    }

    fn schedule(&mut self, t: u64, ev: Ev) {
        self.seq += 1;
        if let Ev::Arrival { f } = ev {
            self.set_arrival(usize::from(f), (t, self.seq));
            return;
        }
        self.queue.push(Reverse(Scheduled {
            t,
            seq: self.seq,
            ev,
        }));
    }

    fn bucket_of(&self, t: u64) -> usize {
        ((t / self.bucket_us) as usize).min(self.rows.len() - 1)
    }

    /// Moves the clock to `t`, closing the buckets it passes.
    fn advance(&mut self, t: u64) {
        self.now = t;
        if t < self.next_bucket_us {
            return;
        }
        let b = self.bucket_of(t);
        self.next_bucket_us = (b as u64 + 1).saturating_mul(self.bucket_us);
        while self.cur_bucket < b {
            self.close_bucket();
            self.cur_bucket += 1;
            let c = self.cur_bucket;
            self.rows[c].concurrency_max = self.in_flight;
            for (f, func) in self.fns.iter().enumerate() {
                self.fn_rows[f][c].concurrency_max = u64::from(func.in_flight);
            }
            if self.has_queues {
                self.rows[c].queue_depth_max = self.queued_total;
                for (f, func) in self.fns.iter().enumerate() {
                    if let Some(ext) = &func.ext {
                        self.fn_rows[f][c].queue_depth_max = ext.live;
                    }
                }
            }
        }
    }

    fn close_bucket(&mut self) {
        if self.has_queues {
            self.close_queue_bucket();
        }
        // A bucket without completions keeps 0 (and an empty histogram needs no clearing).
        if !self.bucket_hist.is_empty() {
            let row = &mut self.rows[self.cur_bucket];
            (row.p50_ms, row.p95_ms, row.p99_ms) = percentiles_ms(&self.bucket_hist);
            self.bucket_hist.reset();
        }
    }

    fn add_interval(&mut self, series: Integral, start: u64, end: u64) {
        let end = end.min(self.end);
        if end <= start {
            return;
        }
        let arr = match series {
            Integral::Env => &mut self.env_us,
            Integral::Busy => &mut self.busy_us,
            Integral::Init => &mut self.init_us,
        };
        let mut t = start;
        while t < end {
            let b = ((t / self.bucket_us) as usize).min(arr.len() - 1);
            let b_end = ((b as u64 + 1) * self.bucket_us).min(end);
            let b_end = if b == arr.len() - 1 { end } else { b_end };
            arr[b] += b_end - t;
            t = b_end;
        }
    }

    fn record(&mut self, f: usize, kind: EventKind) {
        if self.log.len() < self.scenario.record.events as usize {
            self.log.push(EventRecord {
                t_us: self.now,
                function: f as u16,
                kind,
            });
        } else {
            self.log_truncated = true;
        }
    }

    fn segment(&mut self, slot: u32, start: u64, end: u64, state: EnvState) {
        let lane = self.envs[slot as usize].lane;
        if lane == NO_LANE || end <= start {
            return;
        }
        if self.lane_segments >= self.scenario.record.segments {
            self.lanes_truncated = true;
            return;
        }
        self.lane_segments += 1;
        self.lanes[lane as usize].segments.push(Segment {
            start_us: start,
            end_us: end.min(self.end),
            state,
        });
    }

    fn new_env(&mut self, f: usize, provisioned: bool) -> u32 {
        self.env_count += 1;
        let number = self.env_count;
        let lane = if number <= self.scenario.record.lanes {
            self.lanes.push(Lane {
                env: number,
                function: f as u16,
                provisioned,
                created_us: self.now,
                reaped_us: None,
                segments: Vec::new(),
            });
            (self.lanes.len() - 1) as u32
        } else {
            NO_LANE
        };
        let retire_at = match self.fns[f].cfg.max_lifetime_s {
            Some(l) if !provisioned => self.now.saturating_add(s_to_us(l)),
            _ => u64::MAX,
        };
        let env = Env {
            number,
            f: f as u16,
            state: EnvState::Init,
            alive: true,
            provisioned,
            created: self.now,
            since: self.now,
            expire_at: 0,
            expiry_pending: false,
            gen: 0,
            idle_key: 0,
            idle_epoch: 0,
            idle_pos: 0,
            retire_at,
            inv: None,
            lane,
        };
        self.fns[f].stats.envs_created += 1;
        match self.free_slots.pop() {
            Some(slot) => {
                let gen = self.envs[slot as usize].gen.wrapping_add(1);
                self.envs[slot as usize] = Env { gen, ..env };
                slot
            }
            None => {
                self.envs.push(env);
                (self.envs.len() - 1) as u32
            }
        }
    }

    /// Refills the function's scaling allowance and takes one new environment from it.
    fn take_scaling_token(&mut self, f: usize) -> bool {
        let func = &mut self.fns[f];
        let elapsed = self.now - func.tokens_t;
        func.tokens = func
            .tokens
            .saturating_add(elapsed.saturating_mul(func.token_refill))
            .min(func.token_cap);
        func.tokens_t = self.now;
        if func.tokens >= func.token_cost {
            func.tokens -= func.token_cost;
            true
        } else {
            false
        }
    }

    /// Whether the account's request rate allows one more synchronous on-demand invocation
    /// now, taking it if so: 10 x the concurrency quota per second, refilled continuously
    /// (lambda-facts.md section 5; scaling-behavior.html).
    fn take_rps_token(&mut self) -> bool {
        let elapsed = self.now - self.rps_tokens_t;
        self.rps_tokens_t = self.now;
        // Refill: `rps_limit` requests per second is `rps_limit` millionths per µs.
        let cap = self.rps_limit.saturating_mul(1_000_000);
        self.rps_tokens = self
            .rps_tokens
            .saturating_add(elapsed.saturating_mul(self.rps_limit))
            .min(cap);
        if self.rps_tokens >= 1_000_000 {
            self.rps_tokens -= 1_000_000;
            true
        } else {
            false
        }
    }

    /// Whether one more on-demand execution of function `f` fits its concurrency pool.
    fn concurrency_room(&self, f: usize) -> Result<(), ThrottleReason> {
        let func = &self.fns[f];
        match func.cfg.reserved_concurrency {
            Some(r) if func.group.is_empty() && func.active_on_demand + func.provisioned >= r => {
                Err(ThrottleReason::ReservedLimit)
            }
            // Versions share their function's reserved concurrency.
            Some(r)
                if func
                    .group
                    .iter()
                    .map(|&k| self.fns[k].active_on_demand + self.fns[k].provisioned)
                    .sum::<u32>()
                    >= r =>
            {
                Err(ThrottleReason::ReservedLimit)
            }
            Some(_) => Ok(()),
            None if self.unreserved_used >= self.unreserved_pool => {
                Err(ThrottleReason::AccountLimit)
            }
            None => Ok(()),
        }
    }

    /// A synchronous attempt: the caller waits, and a throttle is a 429 back to it.
    fn invoke(&mut self, f: usize, request: u64, attempt: u32) {
        self.count_invocation(f);
        self.record(f, EventKind::Arrival { request, attempt });
        match self.try_start(f, request, attempt, Src::Sync) {
            Ok(()) => {
                if self.fns[f].ext.is_some() {
                    self.delivery_start(f, request, None);
                }
            }
            Err(reason) => self.throttle(f, request, attempt, reason),
        }
    }

    /// Counts one invocation attempt of function `f`.
    #[inline(always)]
    fn count_invocation(&mut self, f: usize) {
        let b = self.cur_bucket;
        self.fns[f].stats.invocations += 1;
        self.rows[b].invocations += 1;
        self.fn_rows[f][b].invocations += 1;
    }

    /// Starts an invocation on a provisioned, warm or new environment, or says which limit
    /// refuses it. Inlined: a call here measurably slowed the synchronous hot path.
    #[inline(always)]
    fn try_start(
        &mut self,
        f: usize,
        request: u64,
        attempt: u32,
        src: Src,
    ) -> Result<(), ThrottleReason> {
        // 1. A ready provisioned environment.
        if let Some(slot) = self.fns[f].provisioned_idle.pop() {
            self.fns[f].stats.provisioned_invocations += 1;
            self.start(slot, request, attempt, None, src);
            return Ok(());
        }
        let spill = self.fns[f].provisioned > 0;
        self.concurrency_room(f)?;
        if src == Src::Sync && !self.take_rps_token() {
            return Err(ThrottleReason::RequestRate);
        }
        // 2. A warm on-demand environment, chosen by the routing policy.
        let func = &mut self.fns[f];
        if let Some(slot) = func.idle.take(&mut func.routing_rng, &mut self.envs) {
            self.occupy(f);
            if spill {
                self.fns[f].stats.spillover += 1;
            }
            self.start(slot, request, attempt, None, src);
            return Ok(());
        }
        // 3. A new environment, if the scaling rate allows one.
        if !self.take_scaling_token(f) {
            return Err(ThrottleReason::ScalingRate);
        }
        self.occupy(f);
        if spill {
            self.fns[f].stats.spillover += 1;
        }
        let slot = self.new_env(f, false);
        let func = &mut self.fns[f];
        let init_ms = func.runtime_init.sample(&mut func.service)
            + func.static_init_ms
            + func.init_ms.sample(&mut func.service);
        self.start(slot, request, attempt, Some(init_us(init_ms)), src);
        Ok(())
    }

    /// Counts a throttled invocation attempt (any invocation type) and records it.
    fn count_throttle(&mut self, f: usize, request: u64, reason: ThrottleReason) {
        let b = self.cur_bucket;
        self.fns[f].stats.throttled += 1;
        if reason == ThrottleReason::RequestRate {
            self.fns[f].stats.throttled_request_rate += 1;
        }
        self.rows[b].throttles += 1;
        self.fn_rows[f][b].throttles += 1;
        self.record(f, EventKind::Throttled { request, reason });
    }

    /// Takes one on-demand concurrency slot for function `f`.
    fn occupy(&mut self, f: usize) {
        self.fns[f].active_on_demand += 1;
        if self.fns[f].cfg.reserved_concurrency.is_none() {
            self.unreserved_used += 1;
        }
    }

    fn release(&mut self, f: usize) {
        self.fns[f].active_on_demand -= 1;
        if self.fns[f].cfg.reserved_concurrency.is_none() {
            self.unreserved_used -= 1;
        }
    }

    fn throttle(&mut self, f: usize, request: u64, attempt: u32, reason: ThrottleReason) {
        self.count_throttle(f, request, reason);
        if !self.retry(f, request, attempt) {
            self.fns[f].stats.throttled_final += 1;
            if self.fns[f].ext.is_some() {
                self.request_terminal(f, request);
            }
            if self.sys.is_some() {
                self.sys_end(request, false);
            }
        }
    }

    /// Schedules the caller's next attempt if it has one left; false when it gives up.
    fn retry(&mut self, f: usize, request: u64, attempt: u32) -> bool {
        let func = &mut self.fns[f];
        let c = &func.cfg.client;
        if attempt >= c.retries {
            return false;
        }
        let backoff_ms =
            (c.backoff_base_ms * libm::pow(2.0, f64::from(attempt))).min(c.backoff_cap_ms);
        let delay_ms = if c.jitter {
            backoff_ms * func.retry_rng.gen::<f64>()
        } else {
            backoff_ms
        };
        let delay_us = ms_to_us(delay_ms);
        func.stats.retries += 1;
        self.rows[self.cur_bucket].retries += 1;
        self.record(
            f,
            EventKind::RetryScheduled {
                request,
                attempt: attempt + 1,
                delay_us,
            },
        );
        self.schedule(
            self.now + delay_us,
            Ev::Retry {
                f: f as u16,
                request,
                attempt: attempt + 1,
            },
        );
        true
    }

    /// On demand, Init is limited to 10 s: past it, Init is stopped and runs again inside the
    /// first invoke, within the function's timeout (lambda-facts.md section 1;
    /// lambda-runtime-environment.html). Returns the Init phase as it shows and the invoke's
    /// time and outcome, the second Init included. Provisioned environments are not limited
    /// here: they initialise before any request, with up to 130 s.
    fn limit_init(
        &mut self,
        slot: usize,
        init_us: Option<u64>,
        run_us: u64,
        outcome: Outcome,
    ) -> (u64, u64, Outcome) {
        let init = init_us.unwrap_or(0);
        if init <= ON_DEMAND_INIT_LIMIT_US || self.envs[slot].provisioned {
            return (init, run_us, outcome);
        }
        let f = usize::from(self.envs[slot].f);
        let func = &mut self.fns[f];
        func.stats.init_timeouts += 1;
        let invoke_us = init.saturating_add(run_us);
        if invoke_us > func.timeout_us {
            (ON_DEMAND_INIT_LIMIT_US, func.timeout_us, Outcome::Timeout)
        } else {
            (ON_DEMAND_INIT_LIMIT_US, invoke_us, outcome)
        }
    }

    /// Starts an invocation on environment `slot`; `init_us` is `Some` for a cold start.
    fn start(&mut self, slot: u32, request: u64, attempt: u32, init_us: Option<u64>, src: Src) {
        let s = slot as usize;
        self.last_started = slot;
        let f = usize::from(self.envs[s].f);
        let now = self.now;
        // Close the idle segment of a warm environment.
        if init_us.is_none() {
            let idle_since = self.envs[s].since;
            self.segment(slot, idle_since, now, EnvState::Idle);
        }
        let func = &mut self.fns[f];
        let (run_us, outcome, conn, io_us) = if func.ext.is_none() {
            let cpu_ms = func.cpu_ms.sample(&mut func.service);
            let io_ms = func.io_ms.sample(&mut func.service);
            let handler_ms = cpu_ms + io_ms;
            // Kept only for traces: a conversion less on the hot path otherwise.
            let io_us = if self.trace_io { ms_to_us(io_ms) } else { 0 };
            let failed =
                func.cfg.error_rate > 0.0 && func.service.gen::<f64>() < func.cfg.error_rate;
            let mut run_us = ms_to_us(handler_ms);
            let outcome = if run_us > func.timeout_us {
                run_us = func.timeout_us;
                Outcome::Timeout
            } else if failed {
                Outcome::Error
            } else {
                Outcome::Success
            };
            (run_us, outcome, false, io_us)
        } else {
            let number = self.envs[s].number;
            self.plan(f, request, src, number)
        };
        let (init, run_us, outcome) = self.limit_init(s, init_us, run_us, outcome);
        let b = self.cur_bucket;
        let func = &mut self.fns[f];
        func.in_flight += 1;
        func.stats.concurrency_max = func.stats.concurrency_max.max(u64::from(func.in_flight));
        let fin = u64::from(func.in_flight);
        let fb = &mut self.fn_rows[f][b];
        fb.concurrency_max = fb.concurrency_max.max(fin);
        self.in_flight += 1;
        self.rows[b].concurrency_max = self.rows[b].concurrency_max.max(self.in_flight);
        let provisioned = self.envs[s].provisioned;
        if init_us.is_some() {
            self.fns[f].stats.cold_starts += 1;
            self.rows[b].cold_starts += 1;
            self.fn_rows[f][b].cold_starts += 1;
            self.record(
                f,
                EventKind::ColdStart {
                    env: self.envs[s].number,
                    request,
                    init_us: init,
                },
            );
            self.add_interval(Integral::Init, now, now + init);
            self.fns[f].stats.init_us += u128::from(init.min(self.end - now));
            self.segment(slot, now, now + init, EnvState::Init);
        } else {
            self.record(
                f,
                EventKind::WarmStart {
                    env: self.envs[s].number,
                    request,
                    provisioned,
                },
            );
        }
        let env = &mut self.envs[s];
        env.state = if init_us.is_some() {
            EnvState::Init
        } else {
            EnvState::Busy
        };
        env.since = now + init;
        env.inv = Some(Invocation {
            request,
            attempt,
            arrived: now,
            cold: init_us.is_some(),
            init_us: init,
            run_us,
            outcome,
            src,
            abandoned: false,
            conn,
            call: 0,
            call_token: 0,
            own_us: run_us,
            io_us,
        });
        if let Some(t) = self.fns[f].ext.as_ref().and_then(|e| e.client_timeout_us) {
            if src == Src::Sync && init + run_us > t {
                self.set_client_deadline(slot, now + t);
            }
        }
        if let Src::Sqs(b) = src {
            self.sqs_started(f, b, now + init + run_us, outcome);
        }
        let busy_start = now + init;
        self.add_interval(Integral::Busy, busy_start, busy_start + run_us);
        let counted = (busy_start + run_us).min(self.end).saturating_sub(now);
        self.fns[f].stats.running_us += u128::from(counted);
        self.schedule(busy_start + run_us, Ev::Done { slot });
    }

    fn done(&mut self, slot: u32) -> Result<(), SimError> {
        let s = slot as usize;
        let Some(inv) = self.envs[s].inv.take() else {
            return Err(SimError::Internal(format!(
                "env slot {slot} finished with no invocation"
            )));
        };
        let f = usize::from(self.envs[s].f);
        if self.sys.is_some() && self.call_pending(f, &inv) {
            return self.start_call(slot, inv);
        }
        let now = self.now;
        let provisioned = self.envs[s].provisioned;
        let busy_start = now - inv.run_us;
        self.segment(slot, busy_start, now, EnvState::Busy);
        let duration_us = now - inv.arrived;
        let b = self.cur_bucket;
        let mem = u128::from(self.fns[f].cfg.memory_mb);
        let bill_init = self.scenario.cost.bill_init && inv.cold;
        let billed_ms =
            u128::from((inv.run_us + if bill_init { inv.init_us } else { 0 }).div_ceil(US_PER_MS));
        let arch = self.fns[f].cfg.arch;
        let p = *self.prices.for_arch(arch);
        let func = &mut self.fns[f];
        func.usage.requests += 1;
        // One invocation's MB-ms fit a u64 (and an f64 exactly): the conversion from u128,
        // a library call, is for the totals only.
        let gb_s = (billed_ms * mem) as u64 as f64 / 1_024.0 / 1_000.0;
        let bucket_cost = if provisioned {
            func.usage.provisioned_exec_mb_ms += billed_ms * mem;
            gb_s * p.provisioned_execution_gb_s_usd
        } else {
            func.usage.mb_ms += billed_ms * mem;
            gb_s * p.gb_s_usd
        };
        self.rows[b].cost_usd += bucket_cost + p.request_usd;
        func.stats.completed += 1;
        func.stats.duration_sum_us += u128::from(duration_us);
        let _ = func.hist.record(duration_us.max(1));
        let _ = self.bucket_hist.record(duration_us.max(1));
        self.rows[b].completions += 1;
        func.in_flight -= 1;
        self.in_flight -= 1;
        if !provisioned {
            self.release(f);
        }
        self.record(
            f,
            EventKind::Complete {
                env: self.envs[s].number,
                request: inv.request,
                duration_us,
                outcome: inv.outcome,
            },
        );
        if self.fns[f].ext.is_none() {
            match inv.outcome {
                Outcome::Success => {
                    self.fns[f].stats.succeeded += 1;
                    if self.sys.is_some() {
                        self.sys_end(inv.request, true);
                    }
                }
                Outcome::Error | Outcome::Timeout => {
                    let func = &mut self.fns[f];
                    func.stats.errors += 1;
                    if inv.outcome == Outcome::Timeout {
                        func.stats.timeouts += 1;
                    }
                    self.rows[b].errors += 1;
                    self.fn_rows[f][b].errors += 1;
                    let retry_errors = self.fns[f].cfg.client.retry_errors;
                    if !(retry_errors && self.retry(f, inv.request, inv.attempt)) {
                        self.fns[f].stats.failed += 1;
                        if self.sys.is_some() {
                            self.sys_end(inv.request, false);
                        }
                    }
                }
            }
        } else {
            if inv.outcome != Outcome::Success {
                let func = &mut self.fns[f];
                func.stats.errors += 1;
                if inv.outcome == Outcome::Timeout {
                    func.stats.timeouts += 1;
                }
                self.rows[b].errors += 1;
                self.fn_rows[f][b].errors += 1;
            }
            self.ext_done(f, &inv)?;
        }
        if self.sys.is_some() {
            self.sys_after(f, &inv, duration_us)?;
        }
        // What the environment does next.
        if inv.outcome == Outcome::Timeout {
            // A timeout resets the environment: on demand it is gone; provisioned, it re-initialises.
            if provisioned {
                let init_ms = {
                    let func = &mut self.fns[f];
                    func.runtime_init.sample(&mut func.service)
                        + func.static_init_ms
                        + func.init_ms.sample(&mut func.service)
                };
                let init = init_us(init_ms);
                self.envs[s].state = EnvState::Init;
                self.envs[s].since = now;
                self.add_interval(Integral::Init, now, now + init);
                self.segment(slot, now, now + init, EnvState::Init);
                self.schedule(now + init, Ev::Ready { slot });
            } else {
                self.reap(slot, ReapReason::Timeout);
            }
        } else if now >= self.envs[s].retire_at {
            self.reap(slot, ReapReason::Lifetime);
        } else {
            self.make_idle(slot);
        }
        // Only now, with the environment idle again, can a poller's next batch use it.
        if self.fns[f].kind == InvocationType::Sqs {
            self.sqs_poll(f)?;
        }
        Ok(())
    }

    fn make_idle(&mut self, slot: u32) {
        let s = slot as usize;
        let f = usize::from(self.envs[s].f);
        let now = self.now;
        let env = &mut self.envs[s];
        env.state = EnvState::Idle;
        env.since = now;
        if env.provisioned {
            self.fns[f].provisioned_idle.push(slot);
            return;
        }
        self.idle_epochs += 1;
        env.idle_epoch = self.idle_epochs;
        let func = &mut self.fns[f];
        env.idle_key = match func.cfg.routing {
            Routing::MostRecentlyUsed => now,
            _ => u64::from(env.number),
        };
        let keep_us = s_to_us(func.idle_expiry_s.sample(&mut func.service));
        env.expire_at = now.saturating_add(keep_us);
        func.idle.insert(slot, env);
        // One pending expiry per environment at most: when it fires early (the environment
        // was used again meanwhile) it re-arms itself for the new deadline.
        if !env.expiry_pending {
            env.expiry_pending = true;
            let (t, gen) = (env.expire_at, env.gen);
            self.schedule(t, Ev::Expire { slot, gen });
        }
    }

    fn expire(&mut self, slot: u32, gen: u32) {
        let s = slot as usize;
        let env = &self.envs[s];
        // The generation changes only when a slot is reused: a different one means this
        // expiry belonged to an environment that is gone.
        if env.gen != gen || !env.alive || env.provisioned {
            return;
        }
        self.envs[s].expiry_pending = false;
        if self.envs[s].state != EnvState::Idle {
            return; // It will schedule a fresh expiry when it next goes idle.
        }
        if self.now >= self.envs[s].expire_at {
            let f = usize::from(self.envs[s].f);
            let mut pool = std::mem::replace(&mut self.fns[f].idle, IdlePool::Random(Vec::new()));
            pool.remove(slot, &mut self.envs);
            self.fns[f].idle = pool;
            let since = self.envs[s].since;
            self.segment(slot, since, self.now, EnvState::Idle);
            self.reap(slot, ReapReason::IdleExpiry);
        } else {
            self.envs[s].expiry_pending = true;
            let (t, gen) = (self.envs[s].expire_at, self.envs[s].gen);
            self.schedule(t, Ev::Expire { slot, gen });
        }
    }

    fn ready(&mut self, slot: u32) {
        let s = slot as usize;
        let f = usize::from(self.envs[s].f);
        self.record(
            f,
            EventKind::ProvisionedReady {
                env: self.envs[s].number,
            },
        );
        self.make_idle(slot);
    }

    fn reap(&mut self, slot: u32, reason: ReapReason) {
        let s = slot as usize;
        let f = usize::from(self.envs[s].f);
        let now = self.now;
        let created = self.envs[s].created;
        self.add_interval(Integral::Env, created, now);
        let func = &mut self.fns[f];
        func.stats.reaped += 1;
        func.stats.lifespan_sum_us += u128::from(now - created);
        func.stats.alive_us += u128::from(now - created);
        let env = &mut self.envs[s];
        env.alive = false;
        env.expiry_pending = false;
        if env.lane != NO_LANE {
            self.lanes[env.lane as usize].reaped_us = Some(now);
        }
        let number = env.number;
        if let Some(ext) = self.fns[f].ext.as_deref_mut() {
            ext.env_gone(number);
        }
        self.record(
            f,
            EventKind::Reaped {
                env: number,
                reason,
            },
        );
        self.free_slots.push(slot);
    }

    /// Ends the run: closes open intervals, prices usage, and returns the report.
    pub fn finish(mut self) -> Result<Report, SimError> {
        let end = self.end;
        self.advance(end.saturating_sub(1));
        self.now = end;
        self.close_bucket();
        if self.sys.is_some() {
            self.sys_final_ticks();
        }
        // Environments alive at the end.
        let mut in_flight_requests = 0u64;
        for slot in 0..self.envs.len() {
            let (alive, created, f) = (
                self.envs[slot].alive,
                self.envs[slot].created,
                usize::from(self.envs[slot].f),
            );
            if !alive {
                continue;
            }
            self.add_interval(Integral::Env, created, end);
            self.fns[f].stats.alive_us += u128::from(end - created);
            let since = self.envs[slot].since;
            match (self.envs[slot].state, self.envs[slot].inv) {
                (EnvState::Idle, _) => self.segment(slot as u32, since, end, EnvState::Idle),
                (_, Some(inv)) => {
                    in_flight_requests += 1;
                    let busy_start = inv.arrived + inv.init_us;
                    self.segment(slot as u32, busy_start, end, EnvState::Busy);
                    if inv.src != Src::Sync || inv.abandoned {
                        // A queued request is counted with its queue, and a caller that gave
                        // up has a retry pending or has ended.
                        in_flight_requests -= 1;
                    }
                }
                (_, None) => {} // A provisioned environment still initialising: its segment is recorded.
            }
        }
        // Retries still waiting.
        let mut pending_retries = vec![0u64; self.fns.len()];
        for Reverse(s) in self.queue.iter() {
            if let Ev::Retry { f, .. } = s.ev {
                pending_retries[usize::from(f)] += 1;
            }
        }
        let busy_by_fn: Vec<u64> = (0..self.fns.len())
            .map(|f| {
                self.envs
                    .iter()
                    .filter(|e| {
                        e.alive
                            && usize::from(e.f) == f
                            && e.inv.is_some_and(|i| i.src == Src::Sync && !i.abandoned)
                    })
                    .count() as u64
            })
            .collect();
        debug_assert_eq!(busy_by_fn.iter().sum::<u64>(), in_flight_requests);
        // Requests still in a queue (waiting, being processed or waiting for a retry).
        let queued_by_fn: Vec<u64> = (0..self.fns.len()).map(|f| self.finish_queue(f)).collect();

        // Prices.
        let duration_s = us_to_s(end);
        let month_fraction = duration_s / (30.0 * 86_400.0);
        let mut free_left = self.scenario.cost.free_tier.then_some((
            self.prices.free_tier.requests * month_fraction,
            self.prices.free_tier.gb_s * month_fraction,
        ));
        let unit = self.prices.provisioned_billing_unit_s;
        let billed_provisioned_s = libm::ceil(duration_s / unit) * unit;
        let n_buckets = self.rows.len() as f64;

        let mut functions = Vec::with_capacity(self.fns.len());
        let mut total_hist = new_hist(3)?;
        let mut ledger = Ledger::default();
        let mut total_cost = CostBreakdown::default();
        let mut total_usage = Usage::default();
        for (i, func) in self.fns.iter().enumerate() {
            let st = &func.stats;
            let p = self.prices.for_arch(func.cfg.arch);
            let provisioned_mb_s =
                f64::from(func.provisioned) * f64::from(func.cfg.memory_mb) * billed_provisioned_s;
            let c = cost::price(&func.usage, p, provisioned_mb_s, free_left);
            if let Some((req, gbs)) = free_left.as_mut() {
                *req = (*req - func.usage.requests as f64).max(0.0);
                *gbs = (*gbs - cost::mb_ms_to_gb_s(func.usage.mb_ms)).max(0.0);
            }
            // Provisioned allocation accrues evenly over time.
            let per_bucket = c.provisioned_usd / n_buckets;
            if per_bucket > 0.0 {
                for row in &mut self.rows {
                    row.cost_usd += per_bucket;
                }
            }
            let fl = Ledger {
                requests: st.requests,
                succeeded: st.succeeded,
                failed: st.failed,
                throttled: st.throttled_final,
                dead_lettered: st.dead_lettered,
                dropped: st.dropped,
                in_flight: busy_by_fn[i] + pending_retries[i] + queued_by_fn[i],
            };
            if !fl.balances() {
                return Err(SimError::Internal(format!(
                    "ledger of function {} does not balance: {fl:?}",
                    func.cfg.name
                )));
            }
            let s = summarise(st, &func.hist, duration_s, &c, &func.usage, self.events);
            total_hist
                .add(&func.hist)
                .map_err(|e| SimError::Internal(format!("histogram: {e}")))?;
            ledger.requests += fl.requests;
            ledger.succeeded += fl.succeeded;
            ledger.failed += fl.failed;
            ledger.throttled += fl.throttled;
            ledger.dead_lettered += fl.dead_lettered;
            ledger.dropped += fl.dropped;
            ledger.in_flight += fl.in_flight;
            total_cost.add(&c);
            total_usage.add(&func.usage);
            functions.push(FunctionSummary {
                name: func.cfg.name.clone(),
                summary: s,
            });
        }
        let mut all = FnStats::default();
        for func in &self.fns {
            let st = &func.stats;
            all.requests += st.requests;
            all.invocations += st.invocations;
            all.completed += st.completed;
            all.cold_starts += st.cold_starts;
            all.throttled += st.throttled;
            all.errors += st.errors;
            all.timeouts += st.timeouts;
            all.retries += st.retries;
            all.provisioned_invocations += st.provisioned_invocations;
            all.spillover += st.spillover;
            all.envs_created += st.envs_created;
            all.duration_sum_us += st.duration_sum_us;
            all.reaped += st.reaped;
            all.lifespan_sum_us += st.lifespan_sum_us;
            all.alive_us += st.alive_us;
            all.running_us += st.running_us;
            all.init_us += st.init_us;
            all.queue_depth_max += st.queue_depth_max;
            all.queue_age_max_us = all.queue_age_max_us.max(st.queue_age_max_us);
            all.dead_lettered += st.dead_lettered;
            all.dropped += st.dropped;
            all.async_age_max_us = all.async_age_max_us.max(st.async_age_max_us);
            all.async_events_dropped += st.async_events_dropped;
            all.async_retries += st.async_retries;
            all.async_requeues += st.async_requeues;
            all.async_system_errors += st.async_system_errors;
            all.dead_letter_errors += st.dead_letter_errors;
            all.destination_delivery_failures += st.destination_delivery_failures;
            all.batches += st.batches;
            all.batch_item_failures += st.batch_item_failures;
            all.messages_redelivered += st.messages_redelivered;
            all.duplicates += st.duplicates;
            all.count_effects |= st.count_effects;
            // A function that does not count side effects applied one per successful invocation.
            let (effects, effects_max) = if st.count_effects {
                (st.side_effects, st.side_effects_max)
            } else {
                let ok = st.completed.saturating_sub(st.errors);
                (ok, ok.min(1))
            };
            all.side_effects += effects;
            all.side_effects_max = all.side_effects_max.max(effects_max);
            all.idempotent_skips += st.idempotent_skips;
            all.downstream_rejections += st.downstream_rejections;
            all.downstream_slowed += st.downstream_slowed;
            all.destination_success += st.destination_success;
            all.destination_failure += st.destination_failure;
            all.client_timeouts += st.client_timeouts;
            all.init_timeouts += st.init_timeouts;
            all.throttled_request_rate += st.throttled_request_rate;
            all.triggered += st.triggered;
            all.recursive_dropped += st.recursive_dropped;
            all.cache_hits += st.cache_hits;
            all.cache_misses += st.cache_misses;
            all.iam_allowed += st.iam_allowed;
            all.iam_denied += st.iam_denied;
            all.iam_harmful_allowed += st.iam_harmful_allowed;
        }
        // The account's queue depth is the most held at once by all queues together.
        all.queue_depth_max = self
            .rows
            .iter()
            .map(|r| r.queue_depth_max)
            .max()
            .unwrap_or(0);
        let concurrency_max = self
            .rows
            .iter()
            .map(|r| r.concurrency_max)
            .max()
            .unwrap_or(0);
        all.concurrency_max = concurrency_max;
        let total = summarise(
            &all,
            &total_hist,
            duration_s,
            &total_cost,
            &total_usage,
            self.events,
        );

        // Bucket means and running cost.
        let width = self.bucket_us as f64;
        let mut cum = 0.0;
        let last = self.rows.len() - 1;
        for (b, row) in self.rows.iter_mut().enumerate() {
            let w = if b == last {
                (end - b as u64 * self.bucket_us) as f64
            } else {
                width
            };
            let w = w.max(1.0);
            row.envs_mean = self.env_us[b] as f64 / w;
            row.init_mean = self.init_us[b] as f64 / w;
            row.busy_mean = self.busy_us[b] as f64 / w;
            row.idle_mean = (row.envs_mean - row.init_mean - row.busy_mean).max(0.0);
            cum += row.cost_usd;
            row.cost_cum_usd = cum;
        }
        let function_names = self.fns.iter().map(|f| f.cfg.name.clone()).collect();
        let (alarms, deployments, tracing) = self.sys_finish();
        Ok(Report {
            summary: total,
            functions,
            ledger,
            series: Series {
                bucket_s: us_to_s(self.bucket_us),
                rows: self.rows,
                by_function: self.fn_rows,
            },
            lanes: Lanes {
                hidden_envs: u64::from(self.env_count.saturating_sub(self.scenario.record.lanes)),
                lanes: self.lanes,
                truncated: self.lanes_truncated,
            },
            events: self.log,
            events_truncated: self.log_truncated,
            function_names,
            alarms,
            deployments,
            tracing,
        })
    }
}

/// Which time integral an interval adds to.
#[derive(Clone, Copy)]
enum Integral {
    Env,
    Busy,
    Init,
}

fn summarise(
    st: &FnStats,
    hist: &Histogram<u64>,
    duration_s: f64,
    c: &CostBreakdown,
    usage: &Usage,
    events: u64,
) -> Summary {
    let span_us = duration_s * 1e6;
    let (p50, p95, p99) = percentiles_ms(hist);
    let ratio = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let alive = st.alive_us as f64 / span_us;
    let running = st.running_us as f64 / span_us;
    Summary {
        duration_s,
        requests: st.requests,
        invocations: st.invocations,
        completed: st.completed,
        cold_starts: st.cold_starts,
        cold_start_ratio: ratio(st.cold_starts, st.invocations),
        throttled: st.throttled,
        throttle_ratio: ratio(st.throttled, st.invocations),
        errors: st.errors,
        timeouts: st.timeouts,
        retries: st.retries,
        provisioned_invocations: st.provisioned_invocations,
        spillover_invocations: st.spillover,
        envs_created: st.envs_created,
        env_count_mean: alive,
        busy_env_mean: running,
        idle_env_mean: (alive - running).max(0.0),
        init_env_mean: st.init_us as f64 / span_us,
        env_lifespan_mean_s: if st.reaped == 0 {
            0.0
        } else {
            st.lifespan_sum_us as f64 / st.reaped as f64 / 1e6
        },
        concurrency_max: st.concurrency_max,
        duration_ms_mean: if st.completed == 0 {
            0.0
        } else {
            st.duration_sum_us as f64 / st.completed as f64 / 1e3
        },
        duration_ms_p50: p50,
        duration_ms_p95: p95,
        duration_ms_p99: p99,
        duration_ms_max: if hist.is_empty() {
            0.0
        } else {
            us_to_ms(hist.max())
        },
        billed_gb_s: cost::mb_ms_to_gb_s(usage.mb_ms + usage.provisioned_exec_mb_ms),
        cost_usd: c.total_usd,
        cost: *c,
        events,
        queue_depth_max: st.queue_depth_max,
        queue_age_ms_max: us_to_ms(st.queue_age_max_us),
        dlq_depth: st.dead_lettered,
        async_event_age_ms_max: us_to_ms(st.async_age_max_us),
        async_events_dropped: st.async_events_dropped,
        async_retries: st.async_retries,
        async_requeues: st.async_requeues,
        async_system_errors: st.async_system_errors,
        dead_letter_errors: st.dead_letter_errors,
        destination_delivery_failures: st.destination_delivery_failures,
        batches: st.batches,
        batch_item_failures: st.batch_item_failures,
        messages_redelivered: st.messages_redelivered,
        duplicates: st.duplicates,
        side_effects_total: st.count_effects.then_some(st.side_effects),
        side_effects_max_per_id: st.count_effects.then_some(st.side_effects_max),
        idempotent_skips: st.idempotent_skips,
        downstream_rejections: st.downstream_rejections,
        downstream_slowed: st.downstream_slowed,
        destination_success: st.destination_success,
        destination_failure: st.destination_failure,
        client_timeouts: st.client_timeouts,
        init_timeouts: st.init_timeouts,
        throttled_request_rate: st.throttled_request_rate,
        triggered: st.triggered,
        recursive_invocations_dropped: st.recursive_dropped,
        cache_hits: st.cache_hits,
        cache_misses: st.cache_misses,
        cache_hit_ratio: ratio(st.cache_hits, st.cache_hits + st.cache_misses),
        iam_allowed: st.iam_allowed,
        iam_denied: st.iam_denied,
        iam_harmful_allowed: st.iam_harmful_allowed,
    }
}
