//! Delivery beyond a plain synchronous call: Lambda's asynchronous event queue, SQS event
//! sources, failure windows, a downstream dependency's limits, client timeouts, and the side
//! effects applied per request id (with an optional idempotency store).
//!
//! All of it hangs off `FnExt`, which a function has only when it uses one of these features,
//! and every random draw it needs comes from its own streams (`Purpose::Outage`,
//! `Purpose::Duplicates`), so scenarios without them run exactly as before.
//!
//! Memory stays bounded: queued events and messages live in a slab bounded by the queue's
//! `queue_max` (an error when reached), and side effects are counted per request id only for
//! requests that can be delivered more than once, only until they reach a terminal state and no
//! delivery of them is running.

use std::collections::VecDeque;

use rand::Rng;
use rand_pcg::Pcg64Mcg;

use super::{stream, Ev, IdMap, Invocation, Purpose, SimError, Simulation};
use crate::report::{
    DeadLetter, DownstreamLimit, EventKind, FailReason, Outcome, QueueKind, SendTarget,
};
use crate::scenario::CacheScope;
use crate::scenario::{Function, InvocationType, OnLimit};
use crate::time::{ms_to_us, s_to_us, us_to_ms, US_PER_S};

/// Delay before Lambda's first retry of a failed asynchronous event (AWS: "about 1 minute").
const ASYNC_FIRST_RETRY_US: u64 = 60 * US_PER_S;
/// Delay before the second retry (AWS: "about 2 minutes").
const ASYNC_SECOND_RETRY_US: u64 = 120 * US_PER_S;
/// Longest backoff of a throttled asynchronous event (AWS: "up to 5 minutes").
const ASYNC_BACKOFF_MAX_US: u64 = 300 * US_PER_S;
/// An SQS poller waits this long after its batch was throttled.
const SQS_POLLER_BACKOFF_US: u64 = US_PER_S;
/// SQS pollers at first (AWS: 5 concurrent batches).
const SQS_POLLERS_START: u32 = 5;
/// Pollers added per one-second step while messages wait (AWS: up to 300 a minute).
const SQS_POLLERS_STEP: u32 = 5;
/// Most concurrent batches of one SQS event source (AWS: 1,250).
const SQS_POLLERS_MAX: u32 = 1_250;

/// Who invoked: a synchronous caller, the async queue (event slot) or an SQS poller (batch slot).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Src {
    Sync,
    Async(u32),
    Sqs(u32),
}

/// A queued asynchronous event or SQS message.
#[derive(Debug, Clone, Default)]
struct Msg {
    request: u64,
    /// When it entered the queue (its age counts from here), in µs.
    sent_at: u64,
    /// Changes every time the slot is freed, so stale references never match.
    gen: u32,
    live: bool,
    /// An extra delivery of an asynchronous event (at-least-once), not the request itself.
    duplicate: bool,
    /// Async: retries after function errors used so far (the attempt number).
    attempt: u32,
    /// Async: throttles since it last started (sets the backoff).
    throttles: u32,
    /// Async: when its pending `AsyncDue` fires.
    due_at: u64,
    /// SQS: times received.
    receives: u32,
    /// SQS: serial of the batch holding it (0: visible).
    lease: u32,
    /// SQS: its deliveries and side effects while it is in the queue (it moves to
    /// `FnExt::tracks` if a delivery is still running when the message leaves).
    track: Track,
}

/// One message of an SQS batch.
#[derive(Debug, Clone, Copy)]
struct BatchMsg {
    slot: u32,
    gen: u32,
    request: u64,
    /// Its processing succeeded (decided when the invocation starts).
    ok: bool,
}

/// A batch received by an SQS poller.
#[derive(Debug, Clone, Default)]
struct Batch {
    serial: u32,
    msgs: Vec<BatchMsg>,
    /// Its invocation is running.
    running: bool,
    /// Its visibility timeout has not ended yet.
    vt_pending: bool,
    /// When its invocation ends, in µs (set when it starts).
    ends_at: u64,
    /// Its invocation will succeed for every message (set when it starts).
    clean: bool,
}

/// Asynchronous invocation settings, in the units the engine uses.
#[derive(Debug, Clone)]
struct AsyncState {
    retry_attempts: u32,
    max_age_us: u64,
    /// The DLQ and destinations, each with whether the role allows sending there (decided once:
    /// the policy does not change during a run).
    dlq: Option<(SendTarget, bool)>,
    on_failure: Option<(SendTarget, bool)>,
    on_success: Option<(SendTarget, bool)>,
    duplicate_rate: f64,
    system_error_rate: f64,
}

/// An SQS queue and its pollers.
#[derive(Debug, Clone)]
struct SqsState {
    batch_size: usize,
    window_us: u64,
    vt_us: u64,
    retention_us: u64,
    max_receive: Option<u32>,
    report_failures: bool,
    /// Visible messages in arrival order (entries of deleted or received ones are skipped).
    visible: VecDeque<(u32, u32)>,
    visible_count: u64,
    /// Concurrent batches the pollers may have now.
    limit: u32,
    base: u32,
    cap: u32,
    /// Pollers with a batch in flight or backing off after a throttle.
    busy: u32,
    tick_pending: bool,
    throttled_since_tick: bool,
    /// When the current batching window opened.
    window_since: Option<u64>,
    next_serial: u32,
    batches: Vec<Batch>,
    free_batches: Vec<u32>,
}

/// A downstream dependency's limits and use.
#[derive(Debug, Clone)]
struct DownstreamState {
    connections_max: Option<u32>,
    conns: u32,
    rate_per_s: Option<f64>,
    tokens: f64,
    tokens_t: u64,
    /// `None`: a call beyond a limit is rejected; `Some`: it takes this much longer, in ms.
    slow_ms: Option<f64>,
}

impl DownstreamState {
    /// Takes a connection for one invocation: `None` without a connection limit.
    fn take_connection(&mut self) -> Option<bool> {
        let max = self.connections_max?;
        if self.conns < max {
            self.conns += 1;
            Some(true)
        } else {
            Some(false)
        }
    }

    /// The limit one call hits, if any (a call with a connection takes a rate token).
    fn call(&mut self, connected: bool, now: u64) -> Option<DownstreamLimit> {
        if !connected {
            return Some(DownstreamLimit::Connections);
        }
        let rate = self.rate_per_s?;
        // A token bucket holding one second of calls, refilled continuously.
        let elapsed_s = (now - self.tokens_t) as f64 / US_PER_S as f64;
        self.tokens = (self.tokens + elapsed_s * rate).min(rate.max(1.0));
        self.tokens_t = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            None
        } else {
            Some(DownstreamLimit::Rate)
        }
    }
}

/// What is known of one request id that may be delivered more than once.
#[derive(Debug, Clone, Copy, Default)]
struct Track {
    /// Deliveries running now.
    running: u32,
    /// Duplicate deliveries created and not yet finished.
    shadows: u32,
    /// Side effects applied.
    applied: u32,
    /// A delivery succeeded.
    ok_once: bool,
    /// The request reached its terminal state.
    terminal: bool,
    /// When the idempotency store recorded its effect.
    stored_at: Option<u64>,
}

type TrackMap = IdMap<u64, Track>;

