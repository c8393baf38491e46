//! What a run returns: the summary, the request ledger, time series, environment lanes and
//! a bounded log of individual events. Plain data with public fields; no signals, no DOM.

use std::fmt::{self, Write as _};

use serde::{Deserialize, Serialize};

use crate::cost::CostBreakdown;
use crate::scenario::{Destination, DlqTarget};
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
    /// Alarms: their datapoints and state changes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alarms: Vec<AlarmReport>,
    /// Deployments: their traffic shifts and how they ended.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deployments: Vec<DeploymentReport>,
    /// Sampled traces (with tracing on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracing: Option<TraceReport>,
}

/// An alarm's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AlarmValue {
    /// Before its first evaluation.
    InsufficientData,
    /// Within its threshold.
    Ok,
    /// Breaching.
    Alarm,
}

impl fmt::Display for AlarmValue {
    /// CloudWatch's name for the state.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AlarmValue::InsufficientData => "INSUFFICIENT_DATA",
            AlarmValue::Ok => "OK",
            AlarmValue::Alarm => "ALARM",
        })
    }
}

/// One evaluation period's value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Datapoint {
    /// End of the period, in seconds.
    pub t_s: f64,
    /// The statistic over the period (`None`: no data, e.g. no invocation to time).
    pub value: Option<f64>,
    /// It breached the threshold.
    pub breaching: bool,
}

/// A state change of an alarm.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Transition {
    /// When, in seconds.
    pub t_s: f64,
    /// The new state.
    pub state: AlarmValue,
}

/// What an alarm saw over the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlarmReport {
    /// Its name.
    pub name: String,
    /// What it watched (`fn`, `fn:2`, `fn:PROD`).
    pub function: String,
    /// Metric and statistic, e.g. `Errors (Sum)`.
    pub metric: String,
    /// The unit of the values (`count`, `ms`, `%`, `s`).
    pub unit: String,
    /// The threshold.
    pub threshold: f64,
    /// Period length, in seconds.
    pub period_s: f64,
    /// One value per period (at most 2,000 kept).
    pub datapoints: Vec<Datapoint>,
    /// State changes, in order.
    pub transitions: Vec<Transition>,
    /// When it first went to ALARM, in seconds.
    pub first_alarm_s: Option<f64>,
    /// Evaluations that found it in ALARM.
    pub alarm_periods: u64,
}

/// How a deployment ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeploymentStatus {
    /// Not started before the end of the run.
    Pending,
    /// Still shifting traffic at the end of the run.
    InProgress,
    /// The alias points to the new version.
    Succeeded,
    /// An alarm fired: the alias went back to the old version.
    RolledBack,
}

/// A deployment over the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeploymentReport {
    /// The function.
    pub function: String,
    /// The alias shifted.
    pub alias: String,
    /// From version.
    pub from_version: u32,
    /// To version.
    pub to_version: u32,
    /// The CodeDeploy configuration.
    pub preset: String,
    /// Share of the alias's traffic on the new version from each time on: (seconds, 0-1).
    pub weights: Vec<(f64, f64)>,
    /// How it ended.
    pub status: DeploymentStatus,
    /// When it succeeded or rolled back, in seconds.
    pub ended_s: Option<f64>,
    /// The alarm that rolled it back.
    pub rollback_alarm: Option<String>,
}

/// Sampling figures and the traces kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TraceReport {
    /// Requests the sampling rule looked at (those that entered the system from a workload).
    pub requests: u64,
    /// Requests the rule sampled.
    pub sampled: u64,
    /// The traces kept (the first sampled ones, up to `tracing.max_traces`).
    pub traces: Vec<Trace>,
}

/// One sampled request and everything it caused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trace {
    /// The originating request.
    pub request: u64,
    /// When it arrived, in µs.
    pub start_us: u64,
    /// Its spans, by start time.
    pub spans: Vec<Span>,
    /// Spans beyond the kept 200 were left out.
    pub truncated: bool,
}

/// What a span covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpanKind {
    /// Waiting in an asynchronous or SQS queue (including retry delays).
    Queue,
    /// A cold start's Init.
    Init,
    /// The handler running (a synchronous call it makes included).
    Invocation,
    /// A synchronous call to another function, waited for.
    Call,
    /// The handler's I/O: its calls to a data source (a database, an API).
    Downstream,
}

