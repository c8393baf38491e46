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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

/// A point of the chart in the plot's pixels, for [`emptiest`]: `bar` for the top of a bar,
/// which covers everything below it down to the axis.
#[derive(Debug, Clone, Copy)]
pub(super) struct Drawn {
    /// Across, from the plot's left edge.
    pub x: i32,
    /// Down, from the plot's top edge.
    pub y: i32,
    /// The top of a bar rather than a point.
    pub bar: bool,
}

/// The legend's size in pixels.
fn size<DB: DrawingBackend>(
    plot: &DrawingArea<DB, Shift>,
    keys: &Keys,
    pal: &Palette,
) -> Result<(i32, i32), String> {
    let font = (FONT, 12).into_font().color(&pal.text);
    let mut text_w = 0i32;
    for (label, _) in &keys.0 {
        let (w, _) = plot.estimate_text_size(label, &font).map_err(err)?;
        text_w = text_w.max(w as i32);
    }
    Ok((PAD * 3 + MARK + text_w, PAD * 2 + ROW * keys.0.len() as i32))
}

/// The top-left pixel of a legend of size `(w, h)` in `corner` of a plot of size `(pw, ph)`.
fn origin(corner: Corner, (w, h): (i32, i32), (pw, ph): (i32, i32)) -> (i32, i32) {
    match corner {
        Corner::UpperLeft => (8, 8),
        Corner::UpperRight => (pw - w - 8, 8),
        Corner::LowerRight => (pw - w - 8, ph - h - 8),
    }
}

/// The corner where the legend hides the fewest of the chart's points: `preferred` unless
/// another corner hides fewer (a queue's peak under the legend would hide what the chart is
/// for).
pub(super) fn emptiest<DB: DrawingBackend>(
    plot: &DrawingArea<DB, Shift>,
    keys: &Keys,
    preferred: Corner,
    points: &[Drawn],
    pal: &Palette,
) -> Result<Corner, String> {
    if keys.0.is_empty() {
        return Ok(preferred);
    }
    let (w, h) = size(plot, keys, pal)?;
    let (pw, ph) = plot.dim_in_pixel();
    let hidden = |corner: Corner| {
        let (x0, y0) = origin(corner, (w, h), (pw as i32, ph as i32));
        points
            .iter()
            .filter(|p| p.x >= x0 && p.x <= x0 + w && p.y <= y0 + h && (p.bar || p.y >= y0))
            .count()
    };
    let mut best = (preferred, hidden(preferred));
    for corner in [Corner::UpperLeft, Corner::UpperRight, Corner::LowerRight] {
        let n = hidden(corner);
        if n < best.1 {
            best = (corner, n);
        }
    }
    Ok(best.0)
}

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
    let (pw, ph) = plot.dim_in_pixel();
    let (w, h) = size(plot, keys, pal)?;
    let (x0, y0) = origin(corner, (w, h), (pw as i32, ph as i32));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::palette::LIGHT;

    #[test]
    fn the_legend_moves_off_the_points_it_would_hide() {
        let mut out = String::new();
        let plot = SVGBackend::with_string(&mut out, (400, 200)).into_drawing_area();
        let mut keys = Keys::default();
        keys.push("in the queue (peak)", Mark::Line(LIGHT.text, 2));
        let at = |x, y, bar| Drawn { x, y, bar };
        let pick = |points: &[Drawn]| {
            emptiest(&plot, &keys, Corner::UpperLeft, points, &LIGHT).expect("measures")
        };
        assert_eq!(pick(&[]), Corner::UpperLeft, "nothing hidden: where asked");
        assert_eq!(
            pick(&[at(20, 180, false)]),
            Corner::UpperLeft,
            "a point low down is not under it"
        );
        // A peak at the top left (a queue filling at the start of a spike).
        assert_eq!(
            pick(&[at(20, 15, false), at(30, 20, false)]),
            Corner::UpperRight
        );
        // A tall bar reaches under a legend at the top, whatever the height of its top.
        assert_eq!(pick(&[at(20, 2, true)]), Corner::UpperRight);
        // Points everywhere along the top: the lower right corner is free.
        let top: Vec<Drawn> = (0..40).map(|i| at(i * 10, 15, false)).collect();
        assert_eq!(pick(&top), Corner::LowerRight);
    }
}
