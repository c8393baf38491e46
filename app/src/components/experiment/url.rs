//! The experiment's state in the URL: read when the panel opens (what a link sets, and what
//! in it could not be used), written back a moment after each change, and carried by the
//! embed snippet.

use curriculum::ScenarioData;
use curriculum::{Control, Experiment, Knob};
use leptos::prelude::*;
use serde_json::Value;

use super::state::Runs;
use crate::route;

/// Reads one knob's value from a URL parameter.
fn parse_knob(k: &Knob, raw: &str, like: &Value) -> Option<Value> {
    let v = match k.control {
        Control::Toggle => raw.parse::<bool>().ok().map(Value::from),
        Control::Select => k
            .options
            .iter()
            .find(|o| knob_param(k, &o.value) == raw)
            .map(|o| o.value.clone()),
        Control::Slider => crate::format::number(raw).map(|v| curriculum::number(v, like)),
    }?;
    k.admits(&v).ok().map(|()| v)
}

/// How a knob's value is written in the URL: a select whose option is a table or a list (an
/// IAM policy, a list of alarms) by its label as a slug, `narrow-role` rather than JSON.
fn knob_param(k: &Knob, v: &Value) -> String {
    if k.control == Control::Select && (v.is_array() || v.is_object()) {
        if let Some(o) = k
            .options
            .iter()
            .find(|o| curriculum::same_value(&o.value, v))
        {
            return slug(&o.label);
        }
    }
    value_param(v)
}

/// `"Canary, 10% for 5 min"` as `canary-10-for-5-min`.
fn slug(label: &str) -> String {
    let mut out = String::new();
    for c in label.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// How a value is written in the URL.
fn value_param(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        // Numbers as the browser writes them: 20.0 reads as 20 in a link.
        other => crate::format::json(other).unwrap_or_default(),
    }
}

/// The state one side of the experiment starts from, and what in the URL could not be used.
pub(super) struct Start {
    /// Side A's knob values.
    pub a: Vec<Value>,
    /// Side B's, when the link compares.
    pub b: Option<Vec<Value>>,
    /// The seed.
    pub seed: u64,
    /// The moment shown, when the link gives one.
    pub t_s: Option<f64>,
    /// What the link set that could not be used, in words.
    pub problems: Vec<String>,
}

/// Reads the experiment's state from the URL's query; `file` holds the lesson file's values.
pub(super) fn start_state(
    exp: &Experiment,
    scenario: &ScenarioData,
    file: &[Value],
    query: &[(String, String)],
) -> Start {
    let mut problems = Vec::new();
    let prefix = format!("{}.", exp.id);
    let mine: Vec<(&str, &str)> = query
        .iter()
        .filter_map(|(k, v)| k.strip_prefix(&prefix).map(|rest| (rest, v.as_str())))
        .collect();
    let read_side = |side: &str, problems: &mut Vec<String>| -> Vec<Value> {
        exp.knobs
            .iter()
            .zip(file)
            .map(|(k, fv)| {
                let key = format!("{side}{}", k.id);
                match mine.iter().find(|(q, _)| *q == key) {
                    None => fv.clone(),
                    Some((_, raw)) => parse_knob(k, raw, fv).unwrap_or_else(|| {
                        let raw = engine::clip::quote(raw);
                        problems.push(format!("{prefix}{key}=\u{201c}{raw}\u{201d} is not a valid {} (the lesson's value is used)", k.label.to_ascii_lowercase()));
                        fv.clone()
                    }),
                }
            })
            .collect()
    };
    let a = read_side("", &mut problems);
    let compare = mine.iter().any(|(k, v)| *k == "ab" && *v == "1");
    let b = compare.then(|| read_side("b.", &mut problems));
    let mut seed = scenario.seed;
    let mut t_s = None;
    for (k, v) in &mine {
        // A value from a link is quoted in part: a link can be any length.
        let q = engine::clip::quote(v);
        match *k {
            "seed" => match v.parse::<u64>() {
                Ok(s) => seed = s,
                Err(_) => problems.push(format!("{prefix}seed=\u{201c}{q}\u{201d} is not a whole number (the lesson's seed is used)")),
            },
            "t" => match crate::format::number(v) {
                Some(t) if t >= 0.0 && t <= scenario.duration_s => t_s = Some(t),
                _ => problems.push(format!("{prefix}t=\u{201c}{q}\u{201d} is not a time within the run (0 to {} s)", engine::report::trimmed(scenario.duration_s, 3))),
            },
            "ab" => {}
            other => {
                let knob = other.strip_prefix("b.").unwrap_or(other);
                if !exp.knobs.iter().any(|k| k.id == knob) {
                    problems.push(format!("{prefix}{} is not a setting of this experiment", engine::clip::quote(other)));
                }
            }
        }
    }
    Start {
        a,
        b,
        seed,
        t_s,
        problems,
    }
}

