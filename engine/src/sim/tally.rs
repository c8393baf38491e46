//! The counters: one function's totals (`FnStats`), the run's time buckets and each
//! function's, updated together by `count`, and the time integrals of environments.

use hdrhistogram::Histogram;

use super::{SimError, Simulation};
use crate::report::{Bucket, FunctionBucket, Outcome};
use crate::time::us_to_ms;

/// What happened once, to be counted in each of the tallies it belongs to: the function's
/// totals, the run's time bucket and the function's time bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tally {
    /// A request arrived (from a workload or a trigger).
    Request,
    /// An invocation attempt (throttled ones too).
    Invocation,
    /// An invocation started on a provisioned environment.
    ProvisionedInvocation,
    /// An on-demand invocation of a function with provisioned concurrency.
    Spillover,
    /// An invocation attempt was throttled.
    Throttle,
    /// A request ended throttled (its caller gave up).
    ThrottledFinal,
    /// A synchronous caller scheduled a retry.
    Retry,
    /// An invocation started cold.
    ColdStart,
    /// An invocation ended.
    Completion,
    /// An invocation failed (an error; a timeout is counted as `Timeout`).
    Error,
    /// An invocation timed out (an error too).
    Timeout,
    /// A request succeeded.
    Succeeded,
    /// A request failed back to its caller.
    Failed,
    /// An environment was created.
    EnvCreated,
    /// An environment was reaped.
    Reaped,
    /// A synchronous caller stopped waiting.
    ClientTimeout,
    /// An on-demand Init passed the 10 s limit.
    InitTimeout,
    /// A throttle by the account's request rate (besides `Throttle`).
    ThrottledRequestRate,
    /// A delivery of a request that already ran or is running.
    Duplicate,
    /// The idempotency store skipped a side effect.
    IdempotentSkip,
    /// A side effect was applied (`applied` times for this request id so far).
    SideEffect { applied: u64 },
    /// An asynchronous event left the queue unprocessed.
    AsyncDropped,
    /// A request went to a DLQ or on-failure destination.
    DeadLettered,
    /// A record went to the on-failure destination.
    DestinationFailure,
    /// A request was dropped.
    Dropped,
    /// A DLQ send the role denied.
    DeadLetterError,
    /// A destination send the role denied.
    DestinationDeliveryFailure,
    /// Lambda failed to invoke an asynchronous event.
    AsyncSystemError,
    /// A throttled asynchronous event went back to the queue.
    AsyncRequeue,
    /// A record went to the on-success destination.
    DestinationSuccess,
    /// Lambda retried an asynchronous event after a function error.
    AsyncRetry,
    /// An SQS batch started.
    Batch,
    /// An SQS message was received again.
    MessageRedelivered,
    /// A message of an SQS batch failed.
    BatchItemFailure,
    /// A trigger sent a request.
    Triggered,
    /// Loop detection stopped a request.
    RecursiveDropped,
    /// A cache hit, serving a value cached `age_us` ago.
    CacheHit {
        /// How long ago the value was read from the data source, in µs.
        age_us: u64,
    },
    /// A cache miss.
    CacheMiss,
    /// An AWS call the role allowed.
    IamAllowed,
    /// A harmful AWS call the role allowed (counted with `IamAllowed` too).
    IamHarmfulAllowed,
    /// An AWS call the role denied.
    IamDenied,
    /// A downstream call slowed by a limit.
    DownstreamSlowed,
    /// A downstream call rejected by a limit.
    DownstreamRejected,
}

impl Tally {
    /// The tally of a failed invocation's outcome: `Timeout` or `Error`.
    #[inline(always)]
    pub(super) fn failure(outcome: Outcome) -> Tally {
        if outcome == Outcome::Timeout {
            Tally::Timeout
        } else {
            Tally::Error
        }
    }
}

/// Counts one `tally` of a function in its totals and its bucket (`fn_row`), for code that
/// holds the function's state already. A tally with a column in the run's bucket goes through
/// `Simulation::count` instead (checked in debug builds).
#[inline(always)]
pub(super) fn count_fn(stats: &mut FnStats, fn_row: &mut FunctionBucket, tally: Tally) {
    debug_assert!(
        !tally.in_bucket(),
        "{tally:?} has a column in the run's bucket"
    );
    add_to_totals(stats, tally);
    add_to_fn_bucket(fn_row, tally);
}

