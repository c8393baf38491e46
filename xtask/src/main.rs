//! Lambda Lab's developer commands: `cargo xtask serve`, `cargo xtask test`, `cargo xtask bench`.
//!
//! xtask installs the exact tools the build needs (see `tools`), then runs the
//! same steps on a laptop and in CI: `.ci/run` is `cargo xtask test` and
//! nothing else. It has no dependencies beyond std, so it builds in seconds
//! before anything else is installed.

mod process;
mod sizes;
mod tools;

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use process::Cmd;

/// The address `cargo xtask serve` serves on; Trunk.toml's `[serve]` says the same.
const SERVE_ADDRESS: &str = "127.0.0.1";
/// The port `cargo xtask serve` serves on.
const SERVE_PORT: &str = "8080";

const USAGE: &str = "\
Usage: cargo xtask <command>

Commands:
  serve   install the tools, then serve the app at http://127.0.0.1:8080/ (release build, rebuilt on change)
  test    what CI runs: fmt, clippy (host and wasm), tests, lesson check, the engine's command
          line, release build, browser tests, and the gzipped size of dist/ (alias: ci)
  bench   the engine's benchmarks, then tests/bench/app-bench.mjs if it exists
  sizes   the raw and gzipped size of the .wasm and of all of dist/ (after a build)
  help    this message";

/// An error that ends the command: a message for the person at the terminal.
#[derive(Debug)]
pub(crate) struct Error(String);

impl Error {
    /// An error with this message.
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Error(message.into())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The result of anything in xtask that can fail.
pub(crate) type Result<T> = std::result::Result<T, Error>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = args.first().map(String::as_str);
    if args.len() > 1 {
        eprintln!("xtask: `{}` takes no arguments\n\n{USAGE}", args[0]);
        return ExitCode::from(2);
    }
    let root = repo_root();
    let result = match command {
        Some("serve") => serve(&root),
        Some("test" | "ci") => test(&root),
        Some("bench") => bench(&root),
        Some("sizes") => sizes::report(&root.join("dist")),
        Some("help" | "--help" | "-h") | None => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => {
            eprintln!("xtask: unknown command `{other}`\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("\nxtask: error: {error}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root: the parent of xtask's own manifest folder.
fn repo_root() -> PathBuf {
    // Cargo sets CARGO_MANIFEST_DIR when it runs us; the compile-time value is the fallback.
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    manifest_dir
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or(manifest_dir)
}

/// `cargo xtask serve`: a release build (the engine is slow unoptimised), rebuilt on change, served on 127.0.0.1:8080.
fn serve(root: &Path) -> Result<()> {
    tools::ensure_build_tools(root)?;
    // Trunk runs cargo with --offline, so every crate must be on disk first.
    Cmd::cargo(root).args(["fetch", "--locked"]).run()?;
    println!(
        "\nLambda Lab is being served at http://{SERVE_ADDRESS}:{SERVE_PORT}/ (Ctrl-C stops it)\n"
    );
    trunk(root)
        // No live-reload script: it would be inline, and the page's CSP refuses inline scripts.
        .args("serve --offline --skip-version-check --release --no-autoreload".split_whitespace())
        .args(["--address", SERVE_ADDRESS, "--port", SERVE_PORT])
        .run()
}

/// `cargo xtask test`: every check CI runs, in order, stopping at the first failure.
fn test(root: &Path) -> Result<()> {
    let started = Instant::now();
    tools::ensure_build_tools(root)?;
    tools::ensure_chromium()?;

    // Each step is a command line as a person would type it: no argument here holds a space.
    let cargo = |line: &str| Cmd::cargo(root).args(line.split_whitespace());
    let steps: Vec<(&str, Cmd)> = vec![
        ("formatting", cargo("fmt --all --check")),
        (
            "clippy (host)",
            cargo("clippy --workspace --all-targets --locked -- -D warnings"),
        ),
        (
            "clippy (wasm)",
            cargo(
                "clippy -p app -p worker --target wasm32-unknown-unknown --locked -- -D warnings",
            ),
        ),
        (
            "unit and integration tests",
            cargo("test --workspace --locked"),
        ),
        (
            "lesson check",
            cargo("run --release -q -p curriculum --bin check-lessons -- lessons"),
        ),
        // The browser tests compare the app with the native engine's command line.
        (
            "release build of the command line",
            cargo("build --release -q -p lambda-lab --bin lambda-lab"),
        ),
        (
            "release build of the app (trunk)",
            trunk(root).args("build --release --offline --skip-version-check".split_whitespace()),
        ),
        (
            "browser tests",
            Cmd::new("node")
                .dir(root.join("tests"))
                .args(["--test", "browser/"]),
        ),
    ];

    let count = steps.len();
    for (index, (name, cmd)) in steps.into_iter().enumerate() {
        let step = format!("step {}/{count} ({name})", index + 1);
        println!("\n==> {step}: {}", cmd.display());
        let step_started = Instant::now();
        cmd.run().map_err(|error| {
            let hint = match name {
                "formatting" => "\n  `cargo fmt --all` fixes it",
                "browser tests" => "\n  the page's console errors, exceptions and foreign requests are listed above",
                _ => "",
            };
            Error::new(format!("{step} failed: {error}{hint}"))
        })?;
        println!(
            "==> {step} passed in {:.1} s",
            step_started.elapsed().as_secs_f64()
        );
    }

    println!();
    sizes::report(&root.join("dist"))?;
    println!(
        "\nAll {count} steps passed in {:.0} s.",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// `cargo xtask bench`: the engine's Criterion benchmarks, then the browser benchmark if there is one.
fn bench(root: &Path) -> Result<()> {
    Cmd::cargo(root).args(["bench", "-p", "engine"]).run()?;
    let script = root.join("tests").join("bench").join("app-bench.mjs");
    if !script.is_file() {
        println!(
            "\n(no {} yet: skipping the browser benchmark)",
            script.display()
        );
        return Ok(());
    }
    tools::ensure_build_tools(root)?;
    tools::ensure_chromium()?;
    trunk(root)
        .args("build --release --offline --skip-version-check".split_whitespace())
        .run()?;
    Cmd::new("node").dir(root).arg(&script).run()
}

/// Trunk, with the npm wasm-opt first on PATH so that Trunk never picks Debian's.
fn trunk(root: &Path) -> Cmd {
    Cmd::new("trunk")
        .dir(root)
        .path_first(&tools::node_bin_dir(root))
}
