//! The end of a run: open intervals closed, conservation checked, usage priced, and the
//! report assembled, in named steps.

use hdrhistogram::Histogram;

use super::delivery::Src;
use super::{new_hist, Ev, FnStats, Integral, SimError, Simulation};
use crate::cost::{self, CostBreakdown, Usage};
use crate::report::{
    ConcurrencyLimits, EnvState, FunctionSummary, Lanes, Ledger, Report, Series, Summary,
};
use crate::time::{us_to_ms, us_to_s};

use super::tally::percentiles_ms;

/// The per-function part of the report: summaries, the ledger and the totals.
struct Totals {
    functions: Vec<FunctionSummary>,
    ledger: Ledger,
    hist: Histogram<u64>,
    cost: CostBreakdown,
    usage: Usage,
}

impl Simulation {
    /// Ends the run: closes open intervals, prices usage, and returns the report.
    pub fn finish(mut self) -> Result<Report, SimError> {
        self.close_run();
        let in_flight = self.in_flight_at_end();
        let totals = self.price_functions(&in_flight)?;
        let summary = self.total_summary(&totals);
        self.close_series();
        let function_names = self.fns.iter().map(|f| f.cfg.name.clone()).collect();
        let (alarms, deployments, tracing) = self.sys_finish();
        Ok(Report {
            summary,
            functions: totals.functions,
            ledger: totals.ledger,
            series: Series {
                bucket_s: us_to_s(self.bucket_us),
                rows: self.rows,
                by_function: self.fn_rows,
            },
            lanes: Lanes {
                hidden_envs: u64::from(self.env_count.saturating_sub(self.scenario.record.lanes)),
                lanes: self.recording.lanes,
                truncated: self.recording.lanes_truncated,
            },
            events: self.recording.log,
            events_truncated: self.recording.log_truncated,
            function_names,
            alarms,
            deployments,
            tracing,
            limits: ConcurrencyLimits {
                account: self.scenario.account.concurrency_limit,
                reserved: self
                    .scenario
                    .functions
                    .iter()
                    .filter_map(|f| f.reserved_concurrency.map(|r| (f.name.clone(), r)))
                    .collect(),
            },
        })
    }

    /// Moves the clock to the end, closes the last bucket, evaluates the alarms whose period
    /// ends with the run, and closes the intervals of the environments still alive.
    fn close_run(&mut self) {
        let end = self.end;
        self.advance(end.saturating_sub(1));
        self.now = end;
        self.close_bucket();
        if self.sys.is_some() {
            self.sys_final_ticks();
        }
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
                    let busy_start = inv.arrived + inv.init_us;
                    self.segment(slot as u32, busy_start, end, EnvState::Busy);
                }
                (_, None) => {} // A provisioned environment still initialising: its segment is recorded.
            }
        }
    }

    /// Requests of each function outside any queue that are still in flight: a synchronous
    /// caller waiting on a running invocation (not one that gave up), or a client retry pending.
    pub(super) fn callers_waiting(&self) -> Vec<u64> {
        let mut in_flight = vec![0u64; self.fns.len()];
        for e in &self.envs {
            if e.alive && e.inv.is_some_and(|i| i.src == Src::Sync && !i.abandoned) {
                in_flight[usize::from(e.f)] += 1;
            }
        }
        for s in self.queue.pending() {
            if let Ev::Retry { f, .. } = s.ev {
                in_flight[usize::from(f)] += 1;
            }
        }
        in_flight
    }

    /// Requests of each function still in flight: a synchronous caller waiting (a queued
    /// request is counted with its queue, and a caller that gave up has a retry pending or
    /// has ended), a retry waiting, or a request in a queue (waiting, being processed or
    /// waiting for a retry).
    pub(super) fn in_flight_at_end(&mut self) -> Vec<u64> {
        let mut in_flight = self.callers_waiting();
        for (f, n) in in_flight.iter_mut().enumerate() {
            *n += self.finish_queue(f);
        }
        in_flight
    }

    /// Prices each function's usage, checks its ledger balances, and sums the totals.
    fn price_functions(&mut self, in_flight: &[u64]) -> Result<Totals, SimError> {
        let duration_s = us_to_s(self.end);
        let month_fraction = duration_s / (30.0 * 86_400.0);
        let mut free_left = self.scenario.cost.free_tier.then_some((
            self.prices.free_tier.requests * month_fraction,
            self.prices.free_tier.gb_s * month_fraction,
        ));
        let unit = self.prices.provisioned_billing_unit_s;
        let billed_provisioned_s = libm::ceil(duration_s / unit) * unit;
        let n_buckets = self.rows.len() as f64;
        let mut t = Totals {
            functions: Vec::with_capacity(self.fns.len()),
            ledger: Ledger::default(),
            hist: new_hist(3)?,
            cost: CostBreakdown::default(),
            usage: Usage::default(),
        };
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
            let fl = ledger_of(st, in_flight[i]);
            if !fl.balances() {
                return Err(SimError::Internal(format!(
                    "ledger of function {} does not balance: {fl:?}",
                    func.cfg.name
                )));
            }
            let s = summarise(st, &func.hist, duration_s, &c, &func.usage, self.events);
            t.hist
                .add(&func.hist)
                .map_err(|e| SimError::Internal(format!("histogram: {e}")))?;
            t.ledger.requests += fl.requests;
            t.ledger.succeeded += fl.succeeded;
            t.ledger.failed += fl.failed;
            t.ledger.throttled += fl.throttled;
            t.ledger.dead_lettered += fl.dead_lettered;
            t.ledger.dropped += fl.dropped;
            t.ledger.in_flight += fl.in_flight;
            t.cost.add(&c);
            t.usage.add(&func.usage);
            t.functions.push(FunctionSummary {
                name: func.cfg.name.clone(),
                summary: s,
            });
        }
        Ok(t)
    }

    /// The summary of the whole run: every function's counters added up, with the account's
    /// peaks (queue depth, concurrency) read from the time series.
    fn total_summary(&self, t: &Totals) -> Summary {
        let mut all = FnStats::default();
        for func in &self.fns {
            all.add(&func.stats);
        }
        // The account's queue depth is the most held at once by all queues together.
        all.queue_depth_max = self
            .rows
            .iter()
            .map(|r| r.queue_depth_max)
            .max()
            .unwrap_or(0);
        all.concurrency_max = self
            .rows
            .iter()
            .map(|r| r.concurrency_max)
            .max()
            .unwrap_or(0);
        summarise(
            &all,
            &t.hist,
            us_to_s(self.end),
            &t.cost,
            &t.usage,
            self.events,
        )
    }

    /// The buckets' means (environments, Init, busy, idle) and the running cost.
    fn close_series(&mut self) {
        let end = self.end;
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
    }
}

