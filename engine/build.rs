//! Turns `data/prices.toml` (the dated price list, with its sources) into Rust constants, so the
//! engine carries its prices without parsing TOML at run time (and without a TOML parser in wasm).

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/prices.toml");
    println!("cargo:rerun-if-changed={}", src.display());
    let text =
        std::fs::read_to_string(&src).unwrap_or_else(|e| fail(&format!("{}: {e}", src.display())));
    let v: toml::Table = text
        .parse()
        .unwrap_or_else(|e| fail(&format!("data/prices.toml: {e}")));
    let s = |k: &str| {
        v.get(k)
            .and_then(|x| x.as_str())
            .unwrap_or_else(|| fail(&format!("data/prices.toml: {k}: expected a string")))
    };
    let n = |t: &toml::Table, k: &str, path: &str| -> f64 {
        t.get(k)
            .and_then(|x| x.as_float().or_else(|| x.as_integer().map(|i| i as f64)))
            .unwrap_or_else(|| fail(&format!("data/prices.toml: {path}{k}: expected a number")))
    };
    let table = |k: &str| {
        v.get(k)
            .and_then(|x| x.as_table())
            .unwrap_or_else(|| fail(&format!("data/prices.toml: [{k}] is missing")))
    };
    let arch = |k: &str| {
        let t = table(k);
        let p = format!("{k}.");
        format!(
            "ArchPrices {{ request_usd: {:?}, gb_s_usd: {:?}, provisioned_gb_s_usd: {:?}, provisioned_execution_gb_s_usd: {:?} }}",
            n(t, "request_usd", &p),
            n(t, "gb_s_usd", &p),
            n(t, "provisioned_gb_s_usd", &p),
            n(t, "provisioned_execution_gb_s_usd", &p)
        )
    };
    let sources = v
        .get("sources")
        .and_then(|x| x.as_array())
        .unwrap_or_else(|| fail("data/prices.toml: sources: expected a list of addresses"))
        .iter()
        .map(|x| {
            format!(
                "{:?}.to_string()",
                x.as_str()
                    .unwrap_or_else(|| fail("data/prices.toml: sources: expected strings"))
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let free = table("free_tier");
    let mut out = String::new();
    let _ = write!(
        out,
        "Prices {{ region: {:?}.to_string(), as_of: {:?}.to_string(), sources: vec![{sources}], x86_64: {}, arm64: {}, \
         free_tier: FreeTier {{ requests: {:?}, gb_s: {:?} }}, provisioned_billing_unit_s: {:?} }}",
        s("region"),
        s("as_of"),
        arch("x86_64"),
        arch("arm64"),
        n(free, "requests", "free_tier."),
        n(free, "gb_s", "free_tier."),
        n(&v, "provisioned_billing_unit_s", "")
    );
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap_or_else(|_| fail("OUT_DIR is not set")))
        .join("prices.rs");
    std::fs::write(&dest, out).unwrap_or_else(|e| fail(&format!("{}: {e}", dest.display())));
}

fn fail(message: &str) -> ! {
    eprintln!("{message}");
    std::process::exit(1)
}