/// A segment or subsegment of a trace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Span {
    /// Id within the trace.
    pub id: u32,
    /// The span that caused it.
    pub parent: Option<u32>,
    /// Function (unit) index.
    pub function: u16,
    /// What it covers.
    pub kind: SpanKind,
    /// Start, in µs.
    pub start_us: u64,
    /// End, in µs.
    pub end_us: u64,
    /// Hops from the originating request (0: the first function).
    pub hop: u32,
    /// The invocation's attempt number (retries are new spans).
    pub attempt: u32,
    /// How the invocation ended (invocation and call spans).
    pub outcome: Option<Outcome>,
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
    /// Requests the workload sent (each counted once, however often it was retried or
    /// delivered; for an SQS function, the messages sent to its queue).
    pub requests: u64,
    /// Invocation attempts that reached Lambda: requests plus client retries, or for the queues
    /// every attempt to invoke with an event or an SQS batch (a batch is one invocation).
    pub invocations: u64,
    /// Invocations that ran to the end (successfully or not).
    pub completed: u64,
    /// Invocations that needed a new execution environment.
    pub cold_starts: u64,
    /// `cold_starts / invocations`.
    pub cold_start_ratio: f64,
    /// Invocations refused with 429 (concurrency or scaling limit); for the queues, attempts that
    /// found no room and went back to the queue.
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
    // Queues, failures and idempotency. Each is left out of serialised reports while it is zero
    // (so the figures of scenarios that use none of these features read as they always did);
    // [`Summary::figure`] reads them either way.
    /// Most messages or events held by the function's queue at once (waiting, being processed
    /// or waiting for a retry: SQS's visible plus in-flight messages).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub queue_depth_max: u64,
    /// Age of the oldest message not yet deleted, at its largest, in ms (SQS's
    /// ApproximateAgeOfOldestMessage; for the async queue, the oldest event not yet done).
    #[serde(default, skip_serializing_if = "is_zero_f64")]
    pub queue_age_ms_max: f64,
    /// Messages and events in a dead-letter queue or on-failure destination at the end.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub dlq_depth: u64,
    /// Longest time from queueing an event to invoking it, in ms (AWS's AsyncEventAge).
    #[serde(default, skip_serializing_if = "is_zero_f64")]
    pub async_event_age_ms_max: f64,
    /// Asynchronous events that ended without a successful invocation, whether or not a DLQ or
    /// on-failure destination then took them (AWS's AsyncEventsDropped).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub async_events_dropped: u64,
    /// Retries Lambda made after a function error of an asynchronous event (60 s, then 120 s).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub async_retries: u64,
    /// Times a throttled asynchronous event went back to the queue (exponential backoff, 1 s to 5 min).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub async_requeues: u64,
    /// Attempts to invoke an asynchronous event that failed inside Lambda (system errors); the
    /// event went back to the queue like a throttled one.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub async_system_errors: u64,
    /// Events that could not be sent to the dead-letter queue (AWS's DeadLetterErrors): the
    /// role does not allow it.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub dead_letter_errors: u64,
    /// Records that could not be sent to an on-success or on-failure destination (AWS's
    /// DestinationDeliveryFailures).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub destination_delivery_failures: u64,
    /// SQS batches whose invocation started.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub batches: u64,
    /// Messages of SQS batches whose own processing failed, once per receive. Without partial
    /// batch responses such a failure also returns the rest of its batch, which shows in
    /// `messages_redelivered` and `duplicates`, not here.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub batch_item_failures: u64,
    /// Messages that became visible again after their visibility timeout and were received again.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub messages_redelivered: u64,
    /// Deliveries of a request while an earlier delivery of it was still running or had
    /// succeeded: async duplicates, SQS re-deliveries and re-processed batches, and sync retries
    /// after a client timeout. Never counted as new requests.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub duplicates: u64,
    /// Side effects applied (one per successful processing of a request, unless the
    /// idempotency store skips it). `None` for a synchronous function whose caller never times
    /// out and that has no idempotency store: each of its requests runs at most once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub side_effects_total: Option<u64>,
    /// Most side effects applied for one request id (1 is exactly once). `None` as above.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub side_effects_max_per_id: Option<u64>,
    /// Side effects the idempotency store skipped (the id's effect was already applied).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub idempotent_skips: u64,
    /// Downstream calls rejected by its connection or rate limit (`on_limit = "reject"`).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub downstream_rejections: u64,
    /// Downstream calls slowed by its connection or rate limit (`on_limit = "slow"`).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub downstream_slowed: u64,
    /// Records sent to an on-success destination.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub destination_success: u64,
    /// Records sent to an on-failure destination.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub destination_failure: u64,
    /// Synchronous attempts the caller gave up on (client timeout); the function kept running.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub client_timeouts: u64,
    /// On-demand Inits that passed the 10 s limit: stopped, and run again inside the invoke.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub init_timeouts: u64,
    /// Synchronous requests throttled by the account's request rate (10 x the concurrency
    /// quota per second), a part of `throttled`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub throttled_request_rate: u64,
    /// Requests its successful invocations sent to functions (triggers).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub triggered: u64,
    /// Invocations Lambda's loop detection stopped (AWS's RecursiveInvocationsDropped).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub recursive_invocations_dropped: u64,
    /// Cache hits.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub cache_hits: u64,
    /// Cache misses: each a call to the data source behind the cache.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub cache_misses: u64,
    /// `cache_hits / (cache_hits + cache_misses)`.
    #[serde(default, skip_serializing_if = "is_zero_f64")]
    pub cache_hit_ratio: f64,
    /// AWS actions the role allowed.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub iam_allowed: u64,
    /// AWS actions the role denied (AccessDenied).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub iam_denied: u64,
    /// Harmful actions (a bug's) the role allowed: the damage done.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub iam_harmful_allowed: u64,
}

