//! The queue and the dead-letter queue drawn as containers that fill up, at the timeline's
//! moment: how many messages wait, how old the oldest is, how many were dead-lettered.

use engine::report::group;
use engine::Report;
use leptos::prelude::*;

use crate::shared::Shared;

/// Queue and DLQ at the cursor (nothing for a scenario without queues).
#[component]
pub fn QueueBoxes(
    /// The run.
    report: Signal<Option<Shared<Report>>>,
    /// The timeline position, in seconds.
    cursor_s: Signal<f64>,
) -> impl IntoView {
    let state = move || {
        report.with(|r| {
            let r = r.as_ref()?;
            let s = &r.summary;
            if s.queue_depth_max == 0 && s.dlq_depth == 0 && s.dead_letter_errors == 0 {
                return None;
            }
            let rows = &r.series.rows;
            let b = ((cursor_s.get() / r.series.bucket_s.max(1e-9)) as usize)
                .min(rows.len().saturating_sub(1));
            let row = rows.get(b)?;
            let peak = rows
                .iter()
                .map(|x| x.queue_depth_max.max(x.dlq_depth))
                .max()
                .unwrap_or(1)
                .max(1);
            Some((
                row.queue_depth_max,
                row.dlq_depth,
                row.queue_age_ms_max,
                peak,
                row.dead_letter_errors,
            ))
        })
    };
    move || {
        state().map(|(q, d, age, peak, lost)| {
            let pct = |n: u64| format!("{}%", crate::format::fixed((n as f64 / peak as f64 * 100.0).min(100.0), 1));
            view! {
                <div class="queues" role="group" aria-label="Queues at this moment" data-testid="queues">
                    <div class="container queue">
                        <span class="container-fill" style:width=pct(q)></span>
                        <span class="container-label">"Queue"</span>
                        <span class="container-count">{format!("up to {} waiting, oldest {}", group(q), crate::format::duration_s(age / 1000.0))}</span>
                    </div>
                    <div class="container dlq">
                        <span class="container-fill" style:width=pct(d)></span>
                        <span class="container-label">"Dead-letter queue"</span>
                        <span class="container-count">{
                            if lost > 0 {
                                format!("{} kept, {} lost (DeadLetterErrors)", group(d), group(lost))
                            } else {
                                format!("{} kept for a retry by hand", group(d))
                            }
                        }</span>
                    </div>
                </div>
            }
        })
    }
}
