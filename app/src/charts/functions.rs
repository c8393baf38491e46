//! Invocations per second of each function or version, with their errors: the busiest few,
//! told apart by shade.

use engine::report::Report;

use super::palette::Role;
use super::time::{Shape, Ticks, TimeChart, Values};

/// Most functions or versions drawn as their own line.
const MAX_LINES: usize = 4;

/// The units with traffic, busiest first (at most `MAX_LINES`).
fn busy_units(report: &Report) -> Vec<usize> {
    let mut units: Vec<usize> = (0..report.functions.len())
        .filter(|&k| report.functions[k].summary.invocations > 0)
        .collect();
    units.sort_by_key(|&k| std::cmp::Reverse(report.functions[k].summary.invocations));
    units.truncate(MAX_LINES);
    units.sort_unstable();
    units
}

/// Invocations per second of each function or version (solid) and their errors (red).
pub fn chart(report: &Report) -> TimeChart {
    let bs = report.series.bucket_s.max(1e-9);
    let by = &report.series.by_function;
    let units = busy_units(report);
    let rate = |v: u64| v as f64 / bs;
    // Head room above the lines for the legend: two rows per function with errors.
    let entries = units
        .iter()
        .map(|&k| 1 + usize::from(by[k].iter().any(|b| b.errors > 0)))
        .sum::<usize>();
    let y_max = units
        .iter()
        .flat_map(|&k| by[k].iter().map(|b| rate(b.invocations)))
        .fold(1.0, f64::max)
        * (1.1 + 0.12 * entries as f64);
    let mut chart = TimeChart::new("Per second", Ticks::Plain, y_max);
    let half = bs / 2.0;
    for (i, &k) in units.iter().enumerate() {
        let name = &report.functions[k].name;
        let rows = &by[k];
        let width = if i == 0 { 2 } else { 3 };
        chart = chart.series(
            format!("{name} invocations"),
            Role::Shade(i),
            Shape::Line(width),
            Values::Points(
                rows.iter()
                    .enumerate()
                    .map(|(b, r)| (b as f64 * bs + half, rate(r.invocations)))
                    .collect(),
            ),
        );
        if rows.iter().any(|r| r.errors > 0) {
            chart = chart.series(
                format!("{name} errors"),
                Role::Throttle,
                Shape::Crosses,
                Values::Points(
                    rows.iter()
                        .enumerate()
                        .filter(|(_, r)| r.errors > 0)
                        .map(|(b, r)| (b as f64 * bs + half, rate(r.errors)))
                        .collect(),
                ),
            );
        }
    }
    chart
}

/// The functions chart in words, for screen readers.
pub fn describe(report: &Report) -> String {
    busy_units(report)
        .iter()
        .map(|&k| {
            let f = &report.functions[k];
            format!(
                "{}: {}, {}",
                f.name,
                crate::format::count(f.summary.invocations, "invocation"),
                crate::format::count(f.summary.errors, "error")
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}
