//! The limits AWS enforces, each pinned by a scenario and the numbers it must give, citing the
//! fact it rests on (`docs/lambda-facts.md`, and the AWS page named there).

use engine::{Report, Scenario};

fn run(toml: &str) -> Report {
    let scenario =
        Scenario::from_toml(toml).unwrap_or_else(|e| panic!("valid scenario: {e}\n{toml}"));
    engine::run(&scenario).unwrap_or_else(|e| panic!("runs: {e}"))
}

/// One synchronous function whose Init takes `init_ms`, with a `timeout_s`, one request every
/// 20 s for 10 minutes.
fn slow_init(init_ms: u32, timeout_s: u32, extra: &str) -> String {
    format!(
        "duration_s = 600\n\
         [[functions]]\n\
         name = \"fat\"\n\
         runtime = \"custom\"\n\
         timeout_s = {timeout_s}\n\
         init_ms = {init_ms}\n\
         handler.io_ms = 100\n\
         {extra}\n\
         workload = {{ kind = \"constant\", rate_per_s = 0.05 }}\n"
    )
}

/// Facts §1 (lambda-runtime-environment.html): on demand, Init is limited to 10 s; past it,
/// Init is stopped and retried at the first invoke, inside the function's timeout.
#[test]
fn init_past_ten_seconds_fails_inside_a_short_timeout() {
    let r = run(&slow_init(20_000, 3, ""));
    let s = &r.summary;
    assert!(s.requests >= 29, "{} requests", s.requests);
    assert_eq!(
        r.ledger.succeeded, 0,
        "20 s of Init never fits a 3 s timeout"
    );
    assert_eq!(
        s.init_timeouts, s.cold_starts,
        "every cold start overran the 10 s limit"
    );
    assert!(
        s.timeouts >= s.requests - 1,
        "{} timeouts of {} requests",
        s.timeouts,
        s.requests
    );
    // A timeout resets the environment: every request is a cold start again.
    assert_eq!(s.cold_starts, s.invocations);
}

#[test]
fn init_past_ten_seconds_succeeds_inside_a_long_timeout() {
    let r = run(&slow_init(20_000, 60, ""));
    let s = &r.summary;
    assert_eq!(r.ledger.failed, 0);
    assert_eq!(s.timeouts, 0);
    assert!(s.init_timeouts >= 1);
    // The first request waits for the stopped Init (10 s), then Init again (20 s) and the
    // handler (0.1 s) inside its invoke.
    assert!(
        s.duration_ms_max >= 30_000.0 && s.duration_ms_max < 30_200.0,
        "duration max {} ms",
        s.duration_ms_max
    );
}

#[test]
fn init_under_ten_seconds_is_not_limited() {
    let r = run(&slow_init(9_000, 3, ""));
    assert_eq!(r.summary.init_timeouts, 0);
    assert_eq!(r.ledger.failed, 0);
}

/// `init_ms_mean` is the Init phase of the cold starts as it shows: a stopped Init counts its
/// 10 s (its second run is part of the invoke), and a run without cold starts reads 0.
#[test]
fn the_mean_init_is_the_init_phase_of_the_cold_starts() {
    let r = run(&slow_init(9_000, 3, ""));
    assert!(r.summary.cold_starts >= 1);
    assert_eq!(r.summary.init_ms_mean, 9_000.0);
    let r = run(&slow_init(20_000, 60, ""));
    assert!(r.summary.init_timeouts >= 1);
    assert_eq!(r.summary.init_ms_mean, 10_000.0);
    // Requests far apart on one provisioned environment: no cold start, no Init counted.
    let r = run(&slow_init(
        300,
        3,
        "provisioned_concurrency = 1\nprovisioned_ready_s = 0",
    ));
    assert_eq!(r.summary.cold_starts, 0, "{:?}", r.summary);
    assert_eq!(r.summary.init_ms_mean, 0.0);
}

