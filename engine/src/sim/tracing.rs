//! X-Ray-style traces of a sample of requests: the sampling rule, and the spans of each
//! sampled request's invocations, queue waits, calls, Init and I/O.

use rand::Rng;
use rand_pcg::Pcg64Mcg;

use super::invoke::Invocation;
use super::triggers::{Meta, Sys, NONE};
use super::{stream, Purpose, Simulation};
use crate::report::{Outcome, Span, SpanKind, Trace};
use crate::scenario::Tracing;
use crate::time::US_PER_S;

/// Most spans kept per trace.
const MAX_SPANS: usize = 200;

/// The trace ids reserved for a caller's invocation and its call span, and when the call began.
#[derive(Debug, Clone, Copy)]
pub(super) struct CallSpan {
    pub(super) inv_id: u32,
    pub(super) call_id: u32,
    pub(super) start: u64,
    pub(super) end: u64,
    pub(super) outcome: Outcome,
}

#[derive(Debug)]
pub(super) struct TraceState {
    pub(super) reservoir: u32,
    pub(super) rate: f64,
    pub(super) max: u32,
    pub(super) rng: Pcg64Mcg,
    pub(super) second: u64,
    pub(super) used: u32,
    pub(super) requests: u64,
    pub(super) sampled: u64,
    pub(super) traces: Vec<Trace>,
    pub(super) next_ids: Vec<u32>,
}

impl TraceState {
    /// The sampling rule of `t`, drawing from the tracing stream of `seed`.
    pub(super) fn new(t: &Tracing, seed: u64) -> Self {
        TraceState {
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
        }
    }
}

impl Sys {
    pub(super) fn new_span_id(&mut self, trace: u32) -> u32 {
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

    pub(super) fn push_span(&mut self, trace: u32, span: Span) {
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

impl Simulation {
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

    /// Adds the spans of an invocation of unit `f` to the trace of `request` (one of the
    /// messages it processed), if it is sampled; returns its invocation span's id.
    pub(super) fn trace_invocation(
        &mut self,
        f: usize,
        inv: &Invocation,
        request: u64,
        ok: bool,
    ) -> u32 {
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
}
