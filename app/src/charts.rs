//! Charts drawn from the engine's report with plotters, against any `DrawingBackend`:
//! the app draws them on a canvas, the tests render the same charts to SVG. Each chart has its
//! own file; the charts against the run's time are described as data (`time::TimeChart`)
//! and drawn by one routine, so they share their axes, fonts, legend and limit lines.

mod alarm;
mod cache;
mod concurrency;
mod cost;
mod envs;
mod functions;
mod iam;
mod lanes;
mod latency;
mod legend;
pub mod offscreen;
pub mod palette;
mod queue;
mod rows;
mod throttles;
mod time;
mod trace;
pub mod twin;
pub mod validation;
pub mod wire;

use engine::report::Report;
use plotters::chart::MeshStyle;
use plotters::coord::ranged1d::ValueFormatter;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;

use legend::{Keys, Mark};
use palette::Palette;
pub use time::TimeAxis;

const FONT: &str = "sans-serif";

fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("chart: {e:?}")
}

/// Which chart to draw: the curriculum's kinds, the names lesson files use.
pub use curriculum::ChartKind;

/// How a chart kind looks on the page: its caption, its height, whether it is a timeline.
pub trait ChartLook {
    /// The caption above the chart.
    fn title(&self) -> &'static str;
    /// Whether its horizontal axis is the run's time (a click moves the timeline there).
    fn is_timeline(&self) -> bool;
    /// Height in CSS pixels.
    fn height(&self) -> u32;
}

impl ChartLook for ChartKind {
    fn title(&self) -> &'static str {
        match self {
            ChartKind::Lanes => "Execution environments: amber Init, blue invoking, grey outline idle, green frame provisioned",
            ChartKind::Envs => "Environments over time",
            ChartKind::Concurrency => "Requests in flight against the limits",
            ChartKind::Latency => "Duration the caller waits (p50 and p99)",
            ChartKind::Throttles => "Throttled (429) and retried requests",
            ChartKind::Cost => "Cost so far",
            ChartKind::Queue => "Messages in the queue and in the dead-letter queue",
            ChartKind::Functions => "Invocations and errors per function or version",
            ChartKind::Alarm => "The alarm: its metric per period against the threshold",
            ChartKind::Trace => "The slowest sampled trace: grey outline queue, amber Init, blue invocation",
            ChartKind::Cache => "Cache hit ratio over time",
            ChartKind::Iam => "What the role let the code do",
        }
    }

    fn is_timeline(&self) -> bool {
        !matches!(self, ChartKind::Trace | ChartKind::Iam)
    }

    fn height(&self) -> u32 {
        match self {
            ChartKind::Lanes | ChartKind::Trace => 220,
            ChartKind::Iam => 150,
            _ => 180,
        }
    }
}

/// Draws `kind` for `report` (which carries everything drawn, limits included).
pub fn draw<DB: DrawingBackend>(
    kind: ChartKind,
    area: &DrawingArea<DB, Shift>,
    report: &Report,
    pal: &Palette,
) -> Result<TimeAxis, String> {
    let spec = match kind {
        ChartKind::Lanes => return lanes::draw(area, report, pal),
        ChartKind::Trace => return trace::draw(area, report, pal),
        ChartKind::Iam => return iam::draw(area, report, pal),
        ChartKind::Envs => envs::chart(report),
        ChartKind::Concurrency => concurrency::chart(report),
        ChartKind::Latency => latency::chart(report),
        ChartKind::Throttles => throttles::chart(report),
        ChartKind::Cost => cost::chart(report),
        ChartKind::Queue => queue::chart(report),
        ChartKind::Functions => functions::chart(report),
        ChartKind::Alarm => alarm::chart(report),
        ChartKind::Cache => cache::chart(report),
    };
    time::draw(area, report, &spec, pal)
}

/// The chart in words, for screen readers and the text view.
pub fn describe(kind: ChartKind, report: &Report) -> String {
    match kind {
        ChartKind::Lanes => lanes::describe(report),
        ChartKind::Envs => envs::describe(report),
        ChartKind::Concurrency => concurrency::describe(report),
        ChartKind::Latency => latency::describe(report),
        ChartKind::Throttles => throttles::describe(report),
        ChartKind::Cost => cost::describe(report),
        ChartKind::Queue => queue::describe(report),
        ChartKind::Functions => functions::describe(report),
        ChartKind::Alarm => alarm::describe(report),
        ChartKind::Trace => trace::describe(report),
        ChartKind::Cache => cache::describe(report),
        ChartKind::Iam => iam::describe(report),
    }
}

