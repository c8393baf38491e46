//! The shell: header, hash router, progress and theme, the keyboard help, the footer.

use curriculum::Page;
use leptos::prelude::*;

use crate::catalog::Lessons;

use crate::pages::{embed::EmbedPage, home::Home, host::PageHost, lesson::LessonPage};
use crate::progress;
use crate::route::{Location, Route};
use crate::theme::{self, ThemeToggle};

fn current_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    theme::provide();
    let (hash, set_hash) = signal(current_hash());
    let handle = window_event_listener(leptos::ev::hashchange, move |_| {
        set_hash.set(current_hash())
    });
    on_cleanup(move || handle.remove());
    // Only the route part decides which page is mounted; the query is read once by each page,
    // so an experiment writing its own state into the URL never re-mounts itself.
    let route = Memo::new(move |_| Location::parse(&hash.get()).route);
    // The lessons come from `lessons.bin`; the pages that need them wait for it, the others
    // (the lab, the validation, your own function) do not.
    let lessons = RwSignal::new(Lessons::Loading);
    let fetch_lessons = move || crate::catalog::fetch_into(lessons);
    fetch_lessons();

    let (loaded, problem) = progress::load();
    let progress = RwSignal::new(loaded);
    provide_context(progress);
    let problem =
        RwSignal::new(problem.map(|p| format!("Your progress could not be loaded: {p}.")));
    Effect::new(move |prev: Option<()>| {
        let p = progress.get();
        // The first run only reads: it must not overwrite anything before the learner acts.
        if prev.is_some() {
            if let Err(e) = progress::save(&p) {
                problem.set(Some(e));
            }
        }
    });

    let is_embed = Memo::new(move |_| matches!(route.get(), Route::Embed { .. }));
    // The full app inside someone else's frame offers to open in its own tab instead.
    let framed = web_sys::window().is_some_and(|w| {
        let me: &wasm_bindgen::JsValue = w.as_ref();
        w.top().ok().flatten().is_some_and(|top| {
            let top: &wasm_bindgen::JsValue = top.as_ref();
            top != me
        })
    });
    let (help, set_help) = signal(false);
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        let in_field = ev
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
            .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA"));
        match ev.key().as_str() {
            "?" if !in_field => set_help.update(|h| *h = !*h),
            "Escape" => set_help.set(false),
            _ => {}
        }
    });
    on_cleanup(move || keys.remove());

    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        {move || (!is_embed.get()).then(|| view! {
        <header class="site-header">
            <a class="brand" href="#/">
                <span class="brand-mark" aria-hidden="true">"λ"</span>
                " Lambda Lab"
            </a>
            <span class="tagline">"See how AWS Lambda really behaves"</span>
            <nav class="header-nav" aria-label="Sections">
                <a href="#/">"Lessons"</a>
                <a href="#/lab">"Lab"</a>
                <a href="#/validation">"Validation"</a>
            </nav>
            <span class="header-actions">
                <button type="button" class="link-button" on:click=move |_| set_help.set(true) aria-haspopup="dialog">"Shortcuts (?)"</button>
                <ThemeToggle/>
            </span>
        </header>
        })}
        {move || (framed && !is_embed.get()).then(|| view! {
            <div class="notice banner" role="status" data-testid="framed">
                "Lambda Lab is cramped in a frame. "
                <a href=move || web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_default() target="_blank" rel="noopener">"Open it in its own tab \u{2197}"</a>
            </div>
        })}
        <crate::runner::EngineNotice/>
        {move || problem.get().map(|p| view! {
            <div class="notice banner" role="alert" data-testid="progress-problem">
                {p}
                " "
                <button type="button" class="link-button" on:click=move |_| problem.set(None)>"Dismiss"</button>
            </div>
        })}
        <main id="main" tabindex="-1">
            {move || {
                let loc = Location::parse(&hash.get_untracked());
                let route = route.get();
                if matches!(route, Route::Home | Route::Lesson { .. } | Route::Embed { .. }) {
                    match lessons.get() {
                        Lessons::Ready(all) => return lesson_route(route, all, loc.query).into_any(),
                        Lessons::Loading => return view! {
                            <p class="loading" role="status" data-testid="lessons-loading">"Loading the lessons\u{2026}"</p>
                        }.into_any(),
                        Lessons::Failed(e) => return view! {
                            <LessonsFailed error=e retry=Callback::new(move |()| fetch_lessons())/>
                        }.into_any(),
                    }
                }
                match route {
                    // These pages are a wasm module of their own, loaded the first time one is opened.
                    Route::Validation | Route::Lab | Route::Reference | Route::YourFunction | Route::Present { .. } => view! { <PageHost route=route/> }.into_any(),
                    Route::NotFound(path) => view! { <NotFound what=format!("There is no page at \u{201c}{path}\u{201d}.")/> }.into_any(),
                    Route::Home | Route::Lesson { .. } | Route::Embed { .. } => ().into_any(),
                }
            }}
        </main>
        {move || help.get().then(|| view! {
            <div class="overlay" on:click=move |_| set_help.set(false)>
                <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="help-title" on:click=|ev| ev.stop_propagation()>
                    <h2 id="help-title">"Keyboard shortcuts"</h2>
                    <dl class="keys">
                        <dt><kbd>"Space"</kbd></dt><dd>"Play or pause the experiment"</dd>
                        <dt><kbd>"\u{2192}"</kbd>" "<kbd>"\u{2190}"</kbd></dt><dd>"Step one event forward or back"</dd>
                        <dt><kbd>"Home"</kbd>" "<kbd>"End"</kbd></dt><dd>"Go to the start or the end of the run"</dd>
                        <dt><kbd>"Tab"</kbd></dt><dd>"Move between controls; arrows change a slider"</dd>
                        <dt><kbd>"?"</kbd></dt><dd>"Show or hide this list"</dd>
                        <dt><kbd>"Esc"</kbd></dt><dd>"Close it"</dd>
                    </dl>
                    <button type="button" class="primary" on:click=move |_| set_help.set(false) autofocus>"Close"</button>
                </div>
            </div>
        })}
        {move || (!is_embed.get()).then(|| view! {
            <footer class="site-footer">
                "Everything here is simulated in your browser by a deterministic model; no request leaves the page. "
                <a href="#/validation">"How faithful is this model?"</a>
            </footer>
        })}
    }
}

