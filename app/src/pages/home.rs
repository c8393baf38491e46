//! The home page: what Lambda Lab is, the lessons in order with the learner's progress.

use curriculum::Page;
use leptos::prelude::*;

use crate::progress::{self, Progress};
use crate::route::lesson_href;

/// The lesson list.
#[component]
pub fn Home(
    /// Every lesson page, in order.
    pages: Vec<Page>,
) -> impl IntoView {
    let progress = use_context::<RwSignal<Progress>>();
    let total = pages.len();
    let info: Vec<(String, bool)> = pages
        .iter()
        .map(|p| (p.id.clone(), p.lesson.challenge.is_some()))
        .collect();
    let info = StoredValue::new(info);
    let done_count = move || {
        progress.map_or(0, |pr| {
            pr.with(|pr| {
                info.get_value()
                    .iter()
                    .filter(|(id, c)| pr.done(id, *c))
                    .count()
            })
        })
    };
    let items = pages
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            let href = lesson_href(&p.id);
            let id = p.id.clone();
            let has_challenge = p.lesson.challenge.is_some();
            let l = p.lesson;
            let id = StoredValue::new(id);
            let done = move || progress.is_some_and(|pr| pr.with(|pr| pr.done(&id.get_value(), has_challenge)));
            view! {
                <li class="lesson-card" class:done=done>
                    <span class="lesson-number" aria-hidden="true">{format!("{:02}", i + 1)}</span>
                    <div>
                        <a href=href>{l.title}</a>
                        <p>{l.summary}</p>
                        <span class="meta">
                            {format!("{} min", l.minutes)}
                            {move || done().then(|| view! { <span class="done-mark">" \u{00b7} \u{2713} done"</span> })}
                        </span>
                    </div>
                </li>
            }
        })
        .collect_view();
    let reset = move |_| {
        progress::reset();
        if let Some(p) = progress {
            p.update(|p| *p = progress::fresh(p.seed));
        }
    };
    view! {
        <section class="home">
            <h1>"How AWS Lambda really behaves"</h1>
            <p class="lede">
                "Move a slider and a simulation of Lambda re-runs in your browser: execution environments start cold, "
                "stay warm, hit limits and get throttled; queues fill and drain; a release rolls back when its alarm "
                "fires. Every number you see comes from the model."
            </p>
            <div class="progress-line">
                <span data-testid="progress-count">{move || format!("{} of {total} lessons done", done_count())}</span>
                <button type="button" class="link-button" data-testid="reset-progress" on:click=reset>"Reset progress"</button>
            </div>
            <h2>"Lessons"</h2>
            <ol id="lesson-list" class="lesson-list">{items}</ol>
            <h2>"Beyond the lessons"</h2>
            <ul class="beyond">
                <li><a href="#/lab">"The lab"</a>": every knob of the engine, on a scenario you write."</li>
                <li><a href="#/your-function" data-testid="home-your-function">"Your own function"</a>": paste its CloudWatch REPORT lines, get a scenario calibrated to them, and ask \u{201c}what if\u{201d}."</li>
            </ul>
        </section>
    }
}
