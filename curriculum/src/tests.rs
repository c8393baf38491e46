//! The loader and checker against small lesson folders held in memory: good and broken
//! fixtures, each problem located by file, line and field.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::*;

fn fixture() -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    m.insert("index.toml".into(), "order = [\"one\"]\n".into());
    m.insert(
        "one/lesson.toml".into(),
        r#"title = "One"
summary = "s"
minutes = 3
[[experiments]]
id = "main"
title = "t"
scenario = "scenario.toml"
[[experiments.knobs]]
id = "rate"
label = "Rate"
path = "functions[0].workload.rate_per_s"
min = 1
max = 10
[[experiments.figures]]
metric = "requests"
label = "requests"
"#
        .into(),
    );
    m.insert(
        "one/lesson.md".into(),
        "# One\n\nText.\n\n::: experiment main\n".into(),
    );
    m.insert(
        "one/scenario.toml".into(),
        "duration_s = 10\n[[functions]]\nname = \"f\"\nworkload = { kind = \"constant\", rate_per_s = 2 }\n".into(),
    );
    m
}

fn errors(m: &BTreeMap<String, String>) -> Vec<String> {
    load(m)
        .expect_err("must fail")
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn a_good_lesson_loads() {
    let c = load(&fixture()).expect("valid");
    assert_eq!(c.lessons[0].id, "one");
    assert!(c.lessons[0].scenarios.contains_key("main"));
}

#[test]
fn problems_name_the_file_line_and_field() {
    let mut m = fixture();
    m.insert("one/extra.toml".into(), String::new());
    assert_eq!(
        errors(&m),
        vec!["one/extra.toml: a file no lesson refers to; remove it or use it"]
    );

    let mut m = fixture();
    m.remove("one/scenario.toml");
    assert_eq!(
        errors(&m),
        vec!["one/lesson.toml:7: experiments[0].scenario: one/scenario.toml does not exist"]
    );

    let mut m = fixture();
    m.insert(
        "one/lesson.toml".into(),
        m["one/lesson.toml"].replace("max = 10", "max = 10\ncolour = 3"),
    );
    let e = errors(&m);
    assert!(
        e[0].starts_with("one/lesson.toml:14: unknown field `colour`"),
        "{e:?}"
    );

    let mut m = fixture();
    m.insert(
        "one/lesson.toml".into(),
        m["one/lesson.toml"].replace("min = 1", "min = 3"),
    );
    assert_eq!(errors(&m), vec!["one/lesson.toml:11: experiments[0].knobs[0]: the scenario's value 2 is outside min..max (3..10)"]);

    let mut m = fixture();
    m.insert(
        "one/lesson.md".into(),
        "# One\n\n::: experiment other\n".into(),
    );
    let e = errors(&m);
    assert!(
        e.contains(&"one/lesson.md:3: \"other\" is not an experiment of this lesson".to_string()),
        "{e:?}"
    );

    let mut m = fixture();
    m.insert(
        "one/scenario.toml".into(),
        m["one/scenario.toml"].replace("name = \"f\"", "name = \"f\"\nmemory_mb = 5"),
    );
    assert_eq!(
        errors(&m),
        vec!["one/scenario.toml:4: functions[0].memory_mb: expected 128 to 10,240 MB, got 5"]
    );

    let mut m = fixture();
    m.insert("stray/lesson.toml".into(), String::new());
    assert!(errors(&m)[0].contains("\"stray\" is not in index.toml's order"));

    // A select whose options do not include the scenario's value would show the wrong one.
    let select = "\n[[experiments.knobs]]\nid = \"arch\"\nlabel = \"Arch\"\npath = \"functions[0].arch\"\ncontrol = \"select\"\noptions = [{ label = \"Graviton\", value = \"arm64\" }, { label = \"Other\", value = \"arm64\" }]\n";
    let mut m = fixture();
    let lesson = m["one/lesson.toml"].replace("\n[[sources]]", &format!("{select}\n[[sources]]"));
    m.insert(
        "one/lesson.toml".into(),
        format!(
            "{lesson}{}",
            if lesson.contains("arch") { "" } else { select }
        ),
    );
    let e = errors(&m);
    assert!(
        e.iter()
            .any(|x| x
                .contains("knobs[1]: the scenario's value \"x86_64\" is none of the options")),
        "{e:?}"
    );
}

/// The fixture with a prediction and a challenge appended to its lesson file.
fn with(extra: &str) -> BTreeMap<String, String> {
    let mut m = fixture();
    let lesson = format!("{}{extra}", m["one/lesson.toml"]);
    m.insert("one/lesson.toml".into(), lesson);
    m
}

const PREDICTION: &str = r#"
[[predictions]]
id = "p"
experiment = "main"
question = "How many requests at 8 per second?"
set = { rate = 8 }
metric = "requests"
choices = [{ label = "few", max = 50 }, { label = "about 80", min = 50, max = 120 }, { label = "many", min = 120 }]
answer = 1
explanation = "8 x 10 s"
"#;

const CHALLENGE: &str = r#"
[challenge]
experiment = "main"
goal = "At least 60 requests"
conditions = [{ metric = "requests", min = 60, label = "60 or more requests" }]
hints = ["Raise the rate."]
solution = { rate = 9 }
solution_text = "9 per second for 10 s."
"#;

#[test]
fn predictions_and_challenges_are_checked_against_the_engine() {
    assert!(load(&with(&format!("{PREDICTION}{CHALLENGE}"))).is_ok());

    let wrong = errors(&with(&PREDICTION.replace("answer = 1", "answer = 2")));
    assert!(wrong[0].contains("predictions[0]: wrong answer: the engine gives requests = 79, which is choice 1 (\"about 80\"), not choice 2"), "{wrong:?}");

    let overlap = errors(&with(&PREDICTION.replace(
        "{ label = \"few\", max = 50 }",
        "{ label = \"few\", max = 90 }",
    )));
    assert!(overlap[0].contains("choices overlap"), "{overlap:?}");

    let bad_knob = errors(&with(
        &PREDICTION.replace("set = { rate = 8 }", "set = { speed = 8 }"),
    ));
    assert!(
        bad_knob[0].contains("\"speed\" is not a knob of experiment \"main\""),
        "{bad_knob:?}"
    );

    let unsolvable = errors(&with(&CHALLENGE.replace("rate = 9", "rate = 3")));
    assert!(
        unsolvable[0].contains(
            "challenge: unsolvable: the solution fails 60 or more requests (requests = 29)"
        ),
        "{unsolvable:?}"
    );

    let solved = errors(&with(&CHALLENGE.replace("min = 60", "min = 10")));
    assert!(
        solved[0].contains("already solved by the defaults"),
        "{solved:?}"
    );

    let out_of_range = errors(&with(&CHALLENGE.replace("rate = 9", "rate = 90")));
    assert!(
        out_of_range[0].contains("solution: rate: expected a number from 1 to 10, got 90"),
        "{out_of_range:?}"
    );

    let bad_metric = errors(&with(
        &CHALLENGE.replace("metric = \"requests\"", "metric = \"speed\""),
    ));
    assert!(bad_metric[0].contains("metric \"speed\""), "{bad_metric:?}");
}

/// A path as a lesson file writes it (the test's own paths are valid).
fn p(path: &str) -> FieldPath {
    FieldPath::parse(path).expect("a valid path")
}

#[test]
fn paths_read_and_write_scenario_fields() {
    let c = load(&fixture()).expect("valid");
    let s = &c.lessons[0].scenarios["main"];
    assert_eq!(
        get_path(s, &p("functions[0].workload.rate_per_s")),
        Ok(Value::from(2.0))
    );
    let t = set_path(s, &p("functions[0].memory_mb"), &Value::from(1024)).expect("valid memory");
    assert_eq!(t.functions[0].memory_mb, 1024);
    let e = set_path(s, &p("functions[0].memory_mb"), &Value::from(64)).unwrap_err();
    assert!(e.contains("memory_mb"), "{e}");
    assert!(get_path(s, &p("functions[3].memory_mb")).is_err());
    assert!(FieldPath::parse("functions[x]").is_err());
    // Several at once: validated as a whole, so only the end state must be valid (here
    // provisioned concurrency above the old reservation, raised in the same change).
    let (reserved, provisioned) = (Value::from(50), Value::from(20));
    let (pc, rc, memory) = (
        p("functions[0].provisioned_concurrency"),
        p("functions[0].reserved_concurrency"),
        p("functions[0].memory_mb"),
    );
    let both = [(&pc, &provisioned), (&rc, &reserved)];
    let r = set_path(s, &rc, &Value::from(10)).expect("a reservation");
    assert!(set_path(&r, both[0].0, both[0].1).is_err(), "20 > 10 alone");
    let t = set_paths(&r, &both).expect("valid together");
    assert_eq!(
        (
            t.functions[0].provisioned_concurrency,
            t.functions[0].reserved_concurrency
        ),
        (20, Some(50))
    );
    let e = set_paths(&r, &[both[0], (&memory, &Value::from(64))]).unwrap_err();
    assert!(e.contains("functions[0]."), "names a field: {e}");
}

#[test]
fn typed_names_fail_the_load_naming_the_file_line_and_field() {
    let value = errors(
        &with("")
            .iter()
            .map(|(k, v)| (k.clone(), v.replace("rate_per_s\"", "rate_per_s.value\"")))
            .collect(),
    );
    assert!(
        value[0].starts_with("one/lesson.toml:11: experiments[0].knobs[0].path: \"functions[0].workload.rate_per_s.value\": a knob sets a distribution as a bare number"),
        "{value:?}"
    );
    let chart = errors(
        &with("")
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    v.replace(
                        "scenario = \"scenario.toml\"",
                        "scenario = \"scenario.toml\"\ncharts = [\"lanes\", \"pie\"]",
                    ),
                )
            })
            .collect(),
    );
    assert!(
        chart[0].starts_with("one/lesson.toml:8: experiments[0].charts[1]: unknown variant `pie`"),
        "{chart:?}"
    );
    let metric = errors(&with(
        &PREDICTION.replace("metric = \"requests\"", "metric = \"speed\""),
    ));
    assert!(
        metric[0].contains("predictions[0].metric: metric \"speed\": expected a summary figure"),
        "{metric:?}"
    );
}

