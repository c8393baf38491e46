//! An experiment: knobs generated from the lesson file, the engine re-run on every change,
//! playback over a scrubbable timeline, the charts the lesson asks for, a verdict, an A/B
//! comparison on the same seeded workload, and the experiment's state in the URL.

use std::collections::BTreeMap;
use std::time::Duration;

use engine::lesson::{self, Challenge, Control, Experiment, Knob, Prediction};
use engine::report::group;
use engine::time::format_duration_us;
use engine::{Report, Scenario};
use leptos::prelude::*;
use serde_json::Value;

use crate::charts::ChartKind;
use crate::components::challenge::ChallengePanel;
use crate::components::chart::Chart;
use crate::components::flow::RequestFlow;
use crate::components::prediction::Bet;
use crate::components::queues::QueueBoxes;
use crate::format::value_with_unit;
use crate::route;
use crate::shared::Shared;

/// Positions of a logarithmic slider.
const LOG_STEPS: f64 = 200.0;
/// Playback speeds, simulated seconds per real second.
const SPEEDS: [f64; 9] = [1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0, 1800.0, 3600.0];

/// The experiment the keyboard shortcuts drive (the one last touched; the first by default).
#[derive(Debug, Clone, Copy)]
pub struct ActiveExperiment(pub RwSignal<Option<String>>);

/// A knob value from a slider position.
fn from_position(knob: &Knob, pos: f64) -> f64 {
    let v = if knob.log {
        knob.min * (knob.max / knob.min).powf(pos / LOG_STEPS)
    } else {
        pos
    };
    ((v / knob.step).round() * knob.step).clamp(knob.min, knob.max)
}

/// The value for a new slider position. A move that would round back to the same value
/// (a log slider's small steps near its low end) moves one step in its direction instead,
/// so arrow keys never get stuck.
fn next_value(knob: &Knob, old: f64, pos: f64) -> f64 {
    let v = from_position(knob, pos);
    let old_pos = to_position(knob, old);
    if (v - old).abs() > f64::EPSILON || (pos - old_pos).abs() < 0.5 {
        return v;
    }
    let dir = if pos > old_pos { 1.0 } else { -1.0 };
    ((old / knob.step).round() * knob.step + dir * knob.step).clamp(knob.min, knob.max)
}

/// The slider position of a knob value.
fn to_position(knob: &Knob, v: f64) -> f64 {
    if knob.log {
        ((v / knob.min).ln() / (knob.max / knob.min).ln() * LOG_STEPS).round()
    } else {
        v
    }
}

/// Reads one knob's value from a URL parameter.
fn parse_knob(k: &Knob, raw: &str, like: &Value) -> Option<Value> {
    let v = match k.control {
        Control::Toggle => raw.parse::<bool>().ok().map(Value::from),
        Control::Select => k
            .options
            .iter()
            .find(|o| knob_param(k, &o.value) == raw)
            .map(|o| o.value.clone()),
        Control::Slider => raw
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .map(|v| lesson::number(v, like)),
    }?;
    k.admits(&v).ok().map(|()| v)
}

/// How a knob's value is written in the URL: a select whose option is a table or a list (an
/// IAM policy, a list of alarms) by its label as a slug, `narrow-role` rather than JSON.
fn knob_param(k: &Knob, v: &Value) -> String {
    if k.control == Control::Select && (v.is_array() || v.is_object()) {
        if let Some(o) = k.options.iter().find(|o| lesson::same_value(&o.value, v)) {
            return slug(&o.label);
        }
    }
    value_param(v)
}

/// `"Canary, 10% for 5 min"` as `canary-10-for-5-min`.
fn slug(label: &str) -> String {
    let mut out = String::new();
    for c in label.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// How a value is written in the URL.
fn value_param(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        // 20.0 reads as 20 in a link.
        Value::Number(n)
            if n.as_f64()
                .is_some_and(|f| f.fract() == 0.0 && f.abs() < 1e15) =>
        {
            format!("{}", n.as_f64().unwrap_or(0.0) as i64)
        }
        other => other.to_string(),
    }
}

/// The state one side of the experiment starts from, and what in the URL could not be used.
struct Start {
    a: Vec<Value>,
    b: Option<Vec<Value>>,
    seed: u64,
    t_s: Option<f64>,
    problems: Vec<String>,
}

