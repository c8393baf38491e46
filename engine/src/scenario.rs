//! The scenario schema: everything a run is configured by, read from TOML and validated.
//!
//! A scenario is plain data. Defaults follow AWS's defaults where AWS has one (memory 128 MB,
//! timeout 3 s, account concurrency 1,000, scaling 1,000 environments per 10 s), and every
//! refusal names the field, the rule and the value found.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::dist::Dist;
use crate::iam::Iam;
use crate::runtime::Runtime;
use crate::system::{Alarm, Alias, Cache, Deployment, RecursiveLoop, Tracing, Trigger, Version};
use crate::workload::Workload;

/// Most time buckets a run may produce (bounds the memory of the time series).
pub const MAX_BUCKETS: u64 = 2_000;
/// Longest simulated span: 400 days.
pub const MAX_DURATION_S: f64 = 400.0 * 86_400.0;
/// Most functions in one scenario.
pub const MAX_FUNCTIONS: usize = 16;
/// Largest `queue_max` a queue may be given (bounds the memory of queued events and messages).
pub const MAX_QUEUE: u64 = 10_000_000;

/// A complete experiment: the account, its functions and their traffic, and what to record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// A human name, shown in the UI and the CLI.
    #[serde(default)]
    pub name: String,
    /// Seed of every random stream in the run.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Simulated span, in seconds.
    pub duration_s: f64,
    /// Width of one time-series bucket, in seconds; by default the span divided into 200.
    #[serde(default)]
    pub bucket_s: Option<f64>,
    /// Hard bound on the events of one run; hitting it is an error, never a hang.
    #[serde(default = "default_max_events")]
    pub max_events: u64,
    /// Recording limits for the display outputs.
    #[serde(default)]
    pub record: Record,
    /// Account-wide settings.
    #[serde(default)]
    pub account: Account,
    /// Billing settings.
    #[serde(default)]
    pub cost: CostConfig,
    /// The functions, each with its own traffic.
    pub functions: Vec<Function>,
    /// CloudWatch-style alarms on the functions' metrics.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alarms: Vec<Alarm>,
    /// X-Ray-style tracing of a sample of requests (off when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracing: Option<Tracing>,
}

fn default_seed() -> u64 {
    1
}
fn default_max_events() -> u64 {
    1_000_000_000
}

/// Account-wide concurrency settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Account {
    /// Concurrent executions allowed in the Region (AWS default quota: 1,000).
    #[serde(default = "default_concurrency_limit")]
    pub concurrency_limit: u32,
    /// New execution environments each function may add per `scaling_window_s` (AWS: 1,000 per 10 s).
    #[serde(default = "default_scaling_envs")]
    pub scaling_envs: u32,
    /// The window the scaling allowance refills over, continuously, in seconds.
    #[serde(default = "default_scaling_window_s")]
    pub scaling_window_s: f64,
}

fn default_concurrency_limit() -> u32 {
    1_000
}
fn default_scaling_envs() -> u32 {
    1_000
}
fn default_scaling_window_s() -> f64 {
    10.0
}

impl Default for Account {
    fn default() -> Self {
        Account {
            concurrency_limit: default_concurrency_limit(),
            scaling_envs: default_scaling_envs(),
            scaling_window_s: default_scaling_window_s(),
        }
    }
}

/// What the run records for display, besides the summary and the time series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    /// Environments drawn as their own lane; later ones are only counted.
    #[serde(default = "default_lanes")]
    pub lanes: u32,
    /// Most lane segments kept over all lanes.
    #[serde(default = "default_segments")]
    pub segments: u32,
    /// Most individual events kept for stepping through.
    #[serde(default = "default_events")]
    pub events: u32,
}

fn default_lanes() -> u32 {
    40
}
fn default_segments() -> u32 {
    20_000
}
fn default_events() -> u32 {
    5_000
}

impl Default for Record {
    fn default() -> Self {
        Record {
            lanes: default_lanes(),
            segments: default_segments(),
            events: default_events(),
        }
    }
}

/// Billing options.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostConfig {
    /// Bill the Init phase of on-demand environments (AWS does since 1 August 2025).
    #[serde(default = "default_true")]
    pub bill_init: bool,
    /// Subtract the monthly free tier, prorated to the simulated span.
    #[serde(default)]
    pub free_tier: bool,
}

fn default_true() -> bool {
    true
}

impl Default for CostConfig {
    fn default() -> Self {
        CostConfig {
            bill_init: true,
            free_tier: false,
        }
    }
}

/// Instruction-set architecture; arm64 is priced about 20% lower.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Arch {
    /// Intel/AMD.
    #[default]
    X86_64,
    /// Graviton.
    Arm64,
}

/// Which idle environment a warm request goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Routing {
    /// The most recently created idle environment (SimFaaS's rule; lets old ones expire). Default.
    #[default]
    NewestFirst,
    /// The environment that finished its last request most recently.
    MostRecentlyUsed,
    /// Any idle environment, uniformly.
    Random,
}