/// A chart builder with the house margins; `y_label_width` is the room for the vertical axis's
/// labels, in pixels.
fn house_chart<'a, 'b, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    y_label_width: u32,
) -> ChartBuilder<'a, 'b, DB> {
    let mut builder = ChartBuilder::on(area);
    builder
        .margin(8)
        .margin_right(16)
        .x_label_area_size(36)
        .y_label_area_size(y_label_width);
    builder
}

/// The house fonts and colours of a chart's axes and grid.
fn house_mesh<'m, 'a, 'b, X, Y, XT, YT, DB>(
    mesh: &'m mut MeshStyle<'a, 'b, X, Y, DB>,
    pal: &Palette,
) -> &'m mut MeshStyle<'a, 'b, X, Y, DB>
where
    X: Ranged<ValueType = XT> + ValueFormatter<XT>,
    Y: Ranged<ValueType = YT> + ValueFormatter<YT>,
    DB: DrawingBackend,
{
    mesh.axis_desc_style((FONT, 13).into_font().color(&pal.text))
        .label_style((FONT, 12).into_font().color(&pal.muted))
        .axis_style(pal.grid)
        .light_line_style(pal.bg)
        .bold_line_style(pal.grid)
}

/// A labelled line, with its entry in the legend.
fn line<'a, DB: DrawingBackend + 'a, X: Ranged<ValueType = f64>>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<X, RangedCoordf64>>,
    keys: &mut Keys,
    points: impl IntoIterator<Item = (f64, f64)>,
    color: RGBColor,
    width: u32,
    label: impl Into<String>,
) -> Result<(), String> {
    chart
        .draw_series(LineSeries::new(points, color.stroke_width(width)))
        .map_err(err)?;
    keys.push(label, Mark::Line(color, width));
    Ok(())
}

/// A number as the axes write it: grouped in thousands from 1,000, whole when it is.
fn plain(v: &f64) -> String {
    if *v >= 1000.0 {
        engine::report::group(*v as u64)
    } else if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// A chart drawn by `draw` on an SVG page of `size`, as text: for the tests.
#[cfg(test)]
fn svg(
    size: (u32, u32),
    draw: impl FnOnce(&DrawingArea<SVGBackend, Shift>) -> Result<TimeAxis, String>,
) -> String {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, size).into_drawing_area();
        draw(&root).expect("draws");
    }
    out
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

    #[test]
    fn charts_label_their_axes_with_units() {
        let r = report();
        let lanes = svg((640, 240), |a| lanes::draw(a, &r, &palette::LIGHT));
        assert!(
            lanes.contains("Time (s)") && lanes.contains("Environment"),
            "lanes chart axes"
        );
        let envs = svg((640, 240), |a| {
            time::draw(a, &r, &envs::chart(&r), &palette::DARK)
        });
        assert!(envs.contains("Environments") && envs.contains("cold starts"));
    }

    #[test]
    fn every_chart_draws_and_maps_clicks_to_times() {
        let r = report();
        for kind in ChartKind::ALL {
            let name = kind.name();
            let mut axis = TimeAxis::default();
            let out = svg((640, 240), |a| {
                axis = draw(kind, a, &r, &palette::LIGHT)?;
                Ok(axis)
            });
            assert!(!describe(kind, &r).is_empty());
            if !kind.is_timeline() {
                assert_eq!(axis.x1, axis.x0, "{name} maps no click to a time");
                continue;
            }
            assert!(out.contains("Time (s)"), "{name} has a labelled time axis");
            assert!(axis.x1 > axis.x0, "{name} reports its plotting area");
            let mid = axis
                .time_at(f64::from(axis.x0 + axis.x1) / 2.0)
                .expect("inside");
            assert!(
                (mid - 30.0).abs() < 0.5,
                "{name}: the middle of the axis is 30 s, got {mid}"
            );
            assert!(axis.time_at(f64::from(axis.x0) - 5.0).is_none());
            assert!(!describe(kind, &r).is_empty());
        }
    }

    #[test]
    fn lanes_show_init_in_amber_and_busy_in_blue() {
        let r = report();
        let lanes = svg((640, 240), |a| lanes::draw(a, &r, &palette::LIGHT));
        let hex = |c: plotters::style::RGBColor| format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2);
        assert!(
            lanes.contains(&hex(palette::LIGHT.init)),
            "an amber Init segment"
        );
        assert!(
            lanes.contains(&hex(palette::LIGHT.busy)),
            "a blue busy segment"
        );
    }
}
