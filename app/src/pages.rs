//! One module per page.
//!
//! The lab, "your own function", the validation, the field reference and instructor mode are
//! not in the app's wasm: the `pages` binary holds them ([`on_demand`]), and the app loads it
//! the first time one of them is opened ([`host`]).

pub mod embed;
pub mod home;
pub mod host;
pub mod lab;
pub mod lesson;
pub mod on_demand;
pub mod present;
pub mod reference;
pub mod validation;
pub mod your_function;
