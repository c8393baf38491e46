//! Probability distributions for durations, read from scenario files and sampled portably.
//!
//! Every transcendental function goes through `libm` (via `rand_distr` without `std_math`,
//! and directly here), so a seed gives the same numbers natively and in WebAssembly.

use std::fmt;
use std::sync::Arc;

use rand::Rng;
use rand_distr::{Distribution, Exp, Normal};
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use super::field::FieldError;

/// A distribution of a non-negative quantity, in the unit its field names (`_ms`, `_s`).
///
/// In a scenario file it is either a bare number (a constant) or a table with a `kind`:
///
/// ```toml
/// init_ms = 253
/// cpu_ms = { kind = "exponential", mean = 1991 }
/// io_ms = { kind = "uniform", min = 20, max = 40 }
/// init_code_ms = { kind = "lognormal", p50 = 140, p99 = 198 }
/// io_ms = { kind = "empirical", quantiles = [12, 15, 19, 30, 95] }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Dist {
    /// Always the same value.
    Constant {
        /// The value.
        value: f64,
    },
    /// Uniform between `min` and `max`.
    Uniform {
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
    },
    /// Exponential with the given mean.
    Exponential {
        /// Mean value.
        mean: f64,
    },
    /// Log-normal, given by its median and 99th percentile (as benchmarks publish them).
    Lognormal {
        /// Median.
        p50: f64,
        /// 99th percentile; at least the median.
        p99: f64,
    },
    /// Measured values (a log's durations), as quantiles at evenly spaced probabilities: the
    /// first is the minimum (probability 0), the last the maximum (probability 1), and with
    /// 101 points the i-th is the i-th percentile. A draw takes one uniform number and reads the
    /// piecewise-linear inverse distribution function between the points.
    Empirical {
        /// Non-decreasing, non-negative values; 2 to [`MAX_QUANTILES`] of them.
        quantiles: Vec<f64>,
    },
}

/// Most quantile points an empirical distribution may hold.
pub const MAX_QUANTILES: usize = 10_001;

/// A distribution ready to draw from, its parameters worked out once (a log-normal's sigma is a
/// logarithm). [`Dist::sample`] draws through it too, so both give the same numbers.
#[derive(Debug, Clone)]
pub enum Sampler {
    /// Always the same value.
    Constant(f64),
    /// `min + span * u`.
    Uniform {
        /// Lower bound.
        min: f64,
        /// `max - min`.
        span: f64,
    },
    /// Exponential.
    Exponential(Exp<f64>),
    /// `p50 * e^x` with `x` normal.
    Lognormal {
        /// Median.
        p50: f64,
        /// Normal with mean 0 and the distribution's sigma.
        normal: Normal<f64>,
    },
    /// The quantile points, read at one uniform draw (shared, so cloning is cheap).
    Empirical(Arc<[f64]>),
}

impl Sampler {
    /// Draws one value.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match *self {
            Sampler::Constant(v) => v,
            Sampler::Uniform { min, span } => min + span * rng.gen::<f64>(),
            Sampler::Exponential(exp) => exp.sample(rng),
            Sampler::Lognormal { p50, normal } => p50 * libm::exp(normal.sample(rng)),
            Sampler::Empirical(ref q) => quantile_at(q, rng.gen::<f64>()),
        }
    }

    /// Draws a handler's CPU and I/O times. Two empirical distributions are read at the same
    /// uniform draw, so a slow invocation is slow in both parts: a measured duration split by
    /// a CPU-bound share keeps its spread (two independent draws would narrow it). Any other
    /// pair is drawn independently, CPU first, as before empirical distributions existed.
    #[inline]
    pub fn sample_pair<R: Rng + ?Sized>(cpu: &Sampler, io: &Sampler, rng: &mut R) -> (f64, f64) {
        match (cpu, io) {
            (Sampler::Empirical(c), Sampler::Empirical(i)) => {
                let u = rng.gen::<f64>();
                (quantile_at(c, u), quantile_at(i, u))
            }
            _ => (cpu.sample(rng), io.sample(rng)),
        }
    }

    /// True for an empirical distribution (read with [`Sampler::sample_pair`]'s shared draw).
    pub fn is_empirical(&self) -> bool {
        matches!(self, Sampler::Empirical(_))
    }
}

/// The piecewise-linear inverse distribution function of evenly spaced quantile points, at
/// probability `u` in [0, 1]. An empty list reads as 0 (validation refuses one).
pub fn quantile_at(q: &[f64], u: f64) -> f64 {
    match q {
        [] => 0.0,
        [only] => *only,
        _ => {
            let x = u.clamp(0.0, 1.0) * (q.len() - 1) as f64;
            let i = (x as usize).min(q.len() - 2);
            let frac = x - i as f64;
            q[i] + (q[i + 1] - q[i]) * frac
        }
    }
}

