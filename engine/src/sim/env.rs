//! Execution environments: their slots, the idle pool each function picks a warm one from,
//! the scaling rate's allowance of new ones, and their end (idle expiry, lifetime, timeout).

use std::collections::BinaryHeap;

use rand::Rng;
use rand_pcg::Pcg64Mcg;

use super::invoke::Invocation;
use super::tally::Tally;
use super::{Ev, Integral, Simulation};
use crate::report::{EnvState, EventKind, Outcome, ReapReason};
use crate::scenario::Routing;
use crate::time::{ms_to_us, s_to_us};

/// An Init draw in µs, capped at the longest run (400 days): a huge constant or a far
/// log-normal tail would otherwise overflow `now + init` (a panic in debug builds, a wrapped
/// clock in release). An Init that long ends after any run, so the cap changes no result.
pub(super) fn init_us(init_ms: f64) -> u64 {
    const MAX_INIT_US: u64 = 400 * 86_400 * crate::time::US_PER_S;
    ms_to_us(init_ms).min(MAX_INIT_US)
}

/// One execution environment, in a slot that is reused once it is gone.
#[derive(Debug, Clone)]
pub(super) struct Env {
    pub(super) number: u32,
    pub(super) f: u16,
    pub(super) state: EnvState,
    pub(super) alive: bool,
    pub(super) provisioned: bool,
    pub(super) created: u64,
    pub(super) since: u64,
    pub(super) expire_at: u64,
    pub(super) expiry_pending: bool,
    pub(super) gen: u32,
    pub(super) idle_key: u64,
    pub(super) idle_epoch: u64,
    pub(super) idle_pos: u32,
    pub(super) retire_at: u64,
    pub(super) inv: Option<Invocation>,
    pub(super) lane: u32,
}

/// Idle environments of one function, ordered for the routing policy.
#[derive(Debug, Clone)]
pub(super) enum IdlePool {
    /// Largest key first (creation number, or idle-since time). Entries of environments that
    /// left the pool (reaped, or their slot reused) are skipped when they surface: each idle
    /// period has its own epoch, so a stale entry never matches a live one.
    Ordered(BinaryHeap<(u64, u64, u32)>),
    /// Any one, uniformly.
    Random(Vec<u32>),
}

impl IdlePool {
    pub(super) fn new(routing: Routing) -> Self {
        match routing {
            Routing::NewestFirst | Routing::MostRecentlyUsed => {
                IdlePool::Ordered(BinaryHeap::new())
            }
            Routing::Random => IdlePool::Random(Vec::new()),
        }
    }

    pub(super) fn insert(&mut self, slot: u32, env: &mut Env) {
        match self {
            IdlePool::Ordered(heap) => heap.push((env.idle_key, env.idle_epoch, slot)),
            IdlePool::Random(v) => {
                env.idle_pos = v.len() as u32;
                v.push(slot);
            }
        }
    }

    pub(super) fn remove(&mut self, slot: u32, envs: &mut [Env]) {
        match self {
            // Lazy: the entry is skipped when it surfaces (the environment is no longer idle).
            IdlePool::Ordered(_) => {}
            IdlePool::Random(v) => {
                let pos = envs[slot as usize].idle_pos as usize;
                if pos < v.len() && v[pos] == slot {
                    v.swap_remove(pos);
                    if let Some(&moved) = v.get(pos) {
                        envs[moved as usize].idle_pos = pos as u32;
                    }
                }
            }
        }
    }

    pub(super) fn take(&mut self, rng: &mut Pcg64Mcg, envs: &mut [Env]) -> Option<u32> {
        match self {
            IdlePool::Ordered(heap) => {
                while let Some((_, epoch, slot)) = heap.pop() {
                    let e = &envs[slot as usize];
                    if e.alive && e.state == EnvState::Idle && e.idle_epoch == epoch {
                        return Some(slot);
                    }
                }
                None
            }
            IdlePool::Random(v) => {
                if v.is_empty() {
                    return None;
                }
                let pos = rng.gen_range(0..v.len());
                let slot = v.swap_remove(pos);
                if let Some(&moved) = v.get(pos) {
                    envs[moved as usize].idle_pos = pos as u32;
                }
                Some(slot)
            }
        }
    }
}
/// The scaling rate: a token bucket of new environments, refilled continuously. Counted in
/// environment-µs so that the refill needs no division: a new environment costs the window's
/// length, and every µs adds `refill` (the environments allowed per window).
#[derive(Debug, Clone)]
pub(super) struct ScalingTokens {
    tokens: u64,
    /// When `tokens` was last refilled, in µs.
    t: u64,
    cost: u64,
    cap: u64,
    refill: u64,
}

