//! `catalog`: reads and checks the lessons and writes them as the app loads them: one JSON file
//! of pages, the Markdown rendered to HTML and each experiment's scenario as the engine's JSON.
//! Trunk runs it on every build (see `Trunk.toml`), so `dist/lessons.json` always matches
//! `lessons/`.
//!
//! ```text
//! cargo run -q -p curriculum --bin catalog -- OUT.json [DIR (default: lessons)]
//! ```
//!
//! `LAMBDA_LAB_LESSONS`, when set, names the lessons folder (for authors' drafts).

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: catalog OUT.json [DIR (default: $LAMBDA_LAB_LESSONS or lessons)]";
    let (out, dir) = match args.as_slice() {
        [a] if a == "-h" || a == "--help" => {
            println!("{usage}");
            return ExitCode::SUCCESS;
        }
        [out] => (
            PathBuf::from(out),
            std::env::var_os("LAMBDA_LAB_LESSONS").map_or_else(
                || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../lessons"),
                PathBuf::from,
            ),
        ),
        [out, dir] => (PathBuf::from(out), PathBuf::from(dir)),
        _ => {
            eprintln!("catalog: {usage}");
            return ExitCode::FAILURE;
        }
    };
    let catalog = match curriculum::load_dir(&dir) {
        Ok(c) => c,
        Err(errors) => {
            eprintln!(
                "catalog: {} problem(s) in {} (run `cargo run -p curriculum --bin check-lessons`):",
                errors.len(),
                dir.display()
            );
            for e in &errors {
                eprintln!("  {e}");
            }
            return ExitCode::FAILURE;
        }
    };
    let written = curriculum::html::pages(catalog)
        .and_then(|pages| serde_json::to_string(&pages).map_err(|e| e.to_string()))
        .and_then(|json| std::fs::write(&out, json).map_err(|e| format!("{}: {e}", out.display())));
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("catalog: {e}");
            ExitCode::FAILURE
        }
    }
}
