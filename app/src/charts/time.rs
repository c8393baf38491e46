//! Time charts described as data, and the one routine that draws them all: the house axes,
//! then the series in order, the limit lines, the vertical marks and the legend.

use engine::report::{Bucket, Report};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::legend::{self, Corner, Drawn, Keys, Mark};
use super::palette::{Palette, Role};
use super::{err, house_chart, house_mesh, line, plain, FONT};

/// A chart against the run's time, as data: its vertical axis, what is drawn on it and in
/// which order. [`draw`] draws every one of them.
#[derive(Debug)]
pub(super) struct TimeChart {
    /// What the vertical axis counts: "Duration".
    pub y_label: String,
    /// Its unit, written in brackets after the label: "ms".
    pub y_unit: Option<String>,
    /// How the vertical axis writes its values.
    pub y_ticks: Ticks,
    /// Top of the vertical axis (the bottom is 0).
    pub y_max: f64,
    /// Shaded spans of time (an alarm's ALARM periods), drawn first, beneath everything.
    pub bands: Option<Bands>,
    /// The series, drawn in this order; each has its entry in the legend, in the same order.
    pub series: Vec<Series>,
    /// Dashed horizontal lines labelled with what they are (limits, a threshold), drawn over
    /// the series.
    pub limits: Vec<Limit>,
    /// Labelled vertical lines (a deployment's traffic shifts), drawn last.
    pub marks: Vec<(f64, String)>,
    /// Where the legend sits when it hides nothing there: where the lines seldom are
    /// (another corner when it hides fewer of the chart's points).
    pub legend: Corner,
}

impl TimeChart {
    /// A chart with this vertical axis and nothing on it yet; the legend top left.
    pub fn new(y_label: impl Into<String>, y_ticks: Ticks, y_max: f64) -> TimeChart {
        TimeChart {
            y_label: y_label.into(),
            y_unit: None,
            y_ticks,
            y_max,
            bands: None,
            series: Vec::new(),
            limits: Vec::new(),
            marks: Vec::new(),
            legend: Corner::UpperLeft,
        }
    }

    /// The same chart with its vertical axis in `unit`.
    pub fn unit(mut self, unit: impl Into<String>) -> TimeChart {
        self.y_unit = Some(unit.into());
        self
    }

    /// Adds a series, drawn after those already added.
    pub fn series(
        mut self,
        label: impl Into<String>,
        colour: Role,
        shape: Shape,
        values: Values,
    ) -> TimeChart {
        self.series.push(Series {
            label: label.into(),
            colour,
            shape,
            values,
        });
        self
    }

    /// The vertical axis's title: the label, and the unit in brackets.
    fn y_desc(&self) -> String {
        match &self.y_unit {
            Some(unit) => format!("{} ({unit})", self.y_label),
            None => self.y_label.clone(),
        }
    }
}

/// How a vertical axis writes its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ticks {
    /// A plain number, grouped in thousands from 1,000.
    Plain,
    /// US dollars, with more decimals the smaller the sum.
    Dollars,
    /// A whole percentage.
    Percent,
}

impl Ticks {
    fn format(self, v: &f64) -> String {
        match self {
            Ticks::Plain => plain(v),
            Ticks::Dollars if *v >= 1.0 => format!("${v:.2}"),
            Ticks::Dollars if *v >= 0.01 => format!("${v:.3}"),
            Ticks::Dollars => format!("${v:.5}"),
            Ticks::Percent => format!("{v:.0}%"),
        }
    }
}

/// One series of a time chart.
#[derive(Debug)]
pub(super) struct Series {
    /// Its entry in the legend.
    pub label: String,
    /// What its colour means.
    pub colour: Role,
    /// How each value is drawn.
    pub shape: Shape,
    /// Its values.
    pub values: Values,
}

/// How a series is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
    /// A line through the points, this many pixels wide.
    Line(u32),
    /// A filled bar from each point's time across nine tenths of a bucket, up to its value.
    Bars,
    /// A filled triangle at each point (cold starts).
    Triangles,
    /// A filled circle at each point.
    Dots,
    /// A cross at each point.
    Crosses,
}

