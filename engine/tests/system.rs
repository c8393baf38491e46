//! A system of functions: triggers and calls between functions, loop detection, versions and
//! aliases, deployments, alarms, tracing, caches and the IAM role, each against the documented
//! behaviour it models (`docs/lambda-facts.md`, sections 9-11, and the AWS pages cited).
//! Golden snapshots live in `tests/golden/`; rewrite them after an intended change with
//! `UPDATE_EXPECT=1 cargo test -p engine --test system`.

use engine::report::{AlarmValue, DeploymentStatus, Outcome, SpanKind};
use engine::{Report, Scenario};
use expect_test::expect_file;

mod support;
use support::{run_text, scenario};

fn refused(text: &str) -> String {
    match Scenario::from_toml(text) {
        Ok(_) => panic!("accepted a scenario AWS refuses:\n{text}"),
        Err(e) => e.to_string(),
    }
}

fn summary<'a>(r: &'a Report, name: &str) -> &'a engine::Summary {
    &r.functions
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no function {name}"))
        .summary
}

// --- Triggers and calls -------------------------------------------------------------------

/// A synchronous call: the caller waits for the callee and is billed for the wait, so its
/// duration is its own work plus the callee's.
#[test]
fn a_synchronous_call_adds_the_callees_time_to_the_callers() {
    let r = run_text(
        r#"
        duration_s = 60
        [[functions]]
        name = "api"
        memory_mb = 1769
        handler.cpu_ms = 10
        workload = { kind = "constant", rate_per_s = 5 }
        triggers = [{ target = "auth" }]
        [[functions]]
        name = "auth"
        memory_mb = 1769
        handler.io_ms = 40
    "#,
    );
    let (api, auth) = (summary(&r, "api"), summary(&r, "auth"));
    assert_eq!(auth.requests, api.triggered);
    assert_eq!(auth.completed, api.completed);
    assert!(
        (api.duration_ms_p50 - 50.0).abs() < 1.0,
        "{}",
        api.duration_ms_p50
    );
    assert!((auth.duration_ms_p50 - 40.0).abs() < 1.0);
    // Billed for the wait: 50 ms a request, not 10.
    assert!(api.billed_gb_s > 1.2 * auth.billed_gb_s);
}

/// A callee that fails makes the call fail: the caller's invocation is an error.
#[test]
fn a_failing_callee_fails_its_caller() {
    let r = run_text(
        r#"
        duration_s = 60
        [[functions]]
        name = "api"
        handler.cpu_ms = 1
        workload = { kind = "constant", rate_per_s = 10 }
        triggers = [{ target = "payments" }]
        [[functions]]
        name = "payments"
        handler.cpu_ms = 1
        error_rate = 1.0
    "#,
    );
    let (api, pay) = (summary(&r, "api"), summary(&r, "payments"));
    assert_eq!(pay.errors, pay.completed);
    assert_eq!(api.errors, api.completed);
    assert_eq!(r.ledger.succeeded, 0);
}

/// The caller gives up at its own timeout; the callee runs on (and is billed).
#[test]
fn a_caller_times_out_waiting_for_a_slow_callee() {
    let r = run_text(
        r#"
        duration_s = 30
        [[functions]]
        name = "api"
        runtime = "custom"
        timeout_s = 1
        handler.cpu_ms = 1
        workload = { kind = "constant", rate_per_s = 2 }
        triggers = [{ target = "report" }]
        [[functions]]
        name = "report"
        runtime = "custom"
        timeout_s = 10
        handler.io_ms = 3000
    "#,
    );
    let (api, rep) = (summary(&r, "api"), summary(&r, "report"));
    assert_eq!(api.timeouts, api.completed);
    assert!(
        (api.duration_ms_max - 1000.0).abs() < 2.0,
        "{}",
        api.duration_ms_max
    );
    assert!(rep.completed > 0 && rep.errors == 0);
}

/// No request is lost between functions: every successful invocation's message reaches the
/// queue, and every queued message its function, once.
#[test]
fn requests_flow_through_queue_and_event_triggers() {
    let r = run_text(include_str!("../scenarios/order-pipeline.toml"));
    let (api, auth, orders, email) = (
        summary(&r, "api"),
        summary(&r, "auth"),
        summary(&r, "orders"),
        summary(&r, "email"),
    );
    assert_eq!(api.triggered, auth.requests + orders.requests);
    assert_eq!(auth.requests, api.requests - in_flight_calls(&r));
    assert_eq!(email.requests, orders.triggered);
    assert!(orders.batches > 0 && orders.batches < orders.requests);
}

fn in_flight_calls(r: &Report) -> u64 {
    // Requests still in the API (waiting for auth, or not yet at their call) at the end.
    summary(r, "api").requests - summary(r, "auth").requests
}

// --- Recursive loops (invocation-recursion.html) ------------------------------------------

const LOOP: &str = r#"
    duration_s = 300
    [[functions]]
    name = "resize"
    invocation = "async"
    handler.cpu_ms = 10
    workload = { kind = "replay", arrivals_s = [1.0] }
    triggers = [{ target = "resize", via = "bucket" }]
"#;

