//! The units of a run: a function with versions runs as several *units*, one per version that
//! something can invoke. `$LATEST` keeps the function's own name and index, and version `n`
//! becomes a unit called `name:n` appended after the scenario's functions (see
//! [`Scenario::units`]). Each unit has its own execution environments, as each version has on AWS.

use std::collections::BTreeMap;

use super::field::FieldError;
use super::function::{Function, Unit};
use super::topology::{Alarm, VersionRef, MAX_UNITS};
use super::workload::Workload;
use super::Scenario;

impl Scenario {
    /// The units of the run: every function's `$LATEST` (in order, same index), then every
    /// published version, named `function:version`.
    pub fn units(&self) -> Result<Vec<Unit>, FieldError> {
        let mut units: Vec<Unit> = self
            .functions
            .iter()
            .enumerate()
            .map(|(i, f)| Unit {
                cfg: f.clone(),
                function: i,
                version: VersionRef::Latest,
            })
            .collect();
        for (i, f) in self.functions.iter().enumerate() {
            for (j, v) in f.versions.iter().enumerate() {
                let field = format!("functions[{i}].versions[{j}]");
                let mut cfg = apply_set(f, &v.set, &field)?;
                cfg.name = format!("{}:{}", f.name, v.version);
                cfg.workload = Workload::None;
                cfg.versions.clear();
                cfg.aliases.clear();
                cfg.invoke = None;
                cfg.deployment = None;
                cfg.provisioned_concurrency = f
                    .aliases
                    .iter()
                    .filter(|a| a.version == VersionRef::Number(v.version))
                    .map(|a| a.provisioned_concurrency)
                    .sum();
                units.push(Unit {
                    cfg,
                    function: i,
                    version: VersionRef::Number(v.version),
                });
            }
        }
        if units.len() > MAX_UNITS {
            return Err(FieldError::new(
                "functions.versions",
                &format!(
                    "expected at most {MAX_UNITS} functions and versions in all, got {}",
                    units.len()
                ),
            ));
        }
        Ok(units)
    }

    /// The unit indices an alarm's `function` names.
    pub fn alarm_units(&self, a: &Alarm) -> Result<Vec<usize>, String> {
        let (name, qualifier) = match a.function.split_once(':') {
            Some((n, q)) => (n, Some(q)),
            None => (a.function.as_str(), None),
        };
        let Some(i) = self.functions.iter().position(|f| f.name == name) else {
            return Err(format!("no function called \"{name}\""));
        };
        let units = self.units().map_err(|e| e.to_string())?;
        let of_version =
            |v: VersionRef| units.iter().position(|u| u.function == i && u.version == v);
        let f = &self.functions[i];
        match qualifier {
            None => Ok(units
                .iter()
                .enumerate()
                .filter(|(_, u)| u.function == i)
                .map(|(k, _)| k)
                .collect()),
            Some("$LATEST") => Ok(vec![i]),
            Some(q) => {
                if let Ok(n) = q.parse::<u32>() {
                    return of_version(VersionRef::Number(n))
                        .map(|k| vec![k])
                        .ok_or_else(|| format!("\"{name}\" has no version {n}"));
                }
                let Some(alias) = f.aliases.iter().find(|al| al.name == q) else {
                    return Err(format!("\"{name}\" has no alias or version \"{q}\""));
                };
                let mut v: Vec<usize> = std::iter::once(alias.version)
                    .chain(alias.additional_version.map(VersionRef::Number))
                    .chain(
                        f.deployment
                            .iter()
                            .filter(|d| d.alias == alias.name)
                            .map(|d| VersionRef::Number(d.to_version)),
                    )
                    .filter_map(of_version)
                    .collect();
                v.sort_unstable();
                v.dedup();
                Ok(v)
            }
        }
    }
}

/// The function with a version's changes applied (through the same paths lesson knobs use).
pub(super) fn apply_set(
    f: &Function,
    set: &BTreeMap<String, serde_json::Value>,
    field: &str,
) -> Result<Function, FieldError> {
    if set.is_empty() {
        return Ok(f.clone());
    }
    let mut root = serde_json::to_value(f)
        .map_err(|e| FieldError::new(field, &format!("could not read the function: {e}")))?;
    for (key, value) in set {
        let kf = format!("{field}.set.{key}");
        let parts: Vec<&str> = key.split('.').collect();
        let (last, path) = parts.split_last().unwrap_or((&"", &[]));
        let mut v = &mut root;
        for part in path {
            v = v.get_mut(part).ok_or_else(|| {
                FieldError::new(&kf, &format!("the function has no field \"{part}\""))
            })?;
        }
        // A field left out of the function (an empty table, an absent option) is added; an
        // unknown one is refused when the version is read back.
        match v.as_object_mut() {
            Some(obj) => {
                obj.insert((*last).to_string(), value.clone());
            }
            None => {
                return Err(FieldError::new(
                    &kf,
                    &format!("\"{}\" is not a table", path.join(".")),
                ))
            }
        }
    }
    let cfg: Function =
        crate::from_value(root).map_err(|e| FieldError::new(&format!("{field}.set"), &e))?;
    Ok(cfg)
}