/// Where the values of a series come from.
#[derive(Debug)]
pub(super) enum Values {
    /// One value per bucket of the report's time series.
    Buckets {
        /// The bucket's value.
        read: fn(&Bucket) -> f64,
        /// Where in the bucket it stands.
        at: At,
        /// Which buckets have a point (the others are skipped).
        keep: fn(&Bucket) -> bool,
    },
    /// Points worked out by the chart: (time in seconds, value).
    Points(Vec<(f64, f64)>),
}

impl Values {
    /// Every bucket's `read`, placed `at`.
    pub fn each(read: fn(&Bucket) -> f64, at: At) -> Values {
        Values::Buckets {
            read,
            at,
            keep: |_| true,
        }
    }

    /// The `read` of the buckets that `keep` keeps, placed `at`.
    pub fn some(read: fn(&Bucket) -> f64, at: At, keep: fn(&Bucket) -> bool) -> Values {
        Values::Buckets { read, at, keep }
    }

    /// The points, (time in seconds, value).
    fn points(&self, report: &Report) -> Vec<(f64, f64)> {
        let (read, at, keep) = match self {
            Values::Points(points) => return points.clone(),
            Values::Buckets { read, at, keep } => (read, at, keep),
        };
        let (rows, bs) = (&report.series.rows, report.series.bucket_s);
        let half = bs / 2.0;
        let kept = rows.iter().filter(|r| keep(r));
        match at {
            At::Start => kept.map(|r| (r.t_s, read(r))).collect(),
            At::Middle => kept.map(|r| (r.t_s + half, read(r))).collect(),
            At::Step => kept
                .flat_map(|r| [(r.t_s, read(r)), (r.t_s + bs, read(r))])
                .collect(),
            At::RunningTotal => std::iter::once((0.0, 0.0))
                .chain(kept.map(|r| (r.t_s + bs, read(r))))
                .collect(),
        }
    }
}

/// Where a bucket's value stands in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum At {
    /// At the bucket's start.
    Start,
    /// In the middle of the bucket.
    Middle,
    /// Flat across the whole bucket (a peak or a level held through it).
    Step,
    /// At the bucket's end, after a first point of 0 at time 0: a running total.
    RunningTotal,
}

/// Shaded spans of time, with their legend entry.
#[derive(Debug)]
pub(super) struct Bands {
    /// Their entry in the legend.
    pub label: String,
    /// What their colour means (drawn faint).
    pub colour: Role,
    /// The spans, (from, to) in seconds.
    pub spans: Vec<(f64, f64)>,
}

/// A dashed horizontal line across the chart, labelled at its right end.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Limit {
    /// Its height, in the vertical axis's unit.
    pub y: f64,
    /// What it is, with its value.
    pub label: String,
}

/// Where the plot's time axis lies on the drawing, in pixels, so a click maps to a time.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct TimeAxis {
    /// Left end of the plotting area, in pixels.
    pub x0: i32,
    /// Right end, in pixels.
    pub x1: i32,
    /// Top of the plotting area, in pixels.
    pub y0: i32,
    /// Bottom, in pixels.
    pub y1: i32,
    /// Simulated span, in seconds.
    pub end_s: f64,
}

impl TimeAxis {
    /// The time under pixel `x`, or `None` outside the plot.
    pub fn time_at(&self, x: f64) -> Option<f64> {
        let (x0, x1) = (f64::from(self.x0), f64::from(self.x1));
        (x1 > x0 && x >= x0 && x <= x1).then(|| (x - x0) / (x1 - x0) * self.end_s)
    }

    /// The pixel of time `t_s`.
    // Not `clamp`: its assertion formats floats, which the page's module carries none of.
    #[allow(clippy::manual_clamp)]
    pub fn x_of(&self, t_s: f64) -> f64 {
        f64::from(self.x0)
            + (t_s / self.end_s.max(1e-9)).max(0.0).min(1.0) * f64::from(self.x1 - self.x0)
    }
}