/// Loop detection stops the chain after 16 invocations and counts RecursiveInvocationsDropped;
/// without a DLQ the event is dropped.
#[test]
fn loop_detection_stops_a_chain_after_sixteen_invocations() {
    let r = run_text(LOOP);
    let s = &r.functions[0].summary;
    assert_eq!(s.completed, 16);
    assert_eq!(s.recursive_invocations_dropped, 1);
    assert_eq!(r.ledger.dropped, 1);
    assert_eq!(r.ledger.succeeded, 16);
    let stop = r
        .events
        .iter()
        .find(|e| matches!(e.kind, engine::report::EventKind::LoopStopped { .. }));
    assert!(stop.is_some(), "the stop is in the event log");
}

/// With a DLQ the stopped event goes there; with `recursive_loop = "allow"` the chain runs to
/// the end of the run and the bill grows with it.
#[test]
fn a_stopped_loop_goes_to_the_dlq_and_an_allowed_one_runs_on() {
    let with_dlq = run_text(&LOOP.replace(
        "invocation = \"async\"",
        "invocation = \"async\"\nasync = { dlq = \"sqs\" }",
    ));
    assert_eq!(with_dlq.ledger.dead_lettered, 1);
    let allowed = run_text(&LOOP.replace(
        "invocation = \"async\"",
        "invocation = \"async\"\nrecursive_loop = \"allow\"",
    ));
    let s = &allowed.functions[0].summary;
    assert!(s.completed > 1_000, "{}", s.completed);
    assert_eq!(s.recursive_invocations_dropped, 0);
    assert!(s.cost_usd > 50.0 * with_dlq.summary.cost_usd);
}

/// Reserved concurrency is a fuse: a fan-out loop cannot take more than it.
#[test]
fn reserved_concurrency_caps_a_fan_out_loop() {
    let r = run_text(
        r#"
        duration_s = 60
        [[functions]]
        name = "spread"
        invocation = "async"
        reserved_concurrency = 5
        recursive_loop = "allow"
        handler.cpu_ms = 50
        workload = { kind = "replay", arrivals_s = [0.5] }
        triggers = [{ target = "spread", via = "event", per_invocation = 2 }]
        async = { queue_max = 10000000 }
    "#,
    );
    let s = &r.functions[0].summary;
    assert_eq!(s.concurrency_max, 5);
    assert!(s.throttled > 0 || s.queue_depth_max > 5);
}

// --- Versions, aliases and deployments (docs/lambda-facts.md section 9) ------------------------

/// A weighted alias sends `additional_weight` of its traffic to the second version, within
/// binomial bounds (4 standard deviations).
#[test]
fn weighted_alias_routing_matches_the_weight() {
    for weight in [0.05, 0.1, 0.5] {
        let r = run_text(&format!(
            r#"
            duration_s = 600
            [[functions]]
            name = "api"
            handler.cpu_ms = 1
            workload = {{ kind = "poisson", rate_per_s = 50 }}
            invoke = "PROD"
            versions = [{{ version = 1 }}, {{ version = 2 }}]
            aliases = [{{ name = "PROD", version = 1, additional_version = 2, additional_weight = {weight} }}]
        "#
        ));
        let (v1, v2) = (summary(&r, "api:1"), summary(&r, "api:2"));
        let n = (v1.requests + v2.requests) as f64;
        let expected = n * weight;
        let sd = (n * weight * (1.0 - weight)).sqrt();
        assert!(
            (v2.requests as f64 - expected).abs() < 4.0 * sd,
            "weight {weight}: {} of {n}",
            v2.requests
        );
        assert_eq!(summary(&r, "api").requests, 0, "$LATEST gets nothing");
    }
}

/// A canary shifts 10% at the start, and the alarm on the new version's errors rolls it back
/// at the end of the period it fired in; afterwards the new version gets nothing.
#[test]
fn a_failing_canary_rolls_back_when_its_alarm_fires() {
    let r = run_text(include_str!("../scenarios/canary-rollback.toml"));
    let d = &r.deployments[0];
    assert_eq!(d.status, DeploymentStatus::RolledBack);
    assert_eq!(d.rollback_alarm.as_deref(), Some("v2-errors"));
    let alarm = &r.alarms[0];
    let fired = alarm.first_alarm_s.expect("the alarm fired");
    assert_eq!(d.ended_s, Some(fired));
    assert!(fired > 300.0 && fired <= 300.0 + 600.0);
    assert_eq!(fired % 60.0, 0.0, "at the end of a period");
    assert_eq!(d.weights.first(), Some(&(0.0, 0.0)));
    assert!(d.weights.contains(&(300.0, 0.1)));
    assert_eq!(d.weights.last(), Some(&(fired, 0.0)));
    // Version 2 only had traffic between the start and the rollback.
    let v2 = summary(&r, "checkout:2");
    let expected = 20.0 * 0.1 * (fired - 300.0);
    assert!((v2.requests as f64 - expected).abs() < 4.0 * expected.sqrt());
    let shifts = r.series.by_function[2]
        .iter()
        .zip(&r.series.rows)
        .filter(|(b, row)| {
            b.invocations > 0 && (row.t_s + r.series.bucket_s <= 300.0 || row.t_s > fired)
        })
        .count();
    assert_eq!(shifts, 0, "no traffic to version 2 outside the canary");
}

