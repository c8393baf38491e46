//! The experiment's summary line: the figures its lesson picks, each with the label that names
//! its scope. A bet's reveal and a challenge condition show the same figure with the same text,
//! through [`figure_value`].

use curriculum::{Metric, ShownFigure};
use engine::Report;

use crate::format::{metric_value, value_with_unit};

/// A figure's value as the learner reads it: in the unit the lesson gives the figure (a queue's
/// age in seconds, as its bound is written), else in its metric's unit.
pub fn figure_value(figure: &ShownFigure, v: f64) -> String {
    match figure.scaled(v) {
        Some((x, unit)) => value_with_unit(x, unit),
        None => metric_value(&figure.metric, v),
    }
}

/// A metric's value as the experiment shows it: through its figure when the experiment shows
/// one (always, for a lesson the checker passed), else in the metric's unit.
pub fn shown_value(figures: &[ShownFigure], metric: &Metric, v: f64) -> String {
    figures
        .iter()
        .find(|f| &f.metric == metric)
        .map_or_else(|| metric_value(metric, v), |f| figure_value(f, v))
}

/// The label a metric goes by in the experiment (the metric's name when it shows none).
pub fn shown_label(figures: &[ShownFigure], metric: &Metric) -> String {
    figures
        .iter()
        .find(|f| &f.metric == metric)
        .map_or_else(|| metric.to_string(), |f| f.label.clone())
}

/// The summary line of a run: "API p99 137 ms · orders failed 0 · cost $0.0123".
pub fn summary_line(figures: &[ShownFigure], report: &Report) -> String {
    figures
        .iter()
        .map(|f| match f.metric.read(report) {
            Ok(v) => format!("{} {}", f.label, figure_value(f, v)),
            Err(e) => format!("{}: {e}", f.label),
        })
        .collect::<Vec<_>>()
        .join(" \u{00b7} ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use curriculum::TimeUnit;

    fn fig(metric: &str, label: &str, unit: Option<TimeUnit>) -> ShownFigure {
        ShownFigure {
            metric: Metric::parse(metric).expect("a metric"),
            label: label.into(),
            unit,
        }
    }

    #[test]
    fn a_figure_reads_in_the_unit_its_bound_is_written_in() {
        let age = fig(
            "queued.queue_age_ms_max",
            "queued: oldest message",
            Some(TimeUnit::S),
        );
        assert_eq!(figure_value(&age, 90_000.0), "90 s");
        let p99 = fig("api.duration_ms_p99", "API p99", None);
        assert_eq!(figure_value(&p99, 137.0), "137 ms");
        let figures = [age, p99];
        assert_eq!(
            shown_value(&figures, &figures[0].metric, 90_000.0),
            "90 s",
            "a condition shows what the summary shows"
        );
        assert_eq!(shown_label(&figures, &figures[1].metric), "API p99");
    }

    #[test]
    fn the_summary_line_reads_each_figure_of_the_run() {
        let report = engine::run(
            &engine::Scenario::from_toml(
                "duration_s = 10\n[[functions]]\nname = \"f\"\nworkload = { kind = \"constant\", rate_per_s = 2 }\n",
            )
            .expect("a scenario"),
        )
        .expect("runs");
        let figures = [
            fig("requests", "requests", None),
            fig("cold_starts", "cold starts", None),
        ];
        assert_eq!(
            summary_line(&figures, &report),
            "requests 19 \u{00b7} cold starts 1"
        );
    }
}
