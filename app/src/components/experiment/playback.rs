//! Playback over the run: play and pause, step event by event, scrub the timeline, the speed,
//! the keyboard shortcuts of the active experiment, and the moment's line of text.

use std::time::Duration;

use engine::report::group;
use engine::time::format_duration_us;
use engine::Report;
use leptos::prelude::*;

use crate::shared::Shared;

/// Playback speeds, simulated seconds per real second.
const SPEEDS: [f64; 9] = [1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0, 1800.0, 3600.0];

/// The experiment the keyboard shortcuts drive (the one last touched; the first by default).
#[derive(Debug, Clone, Copy)]
pub struct ActiveExperiment(pub RwSignal<Option<String>>);

/// Whether the learner asked for less motion (then there is no play button or speed).
pub(super) fn prefers_reduced_motion() -> bool {
    web_sys::window()
        .and_then(|w| {
            w.match_media("(prefers-reduced-motion: reduce)")
                .ok()
                .flatten()
        })
        .is_some_and(|m| m.matches())
}

/// Where playback stands; every field is a handle, so the whole is `Copy`.
#[derive(Clone, Copy)]
pub(super) struct Playback {
    /// The moment shown, in simulated seconds.
    pub t_s: RwSignal<f64>,
    /// Whether it is playing.
    pub playing: RwSignal<bool>,
    /// The event the learner stepped to (several can share one instant); `None` after a scrub.
    pub event_idx: RwSignal<Option<usize>>,
    /// Simulated seconds per real second.
    pub speed: RwSignal<f64>,
    /// The speed that plays the run in about 20 s.
    pub default_speed: f64,
    /// The run's length, in seconds.
    pub end_s: f64,
    timer: StoredValue<Option<IntervalHandle>>,
}

impl Playback {
    /// Playback of a run of `end_s` seconds, at `t_s` (the end by default); its timer stops
    /// when the panel goes.
    pub fn new(end_s: f64, t_s: Option<f64>) -> Playback {
        let default_speed = SPEEDS
            .iter()
            .copied()
            .find(|s| end_s / s <= 20.0)
            .unwrap_or(3600.0);
        let timer = StoredValue::new(None::<IntervalHandle>);
        on_cleanup(move || {
            if let Some(h) = timer.get_value() {
                h.clear();
            }
        });
        Playback {
            t_s: RwSignal::new(t_s.unwrap_or(end_s)),
            playing: RwSignal::new(false),
            event_idx: RwSignal::new(None),
            speed: RwSignal::new(default_speed),
            default_speed,
            end_s,
            timer,
        }
    }

    /// Pauses.
    pub fn stop(self) {
        self.playing.set(false);
        if let Some(h) = self.timer.get_value() {
            h.clear();
        }
        self.timer.set_value(None);
    }

    /// Plays from here (from the start when at the end).
    pub fn play(self) {
        let Playback {
            t_s, speed, end_s, ..
        } = self;
        if t_s.get_untracked() >= end_s {
            t_s.set(0.0);
        }
        self.playing.set(true);
        self.event_idx.set(None);
        let handle = set_interval_with_handle(
            move || {
                let next = t_s.get_untracked() + speed.get_untracked() * 0.05;
                if next >= end_s {
                    t_s.set(end_s);
                    self.stop();
                } else {
                    t_s.set(next);
                }
            },
            Duration::from_millis(50),
        );
        self.timer.set_value(handle.ok());
    }

    /// Plays or pauses.
    pub fn toggle(self) {
        if self.playing.get_untracked() {
            self.stop()
        } else {
            self.play()
        }
    }

    /// Moves to the next or the previous event of the run.
    pub fn step(self, report: Signal<Option<Shared<Report>>>, forward: bool) {
        self.stop();
        let Playback { t_s, event_idx, .. } = self;
        report.with_untracked(|r| {
            let Some(r) = r else { return };
            let ev = &r.events;
            let now_us = engine::time::s_to_us(t_s.get_untracked());
            // Where the cursor is: the event stepped to, or the last one at or before the time.
            let here = event_idx
                .get_untracked()
                .filter(|&i| ev.get(i).is_some_and(|e| e.t_us == now_us));
            let at = here.map_or_else(
                || ev.partition_point(|e| e.t_us <= now_us) as isize - 1,
                |i| i as isize,
            );
            let target = if forward { at + 1 } else { at - 1 };
            if target < 0 {
                event_idx.set(None);
                t_s.set(0.0);
            } else if let Some(e) = ev.get(target as usize) {
                event_idx.set(Some(target as usize));
                t_s.set(engine::time::us_to_s(e.t_us));
            }
        });
    }

