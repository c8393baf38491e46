//! Messages waiting in the queue (peak per bucket) and in the dead-letter queue.

use engine::report::Report;

use super::palette::Role;
use super::time::{At, Shape, Ticks, TimeChart, Values};

/// Queue depth (peak per bucket) and dead-letter queue depth, in messages.
pub fn chart(report: &Report) -> TimeChart {
    let y_max = report
        .series
        .rows
        .iter()
        .map(|r| r.queue_depth_max.max(r.dlq_depth))
        .max()
        .unwrap_or(0)
        .max(1) as f64
        * 1.2;
    TimeChart::new("Messages", Ticks::Plain, y_max)
        .series(
            "in the queue (peak)",
            Role::Busy,
            Shape::Line(2),
            Values::each(|r| r.queue_depth_max as f64, At::Step),
        )
        .series(
            "in the dead-letter queue",
            Role::Dlq,
            Shape::Line(3),
            Values::each(|r| r.dlq_depth as f64, At::Step),
        )
}

/// The queue chart in words, for screen readers.
pub fn describe(report: &Report) -> String {
    let s = &report.summary;
    let mut text = format!(
        "At most {} waited in the queue (the oldest {} old); {} ended in the dead-letter queue.",
        crate::format::count(s.queue_depth_max, "message"),
        crate::format::duration_s(s.queue_age_ms_max / 1000.0),
        engine::report::group(s.dlq_depth)
    );
    if s.dead_letter_errors > 0 {
        text.push_str(&format!(
            " {} could not be sent to it (DeadLetterErrors): those events are lost.",
            s.dead_letter_errors
        ));
    }
    text
}
