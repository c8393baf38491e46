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
        serde_json::from_str(text)
            .map_err(|e| engine::clip::message(&format!("saved progress is not readable ({e})")))
    }

    /// The stored form.
    pub fn to_json(&self) -> String {
        crate::format::json(self).unwrap_or_else(|| "{}".into())
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

/// A store refused to read or write (a full quota, storage turned off).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused;

/// The few things progress needs from a key-value store: localStorage in the page, a map in
/// the tests. Each says whether it worked (a full quota makes `set` fail).
pub trait Store {
    /// The value under `key`; `Err` when the store cannot be read.
    fn get(&self, key: &str) -> Result<Option<String>, Refused>;
    /// Writes `value` under `key`; `Err` when it was not written.
    fn set(&self, key: &str, value: &str) -> Result<(), Refused>;
    /// Removes `key`; `Err` when it was not removed.
    fn remove(&self, key: &str) -> Result<(), Refused>;
}

impl Store for web_sys::Storage {
    fn get(&self, key: &str) -> Result<Option<String>, Refused> {
        self.get_item(key).map_err(|_| Refused)
    }
    fn set(&self, key: &str, value: &str) -> Result<(), Refused> {
        self.set_item(key, value).map_err(|_| Refused)
    }
    fn remove(&self, key: &str) -> Result<(), Refused> {
        self.remove_item(key).map_err(|_| Refused)
    }
}

/// How many backups are looked for before giving up on finding a free key.
const MAX_BACKUPS: usize = 100;

/// What loading found.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    /// The progress to start from.
    pub progress: Progress,
    /// What went wrong, in words for the learner.
    pub problem: Option<String>,
    /// Whether changes may be written to the store. False when what is stored could not be
    /// read nor set aside: it is left untouched and this visit's progress lives in memory.
    pub persist: bool,
}

/// The first backup key not in use: [`BACKUP_KEY`], then `BACKUP_KEY.2`, `.3`, ... so no
/// earlier backup is ever overwritten. `None` when none is free (or the store cannot say).
fn free_backup_key(store: &impl Store) -> Option<String> {
    (1..=MAX_BACKUPS)
        .map(|n| {
            if n == 1 {
                BACKUP_KEY.to_string()
            } else {
                format!("{BACKUP_KEY}.{n}")
            }
        })
        .find(|k| matches!(store.get(k), Ok(None)))
}