/// Counts one `tally` of a function in its totals and the run's bucket (`row`), for code that
/// holds the function's state already. A tally with a column in the function's bucket goes
/// through `Simulation::count` instead (checked in debug builds).
#[inline(always)]
pub(super) fn count_run(stats: &mut FnStats, row: &mut Bucket, tally: Tally) {
    debug_assert!(
        !tally.in_fn_bucket(),
        "{tally:?} has a column in the function's bucket"
    );
    add_to_totals(stats, tally);
    add_to_bucket(row, tally);
}

/// Counts one `tally` that has a column in the function's totals only, for code that holds
/// the function's state already (checked in debug builds).
#[inline(always)]
pub(super) fn count_totals(stats: &mut FnStats, tally: Tally) {
    debug_assert!(
        !tally.in_bucket() && !tally.in_fn_bucket(),
        "{tally:?} has a column in a bucket"
    );
    add_to_totals(stats, tally);
}

impl Tally {
    /// Whether it adds to a column of the run's bucket (`add_to_bucket`).
    #[inline(always)]
    const fn in_bucket(self) -> bool {
        matches!(
            self,
            Tally::Request
                | Tally::Invocation
                | Tally::Throttle
                | Tally::Retry
                | Tally::ColdStart
                | Tally::Completion
                | Tally::Error
                | Tally::Timeout
        )
    }

    /// Whether it adds to a column of the function's bucket (`add_to_fn_bucket`).
    #[inline(always)]
    const fn in_fn_bucket(self) -> bool {
        matches!(
            self,
            Tally::Invocation
                | Tally::Throttle
                | Tally::ColdStart
                | Tally::Error
                | Tally::Timeout
                | Tally::CacheHit { .. }
                | Tally::CacheMiss
        )
    }
}

/// The run's bucket's column of `tally`, if it has one (see `Tally::in_bucket`).
#[inline(always)]
fn add_to_bucket(row: &mut Bucket, tally: Tally) {
    match tally {
        Tally::Request => row.arrivals += 1,
        Tally::Invocation => row.invocations += 1,
        Tally::Throttle => row.throttles += 1,
        Tally::Retry => row.retries += 1,
        Tally::ColdStart => row.cold_starts += 1,
        Tally::Completion => row.completions += 1,
        Tally::Error | Tally::Timeout => row.errors += 1,
        _ => {}
    }
}

/// The function's bucket's column of `tally`, if it has one (see `Tally::in_fn_bucket`).
#[inline(always)]
fn add_to_fn_bucket(fn_row: &mut FunctionBucket, tally: Tally) {
    match tally {
        Tally::Invocation => fn_row.invocations += 1,
        Tally::Throttle => fn_row.throttles += 1,
        Tally::ColdStart => fn_row.cold_starts += 1,
        Tally::Error | Tally::Timeout => fn_row.errors += 1,
        Tally::CacheHit { .. } => fn_row.cache_hits += 1,
        Tally::CacheMiss => fn_row.cache_misses += 1,
        _ => {}
    }
}

