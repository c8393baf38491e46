//! The shell: header, hash router and footer.

use leptos::prelude::*;

use crate::pages::{home::Home, lesson::LessonPage};
use crate::route::{Location, Route};

fn current_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    let (hash, set_hash) = signal(current_hash());
    let handle = window_event_listener(leptos::ev::hashchange, move |_| {
        set_hash.set(current_hash())
    });
    // The listener lives as long as the page.
    std::mem::forget(handle);
    let location = Memo::new(move |_| Location::parse(&hash.get()));
    let pages = StoredValue::new(crate::catalog::pages());

    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="site-header">
            <a class="brand" href="#/">
                <span class="brand-mark" aria-hidden="true">"λ"</span>
                " Lambda Lab"
            </a>
            <span class="tagline">"See how AWS Lambda really behaves"</span>
        </header>
        <main id="main" tabindex="-1">
            {move || {
                let loc = location.get();
                match loc.route {
                    Route::Home => view! { <Home pages=pages.get_value()/> }.into_any(),
                    Route::Lesson { id } => {
                        let all = pages.get_value();
                        match all.iter().position(|p| p.entry.id == id) {
                            Some(i) => view! { <LessonPage pages=all index=i query=loc.query/> }.into_any(),
                            None => view! { <NotFound what=format!("There is no lesson called \u{201c}{id}\u{201d}.")/> }.into_any(),
                        }
                    }
                    Route::NotFound(path) => view! { <NotFound what=format!("There is no page at \u{201c}{path}\u{201d}.")/> }.into_any(),
                }
            }}
        </main>
        <footer class="site-footer">
            "Everything here is simulated in your browser by a deterministic model; no request leaves the page."
        </footer>
    }
}

/// A page for a route that does not exist, with the way back.
#[component]
fn NotFound(
    /// What was not found, in words.
    what: String,
) -> impl IntoView {
    view! {
        <section class="not-found" role="alert">
            <h1>"Not found"</h1>
            <p>{what}</p>
            <p><a href="#/">"Back to the lessons"</a></p>
        </section>
    }
}
