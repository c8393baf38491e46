//! An invocation from start to end: the concurrency pools, the choice of a provisioned, warm or
//! new environment, throttles and the caller's retries, the handler's run, and its billing.

use rand::Rng;

use super::delivery::Src;
use super::env::init_us;
use super::tally::{count_run, Tally};
use super::{Ev, Integral, SimError, Simulation};
use crate::report::{EnvState, EventKind, Outcome, ThrottleReason};
use crate::scenario::{InvocationType, Sampler};
use crate::time::{ms_to_us, US_PER_MS};

/// Longest on-demand Init before Lambda stops it and runs it again inside the first invoke.
const ON_DEMAND_INIT_LIMIT_US: u64 = 10_000_000;

/// An invocation running on an environment.
#[derive(Debug, Clone, Copy)]
pub(super) struct Invocation {
    pub(super) request: u64,
    pub(super) attempt: u32,
    pub(super) arrived: u64,
    pub(super) cold: bool,
    pub(super) init_us: u64,
    pub(super) run_us: u64,
    pub(super) outcome: Outcome,
    /// Who invoked: a synchronous caller, the async queue or an SQS poller.
    pub(super) src: Src,
    /// The synchronous caller stopped waiting (client timeout); the invocation runs on.
    pub(super) abandoned: bool,
    /// It holds one of the downstream's connections.
    pub(super) conn: bool,
    /// Its synchronous call to another function: 0 none yet, 1 waiting, 2 answered.
    pub(super) call: u8,
    /// Identifies the wait (a stale `Resume` carries another).
    pub(super) call_token: u32,
    /// The handler's own time, before any call it waits for, in µs.
    pub(super) own_us: u64,
    /// Of it, the I/O (calls to the data source), in µs; kept only when tracing.
    pub(super) io_us: u64,
}

