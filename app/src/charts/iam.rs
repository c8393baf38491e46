//! What the IAM role let the code do: actions allowed, denied, and harmful ones allowed (not a
//! timeline).

use engine::report::Report;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::palette::Palette;
use super::rows::rows_chart;
use super::time::TimeAxis;
use super::{err, FONT};

/// What the role let the code do: actions allowed, denied, and harmful ones allowed.
pub fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    report: &Report,
    pal: &Palette,
) -> Result<TimeAxis, String> {
    area.fill(&pal.bg).map_err(err)?;
    let s = &report.summary;
    let work = s.iam_allowed.saturating_sub(s.iam_harmful_allowed);
    let bars = [
        ("allowed (its work)", work, pal.busy),
        ("denied (AccessDenied)", s.iam_denied, pal.throttle),
        ("harmful, allowed (damage)", s.iam_harmful_allowed, pal.dlq),
    ];
    let x_max = bars.iter().map(|b| b.1).max().unwrap_or(0).max(1) as f64 * 1.25;
    let names: Vec<String> = bars.iter().map(|b| b.0.to_string()).collect();
    let mut chart = rows_chart(area, &names, x_max, "AWS calls over the run", 6, 170, pal)?;
    for (i, (_, v, colour)) in bars.iter().enumerate() {
        let y = i as f64;
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(0.0, y + 0.2), (*v as f64, y + 0.8)],
                colour.filled(),
            )))
            .map_err(err)?;
        chart
            .draw_series(std::iter::once(Text::new(
                engine::report::group(*v),
                (*v as f64 + x_max * 0.01, y + 0.5),
                (FONT, 12)
                    .into_font()
                    .color(&pal.text)
                    .pos(Pos::new(HPos::Left, VPos::Center)),
            )))
            .map_err(err)?;
    }
    area.present().map_err(err)?;
    Ok(TimeAxis::default())
}

/// The IAM chart in words, for screen readers.
pub fn describe(report: &Report) -> String {
    let s = &report.summary;
    format!(
        "The role allowed {} and denied {}; {} harmful {} allowed.",
        crate::format::count(s.iam_allowed, "call"),
        engine::report::group(s.iam_denied),
        engine::report::group(s.iam_harmful_allowed),
        crate::format::plural_of(s.iam_harmful_allowed, "call was", "calls were")
    )
}

#[cfg(test)]
mod tests {
    use super::super::{cache, palette, svg, time};

    #[test]
    fn the_iam_and_cache_charts_label_what_they_count() {
        let r = engine::run(
            &engine::Scenario::from_toml(
                r#"
            duration_s = 60
            [[functions]]
            name = "thumbs"
            handler = { cpu_ms = 1, io_ms = 20 }
            workload = { kind = "constant", rate_per_s = 10 }
            cache = { scope = "environment", keys = 5, ttl_s = 30 }
            [functions.iam]
            policy.statements = [{ effect = "Allow", action = "s3:*", resource = "*" }]
            attempts = [{ action = "s3:DeleteObject", resource = "arn:aws:s3:::invoices/a", harmful = true }]
        "#,
            )
            .expect("valid"),
        )
        .expect("runs");
        let iam = svg((720, 240), |a| super::draw(a, &r, &palette::LIGHT));
        assert!(
            iam.contains("harmful, allowed (damage)") && iam.contains("AWS calls over the run")
        );
        assert!(iam.contains(&engine::report::group(r.summary.iam_harmful_allowed)));
        let cache = svg((720, 240), |a| {
            time::draw(a, &r, &cache::chart(&r), &palette::LIGHT)
        });
        assert!(cache.contains("Cache hit ratio") && cache.contains("cold starts"));
    }
}
