//! The run's cost so far, in US dollars.

use engine::report::Report;

use super::palette::Role;
use super::time::{At, Shape, Ticks, TimeChart, Values};

/// Cumulative cost, in US dollars.
pub fn chart(report: &Report) -> TimeChart {
    let rows = &report.series.rows;
    let y_max = rows.last().map_or(0.0, |r| r.cost_cum_usd).max(1e-6) * 1.15;
    TimeChart::new("US dollars", Ticks::Dollars, y_max).series(
        "cost so far",
        Role::Money,
        Shape::Line(2),
        Values::each(|r| r.cost_cum_usd, At::RunningTotal),
    )
}

/// The cost chart in words, for screen readers.
pub fn describe(report: &Report) -> String {
    let s = &report.summary;
    format!(
        "The run cost ${:.4} in all over {:.0} s.",
        s.cost_usd, s.duration_s
    )
}
