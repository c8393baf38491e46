//! What a run returns: the summary, the request ledger, time series, environment lanes and
//! a bounded log of individual events. Plain data with public fields; no signals, no DOM.
//!
//! The report has output types of its own and imports nothing from the scenario schema: the
//! simulator translates what it was configured with into what it reports.

use serde::{Deserialize, Serialize};

mod events;
mod format;
mod lanes;
mod ledger;
mod series;
mod summary;
mod topology;

pub use events::{
    AlarmValue, DeadLetter, DestinationService, DlqService, DownstreamLimit, EventKind,
    EventRecord, FailReason, Outcome, QueueKind, ReapReason, SendTarget, ThrottleReason,
};
pub use format::{count, duration_s, every_field, fixed, group, plural, t_s, trimmed};
pub use lanes::{EnvCounts, EnvState, Lane, Lanes, Segment};
pub use ledger::Ledger;
pub use series::{Bucket, FunctionBucket, Series};
pub use summary::{FunctionSummary, Summary};
pub use topology::{
    AlarmReport, Datapoint, DeploymentReport, DeploymentStatus, Span, SpanKind, Trace, TraceReport,
    Transition,
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
    #[serde(default, skip_serializing_if = "format::is_empty")]
    pub alarms: Vec<AlarmReport>,
    /// Deployments: their traffic shifts and how they ended.
    #[serde(default, skip_serializing_if = "format::is_empty")]
    pub deployments: Vec<DeploymentReport>,
    /// Sampled traces (with tracing on).
    #[serde(default, skip_serializing_if = "format::is_none")]
    pub tracing: Option<TraceReport>,
    /// The concurrency limits the run had, so a chart can draw them without the scenario.
    #[serde(default)]
    pub limits: ConcurrencyLimits,
}

/// The concurrency limits of a run, as dashed lines on a chart.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ConcurrencyLimits {
    /// The account's concurrency limit.
    pub account: u32,
    /// Each function's reserved concurrency, by name, for the functions that have one.
    pub reserved: Vec<(String, u32)>,
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
