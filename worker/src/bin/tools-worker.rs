//! The tools worker: what the page asks for now and then, not on every knob move. It reads a
//! log, calibrates a twin to it and runs the what-ifs ("Your own function", `calibrate`), and
//! gives a function of the lab's scenario text a CSV's traffic (`worker::traffic`). It is a
//! module of its own, loaded only when one of these is first asked for, so that the engine's
//! worker (`engine-worker`) carries no log reader, fitting or TOML editor.
//!
//! A request runs to its end in one go; a twin posts a [`bridge::Response::TwinProgress`] as
//! each step starts. Requests that came in meanwhile are taken newest first per channel: an older
//! one on the same channel is answered `Stopped { superseded: true }` and never run. To stop a
//! request under way the page terminates this worker and starts another.

#[cfg(target_arch = "wasm32")]
mod web {
    use std::cell::RefCell;

    use bridge::{Job, Request, Response};
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use worker::port::{listen, post, scope};

    thread_local! {
        /// Requests not yet answered, in order.
        static QUEUE: RefCell<Vec<Request>> = const { RefCell::new(Vec::new()) };
        /// A drain is scheduled.
        static SCHEDULED: RefCell<bool> = const { RefCell::new(false) };
    }

    /// Answers the next request after the messages already in are taken in.
    fn schedule() {
        if SCHEDULED.with_borrow_mut(|s| std::mem::replace(s, true)) {
            return;
        }
        let next = Closure::once_into_js(|| {
            SCHEDULED.with_borrow_mut(|s| *s = false);
            answer_next();
        });
        let _ =
            scope().set_timeout_with_callback_and_timeout_and_arguments_0(next.unchecked_ref(), 0);
    }

    fn answer_next() {
        let Some(request) = QUEUE.with_borrow_mut(|q| (!q.is_empty()).then(|| q.remove(0))) else {
            return;
        };
        let id = request.id;
        match request.job {
            Job::Twin(twin) => {
                let result = worker::twin_with(twin, &mut |step| {
                    post(&Response::TwinProgress {
                        id,
                        done: step.done,
                        total: step.total,
                        what: step.what,
                    })
                });
                post(&Response::Twin { id, result });
            }
            Job::Traffic(job) => post(&Response::Traffic {
                id,
                result: worker::traffic::traffic(&job),
            }),
            Job::Stop => {}
            Job::Run(_) => post(&Response::Failed {
                id,
                error: "internal error (please report): a run sent to the tools worker".into(),
            }),
        }
        schedule();
    }

    /// Takes a request in: an older one of its channel still waiting is superseded.
    fn accept(request: Request) {
        let superseded: Vec<u64> = QUEUE.with_borrow_mut(|q| {
            let old: Vec<u64> = q
                .iter()
                .filter(|r| r.channel == request.channel)
                .map(|r| r.id)
                .collect();
            q.retain(|r| r.channel != request.channel);
            if !matches!(request.job, Job::Stop) {
                q.push(request);
            }
            old
        });
        for id in superseded {
            post(&Response::Stopped {
                id,
                superseded: true,
            });
        }
        schedule();
    }

    /// Starts the worker: listens for requests, then says it is ready.
    pub fn start() {
        listen(accept);
    }
}

fn main() {
    #[cfg(target_arch = "wasm32")]
    web::start();
}
