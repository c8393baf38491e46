//! What an experiment shows a learner, as the checker compares it: the figures of its summary
//! line and the data each of its charts draws; and the rule that a figure's wording names the
//! function it reads.

use engine::{Report, Scenario};

use crate::chart::ChartKind;
use crate::metric::{Figure, LedgerFigure, Metric};
use crate::schema::Experiment;

/// Everything the experiment shows of a run, as text: two runs that show the same are equal.
/// A chart contributes the series it draws (not its styling), each figure its value.
pub(crate) fn shown(x: &Experiment, report: &Report) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for f in &x.figures {
        out.push(format!("{}={:?}", f.metric, f.metric.read(report)?));
    }
    let rows = &report.series.rows;
    let by_fn = &report.series.by_function;
    for kind in &x.charts {
        let data = match kind {
            ChartKind::Lanes => format!("{:?}", report.lanes),
            ChartKind::Envs => format!(
                "{:?}",
                rows.iter()
                    .map(|r| (
                        r.envs_mean,
                        r.busy_mean,
                        r.init_mean,
                        r.idle_mean,
                        r.cold_starts
                    ))
                    .collect::<Vec<_>>()
            ),
            ChartKind::Concurrency => format!(
                "{:?}",
                rows.iter().map(|r| r.concurrency_max).collect::<Vec<_>>()
            ),
            ChartKind::Latency => format!(
                "{:?}",
                rows.iter()
                    .map(|r| (r.p50_ms, r.p95_ms, r.p99_ms, r.completions))
                    .collect::<Vec<_>>()
            ),
            ChartKind::Throttles => format!(
                "{:?}",
                rows.iter()
                    .map(|r| (r.throttles, r.retries))
                    .collect::<Vec<_>>()
            ),
            ChartKind::Cost => format!(
                "{:?}",
                rows.iter().map(|r| r.cost_cum_usd).collect::<Vec<_>>()
            ),
            ChartKind::Queue => format!(
                "{:?}",
                rows.iter()
                    .map(|r| (r.queue_depth_max, r.dlq_depth))
                    .collect::<Vec<_>>()
            ),
            ChartKind::Functions => format!(
                "{:?}",
                by_fn
                    .iter()
                    .map(|f| f
                        .iter()
                        .map(|b| (b.invocations, b.errors))
                        .collect::<Vec<_>>())
                    .collect::<Vec<_>>()
            ),
            ChartKind::Alarm => format!("{:?}{:?}", report.alarms, report.deployments),
            ChartKind::Trace => format!("{:?}", report.tracing),
            ChartKind::Cache => format!(
                "{:?}",
                by_fn
                    .iter()
                    .map(|f| {
                        f.iter()
                            .map(|b| (b.cache_hits, b.cache_misses))
                            .collect::<Vec<_>>()
                    })
                    .collect::<Vec<_>>()
            ),
            ChartKind::Iam => format!(
                "{:?}",
                report
                    .functions
                    .iter()
                    .map(|f| {
                        let s = &f.summary;
                        (s.iam_allowed, s.iam_denied, s.iam_harmful_allowed)
                    })
                    .collect::<Vec<_>>()
            ),
        };
        out.push(format!("{}:{data}", kind.name()));
    }
    Ok(out)
}

/// The words of a name, lower case: `orders-queued` gives `orders`, `queued`.
fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Whether `label` names the function `name`: every word of the name is a word of the label.
fn names(label: &str, name: &str) -> bool {
    let said = words(label);
    let name = words(name);
    !name.is_empty() && name.iter().all(|w| said.contains(w))
}

/// The function a metric reads (a version's function for `checkout:2`), if it reads one.
fn scope(metric: &Metric) -> Option<&str> {
    match metric {
        Metric::Function { function, .. } | Metric::Deployment { function, .. } => {
            Some(function.split(':').next().unwrap_or(function))
        }
        _ => None,
    }
}

/// The wording rule: a label that names one of the scenario's functions must read that
/// function's metric; a metric of one function, in a scenario of several, needs a label naming
/// it; a metric of a version (`checkout:2`) needs a label saying "version 2".
pub(crate) fn check_wording(
    scenario: &Scenario,
    metric: &Metric,
    label: &str,
) -> Result<(), String> {
    let functions: Vec<&str> = scenario.functions.iter().map(|f| f.name.as_str()).collect();
    let own = scope(metric);
    let named: Vec<&str> = functions
        .iter()
        .copied()
        .filter(|f| names(label, f))
        // "orders" inside "orders-queued": the longer name wins.
        .collect();
    let named: Vec<&str> = named
        .iter()
        .copied()
        .filter(|f| !named.iter().any(|g| g != f && names(g, f)))
        .collect();
    match own {
        None => {
            if functions.len() > 1 {
                if let Some(f) = named.first() {
                    return Err(format!(
                        "\"{label}\" names the function \"{f}\" but {metric} counts the whole run; use {f}.<figure> or reword"
                    ));
                }
            }
        }
        Some(own) => {
            if let Some(f) = named.iter().find(|f| **f != own) {
                return Err(format!(
                    "\"{label}\" names the function \"{f}\" but {metric} reads \"{own}\""
                ));
            }
            if functions.len() > 1 && !named.contains(&own) {
                return Err(format!(
                    "{metric} reads one function of several: the label must name it (\"{own}\"), not \"{label}\""
                ));
            }
        }
    }
    // Throttles: the summary counts attempts (every retry), the ledger requests (how each ended).
    let said = words(label);
    let attempts = said.iter().any(|w| w.starts_with("attempt"));
    match metric {
        Metric::Summary(f) | Metric::Function { figure: f, .. }
            if matches!(f, Figure::Throttled | Figure::ThrottleRatio) && !attempts =>
        {
            return Err(format!(
                "{metric} counts attempts (every retry): say \"attempts\" in \"{label}\", or use ledger.throttled for requests that ended throttled"
            ));
        }
        Metric::Ledger(LedgerFigure::Throttled) if attempts => {
            return Err(format!(
                "{metric} counts requests that ended throttled, not attempts: reword \"{label}\" or use throttled"
            ));
        }
        // The Init phase alone, not a request's time: the label says so, and that it is a mean.
        Metric::Summary(Figure::InitMsMean)
        | Metric::Function {
            figure: Figure::InitMsMean,
            ..
        } if !(said.iter().any(|w| w == "init")
            && said.iter().any(|w| w == "mean" || w == "average")) =>
        {
            return Err(format!(
                "{metric} is the mean Init phase of the cold starts, not a request's time: say \"mean Init\" in \"{label}\""
            ));
        }
        _ => {}
    }
    if let Metric::Function { function, .. } = metric {
        if let Some((_, v)) = function.split_once(':') {
            let said = words(label);
            let ok = said
                .windows(2)
                .any(|w| w[0] == "version" && w[1] == v.to_lowercase())
                || said.contains(&format!("v{}", v.to_lowercase()));
            if !ok {
                return Err(format!(
                    "{metric} reads version {v}: the label must say \"version {v}\", not \"{label}\""
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_whole_words() {
        assert!(names("API p99", "api"));
        assert!(names("queued orders: most writes", "orders-queued"));
        assert!(!names("no order fails", "orders"));
        assert!(!names("rapid", "api"));
    }
}
