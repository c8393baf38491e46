//! CloudWatch-style alarms evaluated period by period on the run's counters.

use std::collections::VecDeque;

use hdrhistogram::Histogram;

use super::{new_hist, Ev, SimError, Simulation};
use crate::report::{AlarmReport, AlarmValue, Datapoint, DeploymentStatus, EventKind, Transition};
use crate::scenario::Scenario;
use crate::scenario::{Alarm, Metric, Statistic};
use crate::time::{s_to_us, us_to_ms, us_to_s, US_PER_S};

/// Most datapoints kept per alarm.
const MAX_DATAPOINTS: usize = 2_000;

#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Counters {
    pub(super) invocations: u64,
    pub(super) errors: u64,
    pub(super) throttles: u64,
    pub(super) cold_starts: u64,
    pub(super) spillover: u64,
    pub(super) dead_lettered: u64,
    pub(super) loops: u64,
    pub(super) async_dropped: u64,
    pub(super) dead_letter_errors: u64,
    pub(super) destination_failures: u64,
    /// On-demand cost so far (requests and duration), in US dollars.
    pub(super) cost_usd: f64,
}

#[derive(Debug)]
pub(super) struct AlarmState {
    pub(super) cfg: Alarm,
    pub(super) units: Vec<usize>,
    pub(super) period_us: u64,
    pub(super) last: Counters,
    /// Durations completed in the current period (Duration alarms).
    pub(super) hist: Option<Histogram<u64>>,
    pub(super) dur_sum_us: u128,
    pub(super) dur_n: u64,
    pub(super) window: VecDeque<bool>,
    pub(super) state: AlarmValue,
    pub(super) report: AlarmReport,
}

pub(super) fn unit_of_metric(m: Metric) -> &'static str {
    match m {
        Metric::Duration => "ms",
        Metric::ErrorRate => "%",
        Metric::ApproximateAgeOfOldestMessage => "s",
        Metric::Cost => "USD",
        _ => "count",
    }
}

impl AlarmState {
    /// The scenario's alarms, and which of its `n` units a Duration alarm watches.
    pub(super) fn all(
        scenario: &Scenario,
        n: usize,
    ) -> Result<(Vec<AlarmState>, Vec<bool>), SimError> {
        let mut alarms = Vec::new();
        let mut duration_watch = vec![false; n];
        for a in &scenario.alarms {
            let au = scenario
                .alarm_units(a)
                .map_err(|e| SimError::Internal(format!("alarm {}: {e}", a.name)))?;
            let is_duration = a.metric == Metric::Duration;
            if is_duration {
                for &u in &au {
                    duration_watch[u] = true;
                }
            }
            let stat = a.stat();
            alarms.push(AlarmState {
                units: au,
                period_us: s_to_us(a.period_s).max(1),
                last: Counters::default(),
                hist: if is_duration {
                    Some(new_hist(2)?)
                } else {
                    None
                },
                dur_sum_us: 0,
                dur_n: 0,
                window: VecDeque::new(),
                state: AlarmValue::InsufficientData,
                report: AlarmReport {
                    name: a.name.clone(),
                    function: a.function.clone(),
                    metric: format!("{:?} ({stat:?})", a.metric),
                    unit: unit_of_metric(a.metric).to_string(),
                    threshold: a.threshold,
                    period_s: a.period_s,
                    datapoints: Vec::new(),
                    transitions: Vec::new(),
                    first_alarm_s: None,
                    alarm_periods: 0,
                },
                cfg: a.clone(),
            });
        }
        Ok((alarms, duration_watch))
    }
}