/// The function's totals' counter of `tally` (every tally has one).
#[inline(always)]
fn add_to_totals(stats: &mut FnStats, tally: Tally) {
    match tally {
        Tally::Request => stats.requests += 1,
        Tally::Invocation => stats.invocations += 1,
        Tally::ProvisionedInvocation => stats.provisioned_invocations += 1,
        Tally::Spillover => stats.spillover += 1,
        Tally::Throttle => stats.throttled += 1,
        Tally::ThrottledFinal => stats.throttled_final += 1,
        Tally::Retry => stats.retries += 1,
        Tally::ColdStart => stats.cold_starts += 1,
        Tally::Completion => stats.completed += 1,
        Tally::Error | Tally::Timeout => {
            stats.errors += 1;
            if tally == Tally::Timeout {
                stats.timeouts += 1;
            }
        }
        Tally::Succeeded => stats.succeeded += 1,
        Tally::Failed => stats.failed += 1,
        Tally::EnvCreated => stats.envs_created += 1,
        Tally::Reaped => stats.reaped += 1,
        Tally::ClientTimeout => stats.client_timeouts += 1,
        Tally::InitTimeout => stats.init_timeouts += 1,
        Tally::ThrottledRequestRate => stats.throttled_request_rate += 1,
        Tally::Duplicate => stats.duplicates += 1,
        Tally::IdempotentSkip => stats.idempotent_skips += 1,
        Tally::SideEffect { applied } => {
            stats.side_effects += 1;
            stats.side_effects_max = stats.side_effects_max.max(applied);
        }
        Tally::AsyncDropped => stats.async_events_dropped += 1,
        Tally::DeadLettered => stats.dead_lettered += 1,
        Tally::DestinationFailure => stats.destination_failure += 1,
        Tally::Dropped => stats.dropped += 1,
        Tally::DeadLetterError => stats.dead_letter_errors += 1,
        Tally::DestinationDeliveryFailure => stats.destination_delivery_failures += 1,
        Tally::AsyncSystemError => stats.async_system_errors += 1,
        Tally::AsyncRequeue => stats.async_requeues += 1,
        Tally::DestinationSuccess => stats.destination_success += 1,
        Tally::AsyncRetry => stats.async_retries += 1,
        Tally::Batch => stats.batches += 1,
        Tally::MessageRedelivered => stats.messages_redelivered += 1,
        Tally::BatchItemFailure => stats.batch_item_failures += 1,
        Tally::Triggered => stats.triggered += 1,
        Tally::RecursiveDropped => stats.recursive_dropped += 1,
        Tally::CacheHit { age_us } => {
            stats.cache_hits += 1;
            stats.cache_age_max_us = stats.cache_age_max_us.max(age_us);
        }
        Tally::CacheMiss => stats.cache_misses += 1,
        Tally::IamAllowed => stats.iam_allowed += 1,
        Tally::IamHarmfulAllowed => stats.iam_harmful_allowed += 1,
        Tally::IamDenied => stats.iam_denied += 1,
        Tally::DownstreamSlowed => stats.downstream_slowed += 1,
        Tally::DownstreamRejected => stats.downstream_rejections += 1,
    }
}

impl Simulation {
    /// Counts one `tally` of function `f` in bucket `b` (the current one, for every caller).
    /// A bucket is indexed only when the tally has a column there: `tally` is a constant at
    /// every call, so the tests fold away and the hot path pays for no bounds check it does
    /// not need.
    #[inline(always)]
    pub(super) fn count(&mut self, f: usize, b: usize, tally: Tally) {
        add_to_totals(&mut self.fns[f].stats, tally);
        if tally.in_bucket() {
            add_to_bucket(&mut self.rows[b], tally);
        }
        if tally.in_fn_bucket() {
            add_to_fn_bucket(&mut self.fn_rows[f][b], tally);
        }
    }

    /// Counts one `tally` of function `f` in the current bucket.
    #[inline(always)]
    pub(super) fn tally(&mut self, f: usize, tally: Tally) {
        let b = self.cur_bucket;
        self.count(f, b, tally);
    }
}

