//! Charts of a system of functions: traffic per function or version, an alarm (with a
//! deployment's traffic shifts), one sampled trace as a waterfall, the cache hit ratio, and
//! what an IAM role allowed and denied.

use engine::report::{AlarmValue, Report, SpanKind};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::legend::{Corner, Keys, Mark};
use super::theme::Palette;
use super::{
    err, finish, finish_at, limit_line, line, plain, time_chart, TimeAxis, TimeChart, FONT,
};

/// Most functions or versions drawn as their own line.
const MAX_LINES: usize = 4;

/// The units with traffic, busiest first (at most `MAX_LINES`).
fn busy_units(report: &Report) -> Vec<usize> {
    let mut units: Vec<usize> = (0..report.functions.len())
        .filter(|&k| report.functions[k].summary.invocations > 0)
        .collect();
    units.sort_by_key(|&k| std::cmp::Reverse(report.functions[k].summary.invocations));
    units.truncate(MAX_LINES);
    units.sort_unstable();
    units
}

/// Invocations per second of each function or version (solid) and their errors (red).
pub fn draw_functions<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    report: &Report,
    pal: &Palette,
) -> Result<TimeAxis, String> {
    let bs = report.series.bucket_s.max(1e-9);
    let by = &report.series.by_function;
    let units = busy_units(report);
    let rate = |v: u64| v as f64 / bs;
    // Head room above the lines for the legend: two rows per function with errors.
    let entries = units
        .iter()
        .map(|&k| 1 + usize::from(by[k].iter().any(|b| b.errors > 0)))
        .sum::<usize>();
    let y_max = units
        .iter()
        .flat_map(|&k| by[k].iter().map(|b| rate(b.invocations)))
        .fold(1.0, f64::max)
        * (1.1 + 0.12 * entries as f64);
    let mut chart = time_chart(area, report, pal, y_max, "Per second", &plain)?;
    let mut keys = Keys::default();
    // Functions are told apart by shade of the invocation colours, never by a colour that
    // means something else (teal is money, green provisioned, purple retries).
    let midway = |a: RGBColor, b: RGBColor| {
        RGBColor(
            ((u16::from(a.0) + u16::from(b.0)) / 2) as u8,
            ((u16::from(a.1) + u16::from(b.1)) / 2) as u8,
            ((u16::from(a.2) + u16::from(b.2)) / 2) as u8,
        )
    };
    let shades = [pal.busy, pal.text, pal.idle, midway(pal.busy, pal.bg)];
    let half = bs / 2.0;
    for (i, &k) in units.iter().enumerate() {
        let name = &report.functions[k].name;
        let rows = &by[k];
        let width = if i == 0 { 2 } else { 3 };
        line(
            &mut chart,
            &mut keys,
            rows.iter()
                .enumerate()
                .map(|(b, r)| (b as f64 * bs + half, rate(r.invocations))),
            shades[i % shades.len()],
            width,
            &format!("{name} invocations"),
        )?;
        if rows.iter().any(|r| r.errors > 0) {
            let style = pal.throttle.stroke_width(1);
            chart
                .draw_series(
                    rows.iter()
                        .enumerate()
                        .filter(|(_, r)| r.errors > 0)
                        .map(|(b, r)| Cross::new((b as f64 * bs + half, rate(r.errors)), 4, style)),
                )
                .map_err(err)?;
            keys.push(format!("{name} errors"), Mark::Cross(pal.throttle));
        }
    }
    finish(chart, keys, area, report.summary.duration_s, pal)
}

