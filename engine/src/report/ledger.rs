//! The request ledger: every request in exactly one terminal state.

use serde::{Deserialize, Serialize};

use super::format::is_zero;

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
