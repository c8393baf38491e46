//! What the page shows when the UI itself panics: a panel that says so and offers a reload, in
//! place of a dead page. Both of the UI's modules (the app and its on-demand pages) install it.

use wasm_bindgen::JsCast;

/// Logs a panic to the console and shows the "something broke" panel.
pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        show_broken_panel();
    }));
}

/// After a panic the app no longer answers: say so on the page, in place of a dead page, with
/// a way out. Work is kept: progress is saved as it changes and a lab scenario is in the URL.
fn show_broken_panel() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(body) = document.body() else {
        return;
    };
    if document.get_element_by_id("broken").is_some() {
        return;
    }
    let Ok(panel) = document.create_element("div") else {
        return;
    };
    panel.set_id("broken");
    panel.set_class_name("broken-panel");
    let _ = panel.set_attribute("role", "alert");
    let _ = panel.set_attribute("data-testid", "broken-panel");
    panel.set_inner_html(
        "<h2>Something broke</h2><p>Lambda Lab hit a bug and stopped answering. Reloading keeps your work: your progress is saved as you go, and a lab scenario is kept in the address.</p><p><button type=\"button\" class=\"primary\">Reload</button></p>",
    );
    if let Ok(Some(button)) = panel.query_selector("button") {
        let reload = wasm_bindgen::closure::Closure::once_into_js(|| {
            if let Some(w) = web_sys::window() {
                let _ = w.location().reload();
            }
        });
        let _ = button.add_event_listener_with_callback("click", reload.unchecked_ref());
    }
    let _ = body.append_child(&panel);
}
