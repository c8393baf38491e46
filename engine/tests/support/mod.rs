//! What the engine's integration tests share: reading a scenario written for a test, running
//! it, and the random scenarios of the property tests (`gen`). Each test file includes it with
//! `mod support;`.

// Each test binary uses its own part of this module.
#![allow(dead_code)]

pub mod gen;

use engine::{Report, Scenario};

/// Parses a scenario written for a test; a broken one fails the test with the engine's message
/// and the text.
pub fn scenario(text: &str) -> Scenario {
    match Scenario::from_toml(text) {
        Ok(s) => s,
        Err(e) => panic!("{e}\n{text}"),
    }
}

/// Parses a scenario shipped with the engine, `scenarios/<name>.toml`; a broken file fails the
/// test with its name.
pub fn shipped(name: &str, text: &str) -> Scenario {
    match Scenario::from_toml(text) {
        Ok(s) => s,
        Err(e) => panic!("scenarios/{name}.toml: {e}"),
    }
}

/// Runs a scenario; an error fails the test naming the scenario and its seed.
pub fn run(s: &Scenario) -> Report {
    engine::run(s).unwrap_or_else(|e| panic!("run of \"{}\" (seed {}): {e}", s.name, s.seed))
}

/// Parses and runs a scenario written for a test, and checks that its ledger balances.
pub fn run_text(text: &str) -> Report {
    let r = run(&scenario(text));
    assert!(r.ledger.balances(), "{:?}", r.ledger);
    r
}

/// As [`run_text`], keeping every event of the run (and checking that none was left out).
pub fn run_logged(text: &str) -> Report {
    let mut s = scenario(text);
    s.record.events = engine::scenario::MAX_RECORD_EVENTS;
    let r = run(&s);
    assert!(r.ledger.balances(), "{:?}", r.ledger);
    assert!(!r.events_truncated);
    r
}
