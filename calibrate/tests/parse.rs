//! The three formats with odd lines: truncated and non-numeric REPORT lines, missing Init,
//! other log lines, timestamps out of order, CRLF, empty input, JSON of the wrong shape; and
//! no input makes the reader panic.

use calibrate::{parse, Format};
use proptest::prelude::*;

fn report(id: &str, duration: &str, init: Option<&str>) -> String {
    let mut s = format!("REPORT RequestId: {id}\tDuration: {duration} ms\tBilled Duration: 103 ms\tMemory Size: 512 MB\tMax Memory Used: 78 MB\t");
    if let Some(i) = init {
        s.push_str(&format!("Init Duration: {i} ms\t"));
    }
    s
}

#[test]
fn plain_lines_with_other_lines_truncation_missing_init_and_disorder() {
    let lines = [
        "2026-11-02T10:00:02.000Z\tSTART RequestId: b Version: $LATEST".to_string(),
        format!("2026-11-02T10:00:02.500Z\t{}", report("b", "100.00", None)),
        "2026-11-02T10:00:01.000Z\tINFO\tprocessing order 17".to_string(),
        // Out of order: ends before the line above.
        format!(
            "2026-11-02T10:00:01.400Z\t{}",
            report("a", "150.50", Some("240.5"))
        ),
        // Cut short in the middle of Billed Duration.
        "2026-11-02T10:00:03.000Z\tREPORT RequestId: c\tDuration: 99.1 ms\tBilled Dur".to_string(),
        // Not a number.
        "2026-11-02T10:00:04.000Z\tREPORT RequestId: d\tDuration: abc ms\tBilled Duration: 1 ms"
            .to_string(),
        "2026-11-02T10:00:05.000Z\tEND RequestId: b".to_string(),
        // `aws logs tail`: timestamp, stream name, then the message.
        format!(
            "2026-11-02T10:00:06.000000+00:00 2026/11/02/[$LATEST]0123abcd {}",
            report("e", "90", None)
        ),
    ];
    let r = parse(&lines.join("\r\n")).expect("plain text reads");
    assert_eq!(r.format, Format::Plain);
    assert_eq!(r.lines_read, 8);
    assert_eq!(r.facts.invocations, 3);
    assert_eq!(r.skipped, 3, "START, the app's line and END");
    assert_eq!(r.malformed, 2);
    assert_eq!(r.problems[0].line, 5);
    assert!(
        r.problems[0].message.contains("Billed Duration"),
        "{}",
        r.problems[0].message
    );
    assert_eq!(r.problems[1].line, 6);
    assert!(
        r.problems[1]
            .message
            .contains("expected a number after \"Duration:\""),
        "{}",
        r.problems[1].message
    );
    // Sorted by time: a (line 4) first, and the disorder counted and said.
    assert_eq!(r.records[0].line, 4);
    assert_eq!(r.records[0].init_ms, Some(240.5));
    assert_eq!(r.records[1].init_ms, None, "missing Init is a warm start");
    assert_eq!(r.records[2].end_ms, Some(1_793_613_606_000));
    assert_eq!(r.out_of_order, 1);
    assert!(
        r.notes.iter().any(|n| n.contains("sorted by time")),
        "{:?}",
        r.notes
    );
    assert_eq!(r.facts.cold_starts, 1);
    // a started at 1.400 - 0.1505 - 0.2405 = 1.009 s; b at 2.400; e at 5.910.
    assert_eq!(r.facts.start_ms, Some(1_793_613_601_009));
    assert!((r.facts.span_s - 4.901).abs() < 1e-6, "{}", r.facts.span_s);
}

#[test]
fn lines_without_timestamps_give_durations_but_no_traffic() {
    let text = format!(
        "{}\n{}\n",
        report("a", "10", None),
        report("b", "20", Some("100"))
    );
    let r = parse(&text).expect("reads");
    assert_eq!(r.facts.invocations, 2);
    assert_eq!(r.facts.timed, 0);
    assert_eq!(r.facts.rate_per_s, None);
    assert!(r.facts.per_minute.is_empty());
    assert!(
        r.notes.iter().any(|n| n.contains("not the traffic")),
        "{:?}",
        r.notes
    );
    let e = calibrate::calibrate(&r, &calibrate::Options::default()).unwrap_err();
    assert_eq!(e.field, "rate_per_s");
    let c = calibrate::calibrate(
        &r,
        &calibrate::Options {
            rate_per_s: Some(2.0),
            ..Default::default()
        },
    )
    .expect("with a rate");
    assert!(c.toml.contains("kind = \"poisson\""));
}

