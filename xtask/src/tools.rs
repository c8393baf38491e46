//! Installing the exact tools the build needs, idempotently: each is checked first and installed only if missing or wrong.
//!
//! The pins live in one place each: wasm-bindgen's version in Cargo.lock (and
//! Trunk.toml must agree), Trunk's here, wasm-opt's in tests/package.json (npm
//! binaryen, because Debian's binaryen silently breaks the wasm).

use std::fs;
use std::path::{Path, PathBuf};

use crate::process::Cmd;
use crate::{Error, Result};

/// The Trunk release that works with this machine's rustc (0.22 needs a newer one).
const TRUNK_VERSION: &str = "0.21.14";
/// The Rust target the app compiles to.
const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// A copy of tests/package-lock.json written after a successful `npm ci`: equal means up to date.
const NPM_STAMP: &str = ".xtask-package-lock.json";
/// Where Debian's chromium-driver puts ChromeDriver (for wasm-bindgen-test in a browser).
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// The apt command that installs Chromium and ChromeDriver.
const APT_INSTALL_CHROMIUM: &str =
    "apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver";

/// Everything that building and serving the app needs: the wasm target,
/// wasm-bindgen-cli, Trunk, and tests/node_modules (wasm-opt and playwright-core).
pub(crate) fn ensure_build_tools(root: &Path) -> Result<()> {
    ensure_wasm_target()?;
    ensure_wasm_bindgen(root)?;
    ensure_trunk()?;
    ensure_node_modules(root)?;
    ensure_wasm_opt(root)
}

/// tests/node_modules/.bin, where npm puts wasm-opt.
pub(crate) fn node_bin_dir(root: &Path) -> PathBuf {
    root.join("tests").join("node_modules").join(".bin")
}

fn ensure_wasm_target() -> Result<()> {
    let installed = Cmd::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map_err(|e| {
            Error::new(format!(
                "could not list the Rust targets (is rustup installed?): {e}"
            ))
        })?;
    if String::from_utf8_lossy(&installed)
        .lines()
        .any(|line| line.trim() == WASM_TARGET)
    {
        return Ok(());
    }
    println!("xtask: installing the Rust target {WASM_TARGET}");
    Cmd::new("rustup")
        .args(["target", "add", WASM_TARGET])
        .run()
}

fn ensure_wasm_bindgen(root: &Path) -> Result<()> {
    let lock_path = root.join("Cargo.lock");
    let lock = fs::read_to_string(&lock_path).map_err(|e| {
        Error::new(format!(
            "could not read {}: {e} (it is committed; `cargo generate-lockfile` makes a new one)",
            lock_path.display()
        ))
    })?;
    let wanted = locked_version(&lock, "wasm-bindgen")
        .map_err(|e| Error::new(format!("{}: {e}", lock_path.display())))?;

    // Trunk uses a wasm-bindgen on PATH only if it matches Trunk.toml's pin; otherwise it would download one.
    let trunk_toml = root.join("Trunk.toml");
    let pinned = trunk_tool_pin(&trunk_toml, "wasm_bindgen")?;
    if pinned != wanted {
        return Err(Error::new(format!(
            "{} pins wasm_bindgen = \"{pinned}\" but Cargo.lock has wasm-bindgen {wanted}: make them equal",
            trunk_toml.display()
        )));
    }

    let found = Cmd::new("wasm-bindgen").arg("--version").probe();
    if found
        .as_deref()
        .and_then(|text| text.split_whitespace().nth(1))
        == Some(wanted.as_str())
    {
        return Ok(());
    }
    println!(
        "xtask: installing wasm-bindgen-cli {wanted} to match Cargo.lock (found: {}); this takes a few minutes",
        describe(found)
    );
    Cmd::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args([
            "install",
            "wasm-bindgen-cli",
            "--version",
            &wanted,
            "--locked",
        ])
        .run()
}

fn ensure_trunk() -> Result<()> {
    let found = Cmd::new("trunk").arg("--version").probe();
    if found
        .as_deref()
        .and_then(|text| text.split_whitespace().nth(1))
        == Some(TRUNK_VERSION)
    {
        return Ok(());
    }
    println!(
        "xtask: installing trunk {TRUNK_VERSION} (found: {}); this takes about 15 minutes on 2 cores",
        describe(found)
    );
    Cmd::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(["install", "trunk", "--version", TRUNK_VERSION, "--locked"])
        .run()
}

/// `npm ci` in tests/, unless node_modules already matches package-lock.json.
pub(crate) fn ensure_node_modules(root: &Path) -> Result<()> {
    let tests = root.join("tests");
    let lock_path = tests.join("package-lock.json");
    let lock = fs::read(&lock_path)
        .map_err(|e| Error::new(format!("could not read {}: {e}", lock_path.display())))?;
    let stamp = tests.join("node_modules").join(NPM_STAMP);
    if fs::read(&stamp).ok().as_deref() == Some(lock.as_slice()) {
        return Ok(());
    }
    if Cmd::new("npm").arg("--version").probe().is_none() {
        return Err(Error::new(
            "npm is missing: install Node.js 20 or later with npm (the browser tests and wasm-opt come from npm)",
        ));
    }
    println!("xtask: installing tests/node_modules with npm ci (wasm-opt from binaryen, playwright-core)");
    Cmd::new("npm")
        .dir(&tests)
        .args(["ci", "--no-audit", "--no-fund"])
        .run()?;
    fs::write(&stamp, &lock)
        .map_err(|e| Error::new(format!("could not write {}: {e}", stamp.display())))
}

