//! SQS event sources (docs/lambda-facts.md section 7): pollers that scale by the second, batches
//! gathered over a window, visibility timeouts, redrive after `max_receive_count`, and
//! partial batch responses.

use std::collections::VecDeque;

use super::delivery::Src;
use super::tally::{count_totals, Tally};
use super::{Ev, SimError, Simulation};
use crate::report::{EventKind, FailReason, Outcome, QueueKind};
use crate::scenario::Function;
use crate::time::{s_to_us, US_PER_S};

/// An SQS poller waits this long after its batch was throttled.
const SQS_POLLER_BACKOFF_US: u64 = US_PER_S;
/// SQS pollers at first (AWS: 5 concurrent batches).
const SQS_POLLERS_START: u32 = 5;
/// Pollers added per one-second step while messages wait (AWS: up to 300 a minute).
const SQS_POLLERS_STEP: u32 = 5;
/// Most concurrent batches of one SQS event source (AWS: 1,250).
const SQS_POLLERS_MAX: u32 = 1_250;

/// One message of an SQS batch.
#[derive(Debug, Clone, Copy)]
pub(super) struct BatchMsg {
    pub(super) slot: u32,
    pub(super) gen: u32,
    pub(super) request: u64,
    /// Its processing succeeded (decided when the invocation starts).
    pub(super) ok: bool,
}

/// A batch received by an SQS poller.
#[derive(Debug, Clone, Default)]
pub(super) struct Batch {
    pub(super) serial: u32,
    pub(super) msgs: Vec<BatchMsg>,
    /// Its invocation is running.
    pub(super) running: bool,
    /// Its visibility timeout has not ended yet.
    pub(super) vt_pending: bool,
    /// When its invocation ends, in µs (set when it starts).
    pub(super) ends_at: u64,
    /// Its invocation will succeed for every message (set when it starts).
    pub(super) clean: bool,
}

/// An SQS queue and its pollers.
#[derive(Debug, Clone)]
pub(super) struct SqsState {
    pub(super) batch_size: usize,
    pub(super) window_us: u64,
    pub(super) vt_us: u64,
    pub(super) retention_us: u64,
    pub(super) max_receive: Option<u32>,
    pub(super) report_failures: bool,
    /// Visible messages in arrival order (entries of deleted or received ones are skipped).
    pub(super) visible: VecDeque<(u32, u32)>,
    pub(super) visible_count: u64,
    /// Concurrent batches the pollers may have now.
    pub(super) limit: u32,
    pub(super) base: u32,
    pub(super) cap: u32,
    /// Pollers with a batch in flight or backing off after a throttle.
    pub(super) busy: u32,
    pub(super) tick_pending: bool,
    pub(super) throttled_since_tick: bool,
    /// When the current batching window opened.
    pub(super) window_since: Option<u64>,
    pub(super) next_serial: u32,
    pub(super) batches: Vec<Batch>,
    pub(super) free_batches: Vec<u32>,
}

/// A batch's outcome: a timeout fails it all; without partial batch responses one failed
/// message fails the invocation.
pub(super) fn batch_outcome(
    run_us: u64,
    timeout_us: u64,
    any_failed: bool,
    report: bool,
) -> Outcome {
    if run_us > timeout_us {
        Outcome::Timeout
    } else if any_failed && !report {
        Outcome::Error
    } else {
        Outcome::Success
    }
}

impl SqsState {
    /// The queue and pollers of function `cfg`.
    pub(super) fn new(cfg: &Function) -> Self {
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
    }
}

impl Simulation {
    pub(super) fn sqs(&mut self, f: usize) -> Result<&mut SqsState, SimError> {
        self.ext(f)?
            .sqs
            .as_mut()
            .ok_or_else(|| SimError::Internal(format!("function {f} has no SQS queue")))
    }

    pub(super) fn ensure_tick(&mut self, f: usize) -> Result<(), SimError> {
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
            self.tally(f, Tally::Invocation);
            match self.try_start(f, first, attempt, Src::Sqs(b)) {
                Ok(()) => {
                    self.tally(f, Tally::Batch);
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
    pub(super) fn receive_batch(&mut self, f: usize) -> Result<(Option<u32>, Vec<u32>), SimError> {
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
                count_totals(&mut func.stats, Tally::MessageRedelivered);
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

    pub(super) fn sqs_done(&mut self, f: usize, b: u32, outcome: Outcome) -> Result<(), SimError> {
        let q = self.sqs(f)?;
        q.busy = q.busy.saturating_sub(1);
        let batch = &mut q.batches[b as usize];
        batch.running = false;
        let msgs = std::mem::take(&mut batch.msgs);
        let vt_pending = batch.vt_pending;
        for bm in &msgs {
            let processed = bm.ok && outcome != Outcome::Timeout;
            if !processed {
                self.tally(f, Tally::BatchItemFailure);
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
                    self.tally(f, Tally::Succeeded);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timeout_fails_the_batch_and_one_failed_message_fails_it_without_partial_responses() {
        assert_eq!(batch_outcome(11, 10, false, true), Outcome::Timeout);
        assert_eq!(batch_outcome(10, 10, true, false), Outcome::Error);
        assert_eq!(batch_outcome(10, 10, true, true), Outcome::Success);
        assert_eq!(batch_outcome(10, 10, false, false), Outcome::Success);
    }
}
