//! Reading the lessons folder: every file parsed and checked, every problem reported with the
//! file, the line where there is one, and the field.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

use engine::Scenario;

use crate::check::{
    check_challenge, check_figures, check_knob, check_live_knobs, check_prediction,
};
use crate::schema::{Catalog, Index, Lesson, LessonEntry, EXPERIMENT_MARKER};

/// One problem in the lessons, located as precisely as possible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LessonError {
    /// File, relative to the lessons folder.
    pub file: String,
    /// Line, from 1, where known.
    pub line: Option<usize>,
    /// The field, where there is one.
    pub field: Option<String>,
    /// What is wrong and what was expected.
    pub message: String,
}

impl fmt::Display for LessonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ": {field}")?;
        }
        write!(f, ": {}", self.message)
    }
}

fn err(
    file: &str,
    line: Option<usize>,
    field: Option<&str>,
    message: impl Into<String>,
) -> LessonError {
    LessonError {
        file: file.to_string(),
        line,
        field: field.map(str::to_string),
        message: message.into(),
    }
}

/// A TOML parse error's line, from the "line N, column M" toml puts in its message.
fn toml_line(e: &toml::de::Error, text: &str) -> Option<usize> {
    e.span()
        .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1)
}

/// A source of lesson files: the file system natively, or an in-memory map in tests.
pub trait Files {
    /// The text of `path` (relative to the lessons folder), or `None`.
    fn read(&self, path: &str) -> Option<String>;
    /// Every file path under the folder, relative, with `/` separators.
    fn list(&self) -> Vec<String>;
}

/// Lesson files on disk.
pub struct DirFiles<'a>(pub &'a Path);

impl Files for DirFiles<'_> {
    fn read(&self, path: &str) -> Option<String> {
        std::fs::read_to_string(self.0.join(path)).ok()
    }
    fn list(&self) -> Vec<String> {
        fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
            let Ok(entries) = std::fs::read_dir(dir) else {
                return;
            };
            for e in entries.flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(base, &p, out);
                } else if let Ok(rel) = p.strip_prefix(base) {
                    out.push(rel.to_string_lossy().replace('\\', "/"));
                }
            }
        }
        let mut out = Vec::new();
        walk(self.0, self.0, &mut out);
        out.sort();
        out
    }
}

/// Files held in memory (for tests and fixtures).
impl Files for BTreeMap<String, String> {
    fn read(&self, path: &str) -> Option<String> {
        self.get(path).cloned()
    }
    fn list(&self) -> Vec<String> {
        self.keys().cloned().collect()
    }
}

/// Reads a lesson file: on failure the line, the field where the fault is in a field's value
/// (an unknown metric, chart or knob path), and the message.
fn parse_lesson(text: &str) -> Result<Lesson, (Option<usize>, Option<String>, String)> {
    let de = toml::Deserializer::parse(text)
        .map_err(|e| (toml_line(&e, text), None, e.message().to_string()))?;
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let e = e.into_inner();
        let message = e.message().to_string();
        // An unknown or missing field is named by the message itself.
        let field = (path != "." && !message.starts_with("unknown field")).then_some(path);
        (toml_line(&e, text), field, message)
    })
}

/// Reads and checks the lessons folder at `dir`.
pub fn load_dir(dir: &Path) -> Result<Catalog, Vec<LessonError>> {
    load(&DirFiles(dir))
}

