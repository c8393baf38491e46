//! Prices and billing: what a run costs, from integer usage counters and a dated price list.

use serde::{Deserialize, Serialize};

use crate::scenario::Arch;

/// The price list shipped with the engine (us-east-1), with its date and sources.
pub const PRICES_TOML: &str = include_str!("../data/prices.toml");

/// Prices for one architecture, in US dollars.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArchPrices {
    /// Per request.
    pub request_usd: f64,
    /// Per GB-second of on-demand duration (first tier).
    pub gb_s_usd: f64,
    /// Per GB-second of provisioned concurrency allocated.
    pub provisioned_gb_s_usd: f64,
    /// Per GB-second of duration on a provisioned environment.
    pub provisioned_execution_gb_s_usd: f64,
}

/// The monthly free tier.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FreeTier {
    /// Requests a month.
    pub requests: f64,
    /// GB-seconds a month.
    pub gb_s: f64,
}

/// A dated price list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prices {
    /// Region the prices are for.
    pub region: String,
    /// When they were read.
    pub as_of: String,
    /// Where they were read.
    pub sources: Vec<String>,
    /// Intel/AMD prices.
    pub x86_64: ArchPrices,
    /// Graviton prices.
    pub arm64: ArchPrices,
    /// The free tier.
    pub free_tier: FreeTier,
    /// Provisioned concurrency is billed in units of this many seconds.
    pub provisioned_billing_unit_s: f64,
}

impl Prices {
    /// The shipped price list (`data/prices.toml`, turned into Rust by `build.rs`).
    pub fn shipped() -> Prices {
        include!(concat!(env!("OUT_DIR"), "/prices.rs"))
    }

    /// The prices of one architecture.
    pub fn for_arch(&self, arch: Arch) -> &ArchPrices {
        match arch {
            Arch::X86_64 => &self.x86_64,
            Arch::Arm64 => &self.arm64,
        }
    }
}

/// Usage counted exactly, in integers, as the run goes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    /// Billed requests (every invocation that ran, errors and timeouts included).
    pub requests: u64,
    /// Billed on-demand duration, in MB x ms (each invocation rounded up to 1 ms).
    pub mb_ms: u128,
    /// Billed duration on provisioned environments, in MB x ms.
    pub provisioned_exec_mb_ms: u128,
}

impl Usage {
    /// Adds another usage.
    pub fn add(&mut self, other: &Usage) {
        self.requests += other.requests;
        self.mb_ms += other.mb_ms;
        self.provisioned_exec_mb_ms += other.provisioned_exec_mb_ms;
    }
}

/// What a run cost, by item, in US dollars.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct CostBreakdown {
    /// Request charges.
    pub requests_usd: f64,
    /// On-demand duration charges.
    pub duration_usd: f64,
    /// Provisioned concurrency allocated.
    pub provisioned_usd: f64,
    /// Duration on provisioned environments.
    pub provisioned_execution_usd: f64,
    /// Free tier subtracted (a negative amount or 0).
    pub free_tier_usd: f64,
    /// The total.
    pub total_usd: f64,
}

/// MB x ms in GB-seconds (AWS counts 1 GB as 1,024 MB).
pub fn mb_ms_to_gb_s(mb_ms: u128) -> f64 {
    mb_ms as f64 / 1_024.0 / 1_000.0
}

/// Prices `usage` of one function.
///
/// `provisioned_mb_s` is the provisioned memory allocated times the billed seconds;
/// `free_fraction` is the share of a month's free tier this function may use (0 without it).
pub fn price(
    usage: &Usage,
    p: &ArchPrices,
    provisioned_mb_s: f64,
    free: Option<(f64, f64)>,
) -> CostBreakdown {
    let requests_usd = usage.requests as f64 * p.request_usd;
    let gb_s = mb_ms_to_gb_s(usage.mb_ms);
    let duration_usd = gb_s * p.gb_s_usd;
    let provisioned_usd = provisioned_mb_s / 1_024.0 * p.provisioned_gb_s_usd;
    let provisioned_execution_usd =
        mb_ms_to_gb_s(usage.provisioned_exec_mb_ms) * p.provisioned_execution_gb_s_usd;
    let free_tier_usd = match free {
        Some((free_requests, free_gb_s)) => {
            -((usage.requests as f64).min(free_requests) * p.request_usd
                + gb_s.min(free_gb_s) * p.gb_s_usd)
        }
        None => 0.0,
    };
    CostBreakdown {
        requests_usd,
        duration_usd,
        provisioned_usd,
        provisioned_execution_usd,
        free_tier_usd,
        total_usd: requests_usd
            + duration_usd
            + provisioned_usd
            + provisioned_execution_usd
            + free_tier_usd,
    }
}

impl CostBreakdown {
    /// Adds another breakdown item by item.
    pub fn add(&mut self, o: &CostBreakdown) {
        self.requests_usd += o.requests_usd;
        self.duration_usd += o.duration_usd;
        self.provisioned_usd += o.provisioned_usd;
        self.provisioned_execution_usd += o.provisioned_execution_usd;
        self.free_tier_usd += o.free_tier_usd;
        self.total_usd += o.total_usd;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_prices_parse_and_match_the_facts() {
        let p: Prices = toml::from_str(PRICES_TOML).expect("data/prices.toml is valid");
        assert_eq!(
            p,
            Prices::shipped(),
            "build.rs must carry the file over exactly"
        );
        // docs/lambda-facts.md section 4: $0.20 per million requests, $0.0000166667 per GB-s on x86.
        assert!((p.x86_64.request_usd * 1e6 - 0.2).abs() < 1e-12);
        assert!(p.arm64.gb_s_usd < p.x86_64.gb_s_usd);
    }

    #[test]
    fn a_million_one_second_invocations_at_1024_mb() {
        let p = Prices::shipped();
        let usage = Usage {
            requests: 1_000_000,
            mb_ms: 1_024 * 1_000 * 1_000_000,
            provisioned_exec_mb_ms: 0,
        };
        let c = price(&usage, &p.x86_64, 0.0, None);
        // 1,000,000 GB-s x $0.0000166667 + $0.20 = $16.8667
        assert!((c.total_usd - 16.8667).abs() < 1e-3, "{c:?}");
        let free = price(&usage, &p.x86_64, 0.0, Some((1_000_000.0, 400_000.0)));
        assert!(
            (free.total_usd - 600_000.0 * 0.000_016_666_7).abs() < 1e-3,
            "{free:?}"
        );
    }
}
