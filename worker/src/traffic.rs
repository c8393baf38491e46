//! "Bring your own traffic" for the lab: reads the learner's CSV into a workload and edits the
//! scenario text in place (with `toml_edit`), so their comments, order and formatting survive.
//! The page only sends the texts and shows the answer: it holds no scenario code.

use bridge::{TrafficEdit, TrafficJob};
use engine::report::{count, duration_s};
use engine::scenario::CsvKind;
use engine::{Scenario, Workload};
use toml_edit::{DocumentMut, Item, Table};

/// Answers a [`TrafficJob`]: the scenario text with the traffic in it, and what changed in
/// words ("3 arrivals now drive “api”."). Errors name the CSV's line (`traffic: line 3: ...`)
/// or the scenario's field (`scenario: ...`), cut to a sensible length.
pub fn traffic(job: &TrafficJob) -> Result<TrafficEdit, String> {
    let kind = if job.per_minute {
        CsvKind::PerMinuteCounts
    } else {
        CsvKind::ArrivalTimes
    };
    let clip = |e: String| engine::clip::message(&e);
    let workload = Workload::from_csv(&job.csv, kind).map_err(|e| clip(format!("traffic: {e}")))?;
    let edit = use_traffic(&job.text, job.function, &workload).map_err(clip)?;
    let message = message(&workload, &edit);
    Ok(TrafficEdit {
        text: edit.text,
        message,
    })
}

/// What [`use_traffic`] did to the scenario text.
#[derive(Debug, Clone, PartialEq)]
pub struct Edit {
    /// The whole scenario text, edited in place.
    pub text: String,
    /// The function whose workload was replaced.
    pub function: String,
    /// `duration_s` before and after, when the traffic was longer than the run and the run was
    /// lengthened to cover it.
    pub extended: Option<(f64, f64)>,
}

/// What the lab says once the traffic is in: how much of it drives which function, and, when
/// the run was lengthened, from what to what.
fn message(workload: &Workload, edit: &Edit) -> String {
    let (what, n) = match workload {
        Workload::Replay { arrivals_s } => {
            let n = arrivals_s.len() as u64;
            (count(n, "arrival"), n)
        }
        Workload::PerMinute { counts, .. } => {
            let n = counts.len() as u64;
            let requests = engine::report::group(counts.iter().map(|&c| u64::from(c)).sum());
            let minutes = count(n, "minute");
            (format!("{minutes} of counts ({requests} requests)"), n)
        }
        _ => (String::from("This traffic"), 1),
    };
    let verb = if n == 1 { "drives" } else { "drive" };
    let mut message = format!("{what} now {verb} \u{201c}{}\u{201d}.", edit.function);
    if let Some((before, after)) = edit.extended {
        message.push_str(&format!(
            " The run lasted {}, shorter than this traffic: duration_s is now {} so all of it arrives.",
            duration_s(before),
            duration_s(after),
        ));
    }
    message
}

/// The seconds of simulated time a replayed workload needs to deliver all of its requests;
/// `None` for workloads that are rates, which fill any duration.
pub fn traffic_span_s(workload: &Workload) -> Option<f64> {
    match workload {
        Workload::Replay { arrivals_s } => {
            // Arrivals are delivered while `t < duration_s`: one microsecond past the last.
            arrivals_s.last().map(|&last| last + 1e-6)
        }
        Workload::PerMinute { counts, .. } => Some(counts.len() as f64 * 60.0),
        _ => None,
    }
}

/// Replaces the workload of function `index` in `text` by `workload`, and lengthens
/// `duration_s` when the traffic runs past the end of the run (otherwise its later requests
/// would never arrive). Everything else in the text (comments, order, formatting) is kept.
///
/// The edited text is read back as a scenario before it is returned, so an edit that would
/// leave the scenario invalid is refused with the validator's message.
pub fn use_traffic(text: &str, index: usize, workload: &Workload) -> Result<Edit, String> {
    let mut doc: DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| format!("scenario: {}", e.message()))?;
    let new_workload = workload_table(workload)?;

    let function = function_table(&mut doc, index)?;
    let name = function
        .get("name")
        .and_then(|n| n.as_str())
        .unwrap_or("")
        .to_string();
    match function {
        FunctionTable::Table(t) => {
            t.remove("workload");
            t.insert("workload", Item::Table(new_workload));
        }
        FunctionTable::Inline(t) => {
            t.remove("workload");
            t.insert(
                "workload",
                toml_edit::Value::InlineTable(new_workload.into_inline_table()),
            );
        }
    }

    let mut extended = None;
    if let Some(span) = traffic_span_s(workload) {
        let current = doc
            .get("duration_s")
            .and_then(|d| d.as_float().or_else(|| d.as_integer().map(|i| i as f64)));
        // Without `duration_s` the scenario's default applies: read it back to compare.
        let current = match current {
            Some(c) => c,
            None => {
                Scenario::from_toml(text)
                    .map_err(|e| format!("scenario: {e}"))?
                    .duration_s
            }
        };
        if span > current {
            let new = span.ceil();
            set_number(&mut doc, "duration_s", new);
            extended = Some((current, new));
        }
    }

    let text = doc.to_string();
    Scenario::from_toml(&text).map_err(|e| format!("traffic: {e}"))?;
    Ok(Edit {
        text,
        function: name,
        extended,
    })
}

