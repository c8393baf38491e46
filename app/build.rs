//! Embeds the lessons at build time: checks them with the curriculum's lesson checker, renders
//! their Markdown to HTML (raw HTML escaped), and writes `pages.json` for `include_str!`.

use std::path::Path;

use pulldown_cmark::{html, Event, Options, Parser};

fn main() {
    // LAMBDA_LAB_LESSONS points the build at another lessons folder (for authors' drafts).
    println!("cargo:rerun-if-env-changed=LAMBDA_LAB_LESSONS");
    let dir = std::env::var_os("LAMBDA_LAB_LESSONS").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../lessons"),
        Into::into,
    );
    println!("cargo:rerun-if-changed={}", dir.display());
    // Cargo only watches a folder's own entries; watch every file too.
    if let Ok(list) = walk(&dir) {
        for f in list {
            println!("cargo:rerun-if-changed={}", f.display());
        }
    }
    let catalog = match curriculum::load_dir(&dir) {
        Ok(c) => c,
        Err(errors) => {
            for e in &errors {
                println!("cargo:warning=lessons/{e}");
            }
            eprintln!(
                "{} problem(s) in lessons/ (run `cargo run -p curriculum --bin check-lessons`):",
                errors.len()
            );
            for e in &errors {
                eprintln!("  lessons/{e}");
            }
            std::process::exit(1);
        }
    };
    let pages: Vec<curriculum::Page> = catalog
        .lessons
        .into_iter()
        .map(|entry| {
            let blocks = curriculum::split_blocks(&entry.markdown, render);
            curriculum::Page { entry, blocks }
        })
        .collect();
    let out =
        Path::new(&std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into())).join("pages.json");
    let json = serde_json::to_string(&pages).unwrap_or_else(|e| {
        eprintln!("could not serialise the lessons: {e}");
        std::process::exit(1)
    });
    if let Err(e) = std::fs::write(&out, json) {
        eprintln!("could not write {}: {e}", out.display());
        std::process::exit(1);
    }
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

/// Markdown to HTML; raw HTML in the source is shown as text, never injected.
fn render(markdown: &str) -> String {
    let parser = Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    )
    .map(|event| match event {
        Event::Html(t) | Event::InlineHtml(t) => Event::Text(t),
        other => other,
    });
    let mut out = String::new();
    html::push_html(&mut out, parser);
    out
}

fn walk(dir: &Path) -> std::io::Result<Vec<std::path::PathBuf>> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir)? {
        let p = e?.path();
        if p.is_dir() {
            out.extend(walk(&p)?);
        } else {
            out.push(p);
        }
    }
    Ok(out)
}
