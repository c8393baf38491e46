//! How values read on screen: counts with their nouns in the right number, durations in the
//! largest unit that reads well, units always shown. Every screen string with a count, a
//! duration or a unit goes through here.

use curriculum::{Metric, Unit};
use engine::report::Summary;
pub use engine::report::{count, duration_s, fixed, plural};

/// One of two given forms, by number: `plural_of(n, "environment is", "environments are")`.
pub fn plural_of<'a>(n: u64, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// A duration in milliseconds from a run, or "no requests" when nothing was timed (a p99 of
/// no requests is not 0 ms).
pub fn duration_ms_of(v: f64, timed: u64) -> String {
    if timed == 0 {
        "no requests".to_string()
    } else {
        engine::time::format_duration_us((v.max(0.0) * 1000.0) as u64)
    }
}

/// A run's p99 duration as it reads on screen ("no requests" when none ran).
pub fn p99(s: &Summary) -> String {
    duration_ms_of(s.duration_ms_p99, s.invocations)
}

/// A knob value with its unit, e.g. "512 MB", "12.5 req/s", "on"; seconds above an hour read
/// in hours and minutes ("21,600 s" reads "6 h").
pub fn value_with_unit(v: f64, unit: &str) -> String {
    if unit == "s" && v > 3_600.0 {
        return duration_s(v);
    }
    let num = if v.fract() == 0.0 || v.abs() >= 100.0 {
        engine::report::group(v.round() as u64)
    } else if v.abs() >= 10.0 {
        fixed(v, 1)
    } else {
        engine::report::trimmed(v, 2)
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
        Unit::Usd => format!("${}", fixed(v, 4)),
        Unit::Ratio => format!("{}%", fixed(v * 100.0, 2)),
        Unit::YesNo if v >= 0.5 => "yes".to_string(),
        Unit::YesNo => "no".to_string(),
        // Seconds read as a bare number, as they always have.
        Unit::S | Unit::Count | Unit::Number => {
            if v.fract() == 0.0 && (0.0..1e15).contains(&v) {
                engine::report::group(v as u64)
            } else if v.abs() < 0.01 {
                fixed(v, 5)
            } else {
                fixed(v, 2)
            }
        }
    }
}

/// A number as the browser writes it, the shortest text that reads back as the same number
/// (`12.5`, `0.1`, `1e-7`): for the values of inputs and links. In the browser it is the
/// browser's own writer; Rust's would bring its float formatting into the page's wasm.
pub fn shortest(v: f64) -> String {
    #[cfg(target_arch = "wasm32")]
    return js_sys::Number::from(v)
        .to_string_with_radix(10)
        .map(String::from)
        .unwrap_or_default();
    #[cfg(not(target_arch = "wasm32"))]
    return v.to_string();
}

/// JSON as the page writes it (the requests to the workers, the stored progress): serde_json's
/// writer with its numbers written by [`shortest`]. They read back as the same numbers, and
/// Rust's float writer stays out of the page's wasm. A whole number is written without a
/// fraction (`5`, not `5.0`), which every reader of these messages accepts as a float. `None`
/// only for what JSON cannot hold (a map whose keys are not strings), which the page never
/// writes.
pub fn json<T: serde::Serialize + ?Sized>(value: &T) -> Option<String> {
    let mut out = Vec::new();
    value
        .serialize(&mut serde_json::Serializer::with_formatter(
            &mut out,
            BrowserNumbers,
        ))
        .ok()?;
    String::from_utf8(out).ok()
}

/// serde_json's compact layout with the browser's number writer.
struct BrowserNumbers;

impl serde_json::ser::Formatter for BrowserNumbers {
    fn write_f64<W: ?Sized + std::io::Write>(&mut self, w: &mut W, v: f64) -> std::io::Result<()> {
        w.write_all(shortest(v).as_bytes())
    }

    fn write_f32<W: ?Sized + std::io::Write>(&mut self, w: &mut W, v: f32) -> std::io::Result<()> {
        w.write_all(shortest(f64::from(v)).as_bytes())
    }
}

/// `base` to the power `exp`, and the natural logarithm: the browser's `Math.pow` and
/// `Math.log` in the page (Rust's would bring libm's code into its wasm), Rust's natively.
pub fn pow(base: f64, exp: f64) -> f64 {
    #[cfg(target_arch = "wasm32")]
    return js_sys::Math::pow(base, exp);
    #[cfg(not(target_arch = "wasm32"))]
    return base.powf(exp);
}

