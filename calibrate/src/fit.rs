//! Fitting a distribution to measured durations: the empirical quantiles the engine replays,
//! and a log-normal fit (by its median and 99th percentile, the engine's own parameters) shown
//! beside them, with how far the log-normal's 95th percentile is from the data's.

use engine::Dist;
use serde::{Deserialize, Serialize};

/// Quantile points of an empirical fit: every percentile, from the minimum to the maximum.
pub const QUANTILE_POINTS: usize = 101;

/// The value at probability `p` of ascending `sorted` values, interpolating linearly between
/// order statistics (the same reading the engine's empirical distribution makes). 0 for none.
pub fn quantile(sorted: &[f64], p: f64) -> f64 {
    engine::scenario::quantile_at(sorted, p)
}

/// Count, mean and percentiles of some values.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// How many values.
    pub count: u64,
    /// Their mean.
    pub mean: f64,
    /// Smallest.
    pub min: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Largest.
    pub max: f64,
}

impl Summary {
    /// The summary of ascending `sorted` values (all zero for none).
    pub fn of(sorted: &[f64]) -> Summary {
        if sorted.is_empty() {
            return Summary::default();
        }
        Summary {
            count: sorted.len() as u64,
            mean: sorted.iter().sum::<f64>() / sorted.len() as f64,
            min: sorted[0],
            p50: quantile(sorted, 0.50),
            p95: quantile(sorted, 0.95),
            p99: quantile(sorted, 0.99),
            max: sorted[sorted.len() - 1],
        }
    }
}

/// A distribution fitted to measured values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DistFit {
    /// The values' summary.
    pub summary: Summary,
    /// [`QUANTILE_POINTS`] quantiles at evenly spaced probabilities (0, 1%, ..., 100%): the
    /// engine's `empirical` distribution of them reproduces the values.
    pub quantiles: Vec<f64>,
    /// The log-normal with the values' median and 99th percentile (`None` when it has none:
    /// fewer than two values, or a median of 0).
    pub lognormal: Option<Dist>,
    /// The log-normal's 95th percentile, to set beside the data's.
    pub lognormal_p95: Option<f64>,
    /// How far that is from the data's 95th percentile, in per cent.
    pub lognormal_p95_diff_pct: Option<f64>,
}

/// z-scores of the 95th and 99th percentiles of a standard normal distribution.
const Z95: f64 = 1.644_853_626_951_472_2;
const Z99: f64 = 2.326_347_874_040_841;

impl DistFit {
    /// Fits `values` (any order; non-finite ones are left out). `None` for no values.
    pub fn of(values: &[f64]) -> Option<DistFit> {
        let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        if sorted.is_empty() {
            return None;
        }
        sorted.sort_by(f64::total_cmp);
        let summary = Summary::of(&sorted);
        let quantiles = (0..QUANTILE_POINTS)
            .map(|i| round3(quantile(&sorted, i as f64 / (QUANTILE_POINTS - 1) as f64).max(0.0)))
            .collect();
        let (lognormal, lognormal_p95) = if sorted.len() >= 2 && summary.p50 > 0.0 {
            let (p50, p99) = (round3(summary.p50), round3(summary.p99.max(summary.p50)));
            let sigma = (p99 / p50).ln() / Z99;
            (
                Some(Dist::Lognormal { p50, p99 }),
                Some(p50 * (sigma * Z95).exp()),
            )
        } else {
            (None, None)
        };
        Some(DistFit {
            lognormal_p95_diff_pct: lognormal_p95.and_then(|l| pct_diff(summary.p95, l)),
            summary,
            quantiles,
            lognormal,
            lognormal_p95,
        })
    }

    /// The engine's empirical distribution of the quantiles.
    pub fn empirical(&self) -> Dist {
        Dist::Empirical {
            quantiles: self.quantiles.clone(),
        }
    }
}

/// `(other - base) / base` in per cent; `None` when `base` is 0 (and `other` is not).
pub fn pct_diff(base: f64, other: f64) -> Option<f64> {
    if base == 0.0 {
        (other == 0.0).then_some(0.0)
    } else {
        Some((other - base) / base * 100.0)
    }
}

/// Rounded to a thousandth (the µs a REPORT line's milliseconds carry at most).
pub fn round3(v: f64) -> f64 {
    (v * 1_000.0).round() / 1_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_and_lognormal_of_known_values() {
        let values: Vec<f64> = (1..=1_000).rev().map(f64::from).collect();
        let fit = DistFit::of(&values).expect("values");
        assert_eq!(fit.quantiles.len(), QUANTILE_POINTS);
        assert_eq!(fit.quantiles[0], 1.0);
        assert_eq!(fit.quantiles[100], 1_000.0);
        assert_eq!(fit.summary.p50, 500.5);
        assert_eq!(
            fit.lognormal,
            Some(Dist::Lognormal {
                p50: 500.5,
                p99: 990.01
            })
        );
        // Uniform values are not log-normal: the fit's p95 is off, and the fit says by how much.
        assert!(fit.lognormal_p95_diff_pct.expect("p95").abs() > 1.0);
        assert!(DistFit::of(&[]).is_none());
        assert!(DistFit::of(&[0.0, 0.0]).expect("one").lognormal.is_none());
        assert_eq!(pct_diff(0.0, 0.0), Some(0.0));
        assert_eq!(pct_diff(0.0, 1.0), None);
        assert_eq!(pct_diff(200.0, 150.0), Some(-25.0));
    }
}