/// z-score of the 99th percentile of a standard normal distribution.
const Z99: f64 = 2.326_347_874_040_841;

impl Dist {
    /// A constant distribution.
    pub const fn constant(value: f64) -> Self {
        Dist::Constant { value }
    }

    /// The zero distribution (no time at all).
    pub const ZERO: Dist = Dist::Constant { value: 0.0 };

    /// Checks the parameters, naming `field` in the error.
    pub fn validate(&self, field: &str) -> Result<(), FieldError> {
        let bad = |what: &str| Err(FieldError::new(field, what));
        let finite_nonneg = |v: f64| v.is_finite() && v >= 0.0;
        match *self {
            Dist::Constant { value } if !finite_nonneg(value) => {
                bad(&format!("expected a number >= 0, got {value}"))
            }
            Dist::Uniform { min, max }
                if !(finite_nonneg(min) && finite_nonneg(max) && min <= max) =>
            {
                bad(&format!(
                    "expected 0 <= min <= max, got min = {min}, max = {max}"
                ))
            }
            Dist::Exponential { mean } if !(mean.is_finite() && mean > 0.0) => {
                bad(&format!("expected mean > 0, got {mean}"))
            }
            Dist::Lognormal { p50, p99 }
                if !(p50.is_finite() && p50 > 0.0 && p99.is_finite() && p99 >= p50) =>
            {
                bad(&format!(
                    "expected 0 < p50 <= p99, got p50 = {p50}, p99 = {p99}"
                ))
            }
            Dist::Empirical { ref quantiles } => {
                validate_quantiles(quantiles).map_err(|what| FieldError::new(field, &what))
            }
            _ => Ok(()),
        }
    }

    /// The mean of the distribution.
    pub fn mean(&self) -> f64 {
        match *self {
            Dist::Constant { value } => value,
            Dist::Uniform { min, max } => (min + max) / 2.0,
            Dist::Exponential { mean } => mean,
            Dist::Lognormal { p50, p99 } => {
                let sigma = libm::log(p99 / p50) / Z99;
                p50 * libm::exp(sigma * sigma / 2.0)
            }
            // The mean of the piecewise-linear distribution: each segment holds an equal share
            // of probability, with its midpoint as its mean.
            Dist::Empirical { ref quantiles } => {
                if quantiles.len() < 2 {
                    return quantiles.first().copied().unwrap_or(0.0);
                }
                let sum: f64 = quantiles.windows(2).map(|w| (w[0] + w[1]) / 2.0).sum();
                sum / (quantiles.len() - 1) as f64
            }
        }
    }

    /// Draws one value. Never negative, never NaN for a validated distribution. (Many draws
    /// from one distribution: take its [`Dist::sampler`] once.)
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        self.sampler().sample(rng)
    }

    /// The distribution ready for many draws (see [`Sampler`]).
    pub fn sampler(&self) -> Sampler {
        match *self {
            Dist::Constant { value } => Sampler::Constant(value),
            Dist::Uniform { min, max } => Sampler::Uniform {
                min,
                span: max - min,
            },
            Dist::Exponential { mean } => match Exp::new(1.0 / mean) {
                Ok(exp) => Sampler::Exponential(exp),
                Err(_) => Sampler::Constant(mean),
            },
            Dist::Lognormal { p50, p99 } => {
                let sigma = libm::log(p99 / p50) / Z99;
                match Normal::new(0.0, sigma) {
                    Ok(normal) => Sampler::Lognormal { p50, normal },
                    Err(_) => Sampler::Constant(p50),
                }
            }
            Dist::Empirical { ref quantiles } => Sampler::Empirical(quantiles.as_slice().into()),
        }
    }

    /// The same distribution with every value multiplied by `factor`.
    pub fn scaled(&self, factor: f64) -> Dist {
        match *self {
            Dist::Constant { value } => Dist::Constant {
                value: value * factor,
            },
            Dist::Uniform { min, max } => Dist::Uniform {
                min: min * factor,
                max: max * factor,
            },
            Dist::Exponential { mean } => Dist::Exponential {
                mean: mean * factor,
            },
            Dist::Lognormal { p50, p99 } => Dist::Lognormal {
                p50: p50 * factor,
                p99: p99 * factor,
            },
            Dist::Empirical { ref quantiles } => Dist::Empirical {
                quantiles: quantiles.iter().map(|q| q * factor).collect(),
            },
        }
    }
}