impl ScalingTokens {
    /// A full bucket of `cap`, where one environment costs `cost` and each µs adds `refill`.
    pub(super) fn new(cap: u64, cost: u64, refill: u64) -> Self {
        ScalingTokens {
            tokens: cap,
            t: 0,
            cost,
            cap,
            refill,
        }
    }

    /// Refills the allowance up to `now` and takes one new environment from it.
    #[inline]
    pub(super) fn take(&mut self, now: u64) -> bool {
        let elapsed = now - self.t;
        self.tokens = self
            .tokens
            .saturating_add(elapsed.saturating_mul(self.refill))
            .min(self.cap);
        self.t = now;
        if self.tokens >= self.cost {
            self.tokens -= self.cost;
            true
        } else {
            false
        }
    }

    /// Whether the allowance holds no more than its cap (an invariant).
    pub(super) fn within_cap(&self) -> bool {
        self.tokens <= self.cap
    }
}

impl Simulation {
    /// Starts function `f`'s provisioned environments, initialising until they are ready; they
    /// count against the pools from the start.
    pub(super) fn start_provisioned(&mut self, f: usize) {
        let p = self.fns[f].provisioned;
        if p > 0 && self.fns[f].cfg.reserved_concurrency.is_none() {
            self.unreserved_used += p;
        }
        let ready = s_to_us(self.fns[f].cfg.provisioned_ready_s);
        for _ in 0..p {
            let slot = self.new_env(f, true);
            self.add_interval(Integral::Init, 0, ready);
            // Its lane starts with this Init, as a re-initialisation after a timeout does.
            self.segment(slot, 0, ready, EnvState::Init);
            self.schedule(ready, Ev::Ready { slot });
        }
    }

    /// A new environment of function `f`, in a free slot or a new one; returns its slot.
    pub(super) fn new_env(&mut self, f: usize, provisioned: bool) -> u32 {
        self.env_count += 1;
        let number = self.env_count;
        let lane = self
            .recording
            .new_lane(number, f as u16, provisioned, self.now);
        let retire_at = match self.fns[f].cfg.max_lifetime_s {
            Some(l) if !provisioned => self.now.saturating_add(s_to_us(l)),
            _ => u64::MAX,
        };
        let env = Env {
            number,
            f: f as u16,
            state: EnvState::Init,
            alive: true,
            provisioned,
            created: self.now,
            since: self.now,
            expire_at: 0,
            expiry_pending: false,
            gen: 0,
            idle_key: 0,
            idle_epoch: 0,
            idle_pos: 0,
            retire_at,
            inv: None,
            lane,
        };
        self.tally(f, Tally::EnvCreated);
        match self.free_slots.pop() {
            Some(slot) => {
                let gen = self.envs[slot as usize].gen.wrapping_add(1);
                self.envs[slot as usize] = Env { gen, ..env };
                slot
            }
            None => {
                self.envs.push(env);
                (self.envs.len() - 1) as u32
            }
        }
    }

    /// Refills function `f`'s scaling allowance and takes one new environment from it.
    #[inline]
    pub(super) fn take_scaling_token(&mut self, f: usize) -> bool {
        let now = self.now;
        self.fns[f].scaling.take(now)
    }

    /// What environment `slot` does after an invocation with `outcome`: a timeout resets it
    /// (on demand it is gone; provisioned, it re-initialises), past its lifetime it is reaped,
    /// and otherwise it is idle.
    #[inline(always)]
    pub(super) fn env_after(&mut self, slot: u32, outcome: Outcome) {
        let s = slot as usize;
        let now = self.now;
        if outcome == Outcome::Timeout {
            if self.envs[s].provisioned {
                let f = usize::from(self.envs[s].f);
                let init_ms = {
                    let func = &mut self.fns[f];
                    func.runtime_init.sample(&mut func.service)
                        + func.static_init_ms
                        + func.init_ms.sample(&mut func.service)
                };
                let init = init_us(init_ms);
                self.envs[s].state = EnvState::Init;
                self.envs[s].since = now;
                self.add_interval(Integral::Init, now, now + init);
                self.segment(slot, now, now + init, EnvState::Init);
                self.schedule(now + init, Ev::Ready { slot });
            } else {
                self.reap(slot, ReapReason::Timeout);
            }
        } else if now >= self.envs[s].retire_at {
            self.reap(slot, ReapReason::Lifetime);
        } else {
            self.make_idle(slot);
        }
    }

