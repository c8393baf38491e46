//! The discrete-event simulation: stepping and dispatch. A [`Simulation`] is set up from a
//! scenario, advanced one event at a time, and finished into a report.
//!
//! Time is integer microseconds. Events are ordered by `(time, sequence)`, so ties resolve
//! in the order they were scheduled. Every random draw comes from a stream derived from the
//! scenario's seed and the purpose of the draw (see `stream`), so one function's traffic
//! does not change when another knob does.
//!
//! The parts, each in its own module: the event queue (`queue`), execution environments and
//! the scaling rate (`env`), an invocation from start to end (`invoke`), the counters and
//! the time series (`tally`), the display recording (`record`), the random streams
//! (`streams`), maps keyed by ids (`ids`), and the report (`finish`).
//! Everything beyond a plain synchronous call (queues, failures, side effects) hangs off a
//! per-function `FnExt` (`delivery`, `async_queue`, `sqs`, `faults`, `effects`, `cache`,
//! `iam`) that is `None` for a plain synchronous function, so its hot path does not change;
//! triggers, aliases, deployments, alarms and traces hang off a run-level `Sys` (`triggers`,
//! `deploy`, `alarms`, `tracing`) that is `None` when the scenario uses none of them.
//! `invariants` checks conservation and bounds after every step in debug builds.

use std::fmt;

use hdrhistogram::Histogram;
use rand_pcg::Pcg64Mcg;

use crate::cost::{Prices, Usage};
use crate::report::{Bucket, EnvState, FunctionBucket, Report};
use crate::scenario::Sampler;
use crate::scenario::Unit;
use crate::scenario::{Function, InvocationType, Scenario, ScenarioError};
use crate::time::{s_to_us, us_to_s, US_PER_S};

/// Synchronous on-demand requests per second the account allows per unit of concurrency quota.
const RPS_PER_CONCURRENCY: u64 = 10;
use crate::scenario::Arrivals;

mod alarms;
mod async_queue;
mod budget;
mod cache;
mod delivery;
mod deploy;
mod effects;
mod env;
mod faults;
mod finish;
mod iam;
mod ids;
mod invariants;
mod invoke;
mod queue;
mod record;
mod sqs;
mod streams;
mod tally;
mod tracing;
mod triggers;

pub use budget::{Bound, Budget, BudgetStop};
use delivery::{FnExt, Src};
use env::{Env, IdlePool, ScalingTokens};
use ids::IdMap;
use queue::{Ev, EventQueue};
use record::Recording;
use streams::{stream, Purpose};
use tally::{new_hist, FnStats, Integral, Tally};
use triggers::Sys;

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
    /// The run reached a bound of its [`Budget`]; the state is whole, so
    /// [`Simulation::finish`] still reports what was simulated until then.
    Budget(BudgetStop),
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
            SimError::Budget(stop) => stop.fmt(f),
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

