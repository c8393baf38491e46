//! The lesson schema and its checker: lessons are data (Markdown + TOML), never code.
//!
//! Layout under `lessons/`:
//!
//! ```text
//! lessons/index.toml          order = ["invocation", "cold-starts", ...]
//! lessons/<id>/lesson.toml    title, summary, experiments and their knobs, sources, notes
//! lessons/<id>/lesson.md      the text; a line `::: experiment <id>` places an experiment
//! lessons/<id>/*.toml         the scenarios the experiments run
//! ```
//!
//! [`load_dir`] reads and checks all of it and returns a [`Catalog`]; every problem is reported
//! with the file, the line where there is one, and the field.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::scenario::Scenario;

/// The marker line that places an experiment in the lesson text.
pub const EXPERIMENT_MARKER: &str = "::: experiment ";

/// `lessons/index.toml`: the order of the lessons.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Index {
    /// Lesson ids (folder names), in teaching order.
    pub order: Vec<String>,
}

/// `lessons/<id>/lesson.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lesson {
    /// Title, as the lesson list shows it.
    pub title: String,
    /// One sentence: what the learner will see.
    pub summary: String,
    /// Minutes it takes to read and try.
    pub minutes: u32,
    /// The Markdown file with the text.
    #[serde(default = "default_text")]
    pub text: String,
    /// The live experiments.
    pub experiments: Vec<Experiment>,
    /// What the model simplifies, one note each.
    #[serde(default)]
    pub simplifications: Vec<String>,
    /// The AWS documentation pages behind the lesson's claims.
    #[serde(default)]
    pub sources: Vec<Source>,
    /// "Place your bet" questions, asked before an experiment reveals the answer.
    #[serde(default)]
    pub predictions: Vec<Prediction>,
    /// A goal the engine checks on the learner's own configuration.
    #[serde(default)]
    pub challenge: Option<Challenge>,
}

/// A question asked before the experiment shows the answer; the engine decides which choice is right.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prediction {
    /// Id, unique in the lesson (progress is stored under it).
    pub id: String,
    /// The experiment that reveals the answer.
    pub experiment: String,
    /// The question.
    pub question: String,
    /// Knob values for the reveal (knob id to value); the others keep the scenario's values.
    #[serde(default)]
    pub set: BTreeMap<String, Value>,
    /// The figure that decides the answer (see [`metric`]).
    pub metric: String,
    /// The choices, each a range of the metric.
    pub choices: Vec<Band>,
    /// Index of the right choice; the checker verifies the engine agrees.
    pub answer: usize,
    /// Why, shown after the reveal.
    pub explanation: String,
}

/// A labelled range of a metric: `min <= value <= max` (either end may be open).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    /// What the learner reads.
    pub label: String,
    /// Smallest value in the band.
    #[serde(default)]
    pub min: Option<f64>,
    /// Largest value in the band.
    #[serde(default)]
    pub max: Option<f64>,
}

impl Band {
    /// Whether `v` lies in the band.
    pub fn contains(&self, v: f64) -> bool {
        self.min.is_none_or(|m| v >= m) && self.max.is_none_or(|m| v <= m)
    }
}

/// A goal checked by the engine on the learner's configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Challenge {
    /// The experiment whose knobs the learner turns.
    pub experiment: String,
    /// The goal in words, e.g. "p99 under 300 ms and under $2 a day".
    pub goal: String,
    /// Every condition must hold.
    pub conditions: Vec<Condition>,
    /// Hints, unlocked one by one.
    pub hints: Vec<String>,
    /// Knob values that solve it (knob id to value).
    pub solution: BTreeMap<String, Value>,
    /// The solution in words.
    pub solution_text: String,
}

/// One condition of a challenge: a metric within bounds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// The figure (see [`metric`]).
    pub metric: String,
    /// What the learner reads, e.g. "p99 under 300 ms".
    pub label: String,
    /// Smallest allowed value.
    #[serde(default)]
    pub min: Option<f64>,
    /// Largest allowed value.
    #[serde(default)]
    pub max: Option<f64>,
}

impl Condition {
    /// Whether `v` meets the condition.
    pub fn holds(&self, v: f64) -> bool {
        self.min.is_none_or(|m| v >= m) && self.max.is_none_or(|m| v <= m)
    }
}

/// How each condition of a challenge fares on one report.
#[derive(Debug, Clone, PartialEq)]
pub struct ConditionResult {
    /// The condition.
    pub condition: Condition,
    /// The engine's value of its metric.
    pub value: f64,
    /// Whether it holds.
    pub met: bool,
}

impl Challenge {
    /// Checks every condition on `report`.
    pub fn evaluate(&self, report: &crate::Report) -> Result<Vec<ConditionResult>, String> {
        self.conditions
            .iter()
            .map(|c| {
                let value = metric(report, &c.metric)?;
                Ok(ConditionResult {
                    condition: c.clone(),
                    value,
                    met: c.holds(value),
                })
            })
            .collect()
    }
}

