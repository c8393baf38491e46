//! Charts drawn from the engine's report with plotters, against any `DrawingBackend`:
//! the app draws them on a canvas, the tests render the same charts to SVG.

mod legend;
mod system;
pub mod theme;

use engine::report::{EnvState, Report};
use engine::Scenario;
use plotters::coord::Shift;
use plotters::prelude::*;

use legend::{Corner, Keys, Mark};
use theme::Palette;

const FONT: &str = "sans-serif";

fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("chart: {e:?}")
}

/// Which chart to draw; the names are the ones lesson files use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    /// Environment lanes.
    Lanes,
    /// Environments over time.
    Envs,
    /// Requests in flight against the concurrency limits.
    Concurrency,
    /// Duration percentiles.
    Latency,
    /// Throttles and retries.
    Throttles,
    /// Cost so far.
    Cost,
    /// Messages waiting in the queue and in the dead-letter queue.
    Queue,
    /// Invocations and errors per function or version.
    Functions,
    /// An alarm's datapoints and state, with a deployment's traffic shifts.
    Alarm,
    /// One sampled trace as a waterfall (not a timeline).
    Trace,
    /// The cache hit ratio.
    Cache,
    /// What the IAM role allowed and denied (not a timeline).
    Iam,
}

impl ChartKind {
    /// The chart of a lesson file's name.
    pub fn from_name(name: &str) -> Option<ChartKind> {
        Some(match name {
            "lanes" => ChartKind::Lanes,
            "envs" => ChartKind::Envs,
            "concurrency" => ChartKind::Concurrency,
            "latency" => ChartKind::Latency,
            "throttles" => ChartKind::Throttles,
            "cost" => ChartKind::Cost,
            "queue" => ChartKind::Queue,
            "functions" => ChartKind::Functions,
            "alarm" => ChartKind::Alarm,
            "trace" => ChartKind::Trace,
            "cache" => ChartKind::Cache,
            "iam" => ChartKind::Iam,
            _ => return None,
        })
    }

    /// The name lesson files use.
    pub fn name(self) -> &'static str {
        match self {
            ChartKind::Lanes => "lanes",
            ChartKind::Envs => "envs",
            ChartKind::Concurrency => "concurrency",
            ChartKind::Latency => "latency",
            ChartKind::Throttles => "throttles",
            ChartKind::Cost => "cost",
            ChartKind::Queue => "queue",
            ChartKind::Functions => "functions",
            ChartKind::Alarm => "alarm",
            ChartKind::Trace => "trace",
            ChartKind::Cache => "cache",
            ChartKind::Iam => "iam",
        }
    }

    /// The caption above the chart.
    pub fn title(self) -> &'static str {
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

    /// Whether its horizontal axis is the run's time (a click moves the timeline there).
    pub fn is_timeline(self) -> bool {
        !matches!(self, ChartKind::Trace | ChartKind::Iam)
    }

    /// Height in CSS pixels.
    pub fn height(self) -> u32 {
        match self {
            ChartKind::Lanes | ChartKind::Trace => 220,
            ChartKind::Iam => 150,
            _ => 180,
        }
    }
}

/// Where the plot's time axis lies on the drawing, in pixels, so a click maps to a time.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
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
    pub fn x_of(&self, t_s: f64) -> f64 {
        f64::from(self.x0)
            + (t_s / self.end_s.max(1e-9)).clamp(0.0, 1.0) * f64::from(self.x1 - self.x0)
    }
}

/// Draws `kind` for `report`; `scenario` supplies the limits drawn as dashed lines.
pub fn draw<DB: DrawingBackend>(
    kind: ChartKind,
    area: &DrawingArea<DB, Shift>,
    report: &Report,
    scenario: &Scenario,
    pal: &Palette,
) -> Result<TimeAxis, String> {
    match kind {
        ChartKind::Lanes => draw_lanes(area, report, pal),
        ChartKind::Envs => draw_envs(area, report, pal),
        ChartKind::Concurrency => draw_concurrency(area, report, scenario, pal),
        ChartKind::Latency => draw_latency(area, report, pal),
        ChartKind::Throttles => draw_throttles(area, report, pal),
        ChartKind::Cost => draw_cost(area, report, pal),
        ChartKind::Queue => draw_queue(area, report, pal),
        ChartKind::Functions => system::draw_functions(area, report, pal),
        ChartKind::Alarm => system::draw_alarm(area, report, pal),
        ChartKind::Trace => system::draw_trace(area, report, pal),
        ChartKind::Cache => system::draw_cache(area, report, pal),
        ChartKind::Iam => system::draw_iam(area, report, pal),
    }
}

