//! A system of functions: the run-level `Sys`, which composes the parts of a system (alias
//! routing and deployments in `deploy`, alarms in `alarms`, traces in `tracing`), and the
//! triggers from one function to another (a synchronous call the caller waits for, an event,
//! an object in a bucket, a message to a queue) with recursive-loop detection.
//!
//! All of it hangs off `Sys`, which a run has only when its scenario uses one of these
//! features, so the hot path of other runs does not change. Its random draws come from their
//! own streams (`Purpose::Triggers`, `Purpose::Alias`, `Purpose::Tracing`).
//!
//! Per-request data (the hop count and the trace a request belongs to) is kept only for
//! requests sent by triggers and for sampled ones, and dropped when the request ends.

use rand::Rng;
use rand_pcg::Pcg64Mcg;

use super::alarms::AlarmState;
use super::deploy::{DeployState, Route};
use super::invoke::Invocation;
use super::tally::Tally;
use super::tracing::{CallSpan, TraceState};
use super::{stream, Ev, IdMap, Purpose, SimError, Simulation};
use crate::report::{AlarmReport, DeploymentReport, EventKind, Outcome, TraceReport};
use crate::scenario::Scenario;
use crate::scenario::{RecursiveLoop, Unit, VersionRef, Via, LOOP_HOPS_MAX};

/// No trace / no span.
pub(super) const NONE: u32 = u32::MAX;

/// A trigger of one unit, resolved.
#[derive(Debug, Clone, Copy)]
pub(super) struct Trig {
    /// The target function (its `$LATEST` unit index; its alias routes from there).
    pub(super) target: usize,
    pub(super) via: Via,
    pub(super) per_invocation: f64,
}

/// A unit's part of the system.
#[derive(Debug, Clone)]
pub(super) struct UnitSys {
    pub(super) triggers: Vec<Trig>,
    /// The synchronous call its handler makes.
    pub(super) call: Option<Trig>,
    pub(super) rng: Pcg64Mcg,
    /// It can reach itself through triggers: loop detection watches it.
    pub(super) on_cycle: bool,
    pub(super) terminate: bool,
    /// Its failed events go to a DLQ or on-failure destination.
    pub(super) dead_letters: bool,
}

/// What is kept of one request: its hop count and its trace.
#[derive(Debug, Clone, Copy)]
pub(super) struct Meta {
    pub(super) hop: u32,
    pub(super) trace: u32,
    pub(super) parent_span: u32,
    pub(super) enqueued_at: u64,
}

/// A caller waiting for its synchronous call.
#[derive(Debug, Clone, Copy)]
pub(super) struct Wait {
    pub(super) slot: u32,
    pub(super) token: u32,
}

/// The system state of a run.
#[derive(Debug)]
pub(super) struct Sys {
    pub(super) units: Vec<UnitSys>,
    /// Per unit: the alias routing of a function's workload and of requests sent to it.
    pub(super) routes: Vec<Option<Route>>,
    pub(super) deploys: Vec<DeployState>,
    pub(super) alarms: Vec<AlarmState>,
    /// Units watched by a Duration alarm.
    pub(super) duration_watch: Vec<bool>,
    pub(super) tracing: Option<TraceState>,
    pub(super) meta: IdMap<u64, Meta>,
    pub(super) waiting: IdMap<u64, Wait>,
    pub(super) calls: IdMap<u64, CallSpan>,
    /// The callee each waiting caller's token waits for.
    pub(super) by_token: IdMap<u32, u64>,
    /// Requests that ended during the current event.
    pub(super) ended: Vec<u64>,
    pub(super) next_token: u32,
}