/// The first alarm's datapoints against its threshold, its ALARM periods shaded red, and a
/// deployment's traffic shifts and end marked.
pub fn draw_alarm<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    report: &Report,
    pal: &Palette,
) -> Result<TimeAxis, String> {
    let end_s = report.summary.duration_s;
    let Some(alarm) = report.alarms.first() else {
        let chart = time_chart(area, report, pal, 1.0, "No alarm in this scenario", &plain)?;
        return finish(chart, Keys::default(), area, end_s, pal);
    };
    let values = alarm.datapoints.iter().filter_map(|d| d.value);
    let y_max = values.fold(alarm.threshold.max(0.0), f64::max).max(1e-9) * 1.25;
    let desc = format!("{} ({})", alarm.metric, alarm.unit);
    let mut chart = time_chart(area, report, pal, y_max, &desc, &plain)?;
    let mut keys = Keys::default();
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
    let shade = pal.throttle.mix(0.15).filled();
    chart
        .draw_series(
            spans
                .iter()
                .map(|&(a, b)| Rectangle::new([(a, 0.0), (b, y_max)], shade)),
        )
        .map_err(err)?;
    keys.push("in ALARM", Mark::Box(shade));
    let period = alarm.period_s;
    line(
        &mut chart,
        &mut keys,
        alarm.datapoints.iter().flat_map(|d| {
            let v = d.value.unwrap_or(0.0);
            [(d.t_s - period, v), (d.t_s, v)]
        }),
        pal.busy,
        2,
        &format!("{} per {} s", alarm.name, plain(&period)),
    )?;
    chart
        .draw_series(
            alarm
                .datapoints
                .iter()
                .filter(|d| d.breaching)
                .filter_map(|d| d.value.map(|v| (d.t_s, v)))
                .map(|p| Circle::new(p, 4, pal.throttle.filled())),
        )
        .map_err(err)?;
    keys.push("breaching datapoint", Mark::Circle(pal.throttle));
    limit_line(
        &mut chart,
        alarm.threshold,
        end_s,
        format!("threshold {} {}", plain(&alarm.threshold), alarm.unit),
        pal,
    )?;
    // A deployment's shifts: a vertical mark labelled with the new version's share.
    if let Some(d) = report.deployments.first() {
        let style = pal.limit.stroke_width(1);
        let font = (FONT, 12)
            .into_font()
            .color(&pal.muted)
            .pos(Pos::new(HPos::Left, VPos::Top));
        for &(t, w) in d.weights.iter().skip(1) {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(t, 0.0), (t, y_max)],
                    style,
                )))
                .map_err(err)?;
            let label = if d.ended_s == Some(t) && d.rollback_alarm.is_some() {
                "rolled back".to_string()
            } else {
                format!("v{} {:.0}%", d.to_version, w * 100.0)
            };
            chart
                .draw_series(std::iter::once(Text::new(
                    label,
                    (t + end_s * 0.005, y_max * 0.98),
                    font.clone(),
                )))
                .map_err(err)?;
        }
    }
    finish(chart, keys, area, end_s, pal)
}

