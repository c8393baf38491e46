//! A read-through cache in front of a function's data source, shared or per environment.

use super::IdMap;
use crate::scenario::{Cache, CacheScope};
use crate::time::s_to_us;

/// A read-through cache: key to the time its value expires, in µs.
#[derive(Debug, Clone)]
pub(super) struct CacheState {
    pub(super) scope: CacheScope,
    pub(super) keys: u32,
    pub(super) ttl_us: u64,
    pub(super) hit_ms: f64,
    pub(super) shared: IdMap<u32, u64>,
    /// Per environment number.
    pub(super) envs: IdMap<u32, IdMap<u32, u64>>,
}

impl CacheState {
    /// An empty cache of `c`.
    pub(super) fn new(c: &Cache) -> Self {
        CacheState {
            scope: c.scope,
            keys: c.keys,
            ttl_us: s_to_us(c.ttl_s).max(1),
            hit_ms: c.hit_ms(),
            shared: IdMap::default(),
            envs: IdMap::default(),
        }
    }

    /// Looks `key` up in the cache environment `env` sees: on a hit, how long ago (µs) the
    /// value was read from the data source; a miss stores it and gives `None`.
    pub(super) fn lookup(&mut self, env: u32, key: u32, now: u64) -> Option<u64> {
        let map = match self.scope {
            CacheScope::Shared => &mut self.shared,
            CacheScope::Environment => self.envs.entry(env).or_default(),
        };
        match map.get(&key) {
            // Stored at `expires - ttl`: that is how old the value served is.
            Some(&expires) if expires > now => {
                Some(now.saturating_sub(expires.saturating_sub(self.ttl_us)))
            }
            _ => {
                map.insert(key, now.saturating_add(self.ttl_us));
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache(scope: CacheScope) -> CacheState {
        CacheState {
            scope,
            keys: 10,
            ttl_us: 100,
            hit_ms: 1.0,
            shared: IdMap::default(),
            envs: IdMap::default(),
        }
    }

    #[test]
    fn a_miss_stores_the_key_until_its_ttl_ends() {
        let mut c = cache(CacheScope::Shared);
        assert!(c.lookup(1, 7, 0).is_none());
        assert_eq!(
            c.lookup(2, 7, 99),
            Some(99),
            "shared: another environment hits, 99 µs old"
        );
        assert!(c.lookup(1, 7, 100).is_none(), "expired");
    }

    #[test]
    fn an_environment_cache_is_its_own() {
        let mut c = cache(CacheScope::Environment);
        assert!(c.lookup(1, 7, 0).is_none());
        assert_eq!(c.lookup(1, 7, 1), Some(1));
        assert!(c.lookup(2, 7, 1).is_none());
        c.envs.remove(&1);
        assert!(c.lookup(1, 7, 2).is_none(), "gone with its environment");
    }
}
