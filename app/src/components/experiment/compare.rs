//! The experiment's sides: A always, B while comparing on the same seeded workload, each with
//! its knobs, charts and the summary line of the lesson's figures; and the table of B's figures
//! against A's.

use curriculum::ShownFigure;
use engine::Report;
use leptos::prelude::*;
use serde_json::Value;

use super::figures::{figure_value, summary_line};
use super::knob::KnobControl;
use super::state::Runs;
use crate::charts::ChartKind;
use crate::components::chart::Chart;
use crate::components::flow::RequestFlow;
use crate::components::queues::QueueBoxes;
use crate::shared::Shared;

/// Starts comparing (B starts as a copy of A) or stops.
pub(super) fn toggle(runs: Runs) {
    if runs.values_b.with_untracked(Option::is_some) {
        runs.values_b.set(None);
    } else {
        runs.values_b.set(Some(runs.values_a.get_untracked()));
    }
}

/// What both sides draw: the charts, where the cursor is, and the names they go by.
#[derive(Clone)]
pub(super) struct Layout {
    /// The charts the lesson asks for, in order.
    pub charts: Vec<ChartKind>,
    /// The figures the summary line shows, in order.
    pub figures: Vec<ShownFigure>,
    /// The moment shown, in simulated seconds.
    pub t_s: RwSignal<f64>,
    /// Moves to a time (a click on a chart).
    pub pick: Callback<f64>,
    /// Element ids start with this (the experiment's id).
    pub id_stem: String,
    /// Export file names start with this.
    pub file_stem: String,
    /// Whether a bet on this experiment is still open: its answers (charts, flow, verdict)
    /// stay blurred and hidden from assistive technology until it is locked.
    pub pending: Signal<bool>,
}

/// Side A and, while comparing, side B.
#[component]
pub(super) fn Sides(
    /// The experiment's state.
    runs: Runs,
    /// Whether side B shows.
    comparing: Memo<bool>,
    /// What both sides draw.
    layout: Layout,
) -> impl IntoView {
    let layout_b = StoredValue::new(layout.clone());
    view! {
        <div class=move || if comparing.get() { "sides two" } else { "sides" }>
            <Side label="A" values=runs.values_a report=runs.report_a err=runs.err_a suffix="" runs=runs layout=layout/>
            {move || comparing.get().then(|| {
                let vb = RwSignal::new(runs.values_b.get_untracked().unwrap_or_default());
                Effect::new(move |_| {
                    let v = vb.get();
                    runs.values_b.update(|b| if b.as_ref() != Some(&v) { *b = Some(v) });
                });
                view! { <Side label="B" values=vb report=runs.report_b err=runs.err_b suffix="-b" runs=runs layout=layout_b.get_value()/> }
            })}
        </div>
    }
}

/// One side: its knobs, the request flow and queues, its charts and its summary line.
#[component]
fn Side(
    /// "A" or "B".
    label: &'static str,
    /// This side's knob values.
    values: RwSignal<Vec<Value>>,
    /// Its run.
    report: Signal<Option<Shared<Report>>>,
    /// Why it has no run.
    err: Signal<Option<String>>,
    /// Added to element ids and file names: "" for A, "-b" for B.
    suffix: &'static str,
    /// The experiment's state (its knobs, and the engine's time for the benchmark).
    runs: Runs,
    /// What both sides draw.
    layout: Layout,
) -> impl IntoView {
    let Layout {
        charts,
        figures,
        t_s,
        pick,
        id_stem,
        file_stem,
        pending,
    } = layout;
    let engine_ms = runs.engine_ms;
    // Requests flowing in go with the environment lanes: both show the run moment by moment.
    let show_flow = charts.contains(&ChartKind::Lanes);
    let knobs = runs.knobs.get_value();
    let controls = knobs
        .iter()
        .cloned()
        .enumerate()
        .map(|(i, k)| {
            // A knob that matters only once another is set: where that one is, and the note.
            let needs = k.needs.as_ref().and_then(|n| {
                let j = knobs.iter().position(|o| o.id == n.knob)?;
                Some((j, n.clone(), n.note(&knobs)))
            });
            match needs {
                Some(n) => view! { <KnobControl knob=k index=i values=values id_prefix=format!("{id_stem}{suffix}") needs=n/> }.into_any(),
                None => view! { <KnobControl knob=k index=i values=values id_prefix=format!("{id_stem}{suffix}")/> }.into_any(),
            }
        })
        .collect_view();
    let chart_views = charts
        .iter()
        .map(|&kind| view! { <Chart kind=kind report=report cursor_s=t_s.into() on_pick=pick file_stem=format!("{file_stem}{suffix}")/> })
        .collect_view();
    view! {
        <div class="side" data-side=label>
            <div class="controls">{controls}</div>
            <div class="answers" class:pending=move || pending.get()
                aria-hidden=move || pending.get().then_some("true") inert=move || pending.get()>
            {show_flow.then(|| view! { <RequestFlow report=report cursor_s=t_s.into()/> })}
            <QueueBoxes report=report cursor_s=t_s.into()/>
            {chart_views}
            <p class="verdict" data-testid=format!("verdict{suffix}") aria-live="polite"
                data-run=move || report.with(|r| r.as_ref().map(|r| r.serial().to_string()))
                data-engine-ms=move || report.with(|r| r.as_ref().map(|_| crate::format::fixed(engine_ms.get_value(), 2)))
                data-summary=move || report.with(|r| r.as_ref().map(|r| crate::format::json(&r.summary).unwrap_or_default()))>
                {move || match (report.get(), err.get()) {
                    (Some(r), _) => summary_line(&figures, &r),
                    (None, Some(e)) => e,
                    (None, None) => String::new(),
                }}
            </p>
            </div>
        </div>
    }
}

/// B's figures against A's, while both have run.
#[component]
pub(super) fn CompareTable(
    /// Side A's run.
    a: Signal<Option<Shared<Report>>>,
    /// Side B's run.
    b: Signal<Option<Shared<Report>>>,
    /// The figures compared: the lesson's, as the summary line shows them.
    figures: Vec<ShownFigure>,
) -> impl IntoView {
    let diff = move || {
        let (a, b) = (a.get()?, b.get()?);
        Some(compare_rows(&figures, &a, &b))
    };
    view! {
        {move || diff().map(|rows| view! {
            <table class="compare" data-testid="compare">
                <caption>"B against A, same seeded workload"</caption>
                <thead><tr><th scope="col">"Figure"</th><th scope="col">"A"</th><th scope="col">"B"</th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|(name, a, b)| view! { <tr><th scope="row">{name}</th><td>{a}</td><td>{b}</td></tr> }).collect_view()}
                </tbody>
            </table>
        })}
    }
}

/// The lesson's figures, A's against B's, as the summary line shows them.
fn compare_rows(figures: &[ShownFigure], a: &Report, b: &Report) -> Vec<(String, String, String)> {
    let value =
        |f: &ShownFigure, r: &Report| f.metric.read(r).map_or_else(|e| e, |v| figure_value(f, v));
    figures
        .iter()
        .map(|f| (f.label.clone(), value(f, a), value(f, b)))
        .collect()
}