fn start_state(exp: &Experiment, scenario: &Scenario, query: &[(String, String)]) -> Start {
    let mut problems = Vec::new();
    let file: Vec<Value> = exp
        .knobs
        .iter()
        .map(|k| lesson::get_path(scenario, &k.path).unwrap_or(Value::Null))
        .collect();
    let prefix = format!("{}.", exp.id);
    let mine: Vec<(&str, &str)> = query
        .iter()
        .filter_map(|(k, v)| k.strip_prefix(&prefix).map(|rest| (rest, v.as_str())))
        .collect();
    let read_side = |side: &str, problems: &mut Vec<String>| -> Vec<Value> {
        exp.knobs
            .iter()
            .zip(&file)
            .map(|(k, fv)| {
                let key = format!("{side}{}", k.id);
                match mine.iter().find(|(q, _)| *q == key) {
                    None => fv.clone(),
                    Some((_, raw)) => parse_knob(k, raw, fv).unwrap_or_else(|| {
                        problems.push(format!("{prefix}{key}=\u{201c}{raw}\u{201d} is not a valid {} (the lesson's value is used)", k.label.to_lowercase()));
                        fv.clone()
                    }),
                }
            })
            .collect()
    };
    let a = read_side("", &mut problems);
    let compare = mine.iter().any(|(k, v)| *k == "ab" && *v == "1");
    let b = compare.then(|| read_side("b.", &mut problems));
    let mut seed = scenario.seed;
    let mut t_s = None;
    for (k, v) in &mine {
        match *k {
            "seed" => match v.parse::<u64>() {
                Ok(s) => seed = s,
                Err(_) => problems.push(format!("{prefix}seed=\u{201c}{v}\u{201d} is not a whole number (the lesson's seed is used)")),
            },
            "t" => match v.parse::<f64>() {
                Ok(t) if t.is_finite() && t >= 0.0 && t <= scenario.duration_s => t_s = Some(t),
                _ => problems.push(format!("{prefix}t=\u{201c}{v}\u{201d} is not a time within the run (0 to {} s)", scenario.duration_s)),
            },
            "ab" => {}
            other => {
                let knob = other.strip_prefix("b.").unwrap_or(other);
                if !exp.knobs.iter().any(|k| k.id == knob) {
                    problems.push(format!("{prefix}{other} is not a setting of this experiment"));
                }
            }
        }
    }
    Start {
        a,
        b,
        seed,
        t_s,
        problems,
    }
}

/// The scenario for a set of knob values and a seed.
fn build(base: &Scenario, knobs: &[Knob], values: &[Value], seed: u64) -> Result<Scenario, String> {
    let mut s = base.clone();
    s.seed = seed;
    let fields: Vec<(&str, &Value)> = knobs
        .iter()
        .zip(values)
        .map(|(k, v)| (k.path.as_str(), v))
        .collect();
    // All knobs in one pass (a re-run on every slider move); should that be refused, set them
    // one by one to name the knob at fault.
    lesson::set_paths(&s, &fields).or_else(|_| {
        for (k, v) in knobs.iter().zip(values) {
            s = lesson::set_path(&s, &k.path, v).map_err(|e| format!("{}: {e}", k.label))?;
        }
        Ok(s)
    })
}

fn prefers_reduced_motion() -> bool {
    web_sys::window()
        .and_then(|w| {
            w.match_media("(prefers-reduced-motion: reduce)")
                .ok()
                .flatten()
        })
        .is_some_and(|m| m.matches())
}

/// What an experiment writes into the URL.
struct UrlState<'a> {
    exp_id: &'a str,
    knobs: &'a [Knob],
    /// The lesson file's values: knobs left at them are not written.
    file: &'a [Value],
    a: &'a [Value],
    b: Option<&'a [Value]>,
    seed: u64,
    default_seed: u64,
    t_s: f64,
}

