//! Charts drawn from the engine's report with plotters, against any `DrawingBackend`:
//! the app draws them on a canvas, the tests render the same charts to SVG.

pub mod theme;

use engine::report::{EnvState, Report};
use plotters::coord::Shift;
use plotters::prelude::*;

use theme::Palette;

const FONT: &str = "sans-serif";

fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("chart: {e:?}")
}

/// Environment lanes: one row per environment; amber Init, blue busy, grey outlined idle.
pub fn draw_lanes<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    report: &Report,
    pal: &Palette,
) -> Result<(), String> {
    area.fill(&pal.bg).map_err(err)?;
    let lanes = &report.lanes.lanes;
    let n = lanes.len().max(1) as f64;
    let end_s = report.summary.duration_s;
    let mut chart = ChartBuilder::on(area)
        .margin(8)
        .margin_right(16)
        .x_label_area_size(36)
        .y_label_area_size(48)
        .build_cartesian_2d(0f64..end_s, 0f64..n)
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .x_desc("Time (s)")
        .y_desc("Environment")
        .y_labels(lanes.len().clamp(1, 8))
        .y_label_formatter(&|y| format!("{}", (n - y.floor()).max(1.0) as u32))
        .axis_desc_style((FONT, 13).into_font().color(&pal.text))
        .label_style((FONT, 12).into_font().color(&pal.muted))
        .axis_style(pal.grid)
        .light_line_style(pal.bg)
        .bold_line_style(pal.grid)
        .draw()
        .map_err(err)?;
    let row = |i: usize| n - i as f64 - 1.0;
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
        chart
            .draw_series(lane.segments.iter().map(|s| {
                let (x0, x1) = (s.start_us as f64 / 1e6, s.end_us as f64 / 1e6);
                match s.state {
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
    }
    area.present().map_err(err)
}

/// Environments over time: alive (grey), initialising or invoking (blue), cold starts (amber).
pub fn draw_envs<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    report: &Report,
    pal: &Palette,
) -> Result<(), String> {
    area.fill(&pal.bg).map_err(err)?;
    let rows = &report.series.rows;
    let half = report.series.bucket_s / 2.0;
    let end_s = report.summary.duration_s;
    let y_max = rows
        .iter()
        .map(|r| r.envs_mean.max(r.concurrency_max as f64))
        .fold(1.0, f64::max)
        * 1.15;
    let mut chart = ChartBuilder::on(area)
        .margin(8)
        .margin_right(16)
        .x_label_area_size(36)
        .y_label_area_size(48)
        .build_cartesian_2d(0f64..end_s, 0f64..y_max)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc("Time (s)")
        .y_desc("Environments")
        .axis_desc_style((FONT, 13).into_font().color(&pal.text))
        .label_style((FONT, 12).into_font().color(&pal.muted))
        .axis_style(pal.grid)
        .light_line_style(pal.bg)
        .bold_line_style(pal.grid)
        .draw()
        .map_err(err)?;
    chart
        .draw_series(LineSeries::new(
            rows.iter().map(|r| (r.t_s + half, r.envs_mean)),
            pal.idle.stroke_width(2),
        ))
        .map_err(err)?
        .label("alive")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], pal.idle.stroke_width(2)));
    chart
        .draw_series(LineSeries::new(
            rows.iter()
                .map(|r| (r.t_s + half, r.busy_mean + r.init_mean)),
            pal.busy.stroke_width(2),
        ))
        .map_err(err)?
        .label("busy or in Init")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], pal.busy.stroke_width(2)));
    chart
        .draw_series(
            rows.iter()
                .filter(|r| r.cold_starts > 0)
                .map(|r| TriangleMarker::new((r.t_s + half, 0.0), 5, pal.init.filled())),
        )
        .map_err(err)?
        .label("cold starts")
        .legend(|(x, y)| TriangleMarker::new((x + 8, y), 5, pal.init.filled()));
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(pal.bg.mix(0.85))
        .border_style(pal.grid)
        .label_font((FONT, 12).into_font().color(&pal.text))
        .draw()
        .map_err(err)?;
    area.present().map_err(err)
}

/// The lanes chart in words, for screen readers.
pub fn lanes_text(report: &Report) -> String {
    let s = &report.summary;
    format!(
        "{} execution environments were created ({} shown as lanes); {} requests, {} of them cold starts.",
        s.envs_created,
        report.lanes.lanes.len(),
        s.requests,
        s.cold_starts
    )
}

/// The environments chart in words, for screen readers.
pub fn envs_text(report: &Report) -> String {
    let s = &report.summary;
    format!(
        "On average {:.1} environments were alive and {:.1} busy; at most {} requests ran at once.",
        s.env_count_mean, s.busy_env_mean, s.concurrency_max
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> Report {
        let s = engine::Scenario::from_toml(
            "duration_s = 60\n[[functions]]\nname = \"f\"\nruntime = \"nodejs22.x\"\nhandler.io_ms = 200\nworkload = { kind = \"poisson\", rate_per_s = 10 }\n",
        )
        .expect("valid scenario");
        engine::run(&s).expect("runs")
    }

    fn svg(draw: impl Fn(&DrawingArea<SVGBackend, Shift>) -> Result<(), String>) -> String {
        let mut out = String::new();
        {
            let root = SVGBackend::with_string(&mut out, (640, 240)).into_drawing_area();
            draw(&root).expect("draws");
        }
        out
    }

    #[test]
    fn charts_label_their_axes_with_units() {
        let r = report();
        let lanes = svg(|a| draw_lanes(a, &r, &theme::LIGHT));
        assert!(
            lanes.contains("Time (s)") && lanes.contains("Environment"),
            "lanes chart axes"
        );
        let envs = svg(|a| draw_envs(a, &r, &theme::DARK));
        assert!(envs.contains("Environments") && envs.contains("cold starts"));
    }

    #[test]
    fn lanes_show_init_in_amber_and_busy_in_blue() {
        let r = report();
        let lanes = svg(|a| draw_lanes(a, &r, &theme::LIGHT));
        let hex = |c: plotters::style::RGBColor| format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2);
        assert!(
            lanes.contains(&hex(theme::LIGHT.init)),
            "an amber Init segment"
        );
        assert!(
            lanes.contains(&hex(theme::LIGHT.busy)),
            "a blue busy segment"
        );
    }
}
