//! Requests flowing in: the engine's next arrivals after the timeline's moment, drawn as dots
//! that travel towards the function and reach it at their arrival time, each marked with what
//! happened to it (cold start, warm start, throttled). Every dot is an arrival in the run's
//! event log; beyond the kept events the strip says so and shows the bucket's counts instead.

use engine::report::{group, EventKind};
use engine::Report;
use leptos::prelude::*;

use crate::shared::Shared;

/// Most dots drawn at once.
const MAX_DOTS: usize = 40;

/// What happened to a request when it arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// A new environment: Init first.
    Cold,
    /// A warm (or provisioned) environment.
    Warm,
    /// Refused with a 429.
    Throttled,
    /// Queued (async event or SQS message).
    Queued,
}

impl Fate {
    fn class(self) -> &'static str {
        match self {
            Fate::Cold => "dot cold",
            Fate::Warm => "dot warm",
            Fate::Throttled => "dot throttled",
            Fate::Queued => "dot queued",
        }
    }
}

/// The arrivals in `(t_us, t_us + window_us]` and their fates, in order (at most `MAX_DOTS`).
pub fn upcoming(report: &Report, t_us: u64, window_us: u64) -> Vec<(u64, Fate)> {
    let ev = &report.events;
    let start = ev.partition_point(|e| e.t_us <= t_us);
    let mut out = Vec::new();
    for (i, e) in ev.iter().enumerate().skip(start) {
        if e.t_us > t_us.saturating_add(window_us) || out.len() >= MAX_DOTS {
            break;
        }
        let (request, queued) = match e.kind {
            EventKind::Arrival {
                request,
                attempt: 0,
            } => (request, false),
            EventKind::Queued { request, .. } => (request, true),
            _ => continue,
        };
        if queued {
            out.push((e.t_us, Fate::Queued));
            continue;
        }
        // The start or the throttle of an arrival is logged right after it, at the same time.
        let fate = ev[i + 1..]
            .iter()
            .take_while(|n| n.t_us == e.t_us)
            .find_map(|n| match n.kind {
                EventKind::ColdStart { request: r, .. } if r == request => Some(Fate::Cold),
                EventKind::WarmStart { request: r, .. } if r == request => Some(Fate::Warm),
                EventKind::Throttled { request: r, .. } if r == request => Some(Fate::Throttled),
                _ => None,
            })
            .unwrap_or(Fate::Warm);
        out.push((e.t_us, fate));
    }
    out
}

/// A window that shows a readable number of dots: about 20 arrivals at the run's mean rate,
/// between a hundredth and a fifth of the run.
pub fn window_us(report: &Report) -> u64 {
    let s = &report.summary;
    let span = s.duration_s.max(1e-3);
    let rate = s.requests as f64 / span;
    let w = if rate > 0.0 { 20.0 / rate } else { span / 10.0 };
    engine::time::s_to_us(w.max(span / 100.0).min(span / 5.0))
}

/// The strip of requests flowing in towards the function.
#[component]
pub fn RequestFlow(
    /// The run.
    report: Signal<Option<Shared<Report>>>,
    /// The timeline position, in seconds.
    cursor_s: Signal<f64>,
) -> impl IntoView {
    let state = move || {
        report.with(|r| {
            let r = r.as_ref()?;
            let t_us = engine::time::s_to_us(cursor_s.get());
            if t_us >= engine::time::s_to_us(r.summary.duration_s) {
                return None; // At the end: nothing more arrives.
            }
            let w = window_us(r);
            let logged = r.events.last().is_some_and(|e| e.t_us >= t_us + w) || !r.events_truncated;
            let dots = upcoming(r, t_us, w);
            let text = if logged {
                let count = |f: Fate| dots.iter().filter(|d| d.1 == f).count();
                format!(
                    "Next {}: {} {} ({} cold, {} throttled)",
                    engine::time::format_duration_us(w),
                    crate::format::count(dots.len() as u64, "request"),
                    crate::format::plural_of(dots.len() as u64, "arrives", "arrive"),
                    count(Fate::Cold),
                    count(Fate::Throttled)
                )
            } else {
                let rows = &r.series.rows;
                let b = ((cursor_s.get() / r.series.bucket_s.max(1e-9)) as usize)
                    .min(rows.len().saturating_sub(1));
                rows.get(b).map_or_else(String::new, |row| {
                    format!(
                        "Past the kept events: this {} bucket has {}, {}, {} throttled",
                        engine::time::format_duration_us(engine::time::s_to_us(r.series.bucket_s)),
                        crate::format::count(row.arrivals, "arrival"),
                        crate::format::count(row.cold_starts, "cold start"),
                        group(row.throttles)
                    )
                })
            };
            let w = w.max(1) as f64;
            let dots: Vec<(String, &'static str)> = dots
                .into_iter()
                .map(|(t, f)| {
                    let ahead = t.saturating_sub(t_us) as f64 / w;
                    (
                        format!("{}%", crate::format::fixed((1.0 - ahead) * 92.0, 2)),
                        f.class(),
                    )
                })
                .collect();
            Some((dots, text))
        })
    };
    move || {
        state().map(|(dots, text)| {
            view! {
                <div class="flow" data-testid="flow">
                    <div class="flow-track" aria-hidden="true">
                        {dots.into_iter().map(|(left, class)| view! { <span class=class style:left=left></span> }).collect_view()}
                        <span class="flow-fn">"\u{03bb}"</span>
                    </div>
                    <p class="flow-text">{text}</p>
                </div>
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dots_are_the_engines_arrivals_with_their_fates() {
        let s = engine::Scenario::from_toml(
            "duration_s = 20\n[[functions]]\nname = \"f\"\nreserved_concurrency = 2\nhandler.io_ms = 500\nworkload = { kind = \"constant\", rate_per_s = 10 }\n",
        )
        .expect("valid");
        let r = engine::run(&s).expect("runs");
        let all = upcoming(&r, 0, engine::time::s_to_us(2.0));
        assert_eq!(all.len(), 20, "10 a second for 2 s");
        assert_eq!(all.iter().filter(|d| d.1 == Fate::Cold).count(), 2);
        assert!(all.iter().any(|d| d.1 == Fate::Throttled));
        assert!(all.windows(2).all(|w| w[0].0 <= w[1].0));
        let w = window_us(&r);
        let w_s = w as f64 / 1e6;
        assert!((w_s - 2.0).abs() < 0.05, "about 20 arrivals: {w_s} s");
    }
}