fn is_zero(v: &u64) -> bool {
    *v == 0
}

fn is_zero_f64(v: &f64) -> bool {
    *v == 0.0
}

fn is_false(v: &bool) -> bool {
    !*v
}

impl Summary {
    /// Names of the figures that serialised reports leave out while they are zero (or `None`).
    pub const OPTIONAL_FIGURES: &'static [&'static str] = &[
        "queue_depth_max",
        "queue_age_ms_max",
        "dlq_depth",
        "async_event_age_ms_max",
        "async_events_dropped",
        "async_retries",
        "async_requeues",
        "async_system_errors",
        "dead_letter_errors",
        "destination_delivery_failures",
        "batches",
        "batch_item_failures",
        "messages_redelivered",
        "duplicates",
        "side_effects_total",
        "side_effects_max_per_id",
        "idempotent_skips",
        "downstream_rejections",
        "downstream_slowed",
        "destination_success",
        "destination_failure",
        "client_timeouts",
        "init_timeouts",
        "throttled_request_rate",
        "triggered",
        "recursive_invocations_dropped",
        "cache_hits",
        "cache_misses",
        "cache_hit_ratio",
        "iam_allowed",
        "iam_denied",
        "iam_harmful_allowed",
    ];

    /// A figure by its field name (`cold_starts`, `dlq_depth`, ...), `None` for an unknown name.
    /// `side_effects_*` of a function that does not count them read as its successful
    /// invocations (each applied its effect once) and 1 (0 without any).
    pub fn figure(&self, name: &str) -> Option<f64> {
        match name {
            "side_effects_total" => {
                return Some(
                    self.side_effects_total
                        .unwrap_or(self.completed - self.errors) as f64,
                )
            }
            "side_effects_max_per_id" => {
                let once = u64::from(self.completed > self.errors);
                return Some(self.side_effects_max_per_id.unwrap_or(once) as f64);
            }
            _ => {}
        }
        let value = serde_json::to_value(self).ok()?;
        match value.get(name).and_then(serde_json::Value::as_f64) {
            Some(v) => Some(v),
            None if Self::OPTIONAL_FIGURES.contains(&name) => Some(0.0),
            None => None,
        }
    }
}