/// A chart context with the run's time across and a number up.
pub(super) type Plot<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// The vertical axis of [`axes`].
pub(super) struct YAxis<'f> {
    /// Its title.
    pub desc: &'f str,
    /// Its top (the bottom is 0).
    pub max: f64,
    /// How many values it writes.
    pub labels: usize,
    /// How it writes them.
    pub format: &'f dyn Fn(&f64) -> String,
    /// Whether its values have grid lines across the plot.
    pub grid: bool,
}

/// Paints the background and draws the house axes: the run's time across, `y` up.
pub(super) fn axes<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    report: &Report,
    pal: &Palette,
    y: YAxis<'_>,
) -> Result<Plot<'a, DB>, String> {
    area.fill(&pal.bg).map_err(err)?;
    let end_s = report.summary.duration_s;
    let mut chart = house_chart(area, 64)
        .build_cartesian_2d(0f64..end_s, 0f64..y.max)
        .map_err(err)?;
    let mut mesh = chart.configure_mesh();
    if !y.grid {
        mesh.disable_y_mesh();
    }
    house_mesh(&mut mesh, pal)
        .x_desc("Time (s)")
        .y_desc(y.desc)
        .x_labels(8)
        .y_labels(y.labels)
        .y_label_formatter(y.format)
        .draw()
        .map_err(err)?;
    Ok(chart)
}

/// Where the time axis of `chart` lies, in pixels.
pub(super) fn axis_of<DB: DrawingBackend>(chart: &Plot<'_, DB>, end_s: f64) -> TimeAxis {
    let (xr, yr) = chart.plotting_area().get_pixel_range();
    TimeAxis {
        x0: xr.start,
        x1: xr.end,
        y0: yr.start,
        y1: yr.end,
        end_s,
    }
}

