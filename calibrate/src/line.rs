//! One CloudWatch REPORT line: finding it in a log line and reading its fields, without regexes.
//!
//! ```text
//! REPORT RequestId: 3f5c…  Duration: 102.25 ms  Billed Duration: 103 ms  Memory Size: 512 MB
//!     Max Memory Used: 78 MB  Init Duration: 245.12 ms  [Restore Duration: …]  [XRAY TraceId: …]
//! ```

/// The fields of one REPORT line (the timestamp is read by the caller, from the prefix).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ReportFields {
    pub duration_ms: f64,
    pub billed_ms: f64,
    pub memory_mb: u32,
    pub max_memory_used_mb: u32,
    pub init_ms: Option<f64>,
}

/// What a log line is.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum LineKind<'a> {
    /// Not a REPORT line (START, END, the function's own output, a blank line).
    Other,
    /// A REPORT line: the text before `REPORT` (a timestamp, a stream name) and the fields.
    Report {
        prefix: &'a str,
        fields: Result<ReportFields, String>,
    },
}

/// Classifies one line and reads its fields when it is a REPORT line.
pub(crate) fn classify(line: &str) -> LineKind<'_> {
    match find_report(line) {
        None => LineKind::Other,
        Some(at) => LineKind::Report {
            prefix: &line[..at],
            fields: read_fields(&line[at + "REPORT".len()..]),
        },
    }
}

/// Where the word `REPORT` starts, when it is followed by `RequestId:` (or a truncated part
/// of it, or nothing): a line cut short is still a REPORT line, and malformed.
fn find_report(line: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = line[from..].find("REPORT") {
        let at = from + i;
        from = at + "REPORT".len();
        let before_ok = at == 0
            || line[..at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_whitespace() || c == '"');
        if !before_ok {
            continue;
        }
        let rest = &line[from..];
        let trimmed = rest.trim_start();
        if trimmed.len() < rest.len() || rest.is_empty() {
            let word = trimmed.trim_end();
            if word.is_empty()
                || word.starts_with("RequestId:")
                || (word.len() < "RequestId:".len() && "RequestId:".starts_with(word))
            {
                return Some(at);
            }
        }
    }
    None
}

/// The labels of a REPORT line's fields, each with the labels it is the tail of (so that
/// `Duration:` is not found inside `Billed Duration:`).
const DURATION: (&str, &[&str]) = ("Duration:", &["Billed ", "Init ", "Restore "]);
const BILLED: (&str, &[&str]) = ("Billed Duration:", &["Restore "]);
const MEMORY: (&str, &[&str]) = ("Memory Size:", &[]);
const USED: (&str, &[&str]) = ("Max Memory Used:", &[]);
const INIT: (&str, &[&str]) = ("Init Duration:", &[]);

/// Reads the fields after the word `REPORT`; an error says which field and what was found.
fn read_fields(rest: &str) -> Result<ReportFields, String> {
    let rest = rest.trim_start();
    if !rest.starts_with("RequestId:") {
        return Err("expected \"RequestId:\" after REPORT: the line is cut short".to_string());
    }
    let duration_ms = number(rest, DURATION, "ms")?.ok_or_else(|| missing(DURATION.0, "ms"))?;
    let billed_ms = number(rest, BILLED, "ms")?.ok_or_else(|| missing(BILLED.0, "ms"))?;
    let memory = number(rest, MEMORY, "MB")?.ok_or_else(|| missing(MEMORY.0, "MB"))?;
    let used = number(rest, USED, "MB")?.ok_or_else(|| missing(USED.0, "MB"))?;
    let init_ms = number(rest, INIT, "ms")?;
    Ok(ReportFields {
        duration_ms,
        billed_ms,
        memory_mb: whole_mb(memory, MEMORY.0)?,
        max_memory_used_mb: whole_mb(used, USED.0)?,
        init_ms,
    })
}

fn missing(label: &str, unit: &str) -> String {
    format!("expected \"{label} <number> {unit}\": not found (the line may be cut short)")
}

fn whole_mb(v: f64, label: &str) -> Result<u32, String> {
    if v.fract() == 0.0 && v <= f64::from(u32::MAX) {
        Ok(v as u32)
    } else {
        Err(format!(
            "expected a whole number of MB after \"{label}\", got {v}"
        ))
    }
}

