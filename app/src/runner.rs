//! The page's side of the engine's Web Worker (`worker/`): every run goes there, so the main
//! thread never runs the engine and never freezes.
//!
//! - [`submit`] sends a run on a channel and calls back with its progress and outcome. A newer
//!   run on the same channel supersedes the older one: the worker gives it up, and an answer
//!   that still arrives for it is never passed on, so a stale report is never drawn.
//! - Log calibration ("Your own function") and the lab's traffic import go to a second worker
//!   (`tools-worker`), started only when first asked; Stop there terminates it and starts
//!   another, re-sending what other channels were waiting for.
//! - If a worker dies (a trap, an out-of-memory, or silence while a run is under way), every
//!   pending run is told so in words, the worker is replaced by a fresh one, and
//!   [`notice`] says what happened until the learner dismisses it.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use bridge::{Job, Progress, Request, Response, RunJob};
use engine::Report;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::shared::Shared;

/// A worker that has said nothing for this long while a run is under way is taken as dead
/// (the engine's posts its progress every 40 ms or so).
const SILENT_MS: f64 = 5_000.0;
/// The same for the tools worker, which posts at each step of a calibration (one engine run).
const SILENT_TOOLS_MS: f64 = 60_000.0;
/// The same before its first message: loading and compiling the module takes a while.
const SILENT_AT_START_MS: f64 = 30_000.0;

/// What becomes of a run.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// It is under way.
    Progress(Progress),
    /// It ended with a report.
    Done(Finished),
    /// The scenario was refused or the run failed.
    Failed(String),
    /// It was stopped on request (`false`) or superseded (`true`).
    Stopped(bool),
    /// The worker died during the run; a fresh one has started.
    Crashed(String),
    /// The answer to a twin request: `calibrate::Twin` as JSON text, or the error.
    Twin(Result<String, String>),
    /// A twin request is under way: `done` of `total` steps, and the step now running.
    Step {
        /// Steps done.
        done: u32,
        /// Steps in all.
        total: u32,
        /// The step under way, in words.
        what: String,
    },
    /// The answer to a traffic request: the edited scenario text and what changed, or the
    /// error.
    Traffic(Result<bridge::TrafficEdit, String>),
}

/// Which worker a request goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Which {
    /// The engine's worker: runs.
    Engine = 0,
    /// The tools worker: log calibration and traffic import.
    Tools = 1,
}

impl Which {
    /// The worker's loader, which Trunk writes beside the app (`data-loader-shim`).
    fn url(self) -> &'static str {
        match self {
            Which::Engine => "./engine-worker_loader.js",
            Which::Tools => "./tools-worker_loader.js",
        }
    }

    /// What the page calls it.
    fn name(self) -> &'static str {
        match self {
            Which::Engine => "The simulation engine",
            Which::Tools => "The log and traffic reader",
        }
    }
}

/// A finished run.
#[derive(Debug, Clone)]
pub struct Finished {
    /// The report.
    pub report: Shared<Report>,
    /// What the scenario does that AWS allows but advises against.
    pub warnings: Vec<String>,
    /// Why the budget cut the run short, if it did: the report covers the time until then.
    pub cut: Option<String>,
    /// Wall time of the run in the worker, in ms.
    pub engine_ms: f64,
}

type Callback = Rc<dyn Fn(Outcome)>;

struct Client {
    which: Which,
    worker: Option<web_sys::Worker>,
    ready: bool,
    /// Requests written before the worker was ready.
    outbox: Vec<String>,
    /// Runs sent and not yet over: channel, callback and the request as sent.
    pending: HashMap<u64, (String, Callback, String)>,
    /// The newest run of each channel.
    latest: HashMap<String, u64>,
    /// When the worker was started or last heard from, in ms.
    heard_ms: f64,
    /// The worker's handlers, kept alive as long as it is.
    handlers: Vec<Closure<dyn FnMut(JsValue)>>,
    watchdog: bool,
}

impl Client {
    fn new(which: Which) -> Client {
        Client {
            which,
            worker: None,
            ready: false,
            outbox: Vec::new(),
            pending: HashMap::new(),
            latest: HashMap::new(),
            heard_ms: 0.0,
            handlers: Vec::new(),
            watchdog: false,
        }
    }
}

