//! The messages between the page and the engine's Web Worker.
//!
//! The page writes its [`Request`]s as JSON text (the app's `format::json`, with the browser's
//! number writer) and the workers read them with [`read`]; the workers answer in postcard, a
//! compact binary form ([`encode`], read by [`decode`]), because the page's wasm holds a reader
//! for every answer and a postcard reader is a fraction of the size of a JSON one. Reports
//! travel bit for bit either way.
//!
//! The page never runs the engine: it sends a [`Request`] and gets [`Response`]s back. Each
//! request names a *channel* (one per place that shows a run: the lab, side A of an
//! experiment, a bet). A newer request on a channel supersedes the older one, queued or
//! running, so only the latest settings are ever run to the end and drawn.

use engine::Report;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A request from the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Request {
    /// Unique per page, increasing.
    pub id: u64,
    /// Where the run is shown; a newer request on the same channel supersedes this one.
    pub channel: String,
    /// What to do.
    pub job: Job,
}

/// What the worker is asked to do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Job {
    /// Run a scenario, held to the browser's budget.
    Run(RunJob),
    /// Read a log and calibrate a twin to it: `calibrate::TwinRequest` as JSON (the answer is
    /// [`Response::Twin`], after [`Response::TwinProgress`] messages). The tools worker
    /// (`tools-worker`) takes these; the engine's worker refuses them.
    Twin(Value),
    /// Give one function of the lab's scenario text the learner's own traffic (the answer is
    /// [`Response::Traffic`]). The tools worker takes these.
    Traffic(TrafficJob),
    /// Stop the channel's run (its last drawn charts stay).
    Stop,
}

/// A scenario to run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunJob {
    /// The scenario.
    pub scenario: ScenarioInput,
    /// Fields to set first: a knob's path (as the lesson file writes it) and its value.
    pub knobs: Vec<(String, Value)>,
    /// Overrides the scenario's seed.
    pub seed: Option<u64>,
    /// Where the text came from, to name it in errors ("scenario", "traffic").
    pub source: String,
}

/// "Bring your own traffic": a CSV to read and the scenario text to edit in place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrafficJob {
    /// The lab's scenario, as TOML; its comments, order and layout are kept.
    pub text: String,
    /// The CSV: one value per line, the last column of each line is used.
    pub csv: String,
    /// `true` when each row counts the requests of a minute, `false` when each row is an
    /// arrival time in seconds.
    pub per_minute: bool,
    /// The index of the function whose workload the traffic replaces.
    pub function: usize,
}

/// The scenario text once it has the learner's traffic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrafficEdit {
    /// The whole scenario text, edited in place.
    pub text: String,
    /// What changed, for the learner: how much traffic now drives which function, and whether
    /// the run was lengthened to hold all of it.
    pub message: String,
}

/// A scenario as the lab's text or as a lesson's data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ScenarioInput {
    /// The TOML the lab and the command line read.
    Toml(String),
    /// A scenario already read (a lesson's), as JSON.
    Json(Value),
}

/// A message from the worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Response {
    /// The worker has started and takes requests.
    Ready,
    /// A run is under way.
    Progress(Progress),
    /// A run ended with a report (boxed: a report is large beside the other answers).
    Done(Box<Done>),
    /// The scenario was refused or the run failed; no report.
    Failed {
        /// The request.
        id: u64,
        /// What went wrong, naming the field where there is one.
        error: String,
    },
    /// The answer to a [`Job::Twin`]: `calibrate::Twin` as JSON text, or what is wrong.
    Twin {
        /// The request.
        id: u64,
        /// The twin, or the error naming the line or knob at fault.
        result: Result<String, String>,
    },
    /// A [`Job::Twin`] is under way: `done` of `total` steps, and the step now running.
    TwinProgress {
        /// The request.
        id: u64,
        /// Steps done.
        done: u32,
        /// Steps in all.
        total: u32,
        /// The step under way, in words ("running the what-if").
        what: String,
    },
    /// The answer to a [`Job::Traffic`].
    Traffic {
        /// The request.
        id: u64,
        /// The edited scenario, or the error naming the CSV's line (`traffic: ...`) or the
        /// scenario's field (`scenario: ...`).
        result: Result<TrafficEdit, String>,
    },
    /// The run was stopped, on request or because a newer one on its channel came.
    Stopped {
        /// The request.
        id: u64,
        /// `true` when a newer request superseded it, `false` when stopped on request.
        superseded: bool,
    },
}

/// How far a run has got.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    /// The request.
    pub id: u64,
    /// Simulated time done, in µs.
    pub done_us: u64,
    /// Simulated time in all, in µs.
    pub end_us: u64,
    /// Events processed.
    pub events: u64,
    /// Wall time since the run started, in ms.
    pub elapsed_ms: f64,
}

impl Progress {
    /// The share done, 0 to 1.
    pub fn fraction(&self) -> f64 {
        if self.end_us == 0 {
            1.0
        } else {
            (self.done_us as f64 / self.end_us as f64).clamp(0.0, 1.0)
        }
    }