/// One Lambda function: its code, its configuration and the traffic it receives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Function {
    /// Name, unique in the scenario.
    pub name: String,
    /// Runtime preset: sets the runtime's own init time.
    #[serde(default)]
    pub runtime: Runtime,
    /// Instruction-set architecture.
    #[serde(default)]
    pub arch: Arch,
    /// Memory, 128-10,240 MB; sets the CPU share (1,769 MB = 1 vCPU).
    #[serde(default = "default_memory_mb")]
    pub memory_mb: u32,
    /// Timeout, up to 900 s (AWS default 3 s).
    #[serde(default = "default_timeout_s")]
    pub timeout_s: f64,
    /// Deployment package size, in MB; each MB adds `init_ms_per_package_mb` to Init.
    #[serde(default)]
    pub package_mb: f64,
    /// Layers attached; each adds `init_ms_per_layer` to Init.
    #[serde(default)]
    pub layers: u32,
    /// Init time per MB of package (download and unpack, imports).
    #[serde(default = "default_init_ms_per_package_mb")]
    pub init_ms_per_package_mb: f64,
    /// Init time per layer.
    #[serde(default = "default_init_ms_per_layer")]
    pub init_ms_per_layer: f64,
    /// Extra Init time outside the runtime preset: the function's own init code
    /// (SDK clients, configuration), run once per environment.
    #[serde(default)]
    pub init_ms: Dist,
    /// The work of one invocation.
    #[serde(default)]
    pub handler: Handler,
    /// Fraction of invocations whose handler fails (0-1).
    #[serde(default)]
    pub error_rate: f64,
    /// How long an idle environment is kept before it is reaped, in seconds (about 10 min on AWS).
    #[serde(default = "default_idle_expiry_s")]
    pub idle_expiry_s: Dist,
    /// Recycle an environment this long after it was created (AWS: a few hours); an environment
    /// past its lifetime is reaped when its current invocation ends.
    #[serde(default)]
    pub max_lifetime_s: Option<f64>,
    /// Which idle environment a warm request goes to.
    #[serde(default)]
    pub routing: Routing,
    /// Reserved concurrency: guaranteed to this function and its cap.
    #[serde(default)]
    pub reserved_concurrency: Option<u32>,
    /// Provisioned concurrency: environments initialised ahead of traffic.
    #[serde(default)]
    pub provisioned_concurrency: u32,
    /// Seconds after the start before the provisioned environments are ready.
    #[serde(default = "default_provisioned_ready_s")]
    pub provisioned_ready_s: f64,
    /// How the caller behaves on a throttle, an error or a timeout (synchronous invocation).
    #[serde(default)]
    pub client: Client,
    /// How the function is invoked: synchronously (default), asynchronously through Lambda's
    /// internal event queue, or by an SQS event source mapping.
    #[serde(default)]
    pub invocation: InvocationType,
    /// Asynchronous invocation settings (used when `invocation = "async"`; defaults when absent).
    #[serde(default, rename = "async")]
    pub async_config: Option<AsyncConfig>,
    /// The SQS queue and its event source mapping (used when `invocation = "sqs"`; defaults when
    /// absent).
    #[serde(default)]
    pub sqs: Option<SqsConfig>,
    /// Windows of time in which the handler fails at a higher rate (an outage downstream).
    #[serde(default)]
    pub errors_during: Vec<ErrorWindow>,
    /// A dependency every invocation calls, with a connection limit and/or a rate limit.
    #[serde(default)]
    pub downstream: Option<Downstream>,
    /// An idempotency-key store: the side effect of a request id applies at most once per TTL.
    #[serde(default)]
    pub idempotency: Option<Idempotency>,
    /// The traffic (for an SQS function: the messages sent to its queue); none when only
    /// other functions invoke it.
    #[serde(default)]
    pub workload: Workload,
    /// The alias the workload invokes (by default `$LATEST`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoke: Option<String>,
    /// Requests each successful invocation sends to other functions (or to itself).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub triggers: Vec<Trigger>,
    /// What Lambda does when a chain of requests invokes this function more than 16 times.
    #[serde(default)]
    pub recursive_loop: RecursiveLoop,
    /// Published versions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<Version>,
    /// Aliases.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<Alias>,
    /// A CodeDeploy deployment that shifts an alias to a new version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment: Option<Deployment>,
    /// Environment variables of `$LATEST`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub environment: BTreeMap<String, String>,
    /// A cache in front of the handler's I/O.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache: Option<Cache>,
    /// The function's execution role and the AWS actions its code tries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iam: Option<Iam>,
}

/// How a function's requests reach it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvocationType {
    /// The caller waits for the response; a throttle is a 429 to the caller (default).
    #[default]
    Sync,
    /// Lambda queues the event and invokes the function from its internal queue, retrying
    /// errors and throttles (lambda-facts.md section 6).
    Async,
    /// Messages are sent to an SQS queue; pollers receive them in batches and invoke the
    /// function (lambda-facts.md section 7).
    Sqs,
}

/// Lambda's asynchronous invocation settings (lambda-facts.md section 6).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AsyncConfig {
    /// Retries after a function error (an error or a timeout): 0 to 2, AWS's default 2. The
    /// first comes 60 s after the failure, the second 120 s after the next one.
    #[serde(default = "default_retry_attempts")]
    pub retry_attempts: u32,
    /// An event older than this is not invoked again: 60 to 21,600 s (6 h, the default).
    #[serde(default = "default_max_event_age_s")]
    pub max_event_age_s: u32,
    /// A dead-letter queue for events that finally fail. When the function has an `iam` role,
    /// the role must allow sending to it (`sqs:SendMessage` on
    /// `arn:aws:sqs:us-east-1:123456789012:<function>-dlq`, or `sns:Publish` on the topic of
    /// that name): otherwise each send fails (AWS's DeadLetterErrors) and the event is lost.
    #[serde(default)]
    pub dlq: Option<DlqTarget>,
    /// An on-failure destination for events that finally fail. With an `iam` role, the role
    /// must allow the send ([`Destination::action`] on [`Destination::arn`]), or it fails
    /// (AWS's DestinationDeliveryFailures).
    #[serde(default)]
    pub on_failure: Option<Destination>,
    /// An on-success destination: each successful event's record is sent there (the same
    /// permission rule as `on_failure`).
    #[serde(default)]
    pub on_success: Option<Destination>,
    /// Fraction of events delivered a second time (delivery is at least once): 0 to 1.
    #[serde(default)]
    pub duplicate_rate: f64,
    /// Fraction of attempts to invoke an event that fail inside Lambda itself, before the
    /// function runs (a system error, HTTP 5xx): 0 to 1. Like a throttle, the event goes back
    /// to the queue with a backoff of 1 s doubling up to 5 min, until its maximum age; it uses
    /// none of the retry attempts and is not a function error.
    #[serde(default)]
    pub system_error_rate: f64,
    /// Most events held in the queue at once. AWS's queue is unbounded; the engine's is not,
    /// so that memory stays bounded: reaching it stops the run with an error naming this field.
    #[serde(default = "default_queue_max")]
    pub queue_max: u64,
}

