//! The chart palette: one colour per meaning, in light and dark (mirrors `public/style.css`).

use plotters::style::RGBColor;

/// Colours of one theme.
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

/// The light theme.
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

/// The dark theme.
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

/// The palette for a theme.
pub fn palette(dark: bool) -> &'static Palette {
    if dark {
        &DARK
    } else {
        &LIGHT
    }
}
