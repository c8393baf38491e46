//! The validation chart: cold-start probability against arrival rate, measured on AWS, from
//! SimFaaS and from this engine; its rows are worked out by the validation page.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::legend::{self, Corner, Keys, Mark};
use super::palette::Palette;
use super::{err, house_chart, house_mesh, line};

/// One arrival rate of the AWS measurements, with the engine's figure beside it.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Requests per second.
    pub rate_per_s: f64,
    /// Cold-start probability measured on AWS.
    pub measured: f64,
    /// Its standard error.
    pub measured_se: f64,
    /// SimFaaS's figure.
    pub simfaas: f64,
    /// This engine's figure.
    pub engine: f64,
}

/// Cold-start probability against arrival rate (log scale): measured on AWS (points with
/// standard-error bars), SimFaaS and this engine (lines).
pub fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    rows: &[Row],
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
    let mut chart = house_chart(area, 64)
        .build_cartesian_2d((lo..hi).log_scale(), 0f64..y_max)
        .map_err(err)?;
    let mut keys = Keys::default();
    house_mesh(&mut chart.configure_mesh(), pal)
        .x_desc("Requests per second (log scale)")
        .y_desc("Cold-start probability")
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