/// Draws `spec` for `report`, presents the drawing and says where its time axis lies.
pub(super) fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    report: &Report,
    spec: &TimeChart,
    pal: &Palette,
) -> Result<TimeAxis, String> {
    let end_s = report.summary.duration_s;
    let bs = report.series.bucket_s;
    let y_desc = spec.y_desc();
    let ticks = spec.y_ticks;
    let format = move |v: &f64| ticks.format(v);
    let y = YAxis {
        desc: &y_desc,
        max: spec.y_max.max(1e-9),
        labels: 5,
        format: &format,
        grid: true,
    };
    let mut chart = axes(area, report, pal, y)?;
    let mut keys = Keys::default();
    if let Some(bands) = &spec.bands {
        let shade = pal.colour(bands.colour).mix(0.15).filled();
        chart
            .draw_series(
                bands
                    .spans
                    .iter()
                    .map(|&(a, b)| Rectangle::new([(a, 0.0), (b, spec.y_max)], shade)),
            )
            .map_err(err)?;
        keys.push(bands.label.clone(), Mark::Box(shade));
    }
    // Every point drawn, in the plot's pixels: the legend goes where it hides the fewest.
    let (xr, yr) = chart.plotting_area().get_pixel_range();
    let mut drawn: Vec<Drawn> = Vec::new();
    for s in &spec.series {
        let colour = pal.colour(s.colour);
        let points = s.values.points(report);
        drawn.extend(points.iter().map(|p| {
            let (x, y) = chart.backend_coord(p);
            Drawn {
                x: x - xr.start,
                y: y - yr.start,
                bar: s.shape == Shape::Bars,
            }
        }));
        let label = s.label.clone();
        match s.shape {
            Shape::Line(width) => line(&mut chart, &mut keys, points, colour, width, label)?,
            Shape::Bars => {
                let style = colour.filled();
                chart
                    .draw_series(
                        points
                            .into_iter()
                            .map(|(t, v)| Rectangle::new([(t, 0.0), (t + bs * 0.9, v)], style)),
                    )
                    .map_err(err)?;
                keys.push(label, Mark::Box(style));
            }
            Shape::Triangles => {
                chart
                    .draw_series(
                        points
                            .into_iter()
                            .map(|p| TriangleMarker::new(p, 5, colour.filled())),
                    )
                    .map_err(err)?;
                keys.push(label, Mark::Triangle(colour));
            }
            Shape::Dots => {
                chart
                    .draw_series(
                        points
                            .into_iter()
                            .map(|p| Circle::new(p, 4, colour.filled())),
                    )
                    .map_err(err)?;
                keys.push(label, Mark::Circle(colour));
            }
            Shape::Crosses => {
                let style = colour.stroke_width(1);
                chart
                    .draw_series(points.into_iter().map(|p| Cross::new(p, 4, style)))
                    .map_err(err)?;
                keys.push(label, Mark::Cross(colour));
            }
        }
    }
    for limit in &spec.limits {
        limit_line(&mut chart, limit, end_s, pal)?;
    }
    let style = pal.limit.stroke_width(1);
    let font = (FONT, 12)
        .into_font()
        .color(&pal.muted)
        .pos(Pos::new(HPos::Left, VPos::Top));
    for (t, label) in &spec.marks {
        let (t, y_max) = (*t, spec.y_max);
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(t, 0.0), (t, y_max)],
                style,
            )))
            .map_err(err)?;
        chart
            .draw_series(std::iter::once(Text::new(
                label.clone(),
                (t + end_s * 0.005, y_max * 0.98),
                font.clone(),
            )))
            .map_err(err)?;
    }
    let plot = chart.plotting_area().strip_coord_spec();
    // The labels of the limit lines and of the marks must stay readable: each counts as a
    // point every 4 pixels of its box, so the legend keeps off them before any data.
    let font = (FONT, 12).into_font().color(&pal.muted);
    let mut labels = Vec::new();
    for limit in &spec.limits {
        let (w, h) = plot.estimate_text_size(&limit.label, &font).map_err(err)?;
        let (x, y) = chart.backend_coord(&(end_s * 0.99, limit.y));
        labels.push((x - w as i32, y - h as i32, x, y));
    }
    for (t, label) in &spec.marks {
        let (w, h) = plot.estimate_text_size(label, &font).map_err(err)?;
        let (x, y) = chart.backend_coord(&(t + end_s * 0.005, spec.y_max * 0.98));
        labels.push((x, y, x + w as i32, y + h as i32));
    }
    for (x0, y0, x1, y1) in labels {
        for x in (x0..=x1).step_by(4) {
            for y in (y0..=y1).step_by(4) {
                drawn.push(Drawn {
                    x: x - xr.start,
                    y: y - yr.start,
                    bar: false,
                });
            }
        }
    }
    let corner = legend::emptiest(&plot, &keys, spec.legend, &drawn, pal)?;
    legend::draw(&plot, &keys, corner, pal)?;
    let axis = axis_of(&chart, end_s);
    area.present().map_err(err)?;
    Ok(axis)
}

/// A dashed horizontal line across the chart, labelled at its right end.
fn limit_line<DB: DrawingBackend>(
    chart: &mut Plot<'_, DB>,
    limit: &Limit,
    end_s: f64,
    pal: &Palette,
) -> Result<(), String> {
    let y = limit.y;
    let style = pal.limit.stroke_width(1);
    let dashes = (0..40).map(|i| {
        let a = end_s * f64::from(i) / 40.0;
        PathElement::new(vec![(a, y), (a + end_s / 80.0, y)], style)
    });
    chart.draw_series(dashes).map_err(err)?;
    chart
        .draw_series(std::iter::once(Text::new(
            limit.label.clone(),
            (end_s * 0.99, y),
            (FONT, 12)
                .into_font()
                .color(&pal.muted)
                .pos(Pos::new(HPos::Right, VPos::Bottom)),
        )))
        .map_err(err)?;
    Ok(())
}