#[test]
fn a_prediction_or_condition_must_read_a_figure_in_view() {
    let p = errors(&with(
        &PREDICTION.replace("metric = \"requests\"", "metric = \"cold_starts\""),
    ));
    assert!(
        p[0].starts_with("one/lesson.toml:")
            && p[0].contains("predictions[0]: cold_starts is not in view: experiment \"main\" shows requests; add { metric = \"cold_starts\""),
        "{p:?}"
    );
    let c = errors(&with(
        &CHALLENGE.replace("metric = \"requests\"", "metric = \"completed\""),
    ));
    assert!(
        c[0].contains("challenge: conditions[0]: completed is not in view"),
        "{c:?}"
    );
    let none = errors(
        &fixture()
            .into_iter()
            .map(|(k, v)| {
                let v = v.replace(
                    "[[experiments.figures]]\nmetric = \"requests\"\nlabel = \"requests\"\n",
                    "",
                );
                (k, v)
            })
            .collect(),
    );
    assert!(
        none[0].contains("experiments[0].figures: expected at least one figure"),
        "{none:?}"
    );
}

/// The fixture's scenario with a second function, `g`.
fn two_functions(m: &mut BTreeMap<String, String>) {
    let s = format!(
        "{}[[functions]]\nname = \"g\"\nworkload = {{ kind = \"constant\", rate_per_s = 1 }}\n",
        m["one/scenario.toml"]
    );
    m.insert("one/scenario.toml".into(), s);
}

