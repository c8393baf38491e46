//! Environment lanes: what each of the first environments did over time.

use serde::{Deserialize, Serialize};

/// Environment lanes: what each of the first environments did over time.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Lanes {
    /// One lane per environment, in creation order.
    pub lanes: Vec<Lane>,
    /// Environments created beyond the lanes kept (they appear only in the counts).
    pub hidden_envs: u64,
    /// True when segments were dropped to stay within the recording bound.
    pub truncated: bool,
}

/// How many of the recorded environments are in each state at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EnvCounts {
    /// In Init.
    pub init: u32,
    /// Invoking.
    pub busy: u32,
    /// Idle.
    pub idle: u32,
}

impl Lanes {
    /// The states of the lane environments at `t_us` (environments beyond the lanes are not counted).
    pub fn counts_at(&self, t_us: u64) -> EnvCounts {
        let mut c = EnvCounts::default();
        for lane in &self.lanes {
            if t_us < lane.created_us || lane.reaped_us.is_some_and(|r| t_us >= r) {
                continue;
            }
            match lane
                .segments
                .iter()
                .find(|s| s.start_us <= t_us && t_us < s.end_us)
                .map(|s| s.state)
            {
                Some(EnvState::Init) => c.init += 1,
                Some(EnvState::Busy) => c.busy += 1,
                // Between segments (or before the first ends) an alive environment waits.
                _ => c.idle += 1,
            }
        }
        c
    }
}

/// One environment's life.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lane {
    /// The environment's number (creation order, from 1).
    pub env: u32,
    /// Index of its function.
    pub function: u16,
    /// A provisioned environment (billed even when idle).
    pub provisioned: bool,
    /// When it was created, in µs.
    pub created_us: u64,
    /// When it was reaped, in µs (`None`: alive at the end).
    pub reaped_us: Option<u64>,
    /// What it did, in time order.
    pub segments: Vec<Segment>,
}

/// A span of one environment's life in one state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    /// Start, in µs.
    pub start_us: u64,
    /// End, in µs.
    pub end_us: u64,
    /// The state.
    pub state: EnvState,
}

/// The state of an execution environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EnvState {
    /// Running Init (a cold start, or provisioned allocation).
    Init,
    /// Invoking the handler.
    Busy,
    /// Warm, waiting for a request.
    Idle,
}