/// Facts §1: provisioned concurrency allows Init up to 130 s (or the timeout).
#[test]
fn provisioned_environments_may_take_longer_to_init() {
    let r = run(&slow_init(20_000, 3, "provisioned_concurrency = 1"));
    let s = &r.summary;
    assert!(
        s.provisioned_invocations >= 25,
        "{}",
        s.provisioned_invocations
    );
    // Only the requests that came before the provisioned environment was ready spilled over
    // to on-demand environments, and only those met the limit.
    assert_eq!(s.init_timeouts, s.spillover_invocations);
    assert_eq!(r.ledger.failed, s.spillover_invocations);
}

/// Facts §5 (scaling-behavior.html): synchronous on-demand invocations are limited to
/// 10 x the concurrency quota per second: 10,000 requests per second by default.
#[test]
fn requests_per_second_are_limited_besides_concurrency() {
    let toml = |rate: u32| {
        format!(
            "duration_s = 10\nrecord = {{ lanes = 0, events = 0 }}\n\
             [[functions]]\nname = \"tiny\"\nruntime = \"rust\"\nmemory_mb = 1769\n\
             handler.cpu_ms = 10\nworkload = {{ kind = \"constant\", rate_per_s = {rate} }}\n"
        )
    };
    // 50,000 requests per second of a 10 ms handler need only 500 environments, under the
    // 1,000 quota: the request rate is what throttles them.
    let r = run(&toml(50_000));
    let s = &r.summary;
    let ratio = s.throttled_request_rate as f64 / s.requests as f64;
    eprintln!(
        "{} requests, {} throttled, {} by the request rate, concurrency max {}",
        s.requests, s.throttled, s.throttled_request_rate, s.concurrency_max
    );
    assert!(
        (ratio - 0.8).abs() < 0.03,
        "throttled {:.3} of requests by their rate",
        ratio
    );

    let r = run(&toml(9_000));
    assert_eq!(
        r.summary.throttled, 0,
        "9,000 requests per second are within the limit"
    );
}

fn sqs(visibility: Option<u32>) -> String {
    let visibility = visibility
        .map(|v| format!(", visibility_timeout_s = {v}"))
        .unwrap_or_default();
    format!(
        "duration_s = 900\n\
         [[functions]]\nname = \"worker\"\nruntime = \"custom\"\ninit_ms = 3000\ntimeout_s = 30\n\
         handler.io_ms = {{ kind = \"uniform\", min = 20000, max = 29000 }}\n\
         invocation = \"sqs\"\nsqs = {{ batch_size = 1{visibility} }}\n\
         workload = {{ kind = \"burst\", base_per_s = 0.2, burst_per_s = 5, start_s = 60, length_s = 60 }}\n"
    )
}

/// Facts §7 (services-sqs-configure.html): AWS refuses a visibility timeout shorter than the
/// function timeout; six times the timeout is a recommendation, not a rule.
#[test]
fn sqs_visibility_timeout_below_six_times_is_a_warning_not_an_error() {
    // The engine's own defaults: timeout 30 s, visibility 30 s.
    let s = Scenario::from_toml(&sqs(None))
        .expect("AWS accepts a visibility timeout equal to the timeout");
    let warnings = s.warnings();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("functions[0].sqs.visibility_timeout_s"),
        "{}",
        warnings[0]
    );
    assert!(warnings[0].contains("180 s"), "{}", warnings[0]);

    let e = Scenario::from_toml(&sqs(Some(20))).unwrap_err().to_string();
    assert!(e.contains("functions[0].sqs.visibility_timeout_s"), "{e}");
    assert!(e.contains("at least the function timeout (30 s)"), "{e}");

    assert!(Scenario::from_toml(&sqs(Some(180)))
        .expect("valid")
        .warnings()
        .is_empty());
}

/// A visibility timeout too short for Init plus the handler: messages become visible again
/// while their first delivery still runs, and are processed twice.
#[test]
fn a_short_visibility_timeout_makes_duplicates() {
    let short = run(&sqs(Some(30)));
    let long = run(&sqs(Some(180)));
    assert!(short.summary.messages_redelivered > 0);
    assert!(
        short.summary.duplicates > 0,
        "{:?}",
        short.summary.duplicates
    );
    assert_eq!(long.summary.duplicates, 0);
}