/// Reads and checks every lesson; returns all the problems found, not only the first.
pub fn load(files: &dyn Files) -> Result<Catalog, Vec<LessonError>> {
    let mut errors = Vec::new();
    let Some(index_text) = files.read("index.toml") else {
        return Err(vec![err(
            "index.toml",
            None,
            None,
            "missing: it lists the lessons in order, e.g. order = [\"invocation\"]",
        )]);
    };
    let index: Index = match toml::from_str(&index_text) {
        Ok(i) => i,
        Err(e) => {
            return Err(vec![err(
                "index.toml",
                toml_line(&e, &index_text),
                None,
                e.message().to_string(),
            )])
        }
    };
    let mut used: BTreeSet<String> =
        BTreeSet::from(["index.toml".to_string(), "README.md".to_string()]);
    let mut catalog = Catalog::default();
    for (i, id) in index.order.iter().enumerate() {
        let field = format!("order[{i}]");
        if index.order[..i].contains(id) {
            errors.push(err(
                "index.toml",
                None,
                Some(&field),
                format!("\"{id}\" is listed twice"),
            ));
            continue;
        }
        if id.is_empty()
            || !id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            errors.push(err(
                "index.toml",
                None,
                Some(&field),
                format!("\"{id}\": expected a folder name of a-z, 0-9 and -"),
            ));
            continue;
        }
        match load_lesson(files, id, &mut used) {
            Ok(entry) => catalog.lessons.push(entry),
            Err(mut e) => {
                errors.append(&mut e);
                // A lesson that fails to load still owns its folder: its files are not "stray".
                used.extend(
                    files
                        .list()
                        .into_iter()
                        .filter(|f| f.starts_with(&format!("{id}/"))),
                );
            }
        }
    }
    for f in files.list() {
        if !used.contains(&f) {
            let dir = f.split('/').next().unwrap_or("");
            let why = if index.order.iter().any(|id| id == dir) {
                "a file no lesson refers to; remove it or use it".to_string()
            } else {
                format!("\"{dir}\" is not in index.toml's order; add it there or remove it")
            };
            errors.push(err(&f, None, None, why));
        }
    }
    if errors.is_empty() {
        Ok(catalog)
    } else {
        Err(errors)
    }
}