/// The slowest sampled trace as a waterfall: one row per span, in ms from its start; queue
/// waits outlined grey, Init amber, invocations blue (red when they failed), the handler's I/O
/// light blue, calls to another function outlined.
pub fn draw_trace<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    report: &Report,
    pal: &Palette,
) -> Result<TimeAxis, String> {
    area.fill(&pal.bg).map_err(err)?;
    let trace = report.tracing.as_ref().and_then(|t| {
        t.traces.iter().max_by_key(|tr| {
            let end = tr
                .spans
                .iter()
                .map(|s| s.end_us)
                .max()
                .unwrap_or(tr.start_us);
            (
                end.saturating_sub(tr.start_us),
                std::cmp::Reverse(tr.request),
            )
        })
    });
    let Some(trace) = trace else {
        area.draw(&Text::new(
            "No sampled trace: turn tracing on, or raise the sampling rate",
            (16, 24),
            (FONT, 13).into_font().color(&pal.muted),
        ))
        .map_err(err)?;
        area.present().map_err(err)?;
        return Ok(TimeAxis::default());
    };
    let spans: Vec<_> = trace.spans.iter().take(24).collect();
    let t0 = trace.start_us;
    let end_ms = spans
        .iter()
        .map(|s| s.end_us.saturating_sub(t0) as f64 / 1000.0)
        .fold(1.0, f64::max)
        * 1.05;
    let name = |f: u16| {
        report
            .function_names
            .get(usize::from(f))
            .map_or("?", String::as_str)
    };
    let labels: Vec<String> = spans
        .iter()
        .map(|s| {
            let what = match s.kind {
                SpanKind::Queue => "queue",
                SpanKind::Init => "Init",
                SpanKind::Invocation if s.attempt > 0 => "retry",
                SpanKind::Invocation => "",
                SpanKind::Call => "call",
                SpanKind::Downstream => "I/O",
            };
            if what.is_empty() {
                name(s.function).to_string()
            } else {
                format!("{} {what}", name(s.function))
            }
        })
        .collect();
    let mut chart = rows_chart(
        area,
        &labels,
        end_ms,
        "Time since the request arrived (ms)",
        8,
        120,
        pal,
    )?;
    for (i, s) in spans.iter().enumerate() {
        let (a, b) = (
            s.start_us.saturating_sub(t0) as f64 / 1000.0,
            s.end_us.saturating_sub(t0) as f64 / 1000.0,
        );
        let b = b.max(a + end_ms * 0.002);
        let y = i as f64;
        let rect = [(a, y + 0.2), (b, y + 0.8)];
        let failed = s
            .outcome
            .is_some_and(|o| o != engine::report::Outcome::Success);
        let style = match s.kind {
            SpanKind::Queue => pal.idle.stroke_width(1),
            SpanKind::Init => pal.init.filled(),
            SpanKind::Invocation if failed => pal.throttle.filled(),
            SpanKind::Invocation => pal.busy.filled(),
            SpanKind::Call => pal.text.stroke_width(1),
            // The handler's calls to its data source: part of its busy time, lighter.
            SpanKind::Downstream => pal.busy.mix(0.45).filled(),
        };
        chart
            .draw_series(std::iter::once(Rectangle::new(rect, style)))
            .map_err(err)?;
        // The duration beside the bar, or inside its end when the bar reaches the right edge.
        // Beside the bar's end; near the right edge, inside a long bar or before a short one.
        let gap = end_ms * 0.005;
        let (x, anchor, colour) = if b <= end_ms * 0.8 {
            (b + gap, HPos::Left, pal.muted)
        } else if b - a < end_ms * 0.12 {
            (a - gap, HPos::Right, pal.muted)
        } else if matches!(s.kind, SpanKind::Invocation | SpanKind::Init) {
            (b - gap, HPos::Right, pal.bg)
        } else {
            (b - gap, HPos::Right, pal.muted)
        };
        chart
            .draw_series(std::iter::once(Text::new(
                format!("{} ms", plain(&(b - a))),
                (x, y + 0.5),
                (FONT, 11)
                    .into_font()
                    .color(&colour)
                    .pos(Pos::new(anchor, VPos::Center)),
            )))
            .map_err(err)?;
    }
    area.present().map_err(err)?;
    Ok(TimeAxis::default())
}

/// A chart of labelled rows, top to bottom, against a quantity across: the waterfall's spans
/// and the IAM role's bars. Row `i` spans `i..i + 1` on the vertical axis; its label sits at
/// `i + 0.5`.
fn rows_chart<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    labels: &[String],
    x_max: f64,
    x_desc: &str,
    x_labels: usize,
    label_width: u32,
    pal: &Palette,
) -> Result<TimeChart<'a, DB>, String> {
    let rows = labels.len().max(1) as f64;
    let mut chart = ChartBuilder::on(area)
        .margin(8)
        .margin_right(16)
        .x_label_area_size(36)
        .y_label_area_size(label_width)
        .build_cartesian_2d(0f64..x_max, rows..0f64)
        .map_err(err)?;
    let label_of = |y: &f64| {
        let i = (*y - 0.5).round();
        if (y - (i + 0.5)).abs() < 1e-6 && i >= 0.0 {
            labels.get(i as usize).cloned().unwrap_or_default()
        } else {
            String::new()
        }
    };
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .x_labels(x_labels)
        .y_labels(labels.len() * 2 + 1)
        .y_label_formatter(&label_of)
        .x_label_formatter(&plain)
        .disable_y_mesh()
        .axis_desc_style((FONT, 13).into_font().color(&pal.text))
        .label_style((FONT, 12).into_font().color(&pal.muted))
        .axis_style(pal.grid)
        .light_line_style(pal.bg)
        .bold_line_style(pal.grid)
        .draw()
        .map_err(err)?;
    Ok(chart)
}