impl Sys {
    /// The system state, or `None` when the scenario uses none of its features.
    pub(super) fn new(scenario: &Scenario, units: &[Unit]) -> Result<Option<Box<Sys>>, SimError> {
        let used = scenario.tracing.is_some()
            || !scenario.alarms.is_empty()
            || scenario
                .functions
                .iter()
                .any(|f| !f.triggers.is_empty() || !f.aliases.is_empty() || f.deployment.is_some());
        if !used {
            return Ok(None);
        }
        let (alarms, duration_watch) = AlarmState::all(scenario, units.len())?;
        Ok(Some(Box::new(Sys {
            units: UnitSys::all(scenario, units)?,
            routes: Route::all(scenario, units),
            deploys: DeployState::all(scenario, units),
            alarms,
            duration_watch,
            tracing: scenario
                .tracing
                .as_ref()
                .map(|t| TraceState::new(t, scenario.seed)),
            meta: IdMap::default(),
            waiting: IdMap::default(),
            calls: IdMap::default(),
            by_token: IdMap::default(),
            ended: Vec::new(),
            next_token: 0,
        })))
    }

    /// The unit a request to function `f` goes to.
    pub(super) fn route(&mut self, f: usize) -> usize {
        match self.routes.get_mut(f) {
            Some(Some(r)) => r.pick(),
            _ => f,
        }
    }
}

impl UnitSys {
    /// Each unit's triggers and call, and whether it can reach itself through them.
    fn all(scenario: &Scenario, units: &[Unit]) -> Result<Vec<UnitSys>, SimError> {
        let seed = scenario.seed;
        let n = units.len();
        let mut us = Vec::with_capacity(n);
        for (i, u) in units.iter().enumerate() {
            let mut triggers = Vec::new();
            let mut call = None;
            for t in &u.cfg.triggers {
                let target = scenario
                    .functions
                    .iter()
                    .position(|g| g.name == t.target)
                    .ok_or_else(|| SimError::Internal(format!("trigger target {}", t.target)))?;
                let via = t
                    .via
                    .unwrap_or(Via::implied(scenario.functions[target].invocation));
                let trig = Trig {
                    target,
                    via,
                    per_invocation: t.per_invocation,
                };
                if via == Via::Call {
                    call = Some(trig);
                } else {
                    triggers.push(trig);
                }
            }
            let dead_letters = u
                .cfg
                .async_config
                .as_ref()
                .is_some_and(|a| a.dlq.is_some() || a.on_failure.is_some());
            us.push(UnitSys {
                triggers,
                call,
                rng: stream(seed, i, Purpose::Triggers),
                on_cycle: false,
                terminate: u.cfg.recursive_loop == RecursiveLoop::Terminate,
                dead_letters,
            });
        }
        // Which units can reach themselves: a trigger goes to a function, whose requests may
        // land on any of its units.
        let edges: Vec<Vec<usize>> = (0..n)
            .map(|i| {
                let mut out = Vec::new();
                for t in us[i].triggers.iter().chain(us[i].call.iter()) {
                    out.extend(
                        units
                            .iter()
                            .enumerate()
                            .filter(|(_, u)| u.function == t.target)
                            .map(|(k, _)| k),
                    );
                }
                out
            })
            .collect();
        for (start, unit) in us.iter_mut().enumerate() {
            let mut seen = vec![false; n];
            let mut stack = edges[start].clone();
            while let Some(k) = stack.pop() {
                if k == start {
                    unit.on_cycle = true;
                    break;
                }
                if !std::mem::replace(&mut seen[k], true) {
                    stack.extend(edges[k].iter().copied());
                }
            }
        }
        Ok(us)
    }
}

/// The unit of function `f` that runs version `v` (`f` itself, its `$LATEST`, if none does).
pub(super) fn unit_of(units: &[Unit], f: usize, v: VersionRef) -> usize {
    units
        .iter()
        .position(|u| u.function == f && u.version == v)
        .unwrap_or(f)
}

impl Simulation {
    /// Schedules the deployments' steps and the alarms' first evaluations.
    pub(super) fn sys_start(&mut self) {
        let Some(sys) = self.sys.as_ref() else {
            return;
        };
        let mut evs = Vec::new();
        for (d, dep) in sys.deploys.iter().enumerate() {
            for (k, &(t, _)) in dep.steps.iter().enumerate() {
                evs.push((
                    t,
                    Ev::Deploy {
                        d: d as u16,
                        step: k as u16,
                    },
                ));
            }
        }
        for (a, al) in sys.alarms.iter().enumerate() {
            evs.push((al.period_us, Ev::AlarmTick { a: a as u16 }));
        }
        for (t, ev) in evs {
            self.schedule(t, ev);
        }
    }

