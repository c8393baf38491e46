//! The learner's progress, kept in localStorage: lessons visited and done, bets placed,
//! challenges solved, hints opened. A store that cannot be read is set aside (never
//! silently overwritten) and the page carries on with a fresh one.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The localStorage key.
pub const KEY: &str = "lambda-lab/progress/v1";
/// Where an unreadable store is moved, so nothing is lost.
pub const BACKUP_KEY: &str = "lambda-lab/progress/v1.unreadable";

/// Everything remembered about the learner.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    /// Per lesson id.
    #[serde(default)]
    pub lessons: BTreeMap<String, LessonProgress>,
}

/// What the learner did in one lesson.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LessonProgress {
    /// Opened at least once.
    #[serde(default)]
    pub visited: bool,
    /// The choice placed on each prediction, by prediction id.
    #[serde(default)]
    pub bets: BTreeMap<String, usize>,
    /// Hints opened on the challenge.
    #[serde(default)]
    pub hints: u32,
    /// The challenge was met by the learner's own configuration.
    #[serde(default)]
    pub solved: bool,
}

impl Progress {
    /// Parses a stored value; the error says what was wrong.
    pub fn parse(text: &str) -> Result<Progress, String> {
        serde_json::from_str(text).map_err(|e| format!("saved progress is not readable ({e})"))
    }

    /// The stored form.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".into())
    }

    /// A lesson's progress, created on first use.
    pub fn lesson_mut(&mut self, id: &str) -> &mut LessonProgress {
        self.lessons.entry(id.to_string()).or_default()
    }

    /// Whether a lesson is done: its challenge solved (or, without a challenge, visited).
    pub fn done(&self, id: &str, has_challenge: bool) -> bool {
        self.lessons
            .get(id)
            .is_some_and(|l| if has_challenge { l.solved } else { l.visited })
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Loads the progress; on a store that cannot be read, backs it up and says so.
pub fn load() -> (Progress, Option<String>) {
    let Some(store) = storage() else {
        return (
            Progress::default(),
            Some("this browser does not let the page keep progress (localStorage is off)".into()),
        );
    };
    match store.get_item(KEY) {
        Ok(None) => (Progress::default(), None),
        Ok(Some(text)) => match Progress::parse(&text) {
            Ok(p) => (p, None),
            Err(e) => {
                let _ = store.set_item(BACKUP_KEY, &text);
                let _ = store.remove_item(KEY);
                (Progress::default(), Some(format!("{e}; it was set aside under \u{201c}{BACKUP_KEY}\u{201d} and a fresh start made")))
            }
        },
        Err(_) => (
            Progress::default(),
            Some("saved progress could not be read".into()),
        ),
    }
}

/// Saves the progress (quietly does nothing where storage is unavailable).
pub fn save(p: &Progress) {
    if let Some(store) = storage() {
        let _ = store.set_item(KEY, &p.to_json());
    }
}

/// Removes all saved progress.
pub fn reset() {
    if let Some(store) = storage() {
        let _ = store.remove_item(KEY);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_garbage() {
        let mut p = Progress::default();
        p.lesson_mut("invocation")
            .bets
            .insert("ten-times-traffic".into(), 1);
        p.lesson_mut("invocation").solved = true;
        assert_eq!(Progress::parse(&p.to_json()), Ok(p.clone()));
        assert!(p.done("invocation", true));
        assert!(!p.done("cold-starts", true));
        assert!(Progress::parse("{not json")
            .unwrap_err()
            .contains("not readable"));
        assert!(Progress::parse("{\"lessons\": 3}").is_err());
        assert_eq!(Progress::parse("{}"), Ok(Progress::default()));
    }
}