/// Checks that the wasm-opt npm installed is the version Trunk.toml pins.
fn ensure_wasm_opt(root: &Path) -> Result<()> {
    let trunk_toml = root.join("Trunk.toml");
    let pinned = trunk_tool_pin(&trunk_toml, "wasm_opt")?;
    let wasm_opt = node_bin_dir(root).join("wasm-opt");
    let found = Cmd::new(&wasm_opt).arg("--version").probe();
    if found
        .as_deref()
        .is_some_and(|text| text.contains(&format!("({pinned})")))
    {
        return Ok(());
    }
    Err(Error::new(format!(
        "{} reports {}, but {} pins wasm_opt = \"{pinned}\": make tests/package.json's binaryen match",
        wasm_opt.display(),
        describe(found),
        trunk_toml.display()
    )))
}

/// Chromium and ChromeDriver from Debian, installed with apt if we are root.
/// The CHROMIUM environment variable names another Chromium for the browser tests.
pub(crate) fn ensure_chromium() -> Result<()> {
    let chromium = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    if chromium.is_file() && Path::new(CHROMEDRIVER).is_file() {
        return Ok(());
    }
    let uid = Cmd::new("id").arg("-u").probe();
    if uid.as_deref().map(str::trim) != Some("0") {
        return Err(Error::new(format!(
            "Chromium ({}) or ChromeDriver ({CHROMEDRIVER}) is missing; install them with:\n  sudo sh -c '{APT_INSTALL_CHROMIUM}'",
            chromium.display()
        )));
    }
    println!(
        "xtask: installing Debian's chromium and chromium-driver with apt-get (about a minute)"
    );
    Cmd::new("apt-get").arg("update").run()?;
    Cmd::new("env")
        .args([
            "DEBIAN_FRONTEND=noninteractive",
            "apt-get",
            "install",
            "-y",
            "chromium",
            "chromium-driver",
        ])
        .run()?;
    if chromium.is_file() {
        Ok(())
    } else {
        Err(Error::new(format!(
            "apt-get installed chromium, but {} is still missing (is CHROMIUM set to another path?)",
            chromium.display()
        )))
    }
}

/// The one version of `package` in a Cargo.lock; an error if it is missing or there are several.
fn locked_version(lock: &str, package: &str) -> std::result::Result<String, String> {
    let mut versions = Vec::new();
    for block in lock.split("[[package]]").skip(1) {
        let field = |key: &str| {
            block.lines().find_map(|line| {
                let (k, v) = line.split_once('=')?;
                (k.trim() == key).then(|| v.trim().trim_matches('"').to_owned())
            })
        };
        if field("name").as_deref() == Some(package) {
            if let Some(version) = field("version") {
                versions.push(version);
            }
        }
    }
    match versions.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(format!("no package `{package}` in it")),
        many => Err(format!(
            "several versions of `{package}` in it ({}); the wasm-bindgen CLI can match only one",
            many.join(", ")
        )),
    }
}

/// The value of `key` in Trunk.toml's `[tools]` table.
fn trunk_tool_pin(trunk_toml: &Path, key: &str) -> Result<String> {
    let text = fs::read_to_string(trunk_toml)
        .map_err(|e| Error::new(format!("could not read {}: {e}", trunk_toml.display())))?;
    tool_pin(&text, key).ok_or_else(|| {
        Error::new(format!(
            "{} has no `{key} = \"...\"` in [tools]: pin it so that Trunk never downloads the tool",
            trunk_toml.display()
        ))
    })
}

/// A `key = "value"` line of the `[tools]` table in a Trunk.toml's text.
fn tool_pin(text: &str, key: &str) -> Option<String> {
    let mut in_tools = false;
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.starts_with('[') {
            in_tools = line == "[tools]";
        } else if in_tools {
            if let Some((k, v)) = line.split_once('=') {
                if k.trim() == key {
                    return Some(v.trim().trim_matches('"').to_owned());
                }
            }
        }
    }
    None
}

/// The first line of a `--version` output, or "none".
fn describe(found: Option<String>) -> String {
    found
        .and_then(|text| text.lines().next().map(str::to_owned))
        .unwrap_or_else(|| "none".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = r#"
version = 4

[[package]]
name = "wasm-bindgen"
version = "0.2.129"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "wasm-bindgen-backend"
version = "0.2.129"
"#;

    #[test]
    fn finds_the_locked_version() {
        assert_eq!(
            locked_version(LOCK, "wasm-bindgen").as_deref(),
            Ok("0.2.129")
        );
        assert!(locked_version(LOCK, "trunk").is_err());
        let twice =
            format!("{LOCK}\n[[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.100\"\n");
        assert!(locked_version(&twice, "wasm-bindgen").is_err());
    }

    #[test]
    fn reads_pins_from_the_tools_table_only() {
        let text = "[build]\nwasm_bindgen = \"no\"\n[tools]\n# comment\nwasm_bindgen = \"0.2.129\" # why\nwasm_opt = \"version_132\"\n[serve]\nport = 8080\n";
        assert_eq!(tool_pin(text, "wasm_bindgen").as_deref(), Some("0.2.129"));
        assert_eq!(tool_pin(text, "wasm_opt").as_deref(), Some("version_132"));
        assert_eq!(tool_pin(text, "port"), None);
    }
}
