//! Lambda Lab's curriculum: lessons are data (Markdown + TOML), never code. This crate holds
//! their schema, reads and checks them, and gives the app typed knobs, metrics and chart kinds.
//! It uses only the engine's public API; the engine knows nothing of lessons.
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
//! with the file, the line where there is one, and the field. Names a lesson file writes as
//! strings are typed once read: a knob's path is a [`FieldPath`], a figure a [`Metric`], a
//! chart a [`ChartKind`]; one that is not valid fails the load.

mod chart;
mod check;
pub mod html;
mod knob;
mod load;
mod metric;
mod schema;
mod view;
pub mod wire;

pub use chart::ChartKind;
pub use knob::{
    apply_knobs, get_path, knob_values, number, same_value, set_path, set_paths, FieldPath,
};
pub use load::{load, load_dir, DirFiles, Files, LessonError};
pub use metric::{
    AlarmFigure, DeploymentFigure, Figure, LedgerFigure, Metric, TracingFigure, Unit,
};
pub use schema::{
    split_blocks, Band, Block, Catalog, Challenge, Choice, Condition, ConditionResult, Control,
    Experiment, Index, Knob, Lesson, LessonEntry, Needs, Page, Prediction, ScenarioData,
    ShownFigure, Source, TimeUnit, EXPERIMENT_MARKER,
};

#[cfg(test)]
mod tests;
