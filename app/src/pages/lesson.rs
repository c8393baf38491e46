//! A lesson page: a table of contents, the text with its experiments inline, the bets and the
//! challenge, the model's simplifications and sources, previous/next.

use curriculum::{Block, Page};
use leptos::prelude::*;

use crate::components::experiment::{ActiveExperiment, ExperimentPanel};
use crate::progress::Progress;
use crate::route::lesson_href;

/// One lesson.
#[component]
pub fn LessonPage(
    /// Every lesson page, in order (for the contents and previous/next).
    pages: Vec<Page>,
    /// Which one to show.
    index: usize,
    /// Query parameters of the URL (experiment state).
    query: Vec<(String, String)>,
) -> impl IntoView {
    let page = pages[index].clone();
    let id = page.id.clone();
    let progress = use_context::<RwSignal<Progress>>();
    if let Some(p) = progress {
        if !p.with_untracked(|p| p.lessons.get(&id).is_some_and(|l| l.visited)) {
            p.update(|p| p.lesson_mut(&id).visited = true);
        }
    }
    provide_context(ActiveExperiment(RwSignal::new(None)));
    if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
        doc.set_title(&format!("{} \u{2014} Lambda Lab", page.lesson.title));
    }
    let prev = index
        .checked_sub(1)
        .and_then(|i| pages.get(i))
        .map(|p| (lesson_href(&p.id), p.lesson.title.clone()));
    let next = pages
        .get(index + 1)
        .map(|p| (lesson_href(&p.id), p.lesson.title.clone()));
    let lesson = page.lesson.clone();
    // The page in steps: each experiment with the text around it (the text before the first
    // one, and the text after each until the next), so that on a wide screen an experiment
    // stays beside its own text, and on a narrow one everything reads in order.
    // A new section (an `<h2>`) in the text between two experiments starts the next step.
    let mut steps: Vec<Vec<AnyView>> = vec![Vec::new()];
    // The text first: the experiments (knobs, charts, bets: most of the page's work) are built
    // just after the text is painted, so a lesson opened from a link is readable at once.
    let experiments_ready = RwSignal::new(false);
    request_animation_frame(move || {
        set_timeout(
            move || {
                experiments_ready.try_set(true);
            },
            std::time::Duration::ZERO,
        )
    });
    let mut has_experiment = false;
    let prose =
        |html: &str| view! { <div class="prose" inner_html=html.to_string()></div> }.into_any();
    for (i, b) in page.blocks.iter().enumerate() {
        match b {
            Block::Html(html) => {
                let more = page.blocks[i + 1..]
                    .iter()
                    .any(|b| matches!(b, Block::Experiment(_)));
                let split = if has_experiment && more {
                    html.rfind("<h2")
                } else {
                    None
                };
                match split {
                    Some(at) => {
                        if at > 0 {
                            if let Some(step) = steps.last_mut() {
                                step.push(prose(&html[..at]));
                            }
                        }
                        steps.push(vec![prose(&html[at..])]);
                        has_experiment = false;
                    }
                    None => {
                        if let Some(step) = steps.last_mut() {
                            step.push(prose(html));
                        }
                    }
                }
            }
            Block::Experiment(xid) => {
                if has_experiment {
                    steps.push(Vec::new());
                }
                has_experiment = true;
                let exp = lesson.experiments.iter().find(|x| &x.id == xid).cloned();
                let scen = page.scenarios.get(xid).cloned();
                let predictions: Vec<_> = lesson
                    .predictions
                    .iter()
                    .filter(|p| &p.experiment == xid)
                    .cloned()
                    .collect();
                let challenge = lesson.challenge.clone().filter(|c| &c.experiment == xid);
                let panel = match (exp, scen) {
                    (Some(exp), Some(scen)) => {
                        let (lesson_id, query) = (id.clone(), query.clone());
                        let title = exp.title.clone();
                        view! {
                            {move || if experiments_ready.get() {
                                view! {
                                    <ExperimentPanel lesson_id=lesson_id.clone() experiment=exp.clone() scenario=scen.clone() query=query.clone()
                                        predictions=predictions.clone() challenge=challenge.clone()/>
                                }
                                .into_any()
                            } else {
                                view! {
                                    <section class="experiment experiment-loading" aria-busy="true">
                                        <h2 class="experiment-title">{title.clone()}</h2>
                                    </section>
                                }
                                .into_any()
                            }}
                        }
                        .into_any()
                    }
                    _ => view! { <p class="error">{format!("Experiment \u{201c}{xid}\u{201d} is missing.")}</p> }.into_any(),
                };
                if let Some(step) = steps.last_mut() {
                    step.push(panel);
                }
            }
        }
    }
    let blocks = steps
        .into_iter()
        .map(|step| view! { <div class="step">{step}</div> })
        .collect_view();
    let notes = lesson
        .simplifications
        .iter()
        .map(|n| view! { <li>{n.clone()}</li> })
        .collect_view();
    let sources = lesson
        .sources
        .iter()
        .map(|s| view! { <li><a href=s.url.clone() rel="noreferrer noopener" target="_blank">{s.title.clone()}</a></li> })
        .collect_view();
    let toc = pages
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let here = i == index;
            let done_id = StoredValue::new(p.id.clone());
            let has_challenge = p.lesson.challenge.is_some();
            let done = move || {
                progress
                    .is_some_and(|pr| pr.with(|pr| pr.done(&done_id.get_value(), has_challenge)))
            };
            view! {
                <li class:here=here class:done=done>
                    <a href=lesson_href(&p.id) aria-current=here.then_some("page")>
                        <span class="toc-number">{format!("{:02}", i + 1)}</span>
                        {p.lesson.title.clone()}
                    </a>
                    <span class="meta">{format!("{} min", p.lesson.minutes)}</span>
                </li>
            }
        })
        .collect_view();
    view! {
        <div class="lesson-layout">
            <nav class="toc" aria-label="Lessons">
                <details>
                    <summary>{format!("All {} lessons", pages.len())}</summary>
                    <ol>{toc}</ol>
                </details>
            </nav>
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
                <nav class="prev-next" aria-label="Previous and next lesson">
                    {prev.map(|(href, t)| view! { <a class="prev" href=href>{format!("\u{2190} {t}")}</a> })}
                    {next.map(|(href, t)| view! { <a class="next" href=href>{format!("{t} \u{2192}")}</a> })}
                </nav>
            </article>
        </div>
    }
}