/// Every request in exactly one terminal state. A duplicate delivery is never a new request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ledger {
    /// Requests the workload sent (for an SQS function, messages sent to its queue).
    pub requests: u64,
    /// Ended with a successful response (for a queue, a successful invocation that deleted it).
    pub succeeded: u64,
    /// Ended with an error or timeout returned to the caller (after its retries), or the
    /// caller's own timeout (synchronous callers only).
    pub failed: u64,
    /// Ended throttled (429) after the caller's retries (synchronous callers only).
    pub throttled: u64,
    /// Ended in a dead-letter queue or an on-failure destination (left out of serialised
    /// reports while zero).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub dead_lettered: u64,
    /// Ended discarded: an async event past its maximum event age or out of retries with no DLQ
    /// or on-failure destination that would take it, or an SQS message past its retention
    /// (left out while zero).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub dropped: u64,
    /// Still running, waiting in a queue, or waiting to be retried when the run ended.
    pub in_flight: u64,
}

impl Ledger {
    /// True when every request is in exactly one terminal state.
    pub fn balances(&self) -> bool {
        self.succeeded
            + self.failed
            + self.throttled
            + self.dead_lettered
            + self.dropped
            + self.in_flight
            == self.requests
    }

    /// A count by its field name (`succeeded`, `dead_lettered`, ...), `None` for an unknown name.
    pub fn figure(&self, name: &str) -> Option<f64> {
        let v = match name {
            "requests" => self.requests,
            "succeeded" => self.succeeded,
            "failed" => self.failed,
            "throttled" => self.throttled,
            "dead_lettered" => self.dead_lettered,
            "dropped" => self.dropped,
            "in_flight" => self.in_flight,
            _ => return None,
        };
        Some(v as f64)
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
    /// Most messages and events held by all queues at once (see `Summary::queue_depth_max`).
    pub queue_depth_max: u64,
    /// Messages and events in dead-letter queues or on-failure destinations at the end of the bucket.
    pub dlq_depth: u64,
    /// Age of the oldest message not yet deleted, at its largest in this bucket, in ms.
    pub queue_age_ms_max: f64,
    /// Events that could not be sent to a dead-letter queue since the start, at the end of the
    /// bucket (left out of serialised reports while zero).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub dead_letter_errors: u64,
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
    /// Most messages or events held by the function's queue at once.
    pub queue_depth_max: u64,
    /// Cache hits.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub cache_hits: u64,
    /// Cache misses (each a call to the data source).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub cache_misses: u64,
}

impl Series {
    /// The series as CSV, one row per bucket, with a header naming each column and its unit.
    pub fn to_csv(&self) -> String {
        let mut out = String::from(
            "t_s,arrivals,invocations,completions,cold_starts,throttles,errors,retries,concurrency_max,envs_mean,busy_mean,init_mean,idle_mean,p50_ms,p95_ms,p99_ms,cost_usd,cost_cum_usd,queue_depth_max,dlq_depth,queue_age_ms_max\n",
        );
        for b in &self.rows {
            let _ = writeln!(
                out,
                "{},{},{},{},{},{},{},{},{},{:.4},{:.4},{:.4},{:.4},{:.3},{:.3},{:.3},{:.9},{:.9},{},{},{:.3}",
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
                b.cost_cum_usd,
                b.queue_depth_max,
                b.dlq_depth,
                b.queue_age_ms_max
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
    /// The account's synchronous request rate (10 x the concurrency quota per second) is used.
    RequestRate,
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
    /// A request entered a queue: an event accepted for asynchronous invocation, or a message
    /// sent to an SQS queue.
    Queued {
        /// Request id.
        request: u64,
        /// Which queue.
        queue: QueueKind,
    },
    /// Lambda will retry an asynchronous event after a function error.
    AsyncRetry {
        /// Request id.
        request: u64,
        /// The attempt that will be made, from 0.
        attempt: u32,
        /// Delay, in µs (60 s before the first retry, 120 s before the second).
        delay_us: u64,
    },
    /// A throttled asynchronous event went back to the queue.
    AsyncRequeued {
        /// Request id.
        request: u64,
        /// Backoff before the next attempt, in µs.
        delay_us: u64,
    },
    /// Lambda failed to invoke an asynchronous event (a system error); it went back to the queue.
    AsyncSystemError {
        /// Request id.
        request: u64,
        /// Backoff before the next attempt, in µs.
        delay_us: u64,
    },
    /// An event's record could not be sent to its DLQ or destination: the role denies it.
    SendDenied {
        /// Request id.
        request: u64,
        /// Where it was to go.
        to: SendTarget,
    },
    /// An SQS poller received a batch.
    BatchReceived {
        /// Id of the first message's request.
        request: u64,
        /// Messages in the batch.
        messages: u32,
    },
    /// A batch's visibility timeout ended before its messages were deleted: they can be received again.
    VisibleAgain {
        /// Id of the first message's request.
        request: u64,
        /// Messages visible again.
        messages: u32,
        /// The batch was still being processed.
        still_running: bool,
    },
    /// A request was delivered again while an earlier delivery was running or had succeeded.
    Duplicate {
        /// Request id.
        request: u64,
    },
    /// A request ended in a dead-letter queue or an on-failure destination.
    DeadLettered {
        /// Request id.
        request: u64,
        /// Which queue it came from.
        queue: QueueKind,
        /// Why it failed.
        reason: FailReason,
        /// Invocation attempts (async) or receives (SQS) it had.
        count: u32,
        /// Where its record went.
        to: DeadLetter,
    },
    /// A request was discarded.
    Dropped {
        /// Request id.
        request: u64,
        /// Which queue it came from.
        queue: QueueKind,
        /// Why.
        reason: FailReason,
        /// Invocation attempts (async) or receives (SQS) it had.
        count: u32,
        /// A DLQ or on-failure destination was configured but could not take it.
        #[serde(default, skip_serializing_if = "is_false")]
        undeliverable: bool,
    },
    /// A successful asynchronous event's record went to the on-success destination.
    OnSuccess {
        /// Request id.
        request: u64,
    },
    /// A synchronous caller stopped waiting; the invocation keeps running and is billed.
    ClientTimeout {
        /// Request id.
        request: u64,
        /// The attempt given up on, from 0.
        attempt: u32,
        /// The client timeout, in µs.
        after_us: u64,
    },
    /// A downstream call hit its limit.
    DownstreamLimited {
        /// Request id.
        request: u64,
        /// Which limit.
        limit: DownstreamLimit,
        /// Rejected (true) or slowed (false).
        rejected: bool,
    },
    /// The idempotency store skipped a side effect already applied for this request id.
    IdempotentSkip {
        /// Request id.
        request: u64,
    },
    /// A successful invocation sent a request to another function (or to itself).
    Triggered {
        /// The invocation's request id.
        request: u64,
        /// The new request's id.
        child: u64,
        /// The function (unit) it went to.
        target: u16,
        /// How many hops from the originating request the new one is.
        hop: u32,
    },
    /// Loop detection stopped a request: the chain had invoked the function 16 times.
    LoopStopped {
        /// The stopped request's id.
        request: u64,
        /// Its hop count.
        hop: u32,
    },
    /// An alarm changed state.
    AlarmChanged {
        /// Alarm index.
        alarm: u16,
        /// The new state.
        state: AlarmValue,
    },
    /// A deployment shifted traffic.
    DeploymentShift {
        /// Percent of the alias's traffic now on the new version.
        percent: u32,
    },
    /// A deployment rolled back: the alias points to the old version alone.
    RolledBack {
        /// Alarm index that caused it.
        alarm: u16,
    },
}

/// Which queue a request waited in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QueueKind {
    /// Lambda's internal queue for asynchronous invocation.
    Async,
    /// An SQS queue polled by an event source mapping.
    Sqs,
}

/// Why a queued request ended without success.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailReason {
    /// Its retries after function errors were used up.
    RetriesExhausted,
    /// It was older than the maximum event age.
    MaxEventAge,
    /// It was received `max_receive_count` times (the SQS redrive policy).
    MaxReceiveCount,
    /// It outlived the SQS queue's retention period.
    Retention,
}

/// Where Lambda tried to send an asynchronous event's record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SendTarget {
    /// The dead-letter queue or topic.
    Dlq(DlqTarget),
    /// The on-failure destination.
    OnFailure(Destination),
    /// The on-success destination.
    OnSuccess(Destination),
}

impl SendTarget {
    /// The action the execution role needs for this send.
    pub fn action(self) -> &'static str {
        match self {
            SendTarget::Dlq(d) => d.action(),
            SendTarget::OnFailure(d) | SendTarget::OnSuccess(d) => d.action(),
        }
    }

