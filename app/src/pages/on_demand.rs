//! The pages that lessons do not need, as the `pages` binary shows them: the lab, "your own
//! function", the validation, the field reference and instructor mode.
//!
//! They are a wasm module of their own so that a learner who only reads lessons never loads
//! them (the app's module is that much smaller). The app mounts one into its page through
//! [`super::host`]; this module has its own runs (and so its own engine worker), its own
//! notice when that worker dies, and follows the app's theme.

use leptos::prelude::*;

use crate::pages::{
    lab::Lab, present::PresentRoute, reference::Reference, validation::Validation,
    your_function::YourFunction,
};
use crate::route::{Location, Route};
use crate::runner::EngineNotice;

/// The page at `hash` (a location hash such as `#/lab?s=...`), with the engine's notice above it.
pub fn page(hash: &str) -> impl IntoView {
    crate::theme::follow();
    let loc = Location::parse(hash);
    let page = match loc.route {
        Route::Lab => view! { <Lab query=loc.query/> }.into_any(),
        Route::YourFunction => view! { <YourFunction/> }.into_any(),
        Route::Validation => view! { <Validation/> }.into_any(),
        Route::Reference => view! { <Reference/> }.into_any(),
        Route::Present { lesson } => {
            view! { <PresentRoute lesson=lesson query=loc.query/> }.into_any()
        }
        // The app only asks for the pages above.
        _ => ().into_any(),
    };
    view! {
        <EngineNotice/>
        {page}
    }
}