/// Runs a scenario to its end.
pub fn run(scenario: &Scenario) -> Result<Report, SimError> {
    let mut sim = Simulation::new(scenario)?;
    sim.run_until(sim.end_us())?;
    sim.finish()
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
    /// The scaling rate's allowance of new environments.
    scaling: ScalingTokens,
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

impl Fn {
    /// The state of unit `i` of `units` (a function, or one of its versions) at time 0.
    fn new(scenario: &Scenario, units: &[Unit], i: usize) -> Result<Fn, SimError> {
        let unit = &units[i];
        let cfg = &unit.cfg;
        let acct = &scenario.account;
        let window_us = s_to_us(acct.scaling_window_s).max(1);
        // Versions share their function's reserved concurrency.
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
        let ext = FnExt::new(cfg, i, seed);
        let stats = FnStats {
            count_effects: ext.as_ref().is_some_and(|e| e.count_effects),
            ..FnStats::default()
        };
        Ok(Fn {
            arrivals: Arrivals::new(
                &cfg.workload,
                stream(seed, i, Purpose::Arrivals),
                scenario.duration_us(),
            ),
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
            scaling: ScalingTokens::new(cap, window_us, u64::from(acct.scaling_envs)),
            usage: Usage::default(),
            stats,
            hist: new_hist(3)?,
            kind: cfg.invocation,
            ext,
            group,
            cfg: cfg.clone(),
        })
    }
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
    /// The events waiting, in `(time, sequence)` order.
    queue: EventQueue,
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
    /// The account's request rate for synchronous on-demand invocations: 10 x the concurrency
    /// quota per second, a bucket of one second of requests refilled continuously
    /// (docs/lambda-facts.md section 5; scaling-behavior.html).
    rps: ScalingTokens,
    in_flight: u64,
    // Time series.
    rows: Vec<Bucket>,
    fn_rows: Vec<Vec<FunctionBucket>>,
    env_us: Vec<u64>,
    busy_us: Vec<u64>,
    init_us: Vec<u64>,
    cur_bucket: usize,
    bucket_hist: Histogram<u64>,
    /// The event log and the lanes, for display.
    recording: Recording,
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
    /// The bounds a run from outside is held to.
    budget: Budget,
}

impl Simulation {
    /// Validates `scenario` and sets up a run at time 0.
    pub fn new(scenario: &Scenario) -> Result<Simulation, SimError> {
        scenario.validate().map_err(ScenarioError::Invalid)?;
        let end = scenario.duration_us();
        let bucket_us = scenario.bucket_us();
        let n_buckets = end.div_ceil(bucket_us).max(1) as usize;
        let acct = &scenario.account;
        let reserved_total: u32 = scenario
            .functions
            .iter()
            .filter_map(|f| f.reserved_concurrency)
            .sum();
        let units = scenario.units().map_err(ScenarioError::Invalid)?;
        let fns = (0..units.len())
            .map(|i| Fn::new(scenario, &units, i))
            .collect::<Result<Vec<Fn>, SimError>>()?;
        let mut sim = Simulation {
            prices: Prices::shipped(),
            now: 0,
            end,
            bucket_us,
            queue: EventQueue::new(fns.len()),
            events: 0,
            envs: Vec::new(),
            free_slots: Vec::new(),
            env_count: 0,
            idle_epochs: 0,
            next_bucket_us: bucket_us,
            next_request: 1,
            unreserved_pool: acct.concurrency_limit - reserved_total,
            unreserved_used: 0,
            rps: {
                let per_s = u64::from(acct.concurrency_limit) * RPS_PER_CONCURRENCY;
                // In request-µs: a request costs a second's worth, each µs adds `per_s`.
                ScalingTokens::new(per_s * US_PER_S, US_PER_S, per_s)
            },
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
            recording: Recording::new(scenario.record.clone()),
            has_queues: fns.iter().any(|f| f.kind != InvocationType::Sync),
            queued_total: 0,
            dlq_total: 0,
            dead_letter_errors_total: 0,
            bucket_age_max_us: 0,
            sys: Sys::new(scenario, &units)?,
            trace_io: scenario.tracing.is_some(),
            last_started: 0,
            budget: Budget::unlimited(),
            fns,
            scenario: scenario.clone(),
        };
        sim.sys_start();
        for f in 0..sim.fns.len() {
            sim.start_provisioned(f);
            if let Some(t) = sim.fns[f].arrivals.next_us() {
                sim.schedule(t, Ev::Arrival { f: f as u16 });
            }
        }
        Ok(sim)
    }

    /// Holds the run to `budget`: reaching a bound stops it, between two events, with
    /// [`SimError::Budget`].
    pub fn with_budget(mut self, budget: Budget) -> Simulation {
        self.budget = budget;
        self
    }

    /// Events processed so far.
    pub fn events(&self) -> u64 {
        self.events
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
        let Some(next) = self.queue.peek() else {
            return Ok(None);
        };
        if next.t >= self.end {
            return Ok(None);
        }
        if self.events >= self.scenario.max_events {
            return Err(SimError::EventLimit {
                limit: self.scenario.max_events,
                t_us: next.t,
            });
        }
        if let Some(bound) =
            self.budget
                .exceeded(self.events, self.queued_total, self.queue.heap_len())
        {
            return Err(SimError::Budget(BudgetStop {
                bound,
                t_us: self.now,
            }));
        }
        self.queue.remove(&next);
        self.events += 1;
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
                self.tally(u, Tally::Request);
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
        #[cfg(debug_assertions)]
        self.check().map_err(SimError::Internal)?;
        Ok(Some(next.t))
    }

    /// Processes every event before `t_us` (or the end, whichever is first).
    pub fn run_until(&mut self, t_us: u64) -> Result<(), SimError> {
        let stop = t_us.min(self.end);
        while let Some(next) = self.queue.peek() {
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
}
