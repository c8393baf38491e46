//! Light and dark: follow the system unless the learner picks one; the choice is remembered.

use leptos::prelude::*;

const KEY: &str = "lambda-lab/theme";
/// The window event sent when the theme changes.
const CHANGED: &str = "lambda-lab-theme";

/// The learner's choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// Follow the system.
    System,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

/// Shared theme state.
#[derive(Debug, Clone, Copy)]
pub struct ThemeCtx {
    /// The choice.
    pub choice: RwSignal<Choice>,
    /// Whether the page is dark now.
    pub dark: Signal<bool>,
    /// Whether a change of choice is remembered (not in an embed, which follows its host).
    pub persist: RwSignal<bool>,
}

fn system_dark() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
        .is_some_and(|m| m.matches())
}

/// Whether the page is dark under a choice.
fn dark_of(choice: RwSignal<Choice>) -> Signal<bool> {
    Signal::derive(move || match choice.get() {
        Choice::System => system_dark(),
        Choice::Light => false,
        Choice::Dark => true,
    })
}

fn stored() -> Choice {
    let v = web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item(KEY).ok().flatten());
    match v.as_deref() {
        Some("light") => Choice::Light,
        Some("dark") => Choice::Dark,
        _ => Choice::System,
    }
}

/// Creates the theme state, applies it to `<html data-theme>` and provides it as context.
pub fn provide() -> ThemeCtx {
    let choice = RwSignal::new(stored());
    let persist = RwSignal::new(true);
    let dark = dark_of(choice);
    Effect::new(move |_| {
        let c = choice.get();
        let name = match c {
            Choice::System => None,
            Choice::Light => Some("light"),
            Choice::Dark => Some("dark"),
        };
        if let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = match name {
                Some(n) => root.set_attribute("data-theme", n),
                None => root.remove_attribute("data-theme"),
            };
        }
        // The on-demand pages (a wasm module of their own, `pages::host`) follow the change.
        if let Some(w) = web_sys::window() {
            if let Ok(event) = web_sys::Event::new(CHANGED) {
                let _ = w.dispatch_event(&event);
            }
        }
        if persist.get_untracked() {
            if let Some(s) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
                let _ = s.set_item(KEY, name.unwrap_or("system"));
            }
        }
    });
    let ctx = ThemeCtx {
        choice,
        dark,
        persist,
    };
    provide_context(ctx);
    ctx
}

/// The theme state of a module that does not own the theme (the on-demand pages): read from
/// `<html data-theme>` and kept in step with it, never written. Provided as context.
pub fn follow() -> ThemeCtx {
    fn read() -> Choice {
        let v = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
            .and_then(|root| root.get_attribute("data-theme"));
        match v.as_deref() {
            Some("light") => Choice::Light,
            Some("dark") => Choice::Dark,
            _ => Choice::System,
        }
    }
    let choice = RwSignal::new(read());
    let handle = window_event_listener_untyped(CHANGED, move |_| choice.set(read()));
    on_cleanup(move || handle.remove());
    let dark = dark_of(choice);
    let ctx = ThemeCtx {
        choice,
        dark,
        persist: RwSignal::new(false),
    };
    provide_context(ctx);
    ctx
}

/// A button that cycles system, light, dark.
#[component]
pub fn ThemeToggle() -> impl IntoView {
    let ctx = use_context::<ThemeCtx>();
    let label = move || match ctx.map(|c| c.choice.get()) {
        Some(Choice::Light) => "Theme: light",
        Some(Choice::Dark) => "Theme: dark",
        _ => "Theme: system",
    };
    view! {
        <button type="button" class="theme-toggle" aria-label=label title="Switch between the system's theme, light and dark"
            on:click=move |_| {
                if let Some(c) = ctx {
                    c.choice.update(|v| *v = match v { Choice::System => Choice::Light, Choice::Light => Choice::Dark, Choice::Dark => Choice::System });
                }
            }>
            {label}
        </button>
    }
}
