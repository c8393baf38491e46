//! The cache hit ratio per bucket, with the cold starts (each a new, empty in-memory cache).

use engine::report::Report;

use super::legend::Corner;
use super::palette::Role;
use super::time::{At, Shape, Ticks, TimeChart, Values};

/// The cache hit ratio per bucket, with the cold starts (each a new, empty in-memory cache).
pub fn chart(report: &Report) -> TimeChart {
    let bs = report.series.bucket_s;
    let half = bs / 2.0;
    let n = report.series.rows.len();
    let (mut hits, mut misses) = (vec![0u64; n], vec![0u64; n]);
    for f in &report.series.by_function {
        for (b, r) in f.iter().enumerate().take(n) {
            hits[b] += r.cache_hits;
            misses[b] += r.cache_misses;
        }
    }
    let mut chart = TimeChart::new("Cache hit ratio", Ticks::Percent, 105.0)
        .series(
            "hits / lookups",
            Role::Busy,
            Shape::Line(2),
            Values::Points(
                (0..n)
                    .filter(|&b| hits[b] + misses[b] > 0)
                    .map(|b| {
                        let ratio = 100.0 * hits[b] as f64 / (hits[b] + misses[b]) as f64;
                        (b as f64 * bs + half, ratio)
                    })
                    .collect(),
            ),
        )
        .series(
            "cold starts (a new environment, an empty cache)",
            Role::Init,
            Shape::Triangles,
            Values::some(|_| 0.0, At::Middle, |r| r.cold_starts > 0),
        );
    // The ratio runs high most of the time: the legend goes low, on the right.
    chart.legend = Corner::LowerRight;
    chart
}

/// The cache chart in words, for screen readers.
pub fn describe(report: &Report) -> String {
    let s = &report.summary;
    format!(
        "{} and {}: a hit ratio of {:.0}%.",
        crate::format::count(s.cache_hits, "cache hit"),
        crate::format::count(s.cache_misses, "miss"),
        s.cache_hit_ratio * 100.0
    )
}