fn default_retry_attempts() -> u32 {
    2
}
fn default_max_event_age_s() -> u32 {
    21_600
}
fn default_queue_max() -> u64 {
    1_000_000
}

impl Default for AsyncConfig {
    fn default() -> Self {
        AsyncConfig {
            retry_attempts: default_retry_attempts(),
            max_event_age_s: default_max_event_age_s(),
            dlq: None,
            on_failure: None,
            on_success: None,
            duplicate_rate: 0.0,
            system_error_rate: 0.0,
            queue_max: default_queue_max(),
        }
    }
}

/// Where a dead-letter queue lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DlqTarget {
    /// An SQS queue.
    Sqs,
    /// An SNS topic.
    Sns,
}

/// The region and account of the ARNs the engine gives queues, topics and functions that a
/// scenario names only by function (a DLQ, a destination).
const ARN_REGION_ACCOUNT: &str = "us-east-1:123456789012";

impl DlqTarget {
    /// The action the execution role needs to send an event here.
    pub fn action(self) -> &'static str {
        match self {
            DlqTarget::Sqs => "sqs:SendMessage",
            DlqTarget::Sns => "sns:Publish",
        }
    }

    /// The ARN of `function`'s dead-letter queue or topic (named `<function>-dlq`).
    pub fn arn(self, function: &str) -> String {
        let service = match self {
            DlqTarget::Sqs => "sqs",
            DlqTarget::Sns => "sns",
        };
        format!("arn:aws:{service}:{ARN_REGION_ACCOUNT}:{function}-dlq")
    }
}

/// The target of an asynchronous invocation destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Destination {
    /// An SQS queue.
    Sqs,
    /// An SNS topic.
    Sns,
    /// Another Lambda function.
    Lambda,
    /// An EventBridge event bus.
    Eventbridge,
}

impl Destination {
    /// The action the execution role needs to send a record here.
    pub fn action(self) -> &'static str {
        match self {
            Destination::Sqs => "sqs:SendMessage",
            Destination::Sns => "sns:Publish",
            Destination::Lambda => "lambda:InvokeFunction",
            Destination::Eventbridge => "events:PutEvents",
        }
    }

    /// The ARN of `function`'s destination for `outcome` (`on-failure` or `on-success`): a
    /// queue, topic or function named `<function>-<outcome>`, or the default event bus.
    pub fn arn(self, function: &str, outcome: &str) -> String {
        let r = ARN_REGION_ACCOUNT;
        match self {
            Destination::Sqs => format!("arn:aws:sqs:{r}:{function}-{outcome}"),
            Destination::Sns => format!("arn:aws:sns:{r}:{function}-{outcome}"),
            Destination::Lambda => format!("arn:aws:lambda:{r}:function:{function}-{outcome}"),
            Destination::Eventbridge => format!("arn:aws:events:{r}:event-bus/default"),
        }
    }
}

/// An SQS queue and the event source mapping that polls it (lambda-facts.md section 7).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SqsConfig {
    /// Most messages per batch: 1 to 10,000 (default 10; above 10 needs a batching window).
    #[serde(default = "default_batch_size")]
    pub batch_size: u32,
    /// How long the poller gathers messages before invoking with a partial batch: 0 to 300 s.
    #[serde(default)]
    pub batching_window_s: f64,
    /// How long a received message stays invisible: at least 6 x the function timeout, at most
    /// 12 h (SQS's default 30 s). A batch still running when it ends is received again.
    #[serde(default = "default_visibility_timeout_s")]
    pub visibility_timeout_s: f64,
    /// With a redrive policy: a message received this many times without being deleted goes to
    /// the dead-letter queue (1 to 1,000). Without one, it is retried until its retention ends.
    #[serde(default)]
    pub max_receive_count: Option<u32>,
    /// Partial batch responses (ReportBatchItemFailures): only the failed messages return to the
    /// queue. Without them, one failed message fails the whole batch and every message returns.
    #[serde(default)]
    pub report_batch_item_failures: bool,
    /// The event source mapping's maximum concurrency: 2 to 1,000 concurrent batches.
    #[serde(default)]
    pub maximum_concurrency: Option<u32>,
    /// How long SQS keeps a message: 60 s to 14 days (default 4 days); older ones are deleted.
    #[serde(default = "default_retention_s")]
    pub retention_s: f64,
    /// Most messages held in the queue at once (an engine bound; reaching it is an error).
    #[serde(default = "default_queue_max")]
    pub queue_max: u64,
}

fn default_batch_size() -> u32 {
    10
}
fn default_visibility_timeout_s() -> f64 {
    30.0
}
fn default_retention_s() -> f64 {
    345_600.0
}

impl Default for SqsConfig {
    fn default() -> Self {
        SqsConfig {
            batch_size: default_batch_size(),
            batching_window_s: 0.0,
            visibility_timeout_s: default_visibility_timeout_s(),
            max_receive_count: None,
            report_batch_item_failures: false,
            maximum_concurrency: None,
            retention_s: default_retention_s(),
            queue_max: default_queue_max(),
        }
    }
}

/// A span of time in which invocations fail at `rate` (independently of `error_rate`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorWindow {
    /// Start, in seconds from the start of the run.
    pub start_s: f64,
    /// End (excluded), in seconds.
    pub end_s: f64,
    /// Fraction of invocations starting in the window that fail (0-1).
    pub rate: f64,
}

/// A dependency (a database, an API) every invocation calls once, for each message of a batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Downstream {
    /// Most connections open at once; each running invocation holds one.
    #[serde(default)]
    pub connections_max: Option<u32>,
    /// Most calls per second (a token bucket holding one second of calls).
    #[serde(default)]
    pub rate_limit_per_s: Option<f64>,
    /// What a call beyond a limit does.
    #[serde(default)]
    pub on_limit: OnLimit,
    /// Extra time a call beyond a limit takes when `on_limit = "slow"`, in ms.
    #[serde(default = "default_slow_ms")]
    pub slow_ms: f64,
}

