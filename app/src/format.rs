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

/// A count with its noun, in the singular for one: "1 error", "2 errors", "12,400 retries".
pub fn count(n: u64, noun: &str) -> String {
    let grouped = engine::report::group(n);
    if n == 1 {
        format!("{grouped} {noun}")
    } else {
        format!("{grouped} {}", plural(noun))
    }
}

/// The plural of an English noun the app counts (regular rules, enough for its nouns).
pub fn plural(noun: &str) -> String {
    let consonant_y = noun.ends_with('y')
        && !noun.ends_with("ay")
        && !noun.ends_with("ey")
        && !noun.ends_with("oy");
    if consonant_y {
        format!("{}ies", &noun[..noun.len() - 1])
    } else if ["s", "x", "ch", "sh"].iter().any(|e| noun.ends_with(e)) {
        format!("{noun}es")
    } else {
        format!("{noun}s")
    }
}

/// A span of time given in seconds, in the largest unit that reads well: "250 ms", "45 s",
/// "5 min", "1.5 min", "6 h". Whole values carry no ".0".
pub fn duration_s(s: f64) -> String {
    let s = if s.is_finite() { s.max(0.0) } else { 0.0 };
    let (v, unit) = if s < 1.0 {
        (s * 1_000.0, "ms")
    } else if s < 60.0 {
        (s, "s")
    } else if s < 3_600.0 {
        (s / 60.0, "min")
    } else {
        (s / 3_600.0, "h")
    };
    let text = if unit == "ms" || v >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    };
    let text = text.strip_suffix(".0").unwrap_or(&text);
    format!("{text} {unit}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(name: &str) -> Metric {
        Metric::parse(name).expect("a metric")
    }

    #[test]
    fn counts_agree_with_their_number() {
        for (n, noun, expected) in [
            (0, "error", "0 errors"),
            (1, "error", "1 error"),
            (2, "message", "2 messages"),
            (1, "environment", "1 environment"),
            (12_400, "retry", "12,400 retries"),
            (1, "retry", "1 retry"),
            (3, "day", "3 days"),
            (2, "batch", "2 batches"),
            (1, "minute", "1 minute"),
        ] {
            assert_eq!(count(n, noun), expected);
        }
    }

    #[test]
    fn durations_read_in_the_largest_unit() {
        for (s, expected) in [
            (0.0, "0 ms"),
            (0.25, "250 ms"),
            (45.0, "45 s"),
            (1.5, "1.5 s"),
            (300.0, "5 min"),
            (90.0, "1.5 min"),
            (21_600.0, "6 h"),
            (5_400.0, "1.5 h"),
            (f64::NAN, "0 ms"),
        ] {
            assert_eq!(duration_s(s), expected, "{s} s");
        }
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