/// The queues, failure windows, downstream and idempotency state of one function.
pub(super) struct FnExt {
    /// Side effects are counted for this function.
    pub(super) count_effects: bool,
    /// Side effects are counted per request id (requests may be delivered more than once).
    track_ids: bool,
    /// The synchronous caller's timeout, in µs.
    pub(super) client_timeout_us: Option<u64>,
    idempotency_ttl_us: Option<u64>,
    /// `errors_during` windows: start and end in µs, and the failure rate.
    windows: Vec<(u64, u64, f64)>,
    outage_rng: Pcg64Mcg,
    dup_rng: Pcg64Mcg,
    /// Lambda's own failures to invoke an async event.
    sys_err_rng: Pcg64Mcg,
    /// The jitter of throttled events' backoff.
    backoff_rng: Pcg64Mcg,
    downstream: Option<DownstreamState>,
    tracks: TrackMap,
    msgs: Vec<Msg>,
    free_msgs: Vec<u32>,
    /// Events and messages held by the queue, duplicates included.
    pub(super) live: u64,
    queue_max: u64,
    queue_field: String,
    /// Requests in the queue in the order they entered it, for the age of the oldest.
    fifo: VecDeque<(u32, u32)>,
    /// Requests in the queue (duplicates excluded).
    requests_live: u64,
    asy: Option<AsyncState>,
    sqs: Option<SqsState>,
    cache: Option<CacheState>,
    /// What the code tries on each invocation, decided once by the role's policy.
    iam: Vec<IamAttempt>,
}

/// A read-through cache: key to the time its value expires, in µs.
#[derive(Debug, Clone)]
struct CacheState {
    scope: CacheScope,
    keys: u32,
    ttl_us: u64,
    hit_ms: f64,
    shared: IdMap<u32, u64>,
    /// Per environment number.
    envs: IdMap<u32, IdMap<u32, u64>>,
}

impl CacheState {
    /// Looks `key` up in the cache environment `env` sees; a miss stores it.
    fn lookup(&mut self, env: u32, key: u32, now: u64) -> bool {
        let map = match self.scope {
            CacheScope::Shared => &mut self.shared,
            CacheScope::Environment => self.envs.entry(env).or_default(),
        };
        match map.get(&key) {
            Some(&expires) if expires > now => true,
            _ => {
                map.insert(key, now.saturating_add(self.ttl_us));
                false
            }
        }
    }
}

/// One AWS action the code tries.
#[derive(Debug, Clone, Copy)]
struct IamAttempt {
    rate: f64,
    harmful: bool,
    allowed: bool,
}

impl FnExt {
    /// The state of function `i`, or `None` when it is a plain synchronous function.
    pub(super) fn new(cfg: &Function, i: usize, seed: u64) -> Option<Box<FnExt>> {
        let sync = cfg.invocation == InvocationType::Sync;
        let plain = sync
            && cfg.errors_during.is_empty()
            && cfg.downstream.is_none()
            && cfg.client.timeout_ms.is_none()
            && cfg.idempotency.is_none()
            && cfg.cache.is_none()
            && cfg.iam.is_none();
        if plain {
            return None;
        }
        let asy = (cfg.invocation == InvocationType::Async).then(|| {
            let a = cfg.async_config.clone().unwrap_or_default();
            // Without a role in the scenario, every send is allowed.
            let sink = |to: SendTarget| {
                let allowed = cfg.iam.as_ref().is_none_or(|iam| {
                    iam.policy
                        .evaluate(to.action(), &to.arn(&cfg.name))
                        .allowed()
                });
                (to, allowed)
            };
            AsyncState {
                retry_attempts: a.retry_attempts,
                max_age_us: u64::from(a.max_event_age_s) * US_PER_S,
                dlq: a.dlq.map(|d| sink(SendTarget::Dlq(d.into()))),
                on_failure: a.on_failure.map(|d| sink(SendTarget::OnFailure(d.into()))),
                on_success: a.on_success.map(|d| sink(SendTarget::OnSuccess(d.into()))),
                duplicate_rate: a.duplicate_rate,
                system_error_rate: a.system_error_rate,
            }
        });
        let sqs = (cfg.invocation == InvocationType::Sqs).then(|| {
            let q = cfg.sqs.clone().unwrap_or_default();
            let cap = q
                .maximum_concurrency
                .unwrap_or(SQS_POLLERS_MAX)
                .min(SQS_POLLERS_MAX);
            let base = SQS_POLLERS_START.min(cap);
            SqsState {
                batch_size: q.batch_size as usize,
                window_us: s_to_us(q.batching_window_s),
                vt_us: s_to_us(q.visibility_timeout_s),
                retention_us: s_to_us(q.retention_s),
                max_receive: q.max_receive_count,
                report_failures: q.report_batch_item_failures,
                visible: VecDeque::new(),
                visible_count: 0,
                limit: base,
                base,
                cap,
                busy: 0,
                tick_pending: false,
                throttled_since_tick: false,
                window_since: None,
                next_serial: 0,
                batches: Vec::new(),
                free_batches: Vec::new(),
            }
        });
        let (queue_max, queue_field) = match cfg.invocation {
            InvocationType::Sqs => (
                cfg.sqs.as_ref().map_or(1_000_000, |q| q.queue_max),
                format!("functions[{i}].sqs.queue_max"),
            ),
            _ => (
                cfg.async_config.as_ref().map_or(1_000_000, |a| a.queue_max),
                format!("functions[{i}].async.queue_max"),
            ),
        };
        let duplicates = asy.as_ref().is_some_and(|a| a.duplicate_rate > 0.0);
        let retries_after_timeout = cfg.client.timeout_ms.is_some() && cfg.client.retries > 0;
        Some(Box::new(FnExt {
            count_effects: !sync || cfg.client.timeout_ms.is_some() || cfg.idempotency.is_some(),
            track_ids: cfg.invocation == InvocationType::Sqs
                || duplicates
                || (sync && retries_after_timeout),
            client_timeout_us: cfg.client.timeout_ms.map(|t| ms_to_us(t).max(1)),
            idempotency_ttl_us: cfg
                .idempotency
                .as_ref()
                .filter(|x| x.enabled)
                .map(|x| s_to_us(x.ttl_s).max(1)),
            windows: cfg
                .errors_during
                .iter()
                .map(|w| (s_to_us(w.start_s), s_to_us(w.end_s), w.rate))
                .collect(),
            outage_rng: stream(seed, i, Purpose::Outage),
            dup_rng: stream(seed, i, Purpose::Duplicates),
            sys_err_rng: stream(seed, i, Purpose::SystemErrors),
            backoff_rng: stream(seed, i, Purpose::Backoff),
            downstream: cfg.downstream.as_ref().map(|d| DownstreamState {
                connections_max: d.connections_max,
                conns: 0,
                rate_per_s: d.rate_limit_per_s,
                tokens: d.rate_limit_per_s.map_or(0.0, |r| r.max(1.0)),
                tokens_t: 0,
                slow_ms: (d.on_limit == OnLimit::Slow).then_some(d.slow_ms),
            }),
            tracks: TrackMap::default(),
            msgs: Vec::new(),
            free_msgs: Vec::new(),
            live: 0,
            queue_max,
            queue_field,
            fifo: VecDeque::new(),
            requests_live: 0,
            asy,
            sqs,
            cache: cfg.cache.as_ref().map(|c| CacheState {
                scope: c.scope,
                keys: c.keys,
                ttl_us: s_to_us(c.ttl_s).max(1),
                hit_ms: c.hit_ms(),
                shared: IdMap::default(),
                envs: IdMap::default(),
            }),
            iam: cfg
                .iam
                .as_ref()
                .map(|iam| {
                    iam.attempts
                        .iter()
                        .map(|a| IamAttempt {
                            rate: a.rate,
                            harmful: a.harmful,
                            allowed: iam.policy.evaluate(&a.action, &a.resource).allowed(),
                        })
                        .collect()
                })
                .unwrap_or_default(),
        }))
    }