fn default_slow_ms() -> f64 {
    1_000.0
}

/// What a call beyond the downstream's limit does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnLimit {
    /// It fails at once (the handler's I/O wait is skipped) and the invocation is an error.
    #[default]
    Reject,
    /// It succeeds after `slow_ms` more.
    Slow,
}

/// An idempotency-key store (for example Powertools' idempotency utility on DynamoDB).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Idempotency {
    /// Use the store.
    #[serde(default = "default_true")]
    pub enabled: bool,
    /// How long a request id is remembered after its effect was applied, in seconds.
    #[serde(default = "default_ttl_s")]
    pub ttl_s: f64,
}

fn default_ttl_s() -> f64 {
    3_600.0
}

fn default_memory_mb() -> u32 {
    128
}
fn default_timeout_s() -> f64 {
    3.0
}
fn default_init_ms_per_package_mb() -> f64 {
    10.0
}
fn default_init_ms_per_layer() -> f64 {
    20.0
}
fn default_idle_expiry_s() -> Dist {
    Dist::constant(600.0)
}
fn default_provisioned_ready_s() -> f64 {
    90.0
}

/// The work an invocation does.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Handler {
    /// Single-threaded CPU time at one full vCPU (1,769 MB); stretched below that.
    #[serde(default)]
    pub cpu_ms: Dist,
    /// Waiting on I/O (network, database); memory does not change it.
    #[serde(default)]
    pub io_ms: Dist,
}

/// Client-side retries of a synchronous caller (Lambda itself never retries a synchronous call).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Client {
    /// Retries after the first attempt (0 = none).
    #[serde(default)]
    pub retries: u32,
    /// Backoff before the first retry, in ms; doubles on each further retry.
    #[serde(default = "default_backoff_base_ms")]
    pub backoff_base_ms: f64,
    /// Longest backoff, in ms.
    #[serde(default = "default_backoff_cap_ms")]
    pub backoff_cap_ms: f64,
    /// Randomise the backoff ("full jitter": uniform between 0 and the backoff).
    #[serde(default = "default_true")]
    pub jitter: bool,
    /// Retry on a function error as well as on a throttle.
    #[serde(default = "default_true")]
    pub retry_errors: bool,
    /// The caller gives up after this long, in ms, and retries (if it has retries left) while
    /// the abandoned invocation keeps running and is billed. `None`: it waits for the response.
    #[serde(default)]
    pub timeout_ms: Option<f64>,
}

fn default_backoff_base_ms() -> f64 {
    100.0
}
fn default_backoff_cap_ms() -> f64 {
    20_000.0
}

impl Default for Client {
    fn default() -> Self {
        Client {
            retries: 0,
            backoff_base_ms: default_backoff_base_ms(),
            backoff_cap_ms: default_backoff_cap_ms(),
            jitter: true,
            retry_errors: true,
            timeout_ms: None,
        }
    }
}

/// A rule a scenario breaks: the field (as a path) and what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Path of the field, e.g. `functions[0].memory_mb`.
    pub field: String,
    /// What was expected and what was found.
    pub message: String,
}