/// A good version completes its deployment: the alias points to it alone afterwards.
#[test]
fn a_healthy_linear_deployment_completes() {
    let text = include_str!("../scenarios/canary-rollback.toml")
        .replace("error_rate = 0.05", "error_rate = 0.001")
        .replace(
            "LambdaCanary10Percent10Minutes",
            "LambdaLinear10PercentEvery1Minute",
        );
    let r = run_text(&text);
    let d = &r.deployments[0];
    assert_eq!(d.status, DeploymentStatus::Succeeded);
    assert_eq!(d.ended_s, Some(300.0 + 9.0 * 60.0));
    let weights: Vec<f64> = d.weights.iter().skip(1).map(|w| w.1).collect();
    assert_eq!(
        weights,
        vec![0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
    );
    assert!(summary(&r, "checkout:2").requests > summary(&r, "checkout:1").requests);
}

/// CodeDeploy stops a deployment whose alarm is already in ALARM: at its first step.
#[test]
fn a_deployment_does_not_start_while_its_alarm_is_in_alarm() {
    let text = include_str!("../scenarios/canary-rollback.toml")
        .replace("function = \"checkout:2\"", "function = \"checkout\"")
        .replace("error_rate = 0.001", "error_rate = 0.2");
    let r = run_text(&text);
    let d = &r.deployments[0];
    assert_eq!(d.status, DeploymentStatus::RolledBack);
    assert_eq!(d.ended_s, Some(300.0), "stopped at its first step");
    assert_eq!(summary(&r, "checkout:2").requests, 0);
}

/// Every CodeDeploy preset by name, and their steps.
#[test]
fn codedeploy_presets() {
    use engine::scenario::{preset_steps, PRESETS};
    for p in PRESETS {
        let steps = preset_steps(p).unwrap_or_else(|| panic!("{p}"));
        assert_eq!(steps.last().map(|s| s.1), Some(1.0), "{p}");
    }
    assert_eq!(
        preset_steps("LambdaCanary10Percent30Minutes"),
        Some(vec![(0.0, 0.1), (1800.0, 1.0)])
    );
    assert_eq!(
        preset_steps("LambdaLinear10PercentEvery3Minutes").map(|s| s.len()),
        Some(10)
    );
    assert_eq!(preset_steps("LambdaCanary10Percent7Minutes"), None);
    assert_eq!(preset_steps("LambdaLinear10PercentEvery1Minutes"), None);
}

/// Each version has its own environments (and cold starts).
#[test]
fn versions_have_their_own_environments() {
    let r = run_text(
        r#"
        duration_s = 60
        [[functions]]
        name = "api"
        handler.cpu_ms = 1
        workload = { kind = "constant", rate_per_s = 10 }
        invoke = "LIVE"
        versions = [{ version = 1 }, { version = 2, set = { "handler.cpu_ms" = 2 } }]
        aliases = [{ name = "LIVE", version = 1, additional_version = 2, additional_weight = 0.5 }]
    "#,
    );
    assert!(summary(&r, "api:1").cold_starts >= 1);
    assert!(summary(&r, "api:2").cold_starts >= 1);
    assert!(summary(&r, "api:2").duration_ms_p50 > summary(&r, "api:1").duration_ms_p50);
}

// --- Alarms ---------------------------------------------------------------------------------

/// An alarm's state changes at the end of the period whose datapoint breaches, and returns to
/// OK at the end of the first period that does not; with 2 of 3 datapoints it waits for two.
#[test]
fn alarm_state_changes_at_the_right_period() {
    let base = r#"
        duration_s = 600
        [[alarms]]
        name = "errors"
        function = "api"
        metric = "Errors"
        threshold = 1
        period_s = 60
        EXTRA
        [[functions]]
        name = "api"
        handler.cpu_ms = 1
        workload = { kind = "constant", rate_per_s = 10 }
        errors_during = [{ start_s = 130, end_s = 250, rate = 1.0 }]
    "#;
    let r = run_text(&base.replace("EXTRA", ""));
    let a = &r.alarms[0];
    let states: Vec<(f64, AlarmValue)> = a.transitions.iter().map(|t| (t.t_s, t.state)).collect();
    assert_eq!(
        states,
        vec![
            (60.0, AlarmValue::Ok),
            (180.0, AlarmValue::Alarm),
            (360.0, AlarmValue::Ok)
        ]
    );
    assert_eq!(
        a.datapoints[2].value,
        Some(500.0),
        "120-180 s: 50 s of failures at 10/s"
    );
    assert_eq!(a.datapoints[1].value, Some(0.0));
    assert_eq!(
        a.datapoints[4].value,
        Some(100.0),
        "240-300 s: 10 s of failures"
    );
    assert_eq!(a.alarm_periods, 3);
    let r = run_text(&base.replace("EXTRA", "evaluation_periods = 3\ndatapoints_to_alarm = 2"));
    let first = r.alarms[0].first_alarm_s;
    assert_eq!(first, Some(240.0), "the second breaching period");
}

/// Duration percentiles, ErrorRate and Throttles as alarm metrics.
#[test]
fn alarms_on_duration_error_rate_and_throttles() {
    let r = run_text(
        r#"
        duration_s = 300
        [[alarms]]
        name = "slow"
        function = "api"
        metric = "Duration"
        statistic = "p99"
        threshold = 500
        period_s = 60
        [[alarms]]
        name = "rate"
        function = "api"
        metric = "ErrorRate"
        threshold = 5
        period_s = 60
        [[alarms]]
        name = "throttles"
        function = "api"
        metric = "Throttles"
        threshold = 1
        period_s = 60
        [[functions]]
        name = "api"
        handler.io_ms = 100
        error_rate = 0.1
        reserved_concurrency = 1
        workload = { kind = "constant", rate_per_s = 20 }
    "#,
    );
    let by = |n: &str| r.alarms.iter().find(|a| a.name == n).unwrap();
    assert_eq!(
        by("slow").first_alarm_s,
        None,
        "p99 of 100 ms is under 500 ms"
    );
    let rate = by("rate").datapoints[1].value.unwrap();
    assert!((rate - 10.0).abs() < 5.0, "{rate}");
    assert_eq!(by("throttles").first_alarm_s, Some(60.0));
}

/// docs/lambda-facts.md section 11, line 84: DeadLetterErrors and DestinationDeliveryFailures are
/// metrics an alarm can watch. A role that may not send to the DLQ loses events silently; an
/// alarm on DeadLetterErrors is how a team finds out.
#[test]
fn an_alarm_on_dead_letter_errors_finds_lost_events() {
    let text = |action: &str| {
        format!(
            r#"
        duration_s = 600
        [[alarms]]
        name = "lost"
        function = "worker"
        metric = "DeadLetterErrors"
        threshold = 1
        period_s = 60
        [[alarms]]
        name = "dropped"
        function = "worker"
        metric = "AsyncEventsDropped"
        threshold = 1
        period_s = 60
        [[functions]]
        name = "worker"
        invocation = "async"
        handler.io_ms = 50
        errors_during = [{{ start_s = 0, end_s = 120, rate = 1.0 }}]
        async = {{ dlq = "sqs", max_event_age_s = 60 }}
        iam.policy.statements = [{{ effect = "Allow", action = "{action}", resource = "*" }}]
        workload = {{ kind = "constant", rate_per_s = 1 }}
    "#
        )
    };
    let r = run_text(&text("dynamodb:*"));
    let by = |r: &Report, n: &str| r.alarms.iter().find(|a| a.name == n).unwrap().clone();
    let lost = by(&r, "lost");
    let total: f64 = lost.datapoints.iter().filter_map(|d| d.value).sum();
    assert_eq!(total as u64, r.summary.dead_letter_errors);
    assert!(r.summary.dead_letter_errors > 0);
    assert_eq!(lost.first_alarm_s, by(&r, "dropped").first_alarm_s);
    // Allowed to send, the same failures reach the DLQ: dropped from the queue, not lost.
    let r = run_text(&text("sqs:SendMessage"));
    assert_eq!(by(&r, "lost").first_alarm_s, None);
    assert!(by(&r, "dropped").first_alarm_s.is_some());
    assert_eq!(r.summary.dlq_depth, r.summary.async_events_dropped);
}

/// A budget alarm: the cost of each period, from the same prices as the bill.
#[test]
fn a_cost_alarm_sees_each_periods_bill() {
    let r = run_text(
        r#"
        duration_s = 300
        cost = { free_tier = false }
        [[alarms]]
        name = "budget"
        function = "api"
        metric = "Cost"
        threshold = 0.001
        period_s = 60
        [[functions]]
        name = "api"
        memory_mb = 1024
        handler.io_ms = 100
        workload = { kind = "constant", rate_per_s = 10 }
    "#,
    );
    let a = &r.alarms[0];
    assert_eq!(a.unit, "USD");
    // 600 requests a minute, each $0.20 per million plus 0.1 GB-s at $0.0000166667.
    let per_minute = 600.0 * (0.2e-6 + 0.1 * 0.000_016_666_7);
    let v = a.datapoints[2].value.unwrap();
    assert!(
        (v - per_minute).abs() < 0.02 * per_minute,
        "{v} vs {per_minute}"
    );
    assert_eq!(a.first_alarm_s, Some(60.0));
    let total: f64 = a.datapoints.iter().filter_map(|d| d.value).sum();
    assert!(
        (total - r.summary.cost_usd).abs() < 0.02 * r.summary.cost_usd,
        "{total} vs {}",
        r.summary.cost_usd
    );
}

// --- Tracing (xray-console-sampling.html) ---------------------------------------------------

/// The default rule: the first request each second, then 5% of the rest.
#[test]
fn the_default_sampling_rule() {
    let text = r#"
        duration_s = 1000
        tracing = { RULE }
        [[functions]]
        name = "api"
        handler.cpu_ms = 1
        workload = { kind = "constant", rate_per_s = 21 }
    "#;
    let r = run_text(&text.replace("RULE", "max_traces = 10"));
    let t = r.tracing.as_ref().unwrap();
    assert_eq!(t.requests, 20_999, "the last one would arrive at the end");
    let expected = 1000.0 + 0.05 * 20_000.0;
    let sd = (20_000.0f64 * 0.05 * 0.95).sqrt();
    assert!(
        (t.sampled as f64 - expected).abs() < 4.0 * sd,
        "{}",
        t.sampled
    );
    assert_eq!(t.traces.len(), 10);
    let r = run_text(&text.replace("RULE", "rate = 0"));
    assert_eq!(
        r.tracing.as_ref().unwrap().sampled,
        1000,
        "exactly one a second"
    );
}

/// Golden: four functions and a queue; each trace shows every hop in order, and durations add
/// up: the call span is the callee's invocation, a queued hop starts when its sender ends,
/// and the caller's invocation covers its call.
#[test]
fn traces_of_four_functions_and_a_queue() {
    let r = run_text(include_str!("../scenarios/order-pipeline.toml"));
    let t = r.tracing.as_ref().unwrap();
    assert_eq!(t.traces.len(), 20);
    let mut complete = 0;
    for tr in &t.traces {
        let inv: Vec<_> = tr
            .spans
            .iter()
            .filter(|s| s.kind == SpanKind::Invocation)
            .collect();
        for s in &tr.spans {
            assert!(s.start_us <= s.end_us);
            if let Some(p) = s.parent {
                let parent = tr.spans.iter().find(|x| x.id == p).expect("parent kept");
                match (parent.kind, s.kind) {
                    // The callee's invocation is exactly the caller's wait.
                    (SpanKind::Call, SpanKind::Invocation) => {
                        assert_eq!((parent.start_us, parent.end_us), (s.start_us, s.end_us))
                    }
                    (
                        SpanKind::Invocation,
                        SpanKind::Call | SpanKind::Init | SpanKind::Downstream,
                    ) => {
                        assert!(s.start_us >= parent.start_us && s.end_us <= parent.end_us)
                    }
                    // A queued hop: sent when its sender ended, then waited, then ran.
                    (SpanKind::Invocation, SpanKind::Queue) => {
                        assert_eq!(s.start_us, parent.end_us);
                        assert_eq!(s.hop, parent.hop + 1);
                    }
                    (SpanKind::Invocation, SpanKind::Invocation) => {
                        let wait = tr.spans.iter().find(|q| {
                            q.kind == SpanKind::Queue
                                && q.parent == s.parent
                                && q.end_us == s.start_us
                        });
                        let sent = wait.map_or(s.start_us, |q| q.start_us);
                        assert_eq!(sent, parent.end_us);
                        assert_eq!(s.hop, parent.hop + 1);
                    }
                    other => panic!("unexpected nesting {other:?}"),
                }
            }
        }
        let functions: Vec<u16> = inv.iter().map(|s| s.function).collect();
        if functions == [0, 1, 2, 3] {
            complete += 1;
            // End to end: the API, the queue wait, the worker, the event, the e-mail.
            let last = tr.spans.iter().map(|s| s.end_us).max().unwrap();
            let waits: u64 = tr
                .spans
                .iter()
                .filter(|s| s.kind == SpanKind::Queue)
                .map(|s| s.end_us - s.start_us)
                .sum();
            let busy: u64 = [0usize, 2, 3]
                .iter()
                .map(|&k| inv[k].end_us - inv[k].start_us)
                .sum();
            assert_eq!(last - tr.start_us, busy + waits);
            assert!(inv.iter().all(|s| s.outcome == Some(Outcome::Success)));
        }
    }
    assert_eq!(complete, 20, "every trace reaches the e-mail");
    let mut text = serde_json::to_string_pretty(&t.traces[..3]).unwrap();
    text.push('\n');
    expect_file!["golden/order-pipeline-traces.json"].assert_eq(&text);
}

// --- Caches ---------------------------------------------------------------------------------

/// A cache in the environment's memory starts empty in every new environment: with one key
/// that never expires, each environment misses exactly once; a shared cache misses once.
#[test]
fn an_environment_cache_misses_once_per_environment() {
    let text = r#"
        duration_s = 300
        [[functions]]
        name = "prices"
        handler = { cpu_ms = 1, io_ms = 50 }
        idle_expiry_s = 20
        workload = { kind = "steps", steps = [{ at_s = 0, rate_per_s = 30 }, { at_s = 100, rate_per_s = 0.02 }, { at_s = 200, rate_per_s = 30 }] }
        cache = { scope = "SCOPE", keys = 1, ttl_s = 10000 }
    "#;
    let env = run_text(&text.replace("SCOPE", "environment"));
    let s = &env.functions[0].summary;
    assert_eq!(s.cache_misses, s.envs_created);
    assert_eq!(s.cache_hits + s.cache_misses, s.completed + in_flight(&env));
    let shared = run_text(&text.replace("SCOPE", "shared"));
    assert_eq!(shared.functions[0].summary.cache_misses, 1);
    assert!(shared.functions[0].summary.cache_hit_ratio > s.cache_hit_ratio);
}

fn in_flight(r: &Report) -> u64 {
    r.ledger.in_flight
}

/// A hit skips the data source: latency falls with the hit ratio.
#[test]
fn cache_hits_cut_latency() {
    let text = r#"
        duration_s = 300
        [[functions]]
        name = "prices"
        memory_mb = 1769
        handler = { cpu_ms = 1, io_ms = 80 }
        workload = { kind = "poisson", rate_per_s = 20 }
        CACHE
    "#;
    let none = run_text(&text.replace("CACHE", ""));
    let cached = run_text(&text.replace(
        "CACHE",
        "cache = { scope = \"shared\", keys = 10, ttl_s = 60 }",
    ));
    assert!(cached.summary.duration_ms_p50 < 5.0);
    assert!(none.summary.duration_ms_p50 > 79.0);
}

/// A hit never reaches the data source, so a cache shields a rate-limited database.
#[test]
fn a_cache_shields_a_rate_limited_database() {
    let text = r#"
        duration_s = 120
        [[functions]]
        name = "prices"
        handler = { cpu_ms = 1, io_ms = 20 }
        workload = { kind = "poisson", rate_per_s = 100 }
        downstream = { rate_limit_per_s = 20 }
        CACHE
    "#;
    let bare = run_text(&text.replace("CACHE", ""));
    let cached = run_text(&text.replace(
        "CACHE",
        "cache = { scope = \"shared\", keys = 50, ttl_s = 600 }",
    ));
    let (b, c) = (&bare.functions[0].summary, &cached.functions[0].summary);
    assert!(
        b.downstream_rejections > 5_000,
        "{}",
        b.downstream_rejections
    );
    assert_eq!(c.cache_misses, 50);
    assert!(c.downstream_rejections <= c.cache_misses);
}

/// A hit needs no connection either: behind a cache, an invocation takes one of the
/// downstream's connections only at its first miss.
#[test]
fn cache_hits_hold_no_database_connection() {
    let r = run_text(
        r#"
        duration_s = 60
        [[functions]]
        name = "prices"
        handler = { cpu_ms = 1, io_ms = 200 }
        workload = { kind = "poisson", rate_per_s = 200 }
        downstream = { connections_max = 2 }
        cache = { scope = "shared", keys = 1, ttl_s = 600 }
    "#,
    );
    let s = &r.functions[0].summary;
    assert!(s.concurrency_max >= 2, "{}", s.concurrency_max);
    assert_eq!(s.cache_misses, 1);
    assert_eq!(s.downstream_rejections, 0);
}

// --- Least privilege -------------------------------------------------------------------------

/// A broad role lets a bug's delete through; a narrow one denies it and still allows the work.
#[test]
fn a_broad_role_lets_the_bug_do_damage_and_a_narrow_one_does_not() {
    let text = r#"
        duration_s = 100
        [[functions]]
        name = "thumbs"
        handler.cpu_ms = 1
        workload = { kind = "constant", rate_per_s = 10 }
        [functions.iam]
        policy.statements = [POLICY]
        attempts = [
          { action = "s3:GetObject", resource = "arn:aws:s3:::uploads/a.jpg" },
          { action = "s3:PutObject", resource = "arn:aws:s3:::thumbnails/a.jpg" },
          { action = "s3:DeleteObject", resource = "arn:aws:s3:::invoices/2026.pdf", harmful = true, rate = 0.1 },
        ]
    "#;
    let broad = run_text(&text.replace(
        "POLICY",
        r#"{ effect = "Allow", action = "s3:*", resource = "*" }"#,
    ));
    let b = &broad.functions[0].summary;
    assert!(b.iam_harmful_allowed > 50, "{}", b.iam_harmful_allowed);
    assert_eq!(b.errors, 0);
    let narrow = run_text(&text.replace(
        "POLICY",
        r#"{ effect = "Allow", action = "s3:GetObject", resource = "arn:aws:s3:::uploads/*" },
           { effect = "Allow", action = "s3:PutObject", resource = "arn:aws:s3:::thumbnails/*" }"#,
    ));
    let n = &narrow.functions[0].summary;
    assert_eq!(n.iam_harmful_allowed, 0);
    assert_eq!(n.iam_denied, b.iam_harmful_allowed, "same bug, same draws");
    assert_eq!(n.errors, 0, "the work is still allowed");
    // Too narrow: the function cannot do its job.
    let too_narrow = run_text(&text.replace(
        "POLICY",
        r#"{ effect = "Allow", action = "s3:GetObject", resource = "arn:aws:s3:::uploads/*" }"#,
    ));
    assert_eq!(
        too_narrow.functions[0].summary.errors,
        too_narrow.functions[0].summary.completed
    );
    // An explicit deny wins over the broad allow.
    let deny = run_text(&text.replace(
        "POLICY",
        r#"{ effect = "Allow", action = "s3:*", resource = "*" },
           { effect = "Deny", action = "s3:Delete*", resource = "*" }"#,
    ));
    assert_eq!(deny.functions[0].summary.iam_harmful_allowed, 0);
}

// --- What AWS refuses ----------------------------------------------------------------------

#[test]
fn configurations_aws_refuses_are_refused() {
    let f = r#"
        duration_s = 60
        [[functions]]
        name = "api"
        workload = { kind = "constant", rate_per_s = 1 }
    "#;
    let cases: &[(&str, &str)] = &[
        (
            "versions = [{ version = 1 }]\nprovisioned_concurrency = 2",
            "functions[0].provisioned_concurrency: AWS refuses provisioned concurrency on $LATEST",
        ),
        (
            "versions = [{ version = 1 }]\naliases = [{ name = \"DEV\", version = \"$LATEST\", provisioned_concurrency = 1 }]",
            "functions[0].aliases[0].provisioned_concurrency",
        ),
        (
            "versions = [{ version = 1 }, { version = 2 }]\naliases = [{ name = \"PROD\", version = 1, additional_version = 2, additional_weight = 1.5 }]",
            "functions[0].aliases[0].additional_weight: AWS accepts a weight from 0 to 1, got 1.5",
        ),
        (
            "versions = [{ version = 1 }]\naliases = [{ name = \"PROD\", version = 3 }]",
            "functions[0].aliases[0].version: version 3 is not published (versions: 1)",
        ),
        (
            "versions = [{ version = 1 }, { version = 2 }]\naliases = [{ name = \"PROD\", version = 1 }]\ndeployment = { alias = \"PROD\", to_version = 2, preset = \"LambdaCanary50Percent1Minute\" }",
            "functions[0].deployment.preset: unknown CodeDeploy configuration",
        ),
        (
            "versions = [{ version = 1, set = { workload = 1 } }]",
            "functions[0].versions[0].set.workload",
        ),
        (
            "triggers = [{ target = \"nobody\" }]",
            "functions[0].triggers[0].target: no function called \"nobody\"",
        ),
        (
            "triggers = [{ target = \"api\", via = \"queue\" }]",
            "functions[0].triggers[0].via",
        ),
        (
            "iam = { policy = { statements = [{ effect = \"Allow\", action = \"s3\", resource = \"*\" }] } }",
            "functions[0].iam.policy.statements[0].action[0]",
        ),
    ];
    for (extra, expected) in cases {
        let text = format!("{f}{extra}\n");
        let e = refused(&text);
        assert!(
            e.contains(expected),
            "{extra}\n  got: {e}\n  expected: {expected}"
        );
    }
    let alarm = |extra: &str| {
        format!(
            "{f}[[alarms]]\nname = \"a\"\nfunction = \"api\"\nmetric = \"Errors\"\nthreshold = 1\n{extra}\n"
        )
    };
    let e = refused(&alarm("evaluation_periods = 0"));
    assert!(e.contains("alarms[0].evaluation_periods"), "{e}");
    let e = refused(&alarm("period_s = 45"));
    assert!(e.contains("alarms[0].period_s"), "{e}");
    let e = refused(&alarm("period_s = 10"));
    assert!(e.contains("once a minute"), "{e}");
    let e = refused(&alarm("statistic = \"p99\""));
    assert!(e.contains("alarms[0].statistic"), "{e}");
    let e = refused(&format!(
        "{f}iam = {{ policy = {{ statements = [{{ effect = \"Permit\", action = \"s3:*\", resource = \"*\" }}] }} }}\n"
    ));
    assert!(e.contains("Permit") || e.contains("effect"), "{e}");
}

/// Same scenario and seed, same report, bit for bit, with every system feature on.
#[test]
fn system_runs_are_deterministic() {
    for text in [
        include_str!("../scenarios/order-pipeline.toml"),
        include_str!("../scenarios/canary-rollback.toml"),
        include_str!("../scenarios/recursive-loop.toml"),
    ] {
        let a = serde_json::to_string(&run_text(text)).unwrap();
        let b = serde_json::to_string(&run_text(text)).unwrap();
        assert_eq!(a, b);
    }
}

// --- Properties -------------------------------------------------------------------------------

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// A chain of 2-4 functions, each sending to the next by a random route, with random
    /// failures, fan-out, versions on the second and tracing.
    fn chain() -> impl Strategy<Value = String> {
        (
            2usize..=4,
            prop::collection::vec((0usize..3, 0.0..0.3f64, 0.0..2.5f64), 4),
            any::<bool>(),
            0.0..=1.0f64,
            any::<u64>(),
        )
            .prop_map(|(n, links, versions, weight, seed)| {
                let mut t = format!(
                    "duration_s = 60\nseed = {}\ntracing = {{ max_traces = 5 }}\n",
                    seed % 1_000_000
                );
                let kinds = ["sync", "async", "sqs"];
                for i in 0..n {
                    let (kind, errors, per) = links[i];
                    let kind = if i == 0 { 0 } else { kind };
                    t.push_str(&format!(
                        "[[functions]]\nname = \"f{i}\"\ninvocation = \"{}\"\nhandler.cpu_ms = 5\nerror_rate = {errors}\nmemory_mb = 1024\n",
                        kinds[kind]
                    ));
                    if kind == 2 {
                        t.push_str("timeout_s = 5\n");
                    }
                    if i == 0 {
                        t.push_str("workload = { kind = \"poisson\", rate_per_s = 20 }\n");
                    }
                    if i == 1 && versions {
                        t.push_str(&format!("invoke = \"LIVE\"\nversions = [{{ version = 1 }}, {{ version = 2 }}]\naliases = [{{ name = \"LIVE\", version = 1, additional_version = 2, additional_weight = {weight} }}]\n"));
                    }
                    if i + 1 < n {
                        let next_kind = links[i + 1].0;
                        let per = if next_kind == 0 || i + 1 == 0 { 1.0 } else { per };
                        t.push_str(&format!(
                            "triggers = [{{ target = \"f{}\", per_invocation = {per} }}]\n",
                            i + 1
                        ));
                    }
                }
                t
            })
    }

    /// Every system feature at once, with random settings: calls, loops, versions with a
    /// deployment, alarms on any metric, tracing, a cache and a role.
    fn everything() -> impl Strategy<Value = String> {
        (
            (0usize..4, 0usize..9, 0usize..15, 1u32..4, 0.0..0.5f64),
            (any::<bool>(), any::<bool>(), 0.0..3.0f64, 0.0..1.0f64, any::<u64>()),
            (1u32..50, 0.0..1.0f64, 0.5..40.0f64),
        )
            .prop_map(|((via, preset, metric, evals, err), (allow, cache_env, fan, weight, seed), (keys, harm, rate))| {
                let vias = ["call", "event", "bucket", "queue"];
                let kinds = ["sync", "async", "async", "sqs"];
                let metrics = [
                    "Invocations", "Errors", "Throttles", "ErrorRate", "Duration", "ConcurrentExecutions",
                    "ColdStarts", "ProvisionedConcurrencySpilloverInvocations", "ApproximateNumberOfMessagesVisible",
                    "ApproximateAgeOfOldestMessage", "DLQDepth", "Cost", "AsyncEventsDropped",
                    "DeadLetterErrors", "DestinationDeliveryFailures",
                ];
                let preset = engine::scenario::PRESETS[preset];
                let fan = if via == 0 { 1.0 } else { fan };
                format!(
                    r#"
                    duration_s = 600
                    seed = {seed}
                    tracing = {{ rate = {weight}, max_traces = 5 }}
                    [[alarms]]
                    name = "a"
                    function = "api:2"
                    metric = "{metric}"
                    threshold = 1
                    period_s = 60
                    evaluation_periods = {evals}
                    [[functions]]
                    name = "api"
                    handler = {{ cpu_ms = 2, io_ms = 20 }}
                    error_rate = {err}
                    workload = {{ kind = "poisson", rate_per_s = {rate} }}
                    invoke = "LIVE"
                    versions = [{{ version = 1 }}, {{ version = 2, set = {{ error_rate = 0.3 }} }}]
                    aliases = [{{ name = "LIVE", version = 1, provisioned_concurrency = 1 }}]
                    deployment = {{ alias = "LIVE", to_version = 2, preset = "{preset}", start_s = 60, alarms = ["a"] }}
                    cache = {{ scope = "{scope}", keys = {keys}, ttl_s = 30 }}
                    triggers = [{{ target = "work", via = "{v}" }}]
                    [functions.iam]
                    policy.statements = [{{ effect = "Allow", action = ["s3:*"], resource = ["*"] }}]
                    attempts = [{{ action = "s3:DeleteObject", resource = "arn:aws:s3:::b/k", harmful = true, rate = {harm} }}]
                    [[functions]]
                    name = "work"
                    invocation = "{kind}"
                    timeout_s = 5
                    reserved_concurrency = 20
                    recursive_loop = "{lp}"
                    handler = {{ cpu_ms = 5 }}
                    triggers = [{{ target = "work", per_invocation = {fan} }}]
                    "#,
                    metric = metrics[metric],
                    seed = seed % 1_000_000,
                    scope = if cache_env { "environment" } else { "shared" },
                    v = vias[via],
                    kind = kinds[via],
                    lp = if allow { "allow" } else { "terminate" },
                )
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

        /// Whatever the settings, a run ends with a report whose ledgers balance, or a clean
        /// error naming a bound (an event or queue limit): never a panic or an internal error.
        #[test]
        fn every_feature_at_once_never_breaks(text in everything()) {
            let mut s = scenario(&text);
            s.max_events = 400_000;
            match engine::run(&s) {
                Ok(r) => {
                    prop_assert!(r.ledger.balances(), "{:?}", r.ledger);
                    prop_assert_eq!(r.summary.requests, r.ledger.requests);
                }
                Err(engine::SimError::Internal(m)) => prop_assert!(false, "internal error: {}\n{}", m, text),
                Err(_) => {}
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

        /// The ledger balances across functions, and no request is lost between them: each
        /// function (with its versions) receives exactly what the one before it sent.
        #[test]
        fn no_request_is_lost_between_functions(text in chain()) {
            let s = scenario(&text);
            let r = engine::run(&s).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
            prop_assert!(r.ledger.balances(), "{:?}", r.ledger);
            for i in 1..s.functions.len() {
                let received: u64 = r
                    .functions
                    .iter()
                    .filter(|f| f.name == format!("f{i}") || f.name.starts_with(&format!("f{i}:")))
                    .map(|f| f.summary.requests)
                    .sum();
                let sent: u64 = r
                    .functions
                    .iter()
                    .filter(|f| f.name == format!("f{}", i - 1) || f.name.starts_with(&format!("f{}:", i - 1)))
                    .map(|f| f.summary.triggered)
                    .sum();
                prop_assert_eq!(received, sent, "f{}\n{}", i, text);
            }
            let again = engine::run(&s).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(serde_json::to_string(&r).unwrap(), serde_json::to_string(&again).unwrap());
        }
    }
}
