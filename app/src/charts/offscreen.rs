//! The plotters backend of the charts worker: draws on an `OffscreenCanvas`, the canvas a page
//! hands to a worker. plotters-canvas draws only on a page's `<canvas>` element (it asks for an
//! `HtmlCanvasElement` and a `CanvasRenderingContext2d`, which a worker has not), so this is
//! its drawing code over the worker's 2D context. Text is measured with `measureText`, as the
//! page's backend does (`crate::canvas`).

use std::f64::consts::PI;

use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
    FontTransform,
};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{OffscreenCanvas, OffscreenCanvasRenderingContext2d};

/// The line height of a `<span>` in the page's sans-serif font, as a multiple of its size
/// (the same as the page's backend, so a chart lays out alike on either).
const LINE_HEIGHT: f64 = 1.15;

/// What went wrong on the canvas, in the browser's words.
#[derive(Debug)]
pub struct OffscreenError(String);

impl std::fmt::Display for OffscreenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for OffscreenError {}

fn error(e: JsValue) -> DrawingErrorKind<OffscreenError> {
    let text = e
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "the canvas refused to draw".to_string());
    DrawingErrorKind::DrawingError(OffscreenError(text))
}

/// A plotters backend on an `OffscreenCanvas`.
pub struct Offscreen {
    canvas: OffscreenCanvas,
    context: OffscreenCanvasRenderingContext2d,
}

impl Offscreen {
    /// The backend for `canvas`, or `None` when the browser gives it no 2D context.
    pub fn new(canvas: OffscreenCanvas) -> Option<Offscreen> {
        let context = canvas
            .get_context("2d")
            .ok()
            .flatten()?
            .dyn_into::<OffscreenCanvasRenderingContext2d>()
            .ok()?;
        Some(Offscreen { canvas, context })
    }

    fn set_line_style(&self, style: &impl BackendStyle) {
        self.context.set_stroke_style_str(&css(style.color()));
        self.context.set_line_width(style.stroke_width() as f64);
    }

    fn set_fill(&self, color: BackendColor) {
        self.context.set_fill_style_str(&css(color));
    }

    fn set_font(&self, style: &impl BackendTextStyle) {
        self.context.set_font(&format!(
            "{} {}px {}",
            style.style().as_str(),
            style.size(),
            style.family().as_str(),
        ));
    }

    /// Traces a path through `points`, closed or not.
    fn trace(&self, points: impl IntoIterator<Item = BackendCoord>, close: bool) -> bool {
        let mut points = points.into_iter();
        self.context.begin_path();
        let Some(start) = points.next() else {
            return false;
        };
        self.context.move_to(f64::from(start.0), f64::from(start.1));
        for p in points {
            self.context.line_to(f64::from(p.0), f64::from(p.1));
        }
        if close {
            self.context.close_path();
        }
        true
    }
}

/// A colour as CSS.
fn css(color: BackendColor) -> String {
    let (r, g, b) = color.rgb;
    format!("rgba({r},{g},{b},{})", color.alpha)
}

/// A horizontal or vertical line of width 1 falls between two pixel rows unless moved half a
/// pixel: it would be drawn blurred across both.
fn crisp(from: BackendCoord, to: BackendCoord) -> ((f64, f64), (f64, f64)) {
    let mut from = (f64::from(from.0), f64::from(from.1));
    let mut to = (f64::from(to.0), f64::from(to.1));
    if from.0 == to.0 {
        from.0 -= 0.5;
        to.0 -= 0.5;
    }
    if from.1 == to.1 {
        from.1 -= 0.5;
        to.1 -= 0.5;
    }
    (from, to)
}

impl DrawingBackend for Offscreen {
    type ErrorType = OffscreenError;

    fn get_size(&self) -> (u32, u32) {
        (self.canvas.width(), self.canvas.height())
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<OffscreenError>> {
        Ok(())
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<OffscreenError>> {
        Ok(())
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<OffscreenError>> {
        if color.alpha > 0.0 {
            self.set_fill(color);
            self.context
                .fill_rect(f64::from(point.0), f64::from(point.1), 1.0, 1.0);
        }
        Ok(())
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<OffscreenError>> {
        if style.color().alpha > 0.0 {
            let (from, to) = crisp(from, to);
            self.set_line_style(style);
            self.context.begin_path();
            self.context.move_to(from.0, from.1);
            self.context.line_to(to.0, to.1);
            self.context.stroke();
        }
        Ok(())
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<OffscreenError>> {
        if style.color().alpha == 0.0 {
            return Ok(());
        }
        let (x, y) = (f64::from(upper_left.0), f64::from(upper_left.1));
        let w = f64::from(bottom_right.0 - upper_left.0);
        let h = f64::from(bottom_right.1 - upper_left.1);
        if fill {
            self.set_fill(style.color());
            self.context.fill_rect(x, y, w, h);
        } else {
            self.set_line_style(style);
            self.context.stroke_rect(x, y, w, h);
        }
        Ok(())
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<OffscreenError>> {
        if style.color().alpha > 0.0 {
            self.set_line_style(style);
            self.trace(path, false);
            self.context.stroke();
        }
        Ok(())
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<OffscreenError>> {
        if style.color().alpha > 0.0 {
            self.set_fill(style.color());
            self.trace(vert, true);
            self.context.fill();
        }
        Ok(())
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<OffscreenError>> {
        if style.color().alpha == 0.0 {
            return Ok(());
        }
        if fill {
            self.set_fill(style.color());
        } else {
            self.set_line_style(style);
        }
        self.context.begin_path();
        self.context
            .arc(
                f64::from(center.0),
                f64::from(center.1),
                f64::from(radius),
                0.0,
                2.0 * PI,
            )
            .map_err(error)?;
        if fill {
            self.context.fill();
        } else {
            self.context.stroke();
        }
        Ok(())
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<OffscreenError>> {
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let quarter_turns = match style.transform() {
            FontTransform::None => 0.0,
            FontTransform::Rotate90 => 1.0,
            FontTransform::Rotate180 => 2.0,
            FontTransform::Rotate270 => 3.0,
        };
        let (mut x, mut y) = (f64::from(pos.0), f64::from(pos.1));
        if quarter_turns != 0.0 {
            self.context.save();
            self.context.translate(x, y).map_err(error)?;
            self.context
                .rotate(quarter_turns * PI / 2.0)
                .map_err(error)?;
            (x, y) = (0.0, 0.0);
        }
        self.context.set_text_baseline(match style.anchor().v_pos {
            VPos::Top => "top",
            VPos::Center => "middle",
            VPos::Bottom => "bottom",
        });
        self.context.set_text_align(match style.anchor().h_pos {
            HPos::Left => "start",
            HPos::Right => "end",
            HPos::Center => "center",
        });
        self.set_fill(color);
        self.set_font(style);
        let drawn = self.context.fill_text(text, x, y).map_err(error);
        if quarter_turns != 0.0 {
            self.context.restore();
        }
        drawn
    }

    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<OffscreenError>> {
        self.set_font(style);
        let width = self
            .context
            .measure_text(text)
            .map(|m| m.width())
            .unwrap_or(0.0);
        let height = style.size() * LINE_HEIGHT;
        Ok((width.ceil().max(0.0) as u32, height.ceil() as u32))
    }
}