#[test]
fn wording_must_name_the_function_a_figure_reads() {
    // One function of several: the label must name it.
    let mut m = fixture();
    two_functions(&mut m);
    let lesson = m["one/lesson.toml"].replace(
        "metric = \"requests\"\nlabel = \"requests\"",
        "metric = \"f.requests\"\nlabel = \"requests\"",
    );
    m.insert("one/lesson.toml".into(), lesson.clone());
    let e = errors(&m);
    assert!(
        e[0].contains("experiments[0].figures[0].label: f.requests reads one function of several: the label must name it (\"f\"), not \"requests\""),
        "{e:?}"
    );
    // A label naming another function.
    m.insert(
        "one/lesson.toml".into(),
        lesson.replace("label = \"requests\"", "label = \"g requests\""),
    );
    let e = errors(&m);
    assert!(
        e[0].contains("\"g requests\" names the function \"g\" but f.requests reads \"f\""),
        "{e:?}"
    );
    // A whole-run figure worded as one function's.
    let mut m = fixture();
    two_functions(&mut m);
    let lesson = m["one/lesson.toml"].replace("label = \"requests\"", "label = \"f requests\"");
    m.insert("one/lesson.toml".into(), lesson);
    let e = errors(&m);
    assert!(
        e[0].contains("\"f requests\" names the function \"f\" but requests counts the whole run"),
        "{e:?}"
    );
    // A condition's label follows the same rule.
    let mut m = with(&CHALLENGE.replace(
        "label = \"60 or more requests\"",
        "label = \"60 or more g requests\"",
    ));
    two_functions(&mut m);
    let e = errors(&m);
    assert!(
        e.iter().any(|x| x.contains(
            "challenge: conditions[0]: \"60 or more g requests\" names the function \"g\""
        )),
        "{e:?}"
    );
}

