//! Lambda Lab's calibration: CloudWatch REPORT lines in, a scenario that reproduces them out.
//!
//! Pure functions of plain, serde-serialisable data, so that the app can call them from a Web
//! Worker: no I/O, no clock, no panics on any input.
//!
//! ```text
//! text ──parse──▶ Reading ──calibrate(Options)──▶ Calibration (Scenario + annotated TOML)
//!                    │                                   │
//!                    └──────── compare(Reading, Report) ◀┘ engine::run
//! Calibration + WhatIf ──apply──▶ Scenario ──evaluate / cheapest_memory──▶ figures beside the log
//! ```
//!
//! ```
//! let log = "2026-11-02T10:00:01.123Z\tREPORT RequestId: a\tDuration: 102.25 ms\tBilled Duration: 103 ms\tMemory Size: 512 MB\tMax Memory Used: 78 MB\tInit Duration: 245.12 ms\n\
//!            2026-11-02T10:00:02.000Z\tREPORT RequestId: b\tDuration: 98.00 ms\tBilled Duration: 98 ms\tMemory Size: 512 MB\tMax Memory Used: 79 MB\n";
//! let reading = calibrate::parse(log).unwrap();
//! assert_eq!(reading.facts.invocations, 2);
//! let c = calibrate::calibrate(&reading, &calibrate::Options::default()).unwrap();
//! assert_eq!(c.scenario.functions[0].memory_mb, 512);
//! let report = calibrate::run_recorded(&c.scenario).unwrap();
//! let comparison = calibrate::compare(&reading, &report);
//! assert_eq!(comparison.rows[0].engine, 2.0);
//! ```

mod calibration;
mod compare;
mod csv;
mod fit;
mod line;
mod parse;
mod reading;
mod synth;
pub mod timestamp;
mod whatif;

pub use calibration::{calibrate, handler_parts, CalibrateError, Calibration, Options, Traffic};
pub use compare::{compare, run_recorded, Comparison, MinuteRow, Row};
pub use fit::{pct_diff, quantile, DistFit, Summary, QUANTILE_POINTS};
pub use parse::{detect, parse, Format, ParseError, MAX_RECORDS};
pub use reading::{Facts, Histogram, Invocation, Minute, Problem, Reading, MAX_PROBLEMS};
pub use synth::{engine_invocations, report_line, request_id, synth_log, SYNTH_START_MS};
pub use whatif::{
    apply, cheapest_memory, cheapest_memory_with, evaluate, log_cost_usd, Evaluation, Figures,
    Search, SearchRow, WhatIf, MEMORY_STEPS_MB,
};

mod twin;
pub use twin::{twin, twin_with, Fitted, Step, Twin, TwinRequest};