/// A figure of a report by name: a summary field (`cold_starts`, `duration_ms_p99`,
/// `cost_usd`, ...), `ledger.<field>`, or `<function name>.<summary field>`.
pub fn metric(report: &crate::Report, name: &str) -> Result<f64, String> {
    let (scope, field) = name
        .split_once('.')
        .map_or((None, name), |(a, b)| (Some(a), b));
    // `figure` rather than the serialised report: figures that are zero are left out of it.
    let value = match scope {
        None => report.summary.figure(field),
        Some("ledger") => report.ledger.figure(field),
        Some("alarm") => return alarm_metric(report, name, field),
        Some("deployment") => return deployment_metric(report, name, field),
        Some("tracing") => {
            let t = report
                .tracing
                .as_ref()
                .ok_or_else(|| format!("metric \"{name}\": the scenario has no [tracing]"))?;
            match field {
                "requests" => Some(t.requests as f64),
                "sampled" => Some(t.sampled as f64),
                "sampled_ratio" => Some(if t.requests == 0 {
                    0.0
                } else {
                    t.sampled as f64 / t.requests as f64
                }),
                "traces" => Some(t.traces.len() as f64),
                _ => {
                    return Err(format!(
                        "metric \"{name}\": expected tracing.requests, tracing.sampled, tracing.sampled_ratio or tracing.traces"
                    ))
                }
            }
        }
        Some(f) => match report.functions.iter().find(|x| x.name == f) {
            Some(x) => x.summary.figure(field),
            None => return Err(format!("metric \"{name}\": no function called \"{f}\"")),
        },
    };
    value.ok_or_else(|| format!("metric \"{name}\": expected a summary figure such as cold_starts, throttled, duration_ms_p99 or cost_usd"))
}

/// `alarm.<name>.fired` (0 or 1), `.first_alarm_s` (the run's length if it never fired) or
/// `.alarm_periods`.
fn alarm_metric(report: &crate::Report, name: &str, field: &str) -> Result<f64, String> {
    let (alarm, figure) = field.rsplit_once('.').unwrap_or((field, ""));
    let a = report
        .alarms
        .iter()
        .find(|a| a.name == alarm)
        .ok_or_else(|| format!("metric \"{name}\": no alarm called \"{alarm}\""))?;
    match figure {
        "fired" => Ok(f64::from(u8::from(a.first_alarm_s.is_some()))),
        "first_alarm_s" => Ok(a.first_alarm_s.unwrap_or(report.summary.duration_s)),
        "alarm_periods" => Ok(a.alarm_periods as f64),
        _ => Err(format!(
            "metric \"{name}\": expected alarm.{alarm}.fired, .first_alarm_s or .alarm_periods"
        )),
    }
}

/// `deployment.<function>.rolled_back`, `.succeeded` (0 or 1) or `.ended_s` (the run's length
/// while it has not ended).
fn deployment_metric(report: &crate::Report, name: &str, field: &str) -> Result<f64, String> {
    use crate::report::DeploymentStatus;
    let (function, figure) = field.rsplit_once('.').unwrap_or((field, ""));
    let d = report
        .deployments
        .iter()
        .find(|d| d.function == function)
        .ok_or_else(|| format!("metric \"{name}\": no deployment of \"{function}\""))?;
    match figure {
        "rolled_back" => Ok(f64::from(u8::from(
            d.status == DeploymentStatus::RolledBack,
        ))),
        "succeeded" => Ok(f64::from(u8::from(d.status == DeploymentStatus::Succeeded))),
        "ended_s" => Ok(d.ended_s.unwrap_or(report.summary.duration_s)),
        _ => Err(format!(
            "metric \"{name}\": expected deployment.{function}.rolled_back, .succeeded or .ended_s"
        )),
    }
}

/// The experiment's scenario with some knobs set (knob id to value).
pub fn apply_knobs(
    scenario: &Scenario,
    experiment: &Experiment,
    values: &BTreeMap<String, Value>,
) -> Result<Scenario, String> {
    let mut s = scenario.clone();
    for (id, v) in values {
        let knob = experiment
            .knobs
            .iter()
            .find(|k| &k.id == id)
            .ok_or_else(|| {
                format!(
                    "\"{id}\" is not a knob of experiment \"{}\" (knobs: {})",
                    experiment.id,
                    experiment
                        .knobs
                        .iter()
                        .map(|k| k.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })?;
        knob.admits(v)?;
        s = set_path(&s, &knob.path, v)?;
    }
    Ok(s)
}

impl Knob {
    /// Whether a learner could set this value with the control.
    pub fn admits(&self, v: &Value) -> Result<(), String> {
        match self.control {
            Control::Slider => match v.as_f64() {
                Some(x) if x >= self.min && x <= self.max => Ok(()),
                _ => Err(format!(
                    "{}: expected a number from {} to {}, got {v}",
                    self.id, self.min, self.max
                )),
            },
            Control::Toggle if v.is_boolean() => Ok(()),
            Control::Toggle => Err(format!("{}: expected true or false, got {v}", self.id)),
            Control::Select if self.options.iter().any(|o| same_value(&o.value, v)) => Ok(()),
            Control::Select => Err(format!("{}: {v} is not one of the options", self.id)),
        }
    }
}

fn default_text() -> String {
    "lesson.md".into()
}

/// A cited source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Title of the page.
    pub title: String,
    /// Its address.
    pub url: String,
}

/// One live experiment: a scenario and the knobs a learner may turn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Experiment {
    /// Id, unique in the lesson; the text places it with `::: experiment <id>`.
    pub id: String,
    /// The question the experiment answers.
    pub title: String,
    /// The scenario file, relative to the lesson folder.
    pub scenario: String,
    /// The controls.
    #[serde(default)]
    pub knobs: Vec<Knob>,
    /// The charts to show, from [`CHARTS`], in order.
    #[serde(default = "default_charts")]
    pub charts: Vec<String>,
}

