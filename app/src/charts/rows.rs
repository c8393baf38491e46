//! A chart of labelled rows against a quantity across: the trace's waterfall and the IAM
//! role's bars.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::palette::Palette;
use super::time::Plot;
use super::{err, house_chart, house_mesh, plain};

/// A chart of labelled rows, top to bottom, against a quantity across: the waterfall's spans
/// and the IAM role's bars. Row `i` spans `i..i + 1` on the vertical axis; its label sits at
/// `i + 0.5`.
pub(super) fn rows_chart<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    labels: &[String],
    x_max: f64,
    x_desc: &str,
    x_labels: usize,
    label_width: u32,
    pal: &Palette,
) -> Result<Plot<'a, DB>, String> {
    let rows = labels.len().max(1) as f64;
    let mut chart = house_chart(area, label_width)
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
    let mut mesh = chart.configure_mesh();
    mesh.disable_y_mesh();
    house_mesh(&mut mesh, pal)
        .x_desc(x_desc)
        .x_labels(x_labels)
        .y_labels(labels.len() * 2 + 1)
        .y_label_formatter(&label_of)
        .x_label_formatter(&plain)
        .draw()
        .map_err(err)?;
    Ok(chart)
}
