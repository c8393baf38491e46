//! Reusable pieces of the pages.

pub mod challenge;
pub mod chart;
pub mod experiment;
pub mod flow;
pub mod prediction;
pub mod queues;
pub mod run_bar;
pub mod twin_chart;
