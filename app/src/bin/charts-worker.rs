//! The charts worker: draws every chart of a run (`app::charts`) on a canvas the page handed
//! over (an `OffscreenCanvas`), so drawing never takes the page's main thread and the app's
//! own module carries no drawing code. The page's side is `app::painter`; what they say to
//! each other is `app::charts::wire`.
//!
//! It keeps the canvases by the page's ids and the reports by run, as the page sends them, and
//! lets a report go when the page says it holds it no more.

#[cfg(target_arch = "wasm32")]
mod web {
    use std::cell::RefCell;
    use std::collections::HashMap;

    use app::charts::offscreen::Offscreen;
    use app::charts::wire::{self, FromWorker, Paint, ToWorker};
    use app::charts::{self, palette, TimeAxis};
    use engine::Report;
    use plotters::prelude::IntoDrawingArea;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use web_sys::{DedicatedWorkerGlobalScope, MessageEvent, OffscreenCanvas};

    #[derive(Default)]
    struct State {
        canvases: HashMap<u32, OffscreenCanvas>,
        /// Reports by run, or why the bytes sent were not one.
        reports: HashMap<u64, Result<Report, String>>,
    }

    thread_local! {
        static STATE: RefCell<State> = RefCell::new(State::default());
    }

    fn scope() -> DedicatedWorkerGlobalScope {
        js_sys::global().unchecked_into()
    }

    fn post(message: &FromWorker, beside: &JsValue) {
        let bytes = js_sys::Uint8Array::from(wire::encode(message).as_slice());
        let _ = scope().post_message(&js_sys::Array::of2(&bytes, beside));
    }

    fn now_ms() -> f64 {
        scope().performance().map_or(0.0, |p| p.now())
    }

    /// Draws `paint`; says where the time axis lies and what the chart shows, or why nothing
    /// was drawn.
    fn draw(st: &State, paint: &Paint) -> Result<(TimeAxis, String), String> {
        let canvas = st
            .canvases
            .get(&paint.id)
            .ok_or("internal error (please report): a chart without its canvas")?;
        let report = match st.reports.get(&paint.serial) {
            Some(Ok(r)) => r,
            Some(Err(e)) => return Err(e.clone()),
            None => return Err("internal error (please report): a chart without its run".into()),
        };
        // Setting a canvas's size clears it: only when it changed (the drawing paints its own
        // background).
        if canvas.width() != paint.width {
            canvas.set_width(paint.width);
        }
        if canvas.height() != paint.height {
            canvas.set_height(paint.height);
        }
        let backend = Offscreen::new(canvas.clone())
            .ok_or("This browser cannot draw on a canvas in a worker.")?;
        let area = backend.into_drawing_area();
        let axis = charts::draw(paint.kind, &area, report, palette::of(paint.dark))?;
        Ok((axis, charts::describe(paint.kind, report)))
    }

    /// The bytes the engine worker answered with, as a report.
    fn read_report(beside: &JsValue) -> Result<Report, String> {
        let bytes = beside
            .dyn_ref::<js_sys::Uint8Array>()
            .ok_or("internal error (please report): a run sent without its report")?
            .to_vec();
        match bridge::decode(&bytes)? {
            bridge::Response::Done(done) => Ok(done.report),
            _ => Err("internal error (please report): a run sent with another answer".into()),
        }
    }

    fn heard(message: ToWorker, beside: JsValue) {
        match message {
            ToWorker::Canvas { id } => {
                if let Ok(canvas) = beside.dyn_into::<OffscreenCanvas>() {
                    STATE.with_borrow_mut(|st| st.canvases.insert(id, canvas));
                }
            }
            ToWorker::Report { serial } => {
                let report = read_report(&beside);
                STATE.with_borrow_mut(|st| st.reports.insert(serial, report));
            }
            ToWorker::Forget { serial } => {
                STATE.with_borrow_mut(|st| st.reports.remove(&serial));
            }
            ToWorker::Release { id } => {
                STATE.with_borrow_mut(|st| st.canvases.remove(&id));
            }
            ToWorker::Draw(paint) => {
                let t0 = now_ms();
                let drawn = STATE.with_borrow(|st| draw(st, &paint));
                let ms = now_ms() - t0;
                let ((axis, text), error) = match drawn {
                    Ok(drawn) => (drawn, None),
                    Err(e) => ((TimeAxis::default(), String::new()), Some(e)),
                };
                let answer = FromWorker::Drawn {
                    id: paint.id,
                    seq: paint.seq,
                    axis,
                    ms,
                    text,
                    error,
                };
                post(&answer, &JsValue::UNDEFINED);
            }
            ToWorker::Png { id } => {
                let promise =
                    STATE.with_borrow(|st| st.canvases.get(&id).map(|c| c.convert_to_blob()));
                wasm_bindgen_futures::spawn_local(async move {
                    let blob = match promise {
                        Some(Ok(p)) => wasm_bindgen_futures::JsFuture::from(p)
                            .await
                            .unwrap_or(JsValue::NULL),
                        _ => JsValue::NULL,
                    };
                    post(&FromWorker::Png { id }, &blob);
                });
            }
        }
    }

    /// Starts the worker: listens for the page's messages, then says it is ready.
    pub fn start() {
        console_error_panic_hook::set_once();
        let on_message = Closure::<dyn Fn(MessageEvent)>::new(|event: MessageEvent| {
            let data = js_sys::Array::from(&event.data());
            let Some(text) = data.get(0).as_string() else {
                return;
            };
            match serde_json::from_str::<ToWorker>(&text) {
                Ok(message) => heard(message, data.get(1)),
                Err(e) => web_sys::console::warn_1(&JsValue::from_str(&format!(
                    "the charts worker cannot read a message: {e}"
                ))),
            }
        });
        scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        // The worker lives as long as the page keeps it: its handler is never dropped.
        on_message.forget();
        post(&FromWorker::Ready, &JsValue::UNDEFINED);
    }
}

fn main() {
    #[cfg(target_arch = "wasm32")]
    web::start();
}
