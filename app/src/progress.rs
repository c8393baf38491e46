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
    /// The learner's own seed for the order bets show their choices in: made once, at random,
    /// and kept, so a bet reads the same on every visit but the author's order (and where the
    /// right answer sits in it) is never what the learner sees. None in progress saved before
    /// it existed, until the next load gives it one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u32>,
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

    /// Whether the bet `bet_id` of lesson `lesson_id` is locked in.
    pub fn bet_locked(&self, lesson_id: &str, bet_id: &str) -> bool {
        self.lessons
            .get(lesson_id)
            .is_some_and(|l| l.bets.contains_key(bet_id))
    }

    /// Whether a lesson is done: its challenge solved (or, without a challenge, visited).
    pub fn done(&self, id: &str, has_challenge: bool) -> bool {
        self.lessons
            .get(id)
            .is_some_and(|l| if has_challenge { l.solved } else { l.visited })
    }
}

/// The order a bet shows its `n` choices in, as indices into the lesson file's choices: a
/// permutation fixed by the learner's seed and the bet's id, in which the right answer
/// (`answer`) never comes first. The bet is stored by the file's index, so the order may
/// change without touching saved progress.
pub fn choice_order(seed: u32, bet_id: &str, n: usize, answer: usize) -> Vec<usize> {
    // FNV-1a over the seed and the id, then a splitmix64 stream: small, deterministic, and
    // the same on every platform.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in seed.to_le_bytes().iter().chain(bet_id.as_bytes()) {
        h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
    }
    let mut next = move || {
        h = h.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = h;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let mut order: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        let j = (next() % (i as u64 + 1)) as usize;
        order.swap(i, j);
    }
    if n > 1 && order.first() == Some(&answer) {
        order.rotate_left(1);
    }
    order
}

/// A fresh seed for the choices' order.
fn new_seed() -> u32 {
    (js_sys::Math::random() * f64::from(u32::MAX)) as u32
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Loads the progress; on a store that cannot be read, backs it up and says so. Progress
/// without a seed for the bets' order is given one (saved with the next change).
pub fn load() -> (Progress, Option<String>) {
    let (mut p, problem) = load_stored();
    p.seed.get_or_insert_with(new_seed);
    (p, problem)
}

/// A fresh start that keeps the learner's seed, so bets keep their order after a reset.
pub fn fresh(seed: Option<u32>) -> Progress {
    Progress {
        seed: seed.or_else(|| Some(new_seed())),
        ..Progress::default()
    }
}

fn load_stored() -> (Progress, Option<String>) {
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
        // Progress saved before the seed existed still reads, and the seed round-trips.
        let old = r#"{"lessons":{"caching":{"visited":true,"bets":{"hit-ratio":1}}}}"#;
        let mut p = Progress::parse(old).expect("old progress reads");
        assert!(p.bet_locked("caching", "hit-ratio"));
        assert!(!p.bet_locked("caching", "other"));
        p.seed = Some(7);
        assert_eq!(Progress::parse(&p.to_json()), Ok(p));
    }

    /// For every bet of every lesson and many seeds: the order is a permutation of the
    /// choices, the right answer never shows first, and the same seed gives the same order.
    #[test]
    fn bets_never_show_the_right_answer_first() {
        let pages = crate::catalog::pages();
        let bets: Vec<_> = pages
            .iter()
            .flat_map(|p| p.entry.lesson.predictions.iter())
            .collect();
        assert!(bets.len() >= 36, "only {} bets found", bets.len());
        let mut firsts = std::collections::BTreeSet::new();
        for b in &bets {
            let n = b.choices.len();
            for seed in (0..200u32).chain([u32::MAX, 0x8000_0000]) {
                let order = choice_order(seed, &b.id, n, b.answer);
                let mut sorted = order.clone();
                sorted.sort_unstable();
                assert_eq!(sorted, (0..n).collect::<Vec<_>>(), "{}: {order:?}", b.id);
                assert_ne!(order[0], b.answer, "{} seed {seed}: {order:?}", b.id);
                assert_eq!(order, choice_order(seed, &b.id, n, b.answer));
                firsts.insert(order[0]);
            }
        }
        // The wrong choices all get their turn in front.
        assert!(firsts.len() >= 3, "{firsts:?}");
    }
}
