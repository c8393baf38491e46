//! Times `engine::run` on a scenario file: how long one run takes natively, and how many
//! events a second that is. The README's "largest lesson scenarios" figures come from here.
//!
//! ```text
//! cargo run --profile bench -p engine --example time_run -- lessons/caching/cache.toml 50
//! ```
#![allow(missing_docs)]

use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(file) = args.first() else {
        eprintln!("usage: time_run FILE [RUNS]");
        return ExitCode::FAILURE;
    };
    let runs = match args.get(1).map(|r| r.parse::<u32>()) {
        None => 20,
        Some(Ok(n)) if n > 0 => n,
        Some(_) => {
            eprintln!("time_run: RUNS must be a whole number above 0");
            return ExitCode::FAILURE;
        }
    };
    let scenario = match std::fs::read_to_string(file)
        .map_err(|e| e.to_string())
        .and_then(|text| engine::Scenario::from_toml(&text).map_err(|e| e.to_string()))
    {
        Ok(s) => s,
        Err(e) => {
            eprintln!("time_run: {file}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let start = Instant::now();
    let mut events = 0;
    for _ in 0..runs {
        match engine::run(&scenario) {
            Ok(r) => events = r.summary.events,
            Err(e) => {
                eprintln!("time_run: {file}: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    let per_run = start.elapsed().as_secs_f64() / f64::from(runs);
    println!(
        "{file}: {events} events, {:.2} ms a run, {:.1} million events a second",
        per_run * 1e3,
        events as f64 / per_run / 1e6
    );
    ExitCode::SUCCESS
}
