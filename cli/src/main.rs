//! `lambda-lab`: the command line for authors, validation and benchmarks: run a scenario,
//! calibrate one to a function's CloudWatch logs, write a synthetic log from a scenario.
//!
//! ```text
//! lambda-lab run FILE [--seed N] [--set PATH=VALUE]... [--json] [--series out.csv]
//! lambda-lab calibrate LOGFILE [--out scenario.toml] [--cpu-share 0.5] [--traffic replay|per-minute]
//!                              [--rate R] [--seed N] [--cheapest-under MS]
//! lambda-lab synth-log SCENARIO --out FILE [--max-memory-used-mb N]
//! ```
//!
//! The lesson checker is the curriculum crate's `check-lessons`.

use std::process::ExitCode;

use engine::Scenario;

mod logs;

const USAGE: &str = "usage: lambda-lab run FILE [--seed N] [--set PATH=VALUE]... [--json] [--series OUT.csv]
       lambda-lab calibrate LOGFILE [--out SCENARIO.toml] [--cpu-share 0..1] [--traffic replay|per-minute] [--rate R] [--seed N] [--cheapest-under MS]
       lambda-lab synth-log SCENARIO --out FILE [--max-memory-used-mb N]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("lambda-lab: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> Result<(), String> {
    match args.first().map(String::as_str) {
        Some("run") => run_scenario(&args[1..]),
        Some("calibrate") => logs::calibrate(&args[1..]),
        Some("synth-log") => logs::synth_log(&args[1..]),
        Some("-h" | "--help") => {
            println!("{USAGE}");
            Ok(())
        }
        _ => Err(USAGE.to_string()),
    }
}

fn run_scenario(args: &[String]) -> Result<(), String> {
    let mut file = None;
    let mut seed = None;
    let mut json = false;
    let mut series = None;
    let mut sets = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--json" => json = true,
            "--seed" => {
                let v = it.next().ok_or("--seed needs a number")?;
                seed =
                    Some(v.parse::<u64>().map_err(|_| {
                        format!("--seed: expected a whole number >= 0, got \"{v}\"")
                    })?);
            }
            "--series" => series = Some(it.next().ok_or("--series needs a file name")?.clone()),
            "--set" => {
                let v = it
                    .next()
                    .ok_or("--set needs PATH=VALUE, e.g. functions[0].memory_mb=1024")?;
                let (path, value) = v
                    .split_once('=')
                    .ok_or_else(|| format!("--set: expected PATH=VALUE, got \"{v}\""))?;
                // A JSON value (number, true/false, "string"); anything else is taken as a string.
                let value = serde_json::from_str(value)
                    .unwrap_or_else(|_| serde_json::Value::String(value.to_string()));
                sets.push((path.to_string(), value));
            }
            other if other.starts_with("--") => {
                return Err(format!("unknown option {other}\n{USAGE}"))
            }
            other => file = Some(other.to_string()),
        }
    }
    let file = file.ok_or_else(|| USAGE.to_string())?;
    let text = std::fs::read_to_string(&file).map_err(|e| format!("{file}: {e}"))?;
    let mut scenario = Scenario::from_toml(&text).map_err(|e| format!("{file}: {e}"))?;
    if let Some(s) = seed {
        scenario.seed = s;
    }
    if !sets.is_empty() {
        scenario = set_fields(&scenario, &sets).map_err(|e| format!("{file}: --set {e}"))?;
    }
    let report = engine::run(&scenario).map_err(|e| format!("{file}: {e}"))?;
    if let Some(path) = series {
        std::fs::write(&path, report.series.to_csv()).map_err(|e| format!("{path}: {e}"))?;
    }
    if json {
        let out = serde_json::json!({
            "summary": report.summary,
            "ledger": report.ledger,
            "functions": report.functions,
            "alarms": report.alarms,
            "deployments": report.deployments,
            "tracing": report.tracing,
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?
        );
    } else {
        println!(
            "{}: {}",
            if scenario.name.is_empty() {
                &file
            } else {
                &scenario.name
            },
            report.summary.verdict()
        );
    }
    Ok(())
}

/// The scenario with fields set by path (`functions[0].memory_mb`), read back and validated.
fn set_fields(
    scenario: &Scenario,
    sets: &[(String, serde_json::Value)],
) -> Result<Scenario, String> {
    let mut root = serde_json::to_value(scenario).map_err(|e| e.to_string())?;
    for (path, value) in sets {
        // `functions[0].memory_mb` as the JSON pointer `/functions/0/memory_mb`.
        let pointer: String = path
            .split('.')
            .map(|part| format!("/{}", part.replace('[', "/").replace(']', "")))
            .collect();
        *root
            .pointer_mut(&pointer)
            .ok_or_else(|| format!("{path}: no such field in the scenario"))? = value.clone();
    }
    let s: Scenario = engine::from_value(root)?;
    s.validate().map_err(|e| e.to_string())?;
    Ok(s)
}