/// Reads the progress from `store`. A value that cannot be read is copied to a free backup
/// key and, only once the copy is there, removed; when the copy fails the value is left in
/// place, nothing is written over it, and the learner is told so.
pub fn load_from(store: &impl Store) -> Loaded {
    let in_memory = |problem: String| {
        Loaded {
        progress: Progress::default(),
        problem: Some(format!("{problem}; progress on this visit is kept in memory only and is lost when the page closes")),
        persist: false,
    }
    };
    let text = match store.get(KEY) {
        Ok(None) => {
            return Loaded {
                progress: Progress::default(),
                problem: None,
                persist: true,
            }
        }
        Ok(Some(text)) => text,
        Err(Refused) => return in_memory("saved progress could not be read".into()),
    };
    let e = match Progress::parse(&text) {
        Ok(progress) => {
            return Loaded {
                progress,
                problem: None,
                persist: true,
            }
        }
        Err(e) => e,
    };
    let copied = free_backup_key(store).filter(|k| {
        store.set(k, &text).is_ok() && store.get(k).ok().flatten().as_deref() == Some(&text)
    });
    match copied {
        // The copy is safe: the fresh start may take the key (even if removing it failed, the
        // next save overwrites only what is already backed up).
        Some(k) => {
            let _ = store.remove(KEY);
            Loaded {
                progress: Progress::default(),
                problem: Some(format!(
                    "{e}; it was set aside under \u{201c}{k}\u{201d} and a fresh start made"
                )),
                persist: true,
            }
        }
        None => in_memory(format!(
            "{e}; it could not be set aside (the browser's storage is full or refused it), so it is left as it was under \u{201c}{KEY}\u{201d}"
        )),
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

thread_local! {
    /// Whether saving is allowed this visit (see [`Loaded::persist`]).
    static PERSIST: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Loads the progress; on a store that cannot be read, backs it up and says so. Progress
/// without a seed for the bets' order is given one (saved with the next change).
pub fn load() -> (Progress, Option<String>) {
    let Loaded {
        mut progress,
        problem,
        persist,
    } = match storage() {
        Some(store) => load_from(&store),
        None => Loaded {
            progress: Progress::default(),
            problem: Some(
                "this browser does not let the page keep progress (localStorage is off)".into(),
            ),
            persist: false,
        },
    };
    PERSIST.with(|p| p.set(persist));
    progress.seed.get_or_insert_with(new_seed);
    (progress, problem)
}

/// A fresh start that keeps the learner's seed, so bets keep their order after a reset.
pub fn fresh(seed: Option<u32>) -> Progress {
    Progress {
        seed: seed.or_else(|| Some(new_seed())),
        ..Progress::default()
    }
}

/// Saves the progress (does nothing where storage is unavailable, or while the store holds
/// progress that could not be read nor set aside). A refused write (a full quota) leaves the
/// saved progress as it was and says why.
pub fn save(p: &Progress) -> Result<(), String> {
    if !PERSIST.with(std::cell::Cell::get) {
        return Ok(());
    }
    match storage() {
        Some(store) => store.set_item(KEY, &p.to_json()).map_err(|_| {
            "Your latest progress could not be saved: the browser's storage for this site is full. What was saved before is kept.".to_string()
        }),
        None => Ok(()),
    }
}

/// Removes all saved progress (not a store left in place because it could not be set aside).
pub fn reset() {
    if !PERSIST.with(std::cell::Cell::get) {
        return;
    }
    if let Some(store) = storage() {
        let _ = store.remove_item(KEY);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::{Cell, RefCell};

    /// localStorage in a map: `quota` bytes of values at most, or unreadable altogether.
    #[derive(Default)]
    struct Map {
        items: RefCell<BTreeMap<String, String>>,
        quota: Option<usize>,
        unreadable: bool,
        removes: Cell<usize>,
    }

    impl Map {
        fn with(items: &[(&str, &str)], quota: Option<usize>) -> Map {
            Map {
                items: RefCell::new(
                    items
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect(),
                ),
                quota,
                ..Map::default()
            }
        }
        fn item(&self, k: &str) -> Option<String> {
            self.items.borrow().get(k).cloned()
        }
    }

    impl Store for Map {
        fn get(&self, key: &str) -> Result<Option<String>, Refused> {
            if self.unreadable {
                return Err(Refused);
            }
            Ok(self.item(key))
        }
        fn set(&self, key: &str, value: &str) -> Result<(), Refused> {
            let mut items = self.items.borrow_mut();
            let used: usize = items
                .iter()
                .filter(|(k, _)| k.as_str() != key)
                .map(|(_, v)| v.len())
                .sum();
            if self.quota.is_some_and(|q| used + value.len() > q) {
                return Err(Refused);
            }
            items.insert(key.into(), value.into());
            Ok(())
        }
        fn remove(&self, key: &str) -> Result<(), Refused> {
            self.removes.set(self.removes.get() + 1);
            self.items.borrow_mut().remove(key);
            Ok(())
        }
    }

    const BROKEN: &str = "{\"lessons\": 42, broken";

    #[test]
    fn readable_or_empty_stores_load_and_save() {
        let l = load_from(&Map::default());
        assert_eq!(
            (l.progress, l.problem, l.persist),
            (Progress::default(), None, true)
        );
        let mut p = Progress::default();
        p.lesson_mut("caching").visited = true;
        let l = load_from(&Map::with(&[(KEY, &p.to_json())], None));
        assert_eq!((l.progress, l.problem, l.persist), (p, None, true));
    }

    #[test]
    fn an_unreadable_store_is_backed_up_before_it_is_removed() {
        let store = Map::with(&[(KEY, BROKEN)], None);
        let l = load_from(&store);
        assert!(l.persist);
        assert_eq!(store.item(BACKUP_KEY).as_deref(), Some(BROKEN));
        assert_eq!(store.item(KEY), None);
        let problem = l.problem.expect("a notice");
        assert!(
            problem.contains("not readable")
                && problem
                    .contains("set aside under \u{201c}lambda-lab/progress/v1.unreadable\u{201d}"),
            "{problem}"
        );
    }

    #[test]
    fn earlier_backups_are_never_overwritten() {
        let second = format!("{BACKUP_KEY}.2");
        let store = Map::with(
            &[(KEY, BROKEN), (BACKUP_KEY, "older"), (&second, "old")],
            None,
        );
        let l = load_from(&store);
        assert!(l.persist);
        assert_eq!(store.item(BACKUP_KEY).as_deref(), Some("older"));
        assert_eq!(store.item(&second).as_deref(), Some("old"));
        assert_eq!(
            store.item(&format!("{BACKUP_KEY}.3")).as_deref(),
            Some(BROKEN)
        );
        assert_eq!(store.item(KEY), None);
        assert!(l.problem.expect("a notice").contains(".unreadable.3"));
    }

    #[test]
    fn a_full_quota_leaves_the_store_in_place_and_says_so() {
        // Room for the broken store but not for a copy of it.
        let store = Map::with(&[(KEY, BROKEN)], Some(BROKEN.len() + 5));
        let l = load_from(&store);
        assert!(!l.persist, "nothing may be written over the original");
        assert_eq!(store.item(KEY).as_deref(), Some(BROKEN));
        assert_eq!(store.item(BACKUP_KEY), None);
        assert_eq!(store.removes.get(), 0);
        let problem = l.problem.expect("a notice");
        assert!(!problem.contains("set aside under"), "{problem}");
        assert!(
            problem.contains("could not be set aside") && problem.contains("in memory only"),
            "{problem}"
        );
    }

    #[test]
    fn a_store_that_cannot_be_read_is_not_written_over() {
        let store = Map {
            unreadable: true,
            ..Map::with(&[(KEY, BROKEN)], None)
        };
        let l = load_from(&store);
        assert!(!l.persist);
        assert_eq!(store.item(KEY).as_deref(), Some(BROKEN));
        assert!(l.problem.expect("a notice").contains("in memory only"));
    }

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
            .flat_map(|p| p.lesson.predictions.iter())
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
