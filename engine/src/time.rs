//! Logical time: integer microseconds, and the conversions and wording the outputs use.

/// Microseconds in a second.
pub const US_PER_S: u64 = 1_000_000;
/// Microseconds in a millisecond.
pub const US_PER_MS: u64 = 1_000;

/// Seconds to whole microseconds (rounded to nearest; negative or NaN gives 0).
pub fn s_to_us(s: f64) -> u64 {
    let us = libm::round(s * US_PER_S as f64);
    if us.is_nan() || us <= 0.0 {
        0
    } else if us >= u64::MAX as f64 {
        u64::MAX
    } else {
        us as u64
    }
}

/// Milliseconds to whole microseconds (rounded to nearest; negative or NaN gives 0).
pub fn ms_to_us(ms: f64) -> u64 {
    s_to_us(ms / 1_000.0)
}

/// Microseconds as milliseconds.
pub fn us_to_ms(us: u64) -> f64 {
    us as f64 / US_PER_MS as f64
}

/// Microseconds as seconds.
pub fn us_to_s(us: u64) -> f64 {
    us as f64 / US_PER_S as f64
}

/// A duration in words the way the UI shows it: ms below a second, s below a minute, then min and h.
pub fn format_duration_us(us: u64) -> String {
    let ms = us_to_ms(us);
    use crate::report::fixed;
    if ms < 1.0 {
        format!("{} ms", fixed(ms, 2))
    } else if ms < 1_000.0 {
        format!("{} ms", fixed(ms, 0))
    } else if ms < 60_000.0 {
        format!("{} s", fixed(ms / 1_000.0, 2))
    } else if ms < 3_600_000.0 {
        format!("{} min", fixed(ms / 60_000.0, 1))
    } else {
        format!("{} h", fixed(ms / 3_600_000.0, 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_round_and_clamp() {
        assert_eq!(s_to_us(1.5), 1_500_000);
        assert_eq!(ms_to_us(0.0004), 0);
        assert_eq!(ms_to_us(0.0006), 1);
        assert_eq!(s_to_us(-3.0), 0);
        assert_eq!(s_to_us(f64::NAN), 0);
    }

    #[test]
    fn durations_read_like_the_design_says() {
        assert_eq!(format_duration_us(412_000), "412 ms");
        assert_eq!(format_duration_us(2_500_000), "2.50 s");
        assert_eq!(format_duration_us(600_000_000), "10.0 min");
    }
}
