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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_carry_units_and_grouping() {
        assert_eq!(value_with_unit(512.0, "MB"), "512 MB");
        assert_eq!(value_with_unit(12.5, "req/s"), "12.5 req/s");
        assert_eq!(value_with_unit(0.5, "req/s"), "0.5 req/s");
        assert_eq!(value_with_unit(10240.0, "MB"), "10,240 MB");
    }
}
