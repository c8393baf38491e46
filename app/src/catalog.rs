//! The lessons. They are not compiled into the app: curriculum's `catalog` tool checks them,
//! renders their text and writes `lessons.bin` (`curriculum::wire`) beside the app on every
//! build, and the app fetches it (`index.html` preloads it while the wasm starts).

use curriculum::Page;

/// Where the lessons are, relative to the page.
pub const URL: &str = "./lessons.bin";

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

/// Fetches and reads the lessons into `lessons`, which says `Loading` meanwhile: the app's
/// first load, instructor mode's, and "Try again" after a failure.
pub fn fetch_into(lessons: leptos::prelude::RwSignal<Lessons>) {
    use leptos::prelude::Set;
    lessons.set(Lessons::Loading);
    leptos::task::spawn_local(async move {
        let loaded = load().await;
        lessons.try_set(loaded);
    });
}

/// Fetches and reads the lessons.
pub async fn load() -> Lessons {
    match crate::fetch::bytes(URL, "the lessons (lessons.bin)").await {
        Ok(bytes) => read(&bytes),
        Err(e) => Lessons::Failed(e),
    }
}

/// Reads `lessons.bin`, naming the file when it is not what the app expects.
pub fn read(bytes: &[u8]) -> Lessons {
    match curriculum::wire::read(bytes) {
        Ok(pages) => Lessons::Ready(pages),
        Err(e) => Lessons::Failed(engine::clip::message(&format!(
            "lessons.bin does not hold the lessons this app reads ({}): is it from another build of the app?",
            bridge::unreadable(&e)
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
        let bytes = curriculum::wire::write(&pages).expect("writes");
        assert_eq!(read(&bytes), Lessons::Ready(pages));
    }

    #[test]
    fn a_broken_file_is_named() {
        let Lessons::Failed(e) = read(b"[{\"id\": 3}]") else {
            panic!("read a broken file");
        };
        assert!(
            e.starts_with("lessons.bin does not hold the lessons"),
            "{e}"
        );
    }
}