    /// The resource's ARN, for `function`.
    pub fn arn(self, function: &str) -> String {
        match self {
            SendTarget::Dlq(d) => d.arn(function),
            SendTarget::OnFailure(d) => d.arn(function, "on-failure"),
            SendTarget::OnSuccess(d) => d.arn(function, "on-success"),
        }
    }
}

/// Where a failed request's record went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadLetter {
    /// The dead-letter queue.
    Dlq,
    /// The on-failure destination.
    OnFailure,
    /// Both the dead-letter queue and the on-failure destination.
    Both,
}

/// Which limit of a downstream dependency a call hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DownstreamLimit {
    /// Its connections were all in use.
    Connections,
    /// Its rate limit was reached.
    Rate,
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
        let alarm = |a: u16| {
            self.alarms
                .get(usize::from(a))
                .map_or_else(|| a.to_string(), |x| format!("\"{}\"", x.name))
        };
        match e.kind {
            EventKind::AlarmChanged { alarm: a, state } => {
                format!("alarm {} goes to {state}", alarm(a))
            }
            EventKind::RolledBack { alarm: a } => format!(
                "{prefix}deployment rolled back by alarm {}: the alias points to the old version",
                alarm(a)
            ),
            EventKind::Triggered {
                request,
                child,
                target,
                hop,
            } => {
                let to = self
                    .function_names
                    .get(usize::from(target))
                    .map_or("?", String::as_str);
                format!("{prefix}request {request} sends request {child} to {to} (hop {hop})")
            }
            _ => format!("{prefix}{}", e.kind),
        }
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
                    ThrottleReason::RequestRate => "account request rate reached",
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
            EventKind::Queued {
                request,
                queue: QueueKind::Async,
            } => write!(f, "event for request {request} queued for asynchronous invocation"),
            EventKind::Queued {
                request,
                queue: QueueKind::Sqs,
            } => write!(f, "message {request} sent to the queue"),
            EventKind::AsyncRetry {
                request,
                attempt,
                delay_us,
            } => write!(
                f,
                "event for request {request} retried by Lambda in {} (attempt {})",
                format_duration_us(delay_us),
                attempt + 1
            ),
            EventKind::AsyncRequeued { request, delay_us } => write!(
                f,
                "event for request {request} throttled back into the queue, retried in {}",
                format_duration_us(delay_us)
            ),
            EventKind::AsyncSystemError { request, delay_us } => write!(
                f,
                "Lambda failed to invoke the event for request {request} (a system error): back into the queue, retried in {}",
                format_duration_us(delay_us)
            ),
            EventKind::SendDenied { request, to } => {
                let (place, metric) = match to {
                    SendTarget::Dlq(_) => ("the DLQ", "DeadLetterErrors"),
                    SendTarget::OnFailure(_) => {
                        ("the on-failure destination", "DestinationDeliveryFailures")
                    }
                    SendTarget::OnSuccess(_) => {
                        ("the on-success destination", "DestinationDeliveryFailures")
                    }
                };
                write!(
                    f,
                    "event for request {request} not sent to {place}: the role does not allow {} ({metric})",
                    to.action()
                )
            }
            EventKind::BatchReceived { request, messages } => {
                let s = if messages == 1 { "" } else { "s" };
                write!(
                    f,
                    "a poller receives a batch of {messages} message{s} (message {request} first)"
                )
            }
            EventKind::VisibleAgain {
                request,
                messages,
                still_running,
            } => {
                let s = if messages == 1 { "" } else { "s" };
                let how = if still_running {
                    ", though still being processed"
                } else {
                    ""
                };
                write!(
                    f,
                    "visibility timeout over: {messages} message{s} of the batch from message {request} visible again{how}"
                )
            }
            EventKind::Duplicate { request } => {
                write!(f, "request {request} delivered again: a duplicate")
            }
            EventKind::DeadLettered {
                request,
                queue,
                reason,
                count,
                to,
            } => {
                let whom = match queue {
                    QueueKind::Async => format!("event for request {request}"),
                    QueueKind::Sqs => format!("message {request}"),
                };
                let place = match to {
                    DeadLetter::Dlq => "the DLQ",
                    DeadLetter::OnFailure => "the on-failure destination",
                    DeadLetter::Both => "the DLQ and the on-failure destination",
                };
                write!(f, "{whom} sent to {place} {}", reason_text(reason, count))
            }
            EventKind::Dropped {
                request,
                queue,
                reason,
                count,
                undeliverable,
            } => {
                let whom = match queue {
                    QueueKind::Async => format!("event for request {request}"),
                    QueueKind::Sqs => format!("message {request}"),
                };
                let extra = if undeliverable {
                    " (its DLQ or on-failure destination refused it: the event is lost)"
                } else if reason == FailReason::RetriesExhausted {
                    " (no DLQ or on-failure destination)"
                } else {
                    ""
                };
                write!(f, "{whom} dropped {}{extra}", reason_text(reason, count))
            }
            EventKind::OnSuccess { request } => write!(
                f,
                "event for request {request} succeeded: record sent to the on-success destination"
            ),
            EventKind::ClientTimeout {
                request,
                attempt,
                after_us,
            } => write!(
                f,
                "caller of request {request} gives up after {} (attempt {}); the invocation keeps running",
                format_duration_us(after_us),
                attempt + 1
            ),
            EventKind::DownstreamLimited {
                request,
                limit,
                rejected,
            } => {
                let how = if rejected { "rejected" } else { "slowed" };
                let why = match limit {
                    DownstreamLimit::Connections => "no connection free",
                    DownstreamLimit::Rate => "rate limit reached",
                };
                write!(f, "downstream call for request {request} {how}: {why}")
            }
            EventKind::IdempotentSkip { request } => write!(
                f,
                "side effect of request {request} skipped: already applied (idempotency store)"
            ),
            EventKind::Triggered {
                request,
                child,
                hop,
                ..
            } => write!(
                f,
                "request {request} sends request {child} on (hop {hop})"
            ),
            EventKind::LoopStopped { request, hop } => write!(
                f,
                "loop detection stops request {request}: hop {hop} of the same chain"
            ),
            EventKind::AlarmChanged { alarm, state } => write!(f, "alarm {alarm} goes to {state}"),
            EventKind::DeploymentShift { percent } => {
                write!(f, "deployment: {percent}% of the alias's traffic on the new version")
            }
            EventKind::RolledBack { alarm } => write!(
                f,
                "deployment rolled back by alarm {alarm}: the alias points to the old version"
            ),
        }
    }
}