/// Counters of one function.
#[derive(Debug, Clone, Default)]
pub(super) struct FnStats {
    pub(super) requests: u64,
    pub(super) invocations: u64,
    pub(super) completed: u64,
    pub(super) cold_starts: u64,
    pub(super) throttled: u64,
    pub(super) errors: u64,
    pub(super) timeouts: u64,
    pub(super) retries: u64,
    pub(super) provisioned_invocations: u64,
    pub(super) spillover: u64,
    pub(super) envs_created: u64,
    pub(super) concurrency_max: u64,
    pub(super) duration_sum_us: u128,
    pub(super) succeeded: u64,
    pub(super) failed: u64,
    pub(super) throttled_final: u64,
    pub(super) reaped: u64,
    pub(super) lifespan_sum_us: u128,
    pub(super) alive_us: u128,
    pub(super) running_us: u128,
    pub(super) init_us: u128,
    /// The Init phases of the cold starts, whole (not cut at the run's end), in µs.
    pub(super) cold_init_sum_us: u128,
    // Queues, failures and idempotency (see `Summary` for what each counts).
    pub(super) queue_depth_max: u64,
    pub(super) queue_age_max_us: u64,
    pub(super) dead_lettered: u64,
    pub(super) dropped: u64,
    pub(super) async_age_max_us: u64,
    pub(super) async_events_dropped: u64,
    pub(super) async_retries: u64,
    pub(super) async_requeues: u64,
    pub(super) async_system_errors: u64,
    pub(super) dead_letter_errors: u64,
    pub(super) destination_delivery_failures: u64,
    pub(super) batches: u64,
    pub(super) batch_item_failures: u64,
    pub(super) messages_redelivered: u64,
    pub(super) duplicates: u64,
    /// Side effects are counted for this function (it may run a request more than once, or has
    /// an idempotency store).
    pub(super) count_effects: bool,
    pub(super) side_effects: u64,
    pub(super) side_effects_max: u64,
    pub(super) idempotent_skips: u64,
    pub(super) downstream_rejections: u64,
    pub(super) downstream_slowed: u64,
    pub(super) destination_success: u64,
    pub(super) destination_failure: u64,
    pub(super) client_timeouts: u64,
    /// On-demand Inits stopped at the 10 s limit.
    pub(super) init_timeouts: u64,
    /// Throttles by the account's request rate.
    pub(super) throttled_request_rate: u64,
    pub(super) triggered: u64,
    pub(super) recursive_dropped: u64,
    pub(super) cache_hits: u64,
    /// The oldest cached value served, in µs since it was read from the data source.
    pub(super) cache_age_max_us: u64,
    pub(super) cache_misses: u64,
    pub(super) iam_allowed: u64,
    pub(super) iam_denied: u64,
    pub(super) iam_harmful_allowed: u64,
}

/// A histogram of durations in µs with `sigfig` significant figures.
pub(super) fn new_hist(sigfig: u8) -> Result<Histogram<u64>, SimError> {
    // 1 µs to about 28 hours is far beyond the 900 s timeout plus Init.
    Histogram::new_with_bounds(1, 100_000_000_000, sigfig)
        .map_err(|e| SimError::Internal(format!("histogram: {e}")))
}

/// The median, 95th and 99th percentiles in ms, in one pass over the histogram (0 when empty).
pub(super) fn percentiles_ms(h: &Histogram<u64>) -> (f64, f64, f64) {
    if h.is_empty() {
        return (0.0, 0.0, 0.0);
    }
    let mut q = h.value_at_quantiles([0.5, 0.95, 0.99]).map(us_to_ms);
    (
        q.next().unwrap_or(0.0),
        q.next().unwrap_or(0.0),
        q.next().unwrap_or(0.0),
    )
}

impl Simulation {
    /// The bucket time `t` falls in.
    pub(super) fn bucket_of(&self, t: u64) -> usize {
        ((t / self.bucket_us) as usize).min(self.rows.len() - 1)
    }

    /// Moves the clock to `t`, closing the buckets it passes.
    pub(super) fn advance(&mut self, t: u64) {
        self.now = t;
        if t < self.next_bucket_us {
            return;
        }
        let b = self.bucket_of(t);
        self.next_bucket_us = (b as u64 + 1).saturating_mul(self.bucket_us);
        while self.cur_bucket < b {
            self.close_bucket();
            self.cur_bucket += 1;
            let c = self.cur_bucket;
            self.rows[c].concurrency_max = self.in_flight;
            for (f, func) in self.fns.iter().enumerate() {
                self.fn_rows[f][c].concurrency_max = u64::from(func.in_flight);
            }
            if self.has_queues {
                self.rows[c].queue_depth_max = self.queued_total;
                for (f, func) in self.fns.iter().enumerate() {
                    if let Some(ext) = &func.ext {
                        self.fn_rows[f][c].queue_depth_max = ext.live;
                    }
                }
            }
        }
    }

    /// Closes the current bucket: the queue columns and the percentiles of its completions.
    pub(super) fn close_bucket(&mut self) {
        if self.has_queues {
            self.close_queue_bucket();
        }
        // A bucket without completions keeps 0 (and an empty histogram needs no clearing).
        if !self.bucket_hist.is_empty() {
            let row = &mut self.rows[self.cur_bucket];
            (row.p50_ms, row.p95_ms, row.p99_ms) = percentiles_ms(&self.bucket_hist);
            self.bucket_hist.reset();
        }
    }

