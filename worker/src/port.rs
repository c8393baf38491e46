//! The worker's end of the page's messages, shared by both workers (wasm only): the worker's
//! global scope, posting a response, and listening for requests.

use bridge::{Request, Response};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

/// The worker's global scope.
pub fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// Posts a message to the page, in postcard ([`bridge::encode`]); its buffer is transferred,
/// not copied.
pub fn post(message: &Response) {
    let bytes = js_sys::Uint8Array::from(bridge::encode(message).as_slice());
    let transfer = js_sys::Array::of1(&bytes.buffer());
    let _ = scope().post_message_with_transfer(&bytes, &transfer);
}

/// Starts the worker: installs the panic hook, hands each request read to `accept` (a message
/// that cannot be read is answered `Failed`), then tells the page it is ready.
pub fn listen(accept: impl Fn(Request) + 'static) {
    console_error_panic_hook::set_once();
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
        let Some(text) = event.data().as_string() else {
            return;
        };
        match bridge::read::<Request>(&text) {
            Ok(request) => accept(request),
            Err(error) => post(&Response::Failed { id: 0, error }),
        }
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The worker lives as long as the page keeps it: its handler is never dropped.
    on_message.forget();
    post(&Response::Ready);
}
