//! How values read on screen: units always shown, times in ms below a second.

use curriculum::{Metric, Unit};

/// A knob value with its unit, e.g. "512 MB", "12.5 req/s", "on".
pub fn value_with_unit(v: f64, unit: &str) -> String {
    let num = if v.fract() == 0.0 || v.abs() >= 100.0 {
        engine::report::group(v.round() as u64)
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string()
    };
    if unit.is_empty() {
        num
    } else {
        format!("{num} {unit}")
    }
}

/// A figure of a report as a learner reads it, in its metric's unit: durations in ms or s,
/// money in dollars, ratios as percentages, counts grouped.
pub fn metric_value(metric: &Metric, v: f64) -> String {
    match metric.unit() {
        Unit::Ms => engine::time::format_duration_us((v.max(0.0) * 1000.0) as u64),
        Unit::Usd => format!("${v:.4}"),
        Unit::Ratio => format!("{:.2}%", v * 100.0),
        // Seconds read as a bare number, as they always have.
        Unit::S | Unit::Count | Unit::Number => {
            if v.fract() == 0.0 && (0.0..1e15).contains(&v) {
                engine::report::group(v as u64)
            } else if v.abs() < 0.01 {
                format!("{v:.5}")
            } else {
                format!("{v:.2}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(name: &str) -> Metric {
        Metric::parse(name).expect("a metric")
    }

    #[test]
    fn figures_read_in_their_units() {
        assert_eq!(metric_value(&m("queue_age_ms_max"), 113_938.13), "1.9 min");
        assert_eq!(metric_value(&m("duration_ms_p99"), 250.0), "250 ms");
        assert_eq!(metric_value(&m("checkout.cost_usd"), 0.0312), "$0.0312");
        assert_eq!(metric_value(&m("throttle_ratio"), 0.125), "12.50%");
        assert_eq!(metric_value(&m("ledger.dead_lettered"), 12400.0), "12,400");
        assert_eq!(metric_value(&m("busy_env_mean"), 6.27), "6.27");
    }

    #[test]
    fn values_carry_units_and_grouping() {
        assert_eq!(value_with_unit(512.0, "MB"), "512 MB");
        assert_eq!(value_with_unit(12.5, "req/s"), "12.5 req/s");
        assert_eq!(value_with_unit(0.5, "req/s"), "0.5 req/s");
        assert_eq!(value_with_unit(10240.0, "MB"), "10,240 MB");
    }
}
