//! What a run returns: the summary, the request ledger, time series, environment lanes and
//! a bounded log of individual events. Plain data with public fields; no signals, no DOM.

use std::fmt::{self, Write as _};

use serde::{Deserialize, Serialize};

use crate::cost::CostBreakdown;
use crate::time::{format_duration_us, us_to_s};

/// Everything a run produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Totals over every function.
    pub summary: Summary,
    /// One summary per function, in scenario order.
    pub functions: Vec<FunctionSummary>,
    /// Where every request ended up.
    pub ledger: Ledger,
    /// Time series for the whole account.
    pub series: Series,
    /// Environment lanes for display.
    pub lanes: Lanes,
    /// The first events of the run, in order, for stepping through.
    pub events: Vec<EventRecord>,
    /// True when the run had more events than were kept in `events`.
    pub events_truncated: bool,
    /// Function names, indexed by `EventRecord::function`.
    pub function_names: Vec<String>,
}

/// A summary of one function.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunctionSummary {
    /// The function's name.
    pub name: String,
    /// Its figures.
    pub summary: Summary,
}

/// The figures of a run (units at the end of each name).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Simulated span, in seconds.
    pub duration_s: f64,
    /// Requests the workload sent (each counted once, however often it was retried).
    pub requests: u64,
    /// Invocation attempts that reached Lambda: requests plus client retries.
    pub invocations: u64,
    /// Invocations that ran to the end (successfully or not).
    pub completed: u64,
    /// Invocations that needed a new execution environment.
    pub cold_starts: u64,
    /// `cold_starts / invocations`.
    pub cold_start_ratio: f64,
    /// Invocations refused with 429 (concurrency or scaling limit).
    pub throttled: u64,
    /// `throttled / invocations`.
    pub throttle_ratio: f64,
    /// Invocations that failed: handler errors and timeouts.
    pub errors: u64,
    /// Of the errors, those that hit the function timeout.
    pub timeouts: u64,
    /// Client retries sent.
    pub retries: u64,
    /// Invocations served by a provisioned environment.
    pub provisioned_invocations: u64,
    /// Invocations beyond the provisioned environments, served on demand (AWS's ProvisionedConcurrencySpilloverInvocations).
    pub spillover_invocations: u64,
    /// Execution environments created (cold starts plus provisioned ones).
    pub envs_created: u64,
    /// Time-averaged number of environments alive.
    pub env_count_mean: f64,
    /// Time-averaged number of environments initialising or invoking.
    pub busy_env_mean: f64,
    /// Time-averaged number of idle environments.
    pub idle_env_mean: f64,
    /// Time-averaged number of environments initialising.
    pub init_env_mean: f64,
    /// Mean life of the environments reaped during the run, in seconds.
    pub env_lifespan_mean_s: f64,
    /// Most invocations in flight at once.
    pub concurrency_max: u64,
    /// Mean duration of completed invocations (Init included for cold ones), in ms.
    pub duration_ms_mean: f64,
    /// Median duration, in ms.
    pub duration_ms_p50: f64,
    /// 95th percentile duration, in ms.
    pub duration_ms_p95: f64,
    /// 99th percentile duration, in ms.
    pub duration_ms_p99: f64,
    /// Longest duration, in ms.
    pub duration_ms_max: f64,
    /// Billed GB-seconds (on-demand and provisioned execution).
    pub billed_gb_s: f64,
    /// The total cost, in US dollars.
    pub cost_usd: f64,
    /// The cost by item.
    pub cost: CostBreakdown,
    /// Events the run processed.
    pub events: u64,
}

/// Every request in exactly one terminal state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ledger {
    /// Requests the workload sent.
    pub requests: u64,
    /// Ended with a successful response.
    pub succeeded: u64,
    /// Ended with an error or timeout returned to the caller (after its retries).
    pub failed: u64,
    /// Ended throttled (429) after the caller's retries.
    pub throttled: u64,
    /// Still running or waiting to be retried when the run ended.
    pub in_flight: u64,
}