/// The number after `label` (not preceded by one of its longer labels), followed by `unit`.
/// `Ok(None)` when the label is absent.
fn number(text: &str, (label, longer): (&str, &[&str]), unit: &str) -> Result<Option<f64>, String> {
    let mut from = 0;
    while let Some(i) = text[from..].find(label) {
        let at = from + i;
        from = at + label.len();
        let before = &text[..at];
        if longer.iter().any(|l| before.ends_with(l)) {
            continue;
        }
        let after = text[from..].trim_start();
        let end = after
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(after.len());
        let (digits, tail) = after.split_at(end);
        let found = || {
            let shown: String = after.chars().take(24).collect();
            if shown.is_empty() {
                "the end of the line".to_string()
            } else {
                format!("\"{}\"", engine::clip::quote(&shown))
            }
        };
        let value = match digits.parse::<f64>() {
            Ok(v) if v.is_finite() => v,
            _ => {
                return Err(format!(
                    "expected a number after \"{label}\", got {}",
                    found()
                ))
            }
        };
        if !tail.trim_start().starts_with(unit) {
            return Err(format!(
                "expected \"{unit}\" after \"{label} {digits}\", got {}",
                found()
            ));
        }
        return Ok(Some(value));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FULL: &str = "REPORT RequestId: 3f5c8e2a-1b2c-4d5e-8f90-123456789abc\tDuration: 102.25 ms\tBilled Duration: 103 ms\tMemory Size: 512 MB\tMax Memory Used: 78 MB\tInit Duration: 245.12 ms\t";

    fn fields(line: &str) -> Result<ReportFields, String> {
        match classify(line) {
            LineKind::Report { fields, .. } => fields,
            LineKind::Other => Err("not a REPORT line".into()),
        }
    }

    #[test]
    fn reads_every_field_and_tolerates_tails() {
        let f = fields(FULL).expect("valid");
        assert_eq!(
            f,
            ReportFields {
                duration_ms: 102.25,
                billed_ms: 103.0,
                memory_mb: 512,
                max_memory_used_mb: 78,
                init_ms: Some(245.12),
            }
        );
        let snap = "REPORT RequestId: x Duration: 5.5 ms Billed Duration: 90 ms Memory Size: 128 MB Max Memory Used: 60 MB Restore Duration: 300.1 ms Billed Restore Duration: 84 ms XRAY TraceId: 1-abc SegmentId: def Sampled: true";
        let f = fields(snap).expect("valid");
        assert_eq!((f.duration_ms, f.billed_ms, f.init_ms), (5.5, 90.0, None));
    }

    #[test]
    fn other_lines_are_not_reports() {
        for line in [
            "START RequestId: abc Version: $LATEST",
            "END RequestId: abc",
            "2026-11-02T10:00:01.123Z abc INFO generating the REPORTS now",
            "",
            "INFO REPORTED: fine",
        ] {
            assert_eq!(classify(line), LineKind::Other, "{line}");
        }
    }

    #[test]
    fn malformed_reports_say_what_was_expected() {
        let cut = &FULL[..60];
        let e = fields(cut).unwrap_err();
        assert!(e.contains("Duration"), "{e}");
        let e = fields("REPORT RequestId: a Duration: fast ms Billed Duration: 1 ms").unwrap_err();
        assert!(
            e.contains("expected a number after \"Duration:\"") && e.contains("fast"),
            "{e}"
        );
        let e = fields("REPORT Requ").unwrap_err();
        assert!(e.contains("RequestId"), "{e}");
        let e = fields("REPORT").unwrap_err();
        assert!(e.contains("RequestId"), "{e}");
        let e = fields("REPORT RequestId: a Duration: 3 s Billed Duration: 1 ms").unwrap_err();
        assert!(e.contains("expected \"ms\""), "{e}");
        let e = fields(
            "REPORT RequestId: a Duration: 3 ms Billed Duration: 3 ms Memory Size: 1.5 MB Max Memory Used: 1 MB",
        )
        .unwrap_err();
        assert!(e.contains("whole number"), "{e}");
    }
}
