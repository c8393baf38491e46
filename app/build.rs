//! Writes the SimFaaS baseline scenario as JSON for the validation page (the app holds no
//! TOML parser). The lessons are not compiled in: `curriculum`'s `catalog` tool writes them to
//! `lessons.bin`, which the app fetches (see `Trunk.toml`).

use std::path::Path;

fn main() {
    // The SimFaaS baseline for the validation page, as JSON (no TOML parser in the wasm).
    let baseline_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../engine/scenarios/simfaas-baseline.toml");
    println!("cargo:rerun-if-changed={}", baseline_path.display());
    let baseline = std::fs::read_to_string(&baseline_path)
        .map_err(|e| e.to_string())
        .and_then(|t| engine::Scenario::from_toml(&t).map_err(|e| e.to_string()))
        .and_then(|s| serde_json::to_string(&s).map_err(|e| e.to_string()))
        .unwrap_or_else(|e| {
            eprintln!("{}: {e}", baseline_path.display());
            std::process::exit(1)
        });
    let out =
        Path::new(&std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into())).join("baseline.json");
    if let Err(e) = std::fs::write(&out, baseline) {
        eprintln!("could not write {}: {e}", out.display());
        std::process::exit(1);
    }
}
