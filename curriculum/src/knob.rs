//! Knobs: typed paths into a scenario, parsed once when the lesson is read, and the values a
//! learner may give them.
//!
//! A path such as `functions[0].memory_mb` becomes a JSON pointer (`/functions/0/memory_mb`)
//! into the scenario as serialised, written with `serde_json::Value::pointer_mut`. A
//! distribution field reads as its number while it is a constant, and a knob writes it as a
//! bare number (which a scenario reads as a constant): no path ends in `.value`.

use std::collections::BTreeMap;
use std::fmt;

use engine::Scenario;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::schema::{Control, Experiment, Knob};

/// The scenario field a knob sets, e.g. `functions[0].memory_mb`, parsed once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct FieldPath {
    /// The path as written.
    text: String,
    /// Its parts: field names and list indexes.
    segs: Vec<Seg>,
    /// The same as a JSON pointer.
    pointer: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Seg {
    Key(String),
    Index(usize),
}

impl FieldPath {
    /// Reads a path: field names separated by `.`, each optionally followed by `[index]`.
    pub fn parse(path: &str) -> Result<FieldPath, String> {
        let mut segs = Vec::new();
        for part in path.split('.') {
            let (name, rest) = part
                .split_once('[')
                .map_or((part, None), |(n, r)| (n, Some(r)));
            if name.is_empty() {
                return Err(format!("\"{path}\": empty field name"));
            }
            segs.push(Seg::Key(name.to_string()));
            if let Some(r) = rest {
                let idx = r
                    .strip_suffix(']')
                    .and_then(|n| n.parse::<usize>().ok())
                    .ok_or_else(|| format!("\"{path}\": expected name[index]"))?;
                segs.push(Seg::Index(idx));
            }
        }
        if let (Some((Seg::Key(last), _)), Some(field)) =
            (segs.split_last(), path.strip_suffix(".value"))
        {
            if last == "value" {
                return Err(format!(
                    "\"{path}\": a knob sets a distribution as a bare number (a constant); write the path without \".value\": \"{field}\""
                ));
            }
        }
        let pointer = segs
            .iter()
            .map(|s| match s {
                Seg::Key(k) => format!("/{}", k.replace('~', "~0").replace('/', "~1")),
                Seg::Index(i) => format!("/{i}"),
            })
            .collect();
        Ok(FieldPath {
            text: path.to_string(),
            segs,
            pointer,
        })
    }

    /// The path as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The field in a serialised scenario; a constant distribution reads as its number.
    fn read(&self, root: &Value) -> Result<Value, String> {
        let v = root
            .pointer(&self.pointer)
            .ok_or_else(|| self.missing(root, " (set it in the scenario file first)"))?;
        Ok(constant(v).unwrap_or(v).clone())
    }

    /// Sets the field in a serialised scenario.
    fn write(&self, root: &mut Value, value: &Value) -> Result<(), String> {
        match root.pointer_mut(&self.pointer) {
            Some(slot) => {
                *slot = value.clone();
                Ok(())
            }
            None => Err(self.missing(root, "")),
        }
    }

    /// Which part of the path the scenario lacks.
    fn missing(&self, root: &Value, hint: &str) -> String {
        let path = &self.text;
        let mut v = Some(root);
        for seg in &self.segs {
            v = match seg {
                Seg::Key(k) => match v.and_then(|v| v.get(k)) {
                    None => return format!("\"{path}\": no field \"{k}\"{hint}"),
                    some => some,
                },
                Seg::Index(i) => match v.and_then(|v| v.get(i)) {
                    None => return format!("\"{path}\": no element {i}"),
                    some => some,
                },
            };
        }
        format!("\"{path}\": not found")
    }
}