/// The cache hit ratio per bucket, with the cold starts (each a new, empty in-memory cache).
pub fn draw_cache<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    report: &Report,
    pal: &Palette,
) -> Result<TimeAxis, String> {
    let bs = report.series.bucket_s;
    let half = bs / 2.0;
    let n = report.series.rows.len();
    let (mut hits, mut misses) = (vec![0u64; n], vec![0u64; n]);
    for f in &report.series.by_function {
        for (b, r) in f.iter().enumerate().take(n) {
            hits[b] += r.cache_hits;
            misses[b] += r.cache_misses;
        }
    }
    let pct = |v: &f64| format!("{v:.0}%");
    let mut chart = time_chart(area, report, pal, 105.0, "Cache hit ratio", &pct)?;
    let mut keys = Keys::default();
    line(
        &mut chart,
        &mut keys,
        (0..n).filter(|&b| hits[b] + misses[b] > 0).map(|b| {
            let ratio = 100.0 * hits[b] as f64 / (hits[b] + misses[b]) as f64;
            (b as f64 * bs + half, ratio)
        }),
        pal.busy,
        2,
        "hits / lookups",
    )?;
    chart
        .draw_series(
            report
                .series
                .rows
                .iter()
                .filter(|r| r.cold_starts > 0)
                .map(|r| TriangleMarker::new((r.t_s + half, 0.0), 5, pal.init.filled())),
        )
        .map_err(err)?;
    keys.push(
        "cold starts (a new environment, an empty cache)",
        Mark::Triangle(pal.init),
    );
    // The ratio runs high most of the time: the legend goes low, on the right.
    finish_at(
        chart,
        keys,
        area,
        report.summary.duration_s,
        pal,
        Corner::LowerRight,
    )
}

/// What the role let the code do: actions allowed, denied, and harmful ones allowed.
pub fn draw_iam<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    report: &Report,
    pal: &Palette,
) -> Result<TimeAxis, String> {
    area.fill(&pal.bg).map_err(err)?;
    let s = &report.summary;
    let work = s.iam_allowed.saturating_sub(s.iam_harmful_allowed);
    let bars = [
        ("allowed (its work)", work, pal.busy),
        ("denied (AccessDenied)", s.iam_denied, pal.throttle),
        ("harmful, allowed (damage)", s.iam_harmful_allowed, pal.dlq),
    ];
    let x_max = bars.iter().map(|b| b.1).max().unwrap_or(0).max(1) as f64 * 1.25;
    let names: Vec<String> = bars.iter().map(|b| b.0.to_string()).collect();
    let mut chart = rows_chart(area, &names, x_max, "AWS calls over the run", 6, 170, pal)?;
    for (i, (_, v, colour)) in bars.iter().enumerate() {
        let y = i as f64;
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(0.0, y + 0.2), (*v as f64, y + 0.8)],
                colour.filled(),
            )))
            .map_err(err)?;
        chart
            .draw_series(std::iter::once(Text::new(
                engine::report::group(*v),
                (*v as f64 + x_max * 0.01, y + 0.5),
                (FONT, 12)
                    .into_font()
                    .color(&pal.text)
                    .pos(Pos::new(HPos::Left, VPos::Center)),
            )))
            .map_err(err)?;
    }
    area.present().map_err(err)?;
    Ok(TimeAxis::default())
}

