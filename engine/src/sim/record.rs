//! The display recording: the bounded event log and the environments' lanes.

use super::Simulation;
use crate::report::{EnvState, EventKind, EventRecord, Segment};

/// An environment without a lane (beyond `record.lanes`).
pub(super) const NO_LANE: u32 = u32::MAX;

impl Simulation {
    /// Logs an event of function `f` now, while the log has room.
    pub(super) fn record(&mut self, f: usize, kind: EventKind) {
        if self.log.len() < self.scenario.record.events as usize {
            self.log.push(EventRecord {
                t_us: self.now,
                function: f as u16,
                kind,
            });
        } else {
            self.log_truncated = true;
        }
    }

    /// Adds a segment to the lane of environment `slot`, while there is room.
    pub(super) fn segment(&mut self, slot: u32, start: u64, end: u64, state: EnvState) {
        let lane = self.envs[slot as usize].lane;
        if lane == NO_LANE || end <= start {
            return;
        }
        if self.lane_segments >= self.scenario.record.segments {
            self.lanes_truncated = true;
            return;
        }
        self.lane_segments += 1;
        self.lanes[lane as usize].segments.push(Segment {
            start_us: start,
            end_us: end.min(self.end),
            state,
        });
    }
}
