//! Chart legends drawn by hand. plotters' own series labels measure their text by adding
//! elements to the page, forcing a layout of the whole page for each label on every redraw;
//! these measure through the drawing backend (the canvas's `measureText`, see `canvas.rs`).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::palette::Palette;
use super::{err, FONT};

/// What stands beside a legend entry: the same mark as on the chart.
#[derive(Debug, Clone, Copy)]
pub(super) enum Mark {
    /// A line of this colour and width.
    Line(RGBColor, u32),
    /// A small box in this style (a bar, a shaded span).
    Box(ShapeStyle),
    /// A filled triangle (cold starts).
    Triangle(RGBColor),
    /// A filled circle.
    Circle(RGBColor),
    /// A cross.
    Cross(RGBColor),
}

/// The entries of one chart's legend, in the order they were drawn.
#[derive(Debug, Default)]
pub(super) struct Keys(Vec<(String, Mark)>);

impl Keys {
    /// Adds an entry.
    pub(super) fn push(&mut self, label: impl Into<String>, mark: Mark) {
        self.0.push((label.into(), mark));
    }
}

/// Which corner of the plot the legend sits in.
#[derive(Debug, Clone, Copy)]
pub(super) enum Corner {
    /// Top left (most charts: their lines start low).
    UpperLeft,
    /// Top right.
    UpperRight,
    /// Bottom right (a ratio that runs high).
    LowerRight,
}

const ROW: i32 = 18;
const MARK: i32 = 16;
const PAD: i32 = 6;

/// Draws the legend in `plot`, the plotting area in pixels.
pub(super) fn draw<DB: DrawingBackend>(
    plot: &DrawingArea<DB, Shift>,
    keys: &Keys,
    corner: Corner,
    pal: &Palette,
) -> Result<(), String> {
    if keys.0.is_empty() {
        return Ok(());
    }
    let font = (FONT, 12).into_font().color(&pal.text);
    let mut text_w = 0i32;
    for (label, _) in &keys.0 {
        let (w, _) = plot.estimate_text_size(label, &font).map_err(err)?;
        text_w = text_w.max(w as i32);
    }
    let (pw, ph) = plot.dim_in_pixel();
    let (w, h) = (PAD * 3 + MARK + text_w, PAD * 2 + ROW * keys.0.len() as i32);
    let (x0, y0) = match corner {
        Corner::UpperLeft => (8, 8),
        Corner::UpperRight => (pw as i32 - w - 8, 8),
        Corner::LowerRight => (pw as i32 - w - 8, ph as i32 - h - 8),
    };
    plot.draw(&Rectangle::new(
        [(x0, y0), (x0 + w, y0 + h)],
        pal.bg.mix(0.85).filled(),
    ))
    .map_err(err)?;
    plot.draw(&Rectangle::new([(x0, y0), (x0 + w, y0 + h)], pal.grid))
        .map_err(err)?;
    for (i, (label, mark)) in keys.0.iter().enumerate() {
        let cy = y0 + PAD + ROW * i as i32 + ROW / 2;
        let mx = x0 + PAD;
        match *mark {
            Mark::Line(c, width) => plot.draw(&PathElement::new(
                vec![(mx, cy), (mx + MARK, cy)],
                c.stroke_width(width),
            )),
            Mark::Box(style) => plot.draw(&Rectangle::new(
                [(mx + 2, cy - 5), (mx + 14, cy + 5)],
                style,
            )),
            Mark::Triangle(c) => plot.draw(&TriangleMarker::new((mx + 8, cy), 5, c.filled())),
            Mark::Circle(c) => plot.draw(&Circle::new((mx + 8, cy), 4, c.filled())),
            Mark::Cross(c) => plot.draw(&Cross::new((mx + 8, cy), 4, c.stroke_width(1))),
        }
        .map_err(err)?;
        plot.draw(&Text::new(
            label.clone(),
            (mx + MARK + PAD, cy),
            font.clone().pos(Pos::new(HPos::Left, VPos::Center)),
        ))
        .map_err(err)?;
    }
    Ok(())
}
