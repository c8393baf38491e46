//! A system of functions: triggers from one function to another (a synchronous call the
//! caller waits for, an event, an object in a bucket, a message to a queue), recursive-loop
//! detection, alias routing with weights, CodeDeploy-style deployments and their rollback,
//! CloudWatch-style alarms evaluated period by period, and X-Ray-style traces of a sample.
//!
//! All of it hangs off `Sys`, which a run has only when its scenario uses one of these
//! features, so the hot path of other runs does not change. Its random draws come from their
//! own streams (`Purpose::Triggers`, `Purpose::Alias`, `Purpose::Tracing`).
//!
//! Per-request data (the hop count and the trace a request belongs to) is kept only for
//! requests sent by triggers and for sampled ones, and dropped when the request ends.

use std::collections::VecDeque;

use hdrhistogram::Histogram;
use rand::Rng;
use rand_pcg::Pcg64Mcg;

use super::{new_hist, stream, Ev, IdMap, Invocation, Purpose, SimError, Simulation};
use crate::report::{
    AlarmReport, AlarmValue, Datapoint, DeploymentReport, DeploymentStatus, EventKind, Outcome,
    Span, SpanKind, Trace, TraceReport, Transition,
};
use crate::scenario::Scenario;
use crate::scenario::{
    preset_steps, Alarm, Metric, RecursiveLoop, Statistic, Unit, VersionRef, Via, LOOP_HOPS_MAX,
};
use crate::time::{s_to_us, us_to_ms, us_to_s, US_PER_S};

/// No trace / no span.
const NONE: u32 = u32::MAX;
/// Most spans kept per trace.
const MAX_SPANS: usize = 200;
/// Most datapoints kept per alarm.
const MAX_DATAPOINTS: usize = 2_000;

/// A trigger of one unit, resolved.
#[derive(Debug, Clone, Copy)]
struct Trig {
    /// The target function (its `$LATEST` unit index; its alias routes from there).
    target: usize,
    via: Via,
    per_invocation: f64,
}

/// A unit's part of the system.
#[derive(Debug, Clone)]
struct UnitSys {
    triggers: Vec<Trig>,
    /// The synchronous call its handler makes.
    call: Option<Trig>,
    rng: Pcg64Mcg,
    /// It can reach itself through triggers: loop detection watches it.
    on_cycle: bool,
    terminate: bool,
    /// Its failed events go to a DLQ or on-failure destination.
    dead_letters: bool,
}

/// How an invoked alias splits its traffic.
#[derive(Debug, Clone)]
struct Route {
    primary: usize,
    secondary: Option<usize>,
    weight: f64,
    rng: Pcg64Mcg,
}

impl Route {
    fn pick(&mut self) -> usize {
        match self.secondary {
            Some(s) if self.weight > 0.0 && self.rng.gen::<f64>() < self.weight => s,
            _ => self.primary,
        }
    }
}

#[derive(Debug, Clone)]
struct DeployState {
    /// The function (its `$LATEST` unit index).
    f: usize,
    /// The alias is the one its workload invokes.
    routed: bool,
    from: usize,
    to: usize,
    steps: Vec<(u64, f64)>,
    alarms: Vec<usize>,
    report: DeploymentReport,
}

#[derive(Debug, Clone, Copy, Default)]
struct Counters {
    invocations: u64,
    errors: u64,
    throttles: u64,
    cold_starts: u64,
    spillover: u64,
    dead_lettered: u64,
    loops: u64,
    async_dropped: u64,
    dead_letter_errors: u64,
    destination_failures: u64,
    /// On-demand cost so far (requests and duration), in US dollars.
    cost_usd: f64,
}

#[derive(Debug)]
struct AlarmState {
    cfg: Alarm,
    units: Vec<usize>,
    period_us: u64,
    last: Counters,
    /// Durations completed in the current period (Duration alarms).
    hist: Option<Histogram<u64>>,
    dur_sum_us: u128,
    dur_n: u64,
    window: VecDeque<bool>,
    state: AlarmValue,
    report: AlarmReport,
}

/// What is kept of one request: its hop count and its trace.
#[derive(Debug, Clone, Copy)]
struct Meta {
    hop: u32,
    trace: u32,
    parent_span: u32,
    enqueued_at: u64,
}

