//! One module per page.

pub mod embed;
pub mod home;
pub mod lab;
pub mod lesson;
pub mod present;
pub mod reference;
pub mod validation;
pub mod your_function;
