//! Probability distributions for durations, read from scenario files and sampled portably.
//!
//! Every transcendental function goes through `libm` (via `rand_distr` without `std_math`,
//! and directly here), so a seed gives the same numbers natively and in WebAssembly.

use std::fmt;

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
}

/// A distribution ready to draw from, its parameters worked out once (a log-normal's sigma is a
/// logarithm). [`Dist::sample`] draws through it too, so both give the same numbers.
#[derive(Debug, Clone, Copy)]
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
        }
    }
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
}

impl From<DistTable> for Dist {
    fn from(t: DistTable) -> Self {
        match t {
            DistTable::Constant { value } => Dist::Constant { value },
            DistTable::Uniform { min, max } => Dist::Uniform { min, max },
            DistTable::Exponential { mean } => Dist::Exponential { mean },
            DistTable::Lognormal { p50, p99 } => Dist::Lognormal { p50, p99 },
        }
    }
}

impl<'de> Deserialize<'de> for Dist {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct DistVisitor;
        impl<'de> Visitor<'de> for DistVisitor {
            type Value = Dist;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number or a table with kind = \"constant\" | \"uniform\" | \"exponential\" | \"lognormal\"")
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
}