const TIMEOUT_KNOB: &str = "\n[[experiments.knobs]]\nid = \"timeout\"\nlabel = \"Timeout\"\npath = \"functions[0].timeout_s\"\nmin = 1\nmax = 30\n";

#[test]
fn a_knob_that_changes_nothing_shown_is_refused() {
    let mut m = fixture();
    let lesson = m["one/lesson.toml"].replace(
        "[[experiments.figures]]",
        &format!("{TIMEOUT_KNOB}[[experiments.figures]]"),
    );
    m.insert("one/lesson.toml".into(), lesson.clone());
    let e = errors(&m);
    assert!(
        e[0].starts_with("one/lesson.toml:")
            && e[0].contains("experiments[0].knobs[1]: dead knob: \"Timeout\" moved from")
            && e[0].contains("changes no figure and no chart the experiment shows"),
        "{e:?}"
    );
    // needs: the other knob must exist, and must not already be set at the defaults.
    let needs = |n: &str| {
        let mut m = fixture();
        m.insert(
            "one/lesson.toml".into(),
            lesson.replace(
                "path = \"functions[0].timeout_s\"\n",
                &format!("path = \"functions[0].timeout_s\"\nneeds = {n}\n"),
            ),
        );
        errors(&m)
    };
    let e = needs("{ knob = \"speed\", above = 0 }");
    assert!(
        e[0].contains("knobs[1]: needs: \"speed\" is not another knob of this experiment"),
        "{e:?}"
    );
    let e = needs("{ knob = \"rate\", above = 1 }");
    assert!(
        e[0].contains(
            "knobs[1]: needs: matters once Rate is above 1 already holds at the lesson's defaults"
        ),
        "{e:?}"
    );
    let e = needs("{ knob = \"rate\", above = 5 }");
    assert!(
        e[0].contains("dead knob: \"Timeout\" moved from") && e[0].contains("(with Rate at 10.0)"),
        "the other knob is moved first: {e:?}"
    );
}

/// Every option of a select must change what the experiment shows, not just one of them: a
/// choice that reads the same as the defaults looks like a control that does nothing.
#[test]
fn every_option_of_a_select_must_change_something_shown() {
    let select = |options: &str| {
        let mut m = fixture();
        let lesson = m["one/lesson.toml"]
            .replace(
                "path = \"functions[0].workload.rate_per_s\"",
                "path = \"functions[0].timeout_s\"",
            )
            .replace("label = \"Rate\"", "label = \"Timeout\"")
            .replace(
                "min = 1\nmax = 10\n",
                &format!("control = \"select\"\noptions = [{options}]\n"),
            );
        m.insert("one/lesson.toml".into(), lesson);
        // A 2 s handler: a 1 s timeout cuts it, 3 s and 10 s both let it finish.
        let scenario = m["one/scenario.toml"].replace(
            "name = \"f\"\n",
            "name = \"f\"\ntimeout_s = 3\nhandler.io_ms = 2000\n",
        );
        m.insert("one/scenario.toml".into(), scenario);
        load(&m).err().map(|e| e[0].to_string())
    };
    let two = "{ label = \"3 s\", value = 3 }, { label = \"1 s\", value = 1 }";
    assert_eq!(select(two), None);
    let e = select(&format!("{two}, {{ label = \"10 s\", value = 10 }}")).expect("refused");
    assert!(
        e.contains("dead knob: \"Timeout\" moved from 3.0 to 10 changes no figure"),
        "{e}"
    );
}

