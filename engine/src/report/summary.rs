//! The figures of a run, over every function and per function, and how they read in words.

use serde::{Deserialize, Serialize};

use super::format::{fixed, group, is_none, is_zero, is_zero_f64};
use crate::cost::CostBreakdown;
use crate::time::format_duration_us;

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
    /// Mean Init phase of the cold starts, in ms: the runtime's start-up plus the function's
    /// init code (an on-demand Init stopped at 10 s counts 10 s; its second run is part of the
    /// invoke). 0 without cold starts; provisioned environments initialise before any request
    /// and are not counted.
    pub init_ms_mean: f64,
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
    #[serde(default, skip_serializing_if = "is_none")]
    pub side_effects_total: Option<u64>,
    /// Most side effects applied for one request id (1 is exactly once). `None` as above.
    #[serde(default, skip_serializing_if = "is_none")]
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
    /// The oldest cached value a hit served, in seconds since it was read from the data
    /// source: how stale an answer from the cache got.
    #[serde(default, skip_serializing_if = "is_zero_f64")]
    pub cache_age_s_max: f64,
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
        "cache_age_s_max",
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

impl Summary {
    /// A one-line verdict in words, e.g. "34 cold starts (0.3%), p99 1.20 s, $0.41".
    pub fn verdict(&self) -> String {
        let n = |v: u64, one: &str, many: &str| {
            format!("{} {}", group(v), if v == 1 { one } else { many })
        };
        let p99 = if self.invocations == 0 {
            "no requests ran".to_string()
        } else {
            format!(
                "p99 {}",
                format_duration_us((self.duration_ms_p99 * 1000.0) as u64)
            )
        };
        let throttled = if self.throttled_request_rate > 0 {
            format!(
                "{} throttled ({} by the request rate)",
                group(self.throttled),
                group(self.throttled_request_rate)
            )
        } else {
            format!("{} throttled", group(self.throttled))
        };
        let init = if self.init_timeouts > 0 {
            format!(
                ", {}",
                n(
                    self.init_timeouts,
                    "Init stopped at 10 s",
                    "Inits stopped at 10 s"
                )
            )
        } else {
            String::new()
        };
        format!(
            "{}, {} ({}%), {throttled}{init}, {p99}, {} at most, ${} for {}",
            n(self.requests, "request", "requests"),
            n(self.cold_starts, "cold start", "cold starts"),
            fixed(self.cold_start_ratio * 100.0, 1),
            n(self.concurrency_max, "environment", "environments"),
            fixed(self.cost_usd, 4),
            format_duration_us(crate::time::s_to_us(self.duration_s)),
        )
    }

    /// Environments' mean life in words.
    pub fn lifespan_text(&self) -> String {
        format_duration_us(crate::time::s_to_us(self.env_lifespan_mean_s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Ledger;

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