    /// Environment `number` is gone, and its in-memory cache with it.
    pub(super) fn env_gone(&mut self, number: u32) {
        if let Some(c) = self.cache.as_mut() {
            c.envs.remove(&number);
        }
    }

    /// Whether an invocation starting now fails for an `errors_during` window (the first
    /// window holding `now` decides).
    fn outage(&mut self, now: u64) -> bool {
        let rate = self
            .windows
            .iter()
            .find(|&&(start, end, _)| start <= now && now < end)
            .map(|w| w.2);
        match rate {
            Some(r) if r > 0.0 => self.outage_rng.gen::<f64>() < r,
            _ => false,
        }
    }

    fn valid(&self, slot: u32, gen: u32) -> bool {
        self.msgs
            .get(slot as usize)
            .is_some_and(|m| m.live && m.gen == gen)
    }

    /// When the oldest request in the queue entered it.
    pub(super) fn oldest_sent_at(&mut self) -> Option<u64> {
        while let Some(&(slot, gen)) = self.fifo.front() {
            if self.valid(slot, gen) {
                return Some(self.msgs[slot as usize].sent_at);
            }
            self.fifo.pop_front();
        }
        None
    }
}

/// A batch's outcome: a timeout fails it all; without partial batch responses one failed
/// message fails the invocation.
/// The report's name for a dead-letter queue the scenario configures.
impl From<crate::scenario::DlqTarget> for crate::report::DlqService {
    fn from(d: crate::scenario::DlqTarget) -> Self {
        use crate::scenario::DlqTarget as D;
        match d {
            D::Sqs => Self::Sqs,
            D::Sns => Self::Sns,
        }
    }
}

/// The report's name for a destination the scenario configures.
impl From<crate::scenario::Destination> for crate::report::DestinationService {
    fn from(d: crate::scenario::Destination) -> Self {
        use crate::scenario::Destination as D;
        match d {
            D::Sqs => Self::Sqs,
            D::Sns => Self::Sns,
            D::Lambda => Self::Lambda,
            D::Eventbridge => Self::Eventbridge,
        }
    }
}

fn batch_outcome(run_us: u64, timeout_us: u64, any_failed: bool, report: bool) -> Outcome {
    if run_us > timeout_us {
        Outcome::Timeout
    } else if any_failed && !report {
        Outcome::Error
    } else {
        Outcome::Success
    }
}

// The entry points called from the synchronous code in sim.rs are `#[inline(never)]`: inlined,
// they grow the hot functions (`start`, `done`, `step`) enough for the compiler to stop
// inlining the event queue's push into them; measured with callgrind on the SimFaaS baseline,
// that cost plain synchronous runs about 3% more instructions.
impl Simulation {
    /// Schedules an event of the queues. Kept out of line so that the synchronous hot path's
    /// own few calls of `schedule` (and the heap push in it) stay inlined.
    #[inline(never)]
    fn schedule_queue(&mut self, t: u64, ev: Ev) {
        self.schedule(t, ev);
    }

    /// A request of an async or SQS function arrives.
    #[inline(never)]
    pub(super) fn queue_arrival(&mut self, f: usize, request: u64) -> Result<(), SimError> {
        match self.fns[f].kind {
            InvocationType::Async => self.async_arrival(f, request),
            _ => self.sqs_send(f, request),
        }
    }

    /// The events of client timeouts and queues.
    #[inline(never)]
    pub(super) fn queue_event(&mut self, ev: Ev) -> Result<(), SimError> {
        match ev {
            Ev::ClientTimeout { slot } => self.client_timeout(slot),
            Ev::AsyncDue { f, slot, gen } => self.async_due(usize::from(f), slot, gen)?,
            Ev::SqsVisible { f, batch } => self.sqs_visible(usize::from(f), batch)?,
            Ev::SqsWindow { f } => self.sqs_poll(usize::from(f))?,
            Ev::SqsTick { f } => self.sqs_tick(usize::from(f))?,
            Ev::SqsPollerFree { f } => self.sqs_poller_free(usize::from(f))?,
            other => {
                return Err(SimError::Internal(format!(
                    "{other:?} is not a queue event"
                )))
            }
        }
        Ok(())
    }

    fn ext(&mut self, f: usize) -> Result<&mut FnExt, SimError> {
        self.fns[f]
            .ext
            .as_deref_mut()
            .ok_or_else(|| SimError::Internal(format!("function {f} has no queue state")))
    }

    // -----------------------------------------------------------------------------------------
    // Handler time and outcome.