/// The ledger of one function: where each of its requests ended, or that it is in flight.
pub(super) fn ledger_of(st: &FnStats, in_flight: u64) -> Ledger {
    Ledger {
        requests: st.requests,
        succeeded: st.succeeded,
        failed: st.failed,
        throttled: st.throttled_final,
        dead_lettered: st.dead_lettered,
        dropped: st.dropped,
        in_flight,
    }
}

impl FnStats {
    /// Adds another function's counters (the maxima of ages are maxima, not sums; the
    /// account's queue depth and concurrency are read from the time series instead).
    fn add(&mut self, st: &FnStats) {
        self.requests += st.requests;
        self.invocations += st.invocations;
        self.completed += st.completed;
        self.cold_starts += st.cold_starts;
        self.throttled += st.throttled;
        self.errors += st.errors;
        self.timeouts += st.timeouts;
        self.retries += st.retries;
        self.provisioned_invocations += st.provisioned_invocations;
        self.spillover += st.spillover;
        self.envs_created += st.envs_created;
        self.duration_sum_us += st.duration_sum_us;
        self.reaped += st.reaped;
        self.lifespan_sum_us += st.lifespan_sum_us;
        self.alive_us += st.alive_us;
        self.running_us += st.running_us;
        self.init_us += st.init_us;
        self.cold_init_sum_us += st.cold_init_sum_us;
        self.queue_depth_max += st.queue_depth_max;
        self.queue_age_max_us = self.queue_age_max_us.max(st.queue_age_max_us);
        self.dead_lettered += st.dead_lettered;
        self.dropped += st.dropped;
        self.async_age_max_us = self.async_age_max_us.max(st.async_age_max_us);
        self.async_events_dropped += st.async_events_dropped;
        self.async_retries += st.async_retries;
        self.async_requeues += st.async_requeues;
        self.async_system_errors += st.async_system_errors;
        self.dead_letter_errors += st.dead_letter_errors;
        self.destination_delivery_failures += st.destination_delivery_failures;
        self.batches += st.batches;
        self.batch_item_failures += st.batch_item_failures;
        self.messages_redelivered += st.messages_redelivered;
        self.duplicates += st.duplicates;
        self.count_effects |= st.count_effects;
        // A function that does not count side effects applied one per successful invocation.
        let (effects, effects_max) = if st.count_effects {
            (st.side_effects, st.side_effects_max)
        } else {
            let ok = st.completed.saturating_sub(st.errors);
            (ok, ok.min(1))
        };
        self.side_effects += effects;
        self.side_effects_max = self.side_effects_max.max(effects_max);
        self.idempotent_skips += st.idempotent_skips;
        self.downstream_rejections += st.downstream_rejections;
        self.downstream_slowed += st.downstream_slowed;
        self.destination_success += st.destination_success;
        self.destination_failure += st.destination_failure;
        self.client_timeouts += st.client_timeouts;
        self.init_timeouts += st.init_timeouts;
        self.throttled_request_rate += st.throttled_request_rate;
        self.triggered += st.triggered;
        self.recursive_dropped += st.recursive_dropped;
        self.cache_hits += st.cache_hits;
        self.cache_age_max_us = self.cache_age_max_us.max(st.cache_age_max_us);
        self.cache_misses += st.cache_misses;
        self.iam_allowed += st.iam_allowed;
        self.iam_denied += st.iam_denied;
        self.iam_harmful_allowed += st.iam_harmful_allowed;
    }
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
        init_ms_mean: if st.cold_starts == 0 {
            0.0
        } else {
            st.cold_init_sum_us as f64 / st.cold_starts as f64 / 1e3
        },
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
        cache_age_s_max: us_to_s(st.cache_age_max_us),
        iam_allowed: st.iam_allowed,
        iam_denied: st.iam_denied,
        iam_harmful_allowed: st.iam_harmful_allowed,
    }
}
