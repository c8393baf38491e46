//! How a report is written out: counts in words, and the tests serde uses to leave a figure out
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

/// Seconds of a µs time, for display.
pub fn t_s(us: u64) -> f64 {
    us_to_s(us)
}

/// Serde's `skip_serializing_if` test: a count left out while it is zero.
pub(super) fn is_zero(v: &u64) -> bool {
    *v == 0
}

/// Serde's `skip_serializing_if` test: a figure left out while it is zero.
pub(super) fn is_zero_f64(v: &f64) -> bool {
    *v == 0.0
}

/// Serde's `skip_serializing_if` test: a flag left out while it is false.
pub(super) fn is_false(v: &bool) -> bool {
    !*v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_grouped() {
        assert_eq!(group(0), "0");
        assert_eq!(group(999), "999");
        assert_eq!(group(12_400), "12,400");
        assert_eq!(group(1_234_567), "1,234,567");
    }
}
