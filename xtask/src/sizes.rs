//! The download size of the built app: each .wasm in dist/ and all of dist/, raw and gzipped (`gzip -9`).

use std::fs;
use std::path::{Path, PathBuf};

use crate::process::Cmd;
use crate::{Error, Result};

/// Prints a table of the raw and `gzip -9` sizes of each .wasm in `dist` and of all its files.
pub(crate) fn report(dist: &Path) -> Result<()> {
    if !dist.is_dir() {
        return Err(Error::new(format!(
            "{} is missing: `cargo xtask test` builds it (or `trunk build --release --offline`)",
            dist.display()
        )));
    }
    let mut files = Vec::new();
    collect_files(dist, &mut files)?;
    files.sort();

    let mut rows = Vec::new();
    let (mut raw_total, mut gzip_total) = (0, 0);
    for file in &files {
        let raw = fs::metadata(file)
            .map_err(|e| Error::new(format!("could not read {}: {e}", file.display())))?
            .len();
        let gzipped = gzip_size(file)?;
        raw_total += raw;
        gzip_total += gzipped;
        if file.extension().is_some_and(|ext| ext == "wasm") {
            let name = file
                .strip_prefix(dist)
                .unwrap_or(file)
                .display()
                .to_string();
            rows.push((name, raw, gzipped));
        }
    }
    if rows.is_empty() {
        return Err(Error::new(format!(
            "no .wasm file in {}: did trunk build run?",
            dist.display()
        )));
    }
    rows.push((
        format!("all of dist/ ({} files)", files.len()),
        raw_total,
        gzip_total,
    ));

    let width = rows
        .iter()
        .map(|(name, ..)| name.len())
        .max()
        .unwrap_or(0)
        .max(4);
    println!("{:<width$}  {:>10}  {:>12}", "size", "raw", "gzip -9");
    for (name, raw, gzipped) in rows {
        println!("{name:<width$}  {:>10}  {:>12}", kib(raw), kib(gzipped));
    }
    Ok(())
}

/// Every file under `dir`, recursively.
fn collect_files(dir: &Path, files: &mut Vec<PathBuf>) -> Result<()> {
    let entries = fs::read_dir(dir)
        .map_err(|e| Error::new(format!("could not list {}: {e}", dir.display())))?;
    for entry in entries {
        let path = entry
            .map_err(|e| Error::new(format!("could not list {}: {e}", dir.display())))?
            .path();
        if path.is_dir() {
            collect_files(&path, files)?;
        } else {
            files.push(path);
        }
    }
    Ok(())
}

/// The size of `file` after `gzip -9` (without the name and time in the header, as a server would send it).
fn gzip_size(file: &Path) -> Result<u64> {
    let compressed = Cmd::new("gzip")
        .args(["-c", "-9", "-n"])
        .arg(file)
        .output()?;
    Ok(compressed.len() as u64)
}

/// Bytes as KiB with one decimal.
fn kib(bytes: u64) -> String {
    format!("{:.1} KiB", bytes as f64 / 1024.0)
}