    /// The events of the system: a caller's call ends, a deployment step, an alarm period.
    pub(super) fn sys_event(&mut self, ev: Ev) -> Result<(), SimError> {
        match ev {
            Ev::Resume { slot, token } => self.resume(slot, token),
            Ev::Deploy { d, step } => {
                self.deploy_step(usize::from(d), usize::from(step));
                Ok(())
            }
            Ev::AlarmTick { a } => {
                self.alarm_tick(usize::from(a));
                Ok(())
            }
            other => Err(SimError::Internal(format!(
                "{other:?} is not a system event"
            ))),
        }
    }

    /// Whether the invocation ending on an environment first makes its synchronous call.
    pub(super) fn call_pending(&self, f: usize, inv: &Invocation) -> bool {
        inv.call == 0
            && inv.outcome == Outcome::Success
            && self.sys.as_ref().is_some_and(|s| s.units[f].call.is_some())
    }

    /// The handler on `slot` calls another function and waits: its environment stays busy
    /// (and billed) until the callee answers or the caller's own timeout ends the wait.
    pub(super) fn start_call(&mut self, slot: u32, mut inv: Invocation) -> Result<(), SimError> {
        let s = slot as usize;
        let f = usize::from(self.envs[s].f);
        let now = self.now;
        let timeout_us = self.fns[f].timeout_us;
        let Some(sys) = self.sys.as_deref_mut() else {
            return Err(SimError::Internal("a call without system state".into()));
        };
        let Some(call) = sys.units[f].call else {
            return Err(SimError::Internal("a call without a call trigger".into()));
        };
        sys.next_token = sys.next_token.wrapping_add(1);
        let token = sys.next_token;
        inv.call = 1;
        inv.call_token = token;
        self.envs[s].inv = Some(inv);
        let deadline = inv.arrived + inv.init_us + timeout_us;
        // Reserve the caller's span ids so that the callee's spans can point to them.
        let mut parent_span = NONE;
        if let Some(m) = sys
            .meta
            .get(&inv.request)
            .copied()
            .filter(|m| m.trace != NONE)
        {
            let inv_id = sys.new_span_id(m.trace);
            let call_id = sys.new_span_id(m.trace);
            parent_span = call_id;
            sys.calls.insert(
                inv.request,
                CallSpan {
                    inv_id,
                    call_id,
                    start: now,
                    end: now,
                    outcome: Outcome::Success,
                },
            );
        }
        match self.send(f, inv.request, call, parent_span)? {
            Some((child, u)) => {
                if let Some(sys) = self.sys.as_deref_mut() {
                    sys.waiting.insert(child, Wait { slot, token });
                    sys.by_token.insert(token, child);
                }
                self.invoke(u, child, 0);
                // The caller's own timeout, unless the callee's answer is sure to come first:
                // a stale deadline would wait in the event queue until then, and a busy caller
                // makes thousands of them.
                let still_waiting = self
                    .sys
                    .as_deref()
                    .is_some_and(|sys| sys.waiting.contains_key(&child));
                if still_waiting && !self.answers_by(u, child, deadline) {
                    self.schedule(deadline.max(now), Ev::Resume { slot, token });
                }
            }
            // Loop detection stopped the call: the caller gets an error at once.
            None => self.caller_answered(slot, token, false),
        }
        Ok(())
    }