/// The charts an experiment can show: environment lanes, environments over time, concurrency
/// against its limits, latency percentiles, throttles and retries, cost so far, queue and DLQ,
/// invocations and errors per function or version, alarms (with a deployment's traffic
/// shifts), one sampled trace as a waterfall, the cache hit ratio, and what the IAM role
/// allowed and denied.
pub const CHARTS: [&str; 12] = [
    "lanes",
    "envs",
    "concurrency",
    "latency",
    "throttles",
    "cost",
    "queue",
    "functions",
    "alarm",
    "trace",
    "cache",
    "iam",
];

fn default_charts() -> Vec<String> {
    vec!["lanes".into(), "envs".into()]
}

/// A control bound to one field of the scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Knob {
    /// Id, unique in the experiment; used in the URL.
    pub id: String,
    /// Label, e.g. "Memory".
    pub label: String,
    /// The scenario field it sets, e.g. `functions[0].memory_mb`.
    pub path: String,
    /// Slider, toggle or select.
    #[serde(default)]
    pub control: Control,
    /// Unit shown after the value, e.g. "MB".
    #[serde(default)]
    pub unit: String,
    /// Slider: smallest value.
    #[serde(default)]
    pub min: f64,
    /// Slider: largest value.
    #[serde(default)]
    pub max: f64,
    /// Slider: step between values.
    #[serde(default = "default_step")]
    pub step: f64,
    /// Slider: move on a logarithmic scale (for rates and memory).
    #[serde(default)]
    pub log: bool,
    /// Select: the choices.
    #[serde(default)]
    pub options: Vec<Choice>,
}

fn default_step() -> f64 {
    1.0
}

/// The kind of control.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Control {
    /// A range of numbers.
    #[default]
    Slider,
    /// On or off (a boolean field).
    Toggle,
    /// One of a few values.
    Select,
}

/// One choice of a select knob.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    /// What the learner reads.
    pub label: String,
    /// The value written to the field (a string, number or boolean).
    pub value: Value,
}

/// A lesson read and checked, ready for the app.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LessonEntry {
    /// Folder name, used in URLs.
    pub id: String,
    /// The lesson file.
    pub lesson: Lesson,
    /// The Markdown text.
    pub markdown: String,
    /// Scenarios by experiment id.
    pub scenarios: BTreeMap<String, Scenario>,
}

/// A piece of a lesson page: rendered text, or the place of an experiment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Block {
    /// HTML rendered from the Markdown (raw HTML in the source is escaped, never passed through).
    Html(String),
    /// The experiment with this id goes here.
    Experiment(String),
}

/// A lesson with its text split around its experiments, as the app shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page {
    /// The checked lesson.
    pub entry: LessonEntry,
    /// Its text and experiments, in reading order.
    pub blocks: Vec<Block>,
}

/// Splits Markdown at the experiment markers; `render` turns each text part into HTML.
pub fn split_blocks(markdown: &str, render: impl Fn(&str) -> String) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut text = String::new();
    for line in markdown.lines() {
        if let Some(id) = line.trim().strip_prefix(EXPERIMENT_MARKER.trim_end()) {
            if !text.trim().is_empty() {
                blocks.push(Block::Html(render(&text)));
            }
            text.clear();
            blocks.push(Block::Experiment(id.trim().to_string()));
        } else {
            text.push_str(line);
            text.push('\n');
        }
    }
    if !text.trim().is_empty() {
        blocks.push(Block::Html(render(&text)));
    }
    blocks
}

/// Every lesson, in order.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Catalog {
    /// The lessons.
    pub lessons: Vec<LessonEntry>,
}

/// One problem in the lessons, located as precisely as possible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LessonError {
    /// File, relative to the lessons folder.
    pub file: String,
    /// Line, from 1, where known.
    pub line: Option<usize>,
    /// The field, where there is one.
    pub field: Option<String>,
    /// What is wrong and what was expected.
    pub message: String,
}

impl fmt::Display for LessonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ": {field}")?;
        }
        write!(f, ": {}", self.message)
    }
}

fn err(
    file: &str,
    line: Option<usize>,
    field: Option<&str>,
    message: impl Into<String>,
) -> LessonError {
    LessonError {
        file: file.to_string(),
        line,
        field: field.map(str::to_string),
        message: message.into(),
    }
}

/// A TOML parse error's line, from the "line N, column M" toml puts in its message.
fn toml_line(e: &toml::de::Error, text: &str) -> Option<usize> {
    e.span()
        .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1)
}

/// A source of lesson files: the file system natively, or an in-memory map in tests.
pub trait Files {
    /// The text of `path` (relative to the lessons folder), or `None`.
    fn read(&self, path: &str) -> Option<String>;
    /// Every file path under the folder, relative, with `/` separators.
    fn list(&self) -> Vec<String>;
}

/// Lesson files on disk.
pub struct DirFiles<'a>(pub &'a Path);

impl Files for DirFiles<'_> {
    fn read(&self, path: &str) -> Option<String> {
        std::fs::read_to_string(self.0.join(path)).ok()
    }
    fn list(&self) -> Vec<String> {
        fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
            let Ok(entries) = std::fs::read_dir(dir) else {
                return;
            };
            for e in entries.flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(base, &p, out);
                } else if let Ok(rel) = p.strip_prefix(base) {
                    out.push(rel.to_string_lossy().replace('\\', "/"));
                }
            }
        }
        let mut out = Vec::new();
        walk(self.0, self.0, &mut out);
        out.sort();
        out
    }
}