#[test]
fn empty_input_reads_as_nothing_and_cannot_be_calibrated() {
    for text in ["", "\n\r\n", "START RequestId: a\n"] {
        let r = parse(text).expect("empty is not an error");
        assert_eq!(r.facts.invocations, 0);
        let e = calibrate::calibrate(&r, &calibrate::Options::default()).unwrap_err();
        assert!(e.message.contains("no REPORT line"), "{e}");
    }
}

#[test]
fn insights_csv_with_quotes_and_embedded_newlines() {
    let text = "@timestamp,@message,@logStream\r\n\
        2026-11-02 10:00:01.500,\"REPORT RequestId: a\tDuration: 102.25 ms\tBilled Duration: 103 ms\tMemory Size: 512 MB\tMax Memory Used: 78 MB\tInit Duration: 245.12 ms\t\n\",\"2026/11/02/[$LATEST]x\"\r\n\
        2026-11-02 10:00:00.900,\"START RequestId: b, \"\"quoted\"\"\",s\r\n\
        2026-11-02 10:00:00.800,REPORT RequestId: b Duration: 50 ms Billed Duration: 50 ms Memory Size: 512 MB Max Memory Used: 70 MB,s\r\n\
        2026-11-02 10:00:03.000,\"REPORT RequestId: c Duration: 1\",s\r\n\
        only-one-column\r\n";
    let r = parse(text).expect("CSV reads");
    assert_eq!(r.format, Format::InsightsCsv);
    assert_eq!(r.facts.invocations, 2);
    assert_eq!(r.skipped, 1);
    assert_eq!(r.malformed, 2);
    // The first row's message holds a line break: rows are numbered by the line they start on.
    assert_eq!(r.problems[0].line, 6, "the truncated REPORT row");
    assert_eq!(r.problems[1].line, 7);
    assert!(
        r.problems[1].message.contains("columns"),
        "{}",
        r.problems[1].message
    );
    assert_eq!(r.records[0].line, 5, "sorted by time");
    assert_eq!(r.records[1].end_ms, Some(1_793_613_601_500));
    assert_eq!(r.out_of_order, 1);
    let e = parse("@timestamp,@msg\n1,2\n");
    assert_eq!(
        detect_or_error(e),
        "plain",
        "no @message: read as plain lines"
    );
    let e = parse("@message,@timestamp\n").expect("header only");
    assert_eq!(e.facts.invocations, 0);
}

fn detect_or_error(r: Result<calibrate::Reading, calibrate::ParseError>) -> &'static str {
    match r {
        Ok(r) if r.format == Format::Plain => "plain",
        Ok(_) => "other",
        Err(_) => "error",
    }
}

#[test]
fn filter_log_events_json_and_wrong_shapes() {
    let text = r#"{
      "events": [
        {"logStreamName": "s", "timestamp": 1793613602000, "message": "REPORT RequestId: b\tDuration: 20.5 ms\tBilled Duration: 21 ms\tMemory Size: 256 MB\tMax Memory Used: 60 MB\t\n", "ingestionTime": 1, "eventId": "1"},
        {"timestamp": 1793613601000, "message": "REPORT RequestId: a\tDuration: 30 ms\tBilled Duration: 200 ms\tMemory Size: 256 MB\tMax Memory Used: 60 MB\tInit Duration: 170 ms"},
        {"timestamp": 1793613601000, "message": "START RequestId: a Version: $LATEST\n"},
        {"timestamp": 1793613603000, "message": 42},
        {"timestamp": 1793613604000, "message": "REPORT RequestId: c\tDuration: 1"}
      ],
      "searchedLogStreams": []
    }"#;
    let r = parse(text).expect("JSON reads");
    assert_eq!(r.format, Format::FilterLogEventsJson);
    assert_eq!(r.facts.invocations, 2);
    assert_eq!(r.skipped, 1);
    assert_eq!(r.malformed, 2);
    assert!(
        r.problems[0].message.contains("events[3].message"),
        "{:?}",
        r.problems
    );
    assert_eq!(r.problems[1].line, 5);
    assert_eq!(r.records[0].init_ms, Some(170.0));
    assert_eq!(r.facts.memory_mb, 256);
    for (bad, says) in [
        ("{\"nextToken\": \"x\"}", "events"),
        ("{\"events\": {}}", "events"),
        ("{\"events\": [\n{\"timestamp\": 1,", "line 2"),
        ("{\"events\": \"x\"}", "no list of events"),
    ] {
        let e = parse(bad).expect_err(bad);
        assert!(e.to_string().contains(says), "{bad}: {e}");
        assert!(e.message.contains("filter-log-events"), "{e}");
    }
    // `--query events` prints the list alone; items of the wrong shape are malformed lines.
    let r = parse("[{\"timestamp\": 1793613601000, \"message\": \"END RequestId: a\"}, 1, {\"message\": null}]")
        .expect("a list of events reads");
    assert_eq!((r.skipped, r.malformed), (1, 2));
    assert_eq!(r.problems[0].line, 2);
    assert!(r.problems[0]
        .message
        .contains("events[1].message: expected a string"));
}

