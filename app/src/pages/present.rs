//! Instructor mode: a presenter layout (large type, the experiment full width, the lesson text
//! as speaker notes), a scene list to click through, keys to drive it, and a link that opens
//! the current scene on every attendee's machine.

use curriculum::{Block, Page};
use leptos::prelude::*;

use crate::app::{LessonsFailed, NotFound};
use crate::catalog::Lessons;
use crate::components::experiment::{ActiveExperiment, ExperimentPanel};
use crate::route;

/// One step of a presentation: an experiment with some knobs set.
#[derive(Debug, Clone, PartialEq)]
pub struct Scene {
    /// What the instructor reads in the list.
    pub title: String,
    /// The experiment.
    pub experiment: String,
    /// URL parameters that set its knobs (`<experiment>.<knob>=value`).
    pub query: Vec<(String, String)>,
}

/// The scenes of a lesson: each experiment as the file sets it, then each bet's reveal, then
/// the challenge's solution. Lessons need no extra authoring to be presented.
pub fn scenes(page: &Page) -> Vec<Scene> {
    let l = &page.lesson;
    let knobs = |exp: &str, set: &std::collections::BTreeMap<String, serde_json::Value>| {
        set.iter()
            .map(|(k, v)| {
                (
                    format!("{exp}.{k}"),
                    match v {
                        serde_json::Value::String(s) => s.clone(),
                        // As a lesson's own links write it (`components::experiment::url`).
                        other => crate::format::json(other).unwrap_or_default(),
                    },
                )
            })
            .collect::<Vec<_>>()
    };
    let mut out: Vec<Scene> = l
        .experiments
        .iter()
        .map(|x| Scene {
            title: x.title.clone(),
            experiment: x.id.clone(),
            query: vec![],
        })
        .collect();
    for p in &l.predictions {
        out.push(Scene {
            title: format!("The bet: {}", p.question),
            experiment: p.experiment.clone(),
            query: knobs(&p.experiment, &p.set),
        });
    }
    if let Some(c) = &l.challenge {
        out.push(Scene {
            title: format!("Challenge solved: {}", c.goal),
            experiment: c.experiment.clone(),
            query: knobs(&c.experiment, &c.solution),
        });
    }
    out
}

fn scene_link(base: &str, scene: &Scene) -> String {
    let q: Vec<String> = scene
        .query
        .iter()
        .map(|(k, v)| format!("{}={}", route::encode(k), route::encode(v)))
        .collect();
    if q.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", q.join("&"))
    }
}

/// Instructor mode at `#/present/<lesson>`, in the on-demand module: it reads the lessons
/// itself (`lessons.bin`, which the app has already fetched, so it comes from the cache).
#[component]
pub fn PresentRoute(
    /// The lesson's id.
    lesson: String,
    /// URL query parameters (`scene`, from 1).
    query: Vec<(String, String)>,
) -> impl IntoView {
    let lessons = RwSignal::new(Lessons::Loading);
    crate::catalog::fetch_into(lessons);
    let retry = Callback::new(move |()| crate::catalog::fetch_into(lessons));
    move || lesson_or_why(lessons.get(), &lesson, &query, retry)
}

/// The presenter view once the lessons are read, or why there is none.
fn lesson_or_why(
    lessons: Lessons,
    lesson: &str,
    query: &[(String, String)],
    retry: Callback<()>,
) -> AnyView {
    match lessons {
        Lessons::Loading => view! {
            <p class="loading" role="status" data-testid="lessons-loading">"Loading the lessons\u{2026}"</p>
        }
        .into_any(),
        Lessons::Failed(e) => view! { <LessonsFailed error=e retry=retry/> }.into_any(),
        Lessons::Ready(all) => match all.into_iter().find(|p| p.id == lesson) {
            Some(page) => view! { <PresentPage page=page query=query.to_vec()/> }.into_any(),
            None => {
                let what = format!("There is no lesson called \u{201c}{lesson}\u{201d} to present.");
                view! { <NotFound what=what/> }.into_any()
            }
        },
    }
}

