//! Where the app shows a page of the on-demand module (`pages`, see [`super::on_demand`]).
//!
//! The module is fetched and started the first time such a page is opened (`boot.js` holds the
//! one dynamic `import`, so a second page waits for the same load), then asked to mount the
//! page into a `<div>` of this one. Leaving the page unmounts it. A module that cannot be had
//! (offline before the app was saved, say) is named, with "Try again".

use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::route::Route;

/// The global function `boot.js` defines: loads and starts `pages.js` once, and resolves to
/// its exports.
const LOADER: &str = "lambdaLabPages";

/// What the learner is waiting for, in words: as in "Loading the lab" and at the start of a
/// sentence.
fn title(route: &Route) -> (&'static str, &'static str) {
    match route {
        Route::Lab => ("the lab", "The lab"),
        Route::YourFunction => (
            "\u{201c}Your own function\u{201d}",
            "\u{201c}Your own function\u{201d}",
        ),
        Route::Validation => ("the validation", "The validation"),
        Route::Present { .. } => ("the presenter view", "The presenter view"),
        _ => ("the field reference", "The field reference"),
    }
}

/// The page's exports, once loaded and started.
async fn exports() -> Result<JsValue, String> {
    let window = web_sys::window().ok_or("no window")?;
    let load: js_sys::Function = js_sys::Reflect::get(&window, &LOADER.into())
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or("boot.js did not set up the loader")?;
    let promise: js_sys::Promise = load
        .call0(&JsValue::NULL)
        .ok()
        .and_then(|p| p.dyn_into().ok())
        .ok_or("the loader did not start")?;
    JsFuture::from(promise).await.map_err(|e| {
        let why = js_sys::Reflect::get(&e, &"message".into())
            .ok()
            .and_then(|m| m.as_string())
            .or_else(|| e.as_string())
            .unwrap_or_else(|| "no reason given".into());
        engine::clip::message(&why)
    })
}

/// Calls one export of the module.
fn call(exports: &JsValue, name: &str, args: &[&JsValue]) -> Result<JsValue, String> {
    let f: js_sys::Function = js_sys::Reflect::get(exports, &name.into())
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or_else(|| format!("pages.js has no `{name}`"))?;
    let out = match args {
        [a, b] => f.call2(&JsValue::NULL, a, b),
        [a] => f.call1(&JsValue::NULL, a),
        _ => f.call0(&JsValue::NULL),
    };
    out.map_err(|_| format!("pages.js: `{name}` failed"))
}

/// A page of the on-demand module, mounted here.
#[component]
pub fn PageHost(
    /// Which page.
    route: Route,
) -> impl IntoView {
    let (what, what_capital) = title(&route);
    let host = NodeRef::<leptos::html::Div>::new();
    // None while loading; Some(Ok) once mounted; Some(Err) when the module could not be had.
    let state = RwSignal::new(None::<Result<(), String>>);
    // The module's exports and the id of the mounted page, to unmount it on leaving.
    let mounted = StoredValue::new(SendWrapper::new(None::<(JsValue, JsValue)>));
    let load = move || {
        state.set(None);
        leptos::task::spawn_local(async move {
            let result = match exports().await {
                Ok(exports) => {
                    // The learner may have left while it loaded: then there is nowhere to mount.
                    let Some(el) = host.try_get_untracked().flatten() else {
                        return;
                    };
                    let el: &web_sys::HtmlElement = &el;
                    let hash = web_sys::window()
                        .and_then(|w| w.location().hash().ok())
                        .unwrap_or_default();
                    call(&exports, "mount", &[el.as_ref(), &JsValue::from_str(&hash)]).map(|id| {
                        mounted.try_update_value(|m| **m = Some((exports, id)));
                    })
                }
                Err(e) => Err(e),
            };
            state.try_set(Some(result));
        });
    };
    Effect::new(move |started: Option<bool>| {
        if started == Some(true) {
            return true;
        }
        let ready = host.get().is_some();
        if ready {
            load();
        }
        ready
    });
    on_cleanup(move || {
        if let Some(Some((exports, id))) = mounted.try_update_value(|m| (**m).take()) {
            let _ = call(&exports, "unmount", &[&id]);
        }
    });
    view! {
        {move || match state.get() {
            None => Some(view! {
                <p class="loading" role="status" data-testid="page-loading">"Loading " {what} "\u{2026}"</p>
            }.into_any()),
            Some(Err(e)) => Some(view! {
                <section class="not-found" role="alert" data-testid="page-failed">
                    <h1>{what_capital} " could not be loaded"</h1>
                    <p>{e}</p>
                    <p>"It is loaded the first time it is opened: check the connection and try again."</p>
                    <p>
                        <button type="button" class="primary" on:click=move |_| load()>"Try again"</button>
                        " or go "<a href="#/">"back to the lessons"</a>"."
                    </p>
                </section>
            }.into_any()),
            Some(Ok(())) => None,
        }}
        <div class="page-host" node_ref=host></div>
    }
}