fn load_lesson(
    files: &dyn Files,
    id: &str,
    used: &mut BTreeSet<String>,
) -> Result<LessonEntry, Vec<LessonError>> {
    let file = format!("{id}/lesson.toml");
    let Some(text) = files.read(&file) else {
        return Err(vec![err(
            &file,
            None,
            None,
            "missing: every lesson folder needs a lesson.toml",
        )]);
    };
    used.insert(file.clone());
    let lesson: Lesson = parse_lesson(&text)
        .map_err(|(line, field, message)| vec![err(&file, line, field.as_deref(), message)])?;
    let line_of = |needle: &str| text.lines().position(|l| l.contains(needle)).map(|n| n + 1);
    let mut errors = Vec::new();
    if lesson.title.trim().is_empty() {
        errors.push(err(
            &file,
            line_of("title"),
            Some("title"),
            "expected a title",
        ));
    }
    if lesson.experiments.is_empty() {
        errors.push(err(
            &file,
            None,
            Some("experiments"),
            "expected at least one [[experiments]]: every lesson shows its point live",
        ));
    }
    for (i, s) in lesson.sources.iter().enumerate() {
        if !s.url.starts_with("https://") {
            errors.push(err(
                &file,
                line_of(&s.url),
                Some(&format!("sources[{i}].url")),
                format!("expected an https:// address, got \"{}\"", s.url),
            ));
        }
    }
    let md_file = format!("{id}/{}", lesson.text);
    let markdown = match files.read(&md_file) {
        Some(m) => {
            used.insert(md_file.clone());
            m
        }
        None => {
            errors.push(err(
                &file,
                line_of("text"),
                Some("text"),
                format!("{md_file} does not exist"),
            ));
            String::new()
        }
    };
    if !markdown.is_empty() && !markdown.lines().any(|l| l.starts_with("# ")) {
        errors.push(err(
            &md_file,
            Some(1),
            None,
            "expected a title line starting with \"# \"",
        ));
    }
    let placed: Vec<(usize, String)> = markdown
        .lines()
        .enumerate()
        .filter_map(|(n, l)| {
            l.trim()
                .strip_prefix(EXPERIMENT_MARKER.trim_end())
                .map(|rest| (n + 1, rest.trim().to_string()))
        })
        .collect();
    let mut scenarios = BTreeMap::new();
    for (i, x) in lesson.experiments.iter().enumerate() {
        let field = format!("experiments[{i}]");
        let found = errors.len();
        if lesson.experiments[..i].iter().any(|y| y.id == x.id) {
            errors.push(err(
                &file,
                line_of(&format!("\"{}\"", x.id)),
                Some(&format!("{field}.id")),
                format!("\"{}\" is used twice", x.id),
            ));
        }
        if !placed.iter().any(|(_, p)| p == &x.id) {
            errors.push(err(
                &md_file,
                None,
                None,
                format!(
                    "experiment \"{}\" is never placed: add a line \"{EXPERIMENT_MARKER}{}\"",
                    x.id, x.id
                ),
            ));
        }
        let scen_file = format!("{id}/{}", x.scenario);
        let Some(scen_text) = files.read(&scen_file) else {
            errors.push(err(
                &file,
                line_of(&x.scenario),
                Some(&format!("{field}.scenario")),
                format!("{scen_file} does not exist"),
            ));
            continue;
        };
        used.insert(scen_file.clone());
        let scenario = match toml::from_str::<Scenario>(&scen_text) {
            Ok(s) => s,
            Err(e) => {
                errors.push(err(
                    &scen_file,
                    toml_line(&e, &scen_text),
                    None,
                    e.message().to_string(),
                ));
                continue;
            }
        };
        if let Err(e) = scenario.validate() {
            errors.push(err(
                &scen_file,
                line_of_field(&scen_text, &e.field),
                Some(&e.field),
                e.message.clone(),
            ));
            continue;
        }
        if let Err(e) = engine::run(&scenario) {
            errors.push(err(
                &scen_file,
                None,
                None,
                format!("the scenario does not run: {e}"),
            ));
            continue;
        }
        for (k, knob) in x.knobs.iter().enumerate() {
            let kf = format!("{field}.knobs[{k}]");
            if let Err(m) = check_knob(&scenario, knob) {
                errors.push(err(&file, line_of(knob.path.as_str()), Some(&kf), m));
            }
            if x.knobs[..k].iter().any(|o| o.id == knob.id) {
                errors.push(err(
                    &file,
                    line_of(knob.path.as_str()),
                    Some(&format!("{kf}.id")),
                    format!("\"{}\" is used twice", knob.id),
                ));
            }
        }
        for (f, m) in check_figures(x, &scenario) {
            errors.push(err(
                &file,
                line_of(&format!("id = \"{}\"", x.id)),
                Some(&format!("{field}.{f}")),
                m,
            ));
        }
        // Only knobs that are valid are moved.
        if errors.len() == found {
            for (k, m) in check_live_knobs(x, &scenario) {
                let knob = &x.knobs[k];
                errors.push(err(
                    &file,
                    line_of(knob.path.as_str()),
                    Some(&format!("{field}.knobs[{k}]")),
                    m,
                ));
            }
        }
        scenarios.insert(x.id.clone(), scenario);
    }
    for (i, p) in lesson.predictions.iter().enumerate() {
        let field = format!("predictions[{i}]");
        if lesson.predictions[..i].iter().any(|q| q.id == p.id) {
            errors.push(err(
                &file,
                line_of(&p.question),
                Some(&format!("{field}.id")),
                format!("\"{}\" is used twice", p.id),
            ));
        }
        if let Err(m) = check_prediction(&lesson, &scenarios, p) {
            errors.push(err(&file, line_of(&p.question), Some(&field), m));
        }
    }
    if let Some(c) = &lesson.challenge {
        if let Err(m) = check_challenge(&lesson, &scenarios, c) {
            errors.push(err(&file, line_of("[challenge]"), Some("challenge"), m));
        }
    }
    for (line, p) in &placed {
        if !lesson.experiments.iter().any(|x| &x.id == p) {
            errors.push(err(
                &md_file,
                Some(*line),
                None,
                format!("\"{p}\" is not an experiment of this lesson"),
            ));
        }
    }
    if errors.is_empty() {
        Ok(LessonEntry {
            id: id.to_string(),
            lesson,
            markdown,
            scenarios,
        })
    } else {
        Err(errors)
    }
}

/// The line of a scenario file where the last part of `field` is set.
fn line_of_field(text: &str, field: &str) -> Option<usize> {
    let key = field.rsplit('.').next()?.split('[').next()?;
    text.lines()
        .position(|l| l.trim_start().starts_with(key))
        .map(|n| n + 1)
}
