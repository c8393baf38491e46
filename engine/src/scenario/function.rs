//! One Lambda function's configuration: its code, memory, timeout, invocation settings and the
//! tables they are written in, with the defaults a file that leaves a field out gets.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::dist::Dist;
use super::iam::Iam;
use super::runtime::{Arch, Runtime};
use super::topology::{
    Alias, Cache, Deployment, InvocationType, RecursiveLoop, Trigger, Version, VersionRef,
};
use super::workload::Workload;

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

/// The function a file gets when it gives only a name: every field at its serde default (the
/// name itself is empty here, and a scenario refuses an empty one).
impl Default for Function {
    fn default() -> Self {
        Function {
            name: String::new(),
            runtime: Runtime::default(),
            arch: Arch::default(),
            memory_mb: default_memory_mb(),
            timeout_s: default_timeout_s(),
            package_mb: 0.0,
            layers: 0,
            init_ms_per_package_mb: default_init_ms_per_package_mb(),
            init_ms_per_layer: default_init_ms_per_layer(),
            init_ms: Dist::default(),
            handler: Handler::default(),
            error_rate: 0.0,
            idle_expiry_s: default_idle_expiry_s(),
            max_lifetime_s: None,
            routing: Routing::default(),
            reserved_concurrency: None,
            provisioned_concurrency: 0,
            provisioned_ready_s: default_provisioned_ready_s(),
            client: Client::default(),
            invocation: InvocationType::default(),
            async_config: None,
            sqs: None,
            errors_during: Vec::new(),
            downstream: None,
            idempotency: None,
            workload: Workload::default(),
            invoke: None,
            triggers: Vec::new(),
            recursive_loop: RecursiveLoop::default(),
            versions: Vec::new(),
            aliases: Vec::new(),
            deployment: None,
            environment: BTreeMap::new(),
            cache: None,
            iam: None,
        }
    }
}

/// Lambda's asynchronous invocation settings (docs/lambda-facts.md section 6).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AsyncConfig {
    /// Retries after a function error (an error or a timeout): 0 to 2, AWS's default 2. The
    /// first comes 60 s after the failure, the second 120 s after the next one.
    #[serde(default = "default_retry_attempts", alias = "maximum_retry_attempts")]
    pub retry_attempts: u32,
    /// An event older than this is not invoked again: 60 to 21,600 s (6 h, the default).
    #[serde(default = "default_max_event_age_s", alias = "maximum_event_age_s")]
    pub max_event_age_s: u32,
    /// A dead-letter queue for events that finally fail. When the function has an `iam` role,
    /// the role must allow sending to it (`sqs:SendMessage` on
    /// `arn:aws:sqs:us-east-1:123456789012:<function>-dlq`, or `sns:Publish` on the topic of
    /// that name): otherwise each send fails (AWS's DeadLetterErrors) and the event is lost.
    #[serde(default)]
    pub dlq: Option<DlqTarget>,
    /// An on-failure destination for events that finally fail. With an `iam` role, the role
    /// must allow the send ([`action`](crate::report::DestinationService::action) on
    /// [`arn`](crate::report::DestinationService::arn), as the report names them), or it fails
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

/// An SQS queue and the event source mapping that polls it (docs/lambda-facts.md section 7).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SqsConfig {
    /// Most messages per batch: 1 to 10,000 (default 10; above 10 needs a batching window).
    #[serde(default = "default_batch_size")]
    pub batch_size: u32,
    /// How long the poller gathers messages before invoking with a partial batch: 0 to 300 s.
    /// AWS's own name, `maximum_batching_window_s`, is accepted too.
    #[serde(default, alias = "maximum_batching_window_s")]
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

fn default_true() -> bool {
    true
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

impl Function {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_what_a_file_with_only_a_name_reads_as() {
        let read: Function =
            crate::from_value(serde_json::json!({ "name": "api" })).expect("a name is enough");
        let default = Function {
            name: "api".to_string(),
            ..Function::default()
        };
        assert_eq!(read, default);
        let table: Function = toml::from_str("name = \"api\"").expect("a name is enough");
        assert_eq!(table, default);
    }
}
