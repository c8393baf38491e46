//! Delivery beyond a plain synchronous call: the per-function `FnExt`, which composes the
//! parts (the async queue in `async_queue`, SQS in `sqs`, failure windows, downstream limits
//! and client timeouts in `faults`, side effects and idempotency in `effects`, `cache`, `iam`);
//! the handler's plan (time and outcome) for a function with any of them; the end of such an
//! invocation; and the queue store the async queue and SQS share, with its DLQ and
//! destinations.
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

use super::async_queue::AsyncState;
use super::cache::CacheState;
use super::effects::{Track, TrackMap};
use super::faults::{DownstreamState, Outage};
use super::iam::{self, IamAttempt};
use super::invoke::Invocation;
use super::sqs::{batch_outcome, SqsState};
use super::tally::{count_fn, Tally};
use super::{stream, Ev, FnStats, Purpose, SimError, Simulation};
use crate::report::{
    DeadLetter, DownstreamLimit, EventKind, FailReason, Outcome, QueueKind, SendTarget,
};
use crate::scenario::{Function, InvocationType, Sampler};
use crate::time::{ms_to_us, s_to_us, us_to_ms};

/// Who invoked: a synchronous caller, the async queue (event slot) or an SQS poller (batch slot).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Src {
    Sync,
    Async(u32),
    Sqs(u32),
}

/// A queued asynchronous event or SQS message.
#[derive(Debug, Clone, Default)]
pub(super) struct Msg {
    pub(super) request: u64,
    /// When it entered the queue (its age counts from here), in µs.
    pub(super) sent_at: u64,
    /// Changes every time the slot is freed, so stale references never match.
    pub(super) gen: u32,
    pub(super) live: bool,
    /// An extra delivery of an asynchronous event (at-least-once), not the request itself.
    pub(super) duplicate: bool,
    /// Async: retries after function errors used so far (the attempt number).
    pub(super) attempt: u32,
    /// Async: throttles since it last started (sets the backoff).
    pub(super) throttles: u32,
    /// Async: when its pending `AsyncDue` fires.
    pub(super) due_at: u64,
    /// SQS: times received.
    pub(super) receives: u32,
    /// SQS: serial of the batch holding it (0: visible).
    pub(super) lease: u32,
    /// SQS: its deliveries and side effects while it is in the queue (it moves to
    /// `FnExt::tracks` if a delivery is still running when the message leaves).
    pub(super) track: Track,
}

