//! An embedded experiment: one experiment with minimal chrome, for an `<iframe>` in a blog post.
//! It tells its host page its height (`postMessage`), takes its theme from a `theme` parameter or
//! the system, keeps its state in the URL like everywhere else, and links to the full lesson.

use curriculum::Page;
use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use crate::components::experiment::{ActiveExperiment, ExperimentPanel};
use crate::route;
use crate::theme::{Choice, ThemeCtx};

/// Posts `{type: "lambda-lab:resize", height}` to the host page whenever the content's height changes.
fn report_height() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Some(body) = window.document().and_then(|d| d.body()) else {
        return;
    };
    let send = move || {
        let Some(w) = web_sys::window() else { return };
        let Some(b) = w.document().and_then(|d| d.document_element()) else {
            return;
        };
        let msg = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&msg, &"type".into(), &"lambda-lab:resize".into());
        let _ = js_sys::Reflect::set(&msg, &"height".into(), &f64::from(b.scroll_height()).into());
        if let Ok(Some(parent)) = w.parent() {
            let _ = parent.post_message(&msg, "*");
        }
    };
    send();
    let callback = Closure::<dyn FnMut(js_sys::Array)>::new(move |_entries: js_sys::Array| send());
    if let Ok(observer) = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()) {
        observer.observe(&body);
    }
    // The observer lives as long as the page.
    callback.forget();
}

/// The embed page for one experiment of one lesson.
#[component]
pub fn EmbedPage(
    /// The lesson.
    page: Page,
    /// The experiment's id.
    experiment: String,
    /// URL query parameters (experiment state and `theme`).
    query: Vec<(String, String)>,
) -> impl IntoView {
    // Its own: never one left by the page the route came from.
    provide_context(ActiveExperiment(RwSignal::new(None)));
    if let Some(theme) = use_context::<ThemeCtx>() {
        // An embed follows its host: a theme parameter, else the system; never remembered.
        theme.persist.set(false);
        let choice = match query
            .iter()
            .find(|(k, _)| k == "theme")
            .map(|(_, v)| v.as_str())
        {
            Some("dark") => Choice::Dark,
            Some("light") => Choice::Light,
            _ => Choice::System,
        };
        theme.choice.set(choice);
    }
    report_height();
    let lesson_id = page.id.clone();
    let exp = page
        .lesson
        .experiments
        .iter()
        .find(|x| x.id == experiment)
        .cloned();
    let scenario = page.scenarios.get(&experiment).cloned();
    let state: Vec<String> = query
        .iter()
        .filter(|(k, _)| k.starts_with(&format!("{experiment}.")))
        .map(|(k, v)| format!("{}={}", route::encode(k), route::encode(v)))
        .collect();
    let full = format!(
        "index.html{}{}",
        route::lesson_href(&lesson_id),
        if state.is_empty() {
            String::new()
        } else {
            format!("?{}", state.join("&"))
        }
    );
    match (exp, scenario) {
        (Some(exp), Some(scen)) => view! {
            <div class="embed">
                <ExperimentPanel lesson_id=lesson_id experiment=exp scenario=scen query=query predictions=vec![] challenge=None/>
                <p class="embed-footer">
                    <a href=full target="_blank" rel="noopener">"Open in Lambda Lab \u{2197}"</a>
                    <span class="muted">" \u{00b7} simulated in your browser"</span>
                </p>
            </div>
        }
        .into_any(),
        _ => view! {
            <p class="notice" role="alert">{format!("This embed points to an experiment \u{201c}{experiment}\u{201d} that lesson \u{201c}{lesson_id}\u{201d} does not have.")}</p>
        }
        .into_any(),
    }
}
