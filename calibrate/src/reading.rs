//! What a log said: the invocations read from its REPORT lines, the counts of what was
//! skipped or could not be read, and the facts the page plots (traffic, histograms, cold
//! starts, memory, concurrency).

use serde::{Deserialize, Serialize};

use crate::fit::{quantile, Summary};
use crate::parse::Format;

/// Most problems kept in a reading (the count goes on past them).
pub const MAX_PROBLEMS: usize = 50;
/// Most minutes of per-minute facts (about 69 days); a longer log's later minutes are not
/// plotted, and the reading says so.
pub const MAX_MINUTES: usize = 100_000;
/// Bins of a histogram.
pub const HIST_BINS: usize = 30;

/// One invocation, from one REPORT line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Invocation {
    /// The line it was read from (from 1; for filter-log-events JSON, the event number).
    pub line: u32,
    /// When it ended (the REPORT line's timestamp), in ms since the Unix epoch, if the line had one.
    pub end_ms: Option<i64>,
    /// The handler's duration (`Duration`), in ms; Init is not included.
    pub duration_ms: f64,
    /// `Billed Duration`, in ms.
    pub billed_ms: f64,
    /// `Memory Size`, in MB.
    pub memory_mb: u32,
    /// `Max Memory Used`, in MB.
    pub max_memory_used_mb: u32,
    /// `Init Duration`, in ms: present for a cold start only.
    pub init_ms: Option<f64>,
}

impl Invocation {
    /// When it started, estimated: a REPORT line is written at the end of an invocation, so
    /// the request arrived about `Duration + Init Duration` before its timestamp.
    pub fn start_ms(&self) -> Option<f64> {
        self.end_ms
            .map(|t| t as f64 - self.duration_ms - self.init_ms.unwrap_or(0.0))
    }

    /// A cold start (the line has an Init Duration).
    pub fn is_cold(&self) -> bool {
        self.init_ms.is_some()
    }
}

/// A REPORT line that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// Its line (from 1).
    pub line: u32,
    /// What was expected and what was found.
    pub message: String,
}

/// Everything read from a log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reading {
    /// The format the text was read as.
    pub format: Format,
    /// The invocations, in time order (those without a timestamp last, in file order).
    pub records: Vec<Invocation>,
    /// Log lines (or events, or CSV rows) looked at.
    pub lines_read: u64,
    /// Lines that are not REPORT lines (START, END, the function's own output).
    pub skipped: u64,
    /// REPORT lines that could not be read.
    pub malformed: u64,
    /// The first [`MAX_PROBLEMS`] of them, each with its line and what was expected.
    pub problems: Vec<Problem>,
    /// True when the file held more than [`crate::parse::MAX_RECORDS`] REPORT lines: the
    /// rest were counted as skipped.
    pub records_clipped: bool,
    /// Invocations whose timestamp came before the one above them (they were sorted).
    pub out_of_order: u64,
    /// What the reader should know, in sentences (no timestamps, several memory sizes, ...).
    pub notes: Vec<String>,
    /// The derived facts the page plots.
    pub facts: Facts,
}

/// The facts derived from the invocations.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Facts {
    /// Invocations read.
    pub invocations: u64,
    /// Of those, the ones with a timestamp (only they give traffic and concurrency).
    pub timed: u64,
    /// The first estimated arrival, in ms since the Unix epoch (minute 0 starts here).
    pub start_ms: Option<i64>,
    /// From the first estimated arrival to the last, in seconds.
    pub span_s: f64,
    /// Mean arrivals per second over the span (`None` without timestamps or with one arrival).
    pub rate_per_s: Option<f64>,
    /// Per minute from `start_ms`: arrivals, cold starts and peak concurrency.
    pub per_minute: Vec<Minute>,
    /// Most invocations running at once, estimated from the timestamps.
    pub concurrency_max: u32,
    /// The handler durations.
    pub duration: Summary,
    /// Their histogram.
    pub duration_hist: Histogram,
    /// The Init durations (cold starts only).
    pub init: Summary,
    /// Their histogram.
    pub init_hist: Histogram,
    /// Cold starts (lines with an Init Duration).
    pub cold_starts: u64,
    /// Cold starts per invocation (0 to 1).
    pub cold_start_share: f64,
    /// The memory size most lines give, in MB.
    pub memory_mb: u32,
    /// Every memory size seen, with its count of invocations, most common first.
    pub memory_sizes: Vec<(u32, u64)>,
    /// The `Max Memory Used` figures, in MB.
    pub memory_used: Summary,
    /// Their histogram, to draw against the memory size.
    pub memory_used_hist: Histogram,
    /// Sum of `Billed Duration`, in ms.
    pub billed_ms_total: f64,
}