impl FieldError {
    /// An error on `field`.
    pub fn new(field: &str, message: &str) -> Self {
        FieldError {
            field: field.to_string(),
            message: message.to_string(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for FieldError {}

/// Why a scenario file could not be used.
#[derive(Debug, Clone, PartialEq)]
pub enum ScenarioError {
    /// Not valid TOML, or a field of the wrong type, unknown or missing.
    Parse(String),
    /// Valid TOML that breaks a rule.
    Invalid(FieldError),
}

/// TOML as JSON, for [`crate::from_value`]. JSON has no NaN or infinity: a TOML `nan` or `inf`
/// is refused here, naming its field (JSON would read it as null, and an unset option).
fn toml_to_json(v: &toml::Value, path: &mut String) -> Result<serde_json::Value, FieldError> {
    use serde_json::Value as J;
    Ok(match v {
        toml::Value::String(s) => J::String(s.clone()),
        toml::Value::Integer(i) => J::from(*i),
        toml::Value::Float(x) => match serde_json::Number::from_f64(*x) {
            Some(n) => J::Number(n),
            None => {
                return Err(FieldError::new(
                    path,
                    &format!("expected a finite number, got {x}"),
                ))
            }
        },
        toml::Value::Boolean(b) => J::Bool(*b),
        toml::Value::Datetime(d) => J::String(d.to_string()),
        toml::Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                out.push(toml_to_json(item, path)?);
                path.truncate(len);
            }
            J::Array(out)
        }
        toml::Value::Table(t) => {
            let mut out = serde_json::Map::new();
            for (k, item) in t {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
                out.insert(k.clone(), toml_to_json(item, path)?);
                path.truncate(len);
            }
            J::Object(out)
        }
    })
}

/// Adds to a reading error (`functions[0].memory_mb: invalid type ...`) where the field is in
/// the text: `line 4, column 13: ...`, and the line itself.
fn locate(text: &str, message: &str) -> String {
    let path = message.split(": ").next().unwrap_or("");
    let Some(offset) = toml_offset(text, path) else {
        return message.to_string();
    };
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    let source = text[line_start..].lines().next().unwrap_or("");
    format!("line {line}, column {column}: {message}\n  |\n{line} | {source}")
}

/// Where the value at `path` (`functions[0].workload.kind`) starts in the TOML text: the
/// deepest part of the path the text has (a misspelt key is found by its table).
fn toml_offset(text: &str, path: &str) -> Option<usize> {
    use toml::de::{DeTable, DeValue};
    let root = DeTable::parse(text).ok()?;
    let mut at: Option<&toml::Spanned<DeValue<'_>>> = None;
    let mut best = None;
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (key, indices) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        let next = match at {
            None => root.get_ref().get(key),
            Some(v) => v.get_ref().get(key),
        };
        let Some(mut v) = next else {
            break;
        };
        for index in indices
            .split(['[', ']'])
            .filter(|x| !x.is_empty())
            .filter_map(|x| x.parse::<usize>().ok())
        {
            match v.get_ref().get(index) {
                Some(item) => v = item,
                None => break,
            }
        }
        best = Some(v.span().start);
        at = Some(v);
    }
    best
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScenarioError::Parse(m) => f.write_str(m.trim_end()),
            ScenarioError::Invalid(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for ScenarioError {}

impl From<FieldError> for ScenarioError {
    fn from(e: FieldError) -> Self {
        ScenarioError::Invalid(e)
    }
}

impl Scenario {
    /// Parses and validates a scenario from TOML text.
    ///
    /// The text is read as TOML into JSON, and the scenario from that (see [`crate::from_value`]):
    /// one deserialiser for every format keeps the WebAssembly small. An error names the line
    /// and column, the field's path and what was expected.
    pub fn from_toml(text: &str) -> Result<Scenario, ScenarioError> {
        let table: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| ScenarioError::Parse(e.to_string()))?;
        let mut path = String::new();
        let value = toml_to_json(&toml::Value::Table(table), &mut path)?;
        let scenario: Scenario = crate::from_value(value)
            .map_err(|message| ScenarioError::Parse(locate(text, &message)))?;
        scenario.validate()?;
        Ok(scenario)
    }

    /// Writes the scenario as TOML (for export); `from_toml` reads it back unchanged.
    pub fn to_toml(&self) -> String {
        toml::to_string(self).unwrap_or_else(|e| format!("# could not write this scenario: {e}\n"))
    }

    /// The bucket width in microseconds, as the run will use it.
    pub fn bucket_us(&self) -> u64 {
        let s = self.bucket_s.unwrap_or(self.duration_s / 200.0);
        crate::time::s_to_us(s).max(1)
    }

    /// The simulated span in microseconds.
    pub fn duration_us(&self) -> u64 {
        crate::time::s_to_us(self.duration_s)
    }

    /// Settings AWS accepts but advises against, each naming its field: the scenario runs,
    /// and the lab shows these beside it.
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (i, f) in self.functions.iter().enumerate() {
            if let (InvocationType::Sqs, Some(q)) = (f.invocation, f.sqs.as_ref()) {
                // services-sqs-configure.html: at least 6 x the function timeout plus the
                // batching window, so a batch throttled or retried is not received twice.
                let advised = 6.0 * f.timeout_s + q.batching_window_s;
                if q.visibility_timeout_s < advised {
                    out.push(format!(
                        "functions[{i}].sqs.visibility_timeout_s: {} s is less than the {} s AWS recommends (6 x the {} s timeout plus the batching window): a message still being processed can become visible again and be processed twice",
                        q.visibility_timeout_s, advised, f.timeout_s
                    ));
                }
            }
        }
        out
    }

    /// Checks every rule AWS or the engine imposes; the first broken one is returned.
    pub fn validate(&self) -> Result<(), FieldError> {
        if !(self.duration_s.is_finite()
            && self.duration_s > 0.0
            && self.duration_s <= MAX_DURATION_S)
        {
            return Err(FieldError::new(
                "duration_s",
                &format!(
                    "expected a span > 0 and at most {MAX_DURATION_S} s (400 days), got {}",
                    self.duration_s
                ),
            ));
        }
        if let Some(b) = self.bucket_s {
            if !(b.is_finite() && b > 0.0) {
                return Err(FieldError::new(
                    "bucket_s",
                    &format!("expected a width > 0 s, got {b}"),
                ));
            }
        }
        let buckets = self.duration_us().div_ceil(self.bucket_us());
        if buckets > MAX_BUCKETS {
            return Err(FieldError::new(
                "bucket_s",
                &format!("{buckets} buckets of {} s over {} s; at most {MAX_BUCKETS} are kept, so use a wider bucket", self.bucket_us() as f64 / 1e6, self.duration_s),
            ));
        }
        // TOML integers are signed 64-bit: a larger seed could not be written to a file.
        if self.seed > i64::MAX as u64 {
            return Err(FieldError::new(
                "seed",
                &format!(
                    "expected a whole number from 0 to {}, got {}",
                    i64::MAX,
                    self.seed
                ),
            ));
        }
        if self.max_events == 0 {
            return Err(FieldError::new("max_events", "expected at least 1"));
        }
        self.account.validate()?;
        if self.functions.is_empty() {
            return Err(FieldError::new(
                "functions",
                "expected at least one [[functions]] table",
            ));
        }
        if self.functions.len() > MAX_FUNCTIONS {
            return Err(FieldError::new(
                "functions",
                &format!(
                    "expected at most {MAX_FUNCTIONS} functions, got {}",
                    self.functions.len()
                ),
            ));
        }
        let mut reserved_total: u64 = 0;
        let mut unreserved_provisioned: u64 = 0;
        for (i, f) in self.functions.iter().enumerate() {
            let p = format!("functions[{i}]");
            if self.functions[..i].iter().any(|g| g.name == f.name) {
                return Err(FieldError::new(
                    &format!("{p}.name"),
                    &format!(
                        "\"{}\" is used by another function; names must be unique",
                        f.name
                    ),
                ));
            }
            f.validate(&p, self.duration_s)?;
            match f.reserved_concurrency {
                Some(r) => reserved_total += u64::from(r),
                None => unreserved_provisioned += u64::from(f.provisioned_concurrency),
            }
        }
        self.validate_system()?;
        for u in self.units()?.iter().skip(self.functions.len()) {
            let p = format!("functions[{}]", u.function);
            u.cfg.validate(&p, self.duration_s).map_err(|e| {
                FieldError::new(
                    &e.field,
                    &format!("{} (in version {})", e.message, u.version),
                )
            })?;
            if u.cfg.provisioned_concurrency > 0 && u.cfg.reserved_concurrency.is_none() {
                unreserved_provisioned += u64::from(u.cfg.provisioned_concurrency);
            }
        }
        let limit = u64::from(self.account.concurrency_limit);
        if reserved_total + 100 > limit {
            return Err(FieldError::new(
                "functions.reserved_concurrency",
                &format!("the functions reserve {reserved_total} of the account's {limit}; at least 100 must stay unreserved"),
            ));
        }
        if unreserved_provisioned > 0 && unreserved_provisioned + 100 > limit - reserved_total {
            return Err(FieldError::new(
                "functions.provisioned_concurrency",
                &format!(
                    "{unreserved_provisioned} provisioned from the unreserved pool of {}; at most the unreserved concurrency minus 100 can be provisioned",
                    limit - reserved_total
                ),
            ));
        }
        Ok(())
    }
}

impl Account {
    fn validate(&self) -> Result<(), FieldError> {
        if !(100..=1_000_000).contains(&self.concurrency_limit) {
            return Err(FieldError::new(
                "account.concurrency_limit",
                &format!(
                    "expected 100 to 1,000,000 concurrent executions, got {}",
                    self.concurrency_limit
                ),
            ));
        }
        if self.scaling_envs == 0 {
            return Err(FieldError::new(
                "account.scaling_envs",
                "expected at least 1 new environment per window",
            ));
        }
        if !(self.scaling_window_s.is_finite()
            && self.scaling_window_s >= 0.001
            && self.scaling_window_s <= 3_600.0)
        {
            return Err(FieldError::new(
                "account.scaling_window_s",
                &format!("expected 0.001 to 3,600 s, got {}", self.scaling_window_s),
            ));
        }
        Ok(())
    }
}

impl Function {
    fn validate(&self, p: &str, duration_s: f64) -> Result<(), FieldError> {
        let field = |name: &str| format!("{p}.{name}");
        if self.name.trim().is_empty() {
            return Err(FieldError::new(&field("name"), "expected a non-empty name"));
        }
        if !(128..=10_240).contains(&self.memory_mb) {
            return Err(FieldError::new(
                &field("memory_mb"),
                &format!("expected 128 to 10,240 MB, got {}", self.memory_mb),
            ));
        }
        if !(self.timeout_s.is_finite() && self.timeout_s >= 0.001 && self.timeout_s <= 900.0) {
            return Err(FieldError::new(
                &field("timeout_s"),
                &format!("expected 0.001 to 900 s, got {}", self.timeout_s),
            ));
        }
        for (name, v) in [
            ("package_mb", self.package_mb),
            ("init_ms_per_package_mb", self.init_ms_per_package_mb),
            ("init_ms_per_layer", self.init_ms_per_layer),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(FieldError::new(
                    &field(name),
                    &format!("expected a number >= 0, got {v}"),
                ));
            }
        }
        if self.package_mb > 10_240.0 {
            return Err(FieldError::new(
                &field("package_mb"),
                &format!(
                    "expected at most 10,240 MB (a container image), got {}",
                    self.package_mb
                ),
            ));
        }
        if self.layers > 5 {
            return Err(FieldError::new(
                &field("layers"),
                &format!("a function can use at most 5 layers, got {}", self.layers),
            ));
        }
        self.init_ms.validate(&field("init_ms"))?;
        self.handler.cpu_ms.validate(&field("handler.cpu_ms"))?;
        self.handler.io_ms.validate(&field("handler.io_ms"))?;
        if !(0.0..=1.0).contains(&self.error_rate) {
            return Err(FieldError::new(
                &field("error_rate"),
                &format!("expected a fraction 0 to 1, got {}", self.error_rate),
            ));
        }
        self.idle_expiry_s.validate(&field("idle_expiry_s"))?;
        if let Some(l) = self.max_lifetime_s {
            if !(l.is_finite() && l >= 1.0) {
                return Err(FieldError::new(
                    &field("max_lifetime_s"),
                    &format!("expected at least 1 s, got {l}"),
                ));
            }
        }
        if let Some(r) = self.reserved_concurrency {
            if self.provisioned_concurrency > r {
                return Err(FieldError::new(
                    &field("provisioned_concurrency"),
                    &format!(
                        "{} provisioned exceeds the function's reserved concurrency of {r}",
                        self.provisioned_concurrency
                    ),
                ));
            }
        }
        if !(self.provisioned_ready_s.is_finite() && self.provisioned_ready_s >= 0.0) {
            return Err(FieldError::new(
                &field("provisioned_ready_s"),
                &format!("expected a time >= 0 s, got {}", self.provisioned_ready_s),
            ));
        }
        let c = &self.client;
        if c.retries > 20 {
            return Err(FieldError::new(
                &field("client.retries"),
                &format!("expected at most 20 retries, got {}", c.retries),
            ));
        }
        for (name, v) in [
            ("client.backoff_base_ms", c.backoff_base_ms),
            ("client.backoff_cap_ms", c.backoff_cap_ms),
        ] {
            if !(v.is_finite() && (0.0..=3_600_000.0).contains(&v)) {
                return Err(FieldError::new(
                    &field(name),
                    &format!("expected 0 to 3,600,000 ms, got {v}"),
                ));
            }
        }
        if let Some(t) = c.timeout_ms {
            if !(t.is_finite() && t > 0.0 && t <= 3_600_000.0) {
                return Err(FieldError::new(
                    &field("client.timeout_ms"),
                    &format!("expected a client timeout > 0 and at most 3,600,000 ms, got {t}"),
                ));
            }
        }
        self.validate_delivery(&field)?;
        self.workload.validate(&field("workload"), duration_s)
    }

