//! The rules a scenario must keep: each is checked when a scenario is read, and the first broken
//! one is returned as a [`FieldError`] naming the field, the rule and the value found. The rules
//! are AWS's where AWS has one (`docs/lambda-facts.md`).

use super::field::FieldError;
use super::function::{Function, SqsConfig};
use super::topology::{
    preset_steps, InvocationType, Metric, Statistic, VersionRef, Via, MAX_TRACES, PRESETS,
};
use super::units::apply_set;
use super::workload::Workload;
use super::{
    Account, Record, Scenario, MAX_BUCKETS, MAX_DURATION_S, MAX_FUNCTIONS, MAX_QUEUE,
    MAX_RECORD_EVENTS, MAX_RECORD_LANES, MAX_RECORD_SEGMENTS,
};

impl Scenario {
    /// Settings AWS accepts but advises against, each naming its field: the scenario runs,
    /// and the lab shows these beside it.
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (i, f) in self.functions.iter().enumerate() {
            let default_sqs = SqsConfig::default();
            let q = f.sqs.as_ref().unwrap_or(&default_sqs);
            if f.invocation == InvocationType::Sqs {
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
            if let Some(w) = traffic_past_the_end(&f.workload, self.duration_s) {
                out.push(format!("functions[{i}].workload.{w}"));
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
        self.record.validate()?;
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
        // An SQS function without an `sqs` table runs with the defaults: check those too.
        let default_sqs = SqsConfig::default();
        let sqs = self
            .sqs
            .as_ref()
            .or((self.invocation == InvocationType::Sqs).then_some(&default_sqs));
        if let Some(q) = sqs {
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
    /// The rules that connect functions: triggers, versions, aliases, deployments, alarms and
    /// tracing.
    fn validate_system(&self) -> Result<(), FieldError> {
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
}

/// Replayed traffic the run ends before: the field, the traffic not replayed and the
/// `duration_s` that would replay it all (a whole second past its last arrival).
fn traffic_past_the_end(w: &Workload, duration_s: f64) -> Option<String> {
    use crate::report::group;
    // The run takes arrivals strictly before its end, in whole µs.
    let end_s = crate::time::s_to_us(duration_s) as f64 / 1e6;
    match w {
        Workload::Replay { arrivals_s } => {
            let late = arrivals_s.iter().filter(|&&t| t >= end_s).count();
            let last = arrivals_s.last().copied()?;
            (late > 0).then(|| {
                format!(
                    "arrivals_s: {} at or after duration_s ({duration_s} s) {} not replayed; raise duration_s to {} s to replay them all",
                    if late == 1 { "1 arrival".to_string() } else { format!("{} arrivals", group(late as u64)) },
                    if late == 1 { "is" } else { "are" },
                    libm::floor(last) + 1.0
                )
            })
        }
        Workload::PerMinute { counts, .. } => {
            let last = counts.iter().rposition(|&c| c > 0)?;
            let needed_s = (last as f64 + 1.0) * 60.0;
            if needed_s <= end_s {
                return None;
            }
            // Each minute's requests arrive across it: the part of a minute past the end is lost.
            let mut minutes = 0u64;
            let mut lost = 0.0;
            for (m, &c) in counts.iter().enumerate() {
                let start = m as f64 * 60.0;
                let past = ((start + 60.0 - end_s) / 60.0).clamp(0.0, 1.0);
                if past > 0.0 && c > 0 {
                    minutes += 1;
                    lost += f64::from(c) * past;
                }
            }
            Some(format!(
                "counts: {} of counts reach past duration_s ({duration_s} s), about {} {} not replayed; raise duration_s to {needed_s} s to replay them all",
                if minutes == 1 { "1 minute".to_string() } else { format!("{} minutes", group(minutes)) },
                if libm::round(lost) == 1.0 { "1 request".to_string() } else { format!("{} requests", group(libm::round(lost) as u64)) },
                if libm::round(lost) == 1.0 { "is" } else { "are" },
            ))
        }
        _ => None,
    }
}

impl Record {
    /// The recording bounds: each keeps its memory within the engine's budget.
    fn validate(&self) -> Result<(), FieldError> {
        let checks = [
            ("record.lanes", self.lanes, MAX_RECORD_LANES, "environments"),
            (
                "record.segments",
                self.segments,
                MAX_RECORD_SEGMENTS,
                "segments",
            ),
            ("record.events", self.events, MAX_RECORD_EVENTS, "events"),
        ];
        for (field, value, max, unit) in checks {
            if value > max {
                return Err(FieldError::new(
                    field,
                    &format!(
                        "expected 0 to {} {unit}, got {}",
                        crate::report::group(u64::from(max)),
                        crate::report::group(u64::from(value))
                    ),
                ));
            }
        }
        Ok(())
    }
}
