//! The command line end to end: the built `lambda-lab` binary on real files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace")
        .to_path_buf()
}

fn lambda_lab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lambda-lab"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("the binary runs")
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lambda-lab-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    dir.join(name)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn calibrate_writes_a_scenario_and_prints_the_fit_and_the_comparison() {
    let out = tmp("calibrated.toml");
    let o = lambda_lab(&[
        "calibrate",
        "calibrate/example/report.log",
        "--out",
        out.to_str().expect("a UTF-8 path"),
        "--cpu-share",
        "0.7",
    ]);
    let stdout = text(&o.stdout);
    assert!(o.status.success(), "{stdout}\n{}", text(&o.stderr));
    for want in [
        "1,689 REPORT lines",
        "Duration",
        "Init Duration",
        "70% CPU-bound",
        "Comparison",
        "cold-start share (%)",
        "p99 Duration (ms)",
        "peak concurrency",
    ] {
        assert!(stdout.contains(want), "no \"{want}\" in:\n{stdout}");
    }
    let toml = std::fs::read_to_string(&out).expect("the scenario was written");
    let s = engine::Scenario::from_toml(&toml).expect("it reads as a scenario");
    assert_eq!(s.functions[0].memory_mb, 512);
    // The written scenario runs with `run`, as any scenario does.
    let o = lambda_lab(&["run", out.to_str().expect("UTF-8")]);
    assert!(o.status.success(), "{}", text(&o.stderr));
}

#[test]
fn bad_input_names_the_file_and_the_line_and_fails() {
    let bad = tmp("bad.json");
    std::fs::write(&bad, "{\"events\": [\n  {\"message\": }\n]}").expect("written");
    let o = lambda_lab(&["calibrate", bad.to_str().expect("UTF-8")]);
    assert!(!o.status.success());
    let err = text(&o.stderr);
    assert!(err.contains("bad.json:2:"), "{err}");
    assert!(err.contains("filter-log-events"), "{err}");

    let none = tmp("none.log");
    std::fs::write(
        &none,
        "START RequestId: a\nREPORT RequestId: b Duration: x ms\n",
    )
    .expect("written");
    let o = lambda_lab(&["calibrate", none.to_str().expect("UTF-8")]);
    assert!(!o.status.success());
    let err = text(&o.stderr);
    assert!(
        err.contains("none.log:2: expected a number after \"Duration:\""),
        "{err}"
    );
    assert!(err.contains("no REPORT line was read"), "{err}");

    let o = lambda_lab(&["calibrate", "no/such/file.log"]);
    assert!(!o.status.success());
    assert!(text(&o.stderr).contains("no/such/file.log"));
    let o = lambda_lab(&[
        "calibrate",
        "calibrate/example/report.log",
        "--cpu-share",
        "2",
    ]);
    assert!(!o.status.success());
    assert!(text(&o.stderr).contains("cpu_share"), "{}", text(&o.stderr));
}

#[test]
fn synth_log_writes_the_shipped_example() {
    let out = tmp("report.log");
    let o = lambda_lab(&[
        "synth-log",
        "calibrate/example/scenario.toml",
        "--out",
        out.to_str().expect("UTF-8"),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let written = std::fs::read_to_string(&out).expect("written");
    let shipped =
        std::fs::read_to_string(root().join("calibrate/example/report.log")).expect("shipped");
    assert!(
        written == shipped,
        "synth-log and the shipped example differ"
    );
}

#[test]
fn run_behaves_as_before() {
    let o = lambda_lab(&["run", "engine/scenarios/simfaas-baseline.toml", "--json"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert!(v["summary"]["invocations"].as_u64().is_some_and(|n| n > 0));
    let o = lambda_lab(&[
        "run",
        "engine/scenarios/simfaas-baseline.toml",
        "--set",
        "functions[0].memory_mb=1",
    ]);
    assert!(!o.status.success());
    assert!(text(&o.stderr).contains("memory_mb"));
}
