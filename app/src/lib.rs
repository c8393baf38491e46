//! Lambda Lab's user interface: turns knobs into scenarios, asks the engine, draws what comes back.
//!
//! This crate holds no simulation logic: every number it shows comes from `engine::run`.

pub mod canvas;
pub mod catalog;
pub mod charts;
pub mod components;
pub mod fetch;
pub mod format;
pub mod pages;
pub mod painter;
pub mod panic;
pub mod progress;
pub mod route;
pub mod runner;
pub mod shared;
pub mod theme;

mod app;

pub use app::App;
