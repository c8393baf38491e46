//! The home page: what Lambda Lab is and the lessons in order.

use engine::lesson::Page;
use leptos::prelude::*;

use crate::route::lesson_href;

/// The lesson list.
#[component]
pub fn Home(
    /// Every lesson page, in order.
    pages: Vec<Page>,
) -> impl IntoView {
    let items = pages
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            let href = lesson_href(&p.entry.id);
            let l = p.entry.lesson;
            view! {
                <li class="lesson-card">
                    <span class="lesson-number" aria-hidden="true">{format!("{:02}", i + 1)}</span>
                    <div>
                        <a href=href>{l.title}</a>
                        <p>{l.summary}</p>
                        <span class="meta">{format!("{} min", l.minutes)}</span>
                    </div>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="home">
            <h1>"How AWS Lambda really behaves"</h1>
            <p class="lede">
                "Move a slider and a simulation of Lambda re-runs in your browser: execution environments start cold, "
                "stay warm, hit limits and get throttled. Every number you see comes from the model."
            </p>
            <h2>"Lessons"</h2>
            <ol id="lesson-list" class="lesson-list">{items}</ol>
        </section>
    }
}
