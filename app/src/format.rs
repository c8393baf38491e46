//! How values read on screen: units always shown, times in ms below a second.

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

/// A figure of a report as a learner reads it, its unit taken from its name: durations
/// (`_ms`) in ms or s, money (`_usd`) in dollars, ratios as percentages, counts grouped.
pub fn metric_value(name: &str, v: f64) -> String {
    let field = name.rsplit('.').next().unwrap_or(name);
    if field.contains("_ms") {
        engine::time::format_duration_us((v.max(0.0) * 1000.0) as u64)
    } else if field.ends_with("_usd") {
        format!("${v:.4}")
    } else if field.ends_with("_ratio") {
        format!("{:.2}%", v * 100.0)
    } else if v.fract() == 0.0 && (0.0..1e15).contains(&v) {
        engine::report::group(v as u64)
    } else if v.abs() < 0.01 {
        format!("{v:.5}")
    } else {
        format!("{v:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_read_in_their_units() {
        assert_eq!(metric_value("queue_age_ms_max", 113_938.13), "1.9 min");
        assert_eq!(metric_value("duration_ms_p99", 250.0), "250 ms");
        assert_eq!(metric_value("checkout.cost_usd", 0.0312), "$0.0312");
        assert_eq!(metric_value("throttle_ratio", 0.125), "12.50%");
        assert_eq!(metric_value("ledger.dead_lettered", 12400.0), "12,400");
        assert_eq!(metric_value("busy_env_mean", 6.27), "6.27");
    }

    #[test]
    fn values_carry_units_and_grouping() {
        assert_eq!(value_with_unit(512.0, "MB"), "512 MB");
        assert_eq!(value_with_unit(12.5, "req/s"), "12.5 req/s");
        assert_eq!(value_with_unit(0.5, "req/s"), "0.5 req/s");
        assert_eq!(value_with_unit(10240.0, "MB"), "10,240 MB");
    }
}
