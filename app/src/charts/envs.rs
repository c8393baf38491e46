//! Environments over time: alive (grey), initialising or invoking (blue), cold starts (amber).

use engine::report::Report;

use super::palette::Role;
use super::time::{At, Shape, Ticks, TimeChart, Values};

/// Environments over time: alive (grey), initialising or invoking (blue), cold starts (amber).
pub fn chart(report: &Report) -> TimeChart {
    let rows = &report.series.rows;
    let y_max = rows.iter().map(|r| r.envs_mean).fold(1.0, f64::max) * 1.2;
    TimeChart::new("Environments", Ticks::Plain, y_max)
        .series(
            "alive",
            Role::Idle,
            Shape::Line(2),
            Values::each(|r| r.envs_mean, At::Middle),
        )
        .series(
            "busy or in Init",
            Role::Busy,
            Shape::Line(2),
            Values::each(|r| r.busy_mean + r.init_mean, At::Middle),
        )
        .series(
            "cold starts",
            Role::Init,
            Shape::Triangles,
            Values::some(|_| 0.0, At::Middle, |r| r.cold_starts > 0),
        )
}

/// The environments chart in words, for screen readers.
pub fn describe(report: &Report) -> String {
    let s = &report.summary;
    format!(
        "On average {:.1} environments were alive and {:.1} busy; at most {} ran at once.",
        s.env_count_mean,
        s.busy_env_mean,
        crate::format::count(s.concurrency_max, "request")
    )
}