/// How a queued request's failure reads: "after 3 attempts", "after 3 receives", ...
fn reason_text(reason: FailReason, count: u32) -> String {
    let s = if count == 1 { "" } else { "s" };
    match reason {
        FailReason::RetriesExhausted => format!("after {count} attempt{s}"),
        FailReason::MaxReceiveCount => format!("after {count} receive{s}"),
        FailReason::MaxEventAge => "for being older than the maximum event age".to_string(),
        FailReason::Retention => "for being older than the queue's retention period".to_string(),
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
        let retry = EventKind::AsyncRetry {
            request: 12,
            attempt: 1,
            delay_us: 60_000_000,
        };
        assert_eq!(
            retry.to_string(),
            "event for request 12 retried by Lambda in 1.0 min (attempt 2)"
        );
        let dlq = EventKind::DeadLettered {
            request: 40,
            queue: QueueKind::Sqs,
            reason: FailReason::MaxReceiveCount,
            count: 3,
            to: DeadLetter::Dlq,
        };
        assert_eq!(
            dlq.to_string(),
            "message 40 sent to the DLQ after 3 receives"
        );
    }

    #[test]
    fn figures_left_out_while_zero_still_read() {
        let s = Summary {
            completed: 5,
            errors: 1,
            ..Summary::default()
        };
        let json = serde_json::to_value(&s).expect("serialises");
        assert!(json.get("dlq_depth").is_none());
        assert_eq!(s.figure("dlq_depth"), Some(0.0));
        assert_eq!(s.figure("side_effects_total"), Some(4.0));
        assert_eq!(s.figure("side_effects_max_per_id"), Some(1.0));
        assert_eq!(s.figure("completed"), Some(5.0));
        assert_eq!(s.figure("speed"), None);
        let l = Ledger::default();
        assert_eq!(l.figure("dead_lettered"), Some(0.0));
        assert!(serde_json::to_value(l)
            .expect("serialises")
            .get("dropped")
            .is_none());
    }
}