/// Files held in memory (for tests and fixtures).
impl Files for BTreeMap<String, String> {
    fn read(&self, path: &str) -> Option<String> {
        self.get(path).cloned()
    }
    fn list(&self) -> Vec<String> {
        self.keys().cloned().collect()
    }
}

/// Reads and checks the lessons folder at `dir`.
pub fn load_dir(dir: &Path) -> Result<Catalog, Vec<LessonError>> {
    load(&DirFiles(dir))
}

/// Reads and checks every lesson; returns all the problems found, not only the first.
pub fn load(files: &dyn Files) -> Result<Catalog, Vec<LessonError>> {
    let mut errors = Vec::new();
    let Some(index_text) = files.read("index.toml") else {
        return Err(vec![err(
            "index.toml",
            None,
            None,
            "missing: it lists the lessons in order, e.g. order = [\"invocation\"]",
        )]);
    };
    let index: Index = match toml::from_str(&index_text) {
        Ok(i) => i,
        Err(e) => {
            return Err(vec![err(
                "index.toml",
                toml_line(&e, &index_text),
                None,
                e.message().to_string(),
            )])
        }
    };
    let mut used: BTreeSet<String> =
        BTreeSet::from(["index.toml".to_string(), "README.md".to_string()]);
    let mut catalog = Catalog::default();
    for (i, id) in index.order.iter().enumerate() {
        let field = format!("order[{i}]");
        if index.order[..i].contains(id) {
            errors.push(err(
                "index.toml",
                None,
                Some(&field),
                format!("\"{id}\" is listed twice"),
            ));
            continue;
        }
        if id.is_empty()
            || !id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            errors.push(err(
                "index.toml",
                None,
                Some(&field),
                format!("\"{id}\": expected a folder name of a-z, 0-9 and -"),
            ));
            continue;
        }
        match load_lesson(files, id, &mut used) {
            Ok(entry) => catalog.lessons.push(entry),
            Err(mut e) => {
                errors.append(&mut e);
                // A lesson that fails to load still owns its folder: its files are not "stray".
                used.extend(
                    files
                        .list()
                        .into_iter()
                        .filter(|f| f.starts_with(&format!("{id}/"))),
                );
            }
        }
    }
    for f in files.list() {
        if !used.contains(&f) {
            let dir = f.split('/').next().unwrap_or("");
            let why = if index.order.iter().any(|id| id == dir) {
                "a file no lesson refers to; remove it or use it".to_string()
            } else {
                format!("\"{dir}\" is not in index.toml's order; add it there or remove it")
            };
            errors.push(err(&f, None, None, why));
        }
    }
    if errors.is_empty() {
        Ok(catalog)
    } else {
        Err(errors)
    }
}