/// A function's table in the document, written either as `[[functions]]` or inline.
enum FunctionTable<'a> {
    Table(&'a mut Table),
    Inline(&'a mut toml_edit::InlineTable),
}

impl FunctionTable<'_> {
    fn get(&self, key: &str) -> Option<&toml_edit::Value> {
        match self {
            FunctionTable::Table(t) => t.get(key).and_then(Item::as_value),
            FunctionTable::Inline(t) => t.get(key),
        }
    }
}

fn function_table(doc: &mut DocumentMut, index: usize) -> Result<FunctionTable<'_>, String> {
    let missing = || format!("scenario: there is no functions[{index}] to give this traffic to");
    match doc.get_mut("functions").ok_or_else(missing)? {
        Item::ArrayOfTables(tables) => tables
            .get_mut(index)
            .map(FunctionTable::Table)
            .ok_or_else(missing),
        Item::Value(toml_edit::Value::Array(array)) => array
            .get_mut(index)
            .and_then(toml_edit::Value::as_inline_table_mut)
            .map(FunctionTable::Inline)
            .ok_or_else(missing),
        _ => Err(missing()),
    }
}

/// The workload as a TOML table, through the same serialisation as an exported scenario.
fn workload_table(workload: &Workload) -> Result<Table, String> {
    let text = toml::to_string(workload).map_err(|e| format!("traffic: {e}"))?;
    let doc: DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| format!("traffic: {}", e.message()))?;
    let mut table = doc.as_table().clone();
    table.set_implicit(false);
    table.decor_mut().clear();
    Ok(table)
}

/// Sets a top-level number, keeping the comment that follows the old value.
fn set_number(doc: &mut DocumentMut, key: &str, v: f64) {
    let mut value = if v.fract() == 0.0 && v.abs() < 9.0e15 {
        toml_edit::Value::from(v as i64)
    } else {
        toml_edit::Value::from(v)
    };
    if let Some(old) = doc.get(key).and_then(Item::as_value) {
        *value.decor_mut() = old.decor().clone();
    }
    doc[key] = Item::Value(value);
}

#[cfg(test)]
mod tests {
    use super::*;

    const USER: &str = "# my notes on this run\nname = \"mine\"\nduration_s = 300 # five minutes\n\n[[functions]]\nname = \"api\" # the front door\nmemory_mb = 256\n\n[functions.workload]\nkind = \"poisson\"\nrate_per_s = 5\n\n[[functions]]\nname = \"worker\"\nworkload = { kind = \"poisson\", rate_per_s = 1 }\n";

    fn job(csv: &str, per_minute: bool, function: usize) -> TrafficJob {
        TrafficJob {
            text: USER.into(),
            csv: csv.into(),
            per_minute,
            function,
        }
    }

    #[test]
    fn traffic_replaces_one_workload_and_keeps_the_users_text() {
        let w = Workload::PerMinute {
            counts: vec![10, 20, 30],
            poisson: false,
        };
        let edit = use_traffic(USER, 0, &w).expect("valid edit");
        assert_eq!(edit.function, "api");
        assert_eq!(edit.extended, None, "3 minutes fit in 5");
        assert!(edit.text.starts_with("# my notes on this run\n"));
        assert!(edit.text.contains("duration_s = 300 # five minutes"));
        assert!(edit.text.contains("name = \"api\" # the front door"));
        assert!(!edit.text.contains("rate_per_s = 5"), "{}", edit.text);
        assert!(
            edit.text.contains("rate_per_s = 1 }"),
            "the other function is untouched"
        );
        let s = Scenario::from_toml(&edit.text).expect("reads back");
        assert_eq!(s.functions[0].workload, w);
        assert_eq!(s.functions[0].memory_mb, 256);
        // The workload stays within the function it belongs to.
        assert_eq!(s.functions.len(), 2);
    }