thread_local! {
    static CLIENTS: RefCell<[Client; 2]> = RefCell::new([Client::new(Which::Engine), Client::new(Which::Tools)]);
    /// Request ids, unique on the page across both workers.
    static NEXT_ID: std::cell::Cell<u64> = const { std::cell::Cell::new(1) };
    // Reference-counted, not owned by whichever view first read it: it lives as long as the page.
    static NOTICE: ArcRwSignal<Option<String>> = ArcRwSignal::new(None);
}

fn with<R>(which: Which, f: impl FnOnce(&mut Client) -> R) -> R {
    CLIENTS.with_borrow_mut(|cs| f(&mut cs[which as usize]))
}

/// What the page says about the worker after it died and was restarted (`None` when all is
/// well).
pub fn notice() -> ArcRwSignal<Option<String>> {
    NOTICE.with(ArcRwSignal::clone)
}

/// The banner that says a worker died and was replaced, until the learner dismisses it.
#[component]
pub fn EngineNotice() -> impl IntoView {
    move || {
        notice().get().map(|n| {
            view! {
                <div class="notice banner" role="alert" data-testid="engine-notice">
                    <p>{n}</p>
                    <button type="button" class="link-button" on:click=move |_| notice().set(None)>"Dismiss"</button>
                </div>
            }
        })
    }
}

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// A unique channel name for a place that shows runs (an experiment panel, a bet).
pub fn channel(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    format!("{prefix}#{}", N.fetch_add(1, Ordering::Relaxed))
}

/// Sends `job` on `channel`; `on` hears its progress and its outcome (one of `Done`,
/// `Failed`, `Stopped` or `Crashed`, once). Returns the run's id.
pub fn submit(channel: &str, job: RunJob, on: impl Fn(Outcome) + 'static) -> u64 {
    send_job(channel, Job::Run(job), on)
}

/// Sends a "your own function" request (`calibrate::TwinRequest` as JSON) on `channel`; `on`
/// hears `Twin`, `Stopped` or `Crashed`, once.
pub fn submit_twin(
    channel: &str,
    request: serde_json::Value,
    on: impl Fn(Outcome) + 'static,
) -> u64 {
    send_job(channel, Job::Twin(request), on)
}

/// Sends the lab's "bring your own traffic" request on `channel`; `on` hears `Traffic`,
/// `Stopped` or `Crashed`, once.
pub fn submit_traffic(
    channel: &str,
    request: bridge::TrafficJob,
    on: impl Fn(Outcome) + 'static,
) -> u64 {
    send_job(channel, Job::Traffic(request), on)
}

fn send_job(channel: &str, job: Job, on: impl Fn(Outcome) + 'static) -> u64 {
    let which = match job {
        Job::Twin(_) | Job::Traffic(_) => Which::Tools,
        Job::Run(_) | Job::Stop => Which::Engine,
    };
    let id = NEXT_ID.with(|n| n.replace(n.get() + 1));
    let superseded = with(which, |c| {
        let old = c.latest.insert(channel.to_string(), id);
        let old = old.and_then(|o| c.pending.remove(&o)).map(|(_, cb, _)| cb);
        let text = write(&Request {
            id,
            channel: channel.to_string(),
            job,
        });
        c.pending.insert(
            id,
            (channel.to_string(), Rc::new(on) as Callback, text.clone()),
        );
        send(c, text);
        old
    });
    if let Some(cb) = superseded {
        cb(Outcome::Stopped(true));
    }
    id
}

/// Stops the channel's run, if one is under way; it is told `Stopped(false)`.
pub fn stop(channel: &str) {
    for cb in halt(channel) {
        cb(Outcome::Stopped(false));
    }
}

/// Forgets the channel: its runs are stopped and their answers dropped (the view that showed
/// them is gone).
pub fn forget(channel: &str) {
    let had = CLIENTS.with_borrow(|cs| cs.iter().any(|c| c.latest.contains_key(channel)));
    if had {
        drop(halt(channel));
    }
}

