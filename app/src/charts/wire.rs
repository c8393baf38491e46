//! What the page and the charts worker (`bin/charts-worker.rs`) say to each other.
//!
//! A message is a two-item array: the message itself, and a browser object that travels beside
//! it when the message needs one (the canvas handed over, a run's report, a PNG), else
//! `undefined`. The page writes JSON, as it does to the engine's worker; the worker answers in
//! postcard, which the page already reads (the engine's reports come in it).

use serde::{Deserialize, Serialize};

use super::{ChartKind, TimeAxis};

/// A message from the page.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum ToWorker {
    /// Draw on this canvas from now on: its `OffscreenCanvas` is beside the message.
    Canvas {
        /// The page's name for it.
        id: u32,
    },
    /// A run's report: the engine worker's answer (`bridge::Response::Done` in postcard) is
    /// beside the message, as the page received it.
    Report {
        /// The page's number of the run (`Shared::serial`).
        serial: u64,
    },
    /// The page holds this run no more: the worker lets it go.
    Forget {
        /// The run's number.
        serial: u64,
    },
    /// Draw a chart.
    Draw(Paint),
    /// The canvas has left the page.
    Release {
        /// The canvas.
        id: u32,
    },
    /// Send back what the canvas shows, as a PNG.
    Png {
        /// The canvas.
        id: u32,
    },
}

/// One chart to draw.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Paint {
    /// The canvas.
    pub id: u32,
    /// Counts the canvas's drawings, so the page knows which one an answer is for.
    pub seq: u32,
    /// The chart.
    pub kind: ChartKind,
    /// The canvas's size in pixels.
    pub width: u32,
    /// Its height.
    pub height: u32,
    /// Drawn in the dark theme's colours.
    pub dark: bool,
    /// The run whose report is drawn.
    pub serial: u64,
}

/// A message from the worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FromWorker {
    /// The worker has started and reads messages.
    Ready,
    /// A chart is drawn, or could not be.
    Drawn {
        /// The canvas.
        id: u32,
        /// The drawing's number (`Paint::seq`).
        seq: u32,
        /// Where its time axis lies, for the cursor and for clicks.
        axis: TimeAxis,
        /// How long drawing took, in ms.
        ms: f64,
        /// The chart in words, for screen readers (`charts::describe`).
        text: String,
        /// Why it could not be drawn.
        error: Option<String>,
    },
    /// The canvas as a PNG: its blob is beside the message (`null` if the browser made none).
    Png {
        /// The canvas.
        id: u32,
    },
}

/// The worker's message as bytes.
pub fn encode(message: &FromWorker) -> Vec<u8> {
    postcard::to_allocvec(message).unwrap_or_default()
}

/// The worker's message from bytes, or why they are not one.
pub fn decode(bytes: &[u8]) -> Result<FromWorker, String> {
    postcard::from_bytes(bytes).map_err(|e| {
        format!(
            "the charts worker said something unreadable: {}",
            bridge::unreadable(&e)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_read_back_as_written() {
        let drawn = FromWorker::Drawn {
            id: 3,
            seq: 7,
            axis: TimeAxis {
                x0: 40,
                x1: 600,
                y0: 8,
                y1: 150,
                end_s: 60.0,
            },
            ms: 1.25,
            text: "Environments over time".into(),
            error: Some("no report".into()),
        };
        assert_eq!(decode(&encode(&drawn)), Ok(drawn));
        let paint = ToWorker::Draw(Paint {
            id: 1,
            seq: 2,
            kind: ChartKind::Lanes,
            width: 640,
            height: 220,
            dark: true,
            serial: 12,
        });
        let text = serde_json::to_string(&paint).expect("writes");
        let back: ToWorker = serde_json::from_str(&text).expect("reads");
        assert!(matches!(back, ToWorker::Draw(p) if p.kind == ChartKind::Lanes && p.dark));
    }

    #[test]
    fn a_cut_answer_is_an_error_not_a_panic() {
        let bytes = encode(&FromWorker::Png { id: 9 });
        assert!(decode(&bytes[..bytes.len() - 1]).is_err());
        assert!(decode(&[]).is_err());
    }
}