/// The system charts in words, for screen readers.
pub fn describe(kind: super::ChartKind, report: &Report) -> String {
    use super::ChartKind;
    let s = &report.summary;
    match kind {
        ChartKind::Functions => busy_units(report)
            .iter()
            .map(|&k| {
                let f = &report.functions[k];
                format!(
                    "{}: {} invocations, {} errors",
                    f.name,
                    engine::report::group(f.summary.invocations),
                    engine::report::group(f.summary.errors)
                )
            })
            .collect::<Vec<_>>()
            .join("; "),
        ChartKind::Alarm => match report.alarms.first() {
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
        },
        ChartKind::Trace => match &report.tracing {
            None => "Tracing is off in this scenario.".into(),
            Some(t) => format!(
                "{} of {} requests were sampled; the slowest kept trace is drawn as a waterfall.",
                t.sampled, t.requests
            ),
        },
        ChartKind::Cache => format!(
            "{} cache hits and {} misses: a hit ratio of {:.0}%.",
            s.cache_hits,
            s.cache_misses,
            s.cache_hit_ratio * 100.0
        ),
        ChartKind::Iam => format!(
            "The role allowed {} calls and denied {}; {} harmful calls were allowed.",
            s.iam_allowed, s.iam_denied, s.iam_harmful_allowed
        ),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Report {
        engine::run(&engine::Scenario::from_toml(text).expect("valid")).expect("runs")
    }

    fn svg(
        draw: impl FnOnce(&DrawingArea<SVGBackend, Shift>) -> Result<TimeAxis, String>,
    ) -> String {
        let mut out = String::new();
        {
            let root = SVGBackend::with_string(&mut out, (720, 240)).into_drawing_area();
            draw(&root).expect("draws");
        }
        out
    }

    #[test]
    fn the_trace_waterfall_names_every_hop_with_its_duration() {
        let r = run(include_str!(
            "../../../engine/scenarios/order-pipeline.toml"
        ));
        let out = svg(|a| draw_trace(a, &r, &super::super::theme::LIGHT));
        for name in [
            "api",
            "auth",
            "orders",
            "email",
            "queue",
            "I/O",
            " ms",
            "Time since the request arrived (ms)",
        ] {
            assert!(out.contains(name), "{name} in the waterfall");
        }
    }

    #[test]
    fn the_alarm_chart_shows_threshold_alarm_and_rollback() {
        let r = run(include_str!(
            "../../../engine/scenarios/canary-rollback.toml"
        ));
        let out = svg(|a| draw_alarm(a, &r, &super::super::theme::DARK));
        for text in [
            "threshold 5 count",
            "in ALARM",
            "rolled back",
            "v2 10%",
            "Errors (Sum) (count)",
        ] {
            assert!(out.contains(text), "{text} on the alarm chart");
        }
        let f = svg(|a| draw_functions(a, &r, &super::super::theme::LIGHT));
        assert!(f.contains("checkout:1 invocations") && f.contains("checkout:2 errors"));
    }

    #[test]
    fn the_iam_and_cache_charts_label_what_they_count() {
        let r = run(r#"
            duration_s = 60
            [[functions]]
            name = "thumbs"
            handler = { cpu_ms = 1, io_ms = 20 }
            workload = { kind = "constant", rate_per_s = 10 }
            cache = { scope = "environment", keys = 5, ttl_s = 30 }
            [functions.iam]
            policy.statements = [{ effect = "Allow", action = "s3:*", resource = "*" }]
            attempts = [{ action = "s3:DeleteObject", resource = "arn:aws:s3:::invoices/a", harmful = true }]
        "#);
        let iam = svg(|a| draw_iam(a, &r, &super::super::theme::LIGHT));
        assert!(
            iam.contains("harmful, allowed (damage)") && iam.contains("AWS calls over the run")
        );
        assert!(iam.contains(&engine::report::group(r.summary.iam_harmful_allowed)));
        let cache = svg(|a| draw_cache(a, &r, &super::super::theme::LIGHT));
        assert!(cache.contains("Cache hit ratio") && cache.contains("cold starts"));
    }
}
