//! `catalog`: reads and checks the lessons and writes them as the app loads them: one file of
//! pages in postcard (`curriculum::wire`), the Markdown rendered to HTML and each experiment's
//! scenario as the engine's JSON. Trunk runs it on every build (see `Trunk.toml`), so
//! `dist/lessons.bin` always matches `lessons/`.
//!
//! ```text
//! cargo run -q -p curriculum --bin catalog -- OUT.bin [DIR (default: lessons)]
//! ```
//!
//! `LAMBDA_LAB_LESSONS`, when set, names the lessons folder (for authors' drafts).

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: catalog OUT.bin [DIR (default: $LAMBDA_LAB_LESSONS or lessons)]";
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
        .and_then(|pages| curriculum::wire::write(&pages))
        .and_then(|bytes| {
            std::fs::write(&out, bytes).map_err(|e| format!("{}: {e}", out.display()))
        });
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("catalog: {e}");
            ExitCode::FAILURE
        }
    }
}
