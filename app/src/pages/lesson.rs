//! A lesson page: its text with the experiments inline, its notes and sources, previous/next.

use engine::lesson::{Block, Page};
use leptos::prelude::*;

use crate::components::experiment::ExperimentPanel;
use crate::route::lesson_href;

/// One lesson.
#[component]
pub fn LessonPage(
    /// Every lesson page, in order (for previous/next).
    pages: Vec<Page>,
    /// Which one to show.
    index: usize,
    /// Query parameters of the URL (experiment state).
    query: Vec<(String, String)>,
) -> impl IntoView {
    let page = pages[index].clone();
    let prev = index
        .checked_sub(1)
        .and_then(|i| pages.get(i))
        .map(|p| (lesson_href(&p.entry.id), p.entry.lesson.title.clone()));
    let next = pages
        .get(index + 1)
        .map(|p| (lesson_href(&p.entry.id), p.entry.lesson.title.clone()));
    let lesson = page.entry.lesson.clone();
    let blocks = page
        .blocks
        .iter()
        .map(|b| match b {
            Block::Html(html) => view! { <div class="prose" inner_html=html.clone()></div> }.into_any(),
            Block::Experiment(id) => {
                let exp = lesson.experiments.iter().find(|x| &x.id == id).cloned();
                let scen = page.entry.scenarios.get(id).cloned();
                match (exp, scen) {
                    (Some(exp), Some(scen)) => view! { <ExperimentPanel experiment=exp scenario=scen query=query.clone()/> }.into_any(),
                    _ => view! { <p class="error">{format!("Experiment \u{201c}{id}\u{201d} is missing.")}</p> }.into_any(),
                }
            }
        })
        .collect_view();
    let notes = lesson
        .simplifications
        .iter()
        .map(|n| view! { <li>{n.clone()}</li> })
        .collect_view();
    let sources = lesson
        .sources
        .iter()
        .map(|s| view! { <li><a href=s.url.clone() rel="noreferrer" target="_blank">{s.title.clone()}</a></li> })
        .collect_view();
    view! {
        <article class="lesson">
            <p class="crumbs">
                <a href="#/">"Lessons"</a>
                {format!(" / Lesson {} of {} \u{00b7} {} min", index + 1, pages.len(), lesson.minutes)}
            </p>
            {blocks}
            <section class="notes">
                <h2>"What this model simplifies"</h2>
                <ul>{notes}</ul>
                <h2>"Sources"</h2>
                <ul>{sources}</ul>
            </section>
            <nav class="prev-next" aria-label="Lessons">
                {prev.map(|(href, t)| view! { <a class="prev" href=href>{format!("\u{2190} {t}")}</a> })}
                {next.map(|(href, t)| view! { <a class="next" href=href>{format!("{t} \u{2192}")}</a> })}
            </nav>
        </article>
    }
}