/// The presenter view of one lesson.
#[component]
pub fn PresentPage(
    /// The lesson.
    page: Page,
    /// URL query parameters (`scene`, from 1).
    query: Vec<(String, String)>,
) -> impl IntoView {
    let all = scenes(&page);
    let count = all.len();
    let start = query
        .iter()
        .find(|(k, _)| k == "scene")
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .filter(|n| (1..=count).contains(n))
        .unwrap_or(1);
    let scene = RwSignal::new(start - 1);
    let resets = RwSignal::new(0u32);
    let scenes_v = StoredValue::new(all);
    let page_v = StoredValue::new(page.clone());
    let id = page.id.clone();
    provide_context(ActiveExperiment(RwSignal::new(None)));
    // The URL names the scene, so a reload or a shared link opens it again.
    {
        let id = id.clone();
        Effect::new(move |_| {
            let url = format!("#/present/{id}?scene={}", scene.get() + 1);
            if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
                let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
            }
        });
    }
    let go = move |i: isize| {
        let n = count as isize;
        scene.set(((scene.get_untracked() as isize + i).rem_euclid(n.max(1))) as usize);
    };
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        let in_field = ev
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
            .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA"));
        if in_field || ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
            return;
        }
        match ev.key().as_str() {
            "n" | "PageDown" => go(1),
            "p" | "PageUp" => go(-1),
            "r" => resets.update(|r| *r += 1),
            d if d.len() == 1 && d.as_bytes()[0].is_ascii_digit() && d != "0" => {
                let i = usize::from(d.as_bytes()[0] - b'1');
                if i < count {
                    scene.set(i);
                }
            }
            _ => {}
        }
    });
    on_cleanup(move || keys.remove());
    let base = {
        let loc = web_sys::window().map(|w| w.location());
        let origin = loc.as_ref().and_then(|l| l.href().ok()).unwrap_or_default();
        let origin = origin.split('#').next().unwrap_or_default().to_string();
        format!("{origin}{}", route::lesson_href(&id))
    };
    let base = StoredValue::new(base);
    let attendee_link = move || {
        scenes_v.with_value(|s| {
            s.get(scene.get())
                .map(|sc| scene_link(&base.get_value(), sc))
                .unwrap_or_default()
        })
    };
    let notes = page
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Html(h) => Some(view! { <div class="prose" inner_html=h.clone()></div> }),
            Block::Experiment(_) => None,
        })
        .collect_view();
    let list = move || {
        scenes_v.with_value(|s| {
            s.iter()
                .enumerate()
                .map(|(i, sc)| {
                    let here = move || scene.get() == i;
                    view! {
                        <li>
                            <button type="button" class:here=here aria-current=move || here().then_some("step") on:click=move |_| scene.set(i)>
                                <kbd>{(i + 1).to_string()}</kbd>" "{sc.title.clone()}
                            </button>
                        </li>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <div class="present" data-testid="present">
            <header class="present-head">
                <h1>{page.lesson.title.clone()}</h1>
                <p class="muted">{move || format!("Scene {} of {count}", scene.get() + 1)}
                    " \u{00b7} "<kbd>"N"</kbd>" next, "<kbd>"P"</kbd>" previous, "<kbd>"1"</kbd>"\u{2013}"<kbd>"9"</kbd>" jump, "<kbd>"R"</kbd>" reset, "<kbd>"Space"</kbd>" play, "<kbd>"\u{2190}"</kbd><kbd>"\u{2192}"</kbd>" step"
                </p>
            </header>
            <div class="present-grid">
                <div class="present-stage">
                    {move || {
                        let _ = resets.get();
                        let sc = scenes_v.with_value(|s| s.get(scene.get()).cloned());
                        let p = page_v.get_value();
                        sc.and_then(|sc| {
                            let exp = p.lesson.experiments.iter().find(|x| x.id == sc.experiment).cloned()?;
                            let scen = p.scenarios.get(&sc.experiment).cloned()?;
                            Some(view! {
                                <ExperimentPanel lesson_id=p.id.clone() experiment=exp scenario=scen query=sc.query predictions=vec![] challenge=None/>
                            })
                        })
                    }}
                </div>
                <aside class="present-side">
                    <h2>"Scenes"</h2>
                    <ol class="scenes" data-testid="scenes">{list}</ol>
                    <h2>"Give attendees this link"</h2>
                    <input type="text" readonly class="attendee-link" data-testid="attendee-link" prop:value=attendee_link aria-label="Link to this scene for attendees"/>
                    <details class="speaker-notes">
                        <summary>"Speaker notes"</summary>
                        {notes}
                    </details>
                </aside>
            </div>
        </div>
    }
}
