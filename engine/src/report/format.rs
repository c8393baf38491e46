//! How a report is written out: counts in words, lengths of time in the unit that reads best, and the tests serde uses to leave a figure out
//! of a serialised report while it is zero.

use crate::time::us_to_s;

/// A count with thousands grouped: 12400 -> "12,400".
pub fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `v` with `decimals` digits after the point, as `format!("{v:.N}")` writes it, in integer
/// arithmetic: `v` is scaled by ten to the `decimals`, rounded (half away from zero) and the
/// whole number written out. The page's wasm then carries none of Rust's float formatting
/// (its digit tables and big-number arithmetic, about 6 KiB gzipped), and the command line and
/// the page write every figure alike. Magnitudes past 10^18 / 10^decimals, which no figure
/// reaches, are written as that bound.
pub fn fixed(v: f64, decimals: u32) -> String {
    if v.is_nan() {
        return "NaN".to_string();
    }
    let scale = 10u64.pow(decimals.min(9));
    let n = (v.abs() * scale as f64).round().min(1e18) as u64;
    let sign = if v < 0.0 && n != 0 { "-" } else { "" };
    let (whole, frac) = (n / scale, n % scale);
    if decimals == 0 {
        format!("{sign}{whole}")
    } else {
        format!(
            "{sign}{whole}.{frac:0width$}",
            width = decimals.min(9) as usize
        )
    }
}

/// `v` with at most `decimals` digits after the point and no trailing zeros: 2.5 reads "2.5",
/// 3.0 reads "3" ([`fixed`], trimmed).
pub fn trimmed(v: f64, decimals: u32) -> String {
    let s = fixed(v, decimals);
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// A noun in the number `n` asks for: "error" for 1, "errors" otherwise. Regular English
/// plurals ("query" → "queries", "batch" → "batches"); a noun whose plural is irregular, or
/// a phrase whose first word is the noun, goes through [`plural_of`] with both forms.
pub fn plural(n: u64, one: &str) -> String {
    if n == 1 {
        return one.to_string();
    }
    let consonant_y = one.ends_with('y')
        && !one
            .chars()
            .rev()
            .nth(1)
            .is_some_and(|c| "aeiou".contains(c));
    if consonant_y {
        format!("{}ies", &one[..one.len() - 1])
    } else if ["s", "x", "ch", "sh"].iter().any(|e| one.ends_with(e)) {
        format!("{one}es")
    } else {
        format!("{one}s")
    }
}

/// A count and its noun, grouped: "1 error", "1,274 errors", "0 messages".
pub fn count(n: u64, one: &str) -> String {
    format!("{} {}", group(n), plural(n, one))
}

/// A length of time given in seconds, in the unit that reads best: "45 s", "1.5 min" below
/// an hour (whole minutes read "10 min"), then hours and minutes: "6 h", "1 h 30 min".
pub fn duration_s(s: f64) -> String {
    let s = if s.is_finite() { s.max(0.0) } else { 0.0 };
    if s < 60.0 {
        format!("{} s", short_number(s))
    } else if s < 3_600.0 {
        format!("{} min", short_number(s / 60.0))
    } else {
        let minutes = (s / 60.0).round() as u64;
        match (minutes / 60, minutes % 60) {
            (h, 0) => format!("{} h", group(h)),
            (h, m) => format!("{} h {m} min", group(h)),
        }
    }
}

/// A number with at most one decimal, without a trailing ".0": "1.5", "10", "2,400".
fn short_number(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        group(r as u64)
    } else {
        fixed(r, 1)
    }
}

/// Seconds of a µs time, for display.
pub fn t_s(us: u64) -> f64 {
    us_to_s(us)
}

thread_local! {
    /// Set while [`every_field`] runs.
    static EVERY_FIELD: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `write` with every field of a report written, none left out for being zero or empty:
/// a format that does not name its fields (the worker's messages to the page are postcard)
/// reads them by position. JSON, written outside this, leaves them out to stay short.
pub fn every_field<R>(write: impl FnOnce() -> R) -> R {
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            EVERY_FIELD.with(|e| e.set(self.0));
        }
    }
    let _reset = Reset(EVERY_FIELD.with(|e| e.replace(true)));
    write()
}

/// Whether a field may be left out now (not inside [`every_field`]).
fn may_skip() -> bool {
    !EVERY_FIELD.with(std::cell::Cell::get)
}

/// Serde's `skip_serializing_if` test: a count left out while it is zero.
pub(super) fn is_zero(v: &u64) -> bool {
    *v == 0 && may_skip()
}

/// Serde's `skip_serializing_if` test: a figure left out while it is zero.
pub(super) fn is_zero_f64(v: &f64) -> bool {
    *v == 0.0 && may_skip()
}

/// Serde's `skip_serializing_if` test: a flag left out while it is false.
pub(super) fn is_false(v: &bool) -> bool {
    !*v && may_skip()
}

/// Serde's `skip_serializing_if` test: a list left out while it is empty.
pub(super) fn is_empty<T>(v: &[T]) -> bool {
    v.is_empty() && may_skip()
}

/// Serde's `skip_serializing_if` test: an option left out while it is `None`.
pub(super) fn is_none<T>(v: &Option<T>) -> bool {
    v.is_none() && may_skip()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn fixed_writes_digits_after_the_point() {
        for (v, d, want) in [
            (0.0, 2, "0.00"),
            (12.345, 1, "12.3"),
            (2.5, 0, "3"),
            (-1.26, 1, "-1.3"),
            (0.004, 2, "0.00"),
            (-0.004, 2, "0.00"),
            (1234.5678, 4, "1234.5678"),
            (0.0271, 4, "0.0271"),
            (f64::NAN, 2, "NaN"),
        ] {
            assert_eq!(fixed(v, d), want, "{v} to {d} places");
        }
        assert_eq!(trimmed(2.5, 3), "2.5");
        assert_eq!(trimmed(3.0, 3), "3");
        assert_eq!(trimmed(0.125, 2), "0.13");
    }

    proptest! {
        /// Away from an exact half, where rounding rules may differ, `fixed` writes what
        /// `format!` writes (and never "-0").
        #[test]
        fn fixed_agrees_with_format(v in -1e9f64..1e9, d in 0u32..6) {
            let scaled = v.abs() * 10f64.powi(d as i32);
            prop_assume!((scaled.fract() - 0.5).abs() > 1e-6);
            let rust = format!("{v:.*}", d as usize);
            let rust = if scaled.round() == 0.0 { rust.trim_start_matches('-').to_string() } else { rust };
            prop_assert_eq!(fixed(v, d), rust);
        }
    }

    #[test]
    fn counts_are_grouped() {
        assert_eq!(group(0), "0");
        assert_eq!(group(999), "999");
        assert_eq!(group(12_400), "12,400");
        assert_eq!(group(1_234_567), "1,234,567");
    }

    #[test]
    fn counts_and_durations_read_in_words() {
        assert_eq!(count(1, "query"), "1 query");
        assert_eq!(count(1_274, "query"), "1,274 queries");
        assert_eq!(count(1_274, "arrival"), "1,274 arrivals");
        assert_eq!(plural(2, "batch"), "batches");
        assert_eq!(duration_s(45.0), "45 s");
        assert_eq!(duration_s(90.0), "1.5 min");
        assert_eq!(duration_s(600.0), "10 min");
        assert_eq!(duration_s(21_600.0), "6 h");
        assert_eq!(duration_s(5_400.0), "1 h 30 min");
    }
}
