//! Lambda's asynchronous event queue (docs/lambda-facts.md section 6): events queued, invoked as
//! soon as concurrency allows, put back with a backoff when throttled, retried after function
//! errors, delivered twice now and then, and sent to a DLQ or destination at the end.

use rand::Rng;

use super::delivery::Src;
use super::tally::Tally;
use super::{Ev, SimError, Simulation};
use crate::report::{EventKind, FailReason, Outcome, QueueKind, SendTarget};
use crate::scenario::Function;
use crate::time::US_PER_S;

/// Delay before Lambda's first retry of a failed asynchronous event (AWS: "about 1 minute").
const ASYNC_FIRST_RETRY_US: u64 = 60 * US_PER_S;
/// Delay before the second retry (AWS: "about 2 minutes").
const ASYNC_SECOND_RETRY_US: u64 = 120 * US_PER_S;
/// Longest backoff of a throttled asynchronous event (AWS: "up to 5 minutes").
const ASYNC_BACKOFF_MAX_US: u64 = 300 * US_PER_S;

/// Asynchronous invocation settings, in the units the engine uses.
#[derive(Debug, Clone)]
pub(super) struct AsyncState {
    pub(super) retry_attempts: u32,
    pub(super) max_age_us: u64,
    /// The DLQ and destinations, each with whether the role allows sending there (decided once:
    /// the policy does not change during a run).
    pub(super) dlq: Option<(SendTarget, bool)>,
    pub(super) on_failure: Option<(SendTarget, bool)>,
    pub(super) on_success: Option<(SendTarget, bool)>,
    pub(super) duplicate_rate: f64,
    pub(super) system_error_rate: f64,
}

/// The delay before retry number `attempt` (1 or 2) after a function error.
fn retry_delay_us(attempt: u32) -> u64 {
    if attempt == 1 {
        ASYNC_FIRST_RETRY_US
    } else {
        ASYNC_SECOND_RETRY_US
    }
}

/// The backoff of an event throttled (or failed by Lambda) `throttles` times since it last
/// started: 1 s, doubling up to 5 min. The wait drawn from it is between half of it and all of
/// it (`async_backoff`).
fn backoff_us(throttles: u32) -> u64 {
    (US_PER_S << throttles.min(10)).min(ASYNC_BACKOFF_MAX_US)
}

impl AsyncState {
    /// The asynchronous settings of function `cfg`.
    pub(super) fn new(cfg: &Function) -> Self {
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
    }
}

impl Simulation {
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
    pub(super) fn async_dispatch(&mut self, f: usize, slot: u32) -> Result<(), SimError> {
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
            self.tally(f, Tally::AsyncSystemError);
            self.record(f, EventKind::AsyncSystemError { request, delay_us });
            return Ok(());
        }
        self.tally(f, Tally::Invocation);
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
                self.tally(f, Tally::AsyncRequeue);
                self.record(f, EventKind::AsyncRequeued { request, delay_us });
            }
        }
        Ok(())
    }

    /// Puts the event in `slot` back in the queue after a throttle or a system error: 1 s,
    /// doubling up to 5 min, never past its maximum age. Returns the delay in µs.
    pub(super) fn async_backoff(&mut self, f: usize, slot: u32) -> Result<u64, SimError> {
        let now = self.now;
        let ext = self.ext(f)?;
        let m = &mut ext.msgs[slot as usize];
        let full = backoff_us(m.throttles);
        m.throttles += 1;
        // "Equal jitter": events throttled together do not all come back at the same instant.
        // Without it, 100 events on a function with room for one retried in lockstep and 12
        // got through in 20 minutes (docs/lambda-facts.md section 6; tests/limits.rs).
        let backoff = full / 2 + ext.backoff_rng.gen_range(0..=full / 2);
        let due = self.async_again(f, slot, backoff)?;
        Ok(due - now)
    }

    /// Schedules the next try of the event in `slot` after `delay_us`, never past its maximum
    /// age (it expires then); returns when it is due. The one scheduling of an event's next
    /// try, after a throttle, a system error or a function error.
    fn async_again(&mut self, f: usize, slot: u32, delay_us: u64) -> Result<u64, SimError> {
        let now = self.now;
        let ext = self.ext(f)?;
        let max_age_us = ext.asy.as_ref().map_or(0, |a| a.max_age_us);
        let m = &mut ext.msgs[slot as usize];
        // Never in the past: an invocation that ran past the event's maximum age schedules
        // its retry now, and the event then expires.
        let due = (now + delay_us).min(m.sent_at + max_age_us).max(now);
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
        Ok(due)
    }

    /// An asynchronous invocation ended: success, a retry 60 s or 120 s later, or the end of
    /// the event (DLQ, on-failure destination, or dropped).
    pub(super) fn async_done(
        &mut self,
        f: usize,
        slot: u32,
        outcome: Outcome,
    ) -> Result<(), SimError> {
        let now = self.now;
        let ext = self.ext(f)?;
        let Some(a) = ext.asy.clone() else {
            return Err(SimError::Internal(format!(
                "function {f} has no async queue"
            )));
        };
        let m = &ext.msgs[slot as usize];
        let (request, duplicate, attempt) = (m.request, m.duplicate, m.attempt);
        let ok = outcome == Outcome::Success;
        self.delivery_end(f, request, ok, None);
        if duplicate {
            self.shadow_gone(f, slot, request);
            return Ok(());
        }
        if ok {
            self.tally(f, Tally::Succeeded);
            match a.on_success {
                Some((_, true)) => {
                    self.tally(f, Tally::DestinationSuccess);
                    self.record(f, EventKind::OnSuccess { request });
                }
                Some((to, false)) => self.send_denied(f, request, to),
                None => {}
            }
            self.request_terminal(f, request);
            self.free_msg(f, slot);
        } else if attempt < a.retry_attempts {
            let next = attempt + 1;
            let delay = retry_delay_us(next);
            self.ext(f)?.msgs[slot as usize].attempt = next;
            let due = self.async_again(f, slot, delay)?;
            // A retry the maximum age cuts short never happens: the event expires at `due`.
            if due == now + delay {
                self.tally(f, Tally::AsyncRetry);
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_come_after_one_then_two_minutes() {
        assert_eq!(retry_delay_us(1), 60 * US_PER_S);
        assert_eq!(retry_delay_us(2), 120 * US_PER_S);
    }

    #[test]
    fn the_backoff_doubles_from_one_second_up_to_five_minutes() {
        let b: Vec<u64> = (0..12).map(|t| backoff_us(t) / US_PER_S).collect();
        assert_eq!(b, vec![1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300]);
    }
}