    /// Environment `slot` is idle: back in its pool, with an expiry armed.
    pub(super) fn make_idle(&mut self, slot: u32) {
        let s = slot as usize;
        let f = usize::from(self.envs[s].f);
        let now = self.now;
        let env = &mut self.envs[s];
        env.state = EnvState::Idle;
        env.since = now;
        if env.provisioned {
            self.fns[f].provisioned_idle.push(slot);
            return;
        }
        self.idle_epochs += 1;
        env.idle_epoch = self.idle_epochs;
        let func = &mut self.fns[f];
        env.idle_key = match func.cfg.routing {
            Routing::MostRecentlyUsed => now,
            _ => u64::from(env.number),
        };
        let keep_us = s_to_us(func.idle_expiry_s.sample(&mut func.service));
        env.expire_at = now.saturating_add(keep_us);
        func.idle.insert(slot, env);
        // One pending expiry per environment at most: when it fires early (the environment
        // was used again meanwhile) it re-arms itself for the new deadline.
        if !env.expiry_pending {
            env.expiry_pending = true;
            let (t, gen) = (env.expire_at, env.gen);
            self.schedule(t, Ev::Expire { slot, gen });
        }
    }

    pub(super) fn expire(&mut self, slot: u32, gen: u32) {
        let s = slot as usize;
        let env = &self.envs[s];
        // The generation changes only when a slot is reused: a different one means this
        // expiry belonged to an environment that is gone.
        if env.gen != gen || !env.alive || env.provisioned {
            return;
        }
        self.envs[s].expiry_pending = false;
        if self.envs[s].state != EnvState::Idle {
            return; // It will schedule a fresh expiry when it next goes idle.
        }
        if self.now >= self.envs[s].expire_at {
            let f = usize::from(self.envs[s].f);
            let mut pool = std::mem::replace(&mut self.fns[f].idle, IdlePool::Random(Vec::new()));
            pool.remove(slot, &mut self.envs);
            self.fns[f].idle = pool;
            let since = self.envs[s].since;
            self.segment(slot, since, self.now, EnvState::Idle);
            self.reap(slot, ReapReason::IdleExpiry);
        } else {
            self.envs[s].expiry_pending = true;
            let (t, gen) = (self.envs[s].expire_at, self.envs[s].gen);
            self.schedule(t, Ev::Expire { slot, gen });
        }
    }

    pub(super) fn ready(&mut self, slot: u32) {
        let s = slot as usize;
        let f = usize::from(self.envs[s].f);
        self.record(
            f,
            EventKind::ProvisionedReady {
                env: self.envs[s].number,
            },
        );
        self.make_idle(slot);
    }

    pub(super) fn reap(&mut self, slot: u32, reason: ReapReason) {
        let s = slot as usize;
        let f = usize::from(self.envs[s].f);
        let now = self.now;
        let created = self.envs[s].created;
        self.add_interval(Integral::Env, created, now);
        let func = &mut self.fns[f];
        func.stats.lifespan_sum_us += u128::from(now - created);
        func.stats.alive_us += u128::from(now - created);
        self.tally(f, Tally::Reaped);
        let env = &mut self.envs[s];
        env.alive = false;
        env.expiry_pending = false;
        self.recording.reaped(env.lane, now);
        let number = env.number;
        if let Some(ext) = self.fns[f].ext.as_deref_mut() {
            ext.env_gone(number);
        }
        self.record(
            f,
            EventKind::Reaped {
                env: number,
                reason,
            },
        );
        self.free_slots.push(slot);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_allowance_gives_its_environments_at_once_then_refills_by_the_window() {
        // 3 environments per 10 µs window.
        let mut t = ScalingTokens::new(3 * 10, 10, 3);
        assert!(t.take(0) && t.take(0) && t.take(0));
        assert!(!t.take(0), "the fourth at once is refused");
        assert!(!t.take(3), "3 µs refill 9 of the 10 one costs");
        assert!(t.take(4));
        assert!(t.within_cap());
    }

    #[test]
    fn the_allowance_never_exceeds_its_cap() {
        let mut t = ScalingTokens::new(20, 10, 2);
        assert!(t.take(1_000_000));
        assert!(t.take(1_000_000));
        assert!(
            !t.take(1_000_000),
            "a long pause refills only up to the cap"
        );
        assert!(t.within_cap());
    }

    #[test]
    fn an_init_draw_is_capped_at_the_longest_run() {
        assert_eq!(init_us(1.5), 1_500);
        assert_eq!(init_us(1e30), 400 * 86_400 * crate::time::US_PER_S);
    }
}
