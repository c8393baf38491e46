//! One module per page.

pub mod home;
pub mod lesson;
pub mod validation;
