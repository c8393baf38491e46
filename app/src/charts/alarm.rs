//! The first alarm: its metric per period against the threshold, its ALARM periods shaded red,
//! and a deployment's traffic shifts and end marked.

use engine::report::{AlarmValue, Report};

use super::palette::Role;
use super::plain;
use super::time::{Bands, Limit, Shape, Ticks, TimeChart, Values};

/// The first alarm's datapoints against its threshold, its ALARM periods shaded red, and a
/// deployment's traffic shifts and end marked.
pub fn chart(report: &Report) -> TimeChart {
    let end_s = report.summary.duration_s;
    let Some(alarm) = report.alarms.first() else {
        return TimeChart::new("No alarm in this scenario", Ticks::Plain, 1.0);
    };
    let values = alarm.datapoints.iter().filter_map(|d| d.value);
    let y_max = values.fold(alarm.threshold.max(0.0), f64::max).max(1e-9) * 1.25;
    // ALARM from each transition to the next.
    let mut spans = Vec::new();
    let mut from = None;
    for t in &alarm.transitions {
        match (t.state, from) {
            (AlarmValue::Alarm, None) => from = Some(t.t_s),
            (AlarmValue::Alarm, Some(_)) => {}
            (_, Some(start)) => {
                spans.push((start, t.t_s));
                from = None;
            }
            (_, None) => {}
        }
    }
    if let Some(start) = from {
        spans.push((start, end_s));
    }
    let period = alarm.period_s;
    let mut chart = TimeChart::new(alarm.metric.clone(), Ticks::Plain, y_max)
        .unit(alarm.unit.clone())
        .series(
            format!("{} per {} s", alarm.name, plain(&period)),
            Role::Busy,
            Shape::Line(2),
            Values::Points(
                alarm
                    .datapoints
                    .iter()
                    .flat_map(|d| {
                        let v = d.value.unwrap_or(0.0);
                        [(d.t_s - period, v), (d.t_s, v)]
                    })
                    .collect(),
            ),
        )
        .series(
            "breaching datapoint",
            Role::Throttle,
            Shape::Dots,
            Values::Points(
                alarm
                    .datapoints
                    .iter()
                    .filter(|d| d.breaching)
                    .filter_map(|d| d.value.map(|v| (d.t_s, v)))
                    .collect(),
            ),
        );
    chart.bands = Some(Bands {
        label: "in ALARM".into(),
        colour: Role::Throttle,
        spans,
    });
    chart.limits.push(Limit {
        y: alarm.threshold,
        label: format!("threshold {} {}", plain(&alarm.threshold), alarm.unit),
    });
    // A deployment's shifts: a vertical mark labelled with the new version's share.
    if let Some(d) = report.deployments.first() {
        for &(t, w) in d.weights.iter().skip(1) {
            let label = if d.ended_s == Some(t) && d.rollback_alarm.is_some() {
                "rolled back".to_string()
            } else {
                format!("v{} {:.0}%", d.to_version, w * 100.0)
            };
            chart.marks.push((t, label));
        }
    }
    chart
}

/// The alarm chart in words, for screen readers.
pub fn describe(report: &Report) -> String {
    match report.alarms.first() {
        None => "This scenario has no alarm.".into(),
        Some(a) => {
            let fired = a
                .first_alarm_s
                .map_or("never went to ALARM".to_string(), |t| {
                    format!("first went to ALARM at {t:.0} s")
                });
            let deploy = report.deployments.first().map_or(String::new(), |d| {
                format!(
                    " The deployment to version {} {}.",
                    d.to_version,
                    match d.status {
                        engine::report::DeploymentStatus::RolledBack => "rolled back",
                        engine::report::DeploymentStatus::Succeeded => "completed",
                        engine::report::DeploymentStatus::InProgress => "was still shifting",
                        engine::report::DeploymentStatus::Pending => "had not started",
                    }
                )
            });
            format!("Alarm {} ({}) {fired}.{deploy}", a.name, a.metric)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{functions, palette, svg, time};

    fn run(text: &str) -> engine::Report {
        engine::run(&engine::Scenario::from_toml(text).expect("valid")).expect("runs")
    }

    #[test]
    fn the_alarm_chart_shows_threshold_alarm_and_rollback() {
        let r = run(include_str!(
            "../../../engine/scenarios/canary-rollback.toml"
        ));
        let out = svg((720, 240), |a| {
            time::draw(a, &r, &super::chart(&r), &palette::DARK)
        });
        for text in [
            "threshold 5 count",
            "in ALARM",
            "rolled back",
            "v2 10%",
            "Errors (Sum) (count)",
        ] {
            assert!(out.contains(text), "{text} on the alarm chart");
        }
        let f = svg((720, 240), |a| {
            time::draw(a, &r, &functions::chart(&r), &palette::LIGHT)
        });
        assert!(f.contains("checkout:1 invocations") && f.contains("checkout:2 errors"));
    }
}
