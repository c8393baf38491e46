//! The field reference: every field a scenario file can hold, with its type, unit, range,
//! default and meaning, as the app's Field reference page shows them. Tests below tie each row
//! to the schema (every key the types write is documented, every default is what serde gives,
//! every numeric range is the one `validate` enforces), so the reference cannot drift.

/// What a field is when a file leaves it out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldDefault {
    /// The file must give it (when its table is present).
    Required,
    /// Not set: the behaviour the meaning describes for an absent value applies.
    Unset,
    /// This value, written as JSON (`128`, `"sync"`, `true`).
    Value(&'static str),
}

impl FieldDefault {
    /// The default as a reader sees it: `128`, `sync`, `required`, `not set`.
    pub fn text(self) -> String {
        match self {
            FieldDefault::Required => "required".to_string(),
            FieldDefault::Unset => "not set".to_string(),
            FieldDefault::Value(json) => match serde_json::from_str::<serde_json::Value>(json) {
                Ok(serde_json::Value::String(s)) if s.is_empty() => "empty".to_string(),
                Ok(serde_json::Value::String(s)) => s,
                _ => json.to_string(),
            },
        }
    }
}

/// One field of the scenario schema, documented.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FieldDoc {
    /// Where it is, `[]` standing for any element of a list: `functions[].memory_mb`.
    pub path: &'static str,
    /// The workload kind the field belongs to (`burst`), or empty for every other field.
    pub when: &'static str,
    /// Its type as written in TOML: `whole number`, `number`, `true or false`, `text`,
    /// `distribution` (a number or a table with a `kind`), a list, or one of some names.
    pub ty: &'static str,
    /// Its unit (`MB`, `s`, `ms`, `fraction`, `per s`), or empty.
    pub unit: &'static str,
    /// The values the validator accepts, in words (empty when any value of the type is).
    pub range: &'static str,
    /// The smallest value accepted, when the range has a fixed inclusive lower end.
    pub min: Option<f64>,
    /// The largest value accepted, when the range has a fixed inclusive upper end.
    pub max: Option<f64>,
    /// What the field is when a file leaves it out.
    pub default: FieldDefault,
    /// What it means, in one sentence.
    pub meaning: &'static str,
    /// AWS's own name for it, where that differs.
    pub aws: &'static str,
}

impl FieldDoc {
    /// The table the field is written in, for grouping: `functions[].sqs`, or `scenario` for a
    /// top-level field; a workload field names its kind (`functions[].workload, kind = "burst"`).
    pub fn group(&self) -> String {
        let table = match self.path.rsplit_once('.') {
            Some((table, _)) => table,
            None => "scenario",
        };
        if self.when.is_empty() {
            table.to_string()
        } else {
            format!("{table}, kind = \"{}\"", self.when)
        }
    }

    /// The field's own name, the last part of its path.
    pub fn name(&self) -> &'static str {
        self.path.rsplit('.').next().unwrap_or(self.path)
    }
}

use FieldDefault::{Required, Unset, Value};

/// A row with no numeric bounds.
const fn f(
    path: &'static str,
    ty: &'static str,
    unit: &'static str,
    range: &'static str,
    default: FieldDefault,
    meaning: &'static str,
) -> FieldDoc {
    FieldDoc {
        path,
        when: "",
        ty,
        unit,
        range,
        min: None,
        max: None,
        default,
        meaning,
        aws: "",
    }
}

/// A row with fixed inclusive bounds (`f64::NAN` for an end that is not fixed).
#[allow(clippy::too_many_arguments)]
const fn r(
    path: &'static str,
    ty: &'static str,
    unit: &'static str,
    range: &'static str,
    min: f64,
    max: f64,
    default: FieldDefault,
    meaning: &'static str,
) -> FieldDoc {
    FieldDoc {
        path,
        when: "",
        ty,
        unit,
        range,
        min: if min.is_nan() { None } else { Some(min) },
        max: if max.is_nan() { None } else { Some(max) },
        default,
        meaning,
        aws: "",
    }
}

/// The same row with AWS's name for the field.
const fn aws(doc: FieldDoc, name: &'static str) -> FieldDoc {
    FieldDoc { aws: name, ..doc }
}

/// The same row, for one workload kind.
const fn kind(doc: FieldDoc, when: &'static str) -> FieldDoc {
    FieldDoc { when, ..doc }
}

const N: f64 = f64::NAN;
const WHOLE: &str = "whole number";
const NUM: &str = "number";
const BOOL: &str = "true or false";
const TEXT: &str = "text";
const DIST: &str = "distribution";
const RATE: &str = "0 to 100,000";
const ARRIVALS: &str = "Poisson arrivals (true) or evenly spaced (false).";

/// One kind of distribution a `distribution` field can be written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DistKind {
    /// The `kind` written in the table (`lognormal`); `number` for a bare number.
    pub kind: &'static str,
    /// How it is written, as a TOML value.
    pub example: &'static str,
    /// What it means and which values it accepts.
    pub meaning: &'static str,
}

/// Every way a `distribution` field can be written.
#[rustfmt::skip]
pub const DIST_KINDS: &[DistKind] = &[
    DistKind { kind: "number", example: "250", meaning: "Always this value (a constant); 0 or more." },
    DistKind { kind: "constant", example: "{ kind = \"constant\", value = 250 }", meaning: "The same as a bare number." },
    DistKind { kind: "uniform", example: "{ kind = \"uniform\", min = 20, max = 40 }", meaning: "Any value between min and max, equally likely; 0 <= min <= max." },
    DistKind { kind: "exponential", example: "{ kind = \"exponential\", mean = 1991 }", meaning: "Memoryless, with this mean (above 0)." },
    DistKind { kind: "lognormal", example: "{ kind = \"lognormal\", p50 = 140, p99 = 198 }", meaning: "Skewed to the right, given by its median and 99th percentile, as benchmarks publish them; 0 < p50 <= p99." },
    DistKind { kind: "empirical", example: "{ kind = \"empirical\", quantiles = [12, 15, 19, 30, 95] }", meaning: "Measured values (a log's durations) as quantiles at evenly spaced probabilities, from the minimum to the maximum (with 101 points, the i-th is the i-th percentile); a draw reads between them. 2 to 10,001 points, 0 or more, in non-decreasing order." },
];

