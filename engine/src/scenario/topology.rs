//! How functions connect, as data: triggers from one function to another, recursive-loop
//! detection, versions and aliases, CodeDeploy-style deployments, CloudWatch-style alarms,
//! X-Ray-style tracing and caches (`docs/lambda-facts.md`, sections 9-11). The rules that
//! connect them are checked in `validate.rs`; the units they make are in `units.rs`.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// Most hops a chain of requests may take before Lambda's loop detection stops it: the
/// same originating event may invoke a function 16 times (AWS: invocation-recursion.html).
pub const LOOP_HOPS_MAX: u32 = 16;
/// Most units (functions plus published versions) in one scenario.
pub const MAX_UNITS: usize = 32;
/// Most traces a run may keep.
pub const MAX_TRACES: u32 = 500;

/// A request one function's successful invocation sends to another function.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trigger {
    /// The function invoked (its workload alias, if it has `invoke`, routes the request).
    pub target: String,
    /// How: a synchronous call the handler waits for, an event (asynchronous invocation, as
    /// SNS or EventBridge send), an object written to a bucket (an S3 notification, also an
    /// asynchronous invocation) or a message to the target's SQS queue. By default, what the
    /// target's `invocation` implies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<Via>,
    /// Requests sent per successful invocation (0 to 100); the fraction of a part is a
    /// probability (0.5: every other invocation on average). Calls send exactly 1.
    #[serde(default = "one")]
    pub per_invocation: f64,
}

fn one() -> f64 {
    1.0
}

/// How a trigger reaches its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Via {
    /// A synchronous `Invoke`: the caller's handler waits for the answer (and is billed for it).
    Call,
    /// An asynchronous invocation (`InvocationType=Event`, SNS, EventBridge).
    Event,
    /// An object written to an S3 bucket whose notification invokes the target asynchronously.
    Bucket,
    /// A message sent to the target's SQS queue.
    Queue,
}

impl Via {
    /// The invocation type a target reached this way must have.
    pub fn invocation(self) -> InvocationType {
        match self {
            Via::Call => InvocationType::Sync,
            Via::Event | Via::Bucket => InvocationType::Async,
            Via::Queue => InvocationType::Sqs,
        }
    }

    /// What a target with this invocation type is reached by when `via` is not given.
    pub fn implied(invocation: InvocationType) -> Via {
        match invocation {
            InvocationType::Sync => Via::Call,
            InvocationType::Async => Via::Event,
            InvocationType::Sqs => Via::Queue,
        }
    }
}

impl fmt::Display for Via {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Via::Call => "call",
            Via::Event => "event",
            Via::Bucket => "bucket",
            Via::Queue => "queue",
        })
    }
}

/// What Lambda does when it detects a recursive loop (AWS's `RecursiveLoop` setting).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecursiveLoop {
    /// Stop the chain after 16 invocations (the default since July 2023).
    #[default]
    Terminate,
    /// Let the loop run.
    Allow,
}

/// A version: `$LATEST` or a published number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "RawVersion", into = "RawVersion")]
pub enum VersionRef {
    /// The unpublished, mutable code and configuration.
    Latest,
    /// A published, immutable version.
    Number(u32),
}

#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum RawVersion {
    Number(u32),
    Name(String),
}

impl TryFrom<RawVersion> for VersionRef {
    type Error = String;
    fn try_from(v: RawVersion) -> Result<Self, String> {
        match v {
            RawVersion::Number(0) => Err("versions are numbered from 1".into()),
            RawVersion::Number(n) => Ok(VersionRef::Number(n)),
            RawVersion::Name(s) if s == "$LATEST" => Ok(VersionRef::Latest),
            RawVersion::Name(s) => Err(format!(
                "expected a version number or \"$LATEST\", got \"{s}\""
            )),
        }
    }
}

impl From<VersionRef> for RawVersion {
    fn from(v: VersionRef) -> Self {
        match v {
            VersionRef::Latest => RawVersion::Name("$LATEST".into()),
            VersionRef::Number(n) => RawVersion::Number(n),
        }
    }
}

impl fmt::Display for VersionRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VersionRef::Latest => f.write_str("$LATEST"),
            VersionRef::Number(n) => write!(f, "{n}"),
        }
    }
}

/// A published version: the function's configuration at the time, with what changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Version {
    /// Its number, from 1.
    pub version: u32,
    /// What it changed, for people.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Fields that differ from the function's own (`$LATEST`) configuration, by path:
    /// `{ error_rate = 0.1, "handler.cpu_ms" = 200 }`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub set: BTreeMap<String, serde_json::Value>,
}

