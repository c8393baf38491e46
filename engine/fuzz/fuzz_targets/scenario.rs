//! Fuzz target: any UTF-8 text as a scenario file. `Scenario::from_toml` must return (a
//! scenario or an error), never panic; a scenario it accepts must run to a report or a clean
//! error, never panic, hang or report an internal error, and its report must balance.

#![no_main]

use engine::{Scenario, SimError};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(mut scenario) = Scenario::from_toml(text) else {
        return;
    };
    // Keep each run to milliseconds: a short span, a bounded event count and event log. The
    // bucket width is reset so the shortened span still validates.
    scenario.duration_s = scenario.duration_s.min(60.0);
    scenario.bucket_s = None;
    scenario.max_events = scenario.max_events.min(200_000);
    scenario.record.events = scenario.record.events.min(10_000);
    match engine::run(&scenario) {
        Ok(report) => {
            assert!(
                report.ledger.balances(),
                "ledger does not balance: {:?}",
                report.ledger
            );
            assert_eq!(report.summary.requests, report.ledger.requests);
        }
        Err(SimError::Internal(message)) => panic!("internal error: {message}"),
        Err(_) => {}
    }
});