/// One minute of the log.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Minute {
    /// Arrivals (estimated starts) in the minute.
    pub invocations: u32,
    /// Of those, cold starts.
    pub cold_starts: u32,
    /// Most invocations running at once during the minute.
    pub concurrency_max: u32,
}

/// A histogram with equal bins from `from`, and a count of the values beyond the last bin.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Histogram {
    /// Where the first bin starts.
    pub from: f64,
    /// Width of each bin.
    pub width: f64,
    /// Values in each bin.
    pub counts: Vec<u64>,
    /// Values beyond the last bin (the far tail, so the bins stay readable).
    pub above: u64,
}

impl Histogram {
    /// A histogram of `sorted` values (ascending): [`HIST_BINS`] bins of a round width from a
    /// round start, reaching at least the 99th percentile; values past 1.5 times it go `above`.
    pub fn of(sorted: &[f64]) -> Histogram {
        let (Some(&min), Some(&max)) = (sorted.first(), sorted.last()) else {
            return Histogram::default();
        };
        let p99 = quantile(sorted, 0.99);
        let hi = max.min(p99 * 1.5).max(min);
        let width = nice_width((hi - min) / HIST_BINS as f64);
        let from = (min / width).floor() * width;
        let bins = (((hi - from) / width).floor() as usize + 1).min(HIST_BINS + 1);
        let mut counts = vec![0u64; bins];
        let mut above = 0;
        for &v in sorted {
            let b = ((v - from) / width).floor();
            if b >= 0.0 && (b as usize) < bins {
                counts[b as usize] += 1;
            } else {
                above += 1;
            }
        }
        Histogram {
            from,
            width,
            counts,
            above,
        }
    }
}

/// The smallest of 1, 2 or 5 times a power of ten that is at least `raw` (0.001 at least).
fn nice_width(raw: f64) -> f64 {
    if !(raw.is_finite() && raw > 0.001) {
        return 0.001;
    }
    let mag = pow10(raw.log10().floor());
    for k in [1.0, 2.0, 5.0, 10.0] {
        if k * mag >= raw {
            return k * mag;
        }
    }
    10.0 * mag
}

fn pow10(e: f64) -> f64 {
    10f64.powi(e as i32)
}

impl Reading {
    /// A reading with nothing read yet.
    pub fn empty(format: Format) -> Reading {
        Reading {
            format,
            records: Vec::new(),
            lines_read: 0,
            skipped: 0,
            malformed: 0,
            problems: Vec::new(),
            records_clipped: false,
            out_of_order: 0,
            notes: Vec::new(),
            facts: Facts::default(),
        }
    }

    /// A reading of these invocations (engine output turned into log records, for example).
    pub fn from_records(format: Format, records: Vec<Invocation>) -> Reading {
        let mut r = Reading::empty(format);
        r.lines_read = records.len() as u64;
        r.records = records;
        r.finish();
        r
    }

    /// Sorts the records by time, counts those out of order and works out the facts.
    pub(crate) fn finish(&mut self) {
        let key = |i: &Invocation| i.end_ms.unwrap_or(i64::MAX);
        self.out_of_order = self
            .records
            .windows(2)
            .filter(|w| w[0].end_ms.is_some() && w[1].end_ms.is_some() && key(&w[1]) < key(&w[0]))
            .count() as u64;
        // Stable: equal times keep the file's order.
        self.records.sort_by_key(key);
        self.facts = Facts::of(&self.records);
        let f = &self.facts;
        if self.out_of_order > 0 {
            self.notes.push(format!(
                "{} invocations came before the one above them in the file; they were sorted by time",
                self.out_of_order
            ));
        }
        if f.invocations > 0 && f.timed == 0 {
            self.notes.push(
                "no line has a timestamp: the durations, Init and memory are read, but not the traffic (arrivals, rate, concurrency)".into(),
            );
        } else if f.timed < f.invocations {
            self.notes.push(format!(
                "{} of {} invocations have no timestamp: they count in the durations but not in the traffic",
                f.invocations - f.timed,
                f.invocations
            ));
        }
        if f.memory_sizes.len() > 1 {
            self.notes.push(format!(
                "the log holds {} memory sizes; the most common, {} MB, is used",
                f.memory_sizes.len(),
                f.memory_mb
            ));
        }
        if f.per_minute.len() >= MAX_MINUTES {
            self.notes.push(format!(
                "the log spans more than {MAX_MINUTES} minutes: only the first are plotted"
            ));
        }
        if self.records_clipped {
            self.notes.push(format!(
                "only the first {} REPORT lines were read",
                crate::parse::MAX_RECORDS
            ));
        }
        if self.malformed > self.problems.len() as u64 {
            self.notes.push(format!(
                "{} REPORT lines could not be read; the first {} are listed",
                self.malformed,
                self.problems.len()
            ));
        }
    }
}