    /// The rules of asynchronous invocation, the SQS event source, failure windows, the
    /// downstream dependency and the idempotency store.
    fn validate_delivery(&self, field: &dyn Fn(&str) -> String) -> Result<(), FieldError> {
        let range = |name: &str, v: f64, lo: f64, hi: f64, what: &str| {
            if v.is_finite() && v >= lo && v <= hi {
                Ok(())
            } else {
                Err(FieldError::new(
                    &field(name),
                    &format!("expected {what}, got {v}"),
                ))
            }
        };
        if let Some(a) = &self.async_config {
            if a.retry_attempts > 2 {
                return Err(FieldError::new(
                    &field("async.retry_attempts"),
                    &format!(
                        "Lambda retries an asynchronous event 0 to 2 times, got {}",
                        a.retry_attempts
                    ),
                ));
            }
            if !(60..=21_600).contains(&a.max_event_age_s) {
                return Err(FieldError::new(
                    &field("async.max_event_age_s"),
                    &format!(
                        "the maximum event age is 60 to 21,600 s (6 h), got {}",
                        a.max_event_age_s
                    ),
                ));
            }
            range(
                "async.duplicate_rate",
                a.duplicate_rate,
                0.0,
                1.0,
                "a fraction 0 to 1",
            )?;
            range(
                "async.system_error_rate",
                a.system_error_rate,
                0.0,
                1.0,
                "a fraction 0 to 1",
            )?;
            if !(1..=MAX_QUEUE).contains(&a.queue_max) {
                return Err(FieldError::new(
                    &field("async.queue_max"),
                    &format!("expected 1 to {MAX_QUEUE} events, got {}", a.queue_max),
                ));
            }
        }
        if let Some(q) = &self.sqs {
            if !(1..=10_000).contains(&q.batch_size) {
                return Err(FieldError::new(
                    &field("sqs.batch_size"),
                    &format!(
                        "an SQS batch holds 1 to 10,000 messages, got {}",
                        q.batch_size
                    ),
                ));
            }
            range(
                "sqs.batching_window_s",
                q.batching_window_s,
                0.0,
                300.0,
                "a batching window of 0 to 300 s",
            )?;
            if q.batch_size > 10 && q.batching_window_s < 1.0 {
                return Err(FieldError::new(
                    &field("sqs.batching_window_s"),
                    &format!(
                        "a batch size above 10 ({}) needs a batching window of at least 1 s, got {}",
                        q.batch_size, q.batching_window_s
                    ),
                ));
            }
            range(
                "sqs.visibility_timeout_s",
                q.visibility_timeout_s,
                0.0,
                43_200.0,
                "a visibility timeout of 0 to 43,200 s (12 h)",
            )?;
            // AWS refuses a visibility timeout shorter than the function timeout
            // (InvalidParameterValueException); 6 x is only recommended (`warnings`).
            if q.visibility_timeout_s < self.timeout_s {
                return Err(FieldError::new(
                    &field("sqs.visibility_timeout_s"),
                    &format!(
                        "must be at least the function timeout ({} s), as AWS requires, got {} s",
                        self.timeout_s, q.visibility_timeout_s
                    ),
                ));
            }
            if let Some(m) = q.max_receive_count {
                if !(1..=1_000).contains(&m) {
                    return Err(FieldError::new(
                        &field("sqs.max_receive_count"),
                        &format!("a redrive policy's maxReceiveCount is 1 to 1,000, got {m}"),
                    ));
                }
            }
            if let Some(m) = q.maximum_concurrency {
                if !(2..=1_000).contains(&m) {
                    return Err(FieldError::new(
                        &field("sqs.maximum_concurrency"),
                        &format!(
                            "an SQS event source's maximum concurrency is 2 to 1,000, got {m}"
                        ),
                    ));
                }
            }
            range(
                "sqs.retention_s",
                q.retention_s,
                60.0,
                1_209_600.0,
                "a retention of 60 s to 1,209,600 s (14 days)",
            )?;
            if !(1..=MAX_QUEUE).contains(&q.queue_max) {
                return Err(FieldError::new(
                    &field("sqs.queue_max"),
                    &format!("expected 1 to {MAX_QUEUE} messages, got {}", q.queue_max),
                ));
            }
        }
        if self.errors_during.len() > 100 {
            return Err(FieldError::new(
                &field("errors_during"),
                &format!(
                    "expected at most 100 windows, got {}",
                    self.errors_during.len()
                ),
            ));
        }
        for (i, w) in self.errors_during.iter().enumerate() {
            range(
                &format!("errors_during[{i}].start_s"),
                w.start_s,
                0.0,
                MAX_DURATION_S,
                "a time >= 0 s",
            )?;
            if !(w.end_s.is_finite() && w.end_s > w.start_s) {
                return Err(FieldError::new(
                    &field(&format!("errors_during[{i}].end_s")),
                    &format!(
                        "expected an end after start_s ({} s), got {}",
                        w.start_s, w.end_s
                    ),
                ));
            }
            range(
                &format!("errors_during[{i}].rate"),
                w.rate,
                0.0,
                1.0,
                "a fraction 0 to 1",
            )?;
        }
        if let Some(d) = &self.downstream {
            if d.connections_max.is_none() && d.rate_limit_per_s.is_none() {
                return Err(FieldError::new(
                    &field("downstream"),
                    "expected connections_max, rate_limit_per_s or both",
                ));
            }
            if d.connections_max == Some(0) {
                return Err(FieldError::new(
                    &field("downstream.connections_max"),
                    "expected at least 1 connection, got 0",
                ));
            }
            if let Some(r) = d.rate_limit_per_s {
                if !(r.is_finite() && r > 0.0 && r <= 1_000_000.0) {
                    return Err(FieldError::new(
                        &field("downstream.rate_limit_per_s"),
                        &format!(
                            "expected a rate > 0 and at most 1,000,000 calls per second, got {r}"
                        ),
                    ));
                }
            }
            range(
                "downstream.slow_ms",
                d.slow_ms,
                0.0,
                900_000.0,
                "0 to 900,000 ms",
            )?;
        }
        if let Some(i) = &self.idempotency {
            if !(i.ttl_s.is_finite() && i.ttl_s > 0.0 && i.ttl_s <= MAX_DURATION_S) {
                return Err(FieldError::new(
                    &field("idempotency.ttl_s"),
                    &format!("expected a TTL > 0 s and at most 400 days, got {}", i.ttl_s),
                ));
            }
        }
        Ok(())
    }