/// Every field of a scenario file, table by table.
#[rustfmt::skip]
pub const FIELDS: &[FieldDoc] = &[
    // The scenario itself.
    f("name", TEXT, "", "", Value("\"\""), "A human name, shown in the lab and the command line."),
    f("seed", WHOLE, "", "0 to 9,223,372,036,854,775,807", Value("1"), "Seed of every random stream: the same seed gives the same run."),
    r("duration_s", NUM, "s", "above 0, at most 34,560,000 (400 days)", N, 34_560_000.0, Required, "How long the simulated run lasts."),
    f("bucket_s", NUM, "s", "above 0; at most 2,000 buckets in the run", Unset, "Width of one point of the time series; by default the run divided into 200."),
    r("max_events", WHOLE, "events", "at least 1", 1.0, N, Value("1000000000"), "Most events one run may process; reaching it stops the run with an error, never a hang."),
    r("record.lanes", WHOLE, "environments", "0 to 1,000", 0.0, 1_000.0, Value("40"), "Environments drawn as their own lane in the timeline; later ones are only counted."),
    r("record.segments", WHOLE, "segments", "0 to 1,000,000", 0.0, 1_000_000.0, Value("20000"), "Most lane segments kept over all lanes."),
    r("record.events", WHOLE, "events", "0 to 1,000,000", 0.0, 1_000_000.0, Value("5000"), "Most individual events kept for stepping through."),
    aws(r("account.concurrency_limit", WHOLE, "executions", "100 to 1,000,000", 100.0, 1_000_000.0, Value("1000"), "Concurrent executions the account allows in the Region, shared by its functions."), "Concurrent executions quota"),
    r("account.scaling_envs", WHOLE, "environments", "at least 1", 1.0, N, Value("1000"), "New execution environments each function may add per scaling window."),
    r("account.scaling_window_s", NUM, "s", "0.001 to 3,600", 0.001, 3_600.0, Value("10.0"), "The window the scaling allowance refills over, continuously."),
    f("cost.bill_init", BOOL, "", "", Value("true"), "Bill the Init phase of on-demand environments (AWS does since 1 August 2025)."),
    f("cost.free_tier", BOOL, "", "", Value("false"), "Subtract the monthly free tier, prorated to the simulated span."),
    // A function.
    f("functions[].name", TEXT, "", "not empty, unique in the scenario", Required, "The function's name."),
    f("functions[].runtime", "one of nodejs22.x, nodejs24.x, python3.12, python3.13, python3.14, java21, java25, dotnet8, ruby3.4, go, rust, custom", "", "", Value("\"nodejs22.x\""), "Runtime preset: sets the runtime's own Init time (custom adds none)."),
    f("functions[].arch", "x86_64 or arm64", "", "", Value("\"x86_64\""), "Instruction-set architecture; arm64 is priced about 20% lower."),
    aws(r("functions[].memory_mb", WHOLE, "MB", "128 to 10,240", 128.0, 10_240.0, Value("128"), "Memory; it sets the CPU share (1,769 MB is one full vCPU)."), "MemorySize"),
    aws(r("functions[].timeout_s", NUM, "s", "0.001 to 900", 0.001, 900.0, Value("3.0"), "An invocation still running after this long is stopped and fails."), "Timeout"),
    r("functions[].package_mb", NUM, "MB", "0 to 10,240", 0.0, 10_240.0, Value("0.0"), "Deployment package size; each MB adds init_ms_per_package_mb to Init."),
    r("functions[].layers", WHOLE, "layers", "0 to 5", 0.0, 5.0, Value("0"), "Layers attached; each adds init_ms_per_layer to Init."),
    r("functions[].init_ms_per_package_mb", NUM, "ms per MB", "0 or more", 0.0, N, Value("10.0"), "Init time per MB of package (download, unpack, imports)."),
    r("functions[].init_ms_per_layer", NUM, "ms per layer", "0 or more", 0.0, N, Value("20.0"), "Init time per layer."),
    f("functions[].init_ms", DIST, "ms", "0 or more", Value("0.0"), "The function's own init code (SDK clients, configuration), run once per environment."),
    f("functions[].handler.cpu_ms", DIST, "ms", "0 or more", Value("0.0"), "CPU time of one invocation at one full vCPU (1,769 MB); stretched below that. When it and io_ms are both empirical, one draw reads both, so a slow invocation is slow in both parts."),
    f("functions[].handler.io_ms", DIST, "ms", "0 or more", Value("0.0"), "Time one invocation waits on I/O (network, database); memory does not change it."),
    r("functions[].error_rate", NUM, "fraction", "0 to 1", 0.0, 1.0, Value("0.0"), "Share of invocations whose handler fails."),
    f("functions[].idle_expiry_s", DIST, "s", "0 or more", Value("600.0"), "How long an idle environment is kept before it is reaped (about 10 min on AWS)."),
    r("functions[].max_lifetime_s", NUM, "s", "at least 1", 1.0, N, Unset, "Recycle an environment this long after it was created; by default never."),
    f("functions[].routing", "newest_first, most_recently_used or random", "", "", Value("\"newest_first\""), "Which idle environment a warm request goes to."),
    aws(f("functions[].reserved_concurrency", WHOLE, "executions", "at most the account limit minus 100, over all functions", Unset, "Concurrency guaranteed to this function, and its cap; by default it shares the unreserved pool."), "ReservedConcurrentExecutions"),
    aws(f("functions[].provisioned_concurrency", WHOLE, "environments", "at most the reserved concurrency", Value("0"), "Environments initialised ahead of traffic, never cold."), "ProvisionedConcurrentExecutions"),
    r("functions[].provisioned_ready_s", NUM, "s", "0 or more", 0.0, N, Value("90.0"), "Seconds after the start before the provisioned environments are ready."),
    r("functions[].client.retries", WHOLE, "retries", "0 to 20", 0.0, 20.0, Value("0"), "Retries a synchronous caller makes after the first attempt (Lambda itself never retries a synchronous call)."),
    r("functions[].client.backoff_base_ms", NUM, "ms", "0 to 3,600,000", 0.0, 3_600_000.0, Value("100.0"), "Backoff before the first retry; it doubles on each further retry."),
    r("functions[].client.backoff_cap_ms", NUM, "ms", "0 to 3,600,000", 0.0, 3_600_000.0, Value("20000.0"), "Longest backoff."),
    f("functions[].client.jitter", BOOL, "", "", Value("true"), "Randomise the backoff (full jitter: uniform between 0 and the backoff)."),
    f("functions[].client.retry_errors", BOOL, "", "", Value("true"), "Retry on a function error as well as on a throttle."),
    r("functions[].client.timeout_ms", NUM, "ms", "above 0, at most 3,600,000", N, 3_600_000.0, Unset, "The caller gives up after this long and retries while the abandoned invocation runs on, billed; by default it waits."),
    aws(f("functions[].invocation", "sync, async or sqs", "", "", Value("\"sync\""), "How requests reach the function: the caller waits, Lambda's event queue, or an SQS queue polled in batches."), "InvocationType"),
    aws(r("functions[].async.retry_attempts", WHOLE, "retries", "0 to 2", 0.0, 2.0, Value("2"), "Retries of an event after a function error or timeout; the first comes 60 s after the failure."), "MaximumRetryAttempts (maximum_retry_attempts is accepted)"),
    aws(r("functions[].async.max_event_age_s", WHOLE, "s", "60 to 21,600 (6 h)", 60.0, 21_600.0, Value("21600"), "An event older than this is not invoked again."), "MaximumEventAgeInSeconds (maximum_event_age_s is accepted)"),
    aws(f("functions[].async.dlq", "sqs or sns", "", "", Unset, "A dead-letter queue for events that finally fail; by default they are dropped."), "DeadLetterConfig"),
    aws(f("functions[].async.on_failure", "sqs, sns, lambda or eventbridge", "", "", Unset, "An on-failure destination for events that finally fail."), "DestinationConfig.OnFailure"),
    aws(f("functions[].async.on_success", "sqs, sns, lambda or eventbridge", "", "", Unset, "An on-success destination each successful event's record is sent to."), "DestinationConfig.OnSuccess"),
    r("functions[].async.duplicate_rate", NUM, "fraction", "0 to 1", 0.0, 1.0, Value("0.0"), "Share of events delivered a second time (delivery is at least once)."),
    r("functions[].async.system_error_rate", NUM, "fraction", "0 to 1", 0.0, 1.0, Value("0.0"), "Share of attempts that fail inside Lambda before the function runs; the event backs off and uses no retry."),
    r("functions[].async.queue_max", WHOLE, "events", "1 to 10,000,000", 1.0, 10_000_000.0, Value("1000000"), "Most events held in the queue (an engine bound: reaching it stops the run with an error)."),
    aws(r("functions[].sqs.batch_size", WHOLE, "messages", "1 to 10,000 (above 10 needs a batching window of 1 s or more)", 1.0, 10_000.0, Value("10"), "Most messages per batch."), "BatchSize"),
    aws(r("functions[].sqs.batching_window_s", NUM, "s", "0 to 300", 0.0, 300.0, Value("0.0"), "How long the poller gathers messages before invoking with a partial batch."), "MaximumBatchingWindowInSeconds (maximum_batching_window_s is accepted)"),
    aws(f("functions[].sqs.visibility_timeout_s", NUM, "s", "the function's timeout to 43,200 (12 h); 6 x the timeout plus the batching window is advised", Value("30.0"), "How long a received message stays invisible; a batch still running when it ends is received again."), "VisibilityTimeout"),
    aws(r("functions[].sqs.max_receive_count", WHOLE, "receives", "1 to 1,000", 1.0, 1_000.0, Unset, "With a redrive policy, a message received this many times goes to the dead-letter queue; by default it is retried until its retention ends."), "maxReceiveCount"),
    aws(f("functions[].sqs.report_batch_item_failures", BOOL, "", "", Value("false"), "Partial batch responses: only the failed messages return to the queue, not the whole batch."), "ReportBatchItemFailures"),
    aws(r("functions[].sqs.maximum_concurrency", WHOLE, "batches", "2 to 1,000", 2.0, 1_000.0, Unset, "Most batches the event source mapping runs at once; by default only concurrency limits them."), "ScalingConfig.MaximumConcurrency"),
    aws(r("functions[].sqs.retention_s", NUM, "s", "60 to 1,209,600 (14 days)", 60.0, 1_209_600.0, Value("345600.0"), "How long SQS keeps a message (default 4 days); older ones are deleted."), "MessageRetentionPeriod"),
    r("functions[].sqs.queue_max", WHOLE, "messages", "1 to 10,000,000", 1.0, 10_000_000.0, Value("1000000"), "Most messages held in the queue (an engine bound: reaching it stops the run with an error)."),
    f("functions[].errors_during[].start_s", NUM, "s", "0 or more", Required, "Start of a window in which invocations fail at a higher rate."),
    f("functions[].errors_during[].end_s", NUM, "s", "after start_s", Required, "End of the window (excluded)."),
    f("functions[].errors_during[].rate", NUM, "fraction", "0 to 1", Required, "Share of invocations starting in the window that fail."),
    r("functions[].downstream.connections_max", WHOLE, "connections", "at least 1", 1.0, N, Unset, "Most connections open at once to the dependency; each running invocation holds one."),
    r("functions[].downstream.rate_limit_per_s", NUM, "per s", "above 0, at most 1,000,000", N, 1_000_000.0, Unset, "Most calls per second to the dependency (a token bucket holding one second of calls)."),
    f("functions[].downstream.on_limit", "reject or slow", "", "", Value("\"reject\""), "What a call beyond a limit does: fail at once, or succeed slow_ms later."),
    r("functions[].downstream.slow_ms", NUM, "ms", "0 to 900,000", 0.0, 900_000.0, Value("1000.0"), "Extra time a call beyond a limit takes when on_limit = \"slow\"."),
    f("functions[].idempotency.enabled", BOOL, "", "", Value("true"), "Use an idempotency-key store: a request id's side effect applies at most once per TTL."),
    f("functions[].idempotency.ttl_s", NUM, "s", "above 0, at most 400 days", Value("3600.0"), "How long a request id is remembered after its effect was applied."),
    f("functions[].workload.kind", "none, constant, poisson, steps, burst, ramp, sine, replay or per_minute", "", "", Value("\"none\""), "The shape of the function's own traffic; none when only other functions invoke it."),
    kind(r("functions[].workload.rate_per_s", NUM, "per s", RATE, 0.0, 100_000.0, Required, "Requests per second, evenly spaced."), "constant"),
    kind(r("functions[].workload.rate_per_s", NUM, "per s", RATE, 0.0, 100_000.0, Required, "Mean requests per second, arriving independently."), "poisson"),
    kind(f("functions[].workload.steps[].at_s", NUM, "s", "0 or more, in time order", Required, "When this step's rate starts; the first should start at 0."), "steps"),
    kind(r("functions[].workload.steps[].rate_per_s", NUM, "per s", RATE, 0.0, 100_000.0, Required, "Requests per second from then on."), "steps"),
    kind(f("functions[].workload.poisson", BOOL, "", "", Value("true"), ARRIVALS), "steps"),
    kind(r("functions[].workload.base_per_s", NUM, "per s", RATE, 0.0, 100_000.0, Required, "Rate outside the burst."), "burst"),
    kind(r("functions[].workload.burst_per_s", NUM, "per s", RATE, 0.0, 100_000.0, Required, "Rate during the burst."), "burst"),
    kind(f("functions[].workload.start_s", NUM, "s", "0 or more", Required, "When the burst starts."), "burst"),
    kind(f("functions[].workload.length_s", NUM, "s", "0 or more", Required, "How long the burst lasts."), "burst"),
    kind(f("functions[].workload.poisson", BOOL, "", "", Value("true"), ARRIVALS), "burst"),
    kind(r("functions[].workload.from_per_s", NUM, "per s", RATE, 0.0, 100_000.0, Required, "Rate at start_s and before."), "ramp"),
    kind(r("functions[].workload.to_per_s", NUM, "per s", RATE, 0.0, 100_000.0, Required, "Rate at start_s + length_s and after."), "ramp"),
    kind(f("functions[].workload.start_s", NUM, "s", "0 or more", Value("0.0"), "When the ramp starts."), "ramp"),
    kind(f("functions[].workload.length_s", NUM, "s", "0 or more", Required, "How long the ramp takes."), "ramp"),
    kind(f("functions[].workload.poisson", BOOL, "", "", Value("true"), ARRIVALS), "ramp"),
    kind(r("functions[].workload.mean_per_s", NUM, "per s", RATE, 0.0, 100_000.0, Required, "Mean rate of a daily cycle."), "sine"),
    kind(f("functions[].workload.amplitude_per_s", NUM, "per s", "0 to mean_per_s", Required, "Swing above and below the mean."), "sine"),
    kind(f("functions[].workload.period_s", NUM, "s", "at least 1", Value("86400.0"), "Length of one cycle (a day by default)."), "sine"),
    kind(f("functions[].workload.peak_s", NUM, "s", "0 or more", Value("0.0"), "Time of the peak, from the start."), "sine"),
    kind(f("functions[].workload.poisson", BOOL, "", "", Value("true"), ARRIVALS), "sine"),
    kind(f("functions[].workload.arrivals_s", "list of numbers", "s", "0 or more, not decreasing; at most 1,000,000", Required, "Your own traffic: the arrival time of each request."), "replay"),
    kind(f("functions[].workload.counts", "list of whole numbers", "per minute", "at most 6,000,000 each; at most 1,000,000 minutes", Required, "Your own traffic as requests in each minute (a CloudWatch Invocations export)."), "per_minute"),
    kind(f("functions[].workload.poisson", BOOL, "", "", Value("false"), "Poisson arrivals within each minute (true) or evenly spaced (false)."), "per_minute"),
    f("functions[].invoke", TEXT, "", "the name of one of the function's aliases", Unset, "The alias the workload invokes; by default $LATEST."),
    f("functions[].triggers[].target", TEXT, "", "the name of a function in the scenario", Required, "The function each successful invocation sends requests to."),
    f("functions[].triggers[].via", "call, event, bucket or queue", "", "what the target's invocation allows", Unset, "How the request travels; by default what the target's invocation implies."),
    r("functions[].triggers[].per_invocation", NUM, "requests", "0 to 100 (exactly 1 for a call)", 0.0, 100.0, Value("1.0"), "Requests sent per successful invocation; a fraction is a probability."),
    aws(f("functions[].recursive_loop", "terminate or allow", "", "", Value("\"terminate\""), "What Lambda does when a chain of requests invokes the function more than 16 times."), "RecursiveLoop"),
    f("functions[].versions[].version", WHOLE, "", "at least 1, unique", Required, "The published version's number."),
    f("functions[].versions[].description", TEXT, "", "", Value("\"\""), "What the version changed, for people."),
    f("functions[].versions[].set", "table", "", "fields of the function, by path", Value("{}"), "The fields that differ from $LATEST: { error_rate = 0.1, \"handler.cpu_ms\" = 200 }."),
    f("functions[].aliases[].name", TEXT, "", "1 to 64 letters, digits, - or _; not a version", Required, "The alias's name (PROD, DEV)."),
    f("functions[].aliases[].version", "whole number or \"$LATEST\"", "", "a published version", Required, "The version the alias points to."),
    f("functions[].aliases[].additional_version", WHOLE, "", "a published version, not the alias's own", Unset, "A second version that receives additional_weight of the traffic."),
    aws(r("functions[].aliases[].additional_weight", NUM, "fraction", "0 to 1", 0.0, 1.0, Value("0.0"), "The second version's share of the traffic."), "AdditionalVersionWeights"),
    f("functions[].aliases[].provisioned_concurrency", WHOLE, "environments", "not on $LATEST", Value("0"), "Provisioned environments of the version the alias points to."),
    f("functions[].deployment.alias", TEXT, "", "one of the function's aliases", Required, "The alias a CodeDeploy deployment shifts."),
    f("functions[].deployment.to_version", WHOLE, "", "a published version", Required, "The version it moves to."),
    aws(f("functions[].deployment.preset", TEXT, "", "a CodeDeploy configuration name", Required, "How the traffic shifts, e.g. LambdaCanary10Percent5Minutes."), "DeploymentConfigName"),
    f("functions[].deployment.start_s", NUM, "s", "0 or more", Value("0.0"), "When the deployment starts."),
    f("functions[].deployment.alarms", "list of text", "", "names of alarms in the scenario", Value("[]"), "Alarms that roll the deployment back when they fire."),
    aws(f("functions[].environment", "table of text", "", "at most 64 variables", Value("{}"), "Environment variables of $LATEST."), "Environment.Variables"),
    f("functions[].cache.scope", "environment or shared", "", "", Required, "Where cached values live: each environment's memory, or a cache every environment shares."),
    r("functions[].cache.keys", WHOLE, "keys", "1 to 1,000,000", 1.0, 1_000_000.0, Required, "Distinct keys requests ask for, each equally often."),
    f("functions[].cache.ttl_s", NUM, "s", "above 0", Required, "How long a cached value is used."),
    r("functions[].cache.hit_ms", NUM, "ms", "0 to 10,000", 0.0, 10_000.0, Unset, "Time of a hit; by default 0.05 in memory, 1 for a shared cache."),
    aws(f("functions[].iam.policy.statements[].effect", "Allow or Deny", "", "", Required, "Whether the statement allows or denies what it matches."), "Effect"),
    aws(f("functions[].iam.policy.statements[].action", "text or list of text", "", "patterns such as s3:GetObject, s3:Get* or *", Required, "The actions the statement covers."), "Action"),
    aws(f("functions[].iam.policy.statements[].resource", "text or list of text", "", "ARN patterns such as arn:aws:s3:::orders/*", Required, "The resources the statement covers."), "Resource"),
    f("functions[].iam.attempts[].action", TEXT, "", "", Required, "An action the function's code tries on each invocation, e.g. s3:GetObject."),
    f("functions[].iam.attempts[].resource", TEXT, "", "", Required, "The resource ARN it tries it on."),
    f("functions[].iam.attempts[].rate", NUM, "fraction", "0 to 1", Value("1.0"), "Share of invocations that try it."),
    f("functions[].iam.attempts[].harmful", BOOL, "", "", Value("false"), "A bug's action (its success is damage) rather than one the function needs."),
    // Alarms and tracing.
    f("alarms[].name", TEXT, "", "1 to 64 letters, digits, - or _; unique", Required, "The alarm's name."),
    f("alarms[].function", TEXT, "", "fn, fn:2 or fn:ALIAS", Required, "What it watches: every version, one version, or an alias's versions."),
    aws(f("alarms[].metric", "a CloudWatch metric name, e.g. Errors, Throttles, Duration, ErrorRate", "", "", Required, "The metric watched."), "MetricName"),
    aws(f("alarms[].statistic", "Sum, Average, Maximum, p50, p90, p95 or p99", "", "percentiles for Duration only", Unset, "How a period's values combine; by default Sum for counts, Maximum for levels and ages, Average for Duration and ErrorRate."), "Statistic"),
    aws(f("alarms[].threshold", NUM, "the metric's unit", "", Required, "The value compared with each period's statistic."), "Threshold"),
    aws(f("alarms[].comparison", "GreaterThanOrEqualToThreshold, GreaterThanThreshold, LessThanThreshold or LessThanOrEqualToThreshold", "", "", Value("\"GreaterThanOrEqualToThreshold\""), "How the value is compared with the threshold."), "ComparisonOperator"),
    aws(f("alarms[].period_s", NUM, "s", "60 or a multiple of it, at most the run", Value("60.0"), "Length of one period (Lambda publishes its metrics once a minute)."), "Period"),
    aws(r("alarms[].evaluation_periods", WHOLE, "periods", "1 to 100", 1.0, 100.0, Value("1"), "Periods looked at for each evaluation."), "EvaluationPeriods"),
    aws(f("alarms[].datapoints_to_alarm", WHOLE, "periods", "1 to evaluation_periods", Unset, "Breaching periods among them that set the alarm off; by default all of them."), "DatapointsToAlarm"),
    aws(r("tracing.reservoir_per_s", WHOLE, "per s", "0 to 1,000", 0.0, 1_000.0, Value("1"), "Requests traced each second before the rate applies."), "reservoir (X-Ray sampling rule)"),
    aws(r("tracing.rate", NUM, "fraction", "0 to 1", 0.0, 1.0, Value("0.05"), "Share of the other requests traced."), "fixed rate (X-Ray sampling rule)"),
    r("tracing.max_traces", WHOLE, "traces", "1 to 500", 1.0, 500.0, Value("50"), "Most traces kept for display."),
];

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde_json::{json, Value as J};

    use super::*;
    use crate::scenario::Scenario;

    #[test]
    fn every_distribution_kind_is_documented_and_its_example_reads() {
        use crate::scenario::Dist;
        for k in DIST_KINDS {
            let text = format!("name = \"f\"\ninit_ms = {}", k.example);
            let f: crate::scenario::Function =
                toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", k.example));
            f.init_ms.validate("init_ms").expect("the example is valid");
            let written = serde_json::to_value(&f.init_ms).expect("writes");
            let kind = written["kind"].as_str().unwrap_or("");
            assert!(
                k.kind == kind || (k.kind == "number" && kind == "constant"),
                "{}",
                k.kind
            );
        }
        // Every kind the schema writes has a row: a new kind cannot go undocumented.
        for d in [
            Dist::constant(1.0),
            Dist::Uniform { min: 0.0, max: 1.0 },
            Dist::Exponential { mean: 1.0 },
            Dist::Lognormal { p50: 1.0, p99: 2.0 },
            Dist::Empirical {
                quantiles: vec![0.0, 1.0],
            },
        ] {
            let kind = serde_json::to_value(&d).expect("writes")["kind"].clone();
            assert!(
                DIST_KINDS.iter().any(|k| kind == k.kind),
                "{kind} undocumented"
            );
        }
    }

    const KINDS: &[&str] = &[
        "none",
        "constant",
        "poisson",
        "steps",
        "burst",
        "ramp",
        "sine",
        "replay",
        "per_minute",
    ];

    /// A workload of each kind, with only its required fields (`full`: every field).
    fn workload(kind: &str, full: bool) -> J {
        let mut w = match kind {
            "none" => json!({}),
            "constant" | "poisson" => json!({ "rate_per_s": 1 }),
            "steps" => json!({ "steps": [{ "at_s": 0, "rate_per_s": 1 }] }),
            "burst" => json!({ "base_per_s": 1, "burst_per_s": 2, "start_s": 1, "length_s": 1 }),
            "ramp" => json!({ "from_per_s": 1, "to_per_s": 2, "length_s": 1 }),
            "sine" => json!({ "mean_per_s": 2, "amplitude_per_s": 1 }),
            "replay" => json!({ "arrivals_s": [0.5] }),
            _ => json!({ "counts": [3] }),
        };
        w["kind"] = json!(kind);
        if full {
            match kind {
                "ramp" => w["start_s"] = json!(1),
                "sine" => {
                    w["period_s"] = json!(60);
                    w["peak_s"] = json!(1);
                }
                _ => {}
            }
        }
        w
    }

    /// A scenario file as JSON: one function per workload kind, the first with every table.
    /// With `full`, every optional field is given too (so each key the schema writes appears);
    /// without, only what is required (so what serde fills in is each field's default).
    fn document(full: bool) -> J {
        let mut first = json!({
            "name": "f0",
            "async": {},
            "sqs": {},
            "errors_during": [{ "start_s": 0, "end_s": 1, "rate": 0.5 }],
            "downstream": {},
            "idempotency": {},
            "triggers": [{ "target": "f1" }],
            "versions": [{ "version": 1 }],
            "aliases": [{ "name": "PROD", "version": 1 }],
            "deployment": { "alias": "PROD", "to_version": 1, "preset": "AllAtOnce" },
            "cache": { "scope": "shared", "keys": 10, "ttl_s": 60 },
            "iam": {
                "policy": { "statements": [{ "effect": "Allow", "action": "s3:*", "resource": "*" }] },
                "attempts": [{ "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k" }],
            },
        });
        let mut top = json!({
            "duration_s": 60,
            "alarms": [{ "name": "a", "function": "f0", "metric": "Errors", "threshold": 1 }],
            "tracing": {},
        });
        if full {
            for (key, x) in [
                ("max_lifetime_s", json!(3600)),
                ("reserved_concurrency", json!(10)),
                ("client", json!({ "timeout_ms": 1000 })),
                ("invoke", json!("PROD")),
                ("environment", json!({ "A": "1" })),
                (
                    "async",
                    json!({ "dlq": "sqs", "on_failure": "sns", "on_success": "lambda" }),
                ),
                (
                    "sqs",
                    json!({ "max_receive_count": 5, "maximum_concurrency": 5 }),
                ),
                (
                    "downstream",
                    json!({ "connections_max": 5, "rate_limit_per_s": 10 }),
                ),
            ] {
                first[key] = x;
            }
            first["triggers"][0]["via"] = json!("event");
            first["versions"][0]["description"] = json!("v1");
            first["versions"][0]["set"] = json!({ "error_rate": 0.1 });
            first["aliases"][0]["additional_version"] = json!(2);
            first["cache"]["hit_ms"] = json!(2);
            first["deployment"]["alarms"] = json!(["a"]);
            top["bucket_s"] = json!(1);
            top["alarms"][0]["statistic"] = json!("Sum");
            top["alarms"][0]["datapoints_to_alarm"] = json!(1);
        }
        let mut functions = vec![];
        for (i, kind) in KINDS.iter().enumerate() {
            let mut func = if i == 0 {
                first.clone()
            } else {
                json!({ "name": format!("f{i}") })
            };
            // The first function leaves its workload out (unless every field is wanted), so the
            // kind's default is read.
            if full || i > 0 {
                func["workload"] = workload(kind, full);
            }
            functions.push(func);
        }
        top["functions"] = J::Array(functions);
        top
    }

    /// The document read as a scenario and written back: what the schema itself produces.
    fn through_schema(doc: J) -> J {
        let s: Scenario = crate::from_value(doc).expect("the document reads as a scenario");
        serde_json::to_value(&s).expect("a scenario writes as JSON")
    }

    fn is_leaf_table(path: &str) -> bool {
        FIELDS
            .iter()
            .any(|d| d.path == path && (d.ty == DIST || d.ty.starts_with("table")))
    }

    /// Every leaf of `v` as (path, workload kind), `[]` for list elements.
    fn leaves(v: &J, path: &str, when: &str, out: &mut BTreeSet<(String, String)>) {
        let when = if path == "functions[].workload" {
            v["kind"].as_str().unwrap_or("").to_string()
        } else {
            when.to_string()
        };
        let key = |p: &str| -> (String, String) {
            let w = if p == "functions[].workload.kind" {
                ""
            } else {
                when.as_str()
            };
            (p.to_string(), w.to_string())
        };
        match v {
            J::Object(m) if !is_leaf_table(path) => {
                for (k, x) in m {
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    leaves(x, &p, &when, out);
                }
            }
            J::Array(items) if items.iter().any(J::is_object) => {
                for x in items {
                    leaves(x, &format!("{path}[]"), &when, out);
                }
            }
            // An option left unset is written as null, an empty list as []: not keys of their own.
            J::Null => {}
            J::Array(items) if items.is_empty() => {}
            _ => {
                out.insert(key(path));
            }
        }
    }

    /// The values at `path` in `v` (every element of each list), with the workload kind they
    /// were found under.
    fn values_at<'a>(v: &'a J, path: &str, when: &str) -> Vec<&'a J> {
        let mut at = vec![v];
        let mut walked = String::new();
        for part in path.split('.') {
            let (key, list) = match part.strip_suffix("[]") {
                Some(k) => (k, true),
                None => (part, false),
            };
            if walked == "functions[]" && key == "workload" && !when.is_empty() {
                at.retain(|x| x["workload"]["kind"] == when);
            }
            let mut next = vec![];
            for x in at {
                match (x.get(key), list) {
                    (Some(J::Array(items)), true) => next.extend(items.iter()),
                    (Some(y), false) => next.push(y),
                    _ => {}
                }
            }
            at = next;
            walked = if walked.is_empty() {
                part.to_string()
            } else {
                format!("{walked}.{part}")
            };
        }
        at
    }

    #[test]
    fn every_key_the_schema_writes_is_documented_and_every_documented_key_exists() {
        let mut written = BTreeSet::new();
        leaves(&through_schema(document(true)), "", "", &mut written);
        let documented: BTreeSet<(String, String)> = FIELDS
            .iter()
            .map(|d| (d.path.to_string(), d.when.to_string()))
            .collect();
        assert_eq!(
            documented.len(),
            FIELDS.len(),
            "a field is documented twice"
        );
        let missing: Vec<_> = written.difference(&documented).collect();
        assert!(
            missing.is_empty(),
            "written but not documented: {missing:?}"
        );
        let stale: Vec<_> = documented.difference(&written).collect();
        assert!(
            stale.is_empty(),
            "documented but not in the schema: {stale:?}"
        );
    }

    /// A distribution is written as a table; its documented default is the bare number.
    fn normalise(v: &J) -> J {
        match v {
            J::Object(m) if m.get("kind") == Some(&json!("constant")) => m["value"].clone(),
            _ => v.clone(),
        }
    }

    fn same(a: &J, b: &J) -> bool {
        match (a.as_f64(), b.as_f64()) {
            (Some(x), Some(y)) => x == y,
            _ => a == b,
        }
    }

    #[test]
    fn every_documented_default_is_what_the_schema_gives() {
        let minimal = document(false);
        let read = through_schema(minimal.clone());
        for d in FIELDS {
            let mut found = values_at(&read, d.path, d.when);
            if d.path == "functions[].workload.kind" {
                found.truncate(1); // the others give a kind
            }
            match d.default {
                FieldDefault::Value(text) => {
                    let want: J = serde_json::from_str(text)
                        .unwrap_or_else(|e| panic!("{}: default {text} is not JSON: {e}", d.path));
                    // An empty text, list or table is left out when written.
                    let empty = want == json!("") || want == json!([]) || want == json!({});
                    assert!(
                        empty || !found.is_empty(),
                        "{} ({}): no value in the document",
                        d.path,
                        d.when
                    );
                    for v in found {
                        assert!(
                            same(&normalise(v), &want),
                            "{} ({}): documented {text}, the schema gives {v}",
                            d.path,
                            d.when
                        );
                    }
                }
                FieldDefault::Unset => {
                    assert!(
                        found.iter().all(|v| v.is_null()),
                        "{}: documented as not set, the schema gives {found:?}",
                        d.path
                    );
                }
                FieldDefault::Required => {
                    // Leaving it out of the file must be refused.
                    let mut without = minimal.clone();
                    remove(&mut without, d.path, d.when);
                    assert_ne!(without, minimal, "{}: not in the minimal document", d.path);
                    let e = crate::from_value::<Scenario>(without)
                        .expect_err(&format!("{} is documented as required", d.path));
                    assert!(e.contains(d.name()), "{}: {e}", d.path);
                }
            }
        }
    }

    /// Removes the field at `path` everywhere in `v`.
    fn remove(v: &mut J, path: &str, when: &str) {
        let (parents, last) = path.rsplit_once('.').unwrap_or(("", path));
        let mut at: Vec<&mut J> = vec![v];
        let mut walked = String::new();
        for part in parents.split('.').filter(|p| !p.is_empty()) {
            let (key, list) = match part.strip_suffix("[]") {
                Some(k) => (k, true),
                None => (part, false),
            };
            if walked == "functions[]" && key == "workload" && !when.is_empty() {
                at.retain(|x| x["workload"]["kind"] == when);
            }
            let mut next = vec![];
            for x in at {
                match (x.get_mut(key), list) {
                    (Some(J::Array(items)), true) => next.extend(items.iter_mut()),
                    (Some(y), false) => next.push(y),
                    _ => {}
                }
            }
            at = next;
            walked = if walked.is_empty() {
                part.to_string()
            } else {
                format!("{walked}.{part}")
            };
        }
        for x in at {
            if let Some(m) = x.as_object_mut() {
                m.remove(last);
            }
        }
    }

    /// A TOML scenario with `key = value` set (a dotted key inside its table), valid otherwise.
    fn scenario_with(path: &str, value: &str) -> String {
        let mut top = vec![("duration_s", "60".to_string())];
        let mut func = vec![
            ("name", "\"api\"".to_string()),
            (
                "workload",
                "{ kind = \"constant\", rate_per_s = 2 }".to_string(),
            ),
        ];
        match path.strip_prefix("functions[].") {
            Some(rest) => {
                if rest.starts_with("sqs.") {
                    func.push(("invocation", "\"sqs\"".to_string()));
                    if rest != "sqs.batching_window_s" {
                        func.push(("sqs.batching_window_s", "1".to_string()));
                    }
                }
                if rest.starts_with("async.") {
                    func.push(("invocation", "\"async\"".to_string()));
                }
                if rest.starts_with("downstream.") && rest != "downstream.connections_max" {
                    func.push(("downstream.connections_max", "1".to_string()));
                }
                if rest.starts_with("cache.") {
                    for (k, v) in [
                        ("cache.scope", "\"shared\""),
                        ("cache.keys", "10"),
                        ("cache.ttl_s", "60"),
                    ] {
                        if k != rest {
                            func.push((k, v.to_string()));
                        }
                    }
                }
                func.retain(|(k, _)| *k != rest);
                func.push((rest, value.to_string()));
            }
            None => {
                top.retain(|(k, _)| *k != path);
                top.push((path, value.to_string()));
            }
        }
        let mut text = String::new();
        for (k, v) in top {
            text.push_str(&format!("{k} = {v}\n"));
        }
        text.push_str("[[functions]]\n");
        for (k, v) in func {
            text.push_str(&format!("{k} = {v}\n"));
        }
        text
    }

    /// `1234567.5` as the reference writes it: `1,234,567.5`.
    fn grouped(x: f64) -> String {
        let text = format!("{x}");
        let (int, frac) = text
            .split_once('.')
            .map_or((text.as_str(), ""), |(i, f)| (i, f));
        let mut out = String::new();
        for (i, c) in int.chars().enumerate() {
            if i > 0 && (int.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        if frac.is_empty() {
            out
        } else {
            format!("{out}.{frac}")
        }
    }

    #[test]
    fn every_numeric_range_is_the_one_the_validator_enforces() {
        let mut tested = 0;
        for d in FIELDS {
            // Ranges inside lists and workloads are checked with their list's own rules; the
            // tables of the scenario and of a function are checked here.
            let in_list = d.path.trim_start_matches("functions[].").contains("[]");
            if in_list || !d.when.is_empty() {
                continue;
            }
            let whole = d.ty == WHOLE;
            let step = |b: f64| if whole { 1.0 } else { 0.001 * b.abs().max(1.0) };
            let field = d.path.replace("[]", "[0]");
            for (end, outside) in [
                (d.min, d.min.map(|b| b - step(b))),
                (d.max, d.max.map(|b| b + step(b))),
            ] {
                let (Some(end), Some(outside)) = (end, outside) else {
                    continue;
                };
                assert!(
                    d.range.contains(&grouped(end)),
                    "{}: range text \"{}\" does not show {}",
                    d.path,
                    d.range,
                    grouped(end)
                );
                let text = scenario_with(d.path, &format!("{end}"));
                if let Err(e) = Scenario::from_toml(&text) {
                    panic!("{}: the end {end} is refused: {e}\n{text}", d.path);
                }
                if whole && outside < 0.0 {
                    continue; // a negative whole number cannot be read at all
                }
                let text = scenario_with(d.path, &format!("{outside}"));
                let e = Scenario::from_toml(&text)
                    .expect_err(&format!("{}: {outside} is accepted", d.path))
                    .to_string();
                assert!(
                    e.contains(&field),
                    "{}: {outside} refused without naming it: {e}",
                    d.path
                );
                tested += 1;
            }
        }
        assert!(tested >= 40, "only {tested} range ends tested");
    }

    #[test]
    fn aws_names_and_groups_read_well() {
        let sqs = FIELDS
            .iter()
            .find(|d| d.path == "functions[].sqs.batching_window_s")
            .expect("documented");
        assert!(sqs.aws.contains("maximum_batching_window_s"));
        assert_eq!(sqs.group(), "functions[].sqs");
        assert_eq!(sqs.name(), "batching_window_s");
        let burst = FIELDS
            .iter()
            .find(|d| d.when == "burst")
            .expect("a burst field");
        assert_eq!(burst.group(), "functions[].workload, kind = \"burst\"");
        assert_eq!(FIELDS[0].group(), "scenario");
        assert_eq!(FieldDefault::Value("\"sync\"").text(), "sync");
        assert_eq!(FieldDefault::Value("128").text(), "128");
        for d in FIELDS {
            assert!(
                d.meaning.ends_with('.'),
                "{}: the meaning is a sentence",
                d.path
            );
        }
    }
}