fn load_lesson(
    files: &dyn Files,
    id: &str,
    used: &mut BTreeSet<String>,
) -> Result<LessonEntry, Vec<LessonError>> {
    let file = format!("{id}/lesson.toml");
    let Some(text) = files.read(&file) else {
        return Err(vec![err(
            &file,
            None,
            None,
            "missing: every lesson folder needs a lesson.toml",
        )]);
    };
    used.insert(file.clone());
    let lesson: Lesson = toml::from_str(&text).map_err(|e| {
        vec![err(
            &file,
            toml_line(&e, &text),
            None,
            e.message().to_string(),
        )]
    })?;
    let line_of = |needle: &str| text.lines().position(|l| l.contains(needle)).map(|n| n + 1);
    let mut errors = Vec::new();
    if lesson.title.trim().is_empty() {
        errors.push(err(
            &file,
            line_of("title"),
            Some("title"),
            "expected a title",
        ));
    }
    if lesson.experiments.is_empty() {
        errors.push(err(
            &file,
            None,
            Some("experiments"),
            "expected at least one [[experiments]]: every lesson shows its point live",
        ));
    }
    for (i, s) in lesson.sources.iter().enumerate() {
        if !s.url.starts_with("https://") {
            errors.push(err(
                &file,
                line_of(&s.url),
                Some(&format!("sources[{i}].url")),
                format!("expected an https:// address, got \"{}\"", s.url),
            ));
        }
    }
    let md_file = format!("{id}/{}", lesson.text);
    let markdown = match files.read(&md_file) {
        Some(m) => {
            used.insert(md_file.clone());
            m
        }
        None => {
            errors.push(err(
                &file,
                line_of("text"),
                Some("text"),
                format!("{md_file} does not exist"),
            ));
            String::new()
        }
    };
    if !markdown.is_empty() && !markdown.lines().any(|l| l.starts_with("# ")) {
        errors.push(err(
            &md_file,
            Some(1),
            None,
            "expected a title line starting with \"# \"",
        ));
    }
    let placed: Vec<(usize, String)> = markdown
        .lines()
        .enumerate()
        .filter_map(|(n, l)| {
            l.trim()
                .strip_prefix(EXPERIMENT_MARKER.trim_end())
                .map(|rest| (n + 1, rest.trim().to_string()))
        })
        .collect();
    let mut scenarios = BTreeMap::new();
    for (i, x) in lesson.experiments.iter().enumerate() {
        let field = format!("experiments[{i}]");
        if lesson.experiments[..i].iter().any(|y| y.id == x.id) {
            errors.push(err(
                &file,
                line_of(&format!("\"{}\"", x.id)),
                Some(&format!("{field}.id")),
                format!("\"{}\" is used twice", x.id),
            ));
        }
        if !placed.iter().any(|(_, p)| p == &x.id) {
            errors.push(err(
                &md_file,
                None,
                None,
                format!(
                    "experiment \"{}\" is never placed: add a line \"{EXPERIMENT_MARKER}{}\"",
                    x.id, x.id
                ),
            ));
        }
        for (c, chart) in x.charts.iter().enumerate() {
            if !CHARTS.contains(&chart.as_str()) {
                errors.push(err(
                    &file,
                    line_of(&format!("\"{chart}\"")),
                    Some(&format!("{field}.charts[{c}]")),
                    format!(
                        "\"{chart}\" is not a chart; expected one of {}",
                        CHARTS.join(", ")
                    ),
                ));
            }
        }
        let scen_file = format!("{id}/{}", x.scenario);
        let Some(scen_text) = files.read(&scen_file) else {
            errors.push(err(
                &file,
                line_of(&x.scenario),
                Some(&format!("{field}.scenario")),
                format!("{scen_file} does not exist"),
            ));
            continue;
        };
        used.insert(scen_file.clone());
        let scenario = match toml::from_str::<Scenario>(&scen_text) {
            Ok(s) => s,
            Err(e) => {
                errors.push(err(
                    &scen_file,
                    toml_line(&e, &scen_text),
                    None,
                    e.message().to_string(),
                ));
                continue;
            }
        };
        if let Err(e) = scenario.validate() {
            errors.push(err(
                &scen_file,
                line_of_field(&scen_text, &e.field),
                Some(&e.field),
                e.message.clone(),
            ));
            continue;
        }
        if let Err(e) = crate::sim::run(&scenario) {
            errors.push(err(
                &scen_file,
                None,
                None,
                format!("the scenario does not run: {e}"),
            ));
            continue;
        }
        for (k, knob) in x.knobs.iter().enumerate() {
            let kf = format!("{field}.knobs[{k}]");
            if let Err(m) = check_knob(&scenario, knob) {
                errors.push(err(&file, line_of(&knob.path), Some(&kf), m));
            }
            if x.knobs[..k].iter().any(|o| o.id == knob.id) {
                errors.push(err(
                    &file,
                    line_of(&knob.path),
                    Some(&format!("{kf}.id")),
                    format!("\"{}\" is used twice", knob.id),
                ));
            }
        }
        scenarios.insert(x.id.clone(), scenario);
    }
    for (i, p) in lesson.predictions.iter().enumerate() {
        let field = format!("predictions[{i}]");
        if lesson.predictions[..i].iter().any(|q| q.id == p.id) {
            errors.push(err(
                &file,
                line_of(&p.question),
                Some(&format!("{field}.id")),
                format!("\"{}\" is used twice", p.id),
            ));
        }
        if let Err(m) = check_prediction(&lesson, &scenarios, p) {
            errors.push(err(&file, line_of(&p.question), Some(&field), m));
        }
    }
    if let Some(c) = &lesson.challenge {
        if let Err(m) = check_challenge(&lesson, &scenarios, c) {
            errors.push(err(&file, line_of("[challenge]"), Some("challenge"), m));
        }
    }
    for (line, p) in &placed {
        if !lesson.experiments.iter().any(|x| &x.id == p) {
            errors.push(err(
                &md_file,
                Some(*line),
                None,
                format!("\"{p}\" is not an experiment of this lesson"),
            ));
        }
    }
    if errors.is_empty() {
        Ok(LessonEntry {
            id: id.to_string(),
            lesson,
            markdown,
            scenarios,
        })
    } else {
        Err(errors)
    }
}

fn experiment_and_scenario<'a>(
    lesson: &'a Lesson,
    scenarios: &'a BTreeMap<String, Scenario>,
    id: &str,
) -> Result<(&'a Experiment, &'a Scenario), String> {
    let x = lesson
        .experiments
        .iter()
        .find(|x| x.id == id)
        .ok_or_else(|| format!("experiment \"{id}\" does not exist"))?;
    let s = scenarios
        .get(id)
        .ok_or_else(|| format!("experiment \"{id}\" has no valid scenario"))?;
    Ok((x, s))
}

/// The engine must put the reveal's value in the answer's band, and in no other band.
fn check_prediction(
    lesson: &Lesson,
    scenarios: &BTreeMap<String, Scenario>,
    p: &Prediction,
) -> Result<(), String> {
    let (x, s) = experiment_and_scenario(lesson, scenarios, &p.experiment)?;
    if p.choices.len() < 2 {
        return Err("expected at least two choices".into());
    }
    let Some(answer) = p.choices.get(p.answer) else {
        return Err(format!(
            "answer = {} but there are only {} choices (counted from 0)",
            p.answer,
            p.choices.len()
        ));
    };
    let scenario = apply_knobs(s, x, &p.set).map_err(|e| format!("set: {e}"))?;
    let report = crate::sim::run(&scenario).map_err(|e| e.to_string())?;
    let v = metric(&report, &p.metric)?;
    if !answer.contains(v) {
        let right = p
            .choices
            .iter()
            .position(|c| c.contains(v))
            .map_or("none of the choices".to_string(), |i| {
                format!("choice {i} (\"{}\")", p.choices[i].label)
            });
        return Err(format!(
            "wrong answer: the engine gives {} = {v}, which is {right}, not choice {} (\"{}\")",
            p.metric, p.answer, answer.label
        ));
    }
    if let Some(i) = p
        .choices
        .iter()
        .enumerate()
        .position(|(i, c)| i != p.answer && c.contains(v))
    {
        return Err(format!(
            "choices overlap: {} = {v} is also in choice {i} (\"{}\")",
            p.metric, p.choices[i].label
        ));
    }
    Ok(())
}