/// The queues, failure windows, downstream and idempotency state of one function.
pub(super) struct FnExt {
    /// Side effects are counted for this function.
    pub(super) count_effects: bool,
    /// Side effects are counted per request id (requests may be delivered more than once).
    pub(super) track_ids: bool,
    /// The synchronous caller's timeout, in µs.
    pub(super) client_timeout_us: Option<u64>,
    pub(super) idempotency_ttl_us: Option<u64>,
    /// `errors_during` windows.
    pub(super) outage: Outage,
    pub(super) dup_rng: Pcg64Mcg,
    /// Lambda's own failures to invoke an async event.
    pub(super) sys_err_rng: Pcg64Mcg,
    /// The jitter of throttled events' backoff.
    pub(super) backoff_rng: Pcg64Mcg,
    pub(super) downstream: Option<DownstreamState>,
    pub(super) tracks: TrackMap,
    pub(super) msgs: Vec<Msg>,
    pub(super) free_msgs: Vec<u32>,
    /// Events and messages held by the queue, duplicates included.
    pub(super) live: u64,
    pub(super) queue_max: u64,
    pub(super) queue_field: String,
    /// Requests in the queue in the order they entered it, for the age of the oldest.
    pub(super) fifo: VecDeque<(u32, u32)>,
    /// Requests in the queue (duplicates excluded).
    pub(super) requests_live: u64,
    pub(super) asy: Option<AsyncState>,
    pub(super) sqs: Option<SqsState>,
    pub(super) cache: Option<CacheState>,
    /// What the code tries on each invocation, decided once by the role's policy.
    pub(super) iam: Vec<IamAttempt>,
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
        let asy = (cfg.invocation == InvocationType::Async).then(|| AsyncState::new(cfg));
        let sqs = (cfg.invocation == InvocationType::Sqs).then(|| SqsState::new(cfg));
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
            outage: Outage::new(cfg, stream(seed, i, Purpose::Outage)),
            dup_rng: stream(seed, i, Purpose::Duplicates),
            sys_err_rng: stream(seed, i, Purpose::SystemErrors),
            backoff_rng: stream(seed, i, Purpose::Backoff),
            downstream: cfg.downstream.as_ref().map(DownstreamState::new),
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
            cache: cfg.cache.as_ref().map(CacheState::new),
            iam: IamAttempt::of(cfg),
        }))
    }

    /// Environment `number` is gone, and its in-memory cache with it.
    pub(super) fn env_gone(&mut self, number: u32) {
        if let Some(c) = self.cache.as_mut() {
            c.envs.remove(&number);
        }
    }

    /// Whether queue slot `slot` still holds the message of generation `gen`.
    pub(super) fn valid(&self, slot: u32, gen: u32) -> bool {
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

// The entry points called from the synchronous code (`invoke`, `mod`) are `#[inline(never)]`: inlined,
// they grow the hot functions (`start`, `done`, `step`) enough for the compiler to stop
// inlining the event queue's push into them; measured with callgrind on the SimFaaS baseline,
// that cost plain synchronous runs about 3% more instructions.
impl Simulation {
    /// Schedules an event of the queues. Kept out of line so that the synchronous hot path's
    /// own few calls of `schedule` (and the heap push in it) stay inlined.
    #[inline(never)]
    pub(super) fn schedule_queue(&mut self, t: u64, ev: Ev) {
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

    pub(super) fn ext(&mut self, f: usize) -> Result<&mut FnExt, SimError> {
        self.fns[f]
            .ext
            .as_deref_mut()
            .ok_or_else(|| SimError::Internal(format!("function {f} has no queue state")))
    }

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
        let fn_row = &mut self.fn_rows[f][self.cur_bucket];
        let func = &mut self.fns[f];
        let timeout_us = func.timeout_us;
        let error_rate = func.cfg.error_rate;
        let io_ms = func.io_ms.clone();
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
        // The I/O part of the handler time (the calls to the data source), for traces.
        let mut io_total_ms = 0.0;
        let mut one = |ext: &mut FnExt, stats: &mut FnStats, service: &mut Pcg64Mcg| {
            let mut tally = |t: Tally| count_fn(stats, fn_row, t);
            // Two empirical distributions share one draw (see `Sampler::sample_pair`); any
            // other I/O time is drawn when it is needed, after the cache lookup.
            let (cpu, io_drawn) = if func.cpu_ms.is_empirical() && io_ms.is_empirical() {
                let (cpu, io) = Sampler::sample_pair(&func.cpu_ms, &io_ms, service);
                (cpu, Some(io))
            } else {
                (func.cpu_ms.sample(service), None)
            };
            // A cache hit replaces the I/O (the call to the data source) with the hit time.
            let (io, hit) = match ext.cache.as_mut() {
                Some(c) => {
                    let key = service.gen_range(0..c.keys);
                    if let Some(age_us) = c.lookup(env, key, now) {
                        tally(Tally::CacheHit { age_us });
                        (c.hit_ms, true)
                    } else {
                        tally(Tally::CacheMiss);
                        (io_drawn.unwrap_or_else(|| io_ms.sample(service)), false)
                    }
                }
                None => (io_drawn.unwrap_or_else(|| io_ms.sample(service)), false),
            };
            let mut failed = error_rate > 0.0 && service.gen::<f64>() < error_rate;
            failed |= ext.outage.fails(now);
            if !ext.iam.is_empty() {
                failed |= iam::calls(&ext.iam, service, &mut tally);
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
                        tally(Tally::DownstreamSlowed);
                    }
                    None => {
                        // Rejected at once: the I/O wait never happens.
                        failed = true;
                        ms = cpu;
                        io_total_ms -= io;
                        tally(Tally::DownstreamRejected);
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
                    self.tally(f, Tally::Succeeded);
                    self.request_terminal(f, inv.request);
                    self.sys_end(inv.request, true);
                } else {
                    let retry_errors = self.fns[f].cfg.client.retry_errors;
                    if !(retry_errors && self.retry(f, inv.request, inv.attempt)) {
                        self.tally(f, Tally::Failed);
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

    pub(super) fn alloc_msg(
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

    pub(super) fn free_msg(&mut self, f: usize, slot: u32) {
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
    pub(super) fn queue_final(
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
        if queue == QueueKind::Async {
            self.tally(f, Tally::AsyncDropped);
        }
        match to {
            Some(to) => {
                self.tally(f, Tally::DeadLettered);
                if matches!(to, DeadLetter::OnFailure | DeadLetter::Both) {
                    self.tally(f, Tally::DestinationFailure);
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
                self.tally(f, Tally::Dropped);
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
    pub(super) fn send_denied(&mut self, f: usize, request: u64, to: SendTarget) {
        match to {
            SendTarget::Dlq(_) => {
                self.tally(f, Tally::DeadLetterError);
                self.dead_letter_errors_total += 1;
            }
            SendTarget::OnFailure(_) | SendTarget::OnSuccess(_) => {
                self.tally(f, Tally::DestinationDeliveryFailure)
            }
        }
        self.record(f, EventKind::SendDenied { request, to });
    }
}

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
