//! The slowest sampled trace as a waterfall: one row per span, in ms from the request's arrival
//! (not a timeline of the run).

use engine::report::{Report, SpanKind};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::palette::Palette;
use super::rows::rows_chart;
use super::time::TimeAxis;
use super::{err, plain, FONT};

/// The slowest sampled trace as a waterfall: one row per span, in ms from its start; queue
/// waits outlined grey, Init amber, invocations blue (red when they failed), the handler's I/O
/// light blue, calls to another function outlined.
pub fn draw<DB: DrawingBackend>(
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

/// The trace chart in words, for screen readers.
pub fn describe(report: &Report) -> String {
    match &report.tracing {
        None => "Tracing is off in this scenario.".into(),
        Some(t) => format!(
            "{} of {} {} sampled; the slowest kept trace is drawn as a waterfall.",
            engine::report::group(t.sampled),
            crate::format::count(t.requests, "request"),
            crate::format::plural_of(t.sampled, "was", "were")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{palette, svg};

    #[test]
    fn the_trace_waterfall_names_every_hop_with_its_duration() {
        let r = engine::run(
            &engine::Scenario::from_toml(include_str!(
                "../../../engine/scenarios/order-pipeline.toml"
            ))
            .expect("valid"),
        )
        .expect("runs");
        let out = svg((720, 240), |a| super::draw(a, &r, &palette::LIGHT));
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
}