/// Stops the channel's run in whichever worker has it; returns the callbacks of what stopped.
fn halt(channel: &str) -> Vec<Callback> {
    let engine = with(Which::Engine, |c| {
        if c.worker.is_some() {
            let text = write(&Request {
                id: 0,
                channel: channel.to_string(),
                job: Job::Stop,
            });
            send(c, text);
        }
        let id = c.latest.remove(channel)?;
        c.pending.remove(&id).map(|(_, cb, _)| cb)
    });
    // The tools worker answers a request in one go: stopping it means a fresh worker, to which
    // the other channels' requests are sent again.
    let twin = with(Which::Tools, |c| {
        let id = c.latest.remove(channel)?;
        let cb = c.pending.remove(&id).map(|(_, cb, _)| cb);
        if let Some(w) = c.worker.take() {
            w.terminate();
        }
        c.handlers.clear();
        c.outbox.clear();
        start(c);
        let again: Vec<String> = c
            .pending
            .values()
            .map(|(_, _, text)| text.clone())
            .collect();
        c.outbox.extend(again);
        cb
    });
    [engine, twin].into_iter().flatten().collect()
}

/// A request as the workers read it ([`bridge::read`]), in the page's JSON ([`crate::format::json`]).
fn write(request: &Request) -> String {
    // Only maps with string keys are written: this cannot fail.
    crate::format::json(request).unwrap_or_default()
}

fn send(c: &mut Client, text: String) {
    if c.worker.is_none() {
        start(c);
    }
    match (&c.worker, c.ready) {
        (Some(w), true) => {
            if w.post_message(&JsValue::from_str(&text)).is_err() {
                c.outbox.push(text);
            }
        }
        _ => c.outbox.push(text),
    }
}

/// Starts a worker and its watchdog.
fn start(c: &mut Client) {
    c.ready = false;
    c.heard_ms = now_ms();
    let options = web_sys::WorkerOptions::new();
    options.set_type(web_sys::WorkerType::Module);
    let which = c.which;
    let worker = match web_sys::Worker::new_with_options(which.url(), &options) {
        Ok(w) => w,
        Err(e) => {
            let why = e.as_string().unwrap_or_else(|| format!("{e:?}"));
            NOTICE.with(|n| {
                n.set(Some(format!(
                    "{} could not start ({why}). Reload the page to try again.",
                    which.name()
                )))
            });
            return;
        }
    };
    let on_message = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
        let data = event
            .dyn_into::<web_sys::MessageEvent>()
            .ok()
            .and_then(|e| e.data().dyn_into::<js_sys::Uint8Array>().ok());
        if let Some(bytes) = data {
            heard(which, bytes);
        }
    });
    let on_error = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
        let what = event
            .dyn_ref::<web_sys::ErrorEvent>()
            .map(|e| e.message())
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| "it stopped".to_string());
        if let Some(e) = event.dyn_ref::<web_sys::Event>() {
            // Handled here, in words on the page.
            e.prevent_default();
        }
        crashed(which, &engine::clip::message(&what));
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    worker.set_onmessageerror(Some(on_error.as_ref().unchecked_ref()));
    c.handlers = vec![on_message, on_error];
    c.worker = Some(worker);
    if !c.watchdog {
        c.watchdog = true;
        set_interval(
            move || {
                let silent = with(which, |c| {
                    let limit = match (c.ready, which) {
                        (false, _) => SILENT_AT_START_MS,
                        (true, Which::Engine) => SILENT_MS,
                        (true, Which::Tools) => SILENT_TOOLS_MS,
                    };
                    c.worker.is_some() && !c.pending.is_empty() && now_ms() - c.heard_ms > limit
                });
                if silent {
                    crashed(which, "it stopped answering");
                }
            },
            std::time::Duration::from_secs(1),
        );
    }
}

