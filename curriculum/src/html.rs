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

/// Every lesson of `catalog` as the app's pages, in order.
pub fn pages(catalog: crate::Catalog) -> Result<Vec<crate::Page>, String> {
    catalog
        .lessons
        .into_iter()
        .map(|entry| crate::Page::new(entry, render))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

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
