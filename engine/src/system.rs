//! The scenario schema of a system of functions: triggers from one function to another,
//! recursive-loop detection, versions and aliases, CodeDeploy-style deployments, CloudWatch-style
//! alarms, X-Ray-style tracing and caches. Every refusal names the field and the rule, and the
//! rules are AWS's where AWS has one (`../shared/lambda-facts.md`, sections 9-11).
//!
//! A function with versions runs as several *units*, one per version that something can invoke:
//! `$LATEST` keeps the function's own name and index, and version `n` becomes a unit called
//! `name:n` appended after the scenario's functions (see [`Scenario::units`]). Each unit has its
//! own execution environments, as each version has on AWS.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::scenario::{FieldError, Function, InvocationType, Scenario};
use crate::workload::Workload;

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

/// One unit the engine runs: a function's `$LATEST` or one of its published versions.
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    /// Its configuration, with the version's changes applied.
    pub cfg: Function,
    /// The function (index in `Scenario::functions`) it is a version of.
    pub function: usize,
    /// Which version.
    pub version: VersionRef,
}

/// The fields a version cannot change: they belong to the function, not to its code.
const FUNCTION_LEVEL: &[&str] = &[
    "name",
    "versions",
    "aliases",
    "invoke",
    "deployment",
    "workload",
    "reserved_concurrency",
    "provisioned_concurrency",
];

fn check_name(field: &str, name: &str) -> Result<(), FieldError> {
    if name.is_empty()
        || name.len() > 64
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(FieldError::new(
            field,
            &format!("expected 1 to 64 letters, digits, '-' or '_', got \"{name}\""),
        ));
    }
    Ok(())
}

impl Scenario {
    /// The units of the run: every function's `$LATEST` (in order, same index), then every
    /// published version, named `function:version`.
    pub fn units(&self) -> Result<Vec<Unit>, FieldError> {
        let mut units: Vec<Unit> = self
            .functions
            .iter()
            .enumerate()
            .map(|(i, f)| Unit {
                cfg: f.clone(),
                function: i,
                version: VersionRef::Latest,
            })
            .collect();
        for (i, f) in self.functions.iter().enumerate() {
            for (j, v) in f.versions.iter().enumerate() {
                let field = format!("functions[{i}].versions[{j}]");
                let mut cfg = apply_set(f, &v.set, &field)?;
                cfg.name = format!("{}:{}", f.name, v.version);
                cfg.workload = Workload::None;
                cfg.versions.clear();
                cfg.aliases.clear();
                cfg.invoke = None;
                cfg.deployment = None;
                cfg.provisioned_concurrency = f
                    .aliases
                    .iter()
                    .filter(|a| a.version == VersionRef::Number(v.version))
                    .map(|a| a.provisioned_concurrency)
                    .sum();
                units.push(Unit {
                    cfg,
                    function: i,
                    version: VersionRef::Number(v.version),
                });
            }
        }
        if units.len() > MAX_UNITS {
            return Err(FieldError::new(
                "functions.versions",
                &format!(
                    "expected at most {MAX_UNITS} functions and versions in all, got {}",
                    units.len()
                ),
            ));
        }
        Ok(units)
    }

