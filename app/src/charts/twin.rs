//! The charts of the "Your own function" page, drawn from a `calibrate::Twin` (the log as read,
//! its calibrated twin and the twin's run): traffic and cold starts per minute (log against
//! twin), the Duration and Init histograms with their log-normal fits, and memory used against
//! the memory size. Colours keep their meaning: blue invocations, amber Init and cold starts,
//! a dashed labelled line for a limit; the twin is a line over the log's bars.

use calibrate::{Histogram, Twin};
use engine::Dist;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::legend::{self, Corner, Keys, Mark};
use super::palette::Palette;
use super::{err, house_chart, house_mesh, plain, FONT};

/// The charts of the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TwinChart {
    /// Invocations per minute, the log's bars and the twin's line.
    Traffic,
    /// Cold starts per minute, the log's bars and the twin's line.
    ColdStarts,
    /// Peak concurrency in each minute, the log's bars and the twin's dots.
    Concurrency,
    /// The log's Durations, with the log-normal of the same p50 and p99.
    Duration,
    /// The log's Init Durations, with their log-normal.
    Init,
    /// `Max Memory Used` against `Memory Size`.
    Memory,
}

impl TwinChart {
    /// Every chart, in the order the page shows them.
    pub const ALL: [TwinChart; 6] = [
        TwinChart::Traffic,
        TwinChart::ColdStarts,
        TwinChart::Concurrency,
        TwinChart::Duration,
        TwinChart::Init,
        TwinChart::Memory,
    ];

    /// Its name, for test ids and file names.
    pub fn name(self) -> &'static str {
        match self {
            TwinChart::Traffic => "traffic",
            TwinChart::ColdStarts => "cold-starts",
            TwinChart::Concurrency => "concurrency",
            TwinChart::Duration => "duration",
            TwinChart::Init => "init",
            TwinChart::Memory => "memory",
        }
    }

    /// The caption above it.
    pub fn title(self) -> &'static str {
        match self {
            TwinChart::Traffic => "Invocations per minute: the log (blue bars) and its twin (dots)",
            TwinChart::ColdStarts => {
                "Cold starts per minute: the log (amber bars) and its twin (dots)"
            }
            TwinChart::Concurrency => {
                "Peak concurrency in each minute: the log (blue bars) and its twin (dots)"
            }
            TwinChart::Duration => {
                "Duration (handler time, Init excluded): the log and the log-normal fit"
            }
            TwinChart::Init => "Init Duration of the cold starts: the log and the log-normal fit",
            TwinChart::Memory => "Max Memory Used against the Memory Size",
        }
    }
}

/// One per-minute figure of the log and of the twin.
fn minutes(twin: &Twin, figure: impl Fn(&calibrate::Minute) -> u32) -> (Vec<f64>, Vec<f64>) {
    let of = |r: &calibrate::Reading| {
        r.facts
            .per_minute
            .iter()
            .map(|m| f64::from(figure(m)))
            .collect()
    };
    (of(&twin.reading), of(&twin.comparison.engine))
}

/// z-score of the 99th percentile of a standard normal distribution.
const Z99: f64 = 2.326_347_874_040_841;

/// Draws `kind` for `twin` and presents the drawing.
pub fn draw<DB: DrawingBackend>(
    kind: TwinChart,
    area: &DrawingArea<DB, Shift>,
    twin: &Twin,
    pal: &Palette,
) -> Result<(), String> {
    area.fill(&pal.bg).map_err(err)?;
    let facts = &twin.reading.facts;
    match kind {
        TwinChart::Traffic => {
            let (log, engine) = minutes(twin, |m| m.invocations);
            per_minute(area, pal, "Invocations per minute", &log, &engine, pal.busy)?;
        }
        TwinChart::ColdStarts => {
            let (log, engine) = minutes(twin, |m| m.cold_starts);
            per_minute(area, pal, "Cold starts per minute", &log, &engine, pal.init)?;
        }
        TwinChart::Concurrency => {
            let (log, engine) = minutes(twin, |m| m.concurrency_max);
            per_minute(area, pal, "Peak concurrency", &log, &engine, pal.busy)?;
        }
        TwinChart::Duration => histogram(
            area,
            pal,
            Hist {
                hist: &facts.duration_hist,
                total: facts.duration.count,
                fit: twin.calibration.handler.lognormal.as_ref(),
                x_desc: "Duration (ms)",
                colour: pal.busy,
                bars: "Durations in the log",
            },
        )?,
        TwinChart::Init => histogram(
            area,
            pal,
            Hist {
                hist: &facts.init_hist,
                total: facts.init.count,
                fit: twin
                    .calibration
                    .init
                    .as_ref()
                    .and_then(|f| f.lognormal.as_ref()),
                x_desc: "Init Duration (ms)",
                colour: pal.init,
                bars: "Init Durations in the log",
            },
        )?,
        TwinChart::Memory => memory(area, twin, pal)?,
    }
    area.present().map_err(err)
}