impl Ledger {
    /// True when every request is in exactly one terminal state.
    pub fn balances(&self) -> bool {
        self.succeeded + self.failed + self.throttled + self.in_flight == self.requests
    }
}

/// Time series in buckets of equal width.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Series {
    /// Width of a bucket, in seconds.
    pub bucket_s: f64,
    /// One row per bucket, in time order.
    pub rows: Vec<Bucket>,
    /// Per-function counts, `by_function[f][bucket]`.
    pub by_function: Vec<Vec<FunctionBucket>>,
}

/// One bucket of the account's time series.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Bucket {
    /// Start of the bucket, in seconds.
    pub t_s: f64,
    /// New requests from the workload.
    pub arrivals: u64,
    /// Invocation attempts (arrivals plus retries).
    pub invocations: u64,
    /// Invocations that ended in this bucket.
    pub completions: u64,
    /// Cold starts.
    pub cold_starts: u64,
    /// Throttled invocations.
    pub throttles: u64,
    /// Failed invocations.
    pub errors: u64,
    /// Client retries sent.
    pub retries: u64,
    /// Most invocations in flight at once.
    pub concurrency_max: u64,
    /// Mean environments alive.
    pub envs_mean: f64,
    /// Mean environments invoking (Init excluded).
    pub busy_mean: f64,
    /// Mean environments initialising.
    pub init_mean: f64,
    /// Mean idle environments.
    pub idle_mean: f64,
    /// Median duration of the invocations that ended here, in ms (0 when none did).
    pub p50_ms: f64,
    /// 95th percentile duration, in ms.
    pub p95_ms: f64,
    /// 99th percentile duration, in ms.
    pub p99_ms: f64,
    /// Cost accrued in this bucket, in US dollars.
    pub cost_usd: f64,
    /// Cost accrued from the start to the end of this bucket, in US dollars.
    pub cost_cum_usd: f64,
}

/// One bucket of one function's time series.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct FunctionBucket {
    /// Invocation attempts.
    pub invocations: u64,
    /// Throttled invocations.
    pub throttles: u64,
    /// Cold starts.
    pub cold_starts: u64,
    /// Failed invocations.
    pub errors: u64,
    /// Most invocations in flight at once.
    pub concurrency_max: u64,
}

impl Series {
    /// The series as CSV, one row per bucket, with a header naming each column and its unit.
    pub fn to_csv(&self) -> String {
        let mut out = String::from(
            "t_s,arrivals,invocations,completions,cold_starts,throttles,errors,retries,concurrency_max,envs_mean,busy_mean,init_mean,idle_mean,p50_ms,p95_ms,p99_ms,cost_usd,cost_cum_usd\n",
        );
        for b in &self.rows {
            let _ = writeln!(
                out,
                "{},{},{},{},{},{},{},{},{},{:.4},{:.4},{:.4},{:.4},{:.3},{:.3},{:.3},{:.9},{:.9}",
                b.t_s,
                b.arrivals,
                b.invocations,
                b.completions,
                b.cold_starts,
                b.throttles,
                b.errors,
                b.retries,
                b.concurrency_max,
                b.envs_mean,
                b.busy_mean,
                b.init_mean,
                b.idle_mean,
                b.p50_ms,
                b.p95_ms,
                b.p99_ms,
                b.cost_usd,
                b.cost_cum_usd
            );
        }
        out
    }
}

/// Environment lanes: what each of the first environments did over time.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Lanes {
    /// One lane per environment, in creation order.
    pub lanes: Vec<Lane>,
    /// Environments created beyond the lanes kept (they appear only in the counts).
    pub hidden_envs: u64,
    /// True when segments were dropped to stay within the recording bound.
    pub truncated: bool,
}

/// How many of the recorded environments are in each state at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EnvCounts {
    /// In Init.
    pub init: u32,
    /// Invoking.
    pub busy: u32,
    /// Idle.
    pub idle: u32,
}

