//! Throttled requests (red bars) and retries sent (purple line) per bucket.

use engine::report::Report;

use super::palette::Role;
use super::time::{At, Shape, Ticks, TimeChart, Values};

/// Throttled (red bars) and retried (purple line) requests per bucket.
pub fn chart(report: &Report) -> TimeChart {
    let y_max = report
        .series
        .rows
        .iter()
        .map(|r| r.throttles.max(r.retries))
        .max()
        .unwrap_or(0)
        .max(1) as f64
        * 1.2;
    TimeChart::new("Requests", Ticks::Plain, y_max)
        .series(
            "throttled (429)",
            Role::Throttle,
            Shape::Bars,
            Values::some(|r| r.throttles as f64, At::Start, |r| r.throttles > 0),
        )
        .series(
            "retries sent",
            Role::Retry,
            Shape::Line(2),
            Values::each(|r| r.retries as f64, At::Middle),
        )
}

/// The throttles chart in words, for screen readers.
pub fn describe(report: &Report) -> String {
    let s = &report.summary;
    format!(
        "{} throttled and {} sent; the worst bucket had {}.",
        {
            let n = s.throttled;
            format!(
                "{} {}",
                crate::format::count(n, "invocation"),
                crate::format::plural_of(n, "was", "were")
            )
        },
        crate::format::count(s.retries, "retry"),
        crate::format::count(
            report
                .series
                .rows
                .iter()
                .map(|r| r.throttles)
                .max()
                .unwrap_or(0),
            "throttle"
        )
    )
}
