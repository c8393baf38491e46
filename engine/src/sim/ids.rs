//! Maps keyed by ids (request ids, environment numbers, cache keys), hashed cheaply and
//! without per-process random keys.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Hashes an id (a request id, an environment number, a cache key) by Fibonacci
/// multiplication: ids are small consecutive integers, so this spreads them well, costs one
/// multiply, and (unlike std's default SipHash, which showed as a fifth of a system run's time)
/// has no per-process random keys. No map hashed with it is iterated for output, so its order
/// cannot leak into a report.
#[derive(Default)]
pub(super) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u32(&mut self, id: u32) {
        self.write_u64(u64::from(id));
    }

    fn write_u64(&mut self, id: u64) {
        self.0 = (self.0 ^ id).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// A map keyed by ids, hashed with [`IdHasher`].
pub(super) type IdMap<K, V> = HashMap<K, V, BuildHasherDefault<IdHasher>>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasher;

    #[test]
    fn the_hash_of_an_id_is_the_same_in_every_process_and_spreads_consecutive_ids() {
        let h = |id: u64| BuildHasherDefault::<IdHasher>::default().hash_one(id);
        assert_eq!(h(1), 0x9E37_79B9_7F4A_7C15, "one multiply, no random key");
        assert_ne!(
            h(1) >> 56,
            h(2) >> 56,
            "consecutive ids differ in the top bits"
        );
    }
}