    /// Draws the handler time and outcome of an invocation of a function with extensions:
    /// failure windows, the downstream's limits, and for an SQS batch one handler run per
    /// message. Returns the run time, the outcome and whether it holds a downstream connection.
    #[inline(never)]
    pub(super) fn plan(
        &mut self,
        f: usize,
        request: u64,
        src: Src,
        env: u32,
    ) -> (u64, Outcome, bool, u64) {
        let now = self.now;
        let func = &mut self.fns[f];
        let timeout_us = func.timeout_us;
        let error_rate = func.cfg.error_rate;
        let io_ms = func.io_ms;
        let Some(ext) = func.ext.as_deref_mut() else {
            return (0, Outcome::Error, false, 0);
        };
        let mut limited: Option<(DownstreamLimit, bool)> = None;
        // An invocation holds one of the downstream's connections from its first call to it:
        // at once, or, behind a cache, at its first miss (a hit needs none).
        let mut connection = if ext.cache.is_some() {
            None
        } else {
            ext.downstream.as_mut().and_then(|d| d.take_connection())
        };
        let slow_ms = ext.downstream.as_ref().and_then(|d| d.slow_ms);
        // One call of the handler: CPU and I/O time, then whether it fails.
        let (mut hits, mut misses) = (0u64, 0u64);
        // The I/O part of the handler time (the calls to the data source), for traces.
        let mut io_total_ms = 0.0;
        let mut one = |ext: &mut FnExt, stats: &mut super::FnStats, service: &mut Pcg64Mcg| {
            let cpu = func.cpu_ms.sample(service);
            // A cache hit replaces the I/O (the call to the data source) with the hit time.
            let (io, hit) = match ext.cache.as_mut() {
                Some(c) => {
                    let key = service.gen_range(0..c.keys);
                    if c.lookup(env, key, now) {
                        stats.cache_hits += 1;
                        hits += 1;
                        (c.hit_ms, true)
                    } else {
                        stats.cache_misses += 1;
                        misses += 1;
                        (io_ms.sample(service), false)
                    }
                }
                None => (io_ms.sample(service), false),
            };
            let mut failed = error_rate > 0.0 && service.gen::<f64>() < error_rate;
            failed |= ext.outage(now);
            // The AWS calls the code makes: a needed one the role denies fails the invocation
            // (AccessDenied); a bug's harmful one the role allows is damage done.
            for a in &ext.iam {
                if a.rate < 1.0 && service.gen::<f64>() >= a.rate {
                    continue;
                }
                match (a.allowed, a.harmful) {
                    (true, harmful) => {
                        stats.iam_allowed += 1;
                        if harmful {
                            stats.iam_harmful_allowed += 1;
                        }
                    }
                    (false, harmful) => {
                        stats.iam_denied += 1;
                        failed |= !harmful;
                    }
                }
            }
            let mut ms = cpu + io;
            io_total_ms += io;
            // A cache hit never reaches the data source behind the cache.
            let limited_call = if hit {
                None
            } else {
                if connection.is_none() {
                    connection = ext.downstream.as_mut().and_then(|d| d.take_connection());
                }
                let connected = connection != Some(false);
                ext.downstream.as_mut().and_then(|d| d.call(connected, now))
            };
            if let Some(limit) = limited_call {
                match slow_ms {
                    Some(extra) => {
                        ms += extra;
                        stats.downstream_slowed += 1;
                    }
                    None => {
                        // Rejected at once: the I/O wait never happens.
                        failed = true;
                        ms = cpu;
                        io_total_ms -= io;
                        stats.downstream_rejections += 1;
                    }
                }
                limited.get_or_insert((limit, slow_ms.is_none()));
            }
            (ms, failed)
        };
        let (run_us, outcome) = match src {
            Src::Sqs(b) => {
                let Some(q) = ext.sqs.as_mut() else {
                    return (0, Outcome::Error, false, 0);
                };
                let report = q.report_failures;
                let mut msgs = std::mem::take(&mut q.batches[b as usize].msgs);
                let mut total_ms = 0.0;
                let mut any_failed = false;
                for m in msgs.iter_mut() {
                    let (ms, failed) = one(ext, &mut func.stats, &mut func.service);
                    m.ok = !failed;
                    any_failed |= failed;
                    total_ms += ms;
                }
                if let Some(q) = ext.sqs.as_mut() {
                    q.batches[b as usize].msgs = msgs;
                }
                let run_us = ms_to_us(total_ms);
                let outcome = batch_outcome(run_us, timeout_us, any_failed, report);
                (run_us.min(timeout_us), outcome)
            }
            _ => {
                let (ms, failed) = one(ext, &mut func.stats, &mut func.service);
                let run_us = ms_to_us(ms);
                let outcome = batch_outcome(run_us, timeout_us, failed, false);
                (run_us.min(timeout_us), outcome)
            }
        };
        if hits + misses > 0 {
            let row = &mut self.fn_rows[f][self.cur_bucket];
            row.cache_hits += hits;
            row.cache_misses += misses;
        }
        if let Some((limit, rejected)) = limited {
            self.record(
                f,
                EventKind::DownstreamLimited {
                    request,
                    limit,
                    rejected,
                },
            );
        }
        (
            run_us,
            outcome,
            connection == Some(true),
            ms_to_us(io_total_ms.max(0.0)),
        )
    }

    /// Handles the end of an invocation of a function with extensions (its errors are counted).
    #[inline(never)]
    pub(super) fn ext_done(&mut self, f: usize, inv: &Invocation) -> Result<(), SimError> {
        if inv.conn {
            if let Some(d) = self.ext(f)?.downstream.as_mut() {
                d.conns = d.conns.saturating_sub(1);
            }
        }
        let ok = inv.outcome == Outcome::Success;
        match inv.src {
            Src::Sync => {
                self.delivery_end(f, inv.request, ok, None);
                if inv.abandoned {
                    return Ok(()); // The caller is gone: it retried or gave up.
                }
                if ok {
                    self.fns[f].stats.succeeded += 1;
                    self.request_terminal(f, inv.request);
                    self.sys_end(inv.request, true);
                } else {
                    let retry_errors = self.fns[f].cfg.client.retry_errors;
                    if !(retry_errors && self.retry(f, inv.request, inv.attempt)) {
                        self.fns[f].stats.failed += 1;
                        self.request_terminal(f, inv.request);
                        self.sys_end(inv.request, false);
                    }
                }
                Ok(())
            }
            Src::Async(m) => self.async_done(f, m, inv.outcome),
            Src::Sqs(b) => self.sqs_done(f, b, inv.outcome),
        }
    }

    // -----------------------------------------------------------------------------------------
    // Side effects and the idempotency store.

    /// A delivery of `request` starts: a duplicate if an earlier one is running or succeeded.
    /// `home` is the SQS message holding its track, while the message is in the queue.
    #[inline(never)]
    pub(super) fn delivery_start(&mut self, f: usize, request: u64, home: Option<(u32, u32)>) {
        let Some(ext) = self.fns[f].ext.as_deref_mut() else {
            return;
        };
        if !ext.track_ids {
            return;
        }
        let t = match home {
            Some((slot, gen)) if ext.valid(slot, gen) => &mut ext.msgs[slot as usize].track,
            _ => ext.tracks.entry(request).or_default(),
        };
        let duplicate = t.running > 0 || t.ok_once;
        t.running += 1;
        if duplicate {
            self.fns[f].stats.duplicates += 1;
            self.record(f, EventKind::Duplicate { request });
        }
    }

    /// A delivery of `request` ends; a successful one applies its side effect unless the
    /// idempotency store already holds the id.
    fn delivery_end(&mut self, f: usize, request: u64, ok: bool, home: Option<(u32, u32)>) {
        let now = self.now;
        let func = &mut self.fns[f];
        let Some(ext) = func.ext.as_deref_mut() else {
            return;
        };
        if !ext.track_ids {
            if ok && ext.count_effects {
                func.stats.side_effects += 1;
                func.stats.side_effects_max = func.stats.side_effects_max.max(1);
            }
            return;
        }
        let ttl = ext.idempotency_ttl_us;
        let in_queue = home.is_some_and(|(slot, gen)| ext.valid(slot, gen));
        let t = match home {
            Some((slot, _)) if in_queue => &mut ext.msgs[slot as usize].track,
            _ => match ext.tracks.get_mut(&request) {
                Some(t) => t,
                None => return,
            },
        };
        t.running = t.running.saturating_sub(1);
        let mut skipped = false;
        if ok {
            skipped = ttl.is_some_and(|ttl| t.stored_at.is_some_and(|s| now - s < ttl));
            if skipped {
                func.stats.idempotent_skips += 1;
            } else {
                t.applied += 1;
                if ttl.is_some() {
                    t.stored_at = Some(now);
                }
                func.stats.side_effects += 1;
                func.stats.side_effects_max = func.stats.side_effects_max.max(u64::from(t.applied));
            }
            t.ok_once = true;
        }
        if !in_queue && t.terminal && t.running == 0 && t.shadows == 0 {
            ext.tracks.remove(&request);
        }
        if skipped {
            self.record(f, EventKind::IdempotentSkip { request });
        }
    }