    /// Whether `request`, just invoked on unit `u`, is sure to end by `deadline`: it started at
    /// once, succeeds, makes no call of its own, and its caller has no timeout of its own to
    /// retry after.
    fn answers_by(&self, u: usize, request: u64, deadline: u64) -> bool {
        let Some(inv) = self
            .envs
            .get(self.last_started as usize)
            .and_then(|e| e.inv)
            .filter(|i| i.request == request)
        else {
            return false;
        };
        let calls = self
            .sys
            .as_deref()
            .is_some_and(|s| s.units[u].call.is_some());
        let client_timeout = self.fns[u]
            .ext
            .as_deref()
            .is_some_and(|e| e.client_timeout_us.is_some());
        inv.outcome == Outcome::Success
            && !calls
            && !client_timeout
            && inv.arrived + inv.init_us + inv.run_us <= deadline
    }

    /// Sends one request from an invocation (request `parent`) of unit `f` along `trig`, counted
    /// by the unit the target's alias routes it to; returns the new request and that unit, or
    /// `None` when loop detection stopped it.
    fn send(
        &mut self,
        f: usize,
        parent: u64,
        trig: Trig,
        parent_span: u32,
    ) -> Result<Option<(u64, usize)>, SimError> {
        let now = self.now;
        let Some(sys) = self.sys.as_deref_mut() else {
            return Ok(None);
        };
        let u = sys.route(trig.target);
        let pm = sys.meta.get(&parent).copied();
        let hop = pm.map_or(1, |m| m.hop.saturating_add(1));
        let trace = pm.map_or(NONE, |m| m.trace);
        let stop = sys.units[u].on_cycle && sys.units[u].terminate && hop >= LOOP_HOPS_MAX;
        let dead_letters = sys.units[u].dead_letters;
        let child = self.next_request;
        self.next_request += 1;
        self.tally(u, Tally::Request);
        self.tally(f, Tally::Triggered);
        self.record(
            f,
            EventKind::Triggered {
                request: parent,
                child,
                target: u as u16,
                hop,
            },
        );
        if stop {
            // Lambda stops the next invocation and sends the event to the DLQ or on-failure
            // destination if there is one (invocation-recursion.html).
            self.tally(u, Tally::RecursiveDropped);
            if trig.via == Via::Call {
                self.tally(u, Tally::Failed);
            } else if dead_letters {
                self.tally(u, Tally::DeadLettered);
                self.dlq_total += 1;
            } else {
                self.tally(u, Tally::Dropped);
            }
            self.record(
                u,
                EventKind::LoopStopped {
                    request: child,
                    hop,
                },
            );
            return Ok(None);
        }
        if let Some(sys) = self.sys.as_deref_mut() {
            sys.meta.insert(
                child,
                Meta {
                    hop,
                    trace,
                    parent_span,
                    enqueued_at: now,
                },
            );
        }
        Ok(Some((child, u)))
    }

    /// A request ended (succeeded, or failed for good): a caller waiting for it resumes, and
    /// its hop count and trace are dropped at the end of this event.
    pub(super) fn sys_end(&mut self, request: u64, ok: bool) {
        let Some(sys) = self.sys.as_deref_mut() else {
            return;
        };
        sys.ended.push(request);
        if let Some(w) = sys.waiting.remove(&request) {
            sys.by_token.remove(&w.token);
            self.caller_answered(w.slot, w.token, ok);
        }
    }

    /// The callee of the caller on `slot` answered; it resumes now.
    fn caller_answered(&mut self, slot: u32, token: u32, ok: bool) {
        let env = &mut self.envs[slot as usize];
        if let Some(inv) = env
            .inv
            .as_mut()
            .filter(|i| i.call == 1 && i.call_token == token)
        {
            if !ok {
                inv.outcome = Outcome::Error;
            }
            let now = self.now;
            self.schedule(now, Ev::Resume { slot, token });
        }
    }

    /// Drops the per-request data of requests that ended during the last event.
    pub(super) fn sys_flush(&mut self) {
        if let Some(sys) = self.sys.as_deref_mut() {
            for r in sys.ended.drain(..) {
                if !sys.waiting.contains_key(&r) {
                    sys.meta.remove(&r);
                }
            }
        }
    }