type TimeChart<'a, DB> = ChartContext<
    'a,
    DB,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

/// A time chart with the house margins, fonts and colours.
fn time_chart<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    report: &Report,
    pal: &Palette,
    y_max: f64,
    y_desc: &str,
    y_fmt: &dyn Fn(&f64) -> String,
) -> Result<TimeChart<'a, DB>, String> {
    area.fill(&pal.bg).map_err(err)?;
    let end_s = report.summary.duration_s;
    let mut chart = ChartBuilder::on(area)
        .margin(8)
        .margin_right(16)
        .x_label_area_size(36)
        .y_label_area_size(64)
        .build_cartesian_2d(0f64..end_s, 0f64..y_max.max(1e-9))
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc("Time (s)")
        .y_desc(y_desc)
        .y_label_formatter(y_fmt)
        .x_labels(8)
        .y_labels(5)
        .axis_desc_style((FONT, 13).into_font().color(&pal.text))
        .label_style((FONT, 12).into_font().color(&pal.muted))
        .axis_style(pal.grid)
        .light_line_style(pal.bg)
        .bold_line_style(pal.grid)
        .draw()
        .map_err(err)?;
    Ok(chart)
}

fn axis_of<'a, DB: DrawingBackend + 'a>(chart: &TimeChart<'a, DB>, end_s: f64) -> TimeAxis {
    let (xr, yr) = chart.plotting_area().get_pixel_range();
    TimeAxis {
        x0: xr.start,
        x1: xr.end,
        y0: yr.start,
        y1: yr.end,
        end_s,
    }
}

/// Draws the legend, presents the drawing and says where its time axis lies.
fn finish<'a, DB: DrawingBackend + 'a>(
    chart: TimeChart<'a, DB>,
    keys: Keys,
    area: &DrawingArea<DB, Shift>,
    end_s: f64,
    pal: &Palette,
) -> Result<TimeAxis, String> {
    finish_at(chart, keys, area, end_s, pal, Corner::UpperLeft)
}

/// `finish` with the legend elsewhere (where the lines seldom are).
fn finish_at<'a, DB: DrawingBackend + 'a>(
    chart: TimeChart<'a, DB>,
    keys: Keys,
    area: &DrawingArea<DB, Shift>,
    end_s: f64,
    pal: &Palette,
    corner: Corner,
) -> Result<TimeAxis, String> {
    legend::draw(
        &chart.plotting_area().strip_coord_spec(),
        &keys,
        corner,
        pal,
    )?;
    let axis = axis_of(&chart, end_s);
    area.present().map_err(err)?;
    Ok(axis)
}

/// A labelled line, with its entry in the legend.
fn line<'a, DB: DrawingBackend + 'a, X: Ranged<ValueType = f64>>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<X, plotters::coord::types::RangedCoordf64>>,
    keys: &mut Keys,
    points: impl IntoIterator<Item = (f64, f64)>,
    color: RGBColor,
    width: u32,
    label: &str,
) -> Result<(), String> {
    chart
        .draw_series(LineSeries::new(points, color.stroke_width(width)))
        .map_err(err)?;
    keys.push(label, Mark::Line(color, width));
    Ok(())
}

/// A bucketed figure as a step line: flat across each bucket.
fn steps(
    rows: &[engine::report::Bucket],
    bucket_s: f64,
    f: impl Fn(&engine::report::Bucket) -> f64,
) -> Vec<(f64, f64)> {
    rows.iter()
        .flat_map(|r| [(r.t_s, f(r)), (r.t_s + bucket_s, f(r))])
        .collect()
}