/// The value of a constant distribution as the scenario serialises it
/// (`{ kind = "constant", value = 300 }`).
fn constant(v: &Value) -> Option<&Value> {
    let o = v.as_object()?;
    (o.len() == 2 && o.get("kind")?.as_str()? == "constant")
        .then(|| o.get("value"))
        .flatten()
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl TryFrom<String> for FieldPath {
    type Error = String;
    fn try_from(path: String) -> Result<FieldPath, String> {
        FieldPath::parse(&path)
    }
}

impl From<FieldPath> for String {
    fn from(p: FieldPath) -> String {
        p.text
    }
}

/// The value of a field of the scenario (a constant distribution reads as its number).
pub fn get_path(scenario: &Scenario, path: &FieldPath) -> Result<Value, String> {
    let root = serde_json::to_value(scenario).map_err(|e| e.to_string())?;
    path.read(&root)
}

/// The values of an experiment's knobs in its scenario, in order (`null` for one it cannot
/// read, which the checker never lets through).
pub fn knob_values(scenario: &Scenario, knobs: &[Knob]) -> Vec<Value> {
    let root = serde_json::to_value(scenario).unwrap_or(Value::Null);
    knobs
        .iter()
        .map(|k| k.path.read(&root).unwrap_or(Value::Null))
        .collect()
}

/// A copy of the scenario with one field set, validated.
pub fn set_path(scenario: &Scenario, path: &FieldPath, value: &Value) -> Result<Scenario, String> {
    set_paths(scenario, &[(path, value)])
}

/// A copy of the scenario with several fields set, read back and validated once: an
/// experiment sets all its knobs this way on every slider move.
pub fn set_paths(scenario: &Scenario, fields: &[(&FieldPath, &Value)]) -> Result<Scenario, String> {
    let mut root = serde_json::to_value(scenario).map_err(|e| e.to_string())?;
    for &(path, value) in fields {
        path.write(&mut root, value)?;
    }
    let s: Scenario = engine::from_value(root).map_err(|e| match fields {
        [(path, _)] => format!("{path}: {e}"),
        _ => e,
    })?;
    s.validate().map_err(|e| e.to_string())?;
    Ok(s)
}

/// The experiment's scenario with some knobs set (knob id to value).
pub fn apply_knobs(
    scenario: &Scenario,
    experiment: &Experiment,
    values: &BTreeMap<String, Value>,
) -> Result<Scenario, String> {
    let mut s = scenario.clone();
    for (id, v) in values {
        let knob = experiment
            .knobs
            .iter()
            .find(|k| &k.id == id)
            .ok_or_else(|| {
                format!(
                    "\"{id}\" is not a knob of experiment \"{}\" (knobs: {})",
                    experiment.id,
                    experiment
                        .knobs
                        .iter()
                        .map(|k| k.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })?;
        knob.admits(v)?;
        s = set_path(&s, &knob.path, v)?;
    }
    Ok(s)
}

impl Knob {
    /// Whether a learner could set this value with the control.
    pub fn admits(&self, v: &Value) -> Result<(), String> {
        match self.control {
            Control::Slider => match v.as_f64() {
                Some(x) if x >= self.min && x <= self.max => Ok(()),
                _ => Err(format!(
                    "{}: expected a number from {} to {}, got {}",
                    self.id,
                    engine::report::trimmed(self.min, 6),
                    engine::report::trimmed(self.max, 6),
                    json(v)
                )),
            },
            Control::Toggle if v.is_boolean() => Ok(()),
            Control::Toggle => Err(format!(
                "{}: expected true or false, got {}",
                self.id,
                json(v)
            )),
            Control::Select if self.options.iter().any(|o| same_value(&o.value, v)) => Ok(()),
            Control::Select => Err(format!(
                "{}: {} is not one of the options",
                self.id,
                json(v)
            )),
        }
    }
}

/// A value as messages quote it: its compact JSON (`"fast"`, `[1,2]`, `0.5`). The same text as
/// `Value`'s `Display`, which would bring serde_json's pretty writer and `io` adapter into the
/// page's wasm.
pub fn json(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// Whether two values are the same setting: numbers by value (a field read back as `60.0`
/// is the option written `60`), lists and tables element by element.
pub fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_value(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, p)| y.get(k).is_some_and(|q| same_value(p, q)))
        }
        _ => a == b,
    }
}

/// A number as the field expects it: whole if the field holds an integer, otherwise a bare
/// number (which a distribution field reads as a constant).
pub fn number(v: f64, like: &Value) -> Value {
    if like.is_u64() || like.is_i64() {
        Value::from(libm::round(v) as i64)
    } else {
        Value::from(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_json_pointers() {
        let p = FieldPath::parse("functions[0].workload.steps[1].rate_per_s").expect("valid");
        assert_eq!(p.pointer, "/functions/0/workload/steps/1/rate_per_s");
        assert_eq!(p.to_string(), "functions[0].workload.steps[1].rate_per_s");
        assert!(FieldPath::parse("functions[x]").is_err());
        assert!(FieldPath::parse("functions..memory_mb").is_err());
    }

    #[test]
    fn a_value_path_is_refused_with_the_path_to_write() {
        let e = FieldPath::parse("functions[0].init_ms.value").expect_err("refused");
        assert!(
            e.contains("without \".value\": \"functions[0].init_ms\""),
            "{e}"
        );
    }

    #[test]
    fn a_constant_distribution_reads_and_writes_as_a_bare_number() {
        let s = Scenario::from_toml(
            "duration_s = 10\n[[functions]]\nname = \"f\"\ninit_ms = 300\nhandler.io_ms = { kind = \"uniform\", min = 1, max = 2 }\nworkload = { kind = \"constant\", rate_per_s = 2 }\n",
        )
        .expect("valid");
        let init = FieldPath::parse("functions[0].init_ms").expect("valid");
        assert_eq!(get_path(&s, &init), Ok(Value::from(300.0)));
        let t = set_path(&s, &init, &number(450.0, &Value::from(300.0))).expect("valid");
        assert_eq!(t.functions[0].init_ms, engine::Dist::constant(450.0));
        let io = FieldPath::parse("functions[0].handler.io_ms").expect("valid");
        assert!(
            get_path(&s, &io).expect("reads").is_object(),
            "not a constant"
        );
    }
}
