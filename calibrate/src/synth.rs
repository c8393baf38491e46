//! The engine's invocations as a log: each completed invocation of a run (from the report's
//! event log) as the record, and the REPORT line, Lambda would have written for it. The
//! comparison reads a run this way, and `lambda-lab synth-log` writes the example log with it.

use std::collections::HashMap;
use std::fmt::Write as _;

use engine::report::{EventKind, Report};
use engine::Scenario;

use crate::reading::Invocation;
use crate::timestamp;

/// When a synthetic log starts: 2026-11-02T10:00:00Z, in ms since the Unix epoch.
pub const SYNTH_START_MS: i64 = 1_793_613_600_000;

/// The invocations of function `function` that completed in the run, as log records, in the
/// order they ended. Times are in ms from `start_ms`. The second value is true when the
/// report's event log was cut short (`record.events`): the records then cover only the start
/// of the run.
///
/// The engine does not model the memory a function uses: every record says `used_mb`.
pub fn engine_invocations(
    report: &Report,
    function: u16,
    memory_mb: u32,
    used_mb: u32,
    start_ms: i64,
) -> (Vec<Invocation>, bool) {
    let mut inits: HashMap<u64, u64> = HashMap::new();
    let mut out = Vec::new();
    for e in report.events.iter().filter(|e| e.function == function) {
        match e.kind {
            EventKind::ColdStart {
                request, init_us, ..
            } => {
                inits.insert(request, init_us);
            }
            EventKind::Complete {
                request,
                duration_us,
                ..
            } => {
                let init_us = inits.remove(&request);
                let handler_us = duration_us.saturating_sub(init_us.unwrap_or(0));
                let duration_ms = handler_us as f64 / 1_000.0;
                let init_ms = init_us.map(|i| i as f64 / 1_000.0);
                // Since August 2025 Lambda bills Init too: both rounded up to the millisecond.
                let billed_ms = duration_ms.ceil() + init_ms.map_or(0.0, f64::ceil);
                out.push(Invocation {
                    line: u32::try_from(out.len() + 1).unwrap_or(u32::MAX),
                    end_ms: Some(start_ms + (e.t_us / 1_000) as i64),
                    duration_ms,
                    billed_ms,
                    memory_mb,
                    max_memory_used_mb: used_mb.min(memory_mb),
                    init_ms,
                });
            }
            _ => {}
        }
    }
    (out, report.events_truncated)
}

/// A REPORT line as Lambda writes it, after its timestamp.
pub fn report_line(inv: &Invocation, request_id: &str) -> String {
    let mut s = String::with_capacity(200);
    if let Some(t) = inv.end_ms {
        s.push_str(&timestamp::format_ms(t));
        s.push('\t');
    }
    let _ = write!(
        s,
        "REPORT RequestId: {request_id}\tDuration: {:.2} ms\tBilled Duration: {} ms\tMemory Size: {} MB\tMax Memory Used: {} MB\t",
        inv.duration_ms, inv.billed_ms, inv.memory_mb, inv.max_memory_used_mb
    );
    if let Some(i) = inv.init_ms {
        let _ = write!(s, "Init Duration: {i:.2} ms\t");
    }
    s
}

/// A request id of the form Lambda uses, made from a number (the same number, the same id).
pub fn request_id(n: u64) -> String {
    let h = n.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x5851_F42D_4C95_7F2D;
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        (h >> 32) as u32,
        (h >> 16) as u16,
        (h >> 4) & 0xfff,
        n & 0xfff,
        n & 0xffff_ffff_ffff
    )
}

/// Most invocations a synthetic log holds (it is meant to ship with the app).
pub const MAX_SYNTH_LINES: usize = 100_000;

/// Runs `scenario` and writes its first function's invocations as a log of plain REPORT lines
/// with timestamps, in the order they ended. `used_mb` is the `Max Memory Used` every line
/// gives (the engine does not model memory use).
pub fn synth_log(scenario: &Scenario, used_mb: u32) -> Result<String, String> {
    let mut s = scenario.clone();
    // Keep enough of the event log for every invocation of a log this long (each leaves about
    // three events), and no more: memory stays bounded whatever the scenario.
    s.record.events = u32::try_from(MAX_SYNTH_LINES * 5).unwrap_or(u32::MAX);
    let report = engine::run(&s).map_err(|e| e.to_string())?;
    let memory_mb = s.functions.first().map_or(128, |f| f.memory_mb);
    let (records, truncated) = engine_invocations(&report, 0, memory_mb, used_mb, SYNTH_START_MS);
    if truncated || records.len() > MAX_SYNTH_LINES {
        return Err(format!(
            "the run has more events than a synthetic log of at most {MAX_SYNTH_LINES} invocations leaves: shorten it or lower its rate"
        ));
    }
    let mut out = String::with_capacity(records.len() * 190);
    for (i, inv) in records.iter().enumerate() {
        let _ = writeln!(out, "{}", report_line(inv, &request_id(i as u64 + 1)));
    }
    Ok(out)
}