#[test]
fn needs_say_when_a_knob_matters() {
    let c = load(&fixture()).expect("valid");
    let knobs = &c.lessons[0].lesson.experiments[0].knobs;
    let n = Needs {
        knob: "rate".into(),
        above: Some(0.0),
        below: None,
        equals: None,
        not: None,
    };
    assert!(n.met(&Value::from(1)) && !n.met(&Value::from(0)));
    assert_eq!(n.note(knobs), "matters once Rate is above 0");
    let n = Needs {
        above: None,
        not: Some(Value::from(3)),
        ..n
    };
    assert!(n.met(&Value::from(2)) && !n.met(&Value::from(3)));
}

#[test]
fn a_figure_in_its_own_time_unit() {
    let f = ShownFigure {
        metric: Metric::parse("queue_age_ms_max").expect("a metric"),
        label: "oldest message".into(),
        unit: Some(TimeUnit::S),
    };
    assert_eq!(f.scaled(90_000.0), Some((90.0, "s")));
    let plain = ShownFigure {
        unit: None,
        ..f.clone()
    };
    assert_eq!(plain.scaled(90_000.0), None);
    let count = ShownFigure {
        metric: Metric::parse("requests").expect("a metric"),
        ..f
    };
    assert_eq!(count.scaled(3.0), None);
}

/// The first error of the fixture with its first figure shown as `metric` with `label`.
fn figure(metric: &str, label: &str) -> Option<String> {
    let mut m = fixture();
    let lesson = m["one/lesson.toml"].replace(
        "metric = \"requests\"\nlabel = \"requests\"",
        &format!("metric = \"{metric}\"\nlabel = \"{label}\""),
    );
    m.insert("one/lesson.toml".into(), lesson);
    load(&m).err().map(|e| e[0].to_string())
}

#[test]
fn wording_says_attempts_or_requests_as_the_throttle_figure_counts() {
    let e = figure("throttled", "throttled").expect("refused");
    assert!(
        e.contains("figures[0].label: throttled counts attempts (every retry): say \"attempts\""),
        "{e}"
    );
    assert_eq!(figure("throttled", "throttled attempts"), None);
    let e = figure("ledger.throttled", "throttled attempts").expect("refused");
    assert!(
        e.contains("counts requests that ended throttled, not attempts"),
        "{e}"
    );
    assert_eq!(
        figure("ledger.throttled", "requests that ended throttled"),
        None
    );
}

#[test]
fn wording_says_the_init_figure_is_a_mean_of_the_init_phase() {
    let e = figure("init_ms_mean", "cold start").expect("refused");
    assert!(
        e.contains("init_ms_mean is the mean Init phase of the cold starts, not a request's time"),
        "{e}"
    );
    assert!(figure("init_ms_mean", "Init").is_some(), "a mean says so");
    assert_eq!(figure("init_ms_mean", "mean Init of a cold start"), None);
}

#[test]
fn a_time_condition_shows_in_the_unit_of_its_bound() {
    let lesson = |unit: &str| {
        let mut m = with(&CHALLENGE.replace(
            "{ metric = \"requests\", min = 60, label = \"60 or more requests\" }",
            "{ metric = \"duration_ms_max\", max = 1000, label = \"slowest under 1 s\" }",
        ));
        let l = m["one/lesson.toml"].replace(
            "[[experiments.figures]]",
            &format!("[[experiments.figures]]\nmetric = \"duration_ms_max\"\nlabel = \"slowest\"\n{unit}[[experiments.figures]]"),
        );
        m.insert("one/lesson.toml".into(), l);
        errors(&m)
    };
    let e = lesson("");
    assert!(
        e[0].contains("challenge: conditions[0]: duration_ms_max is a time: give its figure the unit its bound is written in"),
        "{e:?}"
    );
    let e = lesson("unit = \"ms\"\n");
    assert!(
        e[0].contains(
            "\"slowest under 1 s\" tests duration_ms_max shown in ms: write its bound in ms"
        ),
        "{e:?}"
    );
    let e = lesson("unit = \"s\"\n");
    assert!(
        !e[0].contains("is a time") && !e[0].contains("write its bound"),
        "1 s reads in s: {e:?}"
    );
}