    /// A caller's wait ends: its callee answered, or its own timeout came first.
    fn resume(&mut self, slot: u32, token: u32) -> Result<(), SimError> {
        let s = slot as usize;
        let now = self.now;
        if !self.envs[s].alive {
            return Ok(());
        }
        let Some(mut inv) = self.envs[s]
            .inv
            .filter(|i| i.call == 1 && i.call_token == token)
        else {
            return Ok(()); // Stale: the wait already ended.
        };
        let f = usize::from(self.envs[s].f);
        let Some(sys) = self.sys.as_deref_mut() else {
            return Ok(());
        };
        if let Some(child) = sys.by_token.remove(&token) {
            // The callee has not answered: the caller times out (the callee runs on).
            sys.waiting.remove(&child);
            inv.outcome = Outcome::Timeout;
        }
        if let Some(c) = sys.calls.get_mut(&inv.request) {
            c.end = now;
            c.outcome = inv.outcome;
        }
        let handler_end = inv.arrived + inv.init_us + inv.run_us;
        let run_us = now.saturating_sub(inv.arrived + inv.init_us);
        self.add_interval(super::Integral::Busy, handler_end, now);
        let counted = now.min(self.end).saturating_sub(handler_end.min(now));
        self.fns[f].stats.running_us += u128::from(counted);
        inv.run_us = run_us;
        inv.call = 2;
        self.envs[s].inv = Some(inv);
        self.done(slot)
    }

    /// An invocation of unit `f` ended (after its call, if it made one): the alarms' Duration,
    /// the trace's spans, and on success the requests its triggers send.
    pub(super) fn sys_after(
        &mut self,
        f: usize,
        inv: &Invocation,
        duration_us: u64,
    ) -> Result<(), SimError> {
        let Some(sys) = self.sys.as_deref_mut() else {
            return Ok(());
        };
        if sys.duration_watch[f] {
            for a in sys.alarms.iter_mut().filter(|a| a.units.contains(&f)) {
                if let Some(h) = a.hist.as_mut() {
                    let _ = h.record(duration_us.max(1));
                }
                a.dur_sum_us += u128::from(duration_us);
                a.dur_n += 1;
            }
        }
        // An SQS batch carries several messages, each with its own trace and its own requests
        // to send; any other invocation carries one request.
        let msgs: Vec<(u64, bool)> = match inv.src {
            super::Src::Sqs(b) => self.batch_messages(f, b),
            _ => vec![(inv.request, true)],
        };
        for (request, ok) in msgs {
            let inv_span = self.trace_invocation(f, inv, request, ok);
            if inv.outcome != Outcome::Success || !ok {
                continue;
            }
            let Some(sys) = self.sys.as_deref_mut() else {
                break;
            };
            sys.ended.push(request);
            for k in 0..sys.units[f].triggers.len() {
                let Some(sys) = self.sys.as_deref_mut() else {
                    break;
                };
                let unit = &mut sys.units[f];
                let trig = unit.triggers[k];
                let whole = libm::floor(trig.per_invocation);
                let frac = trig.per_invocation - whole;
                let extra = frac > 0.0 && unit.rng.gen::<f64>() < frac;
                let count = whole as u32 + u32::from(extra);
                for _ in 0..count {
                    if let Some((child, u)) = self.send(f, request, trig, inv_span)? {
                        self.queue_arrival(u, child)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// The alarms', deployments' and traces' reports.
    pub(super) fn sys_finish(
        &mut self,
    ) -> (Vec<AlarmReport>, Vec<DeploymentReport>, Option<TraceReport>) {
        let Some(sys) = self.sys.as_deref_mut() else {
            return (Vec::new(), Vec::new(), None);
        };
        let alarms = sys.alarms.iter().map(|a| a.report.clone()).collect();
        let deploys = sys.deploys.iter().map(|d| d.report.clone()).collect();
        let tracing = sys.tracing.as_mut().map(|t| {
            let mut traces = std::mem::take(&mut t.traces);
            for tr in &mut traces {
                tr.spans.sort_by_key(|s| (s.start_us, s.id));
            }
            TraceReport {
                requests: t.requests,
                sampled: t.sampled,
                traces,
            }
        });
        (alarms, deploys, tracing)
    }
}
