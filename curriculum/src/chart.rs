//! The charts an experiment can show, by the names lesson files use.

use serde::{Deserialize, Serialize};

/// A chart an experiment shows. In a lesson file it is a name (`charts = ["lanes", "envs"]`);
/// a name that is not one of these fails the load, naming the file and line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChartKind {
    /// Environment lanes (the app adds the strip of requests flowing in).
    Lanes,
    /// Environments over time.
    Envs,
    /// Requests in flight against the concurrency limits.
    Concurrency,
    /// Duration percentiles.
    Latency,
    /// Throttles and retries.
    Throttles,
    /// Cost so far.
    Cost,
    /// Messages waiting in the queue and in the dead-letter queue.
    Queue,
    /// Invocations and errors per function or version.
    Functions,
    /// An alarm's datapoints and state, with a deployment's traffic shifts.
    Alarm,
    /// One sampled trace as a waterfall.
    Trace,
    /// The cache hit ratio.
    Cache,
    /// What the IAM role allowed and denied.
    Iam,
}

impl ChartKind {
    /// Every chart, in the order the lesson README lists them.
    pub const ALL: [ChartKind; 12] = [
        ChartKind::Lanes,
        ChartKind::Envs,
        ChartKind::Concurrency,
        ChartKind::Latency,
        ChartKind::Throttles,
        ChartKind::Cost,
        ChartKind::Queue,
        ChartKind::Functions,
        ChartKind::Alarm,
        ChartKind::Trace,
        ChartKind::Cache,
        ChartKind::Iam,
    ];

    /// The name lesson files use.
    pub fn name(self) -> &'static str {
        match self {
            ChartKind::Lanes => "lanes",
            ChartKind::Envs => "envs",
            ChartKind::Concurrency => "concurrency",
            ChartKind::Latency => "latency",
            ChartKind::Throttles => "throttles",
            ChartKind::Cost => "cost",
            ChartKind::Queue => "queue",
            ChartKind::Functions => "functions",
            ChartKind::Alarm => "alarm",
            ChartKind::Trace => "trace",
            ChartKind::Cache => "cache",
            ChartKind::Iam => "iam",
        }
    }

    /// The chart of a name, `None` for a name that is not a chart.
    pub fn from_name(name: &str) -> Option<ChartKind> {
        ChartKind::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// The charts an experiment shows when its lesson file names none.
pub(crate) fn default_charts() -> Vec<ChartKind> {
    vec![ChartKind::Lanes, ChartKind::Envs]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_match_serde() {
        for k in ChartKind::ALL {
            assert_eq!(ChartKind::from_name(k.name()), Some(k));
            assert_eq!(
                serde_json::to_value(k).expect("serialises"),
                serde_json::Value::from(k.name())
            );
        }
        assert_eq!(ChartKind::from_name("pie"), None);
    }
}