/// Checks an empirical distribution's points, saying what is wrong in words.
fn validate_quantiles(q: &[f64]) -> Result<(), String> {
    if q.len() < 2 {
        return Err(format!(
            "expected at least 2 quantiles (the minimum and the maximum), got {}",
            q.len()
        ));
    }
    if q.len() > MAX_QUANTILES {
        return Err(format!(
            "expected at most {MAX_QUANTILES} quantiles, got {}",
            q.len()
        ));
    }
    if let Some(i) = q.iter().position(|v| !(v.is_finite() && *v >= 0.0)) {
        return Err(format!(
            "expected numbers >= 0, got {} at position {i}",
            q[i]
        ));
    }
    if let Some(i) = q.windows(2).position(|w| w[1] < w[0]) {
        return Err(format!(
            "expected quantiles in non-decreasing order, got {} after {} at position {}",
            q[i + 1],
            q[i],
            i + 1
        ));
    }
    Ok(())
}

impl Default for Dist {
    fn default() -> Self {
        Dist::ZERO
    }
}

impl fmt::Display for Dist {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Dist::Constant { value } => write!(f, "{value}"),
            Dist::Uniform { min, max } => write!(f, "uniform {min}..{max}"),
            Dist::Exponential { mean } => write!(f, "exponential, mean {mean}"),
            Dist::Lognormal { p50, p99 } => write!(f, "log-normal, p50 {p50}, p99 {p99}"),
            Dist::Empirical { ref quantiles } => {
                let n = quantiles.len();
                let p50 = quantile_at(quantiles, 0.5);
                write!(f, "empirical, {n} quantiles, p50 {p50}")
            }
        }
    }
}

/// The table form, with serde's own precise messages for unknown kinds and fields.
#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
enum DistTable {
    Constant { value: f64 },
    Uniform { min: f64, max: f64 },
    Exponential { mean: f64 },
    Lognormal { p50: f64, p99: f64 },
    Empirical { quantiles: Vec<f64> },
}

impl From<DistTable> for Dist {
    fn from(t: DistTable) -> Self {
        match t {
            DistTable::Constant { value } => Dist::Constant { value },
            DistTable::Uniform { min, max } => Dist::Uniform { min, max },
            DistTable::Exponential { mean } => Dist::Exponential { mean },
            DistTable::Lognormal { p50, p99 } => Dist::Lognormal { p50, p99 },
            DistTable::Empirical { quantiles } => Dist::Empirical { quantiles },
        }
    }
}