#[test]
fn a_hundred_thousand_lines_read_in_one_pass() {
    let mut text = String::new();
    for i in 0..100_000u64 {
        let ms = 1_793_613_600_000 + i * 37;
        text.push_str(&calibrate::timestamp::format_ms(ms as i64));
        text.push('\t');
        text.push_str(&report(
            &i.to_string(),
            "12.5",
            (i % 50 == 0).then_some("200"),
        ));
        text.push('\n');
    }
    let r = parse(&text).expect("reads");
    assert_eq!(r.facts.invocations, 100_000);
    assert_eq!(r.facts.cold_starts, 2_000);
    assert_eq!(r.out_of_order, 0);
    assert!((r.facts.rate_per_s.expect("rate") - 1_000.0 / 37.0).abs() < 0.1);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Any text reads without a panic, and the counts add up.
    #[test]
    fn arbitrary_text_never_panics(text in ".{0,400}") {
        if let Ok(r) = parse(&text) {
            prop_assert_eq!(r.lines_read, r.facts.invocations + r.skipped + r.malformed);
            let _ = calibrate::calibrate(&r, &calibrate::Options::default());
        }
    }

    /// REPORT-like lines with parts cut or replaced never panic either.
    #[test]
    fn mangled_report_lines_never_panic(cut in 0usize..200, junk in "[ -~\t\"]{0,20}", prefix in prop_oneof![Just(""), Just("@timestamp,@message\n"), Just("{\"events\":[{\"message\":\"")]) {
        let full = format!("2026-11-02T10:00:01.123Z\t{}", report("x", "12.5", Some("99")));
        let cut = cut.min(full.len());
        let cut = (0..=cut).rev().find(|&i| full.is_char_boundary(i)).unwrap_or(0);
        let text = format!("{prefix}{}{junk}\n{}", &full[..cut], full);
        if let Ok(r) = parse(&text) {
            prop_assert_eq!(r.lines_read, r.facts.invocations + r.skipped + r.malformed);
        }
    }
}

/// The example log written in the three formats reads as the same invocations.
#[test]
fn the_three_formats_of_one_log_read_alike() {
    let plain = include_str!("../example/report.log");
    let mut csv = String::from("@timestamp,@message\n");
    let mut events = Vec::new();
    for line in plain.lines() {
        let (ts, message) = line.split_once('\t').expect("timestamped");
        let ms = calibrate::timestamp::parse_ms(ts).expect("a timestamp");
        // Insights writes `YYYY-MM-DD HH:MM:SS.mmm` and quotes a message with a quote or comma.
        csv.push_str(&format!(
            "{},\"{}\"\n",
            ts.replace('T', " ").trim_end_matches('Z'),
            message.replace('"', "\"\"")
        ));
        events.push(serde_json::json!({ "timestamp": ms, "message": format!("{message}\n"), "logStreamName": "s" }));
    }
    let json = serde_json::json!({ "events": events }).to_string();
    let strip = |r: calibrate::Reading| -> Vec<calibrate::Invocation> {
        r.records
            .into_iter()
            .map(|i| calibrate::Invocation { line: 0, ..i })
            .collect()
    };
    let a = parse(plain).expect("plain");
    let b = parse(&csv).expect("csv");
    let c = parse(&json).expect("json");
    assert_eq!(
        (a.format, b.format, c.format),
        (
            Format::Plain,
            Format::InsightsCsv,
            Format::FilterLogEventsJson
        )
    );
    assert_eq!(a.facts, b.facts);
    assert_eq!(a.facts, c.facts);
    let a = strip(a);
    assert_eq!(a, strip(b));
    assert_eq!(a, strip(c));
}
