//! The page's side of the charts worker (`bin/charts-worker.rs`): a run's charts are drawn
//! there, each on a canvas the page hands over, so drawing never takes the main thread and the
//! app's own module carries no drawing code.
//!
//! - [`keep`] holds, beside each report the page shows, the engine worker's answer it came in;
//!   the first time a chart of that run is drawn the answer goes to the charts worker, and when
//!   the page drops the report the worker is told to let it go.
//! - [`attach`] hands a `<canvas>` over and names it; [`draw`], [`png`] and [`release`] act
//!   on it by that name; the answers go to the listener given to [`attach`].
//! - If the worker dies, a fresh one starts, the page says so ([`crate::runner::notice`]), and
//!   [`generation`] moves on: a canvas handed over cannot be handed again, so each chart makes
//!   a new one and draws again.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use std::sync::Weak;

use engine::Report;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::charts::wire::{self, FromWorker, Paint, ToWorker};
use crate::shared::Shared;

/// The worker's loader, which Trunk writes beside the app (`data-loader-shim`).
const URL: &str = "./charts-worker_loader.js";
/// A worker that leaves a drawing unanswered this long is taken as dead (a chart takes
/// milliseconds to draw).
const SILENT_MS: f64 = 5_000.0;
/// The same before it is ready: loading and compiling its module takes a while.
const SILENT_AT_START_MS: f64 = 30_000.0;

type Listener = Rc<dyn Fn(FromWorker, JsValue)>;

#[derive(Default)]
struct Painter {
    worker: Option<web_sys::Worker>,
    ready: bool,
    /// Messages written before the worker was ready: the message, what goes beside it, and
    /// whether that is handed over (a canvas) rather than copied.
    outbox: Vec<(String, JsValue, bool)>,
    /// The engine's answer for each report the page holds, by run.
    wires: HashMap<u64, (Weak<Report>, js_sys::Uint8Array)>,
    /// The runs the worker holds.
    sent: HashSet<u64>,
    listeners: HashMap<u32, Listener>,
    next_id: u32,
    handlers: Vec<Closure<dyn FnMut(JsValue)>>,
    /// Drawings asked for and not answered yet.
    waiting: u32,
    /// When the worker was last heard from, or first asked to draw after a silence, in ms.
    heard_ms: f64,
    /// The watchdog is running.
    watchdog: bool,
}

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

thread_local! {
    static PAINTER: RefCell<Painter> = RefCell::new(Painter::default());
    // Reference-counted, not owned by whichever view first read it: it lives as long as the page.
    static GENERATION: ArcRwSignal<u32> = ArcRwSignal::new(0);
}

/// Moves on each time the worker is replaced: charts then make a new canvas and draw again.
pub fn generation() -> ArcRwSignal<u32> {
    GENERATION.with(ArcRwSignal::clone)
}

/// Keeps `wire`, the engine worker's answer that `report` was read from, for as long as the
/// page holds the report; drops what belonged to reports the page let go, and tells the worker.
pub fn keep(report: &Shared<Report>, wire: js_sys::Uint8Array) {
    PAINTER.with_borrow_mut(|p| {
        let gone: Vec<u64> = p
            .wires
            .iter()
            .filter(|(_, (held, _))| held.strong_count() == 0)
            .map(|(serial, _)| *serial)
            .collect();
        for serial in gone {
            p.wires.remove(&serial);
            if p.sent.remove(&serial) {
                send(p, &ToWorker::Forget { serial }, JsValue::UNDEFINED, false);
            }
        }
        p.wires.insert(report.serial(), (report.downgrade(), wire));
    });
}

/// Hands `canvas` over to the worker; its answers go to `on`. Returns the canvas's name, or why
/// the browser cannot draw it in a worker.
pub fn attach(
    canvas: &web_sys::HtmlCanvasElement,
    on: impl Fn(FromWorker, JsValue) + 'static,
) -> Result<u32, String> {
    let offscreen = canvas.transfer_control_to_offscreen().map_err(|_| {
        "This browser cannot draw charts off the page (it has no OffscreenCanvas): a current Chrome, Edge, Firefox or Safari can.".to_string()
    })?;
    Ok(PAINTER.with_borrow_mut(|p| {
        p.next_id += 1;
        let id = p.next_id;
        p.listeners.insert(id, Rc::new(on));
        send(p, &ToWorker::Canvas { id }, offscreen.into(), true);
        id
    }))
}

/// Draws a chart of `report` on the canvas `paint.id`.
pub fn draw(report: &Shared<Report>, paint: Paint) {
    let serial = report.serial();
    let missing = PAINTER.with_borrow_mut(|p| {
        if !p.sent.contains(&serial) {
            let Some((_, bytes)) = p.wires.get(&serial) else {
                return p.listeners.get(&paint.id).cloned();
            };
            let bytes = bytes.clone().into();
            send(p, &ToWorker::Report { serial }, bytes, false);
            p.sent.insert(serial);
        }
        if p.waiting == 0 {
            p.heard_ms = now_ms();
        }
        p.waiting += 1;
        send(
            p,
            &ToWorker::Draw(Paint { serial, ..paint }),
            JsValue::UNDEFINED,
            false,
        );
        None
    });
    // A report that did not come from the engine's worker: nothing to draw it from.
    if let Some(on) = missing {
        let drawn = FromWorker::Drawn {
            id: paint.id,
            seq: paint.seq,
            axis: Default::default(),
            ms: 0.0,
            text: String::new(),
            error: Some("internal error (please report): a run without its answer".to_string()),
        };
        on(drawn, JsValue::UNDEFINED);
    }
}