/// A chart with nothing to plot says why, in its middle.
fn empty<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    pal: &Palette,
    why: &str,
) -> Result<(), String> {
    let (w, h) = area.dim_in_pixel();
    area.draw(&Text::new(
        why.to_string(),
        (w as i32 / 2, h as i32 / 2),
        (FONT, 13)
            .into_font()
            .color(&pal.muted)
            .pos(Pos::new(HPos::Center, VPos::Center)),
    ))
    .map_err(err)
}

/// Bars of the log's values per minute and a line of the twin's.
fn per_minute<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    pal: &Palette,
    y_desc: &str,
    log: &[f64],
    engine: &[f64],
    colour: RGBColor,
) -> Result<(), String> {
    let minutes = log.len().max(engine.len());
    if log.is_empty() {
        return empty(area, pal, "No timestamps in the log: no traffic to plot");
    }
    // Headroom above the highest bar for the legend.
    let top = log.iter().chain(engine).fold(1.0f64, |a, &b| a.max(b)) * 1.4;
    let mut chart = house_chart(area, 56)
        .build_cartesian_2d(0f64..minutes as f64, 0f64..top)
        .map_err(err)?;
    house_mesh(&mut chart.configure_mesh(), pal)
        .x_desc("Time from the first arrival (min)")
        .y_desc(y_desc)
        .x_labels(8)
        .y_labels(5)
        .x_label_formatter(&plain)
        .y_label_formatter(&plain)
        .draw()
        .map_err(err)?;
    let mut keys = Keys::default();
    let bar = colour.mix(0.75).filled();
    chart
        .draw_series(
            log.iter()
                .enumerate()
                .map(|(m, &v)| Rectangle::new([(m as f64 + 0.05, 0.0), (m as f64 + 0.95, v)], bar)),
        )
        .map_err(err)?;
    keys.push("the log", Mark::Box(bar));
    // A dot per minute for the twin, at the top of where its bar would be: a line would hide
    // the log's bars, a minute being a few pixels wide on a long log.
    chart
        .draw_series(
            engine
                .iter()
                .enumerate()
                .filter(|(_, &v)| v > 0.0)
                .map(|(m, &v)| Circle::new((m as f64 + 0.5, v), 2, pal.text.filled())),
        )
        .map_err(err)?;
    keys.push("the twin (engine)", Mark::Circle(pal.text));
    legend::draw(
        &chart.plotting_area().strip_coord_spec(),
        &keys,
        Corner::UpperRight,
        pal,
    )
}

/// A histogram and its fit.
struct Hist<'a> {
    hist: &'a Histogram,
    /// Every value, those beyond the last bin included.
    total: u64,
    fit: Option<&'a Dist>,
    x_desc: &'a str,
    colour: RGBColor,
    bars: &'a str,
}

/// The log-normal's density at `x`, for a median `p50` and a 99th percentile `p99`.
fn lognormal_pdf(p50: f64, p99: f64, x: f64) -> f64 {
    let sigma = (p99 / p50).ln() / Z99;
    if !(x > 0.0 && sigma > 0.0 && sigma.is_finite()) {
        return 0.0;
    }
    let z = (x.ln() - p50.ln()) / sigma;
    (-z * z / 2.0).exp() / (x * sigma * (2.0 * std::f64::consts::PI).sqrt())
}