/// Facts §6 (invocation-async-error-handling.html): throttled events return to the queue and
/// are retried with exponential backoff, each on its own schedule (with jitter), so 100 events
/// that arrive together on a function with room for one still drain steadily.
#[test]
fn throttled_async_events_back_off_with_jitter() {
    let arrivals = vec!["0.0"; 100].join(", ");
    let r = run(&format!(
        "duration_s = 1200\n\
         [[functions]]\nname = \"one-at-a-time\"\nruntime = \"custom\"\nreserved_concurrency = 1\n\
         handler.io_ms = 1000\ninvocation = \"async\"\n\
         workload = {{ kind = \"replay\", arrivals_s = [{arrivals}] }}\n"
    ));
    assert!(
        r.ledger.succeeded >= 90,
        "{} of 100 events done in 20 minutes",
        r.ledger.succeeded
    );
}

/// A function without `runtime` is not free of cold starts: it gets the most common runtime.
#[test]
fn a_function_without_a_runtime_has_a_realistic_init() {
    let r = run("duration_s = 60\n[[functions]]\nname = \"a\"\nworkload = { kind = \"constant\", rate_per_s = 1 }\n");
    let s = Scenario::from_toml("duration_s = 60\n[[functions]]\nname = \"a\"\n").expect("valid");
    assert_eq!(s.functions[0].runtime.id(), "nodejs22.x");
    assert!(r.summary.cold_starts >= 1);
    assert!(r.summary.init_env_mean > 0.0, "Init takes time");
}

/// Runtimes AWS supports today (lambda-runtimes.html): python3.12 is supported until 2028.
#[test]
fn python_3_12_is_a_runtime() {
    let s = Scenario::from_toml(
        "duration_s = 60\n[[functions]]\nname = \"a\"\nruntime = \"python3.12\"\n",
    )
    .expect("python3.12 is accepted");
    assert_eq!(s.functions[0].runtime.id(), "python3.12");
}

/// AWS's own names for the event source and async settings read as the engine's
/// (MaximumBatchingWindowInSeconds, MaximumRetryAttempts, MaximumEventAgeInSeconds).
#[test]
fn aws_names_are_accepted() {
    let s = Scenario::from_toml(
        "duration_s = 60\n[[functions]]\nname = \"q\"\ninvocation = \"sqs\"\nsqs = { batch_size = 100, maximum_batching_window_s = 2 }\n\n[[functions]]\nname = \"a\"\ninvocation = \"async\"\nasync = { maximum_retry_attempts = 0, maximum_event_age_s = 120 }\n",
    )
    .expect("AWS's names are accepted");
    assert_eq!(
        s.functions[0].sqs.as_ref().map(|q| q.batching_window_s),
        Some(2.0)
    );
    let a = s.functions[1]
        .async_config
        .as_ref()
        .expect("async settings");
    assert_eq!((a.retry_attempts, a.max_event_age_s), (0, 120));
}