    /// Moves to a time (a click on a chart, the timeline, Home and End).
    pub fn pick(self, t: f64) {
        self.stop();
        self.event_idx.set(None);
        self.t_s.set(t.max(0.0).min(self.end_s));
    }

    /// The moment in words: the last event (if any), whether later events were not kept, and
    /// the environments' state.
    fn moment(
        self,
        report: Signal<Option<Shared<Report>>>,
    ) -> Option<(Option<String>, bool, String)> {
        report.with(|r| {
            let r = r.as_ref()?;
            let t_us = engine::time::s_to_us(self.t_s.get());
            let stepped = self
                .event_idx
                .get()
                .filter(|&i| r.events.get(i).is_some_and(|e| e.t_us == t_us));
            let idx =
                stepped.map_or_else(|| r.events.partition_point(|e| e.t_us <= t_us), |i| i + 1);
            let beyond = r.events_truncated && r.events.last().is_some_and(|e| t_us > e.t_us);
            // One time on the line: the moment's. An event at that moment reads without a
            // time of its own; an earlier one says how long before it happened, and past the
            // last event kept, the line says where the kept events stop instead.
            let now = format_duration_us(t_us);
            let event = idx.checked_sub(1).and_then(|i| r.events.get(i)).map(|e| {
                let at = format_duration_us(e.t_us);
                if beyond {
                    format!("Events are kept up to {at}; the last: {}.", r.describe(e))
                } else if at == now {
                    format!("{}.", capitalised(&r.describe(e)))
                } else {
                    format!(
                        "Last event, {} earlier: {}.",
                        format_duration_us(t_us.saturating_sub(e.t_us)),
                        r.describe(e)
                    )
                }
            });
            let c = r.lanes.counts_at(t_us);
            let state = format!(
                "At {now}: {} in Init, {} invoking, {} idle{}",
                crate::format::count(c.init as u64, "environment"),
                c.busy,
                c.idle,
                if r.lanes.hidden_envs > 0 {
                    format!(" (of the first {} drawn)", r.lanes.lanes.len())
                } else {
                    String::new()
                }
            );
            Some((event, beyond, state))
        })
    }
}

/// Installs the keyboard shortcuts (space plays, arrows step, Home and End jump) for while
/// this experiment is the active one; returns what makes it the active one.
pub(super) fn shortcuts(
    exp_id: String,
    playback: Playback,
    report: Signal<Option<Shared<Report>>>,
    pick: Callback<f64>,
) -> impl Fn() + Clone + Send + Sync + 'static {
    // A context left by a page that is gone reads as none (a route change builds the new page
    // before the old one is disposed).
    let active = use_context::<ActiveExperiment>().filter(|a| a.0.try_get_untracked().is_some());
    if let Some(a) = active {
        if a.0.try_get_untracked().flatten().is_none() {
            a.0.try_set(Some(exp_id.clone()));
        }
    }
    let is_active = {
        let exp_id = exp_id.clone();
        move || {
            active.is_none_or(|a| {
                a.0.try_get_untracked().flatten().as_deref() == Some(exp_id.as_str())
            })
        }
    };
    let end_s = playback.end_s;
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        if !is_active() || ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
            return;
        }
        let in_field = ev
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
            .is_some_and(|el| {
                matches!(
                    el.tag_name().as_str(),
                    "INPUT" | "SELECT" | "TEXTAREA" | "BUTTON"
                )
            });
        match ev.key().as_str() {
            " " if !in_field => {
                ev.prevent_default();
                playback.toggle();
            }
            "ArrowRight" | "." if !in_field => {
                ev.prevent_default();
                playback.step(report, true);
            }
            "ArrowLeft" | "," if !in_field => {
                ev.prevent_default();
                playback.step(report, false);
            }
            "Home" if !in_field => pick.run(0.0),
            "End" if !in_field => pick.run(end_s),
            _ => {}
        }
    });
    on_cleanup(move || handle.remove());
    move || {
        if let Some(a) = active {
            a.0.try_set(Some(exp_id.clone()));
        }
    }
}

