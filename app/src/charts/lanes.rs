//! Environment lanes: one row per execution environment, drawn at pixel resolution; amber
//! Init, blue busy, grey outlined idle, a green frame when provisioned. Not a series: it draws its
//! own shapes on the shared time axes (`time::axes`).

use engine::report::{EnvState, Report};
use plotters::coord::Shift;
use plotters::prelude::*;

use super::err;
use super::palette::Palette;
use super::time::{axes, axis_of, TimeAxis, YAxis};

/// Environment lanes: one row per environment; amber Init, blue busy, grey outlined idle.
pub fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    report: &Report,
    pal: &Palette,
) -> Result<TimeAxis, String> {
    let lanes = &report.lanes.lanes;
    let n = lanes.len().max(1) as f64;
    let end_s = report.summary.duration_s;
    let y = YAxis {
        desc: "Environment",
        max: n,
        labels: lanes.len().clamp(1, 6),
        format: &|y| format!("{}", (n - y.floor()).max(1.0) as u32),
        grid: false,
    };
    let mut chart = axes(area, report, pal, y)?;
    let row = |i: usize| n - i as f64 - 1.0;
    // Drawn at pixel resolution: each pixel column of a lane shows what the environment did
    // most of that time (Init wins if it ran there at all), so a busy environment with
    // thousands of short invocations costs as many rectangles as it has runs of columns.
    let (px, _) = chart.plotting_area().get_pixel_range();
    let columns = (px.end - px.start).max(1) as usize;
    let col_s = end_s / columns as f64;
    for (i, lane) in lanes.iter().enumerate() {
        let y = row(i);
        if lane.provisioned {
            let end = lane.reaped_us.map_or(end_s, |t| t as f64 / 1e6);
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(lane.created_us as f64 / 1e6, y + 0.06), (end, y + 0.94)],
                    pal.provisioned.stroke_width(2),
                )))
                .map_err(err)?;
        }
        let runs = lane_runs(lane, columns, col_s);
        chart
            .draw_series(runs.into_iter().map(|(state, c0, c1)| {
                let (x0, x1) = (c0 as f64 * col_s, c1 as f64 * col_s);
                match state {
                    EnvState::Init => {
                        Rectangle::new([(x0, y + 0.18), (x1, y + 0.82)], pal.init.filled())
                    }
                    EnvState::Busy => {
                        Rectangle::new([(x0, y + 0.18), (x1, y + 0.82)], pal.busy.filled())
                    }
                    EnvState::Idle => {
                        Rectangle::new([(x0, y + 0.3), (x1, y + 0.7)], pal.idle.stroke_width(1))
                    }
                }
            }))
            .map_err(err)?;
        if let Some(t) = lane.reaped_us {
            let x = t as f64 / 1e6;
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(x, y + 0.1), (x, y + 0.9)],
                    pal.text.stroke_width(2),
                )))
                .map_err(err)?;
        }
    }
    let axis = axis_of(&chart, end_s);
    area.present().map_err(err)?;
    Ok(axis)
}

/// A lane as runs of pixel columns `(state, first column, end column)`: a column is Init if
/// Init ran in it, busy if the environment invoked for at least half of it, idle otherwise
/// while the environment lived, and empty before it was created or after it was reaped.
fn lane_runs(
    lane: &engine::report::Lane,
    columns: usize,
    col_s: f64,
) -> Vec<(EnvState, usize, usize)> {
    let col_us = (col_s * 1e6).max(1e-9);
    let mut busy = vec![0.0f64; columns];
    let mut init = vec![false; columns];
    let mut alive = vec![false; columns];
    for s in &lane.segments {
        let (a, b) = (s.start_us as f64 / col_us, s.end_us as f64 / col_us);
        let (c0, c1) = (
            (a as usize).min(columns - 1),
            (b.ceil() as usize).clamp(1, columns),
        );
        for c in c0..c1.max(c0 + 1) {
            alive[c] = true;
            let overlap = (b.min(c as f64 + 1.0) - a.max(c as f64)).max(0.0);
            match s.state {
                EnvState::Init => init[c] = true,
                EnvState::Busy => busy[c] += overlap,
                EnvState::Idle => {}
            }
        }
    }
    let mut runs: Vec<(EnvState, usize, usize)> = Vec::new();
    for c in 0..columns {
        if !alive[c] {
            continue;
        }
        let state = if init[c] {
            EnvState::Init
        } else if busy[c] >= 0.5 {
            EnvState::Busy
        } else {
            EnvState::Idle
        };
        match runs.last_mut() {
            Some((st, _, end)) if *st == state && *end == c => *end = c + 1,
            _ => runs.push((state, c, c + 1)),
        }
    }
    runs
}

/// The lanes chart in words, for screen readers.
pub fn describe(report: &Report) -> String {
    let s = &report.summary;
    format!(
        "{} {} created ({} shown as lanes); {}, {} of them cold starts.",
        crate::format::count(s.envs_created, "execution environment"),
        crate::format::plural_of(s.envs_created, "was", "were"),
        engine::report::group(report.lanes.lanes.len() as u64),
        crate::format::count(s.requests, "request"),
        engine::report::group(s.cold_starts)
    )
}
