//! The scenario schema: everything a run is configured by, read from TOML and validated.
//!
//! A scenario is plain data. Defaults follow AWS's defaults where AWS has one (memory 128 MB,
//! timeout 3 s, account concurrency 1,000, scaling 1,000 environments per 10 s), and every
//! refusal names the field, the rule and the value found.
//!
//! The modules below are private and their types are re-exported here, so each has one path,
//! `engine::scenario::Name`. Their imports run one way: `field` (the errors) at the bottom;
//! `dist`, `workload`, `iam`, `runtime` and `topology` on it; `function` on those; this module
//! (the scenario itself and its reading) on `function`; `validate` and `units` on everything;
//! `reference` (the documentation of every field, for the app) on nothing, its tests on all.

use serde::{Deserialize, Serialize};

mod dist;
mod field;
mod function;
mod iam;
mod reference;
mod runtime;
mod topology;
mod units;
mod validate;
mod workload;

pub use dist::{quantile_at, Dist, Sampler, MAX_QUANTILES};
pub use field::{FieldError, ScenarioError};
pub use function::{
    AsyncConfig, Client, Destination, DlqTarget, Downstream, ErrorWindow, Function, Handler,
    Idempotency, OnLimit, Routing, SqsConfig, Unit,
};
pub use iam::{wildcard_match, Attempt, Decision, Effect, Iam, Policy, Statement};
pub use reference::{DistKind, FieldDefault, FieldDoc, DIST_KINDS, FIELDS};
pub use runtime::{Arch, Runtime};
pub use topology::{
    preset_steps, Alarm, Alias, Cache, CacheScope, Comparison, Deployment, InvocationType, Metric,
    RecursiveLoop, Statistic, Tracing, Trigger, Version, VersionRef, Via, LOOP_HOPS_MAX,
    MAX_TRACES, MAX_UNITS, PRESETS,
};
pub use workload::{Arrivals, CsvKind, Step, Workload, MAX_RATE_PER_S, MAX_REPLAY_POINTS};

/// Most time buckets a run may produce (bounds the memory of the time series).
pub const MAX_BUCKETS: u64 = 2_000;
/// Longest simulated span: 400 days.
pub const MAX_DURATION_S: f64 = 400.0 * 86_400.0;
/// Most functions in one scenario.
pub const MAX_FUNCTIONS: usize = 16;
/// Largest `queue_max` a queue may be given (bounds the memory of queued events and messages).
pub const MAX_QUEUE: u64 = 10_000_000;
/// Most environments drawn as lanes (`record.lanes`).
pub const MAX_RECORD_LANES: u32 = 1_000;
/// Most lane segments kept (`record.segments`): about 40 bytes each.
pub const MAX_RECORD_SEGMENTS: u32 = 1_000_000;
/// Most individual events kept (`record.events`): about 100 bytes each.
pub const MAX_RECORD_EVENTS: u32 = 1_000_000;

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
    let (line, column, source) = line_at(text, offset);
    let (source, _) = crate::clip::excerpt(source, column);
    // The message is cut first, so the line it points at is never cut off.
    let message = crate::clip::clip(message, crate::clip::MAX_MESSAGE_CHARS / 2);
    format!("line {line}, column {column}: {message}\n  |\n{line} | {source}")
}

/// The line number and column (both 1-based, the column in characters) of byte `offset` of
/// `text`, and the whole line it is on.
fn line_at(text: &str, offset: usize) -> (usize, usize, &str) {
    let offset = (0..=offset.min(text.len()))
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    let source = text[line_start..].lines().next().unwrap_or("");
    (line, column, source)
}

/// A TOML syntax error, as the toml crate words it; when the line it quotes is too long to
/// show (a 10 MB one-line file), the same form with an excerpt of the line around the error.
fn toml_error(text: &str, e: &toml::de::Error) -> String {
    if let Some(span) = e.span() {
        let (line, column, source) = line_at(text, span.start);
        if source.chars().nth(crate::clip::MAX_QUOTE_CHARS).is_some() {
            let (source, caret) = crate::clip::excerpt(source, column);
            let message = crate::clip::clip(e.message(), crate::clip::MAX_MESSAGE_CHARS / 2);
            let pad = " ".repeat(line.to_string().len());
            let gap = " ".repeat(caret - 1);
            return format!(
                "TOML parse error at line {line}, column {column}\n{pad} |\n{line} | {source}\n{pad} | {gap}^\n{message}"
            );
        }
    }
    crate::clip::message(&e.to_string())
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
impl Scenario {
    /// Parses and validates a scenario from TOML text.
    ///
    /// The text is read as TOML into JSON, and the scenario from that (see [`crate::from_value`]):
    /// one deserialiser for every format keeps the WebAssembly small. An error names the line
    /// and column, the field's path and what was expected.
    pub fn from_toml(text: &str) -> Result<Scenario, ScenarioError> {
        let table: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| ScenarioError::Parse(toml_error(text, &e)))?;
        let mut path = String::new();
        let value = toml_to_json(&toml::Value::Table(table), &mut path)?;
        let scenario: Scenario = crate::from_value(value).map_err(|message| {
            ScenarioError::Parse(crate::clip::message(&locate(text, &message)))
        })?;
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
        // docs/lambda-facts.md section 6: 2 retries, a maximum event age of 6 h.
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

    /// A 10 MB one-line import, or a huge value, gives a message of sensible length that still
    /// points at the error; multibyte text is cut between characters.
    #[test]
    fn errors_on_huge_input_are_short() {
        let max = crate::clip::MAX_MESSAGE_CHARS;
        // A syntax error at the end of a 10 MB line.
        let text = format!("name = \"{}\" x", "é".repeat(5_000_000));
        let e = Scenario::from_toml(&text).expect_err("syntax").to_string();
        assert!(e.chars().count() <= max, "{} chars", e.chars().count());
        assert!(
            e.starts_with("TOML parse error at line 1, column 5000011"),
            "{e}"
        );
        assert!(
            e.contains("\n1 | \u{2026}\u{e9}") && e.contains("\" x\n"),
            "{e}"
        );
        let caret_line = e.lines().nth(3).expect("a caret");
        let quoted = e.lines().nth(2).expect("the line");
        let caret = caret_line.chars().position(|c| c == '^').expect("^");
        assert_eq!(quoted.chars().nth(caret), Some('x'), "{e}");
        // A wrong type on a huge value, on one line.
        let text = format!(
            "seed = \"{}\"\n[[functions]]\nname = \"a\"\n",
            "€".repeat(10_000_000)
        );
        let e = Scenario::from_toml(&text)
            .expect_err("a string seed")
            .to_string();
        assert!(e.chars().count() <= max, "{} chars", e.chars().count());
        assert!(
            e.starts_with("line 1, column 8: seed: invalid type: string"),
            "{e}"
        );
        // A huge key.
        let text = format!(
            "{} = 1\n[[functions]]\nname = \"a\"\n",
            "k".repeat(10_000_000)
        );
        let e = Scenario::from_toml(&text)
            .expect_err("unknown key")
            .to_string();
        assert!(e.chars().count() <= max, "{} chars", e.chars().count());
    }
}
