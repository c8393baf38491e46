//! Lambda Lab's engine: a deterministic discrete-event simulation of AWS Lambda.
//!
//! A [`Scenario`] (read from TOML) and its seed go in; a [`Report`] (summary, request ledger,
//! time series, environment lanes and an event log) comes out. The same scenario and seed give
//! the same report, bit for bit, natively and in WebAssembly. The engine knows nothing of the
//! browser, wall-clock time, threads or global state.
//!
//! ```
//! let scenario = engine::Scenario::from_toml(r#"
//!     duration_s = 60
//!     [[functions]]
//!     name = "api"
//!     handler.cpu_ms = 100
//!     workload = { kind = "poisson", rate_per_s = 20 }
//! "#).unwrap();
//! let report = engine::run(&scenario).unwrap();
//! assert!(report.ledger.balances());
//! assert!(report.summary.cold_starts > 0);
//! ```

pub mod clip;
pub mod cost;
pub mod report;
pub mod scenario;
pub mod sim;
pub mod time;

pub use report::{Report, Summary};
pub use scenario::{Dist, Scenario, ScenarioError, Workload};
pub use sim::{run, Budget, SimError, Simulation};

/// Reads a value of the engine's types (a scenario, a function), or of a crate built on them
/// (a lesson page), from JSON,
/// naming the field at fault (`functions[0].memory_mb: invalid type: ...`).
///
/// Every reading of the engine's types in the app goes through here, so that the WebAssembly
/// holds one copy of their deserialisers: each other format would add a copy of all of them.
/// Scenario files are TOML: [`Scenario::from_toml`] turns the text into JSON first.
pub fn from_value<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<T, String> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        if path == "." {
            e.into_inner().to_string()
        } else {
            format!("{path}: {}", e.into_inner())
        }
    })
}