fn plain(v: &f64) -> String {
    if *v >= 1000.0 {
        engine::report::group(*v as u64)
    } else if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// Environment lanes: one row per environment; amber Init, blue busy, grey outlined idle.
pub fn draw_lanes<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    report: &Report,
    pal: &Palette,
) -> Result<TimeAxis, String> {
    area.fill(&pal.bg).map_err(err)?;
    let lanes = &report.lanes.lanes;
    let n = lanes.len().max(1) as f64;
    let end_s = report.summary.duration_s;
    let mut chart = ChartBuilder::on(area)
        .margin(8)
        .margin_right(16)
        .x_label_area_size(36)
        .y_label_area_size(64)
        .build_cartesian_2d(0f64..end_s, 0f64..n)
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .x_desc("Time (s)")
        .y_desc("Environment")
        .x_labels(8)
        .y_labels(lanes.len().clamp(1, 6))
        .y_label_formatter(&|y| format!("{}", (n - y.floor()).max(1.0) as u32))
        .axis_desc_style((FONT, 13).into_font().color(&pal.text))
        .label_style((FONT, 12).into_font().color(&pal.muted))
        .axis_style(pal.grid)
        .light_line_style(pal.bg)
        .bold_line_style(pal.grid)
        .draw()
        .map_err(err)?;
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

/// Environments over time: alive (grey), initialising or invoking (blue), cold starts (amber).
pub fn draw_envs<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    report: &Report,
    pal: &Palette,
) -> Result<TimeAxis, String> {
    let rows = &report.series.rows;
    let half = report.series.bucket_s / 2.0;
    let y_max = rows.iter().map(|r| r.envs_mean).fold(1.0, f64::max) * 1.2;
    let mut chart = time_chart(area, report, pal, y_max, "Environments", &plain)?;
    let mut keys = Keys::default();
    line(
        &mut chart,
        &mut keys,
        rows.iter().map(|r| (r.t_s + half, r.envs_mean)),
        pal.idle,
        2,
        "alive",
    )?;
    line(
        &mut chart,
        &mut keys,
        rows.iter()
            .map(|r| (r.t_s + half, r.busy_mean + r.init_mean)),
        pal.busy,
        2,
        "busy or in Init",
    )?;
    chart
        .draw_series(
            rows.iter()
                .filter(|r| r.cold_starts > 0)
                .map(|r| TriangleMarker::new((r.t_s + half, 0.0), 5, pal.init.filled())),
        )
        .map_err(err)?;
    keys.push("cold starts", Mark::Triangle(pal.init));
    finish(chart, keys, area, report.summary.duration_s, pal)
}

/// A dashed horizontal line across the chart, labelled with its value.
fn limit_line<'a, DB: DrawingBackend + 'a>(
    chart: &mut TimeChart<'a, DB>,
    y: f64,
    end_s: f64,
    label: String,
    pal: &Palette,
) -> Result<(), String> {
    let style = pal.limit.stroke_width(1);
    let dashes = (0..40).map(|i| {
        let a = end_s * f64::from(i) / 40.0;
        PathElement::new(vec![(a, y), (a + end_s / 80.0, y)], style)
    });
    chart.draw_series(dashes).map_err(err)?;
    chart
        .draw_series(std::iter::once(Text::new(
            label,
            (end_s * 0.99, y),
            (FONT, 12)
                .into_font()
                .color(&pal.muted)
                .pos(plotters::style::text_anchor::Pos::new(
                    plotters::style::text_anchor::HPos::Right,
                    plotters::style::text_anchor::VPos::Bottom,
                )),
        )))
        .map_err(err)?;
    Ok(())
}

/// Requests in flight (peak per bucket) against the account limit and reserved concurrency.
pub fn draw_concurrency<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    report: &Report,
    scenario: &Scenario,
    pal: &Palette,
) -> Result<TimeAxis, String> {
    let rows = &report.series.rows;
    let peak = rows.iter().map(|r| r.concurrency_max).max().unwrap_or(0) as f64;
    let limits: Vec<(f64, String)> = std::iter::once((
        f64::from(scenario.account.concurrency_limit),
        format!(
            "account limit {}",
            engine::report::group(u64::from(scenario.account.concurrency_limit))
        ),
    ))
    .chain(scenario.functions.iter().filter_map(|f| {
        f.reserved_concurrency
            .map(|r| (f64::from(r), format!("{} reserved {r}", f.name)))
    }))
    .collect();
    // Show a limit only when the traffic comes within reach of it.
    let shown: Vec<&(f64, String)> = limits
        .iter()
        .filter(|(v, _)| *v <= peak * 2.0 + 1.0)
        .collect();
    let y_max = shown.iter().map(|(v, _)| *v).fold(peak.max(1.0), f64::max) * 1.15;
    let end_s = report.summary.duration_s;
    let mut chart = time_chart(area, report, pal, y_max, "In flight", &plain)?;
    let mut keys = Keys::default();
    let bs = report.series.bucket_s;
    line(
        &mut chart,
        &mut keys,
        steps(rows, bs, |r| r.concurrency_max as f64),
        pal.busy,
        2,
        "requests in flight (peak)",
    )?;
    for (v, label) in shown {
        limit_line(&mut chart, *v, end_s, label.clone(), pal)?;
    }
    finish(chart, keys, area, end_s, pal)
}

