//! The lesson schema: what `lesson.toml` holds, and the checked catalog the app embeds.

use std::collections::BTreeMap;

use engine::{Report, Scenario};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::chart::{default_charts, ChartKind};
use crate::knob::FieldPath;
use crate::metric::Metric;

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