/// An alias: a name that points to a version, optionally sending a share of its traffic to a
/// second one (AWS's `RoutingConfig.AdditionalVersionWeights`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Alias {
    /// Its name (`PROD`, `DEV`).
    pub name: String,
    /// The version it points to.
    pub version: VersionRef,
    /// A second version that receives `additional_weight` of the traffic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_version: Option<u32>,
    /// The second version's share, 0 to 1.
    #[serde(default)]
    pub additional_weight: f64,
    /// Provisioned environments of the version the alias points to.
    #[serde(default)]
    pub provisioned_concurrency: u32,
}

/// A CodeDeploy deployment: shifts an alias to a new version in the preset's steps and rolls
/// back when one of its alarms fires before the shift is complete.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deployment {
    /// The alias shifted.
    pub alias: String,
    /// The version it moves to.
    pub to_version: u32,
    /// CodeDeploy's configuration name, e.g. `LambdaCanary10Percent5Minutes`.
    pub preset: String,
    /// When the deployment starts, in seconds.
    #[serde(default)]
    pub start_s: f64,
    /// Alarms (by name) that roll the deployment back when they fire.
    #[serde(default)]
    pub alarms: Vec<String>,
}

/// CodeDeploy's predefined configurations for Lambda, by name.
pub const PRESETS: &[&str] = &[
    "LambdaAllAtOnce",
    "LambdaCanary10Percent5Minutes",
    "LambdaCanary10Percent10Minutes",
    "LambdaCanary10Percent15Minutes",
    "LambdaCanary10Percent30Minutes",
    "LambdaLinear10PercentEvery1Minute",
    "LambdaLinear10PercentEvery2Minutes",
    "LambdaLinear10PercentEvery3Minutes",
    "LambdaLinear10PercentEvery10Minutes",
];

/// The traffic shifts of a preset: (seconds after the start, share of the new version).
/// The last step is 1.0: the alias then points to the new version alone.
pub fn preset_steps(preset: &str) -> Option<Vec<(f64, f64)>> {
    if preset == "LambdaAllAtOnce" {
        return Some(vec![(0.0, 1.0)]);
    }
    if let Some(rest) = preset.strip_prefix("LambdaCanary10Percent") {
        let minutes: u32 = rest.strip_suffix("Minutes")?.parse().ok()?;
        if ![5, 10, 15, 30].contains(&minutes) {
            return None;
        }
        return Some(vec![(0.0, 0.1), (f64::from(minutes) * 60.0, 1.0)]);
    }
    let rest = preset.strip_prefix("LambdaLinear10PercentEvery")?;
    let minutes: u32 = rest
        .strip_suffix("Minutes")
        .or_else(|| rest.strip_suffix("Minute"))?
        .parse()
        .ok()?;
    let plural = rest.ends_with("Minutes");
    if ![1, 2, 3, 10].contains(&minutes) || plural != (minutes > 1) {
        return None;
    }
    Some(
        (0..10)
            .map(|i| (f64::from(i * minutes) * 60.0, f64::from(i + 1) / 10.0))
            .collect(),
    )
}

/// A metric an alarm watches (CloudWatch's names; `ErrorRate`, `ColdStarts` and `DLQDepth`
/// are what a team would build with metric math or a log metric filter).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Metric {
    /// Invocations started (throttles excluded).
    Invocations,
    /// Invocations that failed (errors and timeouts).
    Errors,
    /// Invocations refused for concurrency.
    Throttles,
    /// `100 x Errors / Invocations`, in percent.
    ErrorRate,
    /// Invocation duration, in ms.
    Duration,
    /// Invocations running at once.
    ConcurrentExecutions,
    /// Invocations that needed a new environment.
    ColdStarts,
    /// Invocations beyond the provisioned environments.
    ProvisionedConcurrencySpilloverInvocations,
    /// Messages or events held by the function's queue.
    ApproximateNumberOfMessagesVisible,
    /// Age of the oldest message or event in the function's queue, in seconds.
    ApproximateAgeOfOldestMessage,
    /// Requests in the dead-letter queue or on-failure destination.
    #[serde(rename = "DLQDepth")]
    DlqDepth,
    /// Invocations stopped by recursive-loop detection.
    RecursiveInvocationsDropped,
    /// Asynchronous events that ended without a successful invocation.
    AsyncEventsDropped,
    /// Events that could not be sent to the dead-letter queue.
    DeadLetterErrors,
    /// Records that could not be sent to an on-success or on-failure destination.
    DestinationDeliveryFailures,
    /// What the period cost, in US dollars (requests, duration and provisioned concurrency,
    /// before the free tier), as a budget alarm would watch it.
    Cost,
}

/// How the datapoints of a period are combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Statistic {
    /// The total.
    Sum,
    /// The mean.
    Average,
    /// The largest.
    Maximum,
    /// The median (Duration only).
    #[serde(rename = "p50")]
    P50,
    /// The 90th percentile (Duration only).
    #[serde(rename = "p90")]
    P90,
    /// The 95th percentile (Duration only).
    #[serde(rename = "p95")]
    P95,
    /// The 99th percentile (Duration only).
    #[serde(rename = "p99")]
    P99,
}

