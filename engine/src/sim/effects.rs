//! Side effects per request id: deliveries that may run more than once (duplicates,
//! redeliveries, retries after a client timeout), and the idempotency store that skips them.

use super::tally::{count_totals, Tally};
use super::{IdMap, Simulation};
use crate::report::EventKind;

/// What is known of one request id that may be delivered more than once.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Track {
    /// Deliveries running now.
    pub(super) running: u32,
    /// Duplicate deliveries created and not yet finished.
    pub(super) shadows: u32,
    /// Side effects applied.
    pub(super) applied: u32,
    /// A delivery succeeded.
    pub(super) ok_once: bool,
    /// The request reached its terminal state.
    pub(super) terminal: bool,
    /// When the idempotency store recorded its effect.
    pub(super) stored_at: Option<u64>,
}

pub(super) type TrackMap = IdMap<u64, Track>;

impl Simulation {
    /// A delivery of `request` starts: a duplicate if an earlier one is running or succeeded.
    /// `home` is the SQS message holding its track, while the message is in the queue.
    #[inline(never)]
    pub(super) fn delivery_start(&mut self, f: usize, request: u64, home: Option<(u32, u32)>) {
        let Some(ext) = self.fns[f].ext.as_deref_mut() else {
            return;
        };
        if !ext.track_ids {
            return;
        }
        let t = match home {
            Some((slot, gen)) if ext.valid(slot, gen) => &mut ext.msgs[slot as usize].track,
            _ => ext.tracks.entry(request).or_default(),
        };
        let duplicate = t.running > 0 || t.ok_once;
        t.running += 1;
        if duplicate {
            self.tally(f, Tally::Duplicate);
            self.record(f, EventKind::Duplicate { request });
        }
    }

    /// A delivery of `request` ends; a successful one applies its side effect unless the
    /// idempotency store already holds the id.
    pub(super) fn delivery_end(
        &mut self,
        f: usize,
        request: u64,
        ok: bool,
        home: Option<(u32, u32)>,
    ) {
        let now = self.now;
        let func = &mut self.fns[f];
        let Some(ext) = func.ext.as_deref_mut() else {
            return;
        };
        let mut tally = |t: Tally| count_totals(&mut func.stats, t);
        if !ext.track_ids {
            if ok && ext.count_effects {
                tally(Tally::SideEffect { applied: 1 });
            }
            return;
        }
        let ttl = ext.idempotency_ttl_us;
        let in_queue = home.is_some_and(|(slot, gen)| ext.valid(slot, gen));
        let t = match home {
            Some((slot, _)) if in_queue => &mut ext.msgs[slot as usize].track,
            _ => match ext.tracks.get_mut(&request) {
                Some(t) => t,
                None => return,
            },
        };
        t.running = t.running.saturating_sub(1);
        let mut skipped = false;
        if ok {
            skipped = ttl.is_some_and(|ttl| t.stored_at.is_some_and(|s| now - s < ttl));
            if skipped {
                tally(Tally::IdempotentSkip);
            } else {
                t.applied += 1;
                if ttl.is_some() {
                    t.stored_at = Some(now);
                }
                tally(Tally::SideEffect {
                    applied: u64::from(t.applied),
                });
            }
            t.ok_once = true;
        }
        if !in_queue && t.terminal && t.running == 0 && t.shadows == 0 {
            ext.tracks.remove(&request);
        }
        if skipped {
            self.record(f, EventKind::IdempotentSkip { request });
        }
    }

    /// `request` reached its terminal state; its count is kept while a delivery still runs.
    #[inline(never)]
    pub(super) fn request_terminal(&mut self, f: usize, request: u64) {
        let Some(ext) = self.fns[f].ext.as_deref_mut() else {
            return;
        };
        if let Some(t) = ext.tracks.get_mut(&request) {
            t.terminal = true;
            if t.running == 0 && t.shadows == 0 {
                ext.tracks.remove(&request);
            }
        }
    }

    /// A duplicate delivery is over (done or expired).
    pub(super) fn shadow_gone(&mut self, f: usize, slot: u32, request: u64) {
        if let Some(ext) = self.fns[f].ext.as_deref_mut() {
            if let Some(t) = ext.tracks.get_mut(&request) {
                t.shadows = t.shadows.saturating_sub(1);
                if t.terminal && t.running == 0 && t.shadows == 0 {
                    ext.tracks.remove(&request);
                }
            }
        }
        self.free_msg(f, slot);
    }
}