impl Simulation {
    /// The end of an alarm's period: its datapoint, its state, and a rollback if it fires.
    pub(super) fn alarm_tick(&mut self, a: usize) {
        let now = self.now;
        let Some(sys) = self.sys.as_deref() else {
            return;
        };
        let al = &sys.alarms[a];
        let period = al.period_us;
        let mut c = Counters::default();
        let mut level_max = 0u64;
        let mut level_cost = 0.0f64;
        let mut age_max_us = 0u64;
        let b0 = self.bucket_of(now.saturating_sub(period));
        let b1 = self.bucket_of(now.saturating_sub(1));
        let metric = al.cfg.metric;
        let units = al.units.clone();
        for &u in &units {
            let st = &self.fns[u].stats;
            c.invocations += st.invocations.saturating_sub(st.throttled);
            c.errors += st.errors;
            c.throttles += st.throttled;
            c.cold_starts += st.cold_starts;
            c.spillover += st.spillover;
            c.dead_lettered += st.dead_lettered;
            c.loops += st.recursive_dropped;
            c.async_dropped += st.async_events_dropped;
            c.dead_letter_errors += st.dead_letter_errors;
            c.destination_failures += st.destination_delivery_failures;
            let func = &self.fns[u];
            let p = self.prices.for_arch(func.cfg.arch);
            let u_ = &func.usage;
            c.cost_usd += u_.requests as f64 * p.request_usd
                + crate::cost::mb_ms_to_gb_s(u_.mb_ms) * p.gb_s_usd
                + crate::cost::mb_ms_to_gb_s(u_.provisioned_exec_mb_ms)
                    * p.provisioned_execution_gb_s_usd;
            // Provisioned environments are billed for the period whether used or not.
            level_cost += f64::from(func.provisioned) * f64::from(func.cfg.memory_mb) / 1024.0
                * (period as f64 / US_PER_S as f64)
                * p.provisioned_gb_s_usd;
            let rows = &self.fn_rows[u][b0..=b1.max(b0)];
            level_max += match metric {
                Metric::ConcurrentExecutions => {
                    rows.iter().map(|r| r.concurrency_max).max().unwrap_or(0)
                }
                Metric::ApproximateNumberOfMessagesVisible => {
                    rows.iter().map(|r| r.queue_depth_max).max().unwrap_or(0)
                }
                _ => 0,
            };
        }
        if metric == Metric::ApproximateAgeOfOldestMessage {
            for &u in &units {
                if let Some(sent) = self.fns[u]
                    .ext
                    .as_deref_mut()
                    .and_then(|e| e.oldest_sent_at())
                {
                    age_max_us = age_max_us.max(now.saturating_sub(sent));
                }
            }
        }
        let Some(sys) = self.sys.as_deref_mut() else {
            return;
        };
        let al = &mut sys.alarms[a];
        let last = std::mem::replace(&mut al.last, c);
        let d = |x: u64, y: u64| x.saturating_sub(y) as f64;
        let invocations = d(c.invocations, last.invocations);
        let value = match metric {
            Metric::Invocations => Some(invocations),
            Metric::Errors => Some(d(c.errors, last.errors)),
            Metric::Throttles => Some(d(c.throttles, last.throttles)),
            Metric::ColdStarts => Some(d(c.cold_starts, last.cold_starts)),
            Metric::ProvisionedConcurrencySpilloverInvocations => {
                Some(d(c.spillover, last.spillover))
            }
            Metric::RecursiveInvocationsDropped => Some(d(c.loops, last.loops)),
            Metric::AsyncEventsDropped => Some(d(c.async_dropped, last.async_dropped)),
            Metric::DeadLetterErrors => Some(d(c.dead_letter_errors, last.dead_letter_errors)),
            Metric::DestinationDeliveryFailures => {
                Some(d(c.destination_failures, last.destination_failures))
            }
            Metric::Cost => Some(c.cost_usd - last.cost_usd + level_cost),
            Metric::ErrorRate => {
                (invocations > 0.0).then(|| 100.0 * d(c.errors, last.errors) / invocations)
            }
            Metric::DlqDepth => Some(c.dead_lettered as f64),
            Metric::ConcurrentExecutions | Metric::ApproximateNumberOfMessagesVisible => {
                Some(level_max as f64)
            }
            Metric::ApproximateAgeOfOldestMessage => Some(age_max_us as f64 / US_PER_S as f64),
            Metric::Duration => {
                let v = if al.dur_n == 0 {
                    None
                } else {
                    let q = |h: &Histogram<u64>, q: f64| us_to_ms(h.value_at_quantile(q));
                    match (al.cfg.stat(), al.hist.as_ref()) {
                        (Statistic::Maximum, Some(h)) => Some(us_to_ms(h.max())),
                        (Statistic::P50, Some(h)) => Some(q(h, 0.5)),
                        (Statistic::P90, Some(h)) => Some(q(h, 0.9)),
                        (Statistic::P95, Some(h)) => Some(q(h, 0.95)),
                        (Statistic::P99, Some(h)) => Some(q(h, 0.99)),
                        _ => Some(al.dur_sum_us as f64 / al.dur_n as f64 / 1_000.0),
                    }
                };
                if let Some(h) = al.hist.as_mut() {
                    h.reset();
                }
                al.dur_sum_us = 0;
                al.dur_n = 0;
                v
            }
        };
        let breaching = value.is_some_and(|v| al.cfg.comparison.breaches(v, al.cfg.threshold));
        if al.report.datapoints.len() < MAX_DATAPOINTS {
            al.report.datapoints.push(Datapoint {
                t_s: us_to_s(now),
                value,
                breaching,
            });
        }
        al.window.push_back(breaching);
        while al.window.len() > al.cfg.evaluation_periods as usize {
            al.window.pop_front();
        }
        let needed = al
            .cfg
            .datapoints_to_alarm
            .unwrap_or(al.cfg.evaluation_periods) as usize;
        let state = if al.window.iter().filter(|&&b| b).count() >= needed {
            AlarmValue::Alarm
        } else {
            AlarmValue::Ok
        };
        let changed = state != al.state;
        al.state = state;
        if state == AlarmValue::Alarm {
            al.report.alarm_periods += 1;
        }
        if changed {
            al.report.transitions.push(Transition {
                t_s: us_to_s(now),
                state,
            });
            if state == AlarmValue::Alarm && al.report.first_alarm_s.is_none() {
                al.report.first_alarm_s = Some(us_to_s(now));
            }
        }
        let next = now + period;
        let first_unit = units.first().copied().unwrap_or(0);
        let to_roll_back: Vec<usize> = if state == AlarmValue::Alarm {
            (0..sys.deploys.len())
                .filter(|&d| {
                    sys.deploys[d].report.status == DeploymentStatus::InProgress
                        && sys.deploys[d].alarms.contains(&a)
                })
                .collect()
        } else {
            Vec::new()
        };
        if changed {
            self.record(
                first_unit,
                EventKind::AlarmChanged {
                    alarm: a as u16,
                    state,
                },
            );
        }
        for d in to_roll_back {
            self.roll_back(d, a);
        }
        if next < self.end {
            self.schedule(next, Ev::AlarmTick { a: a as u16 });
        }
    }

    /// Evaluates the alarms whose last period ends with the run (events at the end itself are
    /// not processed, so its tick would be lost).
    pub(super) fn sys_final_ticks(&mut self) {
        let end = self.end;
        let due: Vec<usize> = match self.sys.as_deref() {
            None => return,
            Some(sys) => (0..sys.alarms.len())
                .filter(|&a| {
                    let al = &sys.alarms[a];
                    let last = al
                        .report
                        .datapoints
                        .last()
                        .map_or(0, |d| crate::time::s_to_us(d.t_s));
                    last + al.period_us == end
                })
                .collect(),
        };
        for a in due {
            self.alarm_tick(a);
        }
    }
}
