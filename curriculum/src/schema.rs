//! The lesson schema: what `lesson.toml` holds, and the checked catalog the app embeds.

use std::collections::BTreeMap;

use engine::{Report, Scenario};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::chart::{default_charts, ChartKind};
use crate::knob::{same_value, FieldPath};
use crate::metric::{Metric, Unit};

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
    #[serde(default, with = "crate::wire::json_text")]
    pub set: BTreeMap<String, Value>,
    /// The figure that decides the answer.
    pub metric: Metric,
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
    #[serde(with = "crate::wire::json_text")]
    pub solution: BTreeMap<String, Value>,
    /// The solution in words.
    pub solution_text: String,
}

/// One condition of a challenge: a metric within bounds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// The figure.
    pub metric: Metric,
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
    pub fn evaluate(&self, report: &Report) -> Result<Vec<ConditionResult>, String> {
        self.conditions
            .iter()
            .map(|c| {
                let value = c.metric.read(report)?;
                Ok(ConditionResult {
                    condition: c.clone(),
                    value,
                    met: c.holds(value),
                })
            })
            .collect()
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
    /// The charts to show, in order.
    #[serde(default = "default_charts")]
    pub charts: Vec<ChartKind>,
    /// The figures its summary line shows, in order; every prediction and challenge condition
    /// on this experiment reads one of them.
    #[serde(default)]
    pub figures: Vec<ShownFigure>,
}

impl Experiment {
    /// The shown figure that reads `metric`, if the experiment shows it.
    pub fn figure(&self, metric: &Metric) -> Option<&ShownFigure> {
        self.figures.iter().find(|f| &f.metric == metric)
    }
}

/// A figure an experiment's summary line shows: a metric and the words that name its scope
/// ("API p99", "requests that ended throttled").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShownFigure {
    /// The figure.
    pub metric: Metric,
    /// What the learner reads before the value; it names the function when the metric reads one.
    pub label: String,
    /// For a time, the unit it is shown in (`ms`, `s`, `min` or `h`) instead of the one the
    /// value's size picks, so it reads as the bounds that test it are written.
    #[serde(default)]
    pub unit: Option<TimeUnit>,
}

/// A unit a time is shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TimeUnit {
    /// Milliseconds.
    Ms,
    /// Seconds.
    S,
    /// Minutes.
    Min,
    /// Hours.
    H,
}

impl TimeUnit {
    /// The unit's symbol.
    pub fn symbol(self) -> &'static str {
        match self {
            TimeUnit::Ms => "ms",
            TimeUnit::S => "s",
            TimeUnit::Min => "min",
            TimeUnit::H => "h",
        }
    }

    fn seconds(self) -> f64 {
        match self {
            TimeUnit::Ms => 0.001,
            TimeUnit::S => 1.0,
            TimeUnit::Min => 60.0,
            TimeUnit::H => 3600.0,
        }
    }
}

impl ShownFigure {
    /// The value in the figure's own unit, when it sets one: `(90.0, "s")` for 90,000 ms.
    /// `None` when the metric's unit applies (or the metric is not a time).
    pub fn scaled(&self, v: f64) -> Option<(f64, &'static str)> {
        let unit = self.unit?;
        let per_s = match self.metric.unit() {
            Unit::Ms => 0.001,
            Unit::S => 1.0,
            _ => return None,
        };
        Some((v * per_s / unit.seconds(), unit.symbol()))
    }
}

/// A knob that only matters once another knob is set: `needs = { knob = "backoff", above = 0 }`
/// or `needs = { knob = "partial", equals = true }`. The checker moves the other knob first; the
/// app greys this one until then and says why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Needs {
    /// The other knob's id.
    pub knob: String,
    /// It must be above this number.
    #[serde(default)]
    pub above: Option<f64>,
    /// It must be below this number.
    #[serde(default)]
    pub below: Option<f64>,
    /// It must equal this value.
    #[serde(default, with = "crate::wire::json_text")]
    pub equals: Option<Value>,
    /// It must be anything but this value.
    #[serde(default, with = "crate::wire::json_text")]
    pub not: Option<Value>,
}

