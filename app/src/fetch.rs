//! Files the app fetches from beside itself (the lessons, the example log): served with the
//! app, and cached by the service worker for offline use.

use wasm_bindgen::JsCast;

/// The text of the file at `url` (relative to the page); `what` names it in errors, e.g.
/// "the example log".
pub async fn text(url: &str, what: &str) -> Result<String, String> {
    let response = get(url, what).await?;
    let text = response
        .text()
        .map_err(|_| format!("{what} could not be read"))?;
    wasm_bindgen_futures::JsFuture::from(text)
        .await
        .ok()
        .and_then(|v| v.as_string())
        .ok_or_else(|| format!("{what} could not be read as text"))
}

/// The bytes of the file at `url` (relative to the page); `what` names it in errors.
pub async fn bytes(url: &str, what: &str) -> Result<Vec<u8>, String> {
    let response = get(url, what).await?;
    let buffer = response
        .array_buffer()
        .map_err(|_| format!("{what} could not be read"))?;
    wasm_bindgen_futures::JsFuture::from(buffer)
        .await
        .map(|b| js_sys::Uint8Array::new(&b).to_vec())
        .map_err(|_| format!("{what} could not be read"))
}

/// The response for `url`, when it is a success.
async fn get(url: &str, what: &str) -> Result<web_sys::Response, String> {
    let window = web_sys::window().ok_or("no window")?;
    let response = wasm_bindgen_futures::JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|_| format!("{what} could not be loaded (offline before the app was saved?)"))?;
    let response: web_sys::Response = response
        .dyn_into()
        .map_err(|_| format!("{what}: not a response"))?;
    if !response.ok() {
        return Err(format!(
            "{what} could not be loaded (HTTP {})",
            response.status()
        ));
    }
    Ok(response)
}
