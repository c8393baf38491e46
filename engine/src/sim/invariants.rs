//! The simulator's invariants: conservation of requests and the bounds of its counters.
//! `check` (cheap: per function, no scan of environments) runs after every step in debug
//! builds; `Simulation::check_invariants` adds the full conservation check, for tests.

use super::finish::ledger_of;
use super::Simulation;

impl Simulation {
    /// The bounds and running sums, in time proportional to the number of functions.
    pub(super) fn check(&self) -> Result<(), String> {
        if self.now > self.end {
            return Err(format!(
                "the clock ({} µs) passed the end ({} µs)",
                self.now, self.end
            ));
        }
        if let Some(next) = self.queue.peek() {
            if next.t < self.now {
                return Err(format!(
                    "{:?} waits at {} µs, before now ({} µs)",
                    next.ev, next.t, self.now
                ));
            }
        }
        let (mut in_flight, mut queued) = (0u64, 0u64);
        for func in &self.fns {
            let st = &func.stats;
            let name = &func.cfg.name;
            let ended =
                st.succeeded + st.failed + st.throttled_final + st.dead_lettered + st.dropped;
            if ended > st.requests {
                return Err(format!(
                    "{name}: {ended} requests ended of {} that arrived",
                    st.requests
                ));
            }
            if st.completed > st.invocations || st.cold_starts > st.invocations {
                return Err(format!(
                    "{name}: {} completed and {} cold of {} invocations",
                    st.completed, st.cold_starts, st.invocations
                ));
            }
            if st.throttled > st.invocations {
                return Err(format!(
                    "{name}: {} throttles of {} invocations",
                    st.throttled, st.invocations
                ));
            }
            if u64::from(func.in_flight) > st.concurrency_max {
                return Err(format!(
                    "{name}: {} in flight above its peak {}",
                    func.in_flight, st.concurrency_max
                ));
            }
            if let Some(r) = func.cfg.reserved_concurrency {
                let used = func.active_on_demand + func.provisioned;
                if func.group.is_empty() && used > r.max(func.provisioned) {
                    return Err(format!("{name}: {used} environments in use, reserved {r}"));
                }
            }
            if !func.scaling.within_cap() {
                return Err(format!("{name}: the scaling allowance is above its cap"));
            }
            in_flight += u64::from(func.in_flight);
            queued += func.ext.as_ref().map_or(0, |e| e.live);
        }
        if in_flight != self.in_flight {
            return Err(format!(
                "{} in flight, the functions' sum is {in_flight}",
                self.in_flight
            ));
        }
        if queued != self.queued_total {
            return Err(format!(
                "{} queued, the queues' sum is {queued}",
                self.queued_total
            ));
        }
        if self.unreserved_used > self.unreserved_pool {
            return Err(format!(
                "{} of the unreserved pool of {} in use",
                self.unreserved_used, self.unreserved_pool
            ));
        }
        Ok(())
    }

    /// Checks every invariant now: the bounds, and conservation (each request that arrived
    /// has ended in exactly one way or is in flight: a caller waiting, a retry pending, or a
    /// queue holding it). Scans the environments and the event queue: for tests, between steps.
    pub fn check_invariants(&self) -> Result<(), String> {
        self.check()?;
        let in_flight = self.callers_waiting();
        for (f, func) in self.fns.iter().enumerate() {
            let queued = func.ext.as_ref().map_or(0, |e| e.requests_live);
            let ledger = ledger_of(&func.stats, in_flight[f] + queued);
            if !ledger.balances() {
                return Err(format!(
                    "{} at {} µs: the ledger does not balance: {ledger:?}",
                    func.cfg.name, self.now
                ));
            }
        }
        Ok(())
    }
}
