//! Time series in buckets of equal width, for the whole account and per function.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use super::format::{fixed, is_zero, trimmed};

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
                "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
                trimmed(b.t_s, 6),
                b.arrivals,
                b.invocations,
                b.completions,
                b.cold_starts,
                b.throttles,
                b.errors,
                b.retries,
                b.concurrency_max,
                fixed(b.envs_mean, 4),
                fixed(b.busy_mean, 4),
                fixed(b.init_mean, 4),
                fixed(b.idle_mean, 4),
                fixed(b.p50_ms, 3),
                fixed(b.p95_ms, 3),
                fixed(b.p99_ms, 3),
                fixed(b.cost_usd, 9),
                fixed(b.cost_cum_usd, 9),
                b.queue_depth_max,
                b.dlq_depth,
                fixed(b.queue_age_ms_max, 3)
            );
        }
        out
    }
}
