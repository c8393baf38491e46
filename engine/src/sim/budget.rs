//! A budget on a run's state, for runs that come from outside (a lab file, a shared link, an
//! import): the browser gives the engine a few GB at most, and a run that outgrows it traps
//! and takes the page with it. The budget stops such a run cleanly, between two events, so
//! that the report of what was simulated until then can still be shown.
//!
//! The bounds come from a memory ceiling of about 512 MB of engine state:
//! - a queued message or asynchronous event costs about 215 bytes with its bookkeeping, so
//!   250,000 of them, over all queues, take about 54 MB. The bound is lower than memory alone
//!   would allow because a queue that deep only grows: a loop that doubles its events reaches
//!   it in about 20 s of simulated time and a second or two of the browser's, where 1,000,000
//!   takes 70 s and over ten seconds of waiting;
//! - a scheduled event (a retry, a timer, a visibility timeout) costs about 40 bytes in the
//!   heap, so 2,000,000 take about 80 MB;
//! - the recording is bounded by the validation of `record.*` (at most 1,000 lanes,
//!   1,000,000 segments of about 40 bytes and 1,000,000 events of about 100 bytes: 140 MB);
//! - the time series by `MAX_BUCKETS`, environments by the account's concurrency.
//!
//! Events processed cost time, not memory; their bound keeps a run under about a minute in
//! the browser, where progress is shown and the learner can stop it.

use std::fmt;

use crate::report::group;
use crate::time::us_to_s;

/// The bounds of one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Most events processed (besides the scenario's own `max_events`).
    pub max_events: u64,
    /// Most messages and asynchronous events held in all queues together.
    pub max_queued: u64,
    /// Most events scheduled and not yet processed.
    pub max_pending: usize,
}

impl Budget {
    /// The memory ceiling the browser bounds come from, in bytes.
    pub const MEMORY_CEILING_BYTES: u64 = 512 << 20;

    /// No bound but the scenario's own (`max_events`, each queue's `queue_max`): the command
    /// line and the tests.
    pub const fn unlimited() -> Budget {
        Budget {
            max_events: u64::MAX,
            max_queued: u64::MAX,
            max_pending: usize::MAX,
        }
    }

    /// The bounds of a run in the browser (see the module's documentation for the sums).
    pub const fn browser() -> Budget {
        Budget {
            max_events: 200_000_000,
            max_queued: 250_000,
            max_pending: 2_000_000,
        }
    }

    /// The bound the state now passes, if any.
    pub(super) fn exceeded(&self, events: u64, queued: u64, pending: usize) -> Option<Bound> {
        if events >= self.max_events {
            Some(Bound::Events(self.max_events))
        } else if queued >= self.max_queued {
            Some(Bound::Queued(self.max_queued))
        } else if pending >= self.max_pending {
            Some(Bound::Pending(self.max_pending as u64))
        } else {
            None
        }
    }
}

impl Default for Budget {
    fn default() -> Self {
        Budget::unlimited()
    }
}

/// Which bound of the [`Budget`] a run reached, with its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// Events processed.
    Events(u64),
    /// Messages and events held in queues.
    Queued(u64),
    /// Events scheduled.
    Pending(u64),
}

/// A run stopped by its budget at simulated time `t_us`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetStop {
    /// The bound reached.
    pub bound: Bound,
    /// Simulated time reached, in µs.
    pub t_us: u64,
}

impl fmt::Display for BudgetStop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = format!("{:.1} s", us_to_s(self.t_us));
        let cli = "or run it on the command line (lambda-lab run)";
        match self.bound {
            Bound::Events(n) => write!(
                f,
                "The run stopped at {at} of simulated time: it needed more than {} events, the most one run in the browser processes. Shorten duration_s or lower the request rate, {cli}, where max_events bounds it.",
                group(n)
            ),
            Bound::Queued(n) => write!(
                f,
                "The run stopped at {at} of simulated time: its queues held {} messages, the most a run in the browser keeps (about 512 MB of engine state). A queue grows when a function cannot keep up or when functions call each other in a loop: lower the traffic, raise the function's concurrency, break the loop, {cli}, where functions[].async.queue_max and functions[].sqs.queue_max bound it.",
                group(n)
            ),
            Bound::Pending(n) => write!(
                f,
                "The run stopped at {at} of simulated time: it had {} events scheduled at once (retries, timers, visibility timeouts), the most a run in the browser keeps (about 512 MB of engine state). Lower the traffic or the retries, {cli}.",
                group(n)
            ),
        }
    }
}