impl Needs {
    /// Whether the other knob's value `v` lets this knob matter.
    pub fn met(&self, v: &Value) -> bool {
        self.above.is_none_or(|a| v.as_f64().is_some_and(|x| x > a))
            && self.below.is_none_or(|b| v.as_f64().is_some_and(|x| x < b))
            && self.equals.as_ref().is_none_or(|e| same_value(e, v))
            && self.not.as_ref().is_none_or(|e| !same_value(e, v))
    }

    /// The note shown next to the greyed knob: "matters once Caller retries is above 0".
    pub fn note(&self, knobs: &[Knob]) -> String {
        let Some(other) = knobs.iter().find(|k| k.id == self.knob) else {
            return String::new();
        };
        let unit = if other.unit.is_empty() {
            String::new()
        } else {
            format!(" {}", other.unit)
        };
        let said = |e: &Value| match (other.control, e) {
            (Control::Toggle, Value::Bool(true)) => "on".to_string(),
            (Control::Toggle, Value::Bool(false)) => "off".to_string(),
            _ => other
                .options
                .iter()
                .find(|o| same_value(&o.value, e))
                .map_or_else(
                    || crate::knob::json(e),
                    |o| format!("\u{201c}{}\u{201d}", o.label),
                ),
        };
        let mut parts = Vec::new();
        if let Some(a) = self.above {
            // "above 0" needs no unit ("Retry attempts is above 0").
            let unit = if a == 0.0 { "" } else { unit.as_str() };
            parts.push(format!("is above {}{unit}", engine::report::trimmed(a, 6)));
        }
        if let Some(b) = self.below {
            parts.push(format!("is below {}{unit}", engine::report::trimmed(b, 6)));
        }
        if let Some(e) = &self.equals {
            parts.push(format!("is {}", said(e)));
        }
        if let Some(e) = &self.not {
            parts.push(format!("is not {}", said(e)));
        }
        format!("matters once {} {}", other.label, parts.join(" and "))
    }
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
    pub path: FieldPath,
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
    /// Another knob that must be set for this one to matter.
    #[serde(default)]
    pub needs: Option<Needs>,
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
    #[serde(with = "crate::wire::json_text")]
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

/// A lesson as the app gets it: its text split around its experiments (Markdown already
/// rendered) and, for each experiment, what the page needs of its scenario. The app holds no
/// scenario reader: it sends the scenario on to the engine's worker as JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page {
    /// Folder name, used in URLs.
    pub id: String,
    /// The checked lesson file.
    pub lesson: Lesson,
    /// Its text and experiments, in reading order.
    pub blocks: Vec<Block>,
    /// Each experiment's scenario, by experiment id.
    pub scenarios: BTreeMap<String, ScenarioData>,
}

/// An experiment's scenario as the app uses it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioData {
    /// The scenario, as the engine's JSON: the worker reads it, sets the knobs and runs it.
    #[serde(with = "crate::wire::json_text")]
    pub json: Value,
    /// Its simulated time, in seconds (the playback's range).
    pub duration_s: f64,
    /// Its seed.
    pub seed: u64,
    /// The value of each of the experiment's knobs in the file, in the knobs' order.
    #[serde(with = "crate::wire::json_text")]
    pub knob_values: Vec<Value>,
}

impl Page {
    /// The page of a checked lesson; `render` turns Markdown into HTML.
    pub fn new(entry: LessonEntry, render: impl Fn(&str) -> String) -> Result<Page, String> {
        let blocks = split_blocks(&entry.markdown, render);
        let mut scenarios = BTreeMap::new();
        for (xid, scenario) in &entry.scenarios {
            let experiment = entry
                .lesson
                .experiments
                .iter()
                .find(|x| &x.id == xid)
                .ok_or_else(|| format!("{}: no experiment \"{xid}\"", entry.id))?;
            let json = serde_json::to_value(scenario)
                .map_err(|e| format!("{}: experiment \"{xid}\": {e}", entry.id))?;
            scenarios.insert(
                xid.clone(),
                ScenarioData {
                    knob_values: crate::knob::knob_values(scenario, &experiment.knobs),
                    json,
                    duration_s: scenario.duration_s,
                    seed: scenario.seed,
                },
            );
        }
        Ok(Page {
            id: entry.id,
            lesson: entry.lesson,
            blocks,
            scenarios,
        })
    }
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
