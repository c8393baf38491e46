//! One module per page.

pub mod home;
pub mod lab;
pub mod lesson;
pub mod validation;
