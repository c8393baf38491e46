//! Requests in flight (peak per bucket) against the account limit and reserved concurrency.

use engine::report::{ConcurrencyLimits, Report};

use super::palette::Role;
use super::time::{At, Limit, Shape, Ticks, TimeChart, Values};

/// The run's concurrency limits (the report carries them) as labelled dashed lines.
fn lines(limits: &ConcurrencyLimits) -> Vec<Limit> {
    std::iter::once(Limit {
        y: f64::from(limits.account),
        label: format!(
            "account limit {}",
            engine::report::group(u64::from(limits.account))
        ),
    })
    .chain(limits.reserved.iter().map(|(name, r)| Limit {
        y: f64::from(*r),
        label: format!("{name} reserved {r}"),
    }))
    .collect()
}

/// Requests in flight (peak per bucket) against the account limit and reserved concurrency.
pub fn chart(report: &Report) -> TimeChart {
    let rows = &report.series.rows;
    let peak = rows.iter().map(|r| r.concurrency_max).max().unwrap_or(0) as f64;
    // Show a limit only when the traffic comes within reach of it.
    let shown: Vec<Limit> = lines(&report.limits)
        .into_iter()
        .filter(|l| l.y <= peak * 2.0 + 1.0)
        .collect();
    let y_max = shown.iter().map(|l| l.y).fold(peak.max(1.0), f64::max) * 1.15;
    let mut chart = TimeChart::new("In flight", Ticks::Plain, y_max).series(
        "requests in flight (peak)",
        Role::Busy,
        Shape::Line(2),
        Values::each(|r| r.concurrency_max as f64, At::Step),
    );
    chart.limits = shown;
    chart
}

/// The concurrency chart in words, for screen readers.
pub fn describe(report: &Report) -> String {
    let s = &report.summary;
    format!(
        "At most {} {} in flight at once; {} throttled.",
        crate::format::count(s.concurrency_max, "request"),
        crate::format::plural_of(s.concurrency_max, "was", "were"),
        {
            let n = s.throttled;
            format!(
                "{} {}",
                engine::report::group(n),
                crate::format::plural_of(n, "was", "were")
            )
        }
    )
}