    /// CPU-bound work is stretched by this factor below one vCPU (1,769 MB).
    pub fn cpu_stretch(&self) -> f64 {
        (1769.0 / f64::from(self.memory_mb)).max(1.0)
    }

    /// Mean Init time of a cold start, in ms (runtime preset + package + layers + init code).
    pub fn init_mean_ms(&self) -> f64 {
        self.runtime.init_ms(self.arch).mean() + self.static_init_ms() + self.init_ms.mean()
    }

    /// The part of Init that does not vary: package and layers.
    pub fn static_init_ms(&self) -> f64 {
        self.package_mb * self.init_ms_per_package_mb
            + f64::from(self.layers) * self.init_ms_per_layer
    }

    /// Mean handler time of one invocation, in ms, at this memory size.
    pub fn handler_mean_ms(&self) -> f64 {
        self.handler.cpu_ms.mean() * self.cpu_stretch() + self.handler.io_ms.mean()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
duration_s = 60
[[functions]]
name = "api"
[functions.workload]
kind = "constant"
rate_per_s = 2
"#;

    #[test]
    fn defaults_follow_aws() {
        let s = Scenario::from_toml(MINIMAL).expect("valid");
        assert_eq!(s.account.concurrency_limit, 1000);
        assert_eq!(s.account.scaling_envs, 1000);
        assert_eq!(s.functions[0].memory_mb, 128);
        assert_eq!(s.functions[0].timeout_s, 3.0);
        assert!(s.cost.bill_init);
    }

    #[test]
    fn queue_defaults_follow_aws() {
        // lambda-facts.md section 6: 2 retries, a maximum event age of 6 h.
        let a = AsyncConfig::default();
        assert_eq!((a.retry_attempts, a.max_event_age_s), (2, 21_600));
        assert_eq!(a.duplicate_rate, 0.0);
        // Section 7: batch size 10, no batching window; SQS's own defaults: visibility timeout
        // 30 s, retention 4 days.
        let q = SqsConfig::default();
        assert_eq!((q.batch_size, q.batching_window_s), (10, 0.0));
        assert_eq!((q.visibility_timeout_s, q.retention_s), (30.0, 345_600.0));
        assert!(!q.report_batch_item_failures && q.max_receive_count.is_none());
        let s = Scenario::from_toml(MINIMAL).expect("valid");
        assert_eq!(s.functions[0].invocation, InvocationType::Sync);
        assert_eq!(s.functions[0].client.timeout_ms, None);
        let text = MINIMAL.replace("name = \"api\"", "name = \"api\"\ninvocation = \"sqs\"\nasync = { dlq = \"sns\" }\nsqs = { max_receive_count = 5 }");
        let s = Scenario::from_toml(&text).expect("valid");
        assert_eq!(Scenario::from_toml(&s.to_toml()), Ok(s));
    }

    #[test]
    fn round_trips_through_toml() {
        let s = Scenario::from_toml(MINIMAL).expect("valid");
        let again = Scenario::from_toml(&s.to_toml()).expect("exported scenario reads back");
        assert_eq!(s, again);
    }

    fn invalid(extra_fn: &str, top: &str) -> String {
        let text = format!("duration_s = 60\n{top}\n[[functions]]\nname = \"api\"\n{extra_fn}\n[functions.workload]\nkind = \"constant\"\nrate_per_s = 2\n");
        Scenario::from_toml(&text)
            .expect_err("must be refused")
            .to_string()
    }

    #[test]
    fn refusals_name_the_field_and_the_rule() {
        assert!(invalid("memory_mb = 64", "")
            .contains("functions[0].memory_mb: expected 128 to 10,240 MB, got 64"));
        assert!(invalid("timeout_s = 901", "").contains("functions[0].timeout_s"));
        assert!(
            invalid("reserved_concurrency = 950", "").contains("at least 100 must stay unreserved")
        );
        assert!(
            invalid("reserved_concurrency = 5\nprovisioned_concurrency = 6", "")
                .contains("functions[0].provisioned_concurrency")
        );
        assert!(invalid("", "bucket_s = 0.001").contains("bucket_s"));
        assert!(invalid("error_rate = 2", "").contains("functions[0].error_rate"));
        assert!(invalid("layers = 6", "").contains("at most 5 layers"));
        let unknown = invalid("memory = 512", "");
        assert!(unknown.contains("unknown field `memory`"), "{unknown}");
        assert!(
            unknown.contains("line"),
            "parse errors carry the line: {unknown}"
        );
    }

    /// A wrong type names the line, the column, the field's path and what was expected, and
    /// shows the line; a TOML `nan` is refused naming its key (JSON, which the text is read
    /// through, would take it for an unset option).
    #[test]
    fn reading_errors_point_at_the_field_in_the_text() {
        let text = "duration_s = 60\n[[functions]]\nname = \"a\"\n[[functions]]\nname = \"b\"\n\
                    workload = { kind = \"constnt\", rate_per_s = 1 }\n";
        let e = Scenario::from_toml(text)
            .expect_err("a bad kind")
            .to_string();
        assert!(
            e.starts_with(
                "line 6, column 21: functions[1].workload.kind: unknown variant `constnt`"
            ),
            "{e}"
        );
        assert!(
            e.ends_with("6 | workload = { kind = \"constnt\", rate_per_s = 1 }"),
            "{e}"
        );
        let e = Scenario::from_toml("seed = \"x\"\n[[functions]]\nname = \"a\"\n")
            .expect_err("a string seed")
            .to_string();
        assert!(
            e.starts_with("line 1, column 8: seed: invalid type: string \"x\""),
            "{e}"
        );
        let e =
            Scenario::from_toml("bucket_s = nan\n[[functions]]\nname = \"a\"\n").expect_err("nan");
        assert_eq!(e.to_string(), "bucket_s: expected a finite number, got NaN");
        // Syntax errors are TOML's own, with the line.
        let e = Scenario::from_toml("[[functions]\n")
            .expect_err("syntax")
            .to_string();
        assert!(e.contains("line 1"), "{e}");
    }
}
