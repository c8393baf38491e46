//! The on-demand pages (the lab, "your own function", the validation, the field reference,
//! instructor mode): a wasm module the app loads the first time one of them is opened
//! (`app::pages::host`), so that the app's own module stays small. It exports `mount` and
//! `unmount`.

use std::cell::RefCell;
use std::collections::HashMap;

use wasm_bindgen::prelude::*;

thread_local! {
    /// The mounted pages by id; dropping a handle unmounts its page.
    static MOUNTED: RefCell<HashMap<u32, Box<dyn std::any::Any>>> = RefCell::new(HashMap::new());
    static NEXT: std::cell::Cell<u32> = const { std::cell::Cell::new(1) };
}

fn main() {
    app::panic::install();
}

/// Mounts the page of `hash` (the location hash) into `parent`; returns its id for [`unmount`].
#[wasm_bindgen]
pub fn mount(parent: web_sys::HtmlElement, hash: String) -> u32 {
    let handle = leptos::mount::mount_to(parent, move || app::pages::on_demand::page(&hash));
    let id = NEXT.replace(NEXT.get() + 1);
    MOUNTED.with_borrow_mut(|m| m.insert(id, Box::new(handle)));
    id
}

/// Unmounts a page mounted by [`mount`], with its effects and runs.
#[wasm_bindgen]
pub fn unmount(id: u32) {
    let handle = MOUNTED.with_borrow_mut(|m| m.remove(&id));
    drop(handle);
}
