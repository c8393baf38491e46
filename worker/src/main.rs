//! The engine's Web Worker. It answers the page's [`bridge::Request`]s one at a time, running
//! each in slices of about 40 ms: between two slices it posts its progress and yields, so that
//! a newer request on the same channel, or a Stop, is seen and the run given up. Twin and
//! traffic requests belong to the tools worker (`bin/tools-worker.rs`) and are refused here.
//! The page's main thread never runs the engine, so it never freezes.

#[cfg(target_arch = "wasm32")]
mod web {
    use std::cell::RefCell;
    use std::collections::VecDeque;

    use bridge::{Done, Job, Progress, Request, Response, RunJob};
    use worker::port::{listen, post, scope};
    use worker::{prepare, Run, Slice};

    /// Wall time of one slice, in ms: short enough that a knob move is seen at once.
    const SLICE_MS: f64 = 40.0;

    #[derive(Default)]
    struct State {
        /// Requests waiting, at most one per channel.
        queue: VecDeque<Request>,
        /// The channel and id of the run under way.
        running: Option<(String, u64)>,
        /// The running request is to be given up: `Some(true)` superseded, `Some(false)` stopped.
        cancel: Option<bool>,
        /// A task is draining the queue.
        busy: bool,
    }

    thread_local! {
        static STATE: RefCell<State> = RefCell::new(State::default());
    }

    fn now_ms() -> f64 {
        scope().performance().map_or(0.0, |p| p.now())
    }

    /// Takes a request in: queues it, superseding what its channel had.
    fn accept(request: Request) {
        let mut superseded = Vec::new();
        STATE.with_borrow_mut(|st| {
            let channel = request.channel.clone();
            let running_here = st.running.as_ref().is_some_and(|(c, _)| *c == channel);
            match request.job {
                Job::Stop => {
                    if running_here {
                        st.cancel = Some(false);
                    }
                    st.queue.retain(|q| {
                        let keep = q.channel != channel;
                        if !keep {
                            superseded.push((q.id, false));
                        }
                        keep
                    });
                }
                Job::Run(_) | Job::Twin(_) | Job::Traffic(_) => {
                    if running_here {
                        st.cancel = Some(true);
                    }
                    st.queue.retain(|q| {
                        let keep = q.channel != channel;
                        if !keep {
                            superseded.push((q.id, true));
                        }
                        keep
                    });
                    st.queue.push_back(request);
                }
            }
        });
        for (id, superseded) in superseded {
            post(&Response::Stopped { id, superseded });
        }
    }

    /// Lets the worker's event loop deliver the messages that came during a slice.
    async fn yield_now() {
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            let _ = scope().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
        });
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    }

    async fn drain() {
        loop {
            let next = STATE.with_borrow_mut(|st| {
                let next = st.queue.pop_front();
                st.running = next.as_ref().map(|r| (r.channel.clone(), r.id));
                st.cancel = None;
                if next.is_none() {
                    st.busy = false;
                }
                next
            });
            let Some(request) = next else {
                return;
            };
            match request.job {
                Job::Run(job) => run(request.id, &job).await,
                // Calibration and traffic import have a worker of their own (`tools-worker`),
                // loaded only when asked for, so this one stays small.
                Job::Twin(_) | Job::Traffic(_) => post(&Response::Failed {
                    id: request.id,
                    error: "internal error (please report): a tools request sent to the engine's worker".into(),
                }),
                Job::Stop => {}
            }
        }
    }

    async fn run(id: u64, job: &RunJob) {
        let started = now_ms();
        let (scenario, warnings) = match prepare(job) {
            Ok(ready) => ready,
            Err(error) => return post(&Response::Failed { id, error }),
        };
        let mut run = match Run::start(&scenario) {
            Ok(run) => run,
            Err(error) => return post(&Response::Failed { id, error }),
        };
        loop {
            let slice_end = now_ms() + SLICE_MS;
            match run.slice(|| now_ms() >= slice_end) {
                Slice::Over(Ok((report, cut))) => {
                    return post(&Response::Done(Box::new(Done {
                        id,
                        report: *report,
                        warnings,
                        cut,
                        engine_ms: now_ms() - started,
                    })));
                }
                Slice::Over(Err(error)) => return post(&Response::Failed { id, error }),
                Slice::More => {}
            }
            let (done_us, end_us, events) = run.progress();
            post(&Response::Progress(Progress {
                id,
                done_us,
                end_us,
                events,
                elapsed_ms: now_ms() - started,
            }));
            yield_now().await;
            if let Some(superseded) = STATE.with_borrow(|st| st.cancel) {
                return post(&Response::Stopped { id, superseded });
            }
        }
    }

    /// Starts the worker: listens for requests, then says it is ready.
    pub fn start() {
        listen(|request| {
            accept(request);
            let start = STATE.with_borrow_mut(|st| !std::mem::replace(&mut st.busy, true));
            if start {
                wasm_bindgen_futures::spawn_local(drain());
            }
        });
    }
}

fn main() {
    #[cfg(target_arch = "wasm32")]
    web::start();
}