/// The playback controls: play, step, the timeline, the speed and the seed.
#[component]
pub(super) fn PlaybackBar(
    /// Playback state.
    playback: Playback,
    /// Side A's run, which stepping walks through.
    report: Signal<Option<Shared<Report>>>,
    /// Moves to a time.
    pick: Callback<f64>,
    /// The seed both sides run with.
    seed: RwSignal<u64>,
    /// Leaves out the play button and the speed.
    reduced_motion: bool,
) -> impl IntoView {
    let Playback {
        t_s,
        playing,
        speed,
        default_speed,
        end_s,
        ..
    } = playback;
    view! {
        <div class="playback" role="group" aria-label="Playback">
            {(!reduced_motion).then(|| view! {
                <button type="button" class="primary" data-testid="play" on:click=move |_| playback.toggle()
                    aria-label=move || if playing.get() { "Pause" } else { "Play" }>
                    {move || if playing.get() { "\u{275a}\u{275a} Pause" } else { "\u{25b6} Play" }}
                </button>
            })}
            <button type="button" data-testid="step-back" on:click=move |_| playback.step(report, false) aria-label="Step back one event">"\u{25c0} Step"</button>
            <button type="button" data-testid="step" on:click=move |_| playback.step(report, true) aria-label="Step forward one event">"Step \u{25b6}"</button>
            <label class="timeline">
                <span class="sr-only">"Timeline"</span>
                <input type="range" data-testid="timeline" min="0" max=crate::format::shortest(end_s) step="any"
                    prop:value=move || crate::format::shortest(t_s.get())
                    aria-valuetext=move || format_duration_us(engine::time::s_to_us(t_s.get()))
                    on:input=move |ev| {
                        let v = crate::format::number(&event_target_value(&ev)).unwrap_or(0.0);
                        pick.run(v);
                    }/>
            </label>
            {(!reduced_motion).then(|| view! {
                <label class="speed">
                    <span class="sr-only">"Speed"</span>
                    <select on:change=move |ev| {
                        let v = crate::format::number(&event_target_value(&ev)).unwrap_or(default_speed);
                        speed.set(v);
                    } prop:value=move || crate::format::shortest(speed.get())>
                        {SPEEDS.iter().map(|s| view! { <option value=crate::format::shortest(*s)>{format!("\u{00d7}{}", group(*s as u64))}</option> }).collect_view()}
                    </select>
                </label>
            })}
            <label class="seed" title="The seed of every random draw: the same seed gives the same run">
                "Seed "
                <input type="number" min="0" step="1" data-testid="seed" prop:value=move || seed.get().to_string()
                    on:change=move |ev| {
                        if let Ok(v) = event_target_value(&ev).trim().parse::<u64>() {
                            seed.set(v);
                        }
                    }/>
            </label>
        </div>
    }
}

/// The moment in words: the event at the cursor and the environments' state.
#[component]
pub(super) fn Moment(
    /// Playback state.
    playback: Playback,
    /// Side A's run.
    report: Signal<Option<Shared<Report>>>,
    /// Leaves out the speed's meaning.
    reduced_motion: bool,
) -> impl IntoView {
    let speed = playback.speed;
    let speed_label = move || {
        let s = speed.get();
        format!(
            "\u{00d7}{}: one second shows {}",
            group(s as u64),
            format_duration_us(engine::time::s_to_us(s))
        )
    };
    view! {
        <p class="moment" data-testid="moment" aria-live="polite">
            {move || playback.moment(report).map(|(event, beyond, state)| view! {
                <span class="state">{state}</span>
                <span class="event" data-testid="event">{event.unwrap_or_else(|| "Before the first event.".into())}</span>
                {beyond.then(|| view! { <span class="muted">" (stepping stops there; the charts show the whole run)"</span> })}
            })}
            {(!reduced_motion).then(|| view! { <span class="muted speed-label">{speed_label}</span> })}
        </p>
    }
}

/// A sentence's start: its first letter in capitals (the engine's descriptions are English:
/// ASCII case is enough, and keeps the Unicode case tables out of the wasm).
fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
        .unwrap_or_default()
}