/// Writes this experiment's state into the URL (replacing, so the back button is not flooded).
fn write_url(st: &UrlState<'_>) {
    let UrlState {
        exp_id,
        knobs,
        file,
        a,
        b,
        seed,
        default_seed,
        t_s,
    } = *st;
    let Some(window) = web_sys::window() else {
        return;
    };
    let hash = window.location().hash().unwrap_or_default();
    let loc = route::Location::parse(&hash);
    let prefix = format!("{exp_id}.");
    let mut query: Vec<(String, String)> = loc
        .query
        .into_iter()
        .filter(|(k, _)| !k.starts_with(&prefix))
        .collect();
    for ((k, v), fv) in knobs.iter().zip(a).zip(file) {
        if v != fv {
            query.push((format!("{prefix}{}", k.id), knob_param(k, v)));
        }
    }
    if let Some(b) = b {
        query.push((format!("{prefix}ab"), "1".into()));
        for (k, v) in knobs.iter().zip(b) {
            query.push((format!("{prefix}b.{}", k.id), knob_param(k, v)));
        }
    }
    if seed != default_seed {
        query.push((format!("{prefix}seed"), seed.to_string()));
    }
    query.push((format!("{prefix}t"), format!("{t_s:.3}")));
    let path = hash.split('?').next().unwrap_or("#/").to_string();
    let q: Vec<String> = query
        .iter()
        .map(|(k, v)| format!("{}={}", route::encode(k), route::encode(v)))
        .collect();
    let url = if q.is_empty() {
        path
    } else {
        format!("{path}?{}", q.join("&"))
    };
    if url != hash {
        if let Ok(history) = window.history() {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
        }
    }
}