/// A caller waiting for its synchronous call.
#[derive(Debug, Clone, Copy)]
struct Wait {
    slot: u32,
    token: u32,
}

/// The trace ids reserved for a caller's invocation and its call span, and when the call began.
#[derive(Debug, Clone, Copy)]
struct CallSpan {
    inv_id: u32,
    call_id: u32,
    start: u64,
    end: u64,
    outcome: Outcome,
}

#[derive(Debug)]
struct TraceState {
    reservoir: u32,
    rate: f64,
    max: u32,
    rng: Pcg64Mcg,
    second: u64,
    used: u32,
    requests: u64,
    sampled: u64,
    traces: Vec<Trace>,
    next_ids: Vec<u32>,
}

/// The system state of a run.
#[derive(Debug)]
pub(super) struct Sys {
    units: Vec<UnitSys>,
    /// Per unit: the alias routing of a function's workload and of requests sent to it.
    routes: Vec<Option<Route>>,
    deploys: Vec<DeployState>,
    alarms: Vec<AlarmState>,
    /// Units watched by a Duration alarm.
    duration_watch: Vec<bool>,
    tracing: Option<TraceState>,
    meta: IdMap<u64, Meta>,
    waiting: IdMap<u64, Wait>,
    calls: IdMap<u64, CallSpan>,
    /// The callee each waiting caller's token waits for.
    by_token: IdMap<u32, u64>,
    /// Requests that ended during the current event.
    ended: Vec<u64>,
    next_token: u32,
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
        let seed = scenario.seed;
        let n = units.len();
        let unit_of = |f: usize, v: VersionRef| {
            units
                .iter()
                .position(|u| u.function == f && u.version == v)
                .unwrap_or(f)
        };
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
        let mut routes: Vec<Option<Route>> = vec![None; n];
        for (i, f) in scenario.functions.iter().enumerate() {
            let Some(alias) = f
                .invoke
                .as_ref()
                .and_then(|name| f.aliases.iter().find(|a| &a.name == name))
            else {
                continue;
            };
            routes[i] = Some(Route {
                primary: unit_of(i, alias.version),
                secondary: alias
                    .additional_version
                    .map(|v| unit_of(i, VersionRef::Number(v))),
                weight: alias.additional_weight,
                rng: stream(seed, i, Purpose::Alias),
            });
        }
        let mut deploys = Vec::new();
        for (i, f) in scenario.functions.iter().enumerate() {
            let Some(d) = &f.deployment else { continue };
            let Some(alias) = f.aliases.iter().find(|a| a.name == d.alias) else {
                continue;
            };
            let from_version = match alias.version {
                VersionRef::Number(v) => v,
                VersionRef::Latest => 0,
            };
            let start = s_to_us(d.start_s);
            let steps: Vec<(u64, f64)> = preset_steps(&d.preset)
                .unwrap_or_default()
                .into_iter()
                .map(|(t, w)| (start.saturating_add(s_to_us(t)), w))
                .collect();
            deploys.push(DeployState {
                f: i,
                routed: f.invoke.as_deref() == Some(d.alias.as_str()),
                from: unit_of(i, alias.version),
                to: unit_of(i, VersionRef::Number(d.to_version)),
                steps,
                alarms: d
                    .alarms
                    .iter()
                    .filter_map(|a| scenario.alarms.iter().position(|b| &b.name == a))
                    .collect(),
                report: DeploymentReport {
                    function: f.name.clone(),
                    alias: d.alias.clone(),
                    from_version,
                    to_version: d.to_version,
                    preset: d.preset.clone(),
                    weights: vec![(0.0, 0.0)],
                    status: DeploymentStatus::Pending,
                    ended_s: None,
                    rollback_alarm: None,
                },
            });
        }
        let mut alarms = Vec::new();
        let mut duration_watch = vec![false; n];
        for a in &scenario.alarms {
            let au = scenario
                .alarm_units(a)
                .map_err(|e| SimError::Internal(format!("alarm {}: {e}", a.name)))?;
            let is_duration = a.metric == Metric::Duration;
            if is_duration {
                for &u in &au {
                    duration_watch[u] = true;
                }
            }
            let stat = a.stat();
            alarms.push(AlarmState {
                units: au,
                period_us: s_to_us(a.period_s).max(1),
                last: Counters::default(),
                hist: if is_duration {
                    Some(new_hist(2)?)
                } else {
                    None
                },
                dur_sum_us: 0,
                dur_n: 0,
                window: VecDeque::new(),
                state: AlarmValue::InsufficientData,
                report: AlarmReport {
                    name: a.name.clone(),
                    function: a.function.clone(),
                    metric: format!("{:?} ({stat:?})", a.metric),
                    unit: unit_of_metric(a.metric).to_string(),
                    threshold: a.threshold,
                    period_s: a.period_s,
                    datapoints: Vec::new(),
                    transitions: Vec::new(),
                    first_alarm_s: None,
                    alarm_periods: 0,
                },
                cfg: a.clone(),
            });
        }
        let tracing = scenario.tracing.as_ref().map(|t| TraceState {
            reservoir: t.reservoir_per_s,
            rate: t.rate,
            max: t.max_traces,
            rng: stream(seed, 0, Purpose::Tracing),
            second: u64::MAX,
            used: 0,
            requests: 0,
            sampled: 0,
            traces: Vec::new(),
            next_ids: Vec::new(),
        });
        Ok(Some(Box::new(Sys {
            units: us,
            routes,
            deploys,
            alarms,
            duration_watch,
            tracing,
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

    fn new_span_id(&mut self, trace: u32) -> u32 {
        let Some(t) = self.tracing.as_mut() else {
            return NONE;
        };
        match t.next_ids.get_mut(trace as usize) {
            Some(n) => {
                *n += 1;
                *n - 1
            }
            None => NONE,
        }
    }

    fn push_span(&mut self, trace: u32, span: Span) {
        let Some(t) = self.tracing.as_mut() else {
            return;
        };
        if let Some(tr) = t.traces.get_mut(trace as usize) {
            if tr.spans.len() < MAX_SPANS {
                tr.spans.push(span);
            } else {
                tr.truncated = true;
            }
        }
    }
}

fn unit_of_metric(m: Metric) -> &'static str {
    match m {
        Metric::Duration => "ms",
        Metric::ErrorRate => "%",
        Metric::ApproximateAgeOfOldestMessage => "s",
        Metric::Cost => "USD",
        _ => "count",
    }
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

    /// A request arrives from a workload: the sampling rule decides whether it is traced.
    pub(super) fn sys_arrival(&mut self, request: u64) {
        let now = self.now;
        let Some(sys) = self.sys.as_deref_mut() else {
            return;
        };
        let Some(t) = sys.tracing.as_mut() else {
            return;
        };
        t.requests += 1;
        let second = now / US_PER_S;
        if second != t.second {
            t.second = second;
            t.used = 0;
        }
        // X-Ray's rule: a reservoir of requests each second, then a fixed rate of the rest.
        let sampled = if t.used < t.reservoir {
            t.used += 1;
            true
        } else {
            t.rate > 0.0 && t.rng.gen::<f64>() < t.rate
        };
        if !sampled {
            return;
        }
        t.sampled += 1;
        if t.traces.len() >= t.max as usize {
            return;
        }
        t.traces.push(Trace {
            request,
            start_us: now,
            spans: Vec::new(),
            truncated: false,
        });
        t.next_ids.push(0);
        let trace = (t.traces.len() - 1) as u32;
        sys.meta.insert(
            request,
            Meta {
                hop: 0,
                trace,
                parent_span: NONE,
                enqueued_at: now,
            },
        );
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
        self.fns[u].stats.requests += 1;
        self.rows[self.cur_bucket].arrivals += 1;
        self.fns[f].stats.triggered += 1;
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
            let st = &mut self.fns[u].stats;
            st.recursive_dropped += 1;
            if trig.via == Via::Call {
                st.failed += 1;
            } else if dead_letters {
                st.dead_lettered += 1;
                self.dlq_total += 1;
            } else {
                st.dropped += 1;
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

    /// Adds the spans of an invocation of unit `f` to the trace of `request` (one of the
    /// messages it processed), if it is sampled; returns its invocation span's id.
    fn trace_invocation(&mut self, f: usize, inv: &Invocation, request: u64, ok: bool) -> u32 {
        let now = self.now;
        let Some(sys) = self.sys.as_deref_mut() else {
            return NONE;
        };
        let Some(m) = sys.meta.get(&request).copied().filter(|m| m.trace != NONE) else {
            return NONE;
        };
        let call = sys.calls.remove(&request);
        let inv_span = call.map_or_else(|| sys.new_span_id(m.trace), |c| c.inv_id);
        let outcome = if ok { inv.outcome } else { Outcome::Error };
        let span = |id, parent, kind, start, end, outcome| Span {
            id,
            parent,
            function: f as u16,
            kind,
            start_us: start,
            end_us: end,
            hop: m.hop,
            attempt: inv.attempt,
            outcome,
        };
        let parent = (m.parent_span != NONE).then_some(m.parent_span);
        if inv.src != super::Src::Sync && m.enqueued_at < inv.arrived {
            let id = sys.new_span_id(m.trace);
            sys.push_span(
                m.trace,
                span(
                    id,
                    parent,
                    SpanKind::Queue,
                    m.enqueued_at,
                    inv.arrived,
                    None,
                ),
            );
        }
        sys.push_span(
            m.trace,
            span(
                inv_span,
                parent,
                SpanKind::Invocation,
                inv.arrived,
                now,
                Some(outcome),
            ),
        );
        // The handler's I/O: its calls to the data source, after its CPU work.
        let handler_end = (inv.arrived + inv.init_us + inv.own_us).min(now);
        let io = inv.io_us.min(inv.own_us);
        if io > 0 {
            let id = sys.new_span_id(m.trace);
            sys.push_span(
                m.trace,
                span(
                    id,
                    Some(inv_span),
                    SpanKind::Downstream,
                    handler_end.saturating_sub(io),
                    handler_end,
                    None,
                ),
            );
        }
        if inv.cold && inv.init_us > 0 {
            let id = sys.new_span_id(m.trace);
            let end = inv.arrived + inv.init_us;
            sys.push_span(
                m.trace,
                span(id, Some(inv_span), SpanKind::Init, inv.arrived, end, None),
            );
        }
        if let Some(c) = call {
            sys.push_span(
                m.trace,
                span(
                    c.call_id,
                    Some(inv_span),
                    SpanKind::Call,
                    c.start,
                    c.end,
                    Some(c.outcome),
                ),
            );
        }
        inv_span
    }

    /// A deployment's step: the alias's traffic shifts (unless it already rolled back).
    fn deploy_step(&mut self, d: usize, step: usize) {
        let now = self.now;
        let Some(sys) = self.sys.as_deref_mut() else {
            return;
        };
        let dep = &mut sys.deploys[d];
        if matches!(
            dep.report.status,
            DeploymentStatus::RolledBack | DeploymentStatus::Succeeded
        ) {
            return;
        }
        let Some(&(_, weight)) = dep.steps.get(step) else {
            return;
        };
        // CodeDeploy stops a deployment whose alarm is in ALARM, whenever it is.
        if let Some(&a) = dep
            .alarms
            .iter()
            .find(|&&a| sys.alarms[a].state == AlarmValue::Alarm)
        {
            self.roll_back(d, a);
            return;
        }
        let Some(sys) = self.sys.as_deref_mut() else {
            return;
        };
        let dep = &mut sys.deploys[d];
        dep.report.status = DeploymentStatus::InProgress;
        dep.report.weights.push((us_to_s(now), weight));
        let done = weight >= 1.0;
        if done {
            dep.report.status = DeploymentStatus::Succeeded;
            dep.report.ended_s = Some(us_to_s(now));
        }
        let (f, from, to, routed) = (dep.f, dep.from, dep.to, dep.routed);
        if routed {
            if let Some(Some(r)) = sys.routes.get_mut(f) {
                if done {
                    r.primary = to;
                    r.secondary = None;
                    r.weight = 0.0;
                } else {
                    r.primary = from;
                    r.secondary = Some(to);
                    r.weight = weight;
                }
            }
        }
        self.record(
            f,
            EventKind::DeploymentShift {
                percent: libm::round(weight * 100.0) as u32,
            },
        );
    }

    /// Deployment `d` rolls back because alarm `a` is in ALARM: its alias points to the old
    /// version alone.
    fn roll_back(&mut self, d: usize, a: usize) {
        let now = self.now;
        let Some(sys) = self.sys.as_deref_mut() else {
            return;
        };
        let name = sys.alarms[a].cfg.name.clone();
        let dep = &mut sys.deploys[d];
        dep.report.status = DeploymentStatus::RolledBack;
        dep.report.ended_s = Some(us_to_s(now));
        dep.report.rollback_alarm = Some(name);
        dep.report.weights.push((us_to_s(now), 0.0));
        let (f, from, routed) = (dep.f, dep.from, dep.routed);
        if routed {
            if let Some(Some(r)) = sys.routes.get_mut(f) {
                r.primary = from;
                r.secondary = None;
                r.weight = 0.0;
            }
        }
        self.record(f, EventKind::RolledBack { alarm: a as u16 });
    }

    /// The end of an alarm's period: its datapoint, its state, and a rollback if it fires.
    fn alarm_tick(&mut self, a: usize) {
        let now = self.now;
        let Some(sys) = self.sys.as_deref() else {
            return;
        };
        let al = &sys.alarms[a];
        let period = al.period_us;
        let mut c = Counters::default();
        let mut level_max = 0u64;
        let mut level_cost = 0.0f64;
        let mut age_max_us = 0u64;
        let b0 = self.bucket_of(now.saturating_sub(period));
        let b1 = self.bucket_of(now.saturating_sub(1));
        let metric = al.cfg.metric;
        let units = al.units.clone();
        for &u in &units {
            let st = &self.fns[u].stats;
            c.invocations += st.invocations.saturating_sub(st.throttled);
            c.errors += st.errors;
            c.throttles += st.throttled;
            c.cold_starts += st.cold_starts;
            c.spillover += st.spillover;
            c.dead_lettered += st.dead_lettered;
            c.loops += st.recursive_dropped;
            c.async_dropped += st.async_events_dropped;
            c.dead_letter_errors += st.dead_letter_errors;
            c.destination_failures += st.destination_delivery_failures;
            let func = &self.fns[u];
            let p = self.prices.for_arch(func.cfg.arch);
            let u_ = &func.usage;
            c.cost_usd += u_.requests as f64 * p.request_usd
                + crate::cost::mb_ms_to_gb_s(u_.mb_ms) * p.gb_s_usd
                + crate::cost::mb_ms_to_gb_s(u_.provisioned_exec_mb_ms)
                    * p.provisioned_execution_gb_s_usd;
            // Provisioned environments are billed for the period whether used or not.
            level_cost += f64::from(func.provisioned) * f64::from(func.cfg.memory_mb) / 1024.0
                * (period as f64 / US_PER_S as f64)
                * p.provisioned_gb_s_usd;
            let rows = &self.fn_rows[u][b0..=b1.max(b0)];
            level_max += match metric {
                Metric::ConcurrentExecutions => {
                    rows.iter().map(|r| r.concurrency_max).max().unwrap_or(0)
                }
                Metric::ApproximateNumberOfMessagesVisible => {
                    rows.iter().map(|r| r.queue_depth_max).max().unwrap_or(0)
                }
                _ => 0,
            };
        }
        if metric == Metric::ApproximateAgeOfOldestMessage {
            for &u in &units {
                if let Some(sent) = self.fns[u]
                    .ext
                    .as_deref_mut()
                    .and_then(|e| e.oldest_sent_at())
                {
                    age_max_us = age_max_us.max(now.saturating_sub(sent));
                }
            }
        }
        let Some(sys) = self.sys.as_deref_mut() else {
            return;
        };
        let al = &mut sys.alarms[a];
        let last = std::mem::replace(&mut al.last, c);
        let d = |x: u64, y: u64| x.saturating_sub(y) as f64;
        let invocations = d(c.invocations, last.invocations);
        let value = match metric {
            Metric::Invocations => Some(invocations),
            Metric::Errors => Some(d(c.errors, last.errors)),
            Metric::Throttles => Some(d(c.throttles, last.throttles)),
            Metric::ColdStarts => Some(d(c.cold_starts, last.cold_starts)),
            Metric::ProvisionedConcurrencySpilloverInvocations => {
                Some(d(c.spillover, last.spillover))
            }
            Metric::RecursiveInvocationsDropped => Some(d(c.loops, last.loops)),
            Metric::AsyncEventsDropped => Some(d(c.async_dropped, last.async_dropped)),
            Metric::DeadLetterErrors => Some(d(c.dead_letter_errors, last.dead_letter_errors)),
            Metric::DestinationDeliveryFailures => {
                Some(d(c.destination_failures, last.destination_failures))
            }
            Metric::Cost => Some(c.cost_usd - last.cost_usd + level_cost),
            Metric::ErrorRate => {
                (invocations > 0.0).then(|| 100.0 * d(c.errors, last.errors) / invocations)
            }
            Metric::DlqDepth => Some(c.dead_lettered as f64),
            Metric::ConcurrentExecutions | Metric::ApproximateNumberOfMessagesVisible => {
                Some(level_max as f64)
            }
            Metric::ApproximateAgeOfOldestMessage => Some(age_max_us as f64 / US_PER_S as f64),
            Metric::Duration => {
                let v = if al.dur_n == 0 {
                    None
                } else {
                    let q = |h: &Histogram<u64>, q: f64| us_to_ms(h.value_at_quantile(q));
                    match (al.cfg.stat(), al.hist.as_ref()) {
                        (Statistic::Maximum, Some(h)) => Some(us_to_ms(h.max())),
                        (Statistic::P50, Some(h)) => Some(q(h, 0.5)),
                        (Statistic::P90, Some(h)) => Some(q(h, 0.9)),
                        (Statistic::P95, Some(h)) => Some(q(h, 0.95)),
                        (Statistic::P99, Some(h)) => Some(q(h, 0.99)),
                        _ => Some(al.dur_sum_us as f64 / al.dur_n as f64 / 1_000.0),
                    }
                };
                if let Some(h) = al.hist.as_mut() {
                    h.reset();
                }
                al.dur_sum_us = 0;
                al.dur_n = 0;
                v
            }
        };
        let breaching = value.is_some_and(|v| al.cfg.comparison.breaches(v, al.cfg.threshold));
        if al.report.datapoints.len() < MAX_DATAPOINTS {
            al.report.datapoints.push(Datapoint {
                t_s: us_to_s(now),
                value,
                breaching,
            });
        }
        al.window.push_back(breaching);
        while al.window.len() > al.cfg.evaluation_periods as usize {
            al.window.pop_front();
        }
        let needed = al
            .cfg
            .datapoints_to_alarm
            .unwrap_or(al.cfg.evaluation_periods) as usize;
        let state = if al.window.iter().filter(|&&b| b).count() >= needed {
            AlarmValue::Alarm
        } else {
            AlarmValue::Ok
        };
        let changed = state != al.state;
        al.state = state;
        if state == AlarmValue::Alarm {
            al.report.alarm_periods += 1;
        }
        if changed {
            al.report.transitions.push(Transition {
                t_s: us_to_s(now),
                state,
            });
            if state == AlarmValue::Alarm && al.report.first_alarm_s.is_none() {
                al.report.first_alarm_s = Some(us_to_s(now));
            }
        }
        let next = now + period;
        let first_unit = units.first().copied().unwrap_or(0);
        let to_roll_back: Vec<usize> = if state == AlarmValue::Alarm {
            (0..sys.deploys.len())
                .filter(|&d| {
                    sys.deploys[d].report.status == DeploymentStatus::InProgress
                        && sys.deploys[d].alarms.contains(&a)
                })
                .collect()
        } else {
            Vec::new()
        };
        if changed {
            self.record(
                first_unit,
                EventKind::AlarmChanged {
                    alarm: a as u16,
                    state,
                },
            );
        }
        for d in to_roll_back {
            self.roll_back(d, a);
        }
        if next < self.end {
            self.schedule(next, Ev::AlarmTick { a: a as u16 });
        }
    }

    /// Evaluates the alarms whose last period ends with the run (events at the end itself are
    /// not processed, so its tick would be lost).
    pub(super) fn sys_final_ticks(&mut self) {
        let end = self.end;
        let due: Vec<usize> = match self.sys.as_deref() {
            None => return,
            Some(sys) => (0..sys.alarms.len())
                .filter(|&a| {
                    let al = &sys.alarms[a];
                    let last = al
                        .report
                        .datapoints
                        .last()
                        .map_or(0, |d| crate::time::s_to_us(d.t_s));
                    last + al.period_us == end
                })
                .collect(),
        };
        for a in due {
            self.alarm_tick(a);
        }
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
