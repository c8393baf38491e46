//! The chart palette: one colour per meaning, for the page's light and dark themes (mirrors
//! `public/style.css`), and the roles a chart names its colours by.

use plotters::style::RGBColor;

/// The chart colours for one page theme (light or dark).
#[derive(Debug, Clone, Copy)]
pub struct Palette {
    /// Chart background.
    pub bg: RGBColor,
    /// Axis labels and titles.
    pub text: RGBColor,
    /// Secondary text and tick labels.
    pub muted: RGBColor,
    /// Grid lines.
    pub grid: RGBColor,
    /// Init / cold start.
    pub init: RGBColor,
    /// Busy (invoking).
    pub busy: RGBColor,
    /// Idle outline.
    pub idle: RGBColor,
    /// Provisioned outline.
    pub provisioned: RGBColor,
    /// Throttled.
    pub throttle: RGBColor,
    /// Limits (dashed lines).
    pub limit: RGBColor,
    /// Retried.
    pub retry: RGBColor,
    /// Money.
    pub money: RGBColor,
    /// A dead-letter queue (recoverable, unlike a drop).
    pub dlq: RGBColor,
}

/// The colours for the light theme.
pub const LIGHT: Palette = Palette {
    bg: RGBColor(255, 255, 255),
    text: RGBColor(23, 27, 34),
    muted: RGBColor(87, 96, 110),
    grid: RGBColor(229, 232, 237),
    init: RGBColor(217, 119, 6),
    busy: RGBColor(37, 99, 235),
    idle: RGBColor(148, 158, 172),
    provisioned: RGBColor(22, 163, 74),
    throttle: RGBColor(220, 38, 38),
    limit: RGBColor(87, 96, 110),
    retry: RGBColor(124, 58, 237),
    money: RGBColor(15, 118, 110),
    dlq: RGBColor(127, 29, 29),
};

/// The colours for the dark theme.
pub const DARK: Palette = Palette {
    bg: RGBColor(22, 26, 33),
    text: RGBColor(230, 233, 238),
    muted: RGBColor(160, 168, 180),
    grid: RGBColor(48, 54, 64),
    init: RGBColor(245, 158, 11),
    busy: RGBColor(96, 145, 250),
    idle: RGBColor(110, 120, 134),
    provisioned: RGBColor(52, 199, 110),
    throttle: RGBColor(248, 90, 90),
    limit: RGBColor(160, 168, 180),
    retry: RGBColor(167, 139, 250),
    money: RGBColor(45, 212, 191),
    dlq: RGBColor(252, 165, 165),
};

/// The palette for the page's theme: dark or light.
pub fn of(dark: bool) -> &'static Palette {
    if dark {
        &DARK
    } else {
        &LIGHT
    }
}

/// What a colour means on a chart: a series names its role, the palette gives the colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Init and cold starts.
    Init,
    /// Busy (invoking), and the first function's line.
    Busy,
    /// Idle, and alive environments.
    Idle,
    /// Throttles and errors.
    Throttle,
    /// Retries.
    Retry,
    /// Money.
    Money,
    /// A dead-letter queue.
    Dlq,
    /// The `i`-th function or version on a chart of several (see [`Palette::shade`]).
    Shade(usize),
}

impl Palette {
    /// The colour of `role`.
    pub fn colour(&self, role: Role) -> RGBColor {
        match role {
            Role::Init => self.init,
            Role::Busy => self.busy,
            Role::Idle => self.idle,
            Role::Throttle => self.throttle,
            Role::Retry => self.retry,
            Role::Money => self.money,
            Role::Dlq => self.dlq,
            Role::Shade(i) => self.shade(i),
        }
    }

    /// The colour of the `i`-th function or version on one chart. Functions are told apart by
    /// shade of the invocation colours, never by a colour that means something else (teal is
    /// money, green provisioned, purple retries).
    pub fn shade(&self, i: usize) -> RGBColor {
        let midway = |a: RGBColor, b: RGBColor| {
            RGBColor(
                ((u16::from(a.0) + u16::from(b.0)) / 2) as u8,
                ((u16::from(a.1) + u16::from(b.1)) / 2) as u8,
                ((u16::from(a.2) + u16::from(b.2)) / 2) as u8,
            )
        };
        let shades = [self.busy, self.text, self.idle, midway(self.busy, self.bg)];
        shades[i % shades.len()]
    }
}