/// Duration percentiles per bucket, in ms.
pub fn draw_latency<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    report: &Report,
    pal: &Palette,
) -> Result<TimeAxis, String> {
    let rows: Vec<_> = report
        .series
        .rows
        .iter()
        .filter(|r| r.completions > 0)
        .collect();
    let half = report.series.bucket_s / 2.0;
    let y_max = rows.iter().map(|r| r.p99_ms).fold(1.0, f64::max) * 1.15;
    let mut chart = time_chart(area, report, pal, y_max, "Duration (ms)", &plain)?;
    let mut keys = Keys::default();
    line(
        &mut chart,
        &mut keys,
        rows.iter().map(|r| (r.t_s + half, r.p99_ms)),
        pal.init,
        2,
        "p99",
    )?;
    line(
        &mut chart,
        &mut keys,
        rows.iter().map(|r| (r.t_s + half, r.p50_ms)),
        pal.busy,
        2,
        "p50",
    )?;
    finish(chart, keys, area, report.summary.duration_s, pal)
}

/// Throttled (red bars) and retried (purple line) requests per bucket.
pub fn draw_throttles<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    report: &Report,
    pal: &Palette,
) -> Result<TimeAxis, String> {
    let rows = &report.series.rows;
    let bs = report.series.bucket_s;
    let y_max = rows
        .iter()
        .map(|r| r.throttles.max(r.retries))
        .max()
        .unwrap_or(0)
        .max(1) as f64
        * 1.2;
    let mut chart = time_chart(area, report, pal, y_max, "Requests", &plain)?;
    let mut keys = Keys::default();
    chart
        .draw_series(rows.iter().filter(|r| r.throttles > 0).map(|r| {
            Rectangle::new(
                [(r.t_s, 0.0), (r.t_s + bs * 0.9, r.throttles as f64)],
                pal.throttle.filled(),
            )
        }))
        .map_err(err)?;
    keys.push("throttled (429)", Mark::Box(pal.throttle.filled()));
    line(
        &mut chart,
        &mut keys,
        rows.iter().map(|r| (r.t_s + bs / 2.0, r.retries as f64)),
        pal.retry,
        2,
        "retries sent",
    )?;
    finish(chart, keys, area, report.summary.duration_s, pal)
}

/// Cumulative cost, in US dollars.
pub fn draw_cost<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    report: &Report,
    pal: &Palette,
) -> Result<TimeAxis, String> {
    let rows = &report.series.rows;
    let bs = report.series.bucket_s;
    let y_max = rows.last().map_or(0.0, |r| r.cost_cum_usd).max(1e-6) * 1.15;
    let money = |v: &f64| {
        if *v >= 1.0 {
            format!("${v:.2}")
        } else if *v >= 0.01 {
            format!("${v:.3}")
        } else {
            format!("${v:.5}")
        }
    };
    let mut chart = time_chart(area, report, pal, y_max, "US dollars", &money)?;
    let mut keys = Keys::default();
    line(
        &mut chart,
        &mut keys,
        std::iter::once((0.0, 0.0)).chain(rows.iter().map(|r| (r.t_s + bs, r.cost_cum_usd))),
        pal.money,
        2,
        "cost so far",
    )?;
    finish(chart, keys, area, report.summary.duration_s, pal)
}

/// Cold-start probability against arrival rate (log scale): measured on AWS (points with
/// standard-error bars), SimFaaS and this engine (lines).
pub fn draw_validation<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    rows: &[crate::pages::validation::Row],
    pal: &Palette,
) -> Result<(), String> {
    area.fill(&pal.bg).map_err(err)?;
    let lo = rows
        .iter()
        .map(|r| r.rate_per_s)
        .fold(f64::INFINITY, f64::min)
        .min(1.0)
        * 0.8;
    let hi = rows
        .iter()
        .map(|r| r.rate_per_s)
        .fold(0.0, f64::max)
        .max(lo * 10.0)
        * 1.25;
    let y_max = rows
        .iter()
        .map(|r| r.measured + r.measured_se)
        .fold(0.01, f64::max)
        * 1.1;
    let mut chart = ChartBuilder::on(area)
        .margin(8)
        .margin_right(16)
        .x_label_area_size(36)
        .y_label_area_size(64)
        .build_cartesian_2d((lo..hi).log_scale(), 0f64..y_max)
        .map_err(err)?;
    let mut keys = Keys::default();
    chart
        .configure_mesh()
        .x_desc("Requests per second (log scale)")
        .y_desc("Cold-start probability")
        .axis_desc_style((FONT, 13).into_font().color(&pal.text))
        .label_style((FONT, 12).into_font().color(&pal.muted))
        .axis_style(pal.grid)
        .light_line_style(pal.bg)
        .bold_line_style(pal.grid)
        .draw()
        .map_err(err)?;
    chart
        .draw_series(rows.iter().map(|r| {
            PathElement::new(
                vec![
                    (r.rate_per_s, (r.measured - r.measured_se).max(0.0)),
                    (r.rate_per_s, r.measured + r.measured_se),
                ],
                pal.muted.stroke_width(1),
            )
        }))
        .map_err(err)?;
    chart
        .draw_series(
            rows.iter()
                .map(|r| Circle::new((r.rate_per_s, r.measured), 4, pal.text.filled())),
        )
        .map_err(err)?;
    keys.push("measured on AWS (2020)", Mark::Circle(pal.text));
    line(
        &mut chart,
        &mut keys,
        rows.iter().map(|r| (r.rate_per_s, r.simfaas)),
        pal.idle,
        2,
        "SimFaaS",
    )?;
    line(
        &mut chart,
        &mut keys,
        rows.iter().map(|r| (r.rate_per_s, r.engine)),
        pal.init,
        2,
        "this engine",
    )?;
    legend::draw(
        &chart.plotting_area().strip_coord_spec(),
        &keys,
        Corner::UpperRight,
        pal,
    )?;
    area.present().map_err(err)
}