    /// Events processed per second of wall time.
    pub fn events_per_s(&self) -> f64 {
        if self.elapsed_ms > 0.0 {
            self.events as f64 * 1000.0 / self.elapsed_ms
        } else {
            0.0
        }
    }
}

/// A finished run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Done {
    /// The request.
    pub id: u64,
    /// The engine's report.
    pub report: Report,
    /// What the scenario does that AWS allows but advises against.
    pub warnings: Vec<String>,
    /// Set when the budget stopped the run: why, and that the report covers only the time
    /// simulated until then.
    pub cut: Option<String>,
    /// Wall time of the run, in ms.
    pub engine_ms: f64,
}

/// Reads a message, naming what is wrong with it.
pub fn read<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, String> {
    serde_json::from_str(text).map_err(|e| format!("a message the worker cannot read: {e}"))
}

/// Writes a worker's answer, every field of a report included (see [`engine::report::every_field`]).
pub fn encode(response: &Response) -> Vec<u8> {
    // Only plain data with known lengths is written: this cannot fail.
    engine::report::every_field(|| postcard::to_allocvec(response)).unwrap_or_default()
}

/// Reads a worker's answer, naming what is wrong with it.
pub fn decode(bytes: &[u8]) -> Result<Response, String> {
    postcard::from_bytes(bytes)
        .map_err(|e| format!("an answer the page cannot read: {}", unreadable(&e)))
}

/// Why bytes are not the postcard message expected, in words: "they end too soon" or "they
/// are not in the form expected". postcard's own texts are not shown: they name its
/// internals, and their table would be carried by the page's wasm for nothing.
pub fn unreadable(e: &postcard::Error) -> &'static str {
    match e {
        postcard::Error::DeserializeUnexpectedEnd => "they end too soon",
        _ => "they are not in the form expected",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_traffic_answer_reads_back_as_written() {
        for result in [
            Ok(TrafficEdit {
                text: "duration_s = 60\n".into(),
                message: "2 arrivals now drive \u{201c}api\u{201d}.".into(),
            }),
            Err("traffic: line 3: expected a number, got \"x\"".into()),
        ] {
            let a = Response::Traffic { id: 4, result };
            assert_eq!(decode(&encode(&a)), Ok(a));
        }
    }

    /// Every scenario of `engine/scenarios/` (its first two minutes), run and sent as the worker
    /// sends it: the page reads back the same report, to the last bit, zero fields included.
    #[test]
    fn a_report_reads_back_bit_for_bit() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../engine/scenarios");
        let mut read = 0;
        for entry in std::fs::read_dir(dir).expect("engine/scenarios") {
            let path = entry.expect("an entry").path();
            // The runaway loop grows without end: it is what the worker's budget is for.
            if path.ends_with("fan-out-loop.toml") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("a scenario");
            let mut scenario = engine::Scenario::from_toml(&text).expect("a valid scenario");
            // Two minutes of each is enough (alarms need one), and quick in a debug build.
            scenario.duration_s = scenario.duration_s.min(120.0);
            let report = engine::run(&scenario).expect("it runs");
            let done = Response::Done(Box::new(Done {
                id: 9,
                report,
                warnings: vec!["a warning".into()],
                cut: None,
                engine_ms: 12.5,
            }));
            let bytes = encode(&done);
            let back = decode(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert_eq!(encode(&back), bytes, "{}", path.display());
            let (Response::Done(a), Response::Done(b)) = (&back, &done) else {
                panic!("not a Done");
            };
            assert_eq!(
                serde_json::to_string(&a.report).ok(),
                serde_json::to_string(&b.report).ok(),
                "{}",
                path.display()
            );
            read += 1;
        }
        assert!(read >= 5, "only {read} scenarios");
    }

    #[test]
    fn a_broken_answer_is_an_error_not_a_panic() {
        let bytes = encode(&Response::Failed {
            id: 1,
            error: "x".into(),
        });
        for cut in 0..bytes.len() {
            assert!(decode(&bytes[..cut]).is_err(), "{cut} bytes");
        }
        assert!(decode(&[0xff; 64]).is_err());
        let e = decode(&bytes[..1]).expect_err("cut");
        assert_eq!(e, "an answer the page cannot read: they end too soon");
    }

    #[test]
    fn a_broken_message_is_an_error_not_a_panic() {
        let e = read::<Request>("{\"id\":").expect_err("truncated");
        assert!(e.contains("cannot read"), "{e}");
    }

    #[test]
    fn progress_reads_as_a_share_and_a_rate() {
        let p = Progress {
            id: 1,
            done_us: 250,
            end_us: 1000,
            events: 5000,
            elapsed_ms: 500.0,
        };
        assert_eq!(p.fraction(), 0.25);
        assert_eq!(p.events_per_s(), 10_000.0);
    }
}
