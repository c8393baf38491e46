//! The lessons, embedded at build time by `build.rs` (checked, Markdown already rendered).

use curriculum::Page;

/// The pages as `build.rs` wrote them.
const PAGES_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/pages.json"));

/// Every lesson page, in teaching order.
pub fn pages() -> Vec<Page> {
    // build.rs wrote this JSON from the same types; a failure here would be a build bug,
    // so show no lessons rather than break the page.
    // `engine::from_value` shares the deserialiser that knob changes and scenario files use,
    // which keeps a second copy of it out of the wasm.
    serde_json::from_str::<serde_json::Value>(PAGES_JSON)
        .map_err(|e| e.to_string())
        .and_then(engine::from_value)
        .unwrap_or_default()
}