    /// `request` reached its terminal state; its count is kept while a delivery still runs.
    #[inline(never)]
    pub(super) fn request_terminal(&mut self, f: usize, request: u64) {
        let Some(ext) = self.fns[f].ext.as_deref_mut() else {
            return;
        };
        if let Some(t) = ext.tracks.get_mut(&request) {
            t.terminal = true;
            if t.running == 0 && t.shadows == 0 {
                ext.tracks.remove(&request);
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // Synchronous callers' timeouts.

    /// The caller of the invocation just started on `slot` will give up at `t`.
    #[inline(never)]
    pub(super) fn set_client_deadline(&mut self, slot: u32, t: u64) {
        self.schedule_queue(t, Ev::ClientTimeout { slot });
    }

    /// The caller of the invocation on `slot` stops waiting and retries, if it has retries
    /// left; the invocation runs on and is billed.
    pub(super) fn client_timeout(&mut self, slot: u32) {
        let now = self.now;
        let env = &mut self.envs[slot as usize];
        if !env.alive {
            return;
        }
        let Some(inv) = env.inv.as_mut() else {
            return;
        };
        let f = usize::from(env.f);
        let after_us = self.fns[f]
            .ext
            .as_ref()
            .and_then(|e| e.client_timeout_us)
            .unwrap_or(0);
        // The timeout belongs to the invocation on the slot if that started `after_us` ago: an
        // environment runs one invocation at a time, so no other started then.
        if inv.arrived + after_us != now || inv.abandoned || inv.src != Src::Sync {
            return;
        }
        inv.abandoned = true;
        let (request, attempt) = (inv.request, inv.attempt);
        self.fns[f].stats.client_timeouts += 1;
        self.record(
            f,
            EventKind::ClientTimeout {
                request,
                attempt,
                after_us,
            },
        );
        if !self.retry(f, request, attempt) {
            self.fns[f].stats.failed += 1;
            self.request_terminal(f, request);
            self.sys_end(request, false);
        }
    }

    // -----------------------------------------------------------------------------------------
    // The queue store shared by the async queue and SQS.

    fn alloc_msg(
        &mut self,
        f: usize,
        request: u64,
        sent_at: u64,
        duplicate: bool,
    ) -> Result<u32, SimError> {
        let now = self.now;
        let b = self.cur_bucket;
        let func = &mut self.fns[f];
        let Some(ext) = func.ext.as_deref_mut() else {
            return Err(SimError::Internal(format!("function {f} has no queue")));
        };
        if ext.live >= ext.queue_max {
            return Err(SimError::QueueLimit {
                field: ext.queue_field.clone(),
                limit: ext.queue_max,
                t_us: now,
            });
        }
        let slot = match ext.free_msgs.pop() {
            Some(s) => s,
            None => {
                ext.msgs.push(Msg::default());
                (ext.msgs.len() - 1) as u32
            }
        };
        let m = &mut ext.msgs[slot as usize];
        *m = Msg {
            request,
            sent_at,
            gen: m.gen,
            live: true,
            duplicate,
            ..Msg::default()
        };
        let gen = m.gen;
        ext.live += 1;
        if !duplicate {
            ext.fifo.push_back((slot, gen));
            ext.requests_live += 1;
        }
        func.stats.queue_depth_max = func.stats.queue_depth_max.max(ext.live);
        let fb = &mut self.fn_rows[f][b];
        fb.queue_depth_max = fb.queue_depth_max.max(ext.live);
        self.queued_total += 1;
        let row = &mut self.rows[b];
        row.queue_depth_max = row.queue_depth_max.max(self.queued_total);
        Ok(slot)
    }

    fn free_msg(&mut self, f: usize, slot: u32) {
        let now = self.now;
        let func = &mut self.fns[f];
        let Some(ext) = func.ext.as_deref_mut() else {
            return;
        };
        let m = &mut ext.msgs[slot as usize];
        if !m.live {
            return;
        }
        m.live = false;
        m.gen = m.gen.wrapping_add(1);
        let (duplicate, sent_at) = (m.duplicate, m.sent_at);
        if m.track.running > 0 || m.track.shadows > 0 {
            // A delivery still runs: keep its count until it ends.
            let t = Track {
                terminal: true,
                ..m.track
            };
            ext.tracks.insert(m.request, t);
        }
        ext.free_msgs.push(slot);
        ext.live -= 1;
        self.queued_total -= 1;
        if !duplicate {
            ext.requests_live -= 1;
            // The oldest request's age peaks as it leaves, so the largest age any request had
            // when it left (or at the end) is the largest age of the oldest.
            let age = now - sent_at;
            func.stats.queue_age_max_us = func.stats.queue_age_max_us.max(age);
            self.bucket_age_max_us = self.bucket_age_max_us.max(age);
            // Requests mostly leave in the order they came: drop the front's dead entries now,
            // and compact the rest only when they pile up behind a long-lived one.
            while let Some(&(s, g)) = ext.fifo.front() {
                if ext.valid(s, g) {
                    break;
                }
                ext.fifo.pop_front();
            }
            if ext.fifo.len() as u64 > 2 * ext.requests_live + 64 {
                let msgs = &ext.msgs;
                ext.fifo.retain(|&(s, g)| {
                    let m = &msgs[s as usize];
                    m.live && m.gen == g
                });
            }
        }
    }

    /// Closes the queue columns of the current bucket: the DLQ depth and the oldest age at its end.
    #[inline(never)]
    pub(super) fn close_queue_bucket(&mut self) {
        let b = self.cur_bucket;
        let t_end = ((b as u64 + 1).saturating_mul(self.bucket_us)).min(self.end);
        let mut oldest_us = 0;
        for func in &mut self.fns {
            if let Some(sent) = func.ext.as_deref_mut().and_then(FnExt::oldest_sent_at) {
                oldest_us = oldest_us.max(t_end.saturating_sub(sent));
            }
        }
        let oldest_us = oldest_us.max(std::mem::take(&mut self.bucket_age_max_us));
        let row = &mut self.rows[b];
        row.queue_age_ms_max = us_to_ms(oldest_us);
        row.dlq_depth = self.dlq_total;
        row.dead_letter_errors = self.dead_letter_errors_total;
    }

    /// Requests of function `f` still in its queue at the end (their age counts too).
    #[inline(never)]
    pub(super) fn finish_queue(&mut self, f: usize) -> u64 {
        let end = self.end;
        let func = &mut self.fns[f];
        let Some(ext) = func.ext.as_deref_mut() else {
            return 0;
        };
        if let Some(sent) = ext.oldest_sent_at() {
            let age = end.saturating_sub(sent);
            func.stats.queue_age_max_us = func.stats.queue_age_max_us.max(age);
        }
        ext.requests_live
    }

    /// Sends `request` to a DLQ or on-failure destination, or drops it.
    fn queue_final(
        &mut self,
        f: usize,
        slot: u32,
        queue: QueueKind,
        reason: FailReason,
        count: u32,
    ) {
        let Some(ext) = self.fns[f].ext.as_deref() else {
            return;
        };
        let request = ext.msgs[slot as usize].request;
        // An async event's record goes to each of the DLQ and on-failure destination whose
        // send the role allows; a denied send is counted and reported.
        let mut denied = Vec::new();
        let mut send = |sink: Option<(SendTarget, bool)>| match sink {
            Some((_, true)) => true,
            Some((to, false)) => {
                denied.push(to);
                false
            }
            None => false,
        };
        let to = match (queue, &ext.asy) {
            (QueueKind::Sqs, _) if reason == FailReason::MaxReceiveCount => Some(DeadLetter::Dlq),
            (QueueKind::Async, Some(a)) => match (send(a.dlq), send(a.on_failure)) {
                (true, true) => Some(DeadLetter::Both),
                (true, false) => Some(DeadLetter::Dlq),
                (false, true) => Some(DeadLetter::OnFailure),
                (false, false) => None,
            },
            _ => None,
        };
        let undeliverable = !denied.is_empty() && to.is_none();
        for &to in &denied {
            self.send_denied(f, request, to);
        }
        let st = &mut self.fns[f].stats;
        if queue == QueueKind::Async {
            st.async_events_dropped += 1;
        }
        match to {
            Some(to) => {
                st.dead_lettered += 1;
                if matches!(to, DeadLetter::OnFailure | DeadLetter::Both) {
                    st.destination_failure += 1;
                }
                self.dlq_total += 1;
                self.record(
                    f,
                    EventKind::DeadLettered {
                        request,
                        queue,
                        reason,
                        count,
                        to,
                    },
                );
            }
            None => {
                st.dropped += 1;
                self.record(
                    f,
                    EventKind::Dropped {
                        request,
                        queue,
                        reason,
                        count,
                        undeliverable,
                    },
                );
            }
        }
        self.request_terminal(f, request);
        self.sys_end(request, false);
        self.free_msg(f, slot);
    }

    /// A send to a DLQ or destination that the role denies: counted as AWS counts it.
    fn send_denied(&mut self, f: usize, request: u64, to: SendTarget) {
        let st = &mut self.fns[f].stats;
        match to {
            SendTarget::Dlq(_) => {
                st.dead_letter_errors += 1;
                self.dead_letter_errors_total += 1;
            }
            SendTarget::OnFailure(_) | SendTarget::OnSuccess(_) => {
                st.destination_delivery_failures += 1
            }
        }
        self.record(f, EventKind::SendDenied { request, to });
    }

    // -----------------------------------------------------------------------------------------
    // Asynchronous invocation (lambda-facts.md section 6).

    /// An event arrives: Lambda queues it and invokes the function as soon as it can.
    pub(super) fn async_arrival(&mut self, f: usize, request: u64) -> Result<(), SimError> {
        let m = self.alloc_msg(f, request, self.now, false)?;
        self.record(
            f,
            EventKind::Queued {
                request,
                queue: QueueKind::Async,
            },
        );
        self.async_dispatch(f, m)
    }

    /// A retry or backoff of an event is over (or its maximum age is reached).
    pub(super) fn async_due(&mut self, f: usize, slot: u32, gen: u32) -> Result<(), SimError> {
        let now = self.now;
        let ext = self.ext(f)?;
        if ext.valid(slot, gen) && ext.msgs[slot as usize].due_at == now {
            self.async_dispatch(f, slot)?;
        }
        Ok(())
    }

    /// Tries to invoke the function with the event in `slot`: it expires if too old, goes back
    /// to the queue with a backoff if throttled, and may be delivered twice.
    fn async_dispatch(&mut self, f: usize, slot: u32) -> Result<(), SimError> {
        let now = self.now;
        let ext = self.ext(f)?;
        let Some(a) = ext.asy.as_ref() else {
            return Err(SimError::Internal(format!(
                "function {f} has no async queue"
            )));
        };
        let (max_age_us, duplicate_rate, system_error_rate) =
            (a.max_age_us, a.duplicate_rate, a.system_error_rate);
        let m = &ext.msgs[slot as usize];
        let (request, sent_at, attempt, duplicate) = (m.request, m.sent_at, m.attempt, m.duplicate);
        let age = now - sent_at;
        if age >= max_age_us {
            if duplicate {
                self.shadow_gone(f, slot, request);
            } else {
                self.queue_final(f, slot, QueueKind::Async, FailReason::MaxEventAge, attempt);
            }
            return Ok(());
        }
        // A system error happens before the function is invoked: no invocation, no throttle.
        if system_error_rate > 0.0 && ext.sys_err_rng.gen::<f64>() < system_error_rate {
            let delay_us = self.async_backoff(f, slot)?;
            let st = &mut self.fns[f].stats;
            st.async_system_errors += 1;
            self.record(f, EventKind::AsyncSystemError { request, delay_us });
            return Ok(());
        }
        self.count_invocation(f);
        let st = &mut self.fns[f].stats;
        st.async_age_max_us = st.async_age_max_us.max(age);
        match self.try_start(f, request, attempt, Src::Async(slot)) {
            Ok(()) => {
                self.ext(f)?.msgs[slot as usize].throttles = 0;
                self.delivery_start(f, request, None);
                if !duplicate && duplicate_rate > 0.0 {
                    let ext = self.ext(f)?;
                    if ext.dup_rng.gen::<f64>() < duplicate_rate {
                        ext.tracks.entry(request).or_default().shadows += 1;
                        let d = self.alloc_msg(f, request, sent_at, true)?;
                        self.ext(f)?.msgs[d as usize].attempt = attempt;
                        self.async_dispatch(f, d)?;
                    }
                }
            }
            Err(reason) => {
                self.count_throttle(f, request, reason);
                let delay_us = self.async_backoff(f, slot)?;
                self.fns[f].stats.async_requeues += 1;
                self.record(f, EventKind::AsyncRequeued { request, delay_us });
            }
        }
        Ok(())
    }

    /// Puts the event in `slot` back in the queue after a throttle or a system error: 1 s,
    /// doubling up to 5 min, never past its maximum age. Returns the delay in µs.
    ///
    /// Each wait is drawn between half the backoff and the whole of it ("equal jitter"), so
    /// events throttled together do not all come back at the same instant: without it, 100
    /// events on a function with room for one retried in lockstep and 12 got through in
    /// 20 minutes.
    fn async_backoff(&mut self, f: usize, slot: u32) -> Result<u64, SimError> {
        let now = self.now;
        let ext = self.ext(f)?;
        let max_age_us = ext.asy.as_ref().map_or(0, |a| a.max_age_us);
        let m = &mut ext.msgs[slot as usize];
        let full = (US_PER_S << m.throttles.min(10)).min(ASYNC_BACKOFF_MAX_US);
        let backoff = full / 2 + ext.backoff_rng.gen_range(0..=full / 2);
        let m = &mut ext.msgs[slot as usize];
        m.throttles += 1;
        let due = (now + backoff).min(m.sent_at + max_age_us);
        m.due_at = due;
        let gen = m.gen;
        self.schedule_queue(
            due,
            Ev::AsyncDue {
                f: f as u16,
                slot,
                gen,
            },
        );
        Ok(due - now)
    }

    /// A duplicate delivery is over (done or expired).
    fn shadow_gone(&mut self, f: usize, slot: u32, request: u64) {
        if let Some(ext) = self.fns[f].ext.as_deref_mut() {
            if let Some(t) = ext.tracks.get_mut(&request) {
                t.shadows = t.shadows.saturating_sub(1);
                if t.terminal && t.running == 0 && t.shadows == 0 {
                    ext.tracks.remove(&request);
                }
            }
        }
        self.free_msg(f, slot);
    }

    /// An asynchronous invocation ended: success, a retry 60 s or 120 s later, or the end of
    /// the event (DLQ, on-failure destination, or dropped).
    fn async_done(&mut self, f: usize, slot: u32, outcome: Outcome) -> Result<(), SimError> {
        let now = self.now;
        let ext = self.ext(f)?;
        let Some(a) = ext.asy.clone() else {
            return Err(SimError::Internal(format!(
                "function {f} has no async queue"
            )));
        };
        let m = &ext.msgs[slot as usize];
        let (request, duplicate, attempt, sent_at) = (m.request, m.duplicate, m.attempt, m.sent_at);
        let ok = outcome == Outcome::Success;
        self.delivery_end(f, request, ok, None);
        if duplicate {
            self.shadow_gone(f, slot, request);
            return Ok(());
        }
        if ok {
            self.fns[f].stats.succeeded += 1;
            match a.on_success {
                Some((_, true)) => {
                    self.fns[f].stats.destination_success += 1;
                    self.record(f, EventKind::OnSuccess { request });
                }
                Some((to, false)) => self.send_denied(f, request, to),
                None => {}
            }
            self.request_terminal(f, request);
            self.free_msg(f, slot);
        } else if attempt < a.retry_attempts {
            let next = attempt + 1;
            let delay = if next == 1 {
                ASYNC_FIRST_RETRY_US
            } else {
                ASYNC_SECOND_RETRY_US
            };
            let due = (now + delay).min(sent_at + a.max_age_us);
            let ext = self.ext(f)?;
            let m = &mut ext.msgs[slot as usize];
            m.attempt = next;
            m.due_at = due;
            let gen = m.gen;
            self.schedule_queue(
                due,
                Ev::AsyncDue {
                    f: f as u16,
                    slot,
                    gen,
                },
            );
            // A retry the maximum age cuts short never happens: the event expires at `due`.
            if due == now + delay {
                self.fns[f].stats.async_retries += 1;
                self.record(
                    f,
                    EventKind::AsyncRetry {
                        request,
                        attempt: next,
                        delay_us: delay,
                    },
                );
            }
        } else {
            self.queue_final(
                f,
                slot,
                QueueKind::Async,
                FailReason::RetriesExhausted,
                attempt + 1,
            );
        }
        Ok(())
    }

    // -----------------------------------------------------------------------------------------
    // SQS event sources (lambda-facts.md section 7).

    fn sqs(&mut self, f: usize) -> Result<&mut SqsState, SimError> {
        self.ext(f)?
            .sqs
            .as_mut()
            .ok_or_else(|| SimError::Internal(format!("function {f} has no SQS queue")))
    }

    fn ensure_tick(&mut self, f: usize) -> Result<(), SimError> {
        let q = self.sqs(f)?;
        if !q.tick_pending && (q.visible_count > 0 || q.busy > 0) {
            q.tick_pending = true;
            let t = self.now + US_PER_S;
            self.schedule_queue(t, Ev::SqsTick { f: f as u16 });
        }
        Ok(())
    }

    /// A message is sent to the queue.
    pub(super) fn sqs_send(&mut self, f: usize, request: u64) -> Result<(), SimError> {
        let m = self.alloc_msg(f, request, self.now, false)?;
        self.record(
            f,
            EventKind::Queued {
                request,
                queue: QueueKind::Sqs,
            },
        );
        let ext = self.ext(f)?;
        let gen = ext.msgs[m as usize].gen;
        if let Some(q) = ext.sqs.as_mut() {
            q.visible.push_back((m, gen));
            q.visible_count += 1;
        }
        self.ensure_tick(f)?;
        self.sqs_poll(f)
    }

    /// Free pollers receive batches while messages are visible, waiting for a full batch
    /// during the batching window.
    #[inline(never)]
    pub(super) fn sqs_poll(&mut self, f: usize) -> Result<(), SimError> {
        let now = self.now;
        loop {
            let q = self.sqs(f)?;
            if q.visible_count == 0 {
                q.window_since = None;
                return Ok(());
            }
            if q.busy >= q.limit {
                return Ok(());
            }
            if (q.visible_count as usize) < q.batch_size && q.window_us > 0 {
                match q.window_since {
                    None => {
                        q.window_since = Some(now);
                        let t = now + q.window_us;
                        self.schedule_queue(t, Ev::SqsWindow { f: f as u16 });
                        return Ok(());
                    }
                    Some(t) if now < t + q.window_us => return Ok(()),
                    Some(_) => {} // The window is over: take a partial batch.
                }
            }
            let (b, dropped) = self.receive_batch(f)?;
            for slot in dropped {
                self.queue_final(f, slot, QueueKind::Sqs, FailReason::Retention, 0);
            }
            let Some(b) = b else {
                // Every visible message was past its retention. The deque is drained, so the
                // count must be 0; were it not, looping again would never end.
                let q = self.sqs(f)?;
                if q.visible_count > 0 && q.visible.is_empty() {
                    return Err(SimError::Internal(format!(
                        "function {f}: {} visible messages counted, none queued",
                        q.visible_count
                    )));
                }
                continue;
            };
            let q = self.sqs(f)?;
            let batch = &q.batches[b as usize];
            let (first, n) = (batch.msgs[0].request, batch.msgs.len() as u32);
            let first_slot = batch.msgs[0].slot;
            q.busy += 1;
            let vt = now + q.vt_us;
            self.record(
                f,
                EventKind::BatchReceived {
                    request: first,
                    messages: n,
                },
            );
            let attempt = self.ext(f)?.msgs[first_slot as usize]
                .receives
                .saturating_sub(1);
            self.count_invocation(f);
            match self.try_start(f, first, attempt, Src::Sqs(b)) {
                Ok(()) => {
                    self.fns[f].stats.batches += 1;
                    let q = self.sqs(f)?;
                    let batch = &mut q.batches[b as usize];
                    batch.running = true;
                    // A batch that will delete all its messages before its visibility timeout
                    // needs no timeout event: it would find nothing to make visible.
                    if batch.clean && batch.ends_at < vt {
                        batch.vt_pending = false;
                    } else {
                        self.schedule_queue(
                            vt,
                            Ev::SqsVisible {
                                f: f as u16,
                                batch: b,
                            },
                        );
                    }
                    for i in 0..n as usize {
                        let bm = self.sqs(f)?.batches[b as usize].msgs[i];
                        self.delivery_start(f, bm.request, Some((bm.slot, bm.gen)));
                    }
                }
                Err(reason) => {
                    self.schedule_queue(
                        vt,
                        Ev::SqsVisible {
                            f: f as u16,
                            batch: b,
                        },
                    );
                    // The messages stay invisible until their visibility timeout ends; the
                    // poller backs off.
                    self.count_throttle(f, first, reason);
                    self.sqs(f)?.throttled_since_tick = true;
                    self.schedule_queue(
                        now + SQS_POLLER_BACKOFF_US,
                        Ev::SqsPollerFree { f: f as u16 },
                    );
                }
            }
        }
    }

    /// Takes up to a batch of visible messages, counting a receive for each. Returns the batch
    /// (`None` if no message was left) and the messages found past their retention.
    fn receive_batch(&mut self, f: usize) -> Result<(Option<u32>, Vec<u32>), SimError> {
        let now = self.now;
        let func = &mut self.fns[f];
        let Some(ext) = func.ext.as_deref_mut() else {
            return Err(SimError::Internal(format!("function {f} has no queue")));
        };
        let Some(q) = ext.sqs.as_mut() else {
            return Err(SimError::Internal(format!("function {f} has no SQS queue")));
        };
        q.next_serial = q.next_serial.wrapping_add(1).max(1);
        let serial = q.next_serial;
        let b = match q.free_batches.pop() {
            Some(b) => b,
            None => {
                q.batches.push(Batch::default());
                (q.batches.len() - 1) as u32
            }
        };
        let mut dropped = Vec::new();
        let mut taken = std::mem::take(&mut q.batches[b as usize].msgs);
        taken.clear();
        while taken.len() < q.batch_size {
            let Some((slot, gen)) = q.visible.pop_front() else {
                break;
            };
            let m = &mut ext.msgs[slot as usize];
            if !(m.live && m.gen == gen && m.lease == 0) {
                continue;
            }
            q.visible_count -= 1;
            if now - m.sent_at >= q.retention_us {
                dropped.push(slot);
                continue;
            }
            m.receives += 1;
            m.lease = serial;
            if m.receives > 1 {
                func.stats.messages_redelivered += 1;
            }
            taken.push(BatchMsg {
                slot,
                gen,
                request: m.request,
                ok: false,
            });
        }
        if q.visible_count == 0 {
            q.window_since = None;
        }
        let empty = taken.is_empty();
        q.batches[b as usize] = Batch {
            serial,
            msgs: taken,
            running: false,
            vt_pending: !empty,
            ends_at: 0,
            clean: false,
        };
        if empty {
            q.free_batches.push(b);
            return Ok((None, dropped));
        }
        Ok((Some(b), dropped))
    }

    /// A batch's invocation started: when it ends, and whether every message succeeds.
    #[inline(never)]
    pub(super) fn sqs_started(&mut self, f: usize, b: u32, ends_at: u64, outcome: Outcome) {
        if let Some(q) = self.fns[f].ext.as_deref_mut().and_then(|e| e.sqs.as_mut()) {
            let batch = &mut q.batches[b as usize];
            batch.ends_at = ends_at;
            batch.clean = outcome == Outcome::Success && batch.msgs.iter().all(|m| m.ok);
        }
    }

    /// A batch's visibility timeout ends: its messages not yet deleted are visible again, or go
    /// to the DLQ once received `max_receive_count` times, or are dropped past their retention.
    pub(super) fn sqs_visible(&mut self, f: usize, b: u32) -> Result<(), SimError> {
        let now = self.now;
        let func = &mut self.fns[f];
        let Some(ext) = func.ext.as_deref_mut() else {
            return Err(SimError::Internal(format!("function {f} has no queue")));
        };
        let Some(q) = ext.sqs.as_mut() else {
            return Err(SimError::Internal(format!("function {f} has no SQS queue")));
        };
        let batch = &mut q.batches[b as usize];
        batch.vt_pending = false;
        let (serial, running) = (batch.serial, batch.running);
        let mut finals = Vec::new();
        let mut visible = 0u32;
        let mut first = None;
        for bm in &batch.msgs {
            let m = &mut ext.msgs[bm.slot as usize];
            if !(m.live && m.gen == bm.gen && m.lease == serial) {
                continue;
            }
            m.lease = 0;
            if q.max_receive.is_some_and(|max| m.receives >= max) {
                finals.push((bm.slot, FailReason::MaxReceiveCount, m.receives));
            } else if now - m.sent_at >= q.retention_us {
                finals.push((bm.slot, FailReason::Retention, m.receives));
            } else {
                q.visible.push_back((bm.slot, bm.gen));
                q.visible_count += 1;
                visible += 1;
                first.get_or_insert(bm.request);
            }
        }
        if !running {
            q.free_batches.push(b);
        }
        if let Some(request) = first {
            self.record(
                f,
                EventKind::VisibleAgain {
                    request,
                    messages: visible,
                    still_running: running,
                },
            );
        }
        for (slot, reason, count) in finals {
            self.queue_final(f, slot, QueueKind::Sqs, reason, count);
        }
        self.ensure_tick(f)?;
        self.sqs_poll(f)
    }

    /// A batch's invocation ended: successful messages are deleted (all of them, or with
    /// partial batch responses only those that did not fail); the rest wait for their
    /// visibility timeout. The next poll happens once the environment is idle again.
    /// The messages of SQS batch `b` of function `f`: request id and whether its processing
    /// succeeded.
    pub(super) fn batch_messages(&self, f: usize, b: u32) -> Vec<(u64, bool)> {
        self.fns[f]
            .ext
            .as_deref()
            .and_then(|e| e.sqs.as_ref())
            .and_then(|q| q.batches.get(b as usize))
            .map(|batch| batch.msgs.iter().map(|m| (m.request, m.ok)).collect())
            .unwrap_or_default()
    }

    fn sqs_done(&mut self, f: usize, b: u32, outcome: Outcome) -> Result<(), SimError> {
        let q = self.sqs(f)?;
        q.busy = q.busy.saturating_sub(1);
        let batch = &mut q.batches[b as usize];
        batch.running = false;
        let msgs = std::mem::take(&mut batch.msgs);
        let vt_pending = batch.vt_pending;
        for bm in &msgs {
            let processed = bm.ok && outcome != Outcome::Timeout;
            if !processed {
                self.fns[f].stats.batch_item_failures += 1;
            }
            self.delivery_end(f, bm.request, processed, Some((bm.slot, bm.gen)));
            if outcome == Outcome::Success && bm.ok {
                let ext = self.ext(f)?;
                if ext.valid(bm.slot, bm.gen) {
                    if ext.msgs[bm.slot as usize].lease == 0 {
                        // Visible again (its timeout ended while it ran): no longer waiting.
                        if let Some(q) = ext.sqs.as_mut() {
                            q.visible_count -= 1;
                        }
                    }
                    self.fns[f].stats.succeeded += 1;
                    self.request_terminal(f, bm.request);
                    self.free_msg(f, bm.slot);
                }
            }
        }
        let q = self.sqs(f)?;
        q.batches[b as usize].msgs = msgs;
        if !vt_pending {
            q.free_batches.push(b);
        }
        Ok(())
    }

    /// The pollers' scaling step, once a second while messages wait or batches run: 5 more
    /// concurrent batches (300 a minute) while every poller is busy and none was throttled,
    /// back to the batches in flight (at least 5) when the queue is empty.
    pub(super) fn sqs_tick(&mut self, f: usize) -> Result<(), SimError> {
        let q = self.sqs(f)?;
        q.tick_pending = false;
        if q.visible_count > 0 && q.busy >= q.limit && !q.throttled_since_tick {
            q.limit = (q.limit + SQS_POLLERS_STEP).min(q.cap);
        } else if q.visible_count == 0 {
            q.limit = q.busy.max(q.base).min(q.cap);
        }
        q.throttled_since_tick = false;
        self.sqs_poll(f)?;
        self.ensure_tick(f)
    }

    /// A poller's backoff after a throttle is over.
    pub(super) fn sqs_poller_free(&mut self, f: usize) -> Result<(), SimError> {
        let q = self.sqs(f)?;
        q.busy = q.busy.saturating_sub(1);
        self.sqs_poll(f)
    }
}