impl Facts {
    /// The facts of invocations sorted by end time.
    pub fn of(records: &[Invocation]) -> Facts {
        let n = records.len();
        let mut durations: Vec<f64> = records.iter().map(|r| r.duration_ms).collect();
        durations.sort_by(f64::total_cmp);
        let mut inits: Vec<f64> = records.iter().filter_map(|r| r.init_ms).collect();
        inits.sort_by(f64::total_cmp);
        let mut used: Vec<f64> = records
            .iter()
            .map(|r| f64::from(r.max_memory_used_mb))
            .collect();
        used.sort_by(f64::total_cmp);
        let mut sizes: Vec<(u32, u64)> = Vec::new();
        for r in records {
            match sizes.iter_mut().find(|(m, _)| *m == r.memory_mb) {
                Some((_, c)) => *c += 1,
                None => sizes.push((r.memory_mb, 1)),
            }
        }
        sizes.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let cold = inits.len() as u64;
        let mut facts = Facts {
            invocations: n as u64,
            duration: Summary::of(&durations),
            duration_hist: Histogram::of(&durations),
            init: Summary::of(&inits),
            init_hist: Histogram::of(&inits),
            cold_starts: cold,
            cold_start_share: if n > 0 { cold as f64 / n as f64 } else { 0.0 },
            memory_mb: sizes.first().map_or(0, |s| s.0),
            memory_sizes: sizes,
            memory_used: Summary::of(&used),
            memory_used_hist: Histogram::of(&used),
            billed_ms_total: records.iter().map(|r| r.billed_ms).sum::<f64>() + 0.0,
            ..Facts::default()
        };
        facts.traffic(records);
        facts
    }

    /// Arrivals per minute and concurrency over time, from the timed invocations.
    fn traffic(&mut self, records: &[Invocation]) {
        let spans: Vec<(f64, f64, bool)> = records
            .iter()
            .filter_map(|r| Some((r.start_ms()?, r.end_ms? as f64, r.is_cold())))
            .collect();
        self.timed = spans.len() as u64;
        let Some(first) = spans.iter().map(|s| s.0).min_by(f64::total_cmp) else {
            return;
        };
        let last_start = spans.iter().map(|s| s.0).fold(first, f64::max);
        let last_end = spans.iter().map(|s| s.1).fold(first, f64::max);
        self.start_ms = Some(first.floor() as i64);
        self.span_s = (last_start - first) / 1_000.0;
        if spans.len() > 1 && self.span_s > 0.0 {
            self.rate_per_s = Some((spans.len() - 1) as f64 / self.span_s);
        }
        let minute =
            |t: f64| (((t - first) / 60_000.0).floor().max(0.0) as usize).min(MAX_MINUTES - 1);
        let minutes = minute(last_end) + 1;
        let mut per = vec![Minute::default(); minutes];
        for &(start, _, cold) in &spans {
            let m = &mut per[minute(start)];
            m.invocations += 1;
            m.cold_starts += u32::from(cold);
        }
        // Concurrency: +1 at each start, -1 at each end; an end at the same time as a start
        // comes first (the environment is free again).
        let mut edges: Vec<(f64, i32)> = Vec::with_capacity(spans.len() * 2);
        for &(s, e, _) in &spans {
            edges.push((s, 1));
            edges.push((e.max(s), -1));
        }
        edges.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut level: i64 = 0;
        let mut level_at_end = vec![None::<i64>; minutes];
        for &(t, d) in &edges {
            level += i64::from(d);
            let m = minute(t);
            let lv = u32::try_from(level.max(0)).unwrap_or(u32::MAX);
            per[m].concurrency_max = per[m].concurrency_max.max(lv);
            self.concurrency_max = self.concurrency_max.max(lv);
            level_at_end[m] = Some(level);
        }
        // A minute also holds the level carried into it from the minute before.
        let mut carry = 0i64;
        for (m, end) in per.iter_mut().zip(&level_at_end) {
            let lv = u32::try_from(carry.max(0)).unwrap_or(u32::MAX);
            m.concurrency_max = m.concurrency_max.max(lv);
            if let Some(e) = end {
                carry = *e;
            }
        }
        self.per_minute = per;
    }
}