/// How a datapoint is compared with the threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Comparison {
    /// `value >= threshold`.
    #[default]
    GreaterThanOrEqualToThreshold,
    /// `value > threshold`.
    GreaterThanThreshold,
    /// `value < threshold`.
    LessThanThreshold,
    /// `value <= threshold`.
    LessThanOrEqualToThreshold,
}

impl Comparison {
    /// Whether `value` breaches `threshold`.
    pub fn breaches(self, value: f64, threshold: f64) -> bool {
        match self {
            Comparison::GreaterThanOrEqualToThreshold => value >= threshold,
            Comparison::GreaterThanThreshold => value > threshold,
            Comparison::LessThanThreshold => value < threshold,
            Comparison::LessThanOrEqualToThreshold => value <= threshold,
        }
    }
}

/// A CloudWatch-style metric alarm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Alarm {
    /// Its name (letters, digits, `-` and `_`).
    pub name: String,
    /// What it watches: `fn` (every version), `fn:2` (one version) or `fn:PROD` (an alias's versions).
    pub function: String,
    /// The metric.
    pub metric: Metric,
    /// How a period's values combine; by default `Sum` for counts, `Maximum` for levels and
    /// ages, `Average` for Duration and ErrorRate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statistic: Option<Statistic>,
    /// The threshold, in the metric's unit.
    pub threshold: f64,
    /// How the value is compared with the threshold.
    #[serde(default)]
    pub comparison: Comparison,
    /// Length of one period, in seconds: 60 or a multiple of it (Lambda publishes its metrics
    /// once a minute).
    #[serde(default = "sixty")]
    pub period_s: f64,
    /// Periods looked at for each evaluation.
    #[serde(default = "one_u32")]
    pub evaluation_periods: u32,
    /// Breaching periods among them that set it to ALARM (by default all of them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datapoints_to_alarm: Option<u32>,
}

fn sixty() -> f64 {
    60.0
}
fn one_u32() -> u32 {
    1
}

impl Alarm {
    /// The statistic used: the one given, or the metric's usual one.
    pub fn stat(&self) -> Statistic {
        self.statistic.unwrap_or(match self.metric {
            Metric::Duration | Metric::ErrorRate => Statistic::Average,
            Metric::ConcurrentExecutions
            | Metric::ApproximateNumberOfMessagesVisible
            | Metric::ApproximateAgeOfOldestMessage
            | Metric::DlqDepth => Statistic::Maximum,
            _ => Statistic::Sum,
        })
    }
}

/// X-Ray-style tracing of a sample of requests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tracing {
    /// Requests traced each second before the rate applies (X-Ray's default rule: 1).
    #[serde(default = "one_u32")]
    pub reservoir_per_s: u32,
    /// Share of the other requests traced (X-Ray's default rule: 5%).
    #[serde(default = "five_percent")]
    pub rate: f64,
    /// Most traces kept for display.
    #[serde(default = "default_max_traces")]
    pub max_traces: u32,
}

fn five_percent() -> f64 {
    0.05
}
fn default_max_traces() -> u32 {
    50
}

impl Default for Tracing {
    fn default() -> Self {
        Tracing {
            reservoir_per_s: 1,
            rate: five_percent(),
            max_traces: default_max_traces(),
        }
    }
}

/// Where a function keeps cached values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CacheScope {
    /// In the execution environment's memory: each environment starts empty and its cache dies
    /// with it.
    Environment,
    /// A cache every environment shares (ElastiCache, DAX): one network round trip per hit.
    Shared,
}

/// A read-through cache in front of the handler's I/O (`handler.io_ms` is the miss path).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cache {
    /// Where the cache lives.
    pub scope: CacheScope,
    /// Distinct keys requests ask for, each equally often.
    pub keys: u32,
    /// How long a cached value is used, in seconds.
    pub ttl_s: f64,
    /// Time of a hit, in ms (by default 0.05 in memory, 1 for a shared cache).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hit_ms: Option<f64>,
}

impl Cache {
    /// The time of a hit, in ms.
    pub fn hit_ms(&self) -> f64 {
        self.hit_ms.unwrap_or(match self.scope {
            CacheScope::Environment => 0.05,
            CacheScope::Shared => 1.0,
        })
    }
}

/// How a function's requests reach it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvocationType {
    /// The caller waits for the response; a throttle is a 429 to the caller (default).
    #[default]
    Sync,
    /// Lambda queues the event and invokes the function from its internal queue, retrying
    /// errors and throttles (docs/lambda-facts.md section 6).
    Async,
    /// Messages are sent to an SQS queue; pollers receive them in batches and invoke the
    /// function (docs/lambda-facts.md section 7).
    Sqs,
}
