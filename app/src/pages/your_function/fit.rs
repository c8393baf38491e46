//! The fit check: the engine's run of the calibrated scenario beside the log, figure by figure
//! with the difference in per cent, and the scenario itself, to open in the lab or download.

use calibrate::Row;
use leptos::prelude::*;

use super::Page;
use crate::components::chart::download_text;
use crate::route;

/// A figure in its unit: "512.3 ms", "12.5%", "1,689", "$0.0123".
pub(super) fn value(v: f64, unit: &str) -> String {
    match unit {
        "ms" => crate::format::duration_ms_of(v, 1),
        "%" => format!("{v:.1}%"),
        "USD" => format!("${}", dollars(v)),
        _ if v.fract() == 0.0 && v.abs() < 1e15 => engine::report::group(v.abs() as u64),
        _ => format!("{v:.1}"),
    }
}

/// Dollars with as many decimals as a small sum needs.
fn dollars(v: f64) -> String {
    if v >= 1.0 {
        format!("{v:.2}")
    } else if v >= 0.01 {
        format!("{v:.4}")
    } else {
        format!("{v:.6}")
    }
}

/// A difference in per cent, signed, or a dash when there is none to give.
pub(super) fn diff(d: Option<f64>) -> String {
    match d {
        Some(d) if d.abs() < 0.05 => "0.0%".to_string(),
        Some(d) => format!("{d:+.1}%"),
        None => "\u{2014}".to_string(),
    }
}

/// One row of a log-against-engine table.
pub(super) fn row_view(r: &Row, what: &str) -> impl IntoView {
    view! {
        <tr data-figure=r.figure.clone()>
            <th scope="row">{r.figure.clone()}{(!what.is_empty()).then(|| view! { <span class="what">{what.to_string()}</span> })}</th>
            <td>{value(r.log, &r.unit)}</td>
            <td>{value(r.engine, &r.unit)}</td>
            <td class="diff">{diff(r.diff_pct)}</td>
        </tr>
    }
}

/// The fit check and the calibrated scenario.
#[component]
pub(super) fn FitCheck(
    /// The page's state.
    page: Page,
) -> impl IntoView {
    let twin = page.twin;
    let toml = move || {
        twin.with(|t| {
            t.as_ref()
                .map(|t| t.calibration.toml.clone())
                .unwrap_or_default()
        })
    };
    let lab_href = move || format!("#/lab?s={}", route::encode(&toml()));
    let download = move |_| download_text(&toml(), "scenario.toml", "application/toml");
    view! {
        <div class="yf-fit" class:hidden=move || twin.with(Option::is_none)>
            <h2>"The twin beside the log"</h2>
            <p>
                "The engine ran the calibrated scenario once, with the log's traffic; its invocations are read as a log "
                "and measured the same way as yours. Cold starts are not copied from the log: they come out of the model."
            </p>
            <table class="compare" data-testid="yf-compare">
                <caption>"The log and the engine's run of its twin"</caption>
                <thead><tr><th scope="col">"Figure"</th><th scope="col">"Log"</th><th scope="col">"Engine"</th><th scope="col">"Difference"</th></tr></thead>
                <tbody>
                    {move || twin.get().map(|t| t.comparison.rows.iter().map(|r| row_view(r, "")).collect_view())}
                </tbody>
            </table>
            {move || twin.get().map(|t| {
                let fits = [("Duration", Some(&t.calibration.handler)), ("Init Duration", t.calibration.init.as_ref())];
                view! {
                    <ul class="muted small fit-notes" data-testid="yf-fit-notes">
                        {fits.into_iter().filter_map(|(name, fit)| {
                            let fit = fit?;
                            let p95 = fit.lognormal_p95?;
                            Some(view! { <li>{format!(
                                "{name}: the engine replays the log's own percentiles (101 points); a log-normal of the same p50 and p99 would give p95 {:.1} ms against the log's {:.1} ms ({}).",
                                p95, fit.summary.p95, diff(fit.lognormal_p95_diff_pct))}</li> })
                        }).collect_view()}
                        {t.comparison.notes.iter().map(|n| view! { <li>{n.clone()}</li> }).collect_view()}
                    </ul>
                }
            })}
            <h3>"The calibrated scenario"</h3>
            <p class="muted small">"An ordinary scenario of the lab, each number annotated with where it came from."</p>
            <textarea class="scenario-out" data-testid="yf-toml" rows="14" readonly spellcheck="false" aria-label="The calibrated scenario (TOML)"
                prop:value=toml></textarea>
            <div class="lab-actions">
                <a class="primary button-link" data-testid="yf-open-lab" href=lab_href>"Open in the lab"</a>
                <button type="button" class="secondary" data-testid="yf-download" on:click=download>"Download scenario.toml"</button>
            </div>
        </div>
    }
}
