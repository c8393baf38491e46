//! Reading a log export: the three formats, detected from the text, into a [`Reading`].
//!
//! - plain text: one log line per line, each optionally prefixed by a timestamp and a stream
//!   name or request id (`aws logs tail`, the console's copy);
//! - CloudWatch Logs Insights CSV: a header naming `@timestamp` and `@message`, RFC 4180 quoting;
//! - `aws logs filter-log-events` JSON: `{"events": [{"timestamp": ms, "message": "…"}]}`.
//!
//! Lines that are not REPORT lines are counted and skipped; a REPORT line that cannot be read
//! is counted with its line number and what was expected, and reading goes on. Only a file
//! whose whole shape is wrong (a JSON without `events`, a CSV without `@message`) is an error.

use serde::{Deserialize, Serialize};

use crate::line::{classify, LineKind};
use crate::reading::{Invocation, Problem, Reading, MAX_PROBLEMS};
use crate::timestamp;

/// Most REPORT lines read; beyond them the rest of the file is counted as skipped, and the
/// reading says so (the engine replays at most a million arrivals).
pub const MAX_RECORDS: usize = engine::scenario::MAX_REPLAY_POINTS;

/// The format a log was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// Plain log lines (`aws logs tail`, the console's copy).
    Plain,
    /// A CloudWatch Logs Insights CSV export.
    InsightsCsv,
    /// The JSON `aws logs filter-log-events` prints.
    FilterLogEventsJson,
}

impl Format {
    /// The format's name for people.
    pub fn label(self) -> &'static str {
        match self {
            Format::Plain => "plain log lines",
            Format::InsightsCsv => "Logs Insights CSV",
            Format::FilterLogEventsJson => "filter-log-events JSON",
        }
    }
}

/// A file whose shape is wrong as a whole: nothing could be read from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParseError {
    /// The line at fault (from 1), when there is one.
    pub line: Option<u32>,
    /// What was expected and what was found.
    pub message: String,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(l) => write!(f, "line {l}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for ParseError {}

/// Reads a log export in any of the three formats (see the module's documentation).
pub fn parse(text: &str) -> Result<Reading, ParseError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    match detect(text) {
        Format::FilterLogEventsJson => parse_json(text),
        Format::InsightsCsv => parse_csv(text),
        Format::Plain => Ok(parse_plain(text)),
    }
}

/// Which format the text is in: JSON when it opens with `{` or `[`, CSV when its first line is a
/// header naming `@message`, plain lines otherwise.
pub fn detect(text: &str) -> Format {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    if first.trim_start().starts_with(['{', '[']) {
        Format::FilterLogEventsJson
    } else if first.contains("@message") && (first.contains(',') || first.contains('\t')) {
        Format::InsightsCsv
    } else {
        Format::Plain
    }
}

/// Collects the lines of a log as they are read.
struct Collector {
    reading: Reading,
}

impl Collector {
    fn new(format: Format) -> Self {
        Collector {
            reading: Reading::empty(format),
        }
    }

    /// One log message at line `line`, with the timestamp its format gave it (if any).
    fn message(&mut self, line: u32, message: &str, timestamp_ms: Option<i64>) {
        let r = &mut self.reading;
        r.lines_read += 1;
        if r.records.len() >= MAX_RECORDS {
            r.skipped += 1;
            r.records_clipped = true;
            return;
        }
        match classify(message) {
            LineKind::Other => r.skipped += 1,
            LineKind::Report { prefix, fields } => match fields {
                Ok(f) => {
                    let t = timestamp_ms.or_else(|| prefix_timestamp(prefix));
                    r.records.push(Invocation {
                        line,
                        end_ms: t,
                        duration_ms: f.duration_ms,
                        billed_ms: f.billed_ms,
                        memory_mb: f.memory_mb,
                        max_memory_used_mb: f.max_memory_used_mb,
                        init_ms: f.init_ms,
                    });
                }
                Err(message) => self.problem(line, message),
            },
        }
    }

    fn problem(&mut self, line: u32, message: String) {
        let r = &mut self.reading;
        r.malformed += 1;
        if r.problems.len() < MAX_PROBLEMS {
            r.problems.push(Problem { line, message });
        }
    }

    fn finish(self) -> Reading {
        let mut r = self.reading;
        r.finish();
        r
    }
}