    /// The rules that connect functions: triggers, versions, aliases, deployments, alarms and
    /// tracing.
    pub(crate) fn validate_system(&self) -> Result<(), FieldError> {
        let find = |name: &str| self.functions.iter().position(|f| f.name == name);
        let names = || {
            self.functions
                .iter()
                .map(|f| f.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        for (i, f) in self.functions.iter().enumerate() {
            let p = format!("functions[{i}]");
            let mut calls = 0;
            for (j, t) in f.triggers.iter().enumerate() {
                let tp = format!("{p}.triggers[{j}]");
                let Some(g) = find(&t.target) else {
                    return Err(FieldError::new(
                        &format!("{tp}.target"),
                        &format!(
                            "no function called \"{}\" (functions: {})",
                            t.target,
                            names()
                        ),
                    ));
                };
                let target = &self.functions[g];
                let via = t.via.unwrap_or(Via::implied(target.invocation));
                if via.invocation() != target.invocation {
                    return Err(FieldError::new(
                        &format!("{tp}.via"),
                        &format!(
                            "\"{via}\" reaches a function invoked {:?}, but \"{}\" has invocation = \"{}\"",
                            via.invocation(),
                            target.name,
                            format!("{:?}", target.invocation).to_lowercase()
                        ),
                    ));
                }
                if !(t.per_invocation.is_finite() && (0.0..=100.0).contains(&t.per_invocation)) {
                    return Err(FieldError::new(
                        &format!("{tp}.per_invocation"),
                        &format!(
                            "expected 0 to 100 requests per invocation, got {}",
                            t.per_invocation
                        ),
                    ));
                }
                if via == Via::Call {
                    calls += 1;
                    if t.per_invocation != 1.0 {
                        return Err(FieldError::new(
                            &format!("{tp}.per_invocation"),
                            &format!(
                                "a synchronous call is made once per invocation, got {}",
                                t.per_invocation
                            ),
                        ));
                    }
                    if calls > 1 {
                        return Err(FieldError::new(
                            &format!("{tp}.via"),
                            "a handler makes at most one synchronous call to another function in this model; send the others as events or messages",
                        ));
                    }
                }
            }
            if !f.environment.is_empty() && f.environment.len() > 64 {
                return Err(FieldError::new(
                    &format!("{p}.environment"),
                    "expected at most 64 environment variables",
                ));
            }
            self.validate_versions(f, &p)?;
            if let Some(c) = &f.cache {
                if !(1..=1_000_000).contains(&c.keys) {
                    return Err(FieldError::new(
                        &format!("{p}.cache.keys"),
                        &format!("expected 1 to 1,000,000 keys, got {}", c.keys),
                    ));
                }
                if !(c.ttl_s.is_finite() && c.ttl_s > 0.0) {
                    return Err(FieldError::new(
                        &format!("{p}.cache.ttl_s"),
                        &format!("expected a TTL > 0 s, got {}", c.ttl_s),
                    ));
                }
                if let Some(h) = c.hit_ms {
                    if !(h.is_finite() && (0.0..=10_000.0).contains(&h)) {
                        return Err(FieldError::new(
                            &format!("{p}.cache.hit_ms"),
                            &format!("expected 0 to 10,000 ms, got {h}"),
                        ));
                    }
                }
            }
            if let Some(iam) = &f.iam {
                iam.validate(&format!("{p}.iam"))?;
            }
        }
        for (k, a) in self.alarms.iter().enumerate() {
            let p = format!("alarms[{k}]");
            check_name(&format!("{p}.name"), &a.name)?;
            if self.alarms[..k].iter().any(|b| b.name == a.name) {
                return Err(FieldError::new(
                    &format!("{p}.name"),
                    &format!("\"{}\" is used by another alarm", a.name),
                ));
            }
            self.alarm_units(a)
                .map_err(|m| FieldError::new(&format!("{p}.function"), &m))?;
            if !a.threshold.is_finite() {
                return Err(FieldError::new(
                    &format!("{p}.threshold"),
                    &format!("expected a number, got {}", a.threshold),
                ));
            }
            let whole_minutes = a.period_s >= 60.0 && a.period_s % 60.0 == 0.0;
            if !whole_minutes || a.period_s > self.duration_s {
                return Err(FieldError::new(
                    &format!("{p}.period_s"),
                    &format!(
                        "Lambda publishes its metrics once a minute: expected 60 s or a multiple of it, at most the run's {} s, got {}",
                        self.duration_s, a.period_s
                    ),
                ));
            }
            if a.evaluation_periods == 0 || a.evaluation_periods > 100 {
                return Err(FieldError::new(
                    &format!("{p}.evaluation_periods"),
                    &format!(
                        "expected 1 to 100 evaluation periods, got {}",
                        a.evaluation_periods
                    ),
                ));
            }
            if let Some(d) = a.datapoints_to_alarm {
                if d == 0 || d > a.evaluation_periods {
                    return Err(FieldError::new(
                        &format!("{p}.datapoints_to_alarm"),
                        &format!(
                            "expected 1 to evaluation_periods ({}), got {d}",
                            a.evaluation_periods
                        ),
                    ));
                }
            }
            let percentile = matches!(
                a.stat(),
                Statistic::P50 | Statistic::P90 | Statistic::P95 | Statistic::P99
            );
            if percentile && a.metric != Metric::Duration {
                return Err(FieldError::new(
                    &format!("{p}.statistic"),
                    &format!("percentiles are kept for Duration only, not {:?}", a.metric),
                ));
            }
        }
        if let Some(t) = &self.tracing {
            if t.reservoir_per_s > 1_000 {
                return Err(FieldError::new(
                    "tracing.reservoir_per_s",
                    &format!(
                        "expected 0 to 1,000 requests a second, got {}",
                        t.reservoir_per_s
                    ),
                ));
            }
            if !(t.rate.is_finite() && (0.0..=1.0).contains(&t.rate)) {
                return Err(FieldError::new(
                    "tracing.rate",
                    &format!("expected a fraction 0 to 1, got {}", t.rate),
                ));
            }
            if !(1..=MAX_TRACES).contains(&t.max_traces) {
                return Err(FieldError::new(
                    "tracing.max_traces",
                    &format!("expected 1 to {MAX_TRACES} traces, got {}", t.max_traces),
                ));
            }
        }
        Ok(())
    }

    fn validate_versions(&self, f: &Function, p: &str) -> Result<(), FieldError> {
        for (j, v) in f.versions.iter().enumerate() {
            let vp = format!("{p}.versions[{j}]");
            if v.version == 0 {
                return Err(FieldError::new(
                    &format!("{vp}.version"),
                    "versions are numbered from 1",
                ));
            }
            if f.versions[..j].iter().any(|w| w.version == v.version) {
                return Err(FieldError::new(
                    &format!("{vp}.version"),
                    &format!("version {} is published twice", v.version),
                ));
            }
            for key in v.set.keys() {
                let root = key.split(['.', '[']).next().unwrap_or("");
                if FUNCTION_LEVEL.contains(&root) {
                    return Err(FieldError::new(
                        &format!("{vp}.set.{key}"),
                        &format!("\"{root}\" belongs to the function, not to a version"),
                    ));
                }
            }
            apply_set(f, &v.set, &vp)?;
        }
        if !f.versions.is_empty() && f.provisioned_concurrency > 0 {
            return Err(FieldError::new(
                &format!("{p}.provisioned_concurrency"),
                "AWS refuses provisioned concurrency on $LATEST; set it on an alias (aliases[].provisioned_concurrency)",
            ));
        }
        let has = |n: u32| f.versions.iter().any(|v| v.version == n);
        let list = || {
            let v: Vec<String> = f.versions.iter().map(|v| v.version.to_string()).collect();
            if v.is_empty() {
                "none published".to_string()
            } else {
                v.join(", ")
            }
        };
        let mut provisioned: u64 = 0;
        for (j, a) in f.aliases.iter().enumerate() {
            let ap = format!("{p}.aliases[{j}]");
            check_name(&format!("{ap}.name"), &a.name)?;
            if a.name == "$LATEST" || a.name.chars().all(|c| c.is_ascii_digit()) {
                return Err(FieldError::new(
                    &format!("{ap}.name"),
                    "an alias name cannot be a version",
                ));
            }
            if f.aliases[..j].iter().any(|b| b.name == a.name) {
                return Err(FieldError::new(
                    &format!("{ap}.name"),
                    &format!("alias \"{}\" is defined twice", a.name),
                ));
            }
            if let VersionRef::Number(n) = a.version {
                if !has(n) {
                    return Err(FieldError::new(
                        &format!("{ap}.version"),
                        &format!("version {n} is not published (versions: {})", list()),
                    ));
                }
            }
            if !(a.additional_weight.is_finite() && (0.0..=1.0).contains(&a.additional_weight)) {
                return Err(FieldError::new(
                    &format!("{ap}.additional_weight"),
                    &format!(
                        "AWS accepts a weight from 0 to 1, got {}",
                        a.additional_weight
                    ),
                ));
            }
            match a.additional_version {
                Some(n) if !has(n) => {
                    return Err(FieldError::new(
                        &format!("{ap}.additional_version"),
                        &format!("version {n} is not published (versions: {})", list()),
                    ))
                }
                Some(n) if a.version == VersionRef::Number(n) => {
                    return Err(FieldError::new(
                        &format!("{ap}.additional_version"),
                        "must differ from the alias's own version",
                    ))
                }
                Some(_) if a.version == VersionRef::Latest => return Err(FieldError::new(
                    &format!("{ap}.additional_version"),
                    "AWS routes weighted traffic only between published versions, not from $LATEST",
                )),
                None if a.additional_weight > 0.0 => {
                    return Err(FieldError::new(
                        &format!("{ap}.additional_weight"),
                        "a weight needs an additional_version",
                    ))
                }
                _ => {}
            }
            if a.provisioned_concurrency > 0 && a.version == VersionRef::Latest {
                return Err(FieldError::new(
                    &format!("{ap}.provisioned_concurrency"),
                    "AWS refuses provisioned concurrency on an alias that points to $LATEST",
                ));
            }
            provisioned += u64::from(a.provisioned_concurrency);
        }
        if let Some(r) = f.reserved_concurrency {
            if provisioned > u64::from(r) {
                return Err(FieldError::new(
                    &format!("{p}.aliases"),
                    &format!(
                        "{provisioned} provisioned over the aliases exceeds the function's reserved concurrency of {r}"
                    ),
                ));
            }
        }
        if let Some(name) = &f.invoke {
            if !f.aliases.iter().any(|a| &a.name == name) {
                return Err(FieldError::new(
                    &format!("{p}.invoke"),
                    &format!("no alias called \"{name}\""),
                ));
            }
        }
        if let Some(d) = &f.deployment {
            let dp = format!("{p}.deployment");
            let Some(alias) = f.aliases.iter().find(|a| a.name == d.alias) else {
                return Err(FieldError::new(
                    &format!("{dp}.alias"),
                    &format!("no alias called \"{}\"", d.alias),
                ));
            };
            if !has(d.to_version) {
                return Err(FieldError::new(
                    &format!("{dp}.to_version"),
                    &format!(
                        "version {} is not published (versions: {})",
                        d.to_version,
                        list()
                    ),
                ));
            }
            if alias.version == VersionRef::Number(d.to_version) {
                return Err(FieldError::new(
                    &format!("{dp}.to_version"),
                    &format!("alias \"{}\" already points to it", alias.name),
                ));
            }
            if alias.version == VersionRef::Latest {
                return Err(FieldError::new(
                    &format!("{dp}.alias"),
                    "CodeDeploy shifts an alias between published versions, not from $LATEST",
                ));
            }
            if alias.additional_version.is_some() {
                return Err(FieldError::new(
                    &format!("{dp}.alias"),
                    "the alias already splits its traffic; a deployment needs it on one version",
                ));
            }
            if preset_steps(&d.preset).is_none() {
                return Err(FieldError::new(
                    &format!("{dp}.preset"),
                    &format!(
                        "unknown CodeDeploy configuration \"{}\" (expected one of {})",
                        d.preset,
                        PRESETS.join(", ")
                    ),
                ));
            }
            if !(d.start_s.is_finite() && d.start_s >= 0.0) {
                return Err(FieldError::new(
                    &format!("{dp}.start_s"),
                    &format!("expected a time >= 0 s, got {}", d.start_s),
                ));
            }
            for (k, name) in d.alarms.iter().enumerate() {
                if !self.alarms.iter().any(|a| &a.name == name) {
                    return Err(FieldError::new(
                        &format!("{dp}.alarms[{k}]"),
                        &format!("no alarm called \"{name}\""),
                    ));
                }
            }
        }
        Ok(())
    }

    /// The unit indices an alarm's `function` names.
    pub fn alarm_units(&self, a: &Alarm) -> Result<Vec<usize>, String> {
        let (name, qualifier) = match a.function.split_once(':') {
            Some((n, q)) => (n, Some(q)),
            None => (a.function.as_str(), None),
        };
        let Some(i) = self.functions.iter().position(|f| f.name == name) else {
            return Err(format!("no function called \"{name}\""));
        };
        let units = self.units().map_err(|e| e.to_string())?;
        let of_version =
            |v: VersionRef| units.iter().position(|u| u.function == i && u.version == v);
        let f = &self.functions[i];
        match qualifier {
            None => Ok(units
                .iter()
                .enumerate()
                .filter(|(_, u)| u.function == i)
                .map(|(k, _)| k)
                .collect()),
            Some("$LATEST") => Ok(vec![i]),
            Some(q) => {
                if let Ok(n) = q.parse::<u32>() {
                    return of_version(VersionRef::Number(n))
                        .map(|k| vec![k])
                        .ok_or_else(|| format!("\"{name}\" has no version {n}"));
                }
                let Some(alias) = f.aliases.iter().find(|al| al.name == q) else {
                    return Err(format!("\"{name}\" has no alias or version \"{q}\""));
                };
                let mut v: Vec<usize> = std::iter::once(alias.version)
                    .chain(alias.additional_version.map(VersionRef::Number))
                    .chain(
                        f.deployment
                            .iter()
                            .filter(|d| d.alias == alias.name)
                            .map(|d| VersionRef::Number(d.to_version)),
                    )
                    .filter_map(of_version)
                    .collect();
                v.sort_unstable();
                v.dedup();
                Ok(v)
            }
        }
    }
}

/// The function with a version's changes applied (through the same paths lesson knobs use).
fn apply_set(
    f: &Function,
    set: &BTreeMap<String, serde_json::Value>,
    field: &str,
) -> Result<Function, FieldError> {
    if set.is_empty() {
        return Ok(f.clone());
    }
    let mut root = serde_json::to_value(f)
        .map_err(|e| FieldError::new(field, &format!("could not read the function: {e}")))?;
    for (key, value) in set {
        let kf = format!("{field}.set.{key}");
        let parts: Vec<&str> = key.split('.').collect();
        let (last, path) = parts.split_last().unwrap_or((&"", &[]));
        let mut v = &mut root;
        for part in path {
            v = v.get_mut(part).ok_or_else(|| {
                FieldError::new(&kf, &format!("the function has no field \"{part}\""))
            })?;
        }
        // A field left out of the function (an empty table, an absent option) is added; an
        // unknown one is refused when the version is read back.
        match v.as_object_mut() {
            Some(obj) => {
                obj.insert((*last).to_string(), value.clone());
            }
            None => {
                return Err(FieldError::new(
                    &kf,
                    &format!("\"{}\" is not a table", path.join(".")),
                ))
            }
        }
    }
    let cfg: Function =
        crate::from_value(root).map_err(|e| FieldError::new(&format!("{field}.set"), &e))?;
    Ok(cfg)
}
