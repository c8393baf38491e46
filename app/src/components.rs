//! Reusable pieces of the pages.

pub mod chart;
pub mod experiment;
