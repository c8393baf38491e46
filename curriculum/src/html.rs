//! The lesson text as the app shows it: Markdown rendered to HTML, with any raw HTML in the
//! source shown as text, never injected.

use pulldown_cmark::{html, Event, Options, Parser};

/// Markdown to HTML; raw HTML in the source is escaped.
pub fn render(markdown: &str) -> String {
    let parser = Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    )
    .map(|event| match event {
        Event::Html(t) | Event::InlineHtml(t) => Event::Text(t),
        other => other,
    });
    let mut out = String::new();
    html::push_html(&mut out, parser);
    out
}

/// Every lesson of `catalog` as the app's pages, in order. Each number in them must read back
/// exactly in the page (see [`exact_in_any_reader`]).
pub fn pages(catalog: crate::Catalog) -> Result<Vec<crate::Page>, String> {
    let pages = catalog
        .lessons
        .into_iter()
        .map(|entry| crate::Page::new(entry, render))
        .collect::<Result<Vec<_>, _>>()?;
    for page in &pages {
        let value = serde_json::to_value(page).map_err(|e| format!("{}: {e}", page.id))?;
        exact_in_any_reader(&value, &mut String::new()).map_err(|e| format!("{}: {e}", page.id))?;
    }
    Ok(pages)
}

/// Checks that every number in `value` reads back to the same bits in any JSON reader, the
/// page's included. The page reads the lessons' values (JSON text in `lessons.bin`) without serde_json's `float_roundtrip` (whose
/// tables would add 30 KB to its wasm), and sends knob values and scenarios on to the worker:
/// a number one bit off there would give a run different from the command line's. A number
/// written with at most 15 significant digits and a power of ten within 22 is read exactly by
/// every reader (it is one correctly rounded multiplication or division). `path` names the
/// place for the error.
pub fn exact_in_any_reader(value: &serde_json::Value, path: &mut String) -> Result<(), String> {
    use serde_json::Value;
    match value {
        Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() && !exact(f) => Err(format!(
                "{path} = {f:?} has too many digits to be read back exactly by the page: write it with at most 15 significant digits"
            )),
            _ => Ok(()),
        },
        Value::Array(items) => items.iter().enumerate().try_for_each(|(i, v)| {
            let len = path.len();
            path.push_str(&format!("[{i}]"));
            let r = exact_in_any_reader(v, path);
            path.truncate(len);
            r
        }),
        Value::Object(fields) => fields.iter().try_for_each(|(k, v)| {
            let len = path.len();
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(k);
            let r = exact_in_any_reader(v, path);
            path.truncate(len);
            r
        }),
        _ => Ok(()),
    }
}

/// Whether `f`, written shortest, is `m × 10^e` with `m < 2^53` and `|e| <= 22`.
fn exact(f: f64) -> bool {
    if f == 0.0 || !f.is_finite() {
        return true;
    }
    // Shortest form, such as "1.25e-3": its digits and its power of ten.
    let text = format!("{:e}", f.abs());
    let Some((mantissa, exp)) = text.split_once('e') else {
        return false;
    };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let (Ok(m), Ok(exp)) = (digits.parse::<u64>(), exp.parse::<i64>()) else {
        return false;
    };
    let e = exp - (digits.len() as i64 - 1);
    m < (1 << 53) && (-22..=22).contains(&e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_the_page_could_read_one_bit_off_is_refused() {
        for ok in [
            0.1,
            512.0,
            0.005,
            1e-7,
            2.5e21,
            123_456_789_012_345.0,
            -0.75,
            1.0 / 3.0,
        ] {
            assert!(exact(ok), "{ok}");
        }
        for bad in [
            0.1 + 0.2,
            std::f64::consts::SQRT_2,
            1e-30,
            9_007_199_254_740_993.0 * 10.0,
        ] {
            assert!(!exact(bad), "{bad}");
        }
        let value = serde_json::json!({"knobs": [{"value": 512}, {"value": 0.1 + 0.2}]});
        let e = exact_in_any_reader(&value, &mut String::new()).expect_err("refused");
        assert!(
            e.starts_with("knobs[1].value = 0.30000000000000004 has too many digits"),
            "{e}"
        );
    }

    #[test]
    fn raw_html_in_a_lesson_is_shown_as_text() {
        let out = render("A <script>alert(1)</script> here.");
        assert!(!out.contains("<script>"), "{out}");
        assert!(out.contains("&lt;script&gt;"), "{out}");
    }

    #[test]
    fn every_lesson_becomes_a_page_with_its_knob_values() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../lessons");
        let catalog = crate::load_dir(&dir).expect("the lessons load");
        let n = catalog.lessons.len();
        let pages = pages(catalog).expect("pages");
        assert_eq!(pages.len(), n);
        for p in &pages {
            for x in &p.lesson.experiments {
                let s = p
                    .scenarios
                    .get(&x.id)
                    .expect("every experiment has its scenario");
                assert_eq!(s.knob_values.len(), x.knobs.len(), "{} {}", p.id, x.id);
                assert!(
                    s.knob_values.iter().all(|v| !v.is_null()),
                    "{} {}",
                    p.id,
                    x.id
                );
                assert_eq!(s.json["duration_s"].as_f64(), Some(s.duration_s));
            }
        }
    }
}