/// What an experiment writes into the URL.
struct UrlState<'a> {
    exp_id: &'a str,
    knobs: &'a [Knob],
    /// The lesson file's values: knobs left at them are not written.
    file: &'a [Value],
    a: &'a [Value],
    b: Option<&'a [Value]>,
    seed: u64,
    default_seed: u64,
    t_s: f64,
}

/// Writes this experiment's state into the URL (replacing, so the back button is not flooded).
fn write_url(st: &UrlState<'_>) {
    let UrlState {
        exp_id,
        knobs,
        file,
        a,
        b,
        seed,
        default_seed,
        t_s,
    } = *st;
    let Some(window) = web_sys::window() else {
        return;
    };
    let hash = window.location().hash().unwrap_or_default();
    let loc = route::Location::parse(&hash);
    let prefix = format!("{exp_id}.");
    let mut query: Vec<(String, String)> = loc
        .query
        .into_iter()
        .filter(|(k, _)| !k.starts_with(&prefix))
        .collect();
    for ((k, v), fv) in knobs.iter().zip(a).zip(file) {
        if v != fv {
            query.push((format!("{prefix}{}", k.id), knob_param(k, v)));
        }
    }
    if let Some(b) = b {
        query.push((format!("{prefix}ab"), "1".into()));
        for (k, v) in knobs.iter().zip(b) {
            query.push((format!("{prefix}b.{}", k.id), knob_param(k, v)));
        }
    }
    if seed != default_seed {
        query.push((format!("{prefix}seed"), seed.to_string()));
    }
    query.push((format!("{prefix}t"), crate::format::fixed(t_s, 3)));
    let path = hash.split('?').next().unwrap_or("#/").to_string();
    let q: Vec<String> = query
        .iter()
        .map(|(k, v)| format!("{}={}", route::encode(k), route::encode(v)))
        .collect();
    let url = if q.is_empty() {
        path
    } else {
        format!("{path}?{}", q.join("&"))
    };
    if url != hash {
        if let Ok(history) = window.history() {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
        }
    }
}