/// A message from a worker.
fn heard(which: Which, bytes: js_sys::Uint8Array) {
    let response = match bridge::decode(&bytes.to_vec()) {
        Ok(r) => r,
        Err(e) => return web_sys::console::warn_1(&JsValue::from_str(&e)),
    };
    let (id, outcome, last) = match response {
        Response::Ready => {
            with(which, |c| {
                c.ready = true;
                c.heard_ms = now_ms();
                if let Some(w) = &c.worker {
                    for text in c.outbox.drain(..) {
                        let _ = w.post_message(&JsValue::from_str(&text));
                    }
                }
            });
            return;
        }
        Response::Progress(p) => (p.id, Outcome::Progress(p), false),
        Response::Done(done) => {
            let done = *done;
            let report = Shared::new(done.report);
            // The charts worker draws from the answer as it came.
            crate::painter::keep(&report, bytes);
            let outcome = Outcome::Done(Finished {
                report,
                warnings: done.warnings,
                cut: done.cut,
                engine_ms: done.engine_ms,
            });
            (done.id, outcome, true)
        }
        Response::Failed { id, error } => (id, Outcome::Failed(error), true),
        Response::Twin { id, result } => (id, Outcome::Twin(result), true),
        Response::TwinProgress {
            id,
            done,
            total,
            what,
        } => (id, Outcome::Step { done, total, what }, false),
        Response::Traffic { id, result } => (id, Outcome::Traffic(result), true),
        Response::Stopped { id, superseded } => (id, Outcome::Stopped(superseded), true),
    };
    let cb = with(which, |c| {
        c.heard_ms = now_ms();
        let cb = c.pending.get(&id).map(|(_, cb, _)| Rc::clone(cb));
        if last {
            if let Some((channel, _, _)) = c.pending.remove(&id) {
                if c.latest.get(&channel) == Some(&id) {
                    c.latest.remove(&channel);
                }
            }
        }
        cb
    });
    if let Some(cb) = cb {
        cb(outcome);
    }
}

/// A worker died: tell every pending run, start a fresh worker, and say so on the page.
fn crashed(which: Which, why: &str) {
    let pending: Vec<Callback> = with(which, |c| {
        if let Some(w) = c.worker.take() {
            w.terminate();
        }
        c.handlers.clear();
        c.outbox.clear();
        c.latest.clear();
        c.pending.drain().map(|(_, (_, cb, _))| cb).collect()
    });
    let message = format!(
        "{} stopped ({why}) and has been restarted. Your scenario and your progress are kept; change a knob or run again to carry on.",
        which.name()
    );
    NOTICE.with(|n| n.set(Some(message.clone())));
    for cb in pending {
        cb(Outcome::Crashed(message.clone()));
    }
    with(which, start);
}

/// Runs `job` on `channel` and waits for its outcome (progress is not reported): for pages
/// that run a set of scenarios one after the other.
pub async fn run(channel: &str, job: RunJob) -> Result<Finished, String> {
    let slot: Rc<RefCell<Option<Result<Finished, String>>>> = Rc::new(RefCell::new(None));
    let answered = Rc::clone(&slot);
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let answered = Rc::clone(&answered);
        submit(channel, job.clone(), move |outcome| {
            let result = match outcome {
                Outcome::Progress(_) | Outcome::Step { .. } => return,
                Outcome::Done(done) => Ok(done),
                Outcome::Failed(e) | Outcome::Crashed(e) => Err(e),
                Outcome::Stopped(_) => Err("stopped".to_string()),
                Outcome::Twin(_) | Outcome::Traffic(_) => Err(
                    "internal error (please report): another job's answer for a run".to_string(),
                ),
            };
            *answered.borrow_mut() = Some(result);
            let _ = resolve.call0(&JsValue::NULL);
        });
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    let result = slot.borrow_mut().take();
    result.unwrap_or_else(|| Err("the run gave no answer".to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use bridge::{ScenarioInput, TrafficJob};
    use serde_json::Value;

    /// What the page writes, the workers read back as it was ([`bridge::read`], the workers'
    /// reader), numbers included.
    #[test]
    fn requests_read_back_in_the_workers_as_written() {
        let run = Request {
            id: 3,
            channel: "lab".into(),
            job: Job::Run(RunJob {
                scenario: ScenarioInput::Toml("duration_s = 1".into()),
                knobs: vec![
                    ("functions[0].memory_mb".into(), Value::from(512)),
                    ("functions[0].init_ms".into(), Value::from(0.1)),
                ],
                seed: Some(7),
                source: "scenario".into(),
            }),
        };
        let traffic = Request {
            id: 4,
            channel: "lab-traffic".into(),
            job: Job::Traffic(TrafficJob {
                text: "duration_s = 60 # a minute\n".into(),
                csv: "time_s\n1\n2\n".into(),
                per_minute: false,
                function: 1,
            }),
        };
        for r in [run, traffic] {
            assert_eq!(bridge::read::<Request>(&write(&r)), Ok(r));
        }
    }
}
