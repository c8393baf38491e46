//! Runtimes and architectures: the instruction set a function runs on, and the Init duration
//! of each managed runtime, from published measurements.
//!
//! Figures: maxday's lambda-perf benchmark, hello-world zip functions at 128 MB,
//! 2026-07-23 to 2026-08-22, about 290 cold starts per cell (`docs/lambda-facts.md` section 2).
//! Init of a hello-world barely depends on memory, so one figure per architecture is kept.
//! python3.12 (supported until October 2028, lambda-runtimes.html) is not in that month's
//! table: its figures come from lambda-perf's daily run of 2025-12-21 (10 cold starts per
//! cell, 128 to 1,024 MB: x86 means 89-96 ms, arm64 71-76 ms), its p99 set with the same ratio
//! to p50 as python3.13's.
//!
//! A function that names no runtime gets `nodejs22.x`, the most used managed runtime, so a
//! learner's own scenario never shows cold starts as free; `custom` is the explicit way to
//! leave Init to `init_ms`, the package and the layers.

use serde::{Deserialize, Serialize};

use super::dist::Dist;

/// Instruction-set architecture; arm64 is priced about 20% lower.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Arch {
    /// Intel/AMD.
    #[default]
    X86_64,
    /// Graviton.
    Arm64,
}

/// A runtime preset. `custom` adds no runtime init of its own (only `init_ms` and the package).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Runtime {
    /// No runtime init; everything comes from `init_ms`, the package and the layers.
    #[serde(rename = "custom")]
    Custom,
    /// Node.js 22 (the default: the most used managed runtime).
    #[default]
    #[serde(rename = "nodejs22.x")]
    Nodejs22,
    /// Node.js 24.
    #[serde(rename = "nodejs24.x")]
    Nodejs24,
    /// Python 3.12.
    #[serde(rename = "python3.12")]
    Python312,
    /// Python 3.13.
    #[serde(rename = "python3.13")]
    Python313,
    /// Python 3.14.
    #[serde(rename = "python3.14")]
    Python314,
    /// Java 21.
    #[serde(rename = "java21")]
    Java21,
    /// Java 25.
    #[serde(rename = "java25")]
    Java25,
    /// .NET 8.
    #[serde(rename = "dotnet8")]
    Dotnet8,
    /// Ruby 3.4.
    #[serde(rename = "ruby3.4")]
    Ruby34,
    /// Go on the OS-only runtime.
    #[serde(rename = "go")]
    Go,
    /// Rust on the OS-only runtime.
    #[serde(rename = "rust")]
    Rust,
}

impl Runtime {
    /// Every preset, in the order the UI lists them.
    pub const ALL: [Runtime; 12] = [
        Runtime::Custom,
        Runtime::Nodejs22,
        Runtime::Nodejs24,
        Runtime::Python312,
        Runtime::Python313,
        Runtime::Python314,
        Runtime::Java21,
        Runtime::Java25,
        Runtime::Dotnet8,
        Runtime::Ruby34,
        Runtime::Go,
        Runtime::Rust,
    ];

    /// The identifier used in scenario files (AWS's runtime identifier where there is one).
    pub fn id(self) -> &'static str {
        match self {
            Runtime::Custom => "custom",
            Runtime::Nodejs22 => "nodejs22.x",
            Runtime::Nodejs24 => "nodejs24.x",
            Runtime::Python312 => "python3.12",
            Runtime::Python313 => "python3.13",
            Runtime::Python314 => "python3.14",
            Runtime::Java21 => "java21",
            Runtime::Java25 => "java25",
            Runtime::Dotnet8 => "dotnet8",
            Runtime::Ruby34 => "ruby3.4",
            Runtime::Go => "go",
            Runtime::Rust => "rust",
        }
    }

    /// The preset with this identifier.
    pub fn from_id(id: &str) -> Option<Runtime> {
        Runtime::ALL.into_iter().find(|r| r.id() == id)
    }

    /// The runtime's own Init duration (ms), p50 and p99 at 128 MB on this architecture.
    pub fn init_p50_p99_ms(self, arch: Arch) -> (f64, f64) {
        let (x86, arm) = match self {
            Runtime::Custom => ((0.0, 0.0), (0.0, 0.0)),
            Runtime::Nodejs22 => ((140.0, 198.0), (128.0, 155.0)),
            Runtime::Nodejs24 => ((135.0, 190.0), (120.0, 143.0)),
            Runtime::Python312 => ((90.0, 129.0), (72.0, 108.0)),
            Runtime::Python313 => ((85.0, 122.0), (80.0, 120.0)),
            Runtime::Python314 => ((106.0, 250.0), (100.0, 135.0)),
            Runtime::Java21 => ((239.0, 601.0), (248.0, 590.0)),
            Runtime::Java25 => ((191.0, 475.0), (196.0, 448.0)),
            Runtime::Dotnet8 => ((251.0, 642.0), (298.0, 664.0)),
            Runtime::Ruby34 => ((228.0, 474.0), (228.0, 447.0)),
            Runtime::Go => ((50.0, 71.0), (43.0, 45.0)),
            Runtime::Rust => ((16.0, 51.0), (14.0, 43.0)),
        };
        match arch {
            Arch::X86_64 => x86,
            Arch::Arm64 => arm,
        }
    }

    /// The runtime's own Init duration as a distribution, in ms.
    pub fn init_ms(self, arch: Arch) -> Dist {
        let (p50, p99) = self.init_p50_p99_ms(arch);
        if p50 > 0.0 {
            Dist::Lognormal { p50, p99 }
        } else {
            Dist::ZERO
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_match_serde() {
        for r in Runtime::ALL {
            assert_eq!(Runtime::from_id(r.id()), Some(r));
            let quoted = serde_json::to_string(&r).expect("serialises");
            assert_eq!(quoted, format!("\"{}\"", r.id()));
        }
    }

    #[test]
    fn a_function_names_a_managed_runtime_by_default() {
        assert_eq!(Runtime::default(), Runtime::Nodejs22);
        assert!(Runtime::default().init_ms(Arch::X86_64).mean() > 100.0);
    }

    #[test]
    fn compiled_runtimes_start_faster_than_managed_ones() {
        // docs/lambda-facts.md section 2: rust 16 ms p50, java21 239 ms p50 (x86, 128 MB).
        let rust = Runtime::Rust.init_ms(Arch::X86_64).mean();
        let java = Runtime::Java21.init_ms(Arch::X86_64).mean();
        assert!(rust * 5.0 < java, "rust {rust} ms, java {java} ms");
    }
}