/// The defaults must fail the challenge and the solution must pass it.
fn check_challenge(
    lesson: &Lesson,
    scenarios: &BTreeMap<String, Scenario>,
    c: &Challenge,
) -> Result<(), String> {
    let (x, s) = experiment_and_scenario(lesson, scenarios, &c.experiment)?;
    if c.conditions.is_empty() {
        return Err("expected at least one condition".into());
    }
    if c.hints.is_empty() {
        return Err("expected at least one hint".into());
    }
    let defaults = crate::sim::run(s).map_err(|e| e.to_string())?;
    if c.evaluate(&defaults)?.iter().all(|r| r.met) {
        return Err("already solved by the defaults: change the scenario or the conditions so the learner has something to do".into());
    }
    let scenario = apply_knobs(s, x, &c.solution).map_err(|e| format!("solution: {e}"))?;
    let solved = crate::sim::run(&scenario).map_err(|e| format!("solution: {e}"))?;
    let failed: Vec<String> = c
        .evaluate(&solved)?
        .into_iter()
        .filter(|r| !r.met)
        .map(|r| {
            format!(
                "{} ({} = {})",
                r.condition.label, r.condition.metric, r.value
            )
        })
        .collect();
    if !failed.is_empty() {
        return Err(format!(
            "unsolvable: the solution fails {}",
            failed.join(", ")
        ));
    }
    Ok(())
}

/// The line of a scenario file where the last part of `field` is set.
fn line_of_field(text: &str, field: &str) -> Option<usize> {
    let key = field.rsplit('.').next()?.split('[').next()?;
    text.lines()
        .position(|l| l.trim_start().starts_with(key))
        .map(|n| n + 1)
}

/// A knob must point at a field of its scenario, and its range must hold the scenario's value.
fn check_knob(scenario: &Scenario, knob: &Knob) -> Result<(), String> {
    let current = get_path(scenario, &knob.path)?;
    match knob.control {
        Control::Slider => {
            if !(knob.min.is_finite()
                && knob.max.is_finite()
                && knob.min < knob.max
                && knob.step > 0.0)
            {
                return Err(format!(
                    "expected min < max and step > 0, got min = {}, max = {}, step = {}",
                    knob.min, knob.max, knob.step
                ));
            }
            if knob.log && knob.min <= 0.0 {
                return Err("a log slider needs min > 0".into());
            }
            let v = current.as_f64().ok_or_else(|| {
                format!(
                    "{} is not a number ({current}); use a toggle or a select",
                    knob.path
                )
            })?;
            if v < knob.min || v > knob.max {
                return Err(format!(
                    "the scenario's value {v} is outside min..max ({}..{})",
                    knob.min, knob.max
                ));
            }
            for end in [knob.min, knob.max] {
                set_path(scenario, &knob.path, &number(end, &current))
                    .map_err(|e| format!("at {end}: {e}"))?;
            }
        }
        Control::Toggle => {
            if !current.is_boolean() {
                return Err(format!(
                    "a toggle needs a true/false field; {} is {current}",
                    knob.path
                ));
            }
        }
        Control::Select => {
            if knob.options.len() < 2 {
                return Err("a select needs at least two options".into());
            }
            for o in &knob.options {
                let set = set_path(scenario, &knob.path, &o.value)
                    .map_err(|e| format!("option \"{}\": {e}", o.label))?;
                // The app shows the option equal to the scenario's value: each must read back
                // as written (an IAM action written as a string reads back as a list).
                let back = get_path(&set, &knob.path)?;
                if !same_value(&back, &o.value) {
                    return Err(format!(
                        "option \"{}\" reads back from the scenario as {back}, not as written ({}); write it that way",
                        o.label, o.value
                    ));
                }
            }
            if !knob.options.iter().any(|o| same_value(&o.value, &current)) {
                return Err(format!(
                    "the scenario's value {current} is none of the options, so no option would show as selected"
                ));
            }
        }
    }
    Ok(())
}

/// Whether two values are the same setting: numbers by value (a field read back as `60.0`
/// is the option written `60`), lists and tables element by element.
pub fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_value(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, p)| y.get(k).is_some_and(|q| same_value(p, q)))
        }
        _ => a == b,
    }
}

/// A number as the field expects it: whole if the field holds an integer.
pub fn number(v: f64, like: &Value) -> Value {
    if like.is_u64() || like.is_i64() {
        Value::from(libm::round(v) as i64)
    } else {
        Value::from(v)
    }
}

fn parse_path(path: &str) -> Result<Vec<Seg<'_>>, String> {
    let mut segs = Vec::new();
    for part in path.split('.') {
        let (name, rest) = part
            .split_once('[')
            .map_or((part, None), |(n, r)| (n, Some(r)));
        if name.is_empty() {
            return Err(format!("\"{path}\": empty field name"));
        }
        segs.push(Seg::Key(name));
        if let Some(r) = rest {
            let idx = r
                .strip_suffix(']')
                .and_then(|n| n.parse::<usize>().ok())
                .ok_or_else(|| format!("\"{path}\": expected name[index]"))?;
            segs.push(Seg::Index(idx));
        }
    }
    Ok(segs)
}

enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

/// The value of a field of the scenario, by path (e.g. `functions[0].memory_mb`).
pub fn get_path(scenario: &Scenario, path: &str) -> Result<Value, String> {
    let root = serde_json::to_value(scenario).map_err(|e| e.to_string())?;
    let mut v = &root;
    for seg in parse_path(path)? {
        v = match seg {
            Seg::Key(k) => v.get(k).ok_or_else(|| {
                format!("\"{path}\": no field \"{k}\" (set it in the scenario file first)")
            })?,
            Seg::Index(i) => v
                .get(i)
                .ok_or_else(|| format!("\"{path}\": no element {i}"))?,
        };
    }
    Ok(v.clone())
}

/// A copy of the scenario with one field set, validated.
pub fn set_path(scenario: &Scenario, path: &str, value: &Value) -> Result<Scenario, String> {
    set_paths(scenario, &[(path, value)])
}

/// A copy of the scenario with several fields set, read back and validated once: an
/// experiment sets all its knobs this way on every slider move.
pub fn set_paths(scenario: &Scenario, fields: &[(&str, &Value)]) -> Result<Scenario, String> {
    let mut root = serde_json::to_value(scenario).map_err(|e| e.to_string())?;
    for &(path, value) in fields {
        let mut v = &mut root;
        for seg in parse_path(path)? {
            v = match seg {
                Seg::Key(k) => v
                    .get_mut(k)
                    .ok_or_else(|| format!("\"{path}\": no field \"{k}\""))?,
                Seg::Index(i) => v
                    .get_mut(i)
                    .ok_or_else(|| format!("\"{path}\": no element {i}"))?,
            };
        }
        *v = value.clone();
    }
    let s: Scenario = crate::from_value(root).map_err(|e| match fields {
        [(path, _)] => format!("{path}: {e}"),
        _ => e,
    })?;
    s.validate().map_err(|e| e.to_string())?;
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> BTreeMap<String, String> {
        let mut m = BTreeMap::new();
        m.insert("index.toml".into(), "order = [\"one\"]\n".into());
        m.insert(
            "one/lesson.toml".into(),
            r#"title = "One"
summary = "s"
minutes = 3
[[experiments]]
id = "main"
title = "t"
scenario = "scenario.toml"
[[experiments.knobs]]
id = "rate"
label = "Rate"
path = "functions[0].workload.rate_per_s"
min = 1
max = 10
"#
            .into(),
        );
        m.insert(
            "one/lesson.md".into(),
            "# One\n\nText.\n\n::: experiment main\n".into(),
        );
        m.insert(
            "one/scenario.toml".into(),
            "duration_s = 10\n[[functions]]\nname = \"f\"\nworkload = { kind = \"constant\", rate_per_s = 2 }\n".into(),
        );
        m
    }

    fn errors(m: &BTreeMap<String, String>) -> Vec<String> {
        load(m)
            .expect_err("must fail")
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn a_good_lesson_loads() {
        let c = load(&fixture()).expect("valid");
        assert_eq!(c.lessons[0].id, "one");
        assert!(c.lessons[0].scenarios.contains_key("main"));
    }

    #[test]
    fn problems_name_the_file_line_and_field() {
        let mut m = fixture();
        m.insert("one/extra.toml".into(), String::new());
        assert_eq!(
            errors(&m),
            vec!["one/extra.toml: a file no lesson refers to; remove it or use it"]
        );

        let mut m = fixture();
        m.remove("one/scenario.toml");
        assert_eq!(
            errors(&m),
            vec!["one/lesson.toml:7: experiments[0].scenario: one/scenario.toml does not exist"]
        );

        let mut m = fixture();
        m.insert(
            "one/lesson.toml".into(),
            m["one/lesson.toml"].replace("max = 10", "max = 10\ncolour = 3"),
        );
        let e = errors(&m);
        assert!(
            e[0].starts_with("one/lesson.toml:14: unknown field `colour`"),
            "{e:?}"
        );

        let mut m = fixture();
        m.insert(
            "one/lesson.toml".into(),
            m["one/lesson.toml"].replace("min = 1", "min = 3"),
        );
        assert_eq!(errors(&m), vec!["one/lesson.toml:11: experiments[0].knobs[0]: the scenario's value 2 is outside min..max (3..10)"]);

        let mut m = fixture();
        m.insert(
            "one/lesson.md".into(),
            "# One\n\n::: experiment other\n".into(),
        );
        let e = errors(&m);
        assert!(
            e.contains(
                &"one/lesson.md:3: \"other\" is not an experiment of this lesson".to_string()
            ),
            "{e:?}"
        );

        let mut m = fixture();
        m.insert(
            "one/scenario.toml".into(),
            m["one/scenario.toml"].replace("name = \"f\"", "name = \"f\"\nmemory_mb = 5"),
        );
        assert_eq!(
            errors(&m),
            vec!["one/scenario.toml:4: functions[0].memory_mb: expected 128 to 10,240 MB, got 5"]
        );

        let mut m = fixture();
        m.insert("stray/lesson.toml".into(), String::new());
        assert!(errors(&m)[0].contains("\"stray\" is not in index.toml's order"));

        // A select whose options do not include the scenario's value would show the wrong one.
        let select = "\n[[experiments.knobs]]\nid = \"arch\"\nlabel = \"Arch\"\npath = \"functions[0].arch\"\ncontrol = \"select\"\noptions = [{ label = \"Graviton\", value = \"arm64\" }, { label = \"Other\", value = \"arm64\" }]\n";
        let mut m = fixture();
        let lesson =
            m["one/lesson.toml"].replace("\n[[sources]]", &format!("{select}\n[[sources]]"));
        m.insert(
            "one/lesson.toml".into(),
            format!(
                "{lesson}{}",
                if lesson.contains("arch") { "" } else { select }
            ),
        );
        let e = errors(&m);
        assert!(
            e.iter()
                .any(|x| x
                    .contains("knobs[1]: the scenario's value \"x86_64\" is none of the options")),
            "{e:?}"
        );
    }

    /// The fixture with a prediction and a challenge appended to its lesson file.
    fn with(extra: &str) -> BTreeMap<String, String> {
        let mut m = fixture();
        let lesson = format!("{}{extra}", m["one/lesson.toml"]);
        m.insert("one/lesson.toml".into(), lesson);
        m
    }

    const PREDICTION: &str = r#"
[[predictions]]
id = "p"
experiment = "main"
question = "How many requests at 8 per second?"
set = { rate = 8 }
metric = "requests"
choices = [{ label = "few", max = 50 }, { label = "about 80", min = 50, max = 120 }, { label = "many", min = 120 }]
answer = 1
explanation = "8 x 10 s"
"#;

    const CHALLENGE: &str = r#"
[challenge]
experiment = "main"
goal = "At least 60 requests"
conditions = [{ metric = "requests", min = 60, label = "60 or more requests" }]
hints = ["Raise the rate."]
solution = { rate = 9 }
solution_text = "9 per second for 10 s."
"#;

    #[test]
    fn predictions_and_challenges_are_checked_against_the_engine() {
        assert!(load(&with(&format!("{PREDICTION}{CHALLENGE}"))).is_ok());

        let wrong = errors(&with(&PREDICTION.replace("answer = 1", "answer = 2")));
        assert!(wrong[0].contains("predictions[0]: wrong answer: the engine gives requests = 79, which is choice 1 (\"about 80\"), not choice 2"), "{wrong:?}");

        let overlap = errors(&with(&PREDICTION.replace(
            "{ label = \"few\", max = 50 }",
            "{ label = \"few\", max = 90 }",
        )));
        assert!(overlap[0].contains("choices overlap"), "{overlap:?}");

        let bad_knob = errors(&with(
            &PREDICTION.replace("set = { rate = 8 }", "set = { speed = 8 }"),
        ));
        assert!(
            bad_knob[0].contains("\"speed\" is not a knob of experiment \"main\""),
            "{bad_knob:?}"
        );

        let unsolvable = errors(&with(&CHALLENGE.replace("rate = 9", "rate = 3")));
        assert!(
            unsolvable[0].contains(
                "challenge: unsolvable: the solution fails 60 or more requests (requests = 29)"
            ),
            "{unsolvable:?}"
        );

        let solved = errors(&with(&CHALLENGE.replace("min = 60", "min = 10")));
        assert!(
            solved[0].contains("already solved by the defaults"),
            "{solved:?}"
        );

        let out_of_range = errors(&with(&CHALLENGE.replace("rate = 9", "rate = 90")));
        assert!(
            out_of_range[0].contains("solution: rate: expected a number from 1 to 10, got 90"),
            "{out_of_range:?}"
        );

        let bad_metric = errors(&with(
            &CHALLENGE.replace("metric = \"requests\"", "metric = \"speed\""),
        ));
        assert!(bad_metric[0].contains("metric \"speed\""), "{bad_metric:?}");
    }

    #[test]
    fn paths_read_and_write_scenario_fields() {
        let c = load(&fixture()).expect("valid");
        let s = &c.lessons[0].scenarios["main"];
        assert_eq!(
            get_path(s, "functions[0].workload.rate_per_s"),
            Ok(Value::from(2.0))
        );
        let t = set_path(s, "functions[0].memory_mb", &Value::from(1024)).expect("valid memory");
        assert_eq!(t.functions[0].memory_mb, 1024);
        let e = set_path(s, "functions[0].memory_mb", &Value::from(64)).unwrap_err();
        assert!(e.contains("memory_mb"), "{e}");
        assert!(get_path(s, "functions[3].memory_mb").is_err());
        assert!(get_path(s, "functions[x]").is_err());
        // Several at once: validated as a whole, so only the end state must be valid (here
        // provisioned concurrency above the old reservation, raised in the same change).
        let (reserved, provisioned) = (Value::from(50), Value::from(20));
        let both = [
            ("functions[0].provisioned_concurrency", &provisioned),
            ("functions[0].reserved_concurrency", &reserved),
        ];
        let r = set_path(s, "functions[0].reserved_concurrency", &Value::from(10))
            .expect("a reservation");
        assert!(set_path(&r, both[0].0, both[0].1).is_err(), "20 > 10 alone");
        let t = set_paths(&r, &both).expect("valid together");
        assert_eq!(
            (
                t.functions[0].provisioned_concurrency,
                t.functions[0].reserved_concurrency
            ),
            (20, Some(50))
        );
        let e =
            set_paths(&r, &[both[0], ("functions[0].memory_mb", &Value::from(64))]).unwrap_err();
        assert!(e.contains("functions[0]."), "names a field: {e}");
    }
}