/// Replayed traffic past the end of the run is not run, and the warnings say so, naming the
/// field, how much is lost and the `duration_s` that replays it all.
#[test]
fn replayed_traffic_past_the_end_is_a_warning() {
    let replay = |arrivals: &str| {
        format!(
            "duration_s = 300\n[[functions]]\nname = \"a\"\n\
             workload = {{ kind = \"replay\", arrivals_s = [{arrivals}] }}\n"
        )
    };
    let late: Vec<String> = (0..12).map(|i| format!("{}", 300 + i * 15)).collect();
    let text = replay(&format!("1, 2, 299.5, {}", late.join(", ")));
    let s = Scenario::from_toml(&text).expect("valid");
    assert_eq!(
        s.warnings(),
        vec!["functions[0].workload.arrivals_s: 12 arrivals at or after duration_s (300 s) are not replayed; raise duration_s to 466 s to replay them all".to_string()]
    );
    // The run indeed takes only the three before the end.
    assert_eq!(run(&text).summary.requests, 3);
    let one = Scenario::from_toml(&replay("1, 450.5")).expect("valid");
    assert_eq!(
        one.warnings(),
        vec!["functions[0].workload.arrivals_s: 1 arrival at or after duration_s (300 s) is not replayed; raise duration_s to 451 s to replay them all".to_string()]
    );
    assert!(Scenario::from_toml(&replay("1, 299.9"))
        .expect("valid")
        .warnings()
        .is_empty());

    let per_minute = |duration: u32, counts: &str| {
        format!(
            "duration_s = {duration}\n[[functions]]\nname = \"a\"\n\
             workload = {{ kind = \"per_minute\", counts = [{counts}] }}\n"
        )
    };
    // Minutes 3 and 4 (120-240 s) outrun a 150 s run: half of 60, and all of 90.
    let s = Scenario::from_toml(&per_minute(150, "10, 20, 60, 90, 0")).expect("valid");
    assert_eq!(
        s.warnings(),
        vec!["functions[0].workload.counts: 2 minutes of counts reach past duration_s (150 s), about 120 requests are not replayed; raise duration_s to 240 s to replay them all".to_string()]
    );
    // Trailing zero minutes lose nothing.
    assert!(
        Scenario::from_toml(&per_minute(240, "10, 20, 60, 90, 0, 0"))
            .expect("valid")
            .warnings()
            .is_empty()
    );
}

// --- The browser's budget (issue: a shared link must never exhaust the page's memory) ------

/// Two functions that each trigger the other twice, with loop detection off and the largest
/// queue allowed: the queues double with every hop. Held to the browser's budget, the run
/// stops between two events when its queues hold 250,000 messages, names the bound and the
/// fields, and the state is whole, so the report of what was simulated can still be made.
#[test]
fn a_fan_out_loop_stops_at_the_browser_budget_with_a_partial_report() {
    let text = include_str!("../scenarios/fan-out-loop.toml");
    let s = engine::Scenario::from_toml(text).expect("a valid scenario");
    let mut sim = engine::Simulation::new(&s)
        .expect("starts")
        .with_budget(engine::Budget::browser());
    let err = sim
        .run_until(sim.end_us())
        .expect_err("the budget stops it");
    let message = err.to_string();
    assert!(matches!(err, engine::SimError::Budget(_)), "{message}");
    assert!(message.contains("250,000 messages"), "{message}");
    assert!(message.contains("functions[].async.queue_max"), "{message}");
    assert!(sim.now_us() < sim.end_us(), "stopped before the end");
    let report = sim.finish().expect("a partial report");
    assert!(
        report.summary.requests > 1_000,
        "{:?}",
        report.summary.requests
    );
}

/// The same budget leaves every ordinary run alone: the SimFaaS baseline runs to its end.
#[test]
fn the_browser_budget_leaves_an_ordinary_run_alone() {
    let text = include_str!("../scenarios/simfaas-baseline.toml");
    let s = engine::Scenario::from_toml(text).expect("valid");
    let mut sim = engine::Simulation::new(&s)
        .expect("starts")
        .with_budget(engine::Budget::browser());
    sim.run_until(sim.end_us()).expect("within the budget");
    let bounded = sim.finish().expect("a report");
    let free = engine::run(&s).expect("runs");
    assert_eq!(bounded.summary, free.summary);
}

/// `record.*` are validated like every other field.
#[test]
fn record_bounds_are_validated() {
    let e = engine::Scenario::from_toml(
        "duration_s = 10\nrecord = { events = 4000000000 }\n[[functions]]\nname = \"f\"\n",
    )
    .expect_err("too many events kept");
    let m = e.to_string();
    assert!(
        m.contains("record.events") && m.contains("1,000,000"),
        "{m}"
    );
}