/// Queue depth (peak per bucket) and dead-letter queue depth, in messages.
pub fn draw_queue<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    report: &Report,
    pal: &Palette,
) -> Result<TimeAxis, String> {
    let rows = &report.series.rows;
    let bs = report.series.bucket_s;
    let y_max = rows
        .iter()
        .map(|r| r.queue_depth_max.max(r.dlq_depth))
        .max()
        .unwrap_or(0)
        .max(1) as f64
        * 1.2;
    let mut chart = time_chart(area, report, pal, y_max, "Messages", &plain)?;
    let mut keys = Keys::default();
    line(
        &mut chart,
        &mut keys,
        steps(rows, bs, |r| r.queue_depth_max as f64),
        pal.busy,
        2,
        "in the queue (peak)",
    )?;
    line(
        &mut chart,
        &mut keys,
        steps(rows, bs, |r| r.dlq_depth as f64),
        pal.dlq,
        3,
        "in the dead-letter queue",
    )?;
    finish(chart, keys, area, report.summary.duration_s, pal)
}

/// The chart in words, for screen readers and the text view.
pub fn describe(kind: ChartKind, report: &Report) -> String {
    let s = &report.summary;
    let rows = &report.series.rows;
    match kind {
        ChartKind::Lanes => lanes_text(report),
        ChartKind::Envs => envs_text(report),
        ChartKind::Concurrency => format!("At most {} requests were in flight at once; {} were throttled.", s.concurrency_max, s.throttled),
        ChartKind::Latency => format!(
            "Over the run the median duration was {:.0} ms and the 99th percentile {:.0} ms; the worst bucket's p99 was {:.0} ms.",
            s.duration_ms_p50,
            s.duration_ms_p99,
            rows.iter().map(|r| r.p99_ms).fold(0.0, f64::max)
        ),
        ChartKind::Throttles => format!(
            "{} invocations were throttled and {} retries sent; the worst bucket had {} throttles.",
            s.throttled,
            s.retries,
            rows.iter().map(|r| r.throttles).max().unwrap_or(0)
        ),
        ChartKind::Cost => format!("The run cost ${:.4} in all over {:.0} s.", s.cost_usd, s.duration_s),
        ChartKind::Queue => {
            let mut text = format!(
                "At most {} messages waited in the queue (the oldest {:.1} s old); {} ended in the dead-letter queue.",
                s.queue_depth_max,
                s.queue_age_ms_max / 1000.0,
                s.dlq_depth
            );
            if s.dead_letter_errors > 0 {
                text.push_str(&format!(
                    " {} could not be sent to it (DeadLetterErrors): those events are lost.",
                    s.dead_letter_errors
                ));
            }
            text
        }
        other => system::describe(other, report),
    }
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

    fn svg(
        mut draw: impl FnMut(&DrawingArea<SVGBackend, Shift>) -> Result<TimeAxis, String>,
    ) -> String {
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
    fn every_chart_draws_and_maps_clicks_to_times() {
        let r = report();
        let s = engine::Scenario::from_toml("duration_s = 60\n[[functions]]\nname = \"f\"\nworkload = { kind = \"constant\", rate_per_s = 1 }\n").expect("valid");
        for name in curriculum::ChartKind::ALL.map(curriculum::ChartKind::name) {
            let kind = ChartKind::from_name(name).expect("every lesson chart name is drawable");
            let mut axis = TimeAxis::default();
            let out = svg(|a| {
                axis = draw(kind, a, &r, &s, &theme::LIGHT)?;
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
