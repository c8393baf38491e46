//! Hash routes (`#/lesson/<id>?knob=value`), so `dist/` works from any static server or sub-path.

/// A page of the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// The lesson list.
    Home,
    /// One lesson.
    Lesson {
        /// Its id.
        id: String,
    },
    /// How faithful is this model?
    Validation,
    /// The free sandbox.
    Lab,
    /// Every field of a scenario file.
    Reference,
    /// A function's own logs: read, calibrated and asked "what if".
    YourFunction,
    /// One experiment, for an `<iframe>`.
    Embed {
        /// The lesson.
        lesson: String,
        /// The experiment.
        experiment: String,
    },
    /// Instructor mode for one lesson.
    Present {
        /// The lesson.
        lesson: String,
    },
    /// Anything else.
    NotFound(String),
}

/// A parsed location hash: the route and its query parameters (decoded, in order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The page.
    pub route: Route,
    /// `key=value` pairs after `?`.
    pub query: Vec<(String, String)>,
}

impl Location {
    /// Parses a hash such as `#/lesson/invocation?main.rate=10`.
    pub fn parse(hash: &str) -> Location {
        let hash = hash.strip_prefix('#').unwrap_or(hash);
        let (path, query) = hash.split_once('?').unwrap_or((hash, ""));
        let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
        let route = match parts.as_slice() {
            [] => Route::Home,
            ["lesson", id] => Route::Lesson { id: decode(id) },
            ["validation"] => Route::Validation,
            ["lab"] => Route::Lab,
            ["reference"] => Route::Reference,
            ["your-function"] => Route::YourFunction,
            ["embed", lesson, experiment] => Route::Embed {
                lesson: decode(lesson),
                experiment: decode(experiment),
            },
            ["present", lesson] => Route::Present {
                lesson: decode(lesson),
            },
            _ => Route::NotFound(decode(path)),
        };
        let query = query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (decode(k), decode(v))
            })
            .collect();
        Location { route, query }
    }
}

/// Percent-decoding (invalid sequences are kept as they are).
pub fn decode(s: &str) -> String {
    js_sys::decode_uri_component(s)
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| s.to_string())
}

/// Percent-encoding of one URL component.
pub fn encode(s: &str) -> String {
    js_sys::encode_uri_component(s)
        .as_string()
        .unwrap_or_default()
}

/// The hash of a lesson page.
pub fn lesson_href(id: &str) -> String {
    format!("#/lesson/{id}")
}
