//! "How faithful is this model?": the engine, in your browser, against the published SimFaaS
//! figures and the cold-start probabilities measured on AWS Lambda by SimFaaS's authors.

use crate::canvas::Canvas;
use leptos::prelude::*;
use plotters::prelude::*;
use serde_json::{json, Value};

use crate::charts::palette;
use crate::charts::validation::{self, Row};
use crate::theme::ThemeCtx;

const REFERENCE: &str = include_str!("../../../engine/tests/data/simfaas-reference.json");
/// `engine/scenarios/simfaas-baseline.toml`, turned into JSON by `build.rs`.
const BASELINE: &str = include_str!(concat!(env!("OUT_DIR"), "/baseline.json"));

/// What one validation run produced.
#[derive(Debug, Clone, PartialEq)]
struct Outcome {
    baseline: Vec<(String, f64, f64, f64, f64)>,
    rows: Vec<Row>,
    invocations: u64,
    elapsed_ms: f64,
}

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

fn get(v: &Value, path: &[&str]) -> Option<f64> {
    path.iter()
        .try_fold(v, |v, k| v.get(*k))
        .and_then(Value::as_f64)
}

/// What every run changes in the baseline: the figures shown here need no per-request
/// detail, so none is recorded.
fn quiet() -> Vec<(String, Value)> {
    vec![
        ("record.lanes".into(), json!(0)),
        ("record.events".into(), json!(0)),
    ]
}

/// What a row of the AWS measurements changes in the baseline, on top of [`quiet`]: its
/// arrival rate, and the handler and Init times of the measured function. The worker's tests
/// check that these knobs give the scenario this page ran when it edited the baseline itself
/// (`worker/src/lib.rs`, `the_validation_pages_knobs_...`).
fn row_knobs(rate_per_s: f64) -> Vec<(String, Value)> {
    let mut knobs = quiet();
    knobs.extend([
        // Warm 1.981 s on average, cold 2.304 s: Init 323 ms on top of the handler (the note in the data).
        (
            "functions[0].handler.cpu_ms".into(),
            json!({ "kind": "exponential", "mean": 1981.0 }),
        ),
        (
            "functions[0].init_ms".into(),
            json!({ "kind": "constant", "value": 323.0 }),
        ),
        (
            "functions[0].workload".into(),
            json!({ "kind": "poisson", "rate_per_s": rate_per_s }),
        ),
        (
            "duration_s".into(),
            json!((20_000.0 / rate_per_s).min(engine::scenario::MAX_DURATION_S)),
        ),
        ("bucket_s".into(), Value::Null),
    ]);
    knobs
}

/// The baseline with `knobs` set, run in the engine's worker.
async fn run_one(
    baseline: &Value,
    knobs: Vec<(String, Value)>,
) -> Result<crate::shared::Shared<engine::Report>, String> {
    let job = bridge::RunJob {
        scenario: bridge::ScenarioInput::Json(baseline.clone()),
        knobs,
        seed: None,
        source: "validation scenario".into(),
    };
    crate::runner::run("validation", job)
        .await
        .map(|done| done.report)
}

