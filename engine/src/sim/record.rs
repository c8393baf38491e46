//! The display recording: the bounded event log and the environments' lanes.

use super::Simulation;
use crate::report::{EnvState, EventKind, EventRecord, Lane, Segment};
use crate::scenario::Record;

/// An environment without a lane (beyond `record.lanes`).
pub(super) const NO_LANE: u32 = u32::MAX;

/// What a run keeps for display, each part within its bound (`record` in the scenario).
#[derive(Debug, Clone)]
pub(super) struct Recording {
    bounds: Record,
    /// One lane per environment, for the first `bounds.lanes`.
    pub(super) lanes: Vec<Lane>,
    /// Segments kept over all lanes.
    segments: u32,
    /// A segment was left out.
    pub(super) lanes_truncated: bool,
    pub(super) log: Vec<EventRecord>,
    /// An event was left out of the log.
    pub(super) log_truncated: bool,
}

impl Recording {
    /// An empty recording within `bounds`.
    pub(super) fn new(bounds: Record) -> Self {
        Recording {
            bounds,
            lanes: Vec::new(),
            segments: 0,
            lanes_truncated: false,
            log: Vec::new(),
            log_truncated: false,
        }
    }

    /// Logs an event while the log has room.
    #[inline]
    pub(super) fn log(&mut self, event: EventRecord) {
        if self.log.len() < self.bounds.events as usize {
            self.log.push(event);
        } else {
            self.log_truncated = true;
        }
    }

    /// A lane for environment `env` (numbered from 1), or `NO_LANE` beyond the bound.
    pub(super) fn new_lane(&mut self, env: u32, function: u16, provisioned: bool, now: u64) -> u32 {
        if env > self.bounds.lanes {
            return NO_LANE;
        }
        self.lanes.push(Lane {
            env,
            function,
            provisioned,
            created_us: now,
            reaped_us: None,
            segments: Vec::new(),
        });
        (self.lanes.len() - 1) as u32
    }

    /// Adds a segment to `lane` (none for `NO_LANE` or an empty one), while there is room.
    #[inline]
    pub(super) fn segment(&mut self, lane: u32, segment: Segment) {
        if lane == NO_LANE || segment.end_us <= segment.start_us {
            return;
        }
        if self.segments >= self.bounds.segments {
            self.lanes_truncated = true;
            return;
        }
        self.segments += 1;
        self.lanes[lane as usize].segments.push(segment);
    }

    /// The environment of `lane` was reaped at `now`.
    pub(super) fn reaped(&mut self, lane: u32, now: u64) {
        if let Some(l) = self.lanes.get_mut(lane as usize) {
            l.reaped_us = Some(now);
        }
    }
}

impl Simulation {
    /// Logs an event of function `f` now, while the log has room.
    pub(super) fn record(&mut self, f: usize, kind: EventKind) {
        self.recording.log(EventRecord {
            t_us: self.now,
            function: f as u16,
            kind,
        });
    }

    /// Adds a segment to the lane of environment `slot`, while there is room.
    pub(super) fn segment(&mut self, slot: u32, start: u64, end: u64, state: EnvState) {
        let lane = self.envs[slot as usize].lane;
        // Most environments have no lane: leave before building the segment.
        if lane == NO_LANE {
            return;
        }
        self.recording.segment(
            lane,
            Segment {
                start_us: start,
                end_us: end.min(self.end),
                state,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recording() -> Recording {
        Recording::new(Record {
            lanes: 2,
            segments: 3,
            events: 1,
        })
    }

    #[test]
    fn the_log_keeps_its_bound_and_says_it_was_cut() {
        let mut r = recording();
        let e = EventRecord {
            t_us: 0,
            function: 0,
            kind: EventKind::ProvisionedReady { env: 1 },
        };
        r.log(e);
        assert!(!r.log_truncated);
        r.log(e);
        assert_eq!(r.log.len(), 1);
        assert!(r.log_truncated);
    }

    #[test]
    fn lanes_and_segments_keep_their_bounds() {
        let mut r = recording();
        assert_eq!(r.new_lane(1, 0, false, 0), 0);
        assert_eq!(r.new_lane(2, 0, false, 0), 1);
        assert_eq!(r.new_lane(3, 0, false, 0), NO_LANE);
        let seg = |start_us, end_us| Segment {
            start_us,
            end_us,
            state: EnvState::Idle,
        };
        r.segment(NO_LANE, seg(0, 1));
        r.segment(0, seg(5, 5));
        assert!(
            r.lanes[0].segments.is_empty(),
            "none for no lane, none empty"
        );
        for k in 0..4 {
            r.segment(1, seg(k, k + 1));
        }
        assert_eq!(r.lanes[1].segments.len(), 3);
        assert!(r.lanes_truncated);
        r.reaped(1, 9);
        assert_eq!(r.lanes[1].reaped_us, Some(9));
    }
}