/// The timestamp at the start of a line's prefix: its first word (space or tab separated).
fn prefix_timestamp(prefix: &str) -> Option<i64> {
    let first = prefix.split_whitespace().next()?;
    timestamp::parse_ms(first).or_else(|| {
        // `2026-11-02 10:00:01.123` (a space inside): the first two words.
        let mut words = prefix.split_whitespace();
        let two = format!("{} {}", words.next()?, words.next()?);
        timestamp::parse_ms(&two)
    })
}

fn parse_plain(text: &str) -> Reading {
    let mut c = Collector::new(Format::Plain);
    for (i, line) in text.lines().enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            continue;
        }
        c.message(line_no(i), line, None);
    }
    c.finish()
}

fn line_no(index: usize) -> u32 {
    u32::try_from(index + 1).unwrap_or(u32::MAX)
}

/// The shape `aws logs filter-log-events` prints (other keys are ignored), or its list of
/// events alone (what `--query events` prints).
#[derive(Deserialize)]
#[serde(untagged)]
enum Events {
    Object { events: Vec<serde_json::Value> },
    List(Vec<serde_json::Value>),
}

fn parse_json(text: &str) -> Result<Reading, ParseError> {
    let expected = "expected the JSON of aws logs filter-log-events, {\"events\": [{\"timestamp\": …, \"message\": \"REPORT …\"}]}";
    // Syntax first, with its line; then the shape (an untagged enum's error says nothing).
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| ParseError {
        line: u32::try_from(e.line()).ok().filter(|l| *l > 0),
        message: format!(
            "{expected}: {}",
            engine::clip::message(&strip_position(&e.to_string()))
        ),
    })?;
    let events = match serde_json::from_value::<Events>(value) {
        Ok(Events::Object { events } | Events::List(events)) => events,
        Err(_) => {
            return Err(ParseError {
                line: None,
                message: format!("{expected}: no list of events found"),
            })
        }
    };
    let mut c = Collector::new(Format::FilterLogEventsJson);
    // JSON has no line per event: an event is named by its position, and counted as line
    // "event number" (from 1) in the problems.
    for (i, event) in events.iter().enumerate() {
        let n = line_no(i);
        let Some(message) = event.get("message").and_then(|m| m.as_str()) else {
            c.reading.lines_read += 1;
            c.problem(n, format!("events[{i}].message: expected a string"));
            continue;
        };
        let ts = event.get("timestamp").and_then(serde_json::Value::as_i64);
        // A message may hold several lines (the REPORT line with a trailing newline).
        let mut any = false;
        for part in message.lines().filter(|l| !l.trim().is_empty()) {
            any = true;
            c.message(n, part, ts);
        }
        if !any {
            c.message(n, "", ts);
        }
    }
    let mut r = c.finish();
    r.notes.insert(
        0,
        "filter-log-events JSON: line numbers are event numbers (from 1)".to_string(),
    );
    Ok(r)
}

/// serde_json's message without its own " at line L column C" (the line is given apart).
fn strip_position(s: &str) -> String {
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s.to_string(),
    }
}

fn parse_csv(text: &str) -> Result<Reading, ParseError> {
    let mut rows = crate::csv::Rows::new(text);
    let Some((_, header)) = rows.next() else {
        return Err(ParseError {
            line: None,
            message: "expected a header row".into(),
        });
    };
    let find = |name: &str| header.iter().position(|h| h.trim() == name);
    let message_col = find("@message").ok_or_else(|| ParseError {
        line: Some(1),
        message: "expected a column named @message in the header row".into(),
    })?;
    let time_col = find("@timestamp");
    let mut c = Collector::new(Format::InsightsCsv);
    for (line, row) in rows {
        if row.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let Some(message) = row.get(message_col) else {
            c.reading.lines_read += 1;
            c.problem(
                line,
                format!(
                    "expected {} columns as in the header, got {}",
                    header.len(),
                    row.len()
                ),
            );
            continue;
        };
        let ts = time_col
            .and_then(|i| row.get(i))
            .and_then(|t| timestamp::parse_ms(t));
        let mut any = false;
        for part in message.lines().filter(|l| !l.trim().is_empty()) {
            any = true;
            c.message(line, part, ts);
        }
        if !any {
            c.message(line, "", ts);
        }
    }
    Ok(c.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_the_three_formats() {
        assert_eq!(detect("{\"events\": []}"), Format::FilterLogEventsJson);
        assert_eq!(detect("\n  @timestamp,@message\n"), Format::InsightsCsv);
        assert_eq!(detect("REPORT RequestId: a"), Format::Plain);
        assert_eq!(detect(""), Format::Plain);
    }
}