/// Asks for what the canvas shows, as a PNG: its listener hears `Png` with the blob beside.
pub fn png(id: u32) {
    PAINTER.with_borrow_mut(|p| send(p, &ToWorker::Png { id }, JsValue::UNDEFINED, false));
}

/// The canvas has left the page.
pub fn release(id: u32) {
    PAINTER.with_borrow_mut(|p| {
        if p.listeners.remove(&id).is_some() && p.worker.is_some() {
            send(p, &ToWorker::Release { id }, JsValue::UNDEFINED, false);
        }
    });
}

fn send(p: &mut Painter, message: &ToWorker, beside: JsValue, hand_over: bool) {
    if p.worker.is_none() {
        start(p);
    }
    let text = crate::format::json(message).unwrap_or_default();
    match (&p.worker, p.ready) {
        (Some(w), true) => post(w, text, &beside, hand_over),
        _ => p.outbox.push((text, beside, hand_over)),
    }
}

fn post(worker: &web_sys::Worker, text: String, beside: &JsValue, hand_over: bool) {
    let message = js_sys::Array::of2(&JsValue::from(text), beside);
    let _ = if hand_over {
        worker.post_message_with_transfer(&message, &js_sys::Array::of1(beside))
    } else {
        worker.post_message(&message)
    };
}

fn start(p: &mut Painter) {
    p.ready = false;
    let options = web_sys::WorkerOptions::new();
    options.set_type(web_sys::WorkerType::Module);
    let worker = match web_sys::Worker::new_with_options(URL, &options) {
        Ok(w) => w,
        Err(e) => {
            let why = e
                .as_string()
                .unwrap_or_else(|| "the browser refused".to_string());
            crate::runner::notice().set(Some(format!(
                "The charts could not be drawn: their worker could not start ({why}). Reload the page to try again."
            )));
            return;
        }
    };
    let on_message = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
        let Some(data) = event
            .dyn_into::<web_sys::MessageEvent>()
            .ok()
            .map(|e| js_sys::Array::from(&e.data()))
        else {
            return;
        };
        let Some(bytes) = data.get(0).dyn_into::<js_sys::Uint8Array>().ok() else {
            return;
        };
        match wire::decode(&bytes.to_vec()) {
            Ok(message) => heard(message, data.get(1)),
            Err(e) => web_sys::console::warn_1(&JsValue::from_str(&e)),
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
        crashed(&engine::clip::message(&what));
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    worker.set_onmessageerror(Some(on_error.as_ref().unchecked_ref()));
    p.handlers = vec![on_message, on_error];
    p.worker = Some(worker);
    if !p.watchdog {
        p.watchdog = true;
        // A worker that ends without a word (closed, or its process killed) fires no error:
        // it is found by its silence.
        set_interval(
            || {
                let silent = PAINTER.with_borrow(|p| {
                    let limit = if p.ready {
                        SILENT_MS
                    } else {
                        SILENT_AT_START_MS
                    };
                    p.worker.is_some() && p.waiting > 0 && now_ms() - p.heard_ms > limit
                });
                if silent {
                    crashed("it stopped answering");
                }
            },
            std::time::Duration::from_secs(1),
        );
    }
}

/// A message from the worker: `Ready` sends what waited; the others go to their canvas.
fn heard(message: FromWorker, beside: JsValue) {
    let id = match &message {
        FromWorker::Ready => {
            return PAINTER.with_borrow_mut(|p| {
                p.ready = true;
                p.heard_ms = now_ms();
                if let Some(w) = &p.worker {
                    for (text, beside, hand_over) in p.outbox.drain(..) {
                        post(w, text, &beside, hand_over);
                    }
                }
            });
        }
        FromWorker::Drawn { id, .. } => {
            PAINTER.with_borrow_mut(|p| {
                p.waiting = p.waiting.saturating_sub(1);
                p.heard_ms = now_ms();
            });
            *id
        }
        FromWorker::Png { id } => *id,
    };
    let on = PAINTER.with_borrow(|p| p.listeners.get(&id).cloned());
    if let Some(on) = on {
        on(message, beside);
    }
}

/// The worker died: forget what it held, say so, and have every chart hand over a new canvas.
fn crashed(why: &str) {
    PAINTER.with_borrow_mut(|p| {
        if let Some(w) = p.worker.take() {
            w.terminate();
        }
        p.handlers.clear();
        p.outbox.clear();
        p.sent.clear();
        p.listeners.clear();
        p.ready = false;
        p.waiting = 0;
    });
    crate::runner::notice().set(Some(format!(
        "The charts stopped ({why}) and have been drawn again. Your scenario and your progress are kept."
    )));
    GENERATION.with(|g| g.update(|n| *n += 1));
}