impl<'de> Deserialize<'de> for Dist {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct DistVisitor;
        impl<'de> Visitor<'de> for DistVisitor {
            type Value = Dist;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number or a table with kind = \"constant\" | \"uniform\" | \"exponential\" | \"lognormal\" | \"empirical\"")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Dist, E> {
                Ok(Dist::Constant { value: v })
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Dist, E> {
                Ok(Dist::Constant { value: v as f64 })
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Dist, E> {
                Ok(Dist::Constant { value: v as f64 })
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Dist, A::Error> {
                DistTable::deserialize(de::value::MapAccessDeserializer::new(map)).map(Dist::from)
            }
        }
        deserializer.deserialize_any(DistVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_pcg::Pcg64Mcg;

    fn mean_of(d: &Dist, n: usize) -> f64 {
        let mut rng = Pcg64Mcg::seed_from_u64(7);
        (0..n).map(|_| d.sample(&mut rng)).sum::<f64>() / n as f64
    }

    #[test]
    fn sample_means_match_the_declared_means() {
        for d in [
            Dist::constant(5.0),
            Dist::Uniform {
                min: 10.0,
                max: 30.0,
            },
            Dist::Exponential { mean: 1991.0 },
            Dist::Lognormal {
                p50: 140.0,
                p99: 198.0,
            },
            Dist::Lognormal {
                p50: 40.0,
                p99: 40.0,
            },
        ] {
            let m = mean_of(&d, 200_000);
            assert!(
                (m - d.mean()).abs() / d.mean() < 0.01,
                "{d}: sample mean {m} vs {}",
                d.mean()
            );
        }
    }

    #[test]
    fn lognormal_p99_is_where_the_file_says() {
        let d = Dist::Lognormal {
            p50: 140.0,
            p99: 198.0,
        };
        let mut rng = Pcg64Mcg::seed_from_u64(3);
        let mut v: Vec<f64> = (0..100_000).map(|_| d.sample(&mut rng)).collect();
        v.sort_by(f64::total_cmp);
        let (p50, p99) = (v[50_000], v[99_000]);
        assert!((p50 - 140.0).abs() < 2.0, "p50 {p50}");
        assert!((p99 - 198.0).abs() < 4.0, "p99 {p99}");
    }

    #[test]
    fn reads_numbers_and_tables_and_names_bad_kinds() {
        #[derive(Deserialize)]
        struct T {
            a: Dist,
            b: Dist,
        }
        let t: T =
            toml::from_str("a = 253\nb = { kind = \"exponential\", mean = 1991 }").expect("valid");
        assert_eq!(t.a, Dist::constant(253.0));
        assert_eq!(t.b, Dist::Exponential { mean: 1991.0 });
        let err = toml::from_str::<T>("a = 1\nb = { kind = \"gamma\", mean = 3 }")
            .err()
            .expect("invalid kind");
        assert!(err.to_string().contains("gamma"), "{err}");
        let err = toml::from_str::<T>("a = 1\nb = { kind = \"uniform\", min = 3 }")
            .err()
            .expect("missing max");
        assert!(err.to_string().contains("max"), "{err}");
    }

    #[test]
    fn validation_names_the_field() {
        let err = Dist::Uniform { min: 5.0, max: 1.0 }
            .validate("functions[0].handler.cpu_ms")
            .unwrap_err();
        assert!(
            err.to_string().starts_with("functions[0].handler.cpu_ms:"),
            "{err}"
        );
        assert!(Dist::Exponential { mean: 0.0 }.validate("x").is_err());
        assert!(Dist::constant(f64::NAN).validate("x").is_err());
    }

    #[test]
    fn empirical_draws_follow_its_quantiles_and_its_mean() {
        let quantiles: Vec<f64> = (0..=100).map(|i| f64::from(i * i)).collect();
        let d = Dist::Empirical { quantiles };
        d.validate("x").expect("valid");
        let mut rng = Pcg64Mcg::seed_from_u64(5);
        let mut v: Vec<f64> = (0..100_000).map(|_| d.sample(&mut rng)).collect();
        v.sort_by(f64::total_cmp);
        // The 50th point is 2,500 and the 99th 9,801; draws land there within sampling error.
        assert!((v[50_000] - 2_500.0).abs() < 60.0, "p50 {}", v[50_000]);
        assert!((v[99_000] - 9_801.0).abs() < 60.0, "p99 {}", v[99_000]);
        let m = mean_of(&d, 200_000);
        assert!(
            (m - d.mean()).abs() / d.mean() < 0.01,
            "{m} vs {}",
            d.mean()
        );
        assert_eq!(quantile_at(&[10.0, 20.0], 0.25), 12.5);
        assert_eq!(quantile_at(&[10.0, 20.0], 1.0), 20.0);
        assert_eq!(d.scaled(2.0).mean(), 2.0 * d.mean());
    }

    #[test]
    fn two_empirical_handler_parts_share_one_draw() {
        let cpu = Dist::Empirical {
            quantiles: vec![0.0, 10.0, 100.0],
        }
        .sampler();
        let io = Dist::Empirical {
            quantiles: vec![0.0, 30.0, 300.0],
        }
        .sampler();
        let mut rng = Pcg64Mcg::seed_from_u64(9);
        for _ in 0..1_000 {
            let (c, i) = Sampler::sample_pair(&cpu, &io, &mut rng);
            assert!(
                (i - 3.0 * c).abs() < 1e-9,
                "cpu {c}, io {i}: not the same draw"
            );
        }
        // Any other pair is two draws, the CPU part first, as before.
        let (a, b) = (
            Dist::constant(1.0).sampler(),
            Dist::Exponential { mean: 5.0 }.sampler(),
        );
        let mut r1 = Pcg64Mcg::seed_from_u64(4);
        let mut r2 = Pcg64Mcg::seed_from_u64(4);
        let pair = Sampler::sample_pair(&a, &b, &mut r1);
        assert_eq!(pair, (a.sample(&mut r2), b.sample(&mut r2)));
    }

    #[test]
    fn empirical_validation_says_what_is_wrong() {
        let err = |q: Vec<f64>| {
            Dist::Empirical { quantiles: q }
                .validate("functions[0].init_ms")
                .unwrap_err()
                .to_string()
        };
        let e = err(vec![5.0]);
        assert!(
            e.starts_with("functions[0].init_ms: expected at least 2 quantiles"),
            "{e}"
        );
        let e = err(vec![1.0, 3.0, 2.0]);
        assert!(
            e.contains("non-decreasing") && e.contains("position 2"),
            "{e}"
        );
        let e = err(vec![-1.0, 3.0]);
        assert!(e.contains(">= 0") && e.contains("position 0"), "{e}");
        assert!(err(vec![1.0, f64::NAN]).contains("NaN"));
        assert!(err(vec![0.0; MAX_QUANTILES + 1]).contains("at most"));
        #[derive(Deserialize)]
        struct T {
            a: Dist,
        }
        let t: T =
            toml::from_str("a = { kind = \"empirical\", quantiles = [1, 2.5, 4] }").expect("reads");
        assert_eq!(
            t.a,
            Dist::Empirical {
                quantiles: vec![1.0, 2.5, 4.0]
            }
        );
    }
}