/// The natural logarithm; see [`pow`].
pub fn ln(v: f64) -> f64 {
    #[cfg(target_arch = "wasm32")]
    return js_sys::Math::log(v);
    #[cfg(not(target_arch = "wasm32"))]
    return v.ln();
}

/// A decimal number as typed, carried in a link or given by a slider (`12`, `-0.5`, `1e3`);
/// `None` for anything else, and for one too large to be finite. In the browser it is read by
/// the browser's own number reader, which rounds exactly as Rust's does: Rust's would bring its
/// tables (about 20 KB) into the page's wasm.
pub fn number(text: &str) -> Option<f64> {
    let t = text.trim();
    let plain = t
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E'));
    if !plain || !t.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    #[cfg(target_arch = "wasm32")]
    let v = t
        .parse::<js_sys::Number>()
        .map_or(f64::NAN, |n| n.value_of());
    #[cfg(not(target_arch = "wasm32"))]
    let v = t.parse::<f64>().unwrap_or(f64::NAN);
    v.is_finite().then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pages_json_reads_back_as_the_same_numbers() {
        let values = vec![0.1, 5.0, 1e21, 1e-7, -2.5, 123_456.789, 2.0 / 3.0];
        let text = json(&values).expect("writes");
        let back: Vec<f64> = serde_json::from_str(&text).expect("reads");
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&back), bits(&values), "{text}");
        assert_eq!(json(&[5.0, f64::NAN]).as_deref(), Some("[5,null]"));
    }

    #[test]
    fn numbers_read_as_typed_and_nothing_else() {
        for (text, v) in [
            ("12", 12.0),
            ("-0.5", -0.5),
            ("1e3", 1000.0),
            (" 2 ", 2.0),
            ("+.25", 0.25),
            ("5.", 5.0),
        ] {
            assert_eq!(number(text), Some(v), "{text}");
        }
        for text in [
            "", " ", "abc", "0x10", "1e400", "inf", "NaN", "1,5", "e", "-",
        ] {
            assert_eq!(number(text), None, "{text}");
        }
    }

    fn m(name: &str) -> Metric {
        Metric::parse(name).expect("a metric")
    }

    #[test]
    fn figures_read_in_their_units() {
        assert_eq!(metric_value(&m("queue_age_ms_max"), 113_938.13), "1.9 min");
        assert_eq!(metric_value(&m("duration_ms_p99"), 250.0), "250 ms");
        assert_eq!(
            metric_value(&m("deployment.checkout.rolled_back"), 1.0),
            "yes"
        );
        assert_eq!(metric_value(&m("alarm.errors.fired"), 0.0), "no");
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

    #[test]
    fn words_and_units_read_right() {
        let cases: &[(String, &str)] = &[
            (count(0, "error"), "0 errors"),
            (count(1, "error"), "1 error"),
            (count(2, "error"), "2 errors"),
            (count(1, "message"), "1 message"),
            (count(1274, "request"), "1,274 requests"),
            (count(1, "environment"), "1 environment"),
            (count(3, "query"), "3 queries"),
            (count(1, "query"), "1 query"),
            (count(2, "day"), "2 days"),
            (count(2, "batch"), "2 batches"),
            (count(2, "access"), "2 accesses"),
            (plural_of(1, "was", "were").to_string(), "was"),
            (plural_of(4, "was", "were").to_string(), "were"),
            (duration_s(0.0), "0 s"),
            (duration_s(45.0), "45 s"),
            (duration_s(2.5), "2.5 s"),
            (duration_s(90.0), "1.5 min"),
            (duration_s(600.0), "10 min"),
            (duration_s(3_600.0), "1 h"),
            (duration_s(5_400.0), "1 h 30 min"),
            (duration_s(21_600.0), "6 h"),
            (duration_s(f64::NAN), "0 s"),
            (value_with_unit(21_600.0, "s"), "6 h"),
            (value_with_unit(43_200.0, "s"), "12 h"),
            (value_with_unit(3_600.0, "s"), "3,600 s"),
            (value_with_unit(600.0, "s"), "600 s"),
            (value_with_unit(0.5, "s"), "0.5 s"),
            (duration_ms_of(0.0, 0), "no requests"),
            (duration_ms_of(137.2, 500), "137 ms"),
            (duration_ms_of(0.4, 1), "0.40 ms"),
        ];
        for (got, want) in cases {
            assert_eq!(got, want);
        }
    }
}
