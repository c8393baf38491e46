//! Lambda Lab's entry point: installs the panic hook, mounts the app, registers the service worker.

use app::App;

fn main() {
    app::panic::install();
    leptos::mount::mount_to_body(App);
    register_service_worker();
}

/// Registers `sw.js`, which makes every later visit work offline. Only over http(s), and only
/// where the browser has service workers (not in insecure contexts).
fn register_service_worker() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let protocol = window.location().protocol().unwrap_or_default();
    let navigator = window.navigator();
    let has = js_sys::Reflect::has(&navigator, &"serviceWorker".into()).unwrap_or(false);
    if has && (protocol == "http:" || protocol == "https:") {
        let _ = navigator.service_worker().register("sw.js");
    }
}