    /// Adds the interval `[start, end)` to a time integral, bucket by bucket.
    pub(super) fn add_interval(&mut self, series: Integral, start: u64, end: u64) {
        let end = end.min(self.end);
        if end <= start {
            return;
        }
        let arr = match series {
            Integral::Env => &mut self.env_us,
            Integral::Busy => &mut self.busy_us,
            Integral::Init => &mut self.init_us,
        };
        let mut t = start;
        while t < end {
            let b = ((t / self.bucket_us) as usize).min(arr.len() - 1);
            let b_end = ((b as u64 + 1) * self.bucket_us).min(end);
            let b_end = if b == arr.len() - 1 { end } else { b_end };
            arr[b] += b_end - t;
            t = b_end;
        }
    }
}

/// Which time integral an interval adds to.
#[derive(Clone, Copy)]
pub(super) enum Integral {
    Env,
    Busy,
    Init,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counted(tally: Tally) -> (FnStats, Bucket, FunctionBucket) {
        let (mut st, mut row, mut fr) = Default::default();
        add_to_totals(&mut st, tally);
        add_to_bucket(&mut row, tally);
        add_to_fn_bucket(&mut fr, tally);
        (st, row, fr)
    }

    #[test]
    fn an_invocation_counts_in_all_three_tallies() {
        let (st, row, fr) = counted(Tally::Invocation);
        assert_eq!((st.invocations, row.invocations, fr.invocations), (1, 1, 1));
    }

    #[test]
    fn a_timeout_is_an_error_too() {
        let (st, row, fr) = counted(Tally::Timeout);
        assert_eq!(
            (st.errors, st.timeouts, row.errors, fr.errors),
            (1, 1, 1, 1)
        );
        let (st, _, _) = counted(Tally::Error);
        assert_eq!((st.errors, st.timeouts), (1, 0));
    }

    #[test]
    fn a_request_counts_as_an_arrival_of_the_bucket_and_an_outcome_in_the_totals_only() {
        let (st, row, fr) = counted(Tally::Request);
        assert_eq!((st.requests, row.arrivals), (1, 1));
        assert_eq!(fr, FunctionBucket::default());
        let (st, row, _) = counted(Tally::Succeeded);
        assert_eq!(st.succeeded, 1);
        assert_eq!(row, Bucket::default());
    }

    #[test]
    fn side_effects_keep_the_most_applied_to_one_id() {
        let mut st = FnStats::default();
        for applied in [1, 3, 2] {
            count_totals(&mut st, Tally::SideEffect { applied });
        }
        assert_eq!((st.side_effects, st.side_effects_max), (3, 3));
    }

    #[test]
    fn the_buckets_a_tally_adds_to_are_the_ones_it_says() {
        use Tally::*;
        let all = [
            Request,
            Invocation,
            ProvisionedInvocation,
            Spillover,
            Throttle,
            ThrottledFinal,
            Retry,
            ColdStart,
            Completion,
            Error,
            Timeout,
            Succeeded,
            Failed,
            EnvCreated,
            Reaped,
            ClientTimeout,
            InitTimeout,
            ThrottledRequestRate,
            Duplicate,
            IdempotentSkip,
            SideEffect { applied: 1 },
            AsyncDropped,
            DeadLettered,
            DestinationFailure,
            Dropped,
            DeadLetterError,
            DestinationDeliveryFailure,
            AsyncSystemError,
            AsyncRequeue,
            DestinationSuccess,
            AsyncRetry,
            Batch,
            MessageRedelivered,
            BatchItemFailure,
            Triggered,
            RecursiveDropped,
            CacheHit { age_us: 1 },
            CacheMiss,
            IamAllowed,
            IamHarmfulAllowed,
            IamDenied,
            DownstreamSlowed,
            DownstreamRejected,
        ];
        for t in all {
            let (st, row, fr) = counted(t);
            assert_eq!(row != Bucket::default(), t.in_bucket(), "{t:?}");
            assert_eq!(fr != FunctionBucket::default(), t.in_fn_bucket(), "{t:?}");
            assert_ne!(
                format!("{st:?}"),
                format!("{:?}", FnStats::default()),
                "{t:?}"
            );
        }
    }

    #[test]
    fn cache_lookups_count_in_the_function_bucket() {
        let (st, _, fr) = counted(Tally::CacheMiss);
        assert_eq!((st.cache_misses, fr.cache_misses, fr.cache_hits), (1, 1, 0));
    }
}