/// One live experiment.
#[component]
pub fn ExperimentPanel(
    /// The lesson it belongs to.
    lesson_id: String,
    /// The experiment from the lesson file.
    experiment: Experiment,
    /// Its scenario as the file gives it.
    scenario: Scenario,
    /// URL query parameters, which may set its state.
    query: Vec<(String, String)>,
    /// Bets to place before the experiment shows the answer.
    predictions: Vec<Prediction>,
    /// The lesson's challenge, when it is played on this experiment.
    challenge: Option<Challenge>,
) -> impl IntoView {
    let start = start_state(&experiment, &scenario, &query);
    let file_values = StoredValue::new(
        experiment
            .knobs
            .iter()
            .map(|k| lesson::get_path(&scenario, &k.path).unwrap_or(Value::Null))
            .collect::<Vec<_>>(),
    );
    let values_a = RwSignal::new(start.a);
    let values_b = RwSignal::new(start.b);
    let seed = RwSignal::new(start.seed);
    let knobs = StoredValue::new(experiment.knobs.clone());
    let base = StoredValue::new(scenario.clone());
    let exp_id = experiment.id.clone();
    let default_seed = scenario.seed;
    let end_s = scenario.duration_s;
    let reduced_motion = prefers_reduced_motion();
    let t_s = RwSignal::new(start.t_s.unwrap_or(end_s));
    let playing = RwSignal::new(false);
    // The event the learner stepped to (several can share one instant); `None` after a scrub.
    let event_idx = RwSignal::new(None::<usize>);
    let default_speed = SPEEDS
        .iter()
        .copied()
        .find(|s| end_s / s <= 20.0)
        .unwrap_or(3600.0);
    let speed = RwSignal::new(default_speed);

    let scenario_a = Memo::new(move |_| {
        build(
            &base.get_value(),
            &knobs.get_value(),
            &values_a.get(),
            seed.get(),
        )
    });
    // How long the engine took for the last run, in ms (shown as `data-engine-ms` for the
    // benchmark, which times the run and the redraw together).
    let engine_ms = StoredValue::new(0.0f64);
    let now_ms = || {
        web_sys::window()
            .and_then(|w| w.performance())
            .map_or(0.0, |p| p.now())
    };
    let outcome_a = Memo::new(move |_| {
        scenario_a.get().and_then(|s| {
            let t0 = now_ms();
            let r = engine::run(&s).map(Shared::new).map_err(|e| e.to_string());
            engine_ms.set_value(now_ms() - t0);
            r
        })
    });
    let scenario_b = Memo::new(move |_| {
        values_b
            .get()
            .map(|v| build(&base.get_value(), &knobs.get_value(), &v, seed.get()))
    });
    let outcome_b = Memo::new(move |_| {
        scenario_b
            .get()
            .map(|s| s.and_then(|s| engine::run(&s).map(Shared::new).map_err(|e| e.to_string())))
    });
    let report_a = Signal::derive(move || outcome_a.with(|o| o.as_ref().ok().cloned()));
    let report_b = Signal::derive(move || {
        outcome_b.with(|o| o.as_ref().and_then(|o| o.as_ref().ok().cloned()))
    });
    let scen_a = Signal::derive(move || scenario_a.get().ok());
    let scen_b = Signal::derive(move || scenario_b.get().and_then(Result::ok));

    // The URL follows the state; `url_written` counts the writes, for what reads the URL back.
    let (url_written, set_url_written) = signal(0u32);
    {
        let exp_id = exp_id.clone();
        // Written a moment after the last change, not on every slider step or playback frame:
        // the browser's history API is slow enough to show in a re-run's time.
        let pending = StoredValue::new(None::<leptos::leptos_dom::helpers::TimeoutHandle>);
        let exp_id = StoredValue::new(exp_id);
        Effect::new(move |_| {
            let (a, b, s, t) = (values_a.get(), values_b.get(), seed.get(), t_s.get());
            if let Some(h) = pending.get_value() {
                h.clear();
            }
            // The panel may be gone by the time this runs (another page, another scene):
            // then nothing is written.
            let write = move || {
                let (Some(knobs), Some(file), Some(exp_id)) = (
                    knobs.try_get_value(),
                    file_values.try_get_value(),
                    exp_id.try_get_value(),
                ) else {
                    return;
                };
                write_url(&UrlState {
                    exp_id: &exp_id,
                    knobs: &knobs,
                    file: &file,
                    a: &a,
                    b: b.as_deref(),
                    seed: s,
                    default_seed,
                    t_s: t,
                });
                set_url_written.try_update(|n| *n = n.wrapping_add(1));
            };
            let handle = leptos::leptos_dom::helpers::set_timeout_with_handle(
                write,
                std::time::Duration::from_millis(150),
            );
            pending.set_value(handle.ok());
        });
        on_cleanup(move || {
            if let Some(Some(h)) = pending.try_get_value() {
                h.clear();
            }
        });
    }

    // Playback.
    let timer = StoredValue::new(None::<IntervalHandle>);
    let stop = move || {
        playing.set(false);
        if let Some(h) = timer.get_value() {
            h.clear();
        }
        timer.set_value(None);
    };
    let play = move || {
        if t_s.get_untracked() >= end_s {
            t_s.set(0.0);
        }
        playing.set(true);
        event_idx.set(None);
        let handle = set_interval_with_handle(
            move || {
                let next = t_s.get_untracked() + speed.get_untracked() * 0.05;
                if next >= end_s {
                    t_s.set(end_s);
                    stop();
                } else {
                    t_s.set(next);
                }
            },
            Duration::from_millis(50),
        );
        timer.set_value(handle.ok());
    };
    on_cleanup(move || {
        if let Some(h) = timer.get_value() {
            h.clear();
        }
    });
    let toggle_play = move || {
        if playing.get_untracked() {
            stop()
        } else {
            play()
        }
    };
    let step = move |forward: bool| {
        stop();
        report_a.with_untracked(|r| {
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
    };
    let pick = Callback::new(move |t: f64| {
        stop();
        event_idx.set(None);
        t_s.set(t.clamp(0.0, end_s));
    });

    // Keyboard shortcuts, for the active experiment.
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
                toggle_play();
            }
            "ArrowRight" | "." if !in_field => {
                ev.prevent_default();
                step(true);
            }
            "ArrowLeft" | "," if !in_field => {
                ev.prevent_default();
                step(false);
            }
            "Home" if !in_field => pick.run(0.0),
            "End" if !in_field => pick.run(end_s),
            _ => {}
        }
    });
    on_cleanup(move || handle.remove());
    let claim = {
        let exp_id = exp_id.clone();
        move || {
            if let Some(a) = active {
                a.0.try_set(Some(exp_id.clone()));
            }
        }
    };
    let claim2 = claim.clone();

    let moment = move || {
        report_a.with(|r| {
            let r = r.as_ref()?;
            let t_us = engine::time::s_to_us(t_s.get());
            let stepped = event_idx
                .get()
                .filter(|&i| r.events.get(i).is_some_and(|e| e.t_us == t_us));
            let idx =
                stepped.map_or_else(|| r.events.partition_point(|e| e.t_us <= t_us), |i| i + 1);
            let event = idx.checked_sub(1).and_then(|i| r.events.get(i)).map(|e| {
                format!(
                    "{} \u{2014} {}",
                    format_duration_us(e.t_us).replace(' ', "\u{a0}"),
                    r.describe(e)
                )
            });
            let beyond = r.events_truncated && r.events.last().is_some_and(|e| t_us > e.t_us);
            let c = r.lanes.counts_at(t_us);
            let state = format!(
                "At {}: {} environments in Init, {} invoking, {} idle{}",
                format_duration_us(t_us),
                c.init,
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
    };
    let charts: Vec<ChartKind> = experiment
        .charts
        .iter()
        .filter_map(|c| ChartKind::from_name(c))
        .collect();
    // Requests flowing in go with the environment lanes: both show the run moment by moment.
    let show_flow = charts.contains(&ChartKind::Lanes);
    let stem = format!("lambda-lab-{lesson_id}-{}", experiment.id);
    // Element ids and export file names.
    let ids = StoredValue::new((exp_id.clone(), stem.clone()));
    let side = move |label: &'static str,
                     values: RwSignal<Vec<Value>>,
                     report: Signal<Option<Shared<Report>>>,
                     scen: Signal<Option<Scenario>>,
                     err: Signal<Option<String>>,
                     suffix: &'static str| {
        let controls = knobs
            .get_value()
            .into_iter()
            .enumerate()
            .map(|(i, k)| view! { <KnobControl knob=k index=i values=values id_prefix=format!("{}{suffix}", ids.get_value().0)/> })
            .collect_view();
        let chart_views = charts
            .iter()
            .map(|&kind| view! { <Chart kind=kind report=report scenario=scen cursor_s=t_s.into() on_pick=pick file_stem=format!("{}{suffix}", ids.get_value().1)/> })
            .collect_view();
        view! {
            <div class="side" data-side=label>
                <div class="controls">{controls}</div>
                {show_flow.then(|| view! { <RequestFlow report=report cursor_s=t_s.into()/> })}
                <QueueBoxes report=report cursor_s=t_s.into()/>
                {chart_views}
                <p class="verdict" data-testid=format!("verdict{suffix}") aria-live="polite"
                    data-run=move || report.with(|r| r.as_ref().map(|r| r.serial().to_string()))
                    data-engine-ms=move || report.with(|r| r.as_ref().map(|_| format!("{:.2}", engine_ms.get_value())))
                    data-summary=move || report.with(|r| r.as_ref().map(|r| serde_json::to_string(&r.summary).unwrap_or_default()))>
                    {move || match (report.get(), err.get()) {
                        (Some(r), _) => r.summary.verdict(),
                        (None, Some(e)) => e,
                        (None, None) => String::new(),
                    }}
                </p>
            </div>
        }
    };
    let side_b = side.clone();
    let err_a = Signal::derive(move || outcome_a.with(|o| o.as_ref().err().cloned()));
    let err_b = Signal::derive(move || {
        outcome_b.with(|o| o.as_ref().and_then(|o| o.as_ref().err().cloned()))
    });
    // "Copy embed code": an <iframe> snippet for this experiment in its current state.
    let (embed_open, set_embed_open) = signal(false);
    let embed_code = {
        let (lesson, exp, title) = (lesson_id.clone(), exp_id.clone(), experiment.title.clone());
        move || {
            // Re-read when the URL was written, so the snippet carries the state.
            let _ = url_written.get();
            let href = web_sys::window()
                .and_then(|w| w.location().href().ok())
                .unwrap_or_default();
            let (base, hash) = href.split_once('#').unwrap_or((href.as_str(), ""));
            let dir = base.rsplit_once('/').map_or(base, |(d, _)| d);
            let prefix = format!("{exp}.");
            let state: Vec<String> = route::Location::parse(hash)
                .query
                .into_iter()
                .filter(|(k, _)| k.starts_with(&prefix) && !k.ends_with(".t"))
                .map(|(k, v)| format!("{}={}", route::encode(&k), route::encode(&v)))
                .collect();
            let q = if state.is_empty() {
                String::new()
            } else {
                format!("?{}", state.join("&"))
            };
            let title = title.replace('"', "&quot;").replace('<', "&lt;");
            format!(
                "<iframe src=\"{base}#/embed/{lesson}/{exp}{q}\" title=\"{title} (Lambda Lab)\" loading=\"lazy\" width=\"100%\" height=\"640\" style=\"border:0\"></iframe>\n<script src=\"{dir}/embed.js\" async></script>"
            )
        }
    };
    let comparing_memo = Memo::new(move |_| values_b.with(Option::is_some));
    let comparing = move || comparing_memo.get();
    let toggle_compare = move |_| {
        if values_b.with_untracked(Option::is_some) {
            values_b.set(None);
        } else {
            values_b.set(Some(values_a.get_untracked()));
        }
    };
    let diff = move || {
        let (a, b) = (report_a.get()?, report_b.get()?);
        Some(compare_rows(&a, &b))
    };
    let bets = predictions
        .into_iter()
        .map(|p| {
            let show = Callback::new(move |set: BTreeMap<String, Value>| {
                values_a.update(|vals| {
                    for (i, k) in knobs.get_value().iter().enumerate() {
                        if let (Some(v), Some(slot)) = (set.get(&k.id), vals.get_mut(i)) {
                            *slot = v.clone();
                        }
                    }
                });
            });
            view! { <Bet lesson_id=lesson_id.clone() prediction=p experiment=experiment.clone() scenario=scenario.clone() on_show=show/> }
        })
        .collect_view();
    let challenge_view = challenge.map(|c| {
        let apply = Callback::new(move |set: BTreeMap<String, Value>| {
            values_a.update(|vals| {
                for (i, k) in knobs.get_value().iter().enumerate() {
                    if let (Some(v), Some(slot)) = (set.get(&k.id), vals.get_mut(i)) {
                        *slot = v.clone();
                    }
                }
            });
        });
        view! { <ChallengePanel lesson_id=lesson_id.clone() challenge=c report=report_a on_apply=apply/> }
    });
    let speed_label = move || {
        let s = speed.get();
        format!(
            "\u{00d7}{}: one second shows {}",
            group(s as u64),
            format_duration_us(engine::time::s_to_us(s))
        )
    };

    view! {
        <section class="experiment" data-experiment=experiment.id.clone() aria-label=experiment.title.clone()
            on:focusin=move |_| claim() on:pointerdown=move |_| claim2()>
            <div class="experiment-head">
                <h2 class="experiment-title">{experiment.title.clone()}</h2>
                <span class="head-buttons">
                <button type="button" class="secondary" aria-expanded=move || embed_open.get().to_string()
                    on:click=move |_| set_embed_open.update(|o| *o = !*o) title="Embed this experiment in a blog post">"Embed"</button>
                <button type="button" class="secondary" aria-pressed=move || comparing().to_string() on:click=toggle_compare
                    title="Run a second configuration on the same seeded workload">
                    {move || if comparing() { "Stop comparing" } else { "Compare A/B" }}
                </button>
                </span>
            </div>
            {move || embed_open.get().then(|| {
                let code = embed_code.clone();
                let to_copy = embed_code.clone();
                let copy_embed = move |_| {
                    if let Some(w) = web_sys::window() {
                        let _ = w.navigator().clipboard().write_text(&to_copy());
                    }
                };
                view! {
                    <div class="embed-code">
                        <label for=format!("{}-embed", ids.get_value().0)>"Paste this into your page: the frame sizes itself and follows your reader's light or dark theme."</label>
                        <textarea id=format!("{}-embed", ids.get_value().0) readonly rows="4" data-testid="embed-code" prop:value=code></textarea>
                        <button type="button" class="primary" on:click=copy_embed>"Copy embed code"</button>
                    </div>
                }
            })}
            {(!start.problems.is_empty()).then(|| view! {
                <p class="notice" role="status" data-testid="link-problems">
                    {format!("Some settings in this link could not be used: {}.", start.problems.join("; "))}
                </p>
            })}
            {bets}
            <div class="playback" role="group" aria-label="Playback">
                {(!reduced_motion).then(|| view! {
                    <button type="button" class="primary" data-testid="play" on:click=move |_| toggle_play()
                        aria-label=move || if playing.get() { "Pause" } else { "Play" }>
                        {move || if playing.get() { "\u{275a}\u{275a} Pause" } else { "\u{25b6} Play" }}
                    </button>
                })}
                <button type="button" data-testid="step-back" on:click=move |_| step(false) aria-label="Step back one event">"\u{25c0} Step"</button>
                <button type="button" data-testid="step" on:click=move |_| step(true) aria-label="Step forward one event">"Step \u{25b6}"</button>
                <label class="timeline">
                    <span class="sr-only">"Timeline"</span>
                    <input type="range" data-testid="timeline" min="0" max=end_s.to_string() step="any"
                        prop:value=move || t_s.get().to_string()
                        aria-valuetext=move || format_duration_us(engine::time::s_to_us(t_s.get()))
                        on:input=move |ev| {
                            let v: f64 = event_target_value(&ev).parse().unwrap_or(0.0);
                            pick.run(v);
                        }/>
                </label>
                {(!reduced_motion).then(|| view! {
                    <label class="speed">
                        <span class="sr-only">"Speed"</span>
                        <select on:change=move |ev| {
                            let v: f64 = event_target_value(&ev).parse().unwrap_or(default_speed);
                            speed.set(v);
                        } prop:value=move || speed.get().to_string()>
                            {SPEEDS.iter().map(|s| view! { <option value=s.to_string()>{format!("\u{00d7}{}", group(*s as u64))}</option> }).collect_view()}
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
            <p class="moment" data-testid="moment" aria-live="polite">
                {move || moment().map(|(event, beyond, state)| view! {
                    <span class="event" data-testid="event">{event.unwrap_or_else(|| "Before the first event.".into())}</span>
                    {beyond.then(|| view! { <span class="muted">" (later events are not kept for stepping; the charts show the whole run)"</span> })}
                    <span class="state">{state}</span>
                })}
                {(!reduced_motion).then(|| view! { <span class="muted speed-label">{speed_label}</span> })}
            </p>
            <div class=move || if comparing() { "sides two" } else { "sides" }>
                {side("A", values_a, report_a, scen_a, err_a, "")}
                {move || comparing_memo.get().then(|| {
                    let vb = RwSignal::new(values_b.get_untracked().unwrap_or_default());
                    Effect::new(move |_| {
                        let v = vb.get();
                        values_b.update(|b| if b.as_ref() != Some(&v) { *b = Some(v) });
                    });
                    side_b("B", vb, report_b, scen_b, err_b, "-b")
                })}
            </div>
            {move || diff().map(|rows| view! {
                <table class="compare" data-testid="compare">
                    <caption>"B against A, same seeded workload"</caption>
                    <thead><tr><th scope="col">"Figure"</th><th scope="col">"A"</th><th scope="col">"B"</th></tr></thead>
                    <tbody>
                        {rows.into_iter().map(|(name, a, b)| view! { <tr><th scope="row">{name}</th><td>{a}</td><td>{b}</td></tr> }).collect_view()}
                    </tbody>
                </table>
            })}
            {challenge_view}
        </section>
    }
}

/// The figures an A/B comparison shows, side by side.
fn compare_rows(a: &Report, b: &Report) -> Vec<(&'static str, String, String)> {
    let (x, y) = (&a.summary, &b.summary);
    let ms = |v: f64| format_duration_us((v * 1000.0) as u64);
    vec![
        ("Cold starts", group(x.cold_starts), group(y.cold_starts)),
        ("Throttled", group(x.throttled), group(y.throttled)),
        ("Errors", group(x.errors), group(y.errors)),
        ("p50 duration", ms(x.duration_ms_p50), ms(y.duration_ms_p50)),
        ("p99 duration", ms(x.duration_ms_p99), ms(y.duration_ms_p99)),
        (
            "Peak in flight",
            group(x.concurrency_max),
            group(y.concurrency_max),
        ),
        (
            "Cost",
            format!("${:.4}", x.cost_usd),
            format!("${:.4}", y.cost_usd),
        ),
    ]
}

/// One control, bound to the experiment's values.
#[component]
fn KnobControl(
    /// The knob.
    knob: Knob,
    /// Its position in the values.
    index: usize,
    /// All the values of this side of the experiment.
    values: RwSignal<Vec<Value>>,
    /// Makes element ids unique on a page with several experiments.
    id_prefix: String,
) -> impl IntoView {
    let id = format!("{id_prefix}-{}", knob.id);
    let k = StoredValue::new(knob.clone());
    let current = move || values.with(|v| v.get(index).cloned().unwrap_or(Value::Null));
    match knob.control {
        Control::Slider => {
            let shown = move || value_with_unit(current().as_f64().unwrap_or(0.0), &k.get_value().unit);
            let (min, max, step) = if knob.log { (0.0, LOG_STEPS, 1.0) } else { (knob.min, knob.max, knob.step) };
            view! {
                <div class="knob">
                    <label for=id.clone()>{knob.label.clone()}</label>
                    <output for=id.clone()>{shown}</output>
                    <input type="range" id=id name=knob.id.clone()
                        min=min.to_string() max=max.to_string() step=step.to_string()
                        prop:value=move || to_position(&k.get_value(), current().as_f64().unwrap_or(0.0)).to_string()
                        aria-valuetext=shown
                        on:input=move |ev| {
                            let pos: f64 = event_target_value(&ev).parse().unwrap_or(0.0);
                            let knob = k.get_value();
                            let old = current().as_f64().unwrap_or(0.0);
                            let v = next_value(&knob, old, pos);
                            values.update(|vals| {
                                if let Some(slot) = vals.get_mut(index) {
                                    *slot = lesson::number(v, slot);
                                }
                            });
                        }/>
                </div>
            }
            .into_any()
        }
        Control::Toggle => view! {
            <div class="knob knob-toggle">
                <input type="checkbox" id=id.clone() name=knob.id.clone()
                    prop:checked=move || current().as_bool().unwrap_or(false)
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        values.update(|vals| if let Some(slot) = vals.get_mut(index) { *slot = Value::from(on) });
                    }/>
                <label for=id>{knob.label.clone()}</label>
            </div>
        }
        .into_any(),
        Control::Select => {
            let options = knob
                .options
                .iter()
                .enumerate()
                .map(|(j, o)| view! { <option value=j.to_string()>{o.label.clone()}</option> })
                .collect_view();
            let selected = move || {
                let cur = current();
                k.get_value().options.iter().position(|o| lesson::same_value(&o.value, &cur)).unwrap_or(0).to_string()
            };
            view! {
                <div class="knob">
                    <label for=id.clone()>{knob.label.clone()}</label>
                    <select id=id name=knob.id.clone() prop:value=selected
                        on:change=move |ev| {
                            let j: usize = event_target_value(&ev).parse().unwrap_or(0);
                            if let Some(v) = k.get_value().options.get(j).map(|o| o.value.clone()) {
                                values.update(|vals| if let Some(slot) = vals.get_mut(index) { *slot = v });
                            }
                        }>
                        {options}
                    </select>
                </div>
            }
            .into_any()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn knob(log: bool) -> Knob {
        Knob {
            id: "rate".into(),
            label: "Rate".into(),
            path: "x".into(),
            control: Control::Slider,
            unit: "req/s".into(),
            min: 0.5,
            max: 200.0,
            step: 0.5,
            log,
            options: vec![],
        }
    }

    #[test]
    fn log_sliders_cover_the_range_and_round_to_the_step() {
        let k = knob(true);
        assert_eq!(from_position(&k, 0.0), 0.5);
        assert_eq!(from_position(&k, LOG_STEPS), 200.0);
        assert_eq!(
            from_position(&k, LOG_STEPS / 2.0),
            10.0,
            "the geometric middle of 0.5..200 is 10"
        );
        assert_eq!(from_position(&k, to_position(&k, 5.0)), 5.0);
    }

    #[test]
    fn arrow_keys_never_get_stuck_on_a_log_slider() {
        let k = knob(true);
        let mut v = 0.5;
        for _ in 0..20 {
            let next = next_value(&k, v, to_position(&k, v) + 1.0);
            assert!(next > v, "one step right from {v} moves up, got {next}");
            v = next;
        }
        assert!(next_value(&k, 5.0, to_position(&k, 5.0) - 1.0) < 5.0);
        assert_eq!(
            next_value(&k, 200.0, LOG_STEPS + 1.0),
            200.0,
            "clamped at the end"
        );
    }

    #[test]
    fn url_values_outside_the_knob_are_refused() {
        let k = knob(false);
        let like = Value::from(5.0);
        assert_eq!(parse_knob(&k, "12.5", &like), Some(Value::from(12.5)));
        assert_eq!(parse_knob(&k, "1000", &like), None);
        assert_eq!(parse_knob(&k, "<script>", &like), None);
        assert_eq!(parse_knob(&k, "NaN", &like), None);
    }

    #[test]
    fn a_select_of_tables_is_written_by_its_label() {
        let policy =
            |a: &str| serde_json::json!([{ "effect": "Allow", "action": a, "resource": "*" }]);
        let k = Knob {
            control: Control::Select,
            options: vec![
                engine::lesson::Choice {
                    label: "Broad: s3:* on *".into(),
                    value: policy("s3:*"),
                },
                engine::lesson::Choice {
                    label: "Narrow (read only)".into(),
                    value: policy("s3:GetObject"),
                },
            ],
            ..knob(false)
        };
        assert_eq!(knob_param(&k, &policy("s3:GetObject")), "narrow-read-only");
        assert_eq!(knob_param(&k, &policy("s3:*")), "broad-s3-on");
        let like = policy("s3:*");
        assert_eq!(
            parse_knob(&k, "narrow-read-only", &like),
            Some(policy("s3:GetObject"))
        );
        assert_eq!(parse_knob(&k, "[]", &like), None);
    }
}
