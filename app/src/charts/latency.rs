//! Duration percentiles per bucket (p50 and p99), in ms.

use engine::report::Report;

use super::palette::Role;
use super::time::{At, Shape, Ticks, TimeChart, Values};

/// Duration percentiles per bucket, in ms, over the buckets where requests completed.
pub fn chart(report: &Report) -> TimeChart {
    let y_max = report
        .series
        .rows
        .iter()
        .filter(|r| r.completions > 0)
        .map(|r| r.p99_ms)
        .fold(1.0, f64::max)
        * 1.15;
    TimeChart::new("Duration", Ticks::Plain, y_max)
        .unit("ms")
        .series(
            "p99",
            Role::Init,
            Shape::Line(2),
            Values::some(|r| r.p99_ms, At::Middle, |r| r.completions > 0),
        )
        .series(
            "p50",
            Role::Busy,
            Shape::Line(2),
            Values::some(|r| r.p50_ms, At::Middle, |r| r.completions > 0),
        )
}

/// The latency chart in words, for screen readers.
pub fn describe(report: &Report) -> String {
    let s = &report.summary;
    if s.invocations == 0 {
        return "No requests ran, so there are no durations.".into();
    }
    format!(
        "Over the run the median duration was {:.0} ms and the 99th percentile {:.0} ms; the worst bucket's p99 was {:.0} ms.",
        s.duration_ms_p50,
        s.duration_ms_p99,
        report.series.rows.iter().map(|r| r.p99_ms).fold(0.0, f64::max)
    )
}
