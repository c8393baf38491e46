//! The lessons. They are not compiled into the app: curriculum's `catalog` tool checks them,
//! renders their text and writes `lessons.json` beside the app on every build, and the app
//! fetches it (`index.html` preloads it while the wasm starts).

use curriculum::Page;

/// Where the lessons are, relative to the page.
pub const URL: &str = "./lessons.json";

/// The lessons as the page has them.
#[derive(Debug, Clone, PartialEq)]
pub enum Lessons {
    /// Being fetched.
    Loading,
    /// Every lesson page, in teaching order.
    Ready(Vec<Page>),
    /// Why they could not be had.
    Failed(String),
}

/// Fetches and reads the lessons.
pub async fn load() -> Lessons {
    match crate::fetch::text(URL, "the lessons (lessons.json)").await {
        Ok(text) => read(&text),
        Err(e) => Lessons::Failed(e),
    }
}

/// Reads `lessons.json`, naming the file and the place when it is not what the app expects.
pub fn read(text: &str) -> Lessons {
    match serde_json::from_str::<Vec<Page>>(text) {
        Ok(pages) => Lessons::Ready(pages),
        Err(e) => Lessons::Failed(engine::clip::message(&format!(
            "lessons.json does not hold the lessons this app reads: {e}"
        ))),
    }
}

/// The lessons read from `lessons/`, as the build writes them (for the native tests).
#[cfg(test)]
pub fn pages() -> Vec<Page> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../lessons");
    curriculum::load_dir(&dir)
        .map_err(|e| format!("{e:?}"))
        .and_then(curriculum::html::pages)
        .expect("the lessons load")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_written_lessons_read_back() {
        let pages = pages();
        let text = serde_json::to_string(&pages).expect("writes");
        assert_eq!(read(&text), Lessons::Ready(pages));
    }

    #[test]
    fn a_broken_file_is_named() {
        let Lessons::Failed(e) = read("[{\"id\": 3}]") else {
            panic!("read a broken file");
        };
        assert!(e.starts_with("lessons.json"), "{e}");
        assert!(e.contains("line 1"), "{e}");
    }
}