async fn run_all() -> Result<Outcome, String> {
    let reference: Value =
        serde_json::from_str(REFERENCE).map_err(|e| format!("reference data: {e}"))?;
    let start = now_ms();
    let mut invocations = 0;
    let baseline_scenario: Value =
        serde_json::from_str(BASELINE).map_err(|e| format!("baseline scenario: {e}"))?;
    let report = run_one(&baseline_scenario, quiet()).await?;
    invocations += report.summary.invocations;
    let s = &report.summary;
    let base = &reference["baseline"];
    let mut baseline = Vec::new();
    for (key, ours, tol) in [
        ("cold_start_ratio", s.cold_start_ratio, 0.10),
        ("env_count_mean", s.env_count_mean, 0.03),
        ("busy_env_mean", s.busy_env_mean, 0.02),
        ("idle_env_mean", s.idle_env_mean, f64::NAN),
    ] {
        let mean = get(base, &["simfaas_5_seeds", key, "mean"])
            .ok_or_else(|| format!("reference data: baseline.{key} is missing"))?;
        let sd = get(base, &["simfaas_5_seeds", key, "sd"]).unwrap_or(0.0);
        baseline.push((key.to_string(), mean, sd, ours, tol));
    }
    let mut rows = Vec::new();
    let measured = reference["measured_aws_2020"]["rows"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for r in measured {
        let (Some(rate), Some(exp), Some(sim)) = (
            get(&r, &["lam"]),
            get(&r, &["exp_pcold"]),
            get(&r, &["sim_pcold"]),
        ) else {
            continue;
        };
        let rep = run_one(&baseline_scenario, row_knobs(rate)).await?;
        invocations += rep.summary.invocations;
        rows.push(Row {
            rate_per_s: rate,
            measured: exp,
            measured_se: get(&r, &["exp_se"]).unwrap_or(0.0),
            simfaas: sim,
            engine: rep.summary.cold_start_ratio,
        });
    }
    rows.sort_by(|a, b| a.rate_per_s.total_cmp(&b.rate_per_s));
    Ok(Outcome {
        baseline,
        rows,
        invocations,
        elapsed_ms: now_ms() - start,
    })
}

/// The validation page.
#[component]
pub fn Validation() -> impl IntoView {
    let (outcome, set_outcome) = signal(None::<Result<Outcome, String>>);
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    let theme = use_context::<ThemeCtx>();
    Effect::new(move |_| {
        let dark = theme.is_some_and(|t| t.dark.get());
        let Some(Ok(o)) = outcome.get() else { return };
        let Some(el) = canvas.get() else { return };
        el.set_width(el.client_width().max(280) as u32);
        el.set_height(300);
        if let Some(b) = Canvas::new(el) {
            let _ = validation::draw(&b.into_drawing_area(), &o.rows, palette::of(dark));
        }
    });
    let (running, set_running) = signal(false);
    let run = move |_| {
        set_running.set(true);
        leptos::task::spawn_local(async move {
            let outcome = run_all().await;
            set_outcome.try_set(Some(outcome));
            set_running.try_set(false);
        });
    };
    view! {
        <section class="validation">
            <h1>"How faithful is this model?"</h1>
            <p class="lede">
                "The engine runs here, in your browser, against figures published by the authors of SimFaaS "
                "(Mahmoudi and Khazaei, 2021): their simulator's results and cold-start probabilities they measured on AWS Lambda in 2020."
            </p>
            <button type="button" class="primary" data-testid="run-validation" disabled=move || running.get() on:click=run>
                {move || if running.get() { "Running\u{2026}" } else { "Run the validation" }}
            </button>
            {move || outcome.get().map(|o| match o {
                Err(e) => view! { <p class="error">{e}</p> }.into_any(),
                Ok(o) => {
                    let rate = o.invocations as f64 / (o.elapsed_ms / 1000.0).max(1e-9);
                    view! {
                        <p data-testid="wasm-rate" data-invocations-per-s=format!("{rate:.0}")>
                            {format!("{} simulated in {:.0} ms: {} invocations per second in WebAssembly.",
                                crate::format::count(o.invocations, "invocation"), o.elapsed_ms, engine::report::group(rate as u64))}
                        </p>
                        <h2>"The SimFaaS baseline"</h2>
                        <p>"Poisson arrivals at 0.9 per second, handler exponential with mean 1,991 ms, Init 253 ms, idle expiry 600 s, 1,000,000 s."</p>
                        <table class="compare" data-testid="baseline-table">
                            <thead><tr><th scope="col">"Figure"</th><th scope="col">"SimFaaS (5 seeds)"</th><th scope="col">"This engine"</th><th scope="col">"Difference"</th><th scope="col">"Tolerance"</th></tr></thead>
                            <tbody>
                                {o.baseline.into_iter().map(|(k, mean, sd, ours, tol)| {
                                    let diff = (ours - mean) / mean;
                                    let verdict = if tol.is_nan() { "\u{2014}".to_string() } else if diff.abs() <= tol { format!("\u{2713} within {:.0}%", tol * 100.0) } else { format!("\u{2717} over {:.0}%", tol * 100.0) };
                                    view! { <tr><th scope="row"><code>{k}</code></th><td>{format!("{mean:.5} \u{00b1} {sd:.5}")}</td><td>{format!("{ours:.5}")}</td><td>{format!("{:+.1}%", diff * 100.0)}</td><td>{verdict}</td></tr> }
                                }).collect_view()}
                            </tbody>
                        </table>
                        <h2>"Cold-start probability against AWS measurements"</h2>
                        <figure class="chart">
                            <canvas node_ref=canvas role="img" aria-label="Cold-start probability against arrival rate: measured on AWS, SimFaaS and this engine" class="tall"></canvas>
                        </figure>
                        <table class="compare">
                            <thead><tr><th scope="col">"Requests per second"</th><th scope="col">"Measured on AWS"</th><th scope="col">"SimFaaS"</th><th scope="col">"This engine"</th></tr></thead>
                            <tbody>
                                {o.rows.into_iter().map(|r| view! {
                                    <tr><td>{format!("{:.4}", r.rate_per_s)}</td><td>{format!("{:.4} \u{00b1} {:.4}", r.measured, r.measured_se)}</td><td>{format!("{:.4}", r.simfaas)}</td><td>{format!("{:.4}", r.engine)}</td></tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                        <p class="muted">"The model's simplifications: arrivals are Poisson; the handler time is exponential; Init is constant; an idle environment lives exactly 600 s. Real Lambda varies more, which is why the measured points scatter around the curves."</p>
                    }.into_any()
                }
            })}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The page reads the baseline without serde_json's `float_roundtrip` and sends it to the
    /// worker: every number in it must read back to the same bits in any reader.
    #[test]
    fn the_baseline_reads_back_exactly_in_the_page() {
        let baseline: Value = serde_json::from_str(BASELINE).expect("the baseline is JSON");
        curriculum::html::exact_in_any_reader(&baseline, &mut String::new())
            .expect("every number exact");
    }
}