impl Simulation {
    /// Whether one more on-demand execution of function `f` fits its concurrency pool.
    pub(super) fn concurrency_room(&self, f: usize) -> Result<(), ThrottleReason> {
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
    pub(super) fn invoke(&mut self, f: usize, request: u64, attempt: u32) {
        self.tally(f, Tally::Invocation);
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

    /// Starts an invocation on a provisioned, warm or new environment, or says which limit
    /// refuses it. Inlined: a call here measurably slowed the synchronous hot path.
    #[inline(always)]
    pub(super) fn try_start(
        &mut self,
        f: usize,
        request: u64,
        attempt: u32,
        src: Src,
    ) -> Result<(), ThrottleReason> {
        // 1. A ready provisioned environment.
        if let Some(slot) = self.fns[f].provisioned_idle.pop() {
            self.tally(f, Tally::ProvisionedInvocation);
            self.start(slot, request, attempt, None, src);
            return Ok(());
        }
        let spill = self.fns[f].provisioned > 0;
        self.concurrency_room(f)?;
        if src == Src::Sync && !self.rps.take(self.now) {
            return Err(ThrottleReason::RequestRate);
        }
        // 2. A warm on-demand environment, chosen by the routing policy.
        let func = &mut self.fns[f];
        if let Some(slot) = func.idle.take(&mut func.routing_rng, &mut self.envs) {
            self.occupy(f);
            if spill {
                self.tally(f, Tally::Spillover);
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
            self.tally(f, Tally::Spillover);
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
    pub(super) fn count_throttle(&mut self, f: usize, request: u64, reason: ThrottleReason) {
        self.tally(f, Tally::Throttle);
        if reason == ThrottleReason::RequestRate {
            self.tally(f, Tally::ThrottledRequestRate);
        }
        self.record(f, EventKind::Throttled { request, reason });
    }

    /// Takes one on-demand concurrency slot for function `f`.
    pub(super) fn occupy(&mut self, f: usize) {
        self.fns[f].active_on_demand += 1;
        if self.fns[f].cfg.reserved_concurrency.is_none() {
            self.unreserved_used += 1;
        }
    }

    /// Gives back one on-demand concurrency slot of function `f`.
    pub(super) fn release(&mut self, f: usize) {
        self.fns[f].active_on_demand -= 1;
        if self.fns[f].cfg.reserved_concurrency.is_none() {
            self.unreserved_used -= 1;
        }
    }

    /// A throttled synchronous attempt: the caller retries, or the request ends throttled.
    pub(super) fn throttle(
        &mut self,
        f: usize,
        request: u64,
        attempt: u32,
        reason: ThrottleReason,
    ) {
        self.count_throttle(f, request, reason);
        if !self.retry(f, request, attempt) {
            self.tally(f, Tally::ThrottledFinal);
            if self.fns[f].ext.is_some() {
                self.request_terminal(f, request);
            }
            if self.sys.is_some() {
                self.sys_end(request, false);
            }
        }
    }

    /// Schedules the caller's next attempt if it has one left; false when it gives up.
    pub(super) fn retry(&mut self, f: usize, request: u64, attempt: u32) -> bool {
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
        self.tally(f, Tally::Retry);
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
    /// first invoke, within the function's timeout (docs/lambda-facts.md section 1;
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
        self.tally(f, Tally::InitTimeout);
        let timeout_us = self.fns[f].timeout_us;
        let invoke_us = init.saturating_add(run_us);
        if invoke_us > timeout_us {
            (ON_DEMAND_INIT_LIMIT_US, timeout_us, Outcome::Timeout)
        } else {
            (ON_DEMAND_INIT_LIMIT_US, invoke_us, outcome)
        }
    }

    /// Starts an invocation on environment `slot`; `init_us` is `Some` for a cold start.
    pub(super) fn start(
        &mut self,
        slot: u32,
        request: u64,
        attempt: u32,
        init_us: Option<u64>,
        src: Src,
    ) {
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
            let (cpu_ms, io_ms) =
                Sampler::sample_pair(&func.cpu_ms, &func.io_ms, &mut func.service);
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
            self.count(f, b, Tally::ColdStart);
            self.record(
                f,
                EventKind::ColdStart {
                    env: self.envs[s].number,
                    request,
                    init_us: init,
                },
            );
            self.add_interval(Integral::Init, now, now + init);
            let stats = &mut self.fns[f].stats;
            stats.init_us += u128::from(init.min(self.end - now));
            stats.cold_init_sum_us += u128::from(init);
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

    /// The invocation on `slot` ends: billing, its outcome, and what the environment does next.
    pub(super) fn done(&mut self, slot: u32) -> Result<(), SimError> {
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
        let duration_us = self.complete(slot, f, &inv);
        if self.fns[f].ext.is_none() {
            self.settle(f, &inv);
        } else {
            if inv.outcome != Outcome::Success {
                self.tally(f, Tally::failure(inv.outcome));
            }
            self.ext_done(f, &inv)?;
        }
        if self.sys.is_some() {
            self.sys_after(f, &inv, duration_us)?;
        }
        self.env_after(slot, inv.outcome);
        // Only now, with the environment idle again, can a poller's next batch use it.
        if self.fns[f].kind == InvocationType::Sqs {
            self.sqs_poll(f)?;
        }
        Ok(())
    }

    /// The invocation `inv` of function `f` on `slot` ends: its busy segment, its bill, its
    /// duration and the concurrency it held. Returns its duration (what its caller waited).
    #[inline(always)]
    fn complete(&mut self, slot: u32, f: usize, inv: &Invocation) -> u64 {
        let s = slot as usize;
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
        count_run(&mut func.stats, &mut self.rows[b], Tally::Completion);
        func.stats.duration_sum_us += u128::from(duration_us);
        let _ = func.hist.record(duration_us.max(1));
        let _ = self.bucket_hist.record(duration_us.max(1));
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
        duration_us
    }

    /// The outcome of a plain synchronous invocation: success, or an error the caller retries
    /// or that fails the request.
    #[inline(always)]
    fn settle(&mut self, f: usize, inv: &Invocation) {
        let b = self.cur_bucket;
        match inv.outcome {
            Outcome::Success => {
                self.count(f, b, Tally::Succeeded);
                if self.sys.is_some() {
                    self.sys_end(inv.request, true);
                }
            }
            Outcome::Error | Outcome::Timeout => {
                self.count(f, b, Tally::failure(inv.outcome));
                let retry_errors = self.fns[f].cfg.client.retry_errors;
                if !(retry_errors && self.retry(f, inv.request, inv.attempt)) {
                    self.count(f, b, Tally::Failed);
                    if self.sys.is_some() {
                        self.sys_end(inv.request, false);
                    }
                }
            }
        }
    }
}