/// The log's bars and the fit's expected count per bin, as a line.
fn histogram<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    pal: &Palette,
    h: Hist<'_>,
) -> Result<(), String> {
    let hist = h.hist;
    if hist.counts.is_empty() {
        return empty(area, pal, "No values in the log");
    }
    let x0 = hist.from;
    let x1 = hist.from + hist.width * hist.counts.len() as f64;
    let fit_points: Vec<(f64, f64)> = match h.fit {
        Some(&Dist::Lognormal { p50, p99 }) if p99 > p50 => (0..=160)
            .map(|i| {
                let x = x0 + (x1 - x0) * f64::from(i) / 160.0;
                (x, h.total as f64 * hist.width * lognormal_pdf(p50, p99, x))
            })
            .collect(),
        _ => Vec::new(),
    };
    let top = hist
        .counts
        .iter()
        .map(|&c| c as f64)
        .chain(fit_points.iter().map(|p| p.1))
        .fold(1.0f64, f64::max)
        * 1.4;
    let mut chart = house_chart(area, 56)
        .build_cartesian_2d(x0..x1.max(x0 + 1e-3), 0f64..top)
        .map_err(err)?;
    house_mesh(&mut chart.configure_mesh(), pal)
        .x_desc(h.x_desc)
        .y_desc("Invocations per bin")
        .x_labels(8)
        .y_labels(5)
        .x_label_formatter(&plain)
        .y_label_formatter(&plain)
        .disable_x_mesh()
        .draw()
        .map_err(err)?;
    let mut keys = Keys::default();
    let bar = h.colour.mix(0.75).filled();
    chart
        .draw_series(hist.counts.iter().enumerate().map(|(i, &c)| {
            let a = x0 + hist.width * i as f64;
            Rectangle::new(
                [
                    (a + hist.width * 0.05, 0.0),
                    (a + hist.width * 0.95, c as f64),
                ],
                bar,
            )
        }))
        .map_err(err)?;
    let mut label = h.bars.to_string();
    if hist.above > 0 {
        label.push_str(&format!(
            " ({} beyond the axis)",
            engine::report::group(hist.above)
        ));
    }
    keys.push(label, Mark::Box(bar));
    if let Some(&Dist::Lognormal { p50, p99 }) = h.fit {
        chart
            .draw_series(LineSeries::new(fit_points, pal.text.stroke_width(2)))
            .map_err(err)?;
        keys.push(
            format!("log-normal fit (p50 {p50:.0} ms, p99 {p99:.0} ms)"),
            Mark::Line(pal.text, 2),
        );
    }
    legend::draw(
        &chart.plotting_area().strip_coord_spec(),
        &keys,
        Corner::UpperRight,
        pal,
    )
}

/// `Max Memory Used` as bars against a dashed, labelled line at `Memory Size`.
fn memory<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    twin: &Twin,
    pal: &Palette,
) -> Result<(), String> {
    let f = &twin.reading.facts;
    let hist = &f.memory_used_hist;
    if hist.counts.is_empty() || f.memory_mb == 0 {
        return empty(area, pal, "No memory figures in the log");
    }
    let size = f64::from(f.memory_mb);
    let x1 = (size.max(f.memory_used.max)) * 1.08;
    // A bar at least a hundredth of the axis wide, so one memory figure still shows.
    let width = hist.width.max(x1 / 100.0);
    let top = hist.counts.iter().fold(1u64, |a, &b| a.max(b)) as f64 * 1.2;
    let mut chart = house_chart(area, 56)
        .build_cartesian_2d(0f64..x1, 0f64..top)
        .map_err(err)?;
    house_mesh(&mut chart.configure_mesh(), pal)
        .x_desc("Memory (MB)")
        .y_desc("Invocations")
        .x_labels(8)
        .y_labels(5)
        .x_label_formatter(&plain)
        .y_label_formatter(&plain)
        .disable_x_mesh()
        .draw()
        .map_err(err)?;
    let mut keys = Keys::default();
    let bar = pal.busy.mix(0.75).filled();
    chart
        .draw_series(hist.counts.iter().enumerate().map(|(i, &c)| {
            let a = hist.from + hist.width * i as f64;
            Rectangle::new([(a, 0.0), (a + width, c as f64)], bar)
        }))
        .map_err(err)?;
    keys.push(
        format!(
            "Max Memory Used (p50 {} MB, max {} MB)",
            f.memory_used.p50.round(),
            f.memory_used.max.round()
        ),
        Mark::Box(bar),
    );
    let style = pal.limit.stroke_width(1);
    let dashes = (0..30).map(|i| {
        let a = top * f64::from(i) / 30.0;
        PathElement::new(vec![(size, a), (size, a + top / 60.0)], style)
    });
    chart.draw_series(dashes).map_err(err)?;
    chart
        .draw_series(std::iter::once(Text::new(
            format!(
                "Memory Size {} MB",
                engine::report::group(u64::from(f.memory_mb))
            ),
            (size, top * 0.98),
            (FONT, 12)
                .into_font()
                .color(&pal.muted)
                .pos(Pos::new(HPos::Right, VPos::Top)),
        )))
        .map_err(err)?;
    legend::draw(
        &chart.plotting_area().strip_coord_spec(),
        &keys,
        Corner::UpperLeft,
        pal,
    )
}

