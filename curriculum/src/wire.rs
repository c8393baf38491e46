//! The lessons as the app loads them: `lessons.bin`, the pages in postcard, a compact binary
//! form whose reader is a fraction of the size of a JSON reader in the page's wasm.
//!
//! The few free-form values of a lesson (a knob's value, the fields a check or a solution
//! sets, an experiment's scenario) are `serde_json::Value`s, which a format without field
//! names cannot carry: in postcard they travel as JSON text ([`json_text`]), while the lesson
//! files (TOML) and any JSON keep them as they are.

use serde::{Deserialize, Serialize};

use crate::Page;

/// Writes the pages as `lessons.bin` holds them.
pub fn write(pages: &[Page]) -> Result<Vec<u8>, String> {
    postcard::to_allocvec(pages).map_err(|e| format!("the lessons could not be written: {e}"))
}

/// Reads `lessons.bin`; the error is postcard's, for the reader to put in words.
pub fn read(bytes: &[u8]) -> Result<Vec<Page>, postcard::Error> {
    postcard::from_bytes(bytes)
}

/// Serde `with` module for a free-form value (`Value`, `Option<Value>`, a map of them): as it
/// is in a human-readable format (TOML, JSON), as JSON text in a binary one (postcard).
pub mod json_text {
    use serde::de::{DeserializeOwned, Error as _};
    use serde::ser::Error as _;
    use serde::{Deserializer, Serializer};

    use super::*;

    /// Writes `value`.
    pub fn serialize<T: Serialize, S: Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            value.serialize(s)
        } else {
            let text = serde_json::to_string(value).map_err(S::Error::custom)?;
            s.serialize_str(&text)
        }
    }

    /// Reads a value written by [`serialize`].
    pub fn deserialize<'de, T: DeserializeOwned, D: Deserializer<'de>>(
        d: D,
    ) -> Result<T, D::Error> {
        if d.is_human_readable() {
            T::deserialize(d)
        } else {
            let text = String::deserialize(d)?;
            serde_json::from_str(&text).map_err(D::Error::custom)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pages of `lessons/`, as the build writes them.
    fn lessons() -> Vec<Page> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../lessons");
        crate::load_dir(&dir)
            .map_err(|e| format!("{e:?}"))
            .and_then(crate::html::pages)
            .expect("the lessons load")
    }

    #[test]
    fn the_lessons_read_back_as_written() {
        let pages = lessons();
        let bytes = write(&pages).expect("written");
        assert_eq!(read(&bytes), Ok(pages));
    }

    #[test]
    fn a_broken_file_is_an_error_not_a_panic() {
        let pages = lessons();
        let bytes = write(&pages[..1]).expect("written");
        for cut in (0..bytes.len()).step_by(97) {
            assert!(read(&bytes[..cut]).is_err(), "{cut} bytes");
        }
        assert!(read(b"[{\"id\": 3}]").is_err());
    }
}
