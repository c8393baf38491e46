//! What a run returns: the summary, the request ledger, time series, environment lanes and
//! a bounded log of individual events. Plain data with public fields; no signals, no DOM.
//!
//! The report has output types of its own and imports nothing from the scenario schema: the
//! simulator translates what it was configured with into what it reports.

use serde::{Deserialize, Serialize};

use crate::time::us_to_s;

mod events;
mod lanes;
mod ledger;
mod series;
mod summary;
mod topology;

pub use events::{
    DeadLetter, DestinationService, DlqService, DownstreamLimit, EventKind, EventRecord,
    FailReason, Outcome, QueueKind, ReapReason, SendTarget, ThrottleReason,
};
pub use lanes::{EnvCounts, EnvState, Lane, Lanes, Segment};
pub use ledger::Ledger;
pub use series::{Bucket, FunctionBucket, Series};
pub use summary::{FunctionSummary, Summary};
pub use topology::{
    AlarmReport, AlarmValue, Datapoint, DeploymentReport, DeploymentStatus, Span, SpanKind, Trace,
    TraceReport, Transition,
};

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

// Serde's `skip_serializing_if` tests: a figure is left out of a report while it is zero or false.
fn is_zero(v: &u64) -> bool {
    *v == 0
}

fn is_zero_f64(v: &f64) -> bool {
    *v == 0.0
}

fn is_false(v: &bool) -> bool {
    !*v
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
}