/// The chart in words, for screen readers.
pub fn describe(kind: TwinChart, twin: &Twin) -> String {
    let f = &twin.reading.facts;
    let e = &twin.comparison.engine.facts;
    match kind {
        TwinChart::Traffic => format!(
            "{} minutes of traffic: the log has {} invocations, peak {} a minute; the twin has {}.",
            twin.comparison.per_minute.len(),
            engine::report::group(f.invocations),
            twin.comparison
                .per_minute
                .iter()
                .map(|m| m.log_invocations)
                .max()
                .unwrap_or(0),
            engine::report::group(e.invocations),
        ),
        TwinChart::ColdStarts => format!(
            "Cold starts: {} in the log ({:.1}% of invocations), {} in the twin ({:.1}%).",
            engine::report::group(f.cold_starts),
            f.cold_start_share * 100.0,
            engine::report::group(e.cold_starts),
            e.cold_start_share * 100.0,
        ),
        TwinChart::Concurrency => format!(
            "Peak concurrency: {} in the log, {} in the twin (estimated from each invocation's start and end).",
            f.concurrency_max, e.concurrency_max,
        ),
        TwinChart::Duration => format!(
            "Duration in the log: p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms.{}",
            f.duration.p50,
            f.duration.p95,
            f.duration.p99,
            f.duration.max,
            fit_text(twin.calibration.handler.lognormal_p95_diff_pct),
        ),
        TwinChart::Init => {
            if f.init.count == 0 {
                "The log has no cold start, so no Init Duration.".to_string()
            } else {
                format!(
                    "Init Duration of {} cold starts: p50 {:.1} ms, p99 {:.1} ms.{}",
                    engine::report::group(f.init.count),
                    f.init.p50,
                    f.init.p99,
                    fit_text(
                        twin.calibration
                            .init
                            .as_ref()
                            .and_then(|i| i.lognormal_p95_diff_pct)
                    ),
                )
            }
        }
        TwinChart::Memory => format!(
            "Max Memory Used: p50 {:.0} MB, max {:.0} MB, of a Memory Size of {} MB.",
            f.memory_used.p50,
            f.memory_used.max,
            engine::report::group(u64::from(f.memory_mb)),
        ),
    }
}

fn fit_text(p95_diff: Option<f64>) -> String {
    p95_diff.map_or(String::new(), |d| {
        format!(" The log-normal fit's p95 is {d:+.1}% off the log's.")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::palette;

    fn twin() -> Twin {
        calibrate::twin(&calibrate::TwinRequest {
            log: include_str!("../../../calibrate/example/report.log").to_string(),
            options: calibrate::Options::default(),
            what_if: None,
            cheapest_under_ms: None,
        })
        .expect("the example calibrates")
    }

    fn svg(kind: TwinChart, twin: &Twin, pal: &Palette) -> String {
        let mut out = String::new();
        {
            let root = SVGBackend::with_string(&mut out, (640, 240)).into_drawing_area();
            draw(kind, &root, twin, pal).expect("draws");
        }
        out
    }

    #[test]
    fn every_twin_chart_draws_with_labelled_axes_and_colours_by_meaning() {
        let t = twin();
        let hex = |c: RGBColor| format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2);
        for kind in TwinChart::ALL {
            for pal in [&palette::LIGHT, &palette::DARK] {
                let out = svg(kind, &t, pal);
                assert!(!describe(kind, &t).is_empty());
                let (axis, colour) = match kind {
                    TwinChart::Traffic => ("(min)", pal.busy),
                    TwinChart::ColdStarts => ("(min)", pal.init),
                    TwinChart::Concurrency => ("Peak concurrency", pal.busy),
                    TwinChart::Duration => ("Duration (ms)", pal.busy),
                    TwinChart::Init => ("Init Duration (ms)", pal.init),
                    TwinChart::Memory => ("Memory (MB)", pal.busy),
                };
                assert!(out.contains(axis), "{}: axis {axis}", kind.name());
                assert!(out.contains(&hex(colour)), "{}: its colour", kind.name());
            }
        }
        assert!(svg(TwinChart::Duration, &t, &palette::LIGHT).contains("log-normal fit"));
        assert!(svg(TwinChart::Memory, &t, &palette::LIGHT).contains("Memory Size 512 MB"));
    }

    #[test]
    fn a_log_without_timestamps_says_so_instead_of_plotting() {
        let text: String = include_str!("../../../calibrate/example/report.log")
            .lines()
            .take(50)
            .map(|l| format!("{}\n", l.split_once('\t').map_or(l, |(_, rest)| rest)))
            .collect();
        let t = calibrate::twin(&calibrate::TwinRequest {
            log: text,
            options: calibrate::Options {
                rate_per_s: Some(1.0),
                ..calibrate::Options::default()
            },
            what_if: None,
            cheapest_under_ms: None,
        })
        .expect("calibrates with a rate");
        let out = svg(TwinChart::Traffic, &t, &palette::LIGHT);
        assert!(out.contains("No timestamps"), "{out}");
    }

    #[test]
    fn the_lognormal_density_integrates_to_about_one() {
        let (p50, p99) = (100.0, 400.0);
        let step = 0.5;
        let area: f64 = (1..20_000)
            .map(|i| lognormal_pdf(p50, p99, f64::from(i) * step) * step)
            .sum();
        assert!((area - 1.0).abs() < 0.01, "{area}");
    }
}