impl Lanes {
    /// The states of the lane environments at `t_us` (environments beyond the lanes are not counted).
    pub fn counts_at(&self, t_us: u64) -> EnvCounts {
        let mut c = EnvCounts::default();
        for lane in &self.lanes {
            if t_us < lane.created_us || lane.reaped_us.is_some_and(|r| t_us >= r) {
                continue;
            }
            match lane
                .segments
                .iter()
                .find(|s| s.start_us <= t_us && t_us < s.end_us)
                .map(|s| s.state)
            {
                Some(EnvState::Init) => c.init += 1,
                Some(EnvState::Busy) => c.busy += 1,
                // Between segments (or before the first ends) an alive environment waits.
                _ => c.idle += 1,
            }
        }
        c
    }
}

/// One environment's life.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lane {
    /// The environment's number (creation order, from 1).
    pub env: u32,
    /// Index of its function.
    pub function: u16,
    /// A provisioned environment (billed even when idle).
    pub provisioned: bool,
    /// When it was created, in µs.
    pub created_us: u64,
    /// When it was reaped, in µs (`None`: alive at the end).
    pub reaped_us: Option<u64>,
    /// What it did, in time order.
    pub segments: Vec<Segment>,
}

/// A span of one environment's life in one state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    /// Start, in µs.
    pub start_us: u64,
    /// End, in µs.
    pub end_us: u64,
    /// The state.
    pub state: EnvState,
}

/// The state of an execution environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EnvState {
    /// Running Init (a cold start, or provisioned allocation).
    Init,
    /// Invoking the handler.
    Busy,
    /// Warm, waiting for a request.
    Idle,
}

/// One thing that happened, for stepping through a run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EventRecord {
    /// When, in µs.
    pub t_us: u64,
    /// Index of the function.
    pub function: u16,
    /// What happened.
    pub kind: EventKind,
}

/// Why a request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThrottleReason {
    /// The account's unreserved concurrency is in use.
    AccountLimit,
    /// The function's reserved concurrency is in use.
    ReservedLimit,
    /// The function may not add environments any faster (1,000 per 10 s).
    ScalingRate,
}

/// How an invocation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// A successful response.
    Success,
    /// The handler failed.
    Error,
    /// The handler ran past the timeout.
    Timeout,
}

/// Why an environment went away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReapReason {
    /// Idle past its keep-alive.
    IdleExpiry,
    /// Reset after a timeout.
    Timeout,
    /// Recycled after its maximum lifetime.
    Lifetime,
}

/// The kinds of recorded events.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    /// A request arrived (attempt 0) or was retried (attempt > 0).
    Arrival {
        /// Request id.
        request: u64,
        /// Attempt number, from 0.
        attempt: u32,
    },
    /// A new environment starts Init for a request.
    ColdStart {
        /// Environment number.
        env: u32,
        /// Request id.
        request: u64,
        /// Init duration, in µs.
        init_us: u64,
    },
    /// A warm environment takes a request.
    WarmStart {
        /// Environment number.
        env: u32,
        /// Request id.
        request: u64,
        /// Served by a provisioned environment.
        provisioned: bool,
    },
    /// An invocation ended.
    Complete {
        /// Environment number.
        env: u32,
        /// Request id.
        request: u64,
        /// Duration as the caller saw it (Init included), in µs.
        duration_us: u64,
        /// How it ended.
        outcome: Outcome,
    },
    /// A request was refused with 429.
    Throttled {
        /// Request id.
        request: u64,
        /// Which limit.
        reason: ThrottleReason,
    },
    /// The caller will retry after a backoff.
    RetryScheduled {
        /// Request id.
        request: u64,
        /// The attempt that will be sent.
        attempt: u32,
        /// Backoff, in µs.
        delay_us: u64,
    },
    /// An environment was reaped.
    Reaped {
        /// Environment number.
        env: u32,
        /// Why.
        reason: ReapReason,
    },
    /// A provisioned environment finished its Init and is ready.
    ProvisionedReady {
        /// Environment number.
        env: u32,
    },
}

