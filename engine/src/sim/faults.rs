//! Failures from outside the handler: `errors_during` windows, a downstream dependency's
//! limits, and synchronous callers that stop waiting (client timeouts).

use rand::Rng;
use rand_pcg::Pcg64Mcg;

use super::delivery::Src;
use super::tally::Tally;
use super::{Ev, Simulation};
use crate::report::{DownstreamLimit, EventKind};
use crate::scenario::{Downstream, Function, OnLimit};
use crate::time::{s_to_us, US_PER_S};

/// A function's `errors_during` windows and the stream their failures are drawn from.
#[derive(Debug, Clone)]
pub(super) struct Outage {
    /// Start and end in µs, and the failure rate.
    windows: Vec<(u64, u64, f64)>,
    rng: Pcg64Mcg,
}

impl Outage {
    /// The windows of function `cfg`, drawing from `rng`.
    pub(super) fn new(cfg: &Function, rng: Pcg64Mcg) -> Self {
        Outage {
            windows: cfg
                .errors_during
                .iter()
                .map(|w| (s_to_us(w.start_s), s_to_us(w.end_s), w.rate))
                .collect(),
            rng,
        }
    }

    /// Whether an invocation starting now fails for an `errors_during` window (the first
    /// window holding `now` decides).
    pub(super) fn fails(&mut self, now: u64) -> bool {
        let rate = self
            .windows
            .iter()
            .find(|&&(start, end, _)| start <= now && now < end)
            .map(|w| w.2);
        match rate {
            Some(r) if r > 0.0 => self.rng.gen::<f64>() < r,
            _ => false,
        }
    }
}

/// A downstream dependency's limits and use.
#[derive(Debug, Clone)]
pub(super) struct DownstreamState {
    pub(super) connections_max: Option<u32>,
    pub(super) conns: u32,
    pub(super) rate_per_s: Option<f64>,
    pub(super) tokens: f64,
    pub(super) tokens_t: u64,
    /// `None`: a call beyond a limit is rejected; `Some`: it takes this much longer, in ms.
    pub(super) slow_ms: Option<f64>,
}

impl DownstreamState {
    /// The limits of `d`, with a full second of rate tokens.
    pub(super) fn new(d: &Downstream) -> Self {
        DownstreamState {
            connections_max: d.connections_max,
            conns: 0,
            rate_per_s: d.rate_limit_per_s,
            tokens: d.rate_limit_per_s.map_or(0.0, |r| r.max(1.0)),
            tokens_t: 0,
            slow_ms: (d.on_limit == OnLimit::Slow).then_some(d.slow_ms),
        }
    }

    /// Takes a connection for one invocation: `None` without a connection limit.
    pub(super) fn take_connection(&mut self) -> Option<bool> {
        let max = self.connections_max?;
        if self.conns < max {
            self.conns += 1;
            Some(true)
        } else {
            Some(false)
        }
    }

    /// The limit one call hits, if any (a call with a connection takes a rate token).
    pub(super) fn call(&mut self, connected: bool, now: u64) -> Option<DownstreamLimit> {
        if !connected {
            return Some(DownstreamLimit::Connections);
        }
        let rate = self.rate_per_s?;
        // A token bucket holding one second of calls, refilled continuously.
        let elapsed_s = (now - self.tokens_t) as f64 / US_PER_S as f64;
        self.tokens = (self.tokens + elapsed_s * rate).min(rate.max(1.0));
        self.tokens_t = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            None
        } else {
            Some(DownstreamLimit::Rate)
        }
    }
}

impl Simulation {
    /// The caller of the invocation just started on `slot` will give up at `t`.
    #[inline(never)]
    pub(super) fn set_client_deadline(&mut self, slot: u32, t: u64) {
        self.schedule_queue(t, Ev::ClientTimeout { slot });
    }

    /// The caller of the invocation on `slot` stops waiting and retries, if it has retries
    /// left; the invocation runs on and is billed.
    pub(super) fn client_timeout(&mut self, slot: u32) {
        let now = self.now;
        let env = &mut self.envs[slot as usize];
        if !env.alive {
            return;
        }
        let Some(inv) = env.inv.as_mut() else {
            return;
        };
        let f = usize::from(env.f);
        let after_us = self.fns[f]
            .ext
            .as_ref()
            .and_then(|e| e.client_timeout_us)
            .unwrap_or(0);
        // The timeout belongs to the invocation on the slot if that started `after_us` ago: an
        // environment runs one invocation at a time, so no other started then.
        if inv.arrived + after_us != now || inv.abandoned || inv.src != Src::Sync {
            return;
        }
        inv.abandoned = true;
        let (request, attempt) = (inv.request, inv.attempt);
        self.tally(f, Tally::ClientTimeout);
        self.record(
            f,
            EventKind::ClientTimeout {
                request,
                attempt,
                after_us,
            },
        );
        if !self.retry(f, request, attempt) {
            self.tally(f, Tally::Failed);
            self.request_terminal(f, request);
            self.sys_end(request, false);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn downstream(connections_max: Option<u32>, rate_per_s: Option<f64>) -> DownstreamState {
        DownstreamState {
            connections_max,
            conns: 0,
            rate_per_s,
            tokens: rate_per_s.map_or(0.0, |r| r.max(1.0)),
            tokens_t: 0,
            slow_ms: None,
        }
    }

    #[test]
    fn connections_run_out_at_the_limit() {
        let mut d = downstream(Some(2), None);
        assert_eq!(d.take_connection(), Some(true));
        assert_eq!(d.take_connection(), Some(true));
        assert_eq!(d.take_connection(), Some(false));
        assert_eq!(d.call(false, 0), Some(DownstreamLimit::Connections));
        assert_eq!(downstream(None, None).take_connection(), None);
    }

    #[test]
    fn the_rate_limit_holds_one_second_of_calls_and_refills() {
        let mut d = downstream(None, Some(2.0));
        assert_eq!(d.call(true, 0), None);
        assert_eq!(d.call(true, 0), None);
        assert_eq!(d.call(true, 0), Some(DownstreamLimit::Rate));
        assert_eq!(
            d.call(true, US_PER_S / 2),
            None,
            "half a second refills one call"
        );
    }

    #[test]
    fn only_a_window_holding_now_fails_invocations() {
        let mut o = Outage {
            windows: vec![(10, 20, 1.0), (15, 30, 0.0)],
            rng: Pcg64Mcg::seed_from_u64(1),
        };
        assert!(!o.fails(9));
        assert!(o.fails(10));
        assert!(o.fails(19));
        assert!(!o.fails(20), "the second window, rate 0, decides from 20");
        assert!(!o.fails(30));
    }
}