/// Makes the URL follow the experiment's state; the signal returned counts the writes, for
/// what reads the URL back.
pub(super) fn follow(
    exp_id: String,
    runs: Runs,
    file_values: StoredValue<Vec<Value>>,
    default_seed: u64,
    t_s: RwSignal<f64>,
) -> ReadSignal<u32> {
    let (url_written, set_url_written) = signal(0u32);
    // Written a moment after the last change, not on every slider step or playback frame:
    // the browser's history API is slow enough to show in a re-run's time.
    let pending = StoredValue::new(None::<leptos::leptos_dom::helpers::TimeoutHandle>);
    let exp_id = StoredValue::new(exp_id);
    let Runs {
        knobs,
        values_a,
        values_b,
        seed,
        ..
    } = runs;
    Effect::new(move |_| {
        let (a, b, s, t) = (values_a.get(), values_b.get(), seed.get(), t_s.get());
        if let Some(h) = pending.get_value() {
            h.clear();
        }
        // The panel may be gone by the time this runs (another page, another scene):
        // then nothing is written.
        let write = move || {
            let (Some(knobs), Some(file), Some(exp_id)) = (
                knobs.try_get_value(),
                file_values.try_get_value(),
                exp_id.try_get_value(),
            ) else {
                return;
            };
            write_url(&UrlState {
                exp_id: &exp_id,
                knobs: &knobs,
                file: &file,
                a: &a,
                b: b.as_deref(),
                seed: s,
                default_seed,
                t_s: t,
            });
            set_url_written.try_update(|n| *n = n.wrapping_add(1));
        };
        let handle = leptos::leptos_dom::helpers::set_timeout_with_handle(
            write,
            std::time::Duration::from_millis(150),
        );
        pending.set_value(handle.ok());
    });
    on_cleanup(move || {
        if let Some(Some(h)) = pending.try_get_value() {
            h.clear();
        }
    });
    url_written
}

/// "Copy embed code": an `<iframe>` snippet for this experiment in its current state (re-read
/// whenever the URL was written, so the snippet carries the state).
pub(super) fn embed_code(
    lesson: String,
    exp: String,
    title: String,
    url_written: ReadSignal<u32>,
) -> impl Fn() -> String + Clone + Send + Sync + 'static {
    move || {
        let _ = url_written.get();
        let href = web_sys::window()
            .and_then(|w| w.location().href().ok())
            .unwrap_or_default();
        let (base, hash) = href.split_once('#').unwrap_or((href.as_str(), ""));
        let dir = base.rsplit_once('/').map_or(base, |(d, _)| d);
        let prefix = format!("{exp}.");
        let state: Vec<String> = route::Location::parse(hash)
            .query
            .into_iter()
            .filter(|(k, _)| k.starts_with(&prefix) && !k.ends_with(".t"))
            .map(|(k, v)| format!("{}={}", route::encode(&k), route::encode(&v)))
            .collect();
        let q = if state.is_empty() {
            String::new()
        } else {
            format!("?{}", state.join("&"))
        };
        let title = title.replace('"', "&quot;").replace('<', "&lt;");
        format!(
            "<iframe src=\"{base}#/embed/{lesson}/{exp}{q}\" title=\"{title} (Lambda Lab)\" loading=\"lazy\" width=\"100%\" height=\"640\" style=\"border:0\"></iframe>\n<script src=\"{dir}/embed.js\" async></script>"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::knob::tests::knob;
    use super::*;
    use curriculum::Choice;

    #[test]
    fn url_values_outside_the_knob_are_refused() {
        let k = knob(false);
        let like = Value::from(5.0);
        assert_eq!(parse_knob(&k, "12.5", &like), Some(Value::from(12.5)));
        assert_eq!(parse_knob(&k, "1000", &like), None);
        assert_eq!(parse_knob(&k, "<script>", &like), None);
        assert_eq!(parse_knob(&k, "NaN", &like), None);
    }

    #[test]
    fn a_select_of_tables_is_written_by_its_label() {
        let policy =
            |a: &str| serde_json::json!([{ "effect": "Allow", "action": a, "resource": "*" }]);
        let k = Knob {
            control: Control::Select,
            options: vec![
                Choice {
                    label: "Broad: s3:* on *".into(),
                    value: policy("s3:*"),
                },
                Choice {
                    label: "Narrow (read only)".into(),
                    value: policy("s3:GetObject"),
                },
            ],
            ..knob(false)
        };
        assert_eq!(knob_param(&k, &policy("s3:GetObject")), "narrow-read-only");
        assert_eq!(knob_param(&k, &policy("s3:*")), "broad-s3-on");
        let like = policy("s3:*");
        assert_eq!(
            parse_knob(&k, "narrow-read-only", &like),
            Some(policy("s3:GetObject"))
        );
        assert_eq!(parse_knob(&k, "[]", &like), None);
    }
}