impl Report {
    /// The event in words, e.g. "env 3 starts Init: cold start, 412 ms".
    pub fn describe(&self, e: &EventRecord) -> String {
        let name = self
            .function_names
            .get(usize::from(e.function))
            .map_or("?", String::as_str);
        let prefix = if self.function_names.len() > 1 {
            format!("{name}: ")
        } else {
            String::new()
        };
        format!("{prefix}{}", e.kind)
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            EventKind::Arrival {
                request,
                attempt: 0,
            } => write!(f, "request {request} arrives"),
            EventKind::Arrival { request, attempt } => {
                write!(f, "request {request} is retried (attempt {})", attempt + 1)
            }
            EventKind::ColdStart {
                env,
                request,
                init_us,
            } => {
                write!(
                    f,
                    "env {env} starts Init: cold start, {} (request {request})",
                    format_duration_us(init_us)
                )
            }
            EventKind::WarmStart {
                env,
                request,
                provisioned: true,
            } => {
                write!(f, "provisioned env {env} takes request {request}: warm")
            }
            EventKind::WarmStart {
                env,
                request,
                provisioned: false,
            } => write!(f, "env {env} takes request {request}: warm start"),
            EventKind::Complete {
                env,
                request,
                duration_us,
                outcome,
            } => {
                let how = match outcome {
                    Outcome::Success => "completes",
                    Outcome::Error => "fails with an error",
                    Outcome::Timeout => "times out",
                };
                write!(
                    f,
                    "request {request} {how} on env {env} after {}",
                    format_duration_us(duration_us)
                )
            }
            EventKind::Throttled { request, reason } => {
                let why = match reason {
                    ThrottleReason::AccountLimit => "account concurrency limit reached",
                    ThrottleReason::ReservedLimit => "reserved concurrency reached",
                    ThrottleReason::ScalingRate => "scaling rate exceeded",
                };
                write!(f, "request {request} throttled (429): {why}")
            }
            EventKind::RetryScheduled {
                request,
                attempt,
                delay_us,
            } => {
                write!(
                    f,
                    "caller retries request {request} in {} (attempt {})",
                    format_duration_us(delay_us),
                    attempt + 1
                )
            }
            EventKind::Reaped { env, reason } => {
                let why = match reason {
                    ReapReason::IdleExpiry => "idle too long",
                    ReapReason::Timeout => "reset after a timeout",
                    ReapReason::Lifetime => "recycled after its maximum lifetime",
                };
                write!(f, "env {env} is reaped: {why}")
            }
            EventKind::ProvisionedReady { env } => {
                write!(f, "provisioned env {env} is initialised and ready")
            }
        }
    }
}

impl Summary {
    /// A one-line verdict in words, e.g. "34 cold starts (0.3%), p99 1.20 s, $0.41".
    pub fn verdict(&self) -> String {
        format!(
            "{} requests, {} cold starts ({:.1}%), {} throttled, p99 {}, {} environments at most, ${:.4} for {}",
            group(self.requests),
            group(self.cold_starts),
            self.cold_start_ratio * 100.0,
            group(self.throttled),
            format_duration_us((self.duration_ms_p99 * 1000.0) as u64),
            group(self.concurrency_max),
            self.cost_usd,
            format_duration_us(crate::time::s_to_us(self.duration_s)),
        )
    }

    /// Environments' mean life in words.
    pub fn lifespan_text(&self) -> String {
        format_duration_us(crate::time::s_to_us(self.env_lifespan_mean_s))
    }
}

/// A count with thousands grouped: 12400 -> "12,400".
pub fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Seconds of a µs time, for display.
pub fn t_s(us: u64) -> f64 {
    us_to_s(us)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_grouped() {
        assert_eq!(group(0), "0");
        assert_eq!(group(999), "999");
        assert_eq!(group(12_400), "12,400");
        assert_eq!(group(1_234_567), "1,234,567");
    }

    #[test]
    fn events_read_as_sentences() {
        let e = EventKind::ColdStart {
            env: 3,
            request: 7,
            init_us: 412_000,
        };
        assert_eq!(
            e.to_string(),
            "env 3 starts Init: cold start, 412 ms (request 7)"
        );
    }
}
