//! The random streams: one generator per purpose of a draw and per function, derived from the
//! scenario's seed, so one function's traffic does not change when another knob does.

use rand::SeedableRng;
use rand_pcg::Pcg64Mcg;

/// The purposes random numbers are drawn for; each gets its own stream.
#[derive(Clone, Copy)]
pub(super) enum Purpose {
    Arrivals = 1,
    Service = 2,
    Routing = 3,
    Retry = 4,
    /// Failures inside an `errors_during` window.
    Outage = 5,
    /// Duplicate deliveries of asynchronous events.
    Duplicates = 6,
    /// How many requests a trigger sends.
    Triggers = 7,
    /// An alias's weighted routing.
    Alias = 8,
    /// The tracing sampling rule.
    Tracing = 9,
    /// Lambda's own failures to invoke an asynchronous event.
    SystemErrors = 10,
    /// The jitter of a throttled asynchronous event's backoff.
    Backoff = 11,
}

/// A generator for one purpose of one function, derived from the seed by SplitMix64 mixing.
pub(super) fn stream(seed: u64, function: usize, purpose: Purpose) -> Pcg64Mcg {
    let mut z = seed
        ^ (function as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ (purpose as u64).wrapping_mul(0xD1B5_4A32_D192_ED03);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    Pcg64Mcg::seed_from_u64(z ^ (z >> 31))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    fn first(seed: u64, function: usize, purpose: Purpose) -> u64 {
        stream(seed, function, purpose).gen()
    }

    #[test]
    fn each_seed_function_and_purpose_has_its_own_stream() {
        let a = first(1, 0, Purpose::Arrivals);
        assert_eq!(
            a,
            first(1, 0, Purpose::Arrivals),
            "the same stream every time"
        );
        assert_ne!(a, first(2, 0, Purpose::Arrivals));
        assert_ne!(a, first(1, 1, Purpose::Arrivals));
        assert_ne!(a, first(1, 0, Purpose::Service));
    }
}