/// The page of a route that shows lessons, once they are loaded.
fn lesson_route(route: Route, all: Vec<Page>, query: Vec<(String, String)>) -> impl IntoView {
    match route {
        Route::Lesson { id } => match all.iter().position(|p| p.id == id) {
            Some(i) => view! { <LessonPage pages=all index=i query=query/> }.into_any(),
            None => view! { <NotFound what=format!("There is no lesson called \u{201c}{id}\u{201d}.")/> }.into_any(),
        },
        Route::Embed { lesson, experiment } => match all.into_iter().find(|p| p.id == lesson) {
            Some(page) => view! { <EmbedPage page=page experiment=experiment query=query/> }.into_any(),
            None => view! { <NotFound what=format!("There is no lesson called \u{201c}{lesson}\u{201d} to embed.")/> }.into_any(),
        },
        _ => view! { <Home pages=all/> }.into_any(),
    }
}

/// What a page that needs the lessons shows when `lessons.bin` cannot be had or read: why,
/// with "Try again".
#[component]
pub fn LessonsFailed(
    /// Why, in words.
    error: String,
    /// Fetches the lessons again.
    retry: Callback<()>,
) -> impl IntoView {
    view! {
        <section class="not-found" role="alert" data-testid="lessons-failed">
            <h1>"The lessons could not be loaded"</h1>
            <p>{error}</p>
            <p>
                <button type="button" class="primary" on:click=move |_| retry.run(())>"Try again"</button>
                " or open "<a href="#/lab">"the lab"</a>", which needs no lesson."
            </p>
        </section>
    }
}

/// A page for a route that does not exist, with the way back.
#[component]
pub fn NotFound(
    /// What was not found, in words.
    what: String,
) -> impl IntoView {
    view! {
        <section class="not-found" role="alert">
            <h1>"Not found"</h1>
            <p>{engine::clip::message(&what)}</p>
            <p><a href="#/">"Back to the lessons"</a></p>
        </section>
    }
}
