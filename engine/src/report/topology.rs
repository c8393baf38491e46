//! What the run's alarms, deployments and traces did: the output side of
//! `scenario/topology.rs`.

use serde::{Deserialize, Serialize};

use super::events::{AlarmValue, Outcome};

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