    #[test]
    fn traffic_longer_than_the_run_lengthens_it() {
        // Ten minutes of per-minute counts in a five-minute run: all ten must arrive.
        let w = Workload::PerMinute {
            counts: vec![2340; 10],
            poisson: false,
        };
        let edit = use_traffic(USER, 0, &w).expect("valid edit");
        assert_eq!(edit.extended, Some((300.0, 600.0)));
        assert!(edit.text.contains("duration_s = 600 # five minutes"));
        let s = Scenario::from_toml(&edit.text).expect("reads back");
        let report = engine::run(&s).expect("runs");
        assert_eq!(report.functions[0].summary.requests, 23_400);
    }

    #[test]
    fn replayed_arrivals_past_the_end_lengthen_the_run() {
        let w = Workload::Replay {
            arrivals_s: vec![0.0, 100.0, 450.5],
        };
        let edit = use_traffic(USER, 1, &w).expect("valid edit");
        assert_eq!(edit.function, "worker");
        assert_eq!(edit.extended, Some((300.0, 451.0)));
        let s = Scenario::from_toml(&edit.text).expect("reads back");
        assert_eq!(s.functions[1].workload, w);
        let report = engine::run(&s).expect("runs");
        assert_eq!(report.functions[1].summary.requests, 3);
    }

    #[test]
    fn bad_targets_are_named() {
        let w = Workload::Replay {
            arrivals_s: vec![1.0],
        };
        let e = use_traffic(USER, 5, &w).unwrap_err();
        assert!(e.contains("functions[5]"), "{e}");
        let e = use_traffic("duration_s = ", 0, &w).unwrap_err();
        assert!(e.starts_with("scenario:"), "{e}");
        let e = use_traffic("[[functions]]\nname = \"a\"\n", 0, &w).unwrap_err();
        assert!(e.contains("duration_s"), "{e}");
        let e = use_traffic("duration_s = 60\n", 0, &w).unwrap_err();
        assert!(e.contains("functions[0]"), "{e}");
    }

    #[test]
    fn the_answer_says_what_drives_which_function() {
        let done = traffic(&job("time_s\n10\n10.5\n12\n", false, 0)).expect("valid");
        assert_eq!(done.message, "3 arrivals now drive \u{201c}api\u{201d}.");
        assert!(done.text.contains("kind = \"replay\""), "{}", done.text);
        assert!(done.text.starts_with("# my notes on this run\n"));
        let one = traffic(&job("4\n", false, 1)).expect("valid");
        assert_eq!(one.message, "1 arrival now drives \u{201c}worker\u{201d}.");
    }

    #[test]
    fn the_answer_says_when_the_run_was_lengthened() {
        let csv = format!("minute,invocations\n{}\n", ["2340"; 10].join("\n"));
        let done = traffic(&job(&csv, true, 0)).expect("valid");
        assert_eq!(
            done.message,
            "10 minutes of counts (23,400 requests) now drive \u{201c}api\u{201d}. The run lasted 5 min, shorter than this traffic: duration_s is now 10 min so all of it arrives."
        );
        assert!(done.text.contains("duration_s = 600 # five minutes"));
        let done = traffic(&job("0\n4000.25\n", false, 0)).expect("valid");
        assert!(
            done.message.ends_with(
                "The run lasted 5 min, shorter than this traffic: duration_s is now 1 h 7 min so all of it arrives."
            ),
            "{}",
            done.message
        );
    }

    #[test]
    fn errors_name_the_csv_line_or_the_scenario() {
        let e = traffic(&job("1\n2\noops\n", false, 0)).expect_err("a bad row");
        assert_eq!(e, "traffic: line 3: expected a number, got \"oops\"");
        let e = traffic(&job("1.5\n", true, 0)).expect_err("not a whole count");
        assert!(
            e.starts_with("traffic: ") && e.contains("whole count"),
            "{e}"
        );
        let e = traffic(&job("1\n", false, 7)).expect_err("no such function");
        assert!(
            e.starts_with("scenario: ") && e.contains("functions[7]"),
            "{e}"
        );
        let mut broken = job("1\n", false, 0);
        broken.text = "duration_s = \n".into();
        let e = traffic(&broken).expect_err("a broken scenario");
        assert!(e.starts_with("scenario:"), "{e}");
        // A huge one-line CSV gives a short error, not the whole line back.
        let e = traffic(&job(&format!("1\n{}\n", "x".repeat(1_000_000)), false, 0))
            .expect_err("a huge bad row");
        assert!(e.chars().count() < 300, "{} chars", e.chars().count());
    }
}
