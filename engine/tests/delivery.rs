//! One test per mechanic of asynchronous invocation, SQS event sources, failures, client
//! timeouts, downstream limits and idempotency, each pinning the documented behaviour it cites
//! from `docs/lambda-facts.md` (section and line).
//!
//! The scenarios are small and deterministic (constant handler times, `runtime = "custom"` with
//! no Init unless a test needs one), so the numbers they pin are exact.

use engine::report::{
    DeadLetter, DestinationService, DlqService, EventKind, EventRecord, FailReason, Outcome,
    QueueKind, SendTarget,
};
use engine::time::{s_to_us, US_PER_S};
use engine::{Report, Scenario, SimError};

mod support;
use support::{run_logged, scenario};

/// The events of `request`, in order.
fn of(r: &Report, request: u64) -> Vec<EventRecord> {
    r.events
        .iter()
        .filter(|e| match e.kind {
            EventKind::Arrival { request: q, .. }
            | EventKind::ColdStart { request: q, .. }
            | EventKind::WarmStart { request: q, .. }
            | EventKind::Complete { request: q, .. }
            | EventKind::Throttled { request: q, .. }
            | EventKind::Queued { request: q, .. }
            | EventKind::AsyncRetry { request: q, .. }
            | EventKind::AsyncRequeued { request: q, .. }
            | EventKind::AsyncSystemError { request: q, .. }
            | EventKind::SendDenied { request: q, .. }
            | EventKind::BatchReceived { request: q, .. }
            | EventKind::VisibleAgain { request: q, .. }
            | EventKind::Duplicate { request: q }
            | EventKind::DeadLettered { request: q, .. }
            | EventKind::Dropped { request: q, .. }
            | EventKind::ClientTimeout { request: q, .. } => q == request,
            _ => false,
        })
        .copied()
        .collect()
}

/// When each invocation of `request` started (cold or warm) and ended, in µs.
fn starts_and_ends(r: &Report, request: u64) -> (Vec<u64>, Vec<u64>) {
    let evs = of(r, request);
    let starts = evs
        .iter()
        .filter(|e| {
            matches!(
                e.kind,
                EventKind::ColdStart { .. } | EventKind::WarmStart { .. }
            )
        })
        .map(|e| e.t_us)
        .collect();
    let ends = evs
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Complete { .. }))
        .map(|e| e.t_us)
        .collect();
    (starts, ends)
}

/// A function that always fails after 100 ms, invoked asynchronously once at t = 10 s.
fn failing_async(extra: &str) -> String {
    format!(
        r#"
duration_s = 1000
[[functions]]
name = "worker"
runtime = "custom"
invocation = "async"
error_rate = 1.0
handler.io_ms = 100
workload = {{ kind = "replay", arrivals_s = [10] }}
{extra}
"#
    )
}

// -------------------------------------------------------------------------------------------
// Asynchronous invocation (docs/lambda-facts.md section 6).

/// docs/lambda-facts.md section 6, line 61: "On a function error: 0-2 retries (default 2), about 1
/// minute before the first retry and 2 minutes before the second." The engine models exactly
/// 60 s and 120 s, counted from the end of the failed attempt.
#[test]
fn async_errors_are_retried_twice_after_60_s_then_120_s() {
    let r = run_logged(&failing_async(""));
    let (starts, ends) = starts_and_ends(&r, 1);
    assert_eq!(
        starts.len(),
        3,
        "the attempt and 2 retries: {:?}",
        of(&r, 1)
    );
    assert_eq!(starts[0], 10 * US_PER_S);
    assert_eq!(ends[0], starts[0] + 100_000);
    assert_eq!(
        starts[1],
        ends[0] + 60 * US_PER_S,
        "first retry 60 s after the failure"
    );
    assert_eq!(
        starts[2],
        ends[1] + 120 * US_PER_S,
        "second retry 120 s after the next failure"
    );
    let m = &r.summary;
    assert_eq!((m.requests, m.invocations, m.errors), (1, 3, 3));
    assert_eq!(m.async_retries, 2);
    assert_eq!(m.async_events_dropped, 1, "AsyncEventsDropped");
    // No DLQ or on-failure destination: the event is dropped after its last attempt.
    assert_eq!((r.ledger.dropped, r.ledger.dead_lettered), (1, 0));
    let last = of(&r, 1).last().copied().map(|e| e.kind);
    assert_eq!(
        last,
        Some(EventKind::Dropped {
            request: 1,
            queue: QueueKind::Async,
            reason: FailReason::RetriesExhausted,
            count: 3,
            undeliverable: false,
        })
    );
    let sentences: Vec<String> = of(&r, 1).iter().map(|e| r.describe(e)).collect();
    assert!(
        sentences.contains(&"event for request 1 retried by Lambda in 1.0 min (attempt 2)".into()),
        "{sentences:?}"
    );
    assert!(
        sentences.contains(&"event for request 1 retried by Lambda in 2.0 min (attempt 3)".into())
    );

    // retry_attempts = 0 and 1: one and two invocations.
    for (attempts, invocations) in [(0, 1), (1, 2)] {
        let r = run_logged(&failing_async(&format!(
            "async = {{ retry_attempts = {attempts} }}"
        )));
        assert_eq!(
            r.summary.invocations, invocations,
            "retry_attempts = {attempts}"
        );
        assert_eq!(r.summary.async_retries, attempts);
        assert_eq!(r.ledger.dropped, 1);
    }
}

/// docs/lambda-facts.md section 6, line 64: "After the last failure: a dead-letter queue (SQS or SNS)
/// or an on-failure destination; otherwise the event is dropped. On-success destinations exist
/// too."
#[test]
fn finally_failed_events_go_to_the_dlq_or_on_failure_destination() {
    let text = |async_table: &str| {
        format!(
            r#"
duration_s = 1200
[[functions]]
name = "worker"
runtime = "custom"
invocation = "async"
error_rate = 0.5
handler.io_ms = 50
async = {{ {async_table} }}
workload = {{ kind = "constant", rate_per_s = 2 }}
"#
        )
    };
    let dlq = run_logged(&text(r#"dlq = "sqs""#));
    let l = &dlq.ledger;
    let m = &dlq.summary;
    assert_eq!(l.dropped, 0, "with a DLQ nothing is dropped");
    assert!(l.dead_lettered > 0);
    assert_eq!(m.dlq_depth, l.dead_lettered);
    assert_eq!(
        m.async_events_dropped, l.dead_lettered,
        "AsyncEventsDropped counts DLQ'd events too"
    );
    assert_eq!(m.destination_failure, 0);
    // A request fails finally only after its three attempts: about 1 in 8 of them.
    let share = l.dead_lettered as f64 / l.requests as f64;
    assert!((0.09..0.16).contains(&share), "{share}");
    let last_dlq = dlq.events.iter().find_map(|e| match e.kind {
        EventKind::DeadLettered { to, count, .. } => Some((to, count)),
        _ => None,
    });
    assert_eq!(last_dlq, Some((DeadLetter::Dlq, 3)));

    let dest = run_logged(&text(r#"on_failure = "eventbridge", on_success = "sqs""#));
    assert_eq!(
        dest.ledger.dead_lettered, dlq.ledger.dead_lettered,
        "same draws, same failures"
    );
    assert_eq!(dest.summary.destination_failure, dest.ledger.dead_lettered);
    assert_eq!(dest.summary.destination_success, dest.ledger.succeeded);

    let none = run_logged(&text(""));
    assert_eq!(none.ledger.dead_lettered, 0);
    assert_eq!(
        none.ledger.dropped, dlq.ledger.dead_lettered,
        "without a DLQ they are dropped"
    );
    assert_eq!(none.summary.async_events_dropped, none.ledger.dropped);
}

/// docs/lambda-facts.md section 6, lines 62-63: throttled events return to the queue "with
/// exponential backoff from 1 s up to 5 min", and "Maximum event age: 60 s to 6 h": an event
/// older than the maximum age is not invoked again.
#[test]
fn throttled_events_back_off_and_expire_at_their_maximum_age() {
    // One environment (reserved concurrency 1), held for 800 s by the first event.
    let text = |age_s: u32, dlq: &str| {
        format!(
            r#"
duration_s = 1000
[[functions]]
name = "worker"
runtime = "custom"
invocation = "async"
timeout_s = 900
reserved_concurrency = 1
handler.io_ms = 800000
async = {{ max_event_age_s = {age_s} {dlq} }}
workload = {{ kind = "replay", arrivals_s = [0, 1] }}
"#
        )
    };
    let r = run_logged(&text(60, ""));
    let delays: Vec<u64> = of(&r, 2)
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::AsyncRequeued { delay_us, .. } => Some(delay_us / US_PER_S),
            _ => None,
        })
        .collect();
    // Backoffs of 1, 2, 4, 8, 16 s, each waited between half and all of it (jitter), until
    // the age limit at 1 + 60 s cuts the last one short.
    assert!(delays.len() >= 5, "{delays:?}");
    for (i, d) in delays.iter().enumerate().take(delays.len() - 1) {
        let full = 1u64 << i;
        assert!(
            (full / 2..=full).contains(d),
            "delay {i}: {d} s of {full} s, {delays:?}"
        );
    }
    let end = of(&r, 2).last().copied();
    assert_eq!(end.map(|e| e.t_us), Some(61 * US_PER_S));
    assert_eq!(
        end.map(|e| e.kind),
        Some(EventKind::Dropped {
            request: 2,
            queue: QueueKind::Async,
            reason: FailReason::MaxEventAge,
            count: 0,
            undeliverable: false,
        })
    );
    assert_eq!(
        r.describe(&end.expect("an end")),
        "event for request 2 dropped for being older than the maximum event age"
    );
    assert_eq!(r.summary.async_requeues, delays.len() as u64);
    assert_eq!(r.summary.throttled, delays.len() as u64);
    let last_try = of(&r, 2)
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Throttled { .. }))
        .map(|e| e.t_us)
        .next_back()
        .expect("throttled");
    assert_eq!(
        r.summary.async_event_age_ms_max,
        (last_try - US_PER_S) as f64 / 1_000.0,
        "AsyncEventAge: its age when last tried"
    );
    assert_eq!((r.ledger.dropped, r.ledger.succeeded), (1, 1));

    // With a DLQ the expired event is captured instead.
    let r = run_logged(&text(60, r#", dlq = "sns""#));
    assert_eq!((r.ledger.dropped, r.ledger.dead_lettered), (0, 1));

    // With the default 6 h the backoff grows to 5 min and stays there.
    let r = run_logged(&text(21_600, ""));
    let delays: Vec<u64> = of(&r, 2)
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::AsyncRequeued { delay_us, .. } => Some(delay_us / US_PER_S),
            _ => None,
        })
        .collect();
    // Backoffs of 1, 2, 4 ... 256 s, then 5 min for good, each waited between half and all
    // of it (jitter).
    assert!(delays.len() >= 10, "{delays:?}");
    for (i, &d) in delays.iter().enumerate() {
        let full = (1u64 << i.min(10)).min(300);
        assert!(
            (full / 2..=full).contains(&d),
            "delay {i}: {d} s of {full} s, {delays:?}"
        );
    }
    // It starts on its first try after the first event freed the environment at 800 s, and
    // its age then is AsyncEventAge's largest value.
    let (starts, _) = starts_and_ends(&r, 2);
    assert_eq!(starts.len(), 1);
    assert!(
        starts[0] > 800 * US_PER_S && starts[0] < 1_100 * US_PER_S,
        "{starts:?}"
    );
    assert_eq!(
        r.summary.async_event_age_ms_max,
        (starts[0] - US_PER_S) as f64 / 1_000.0
    );
}

/// docs/lambda-facts.md section 6, line 62: "On throttles and system errors the event returns to
/// the queue and is retried with exponential backoff from 1 s up to 5 min". A system error is
/// Lambda's own failure before the function runs: it uses none of the retry attempts, is not
/// an invocation or a function error, and backs off exactly as a throttle does.
#[test]
fn system_errors_return_the_event_to_the_queue_with_backoff() {
    let text = |rate: f64| {
        format!(
            r#"
duration_s = 2000
[[functions]]
name = "worker"
runtime = "custom"
invocation = "async"
handler.io_ms = 100
async = {{ system_error_rate = {rate}, retry_attempts = 0 }}
workload = {{ kind = "constant", rate_per_s = 1 }}
"#
        )
    };
    let clean = run_logged(&text(0.0));
    let r = run_logged(&text(0.3));
    let m = &r.summary;
    // About 30% of attempts fail: attempts = successes + system errors.
    let share = m.async_system_errors as f64 / (m.async_system_errors + m.invocations) as f64;
    assert!((0.26..0.34).contains(&share), "{share}");
    assert_eq!(m.errors, 0, "a system error is not a function error");
    assert_eq!(m.async_retries, 0);
    assert_eq!(m.async_requeues, 0, "no throttles");
    // Every event still succeeds, each invoked once: the retry attempts (0 here) are untouched.
    let l = &r.ledger;
    assert_eq!(l.requests, clean.ledger.requests);
    assert_eq!(l.succeeded + l.in_flight, l.requests, "{l:?}");
    assert!(l.in_flight <= 2, "only the last events still wait: {l:?}");
    assert!(m.invocations <= l.requests, "never invoked twice");
    assert!(m.async_event_age_ms_max >= 1_000.0);
    // An unlucky event's delays double: 1 s, 2 s, 4 s...
    let worst = (1..=r.ledger.requests)
        .map(|q| {
            of(&r, q)
                .iter()
                .filter_map(|e| match e.kind {
                    EventKind::AsyncSystemError { delay_us, .. } => Some(delay_us / US_PER_S),
                    _ => None,
                })
                .collect::<Vec<_>>()
        })
        .max_by_key(Vec::len)
        .unwrap_or_default();
    assert!(worst.len() >= 3, "{worst:?}");
    // Waited between half and all of each doubling backoff (jitter).
    for (i, d) in worst.iter().take(3).enumerate() {
        let full = 1u64 << i;
        assert!((full / 2..=full).contains(d), "{worst:?}");
    }
    let first = r
        .events
        .iter()
        .find(|e| matches!(e.kind, EventKind::AsyncSystemError { .. }))
        .copied()
        .expect("a system error");
    assert!(
        r.describe(&first)
            .contains("(a system error): back into the queue, retried in "),
        "{}",
        r.describe(&first)
    );
}

/// docs/lambda-facts.md section 11, line 84: the metrics DeadLetterErrors and
/// DestinationDeliveryFailures. Lambda sends to a DLQ or destination with the function's
/// execution role, which needs `sqs:SendMessage` for a queue and `sns:Publish` for a topic
/// (docs: invocation-async-retain-records.html; AWS SAM's DeadLetterQueue page): a role without
/// `sqs:SendMessage` on the DLQ loses every event that finally fails, and says so only in
/// these metrics.
#[test]
fn a_role_that_cannot_send_to_the_dlq_loses_the_events() {
    let text = |actions: &str| {
        format!(
            r#"
duration_s = 1200
[[functions]]
name = "worker"
runtime = "custom"
invocation = "async"
error_rate = 0.5
handler.io_ms = 50
async = {{ dlq = "sqs", on_success = "eventbridge" }}
workload = {{ kind = "constant", rate_per_s = 2 }}
iam.policy.statements = [{{ effect = "Allow", action = [{actions}], resource = ["*"] }}]
"#
        )
    };
    let ok = run_logged(&text(r#""sqs:SendMessage", "events:PutEvents""#));
    assert_eq!(ok.summary.dead_letter_errors, 0);
    assert_eq!(ok.summary.destination_delivery_failures, 0);
    assert!(ok.ledger.dead_lettered > 0);
    assert_eq!(ok.ledger.dropped, 0);

    let denied = run_logged(&text(r#""dynamodb:PutItem""#));
    let (m, l) = (&denied.summary, &denied.ledger);
    assert_eq!(l.dead_lettered, 0, "nothing reaches the DLQ");
    assert_eq!(
        l.dropped, ok.ledger.dead_lettered,
        "same draws: the same events, lost"
    );
    assert_eq!(m.dead_letter_errors, l.dropped);
    assert_eq!(
        m.destination_delivery_failures, l.succeeded,
        "every on-success record too"
    );
    assert_eq!(m.destination_success, 0);
    // The time series counts them as they happen: rising, to the run's total.
    let rows = &denied.series.rows;
    assert!(rows
        .windows(2)
        .all(|w| w[0].dead_letter_errors <= w[1].dead_letter_errors));
    assert_eq!(
        rows.last().map(|b| b.dead_letter_errors),
        Some(m.dead_letter_errors)
    );
    assert!(rows
        .first()
        .is_some_and(|b| b.dead_letter_errors < m.dead_letter_errors));
    let lost = denied
        .events
        .iter()
        .find(|e| matches!(e.kind, EventKind::SendDenied { .. }))
        .copied()
        .expect("a denied send");
    let request = match lost.kind {
        EventKind::SendDenied { request, to } => {
            assert!(matches!(
                to,
                SendTarget::Dlq(DlqService::Sqs)
                    | SendTarget::OnSuccess(DestinationService::Eventbridge)
            ));
            request
        }
        _ => unreachable!(),
    };
    let dlq_denied = of(&denied, request)
        .iter()
        .chain(denied.events.iter())
        .find(|e| {
            matches!(
                e.kind,
                EventKind::SendDenied {
                    to: SendTarget::Dlq(_),
                    ..
                }
            )
        })
        .copied()
        .expect("a denied DLQ send");
    assert!(denied.describe(&dlq_denied).ends_with(
        "not sent to the DLQ: the role does not allow sqs:SendMessage (DeadLetterErrors)"
    ));
    let dropped = denied
        .events
        .iter()
        .find(|e| matches!(e.kind, EventKind::Dropped { .. }))
        .copied()
        .expect("a drop");
    assert!(
        denied
            .describe(&dropped)
            .contains("refused it: the event is lost"),
        "{}",
        denied.describe(&dropped)
    );

    // A role scoped to the DLQ's own ARN is enough; one for another queue is not.
    let scoped = |arn: &str| {
        text(r#""events:PutEvents""#).replace(
            "iam.policy.statements = [",
            &format!(
                "iam.policy.statements = [{{ effect = \"Allow\", action = \"sqs:SendMessage\", resource = \"{arn}\" }}, "
            ),
        )
    };
    let r = run_logged(&scoped("arn:aws:sqs:us-east-1:123456789012:worker-dlq"));
    assert_eq!((r.summary.dead_letter_errors, r.ledger.dropped), (0, 0));
    let r = run_logged(&scoped("arn:aws:sqs:us-east-1:123456789012:orders-dlq"));
    assert_eq!(r.summary.dead_letter_errors, r.ledger.dropped);
    assert!(r.ledger.dropped > 0);

    // With an on-failure destination the role may send to, the events are kept there.
    let both = run_logged(&text(r#""events:PutEvents""#).replace(
        r#"dlq = "sqs", "#,
        r#"dlq = "sqs", on_failure = "eventbridge", "#,
    ));
    assert_eq!(both.ledger.dropped, 0);
    assert_eq!(both.ledger.dead_lettered, ok.ledger.dead_lettered);
    assert_eq!(both.summary.dead_letter_errors, both.ledger.dead_lettered);
}

/// docs/lambda-facts.md section 6, line 63: "Delivery is at least once: duplicates happen." A
/// duplicate is a second delivery of the same request id: counted, never a new request; the
/// idempotency store makes its side effect apply once.
#[test]
fn duplicate_deliveries_are_counted_and_idempotency_applies_once() {
    let text = |extra: &str| {
        format!(
            r#"
duration_s = 100
[[functions]]
name = "worker"
runtime = "custom"
invocation = "async"
handler.io_ms = 200
async = {{ duplicate_rate = 1.0 }}
{extra}
workload = {{ kind = "constant", rate_per_s = 10 }}
"#
        )
    };
    let r = run_logged(&text(""));
    let (m, l) = (&r.summary, &r.ledger);
    // Arrivals at 0.1 s, 0.2 s, ..., 99.9 s; the last two are still running at the end.
    assert_eq!(l.requests, 999);
    assert_eq!(m.requests, 999, "duplicates are not new requests");
    assert_eq!(m.invocations, 2 * 999);
    assert_eq!(m.duplicates, 999, "every request delivered twice");
    assert_eq!((l.succeeded, l.in_flight), (997, 2));
    assert_eq!(m.side_effects_total, Some(2 * 997));
    assert_eq!(m.side_effects_max_per_id, Some(2));

    let r = run_logged(&text("idempotency = { ttl_s = 3600 }"));
    let m = &r.summary;
    assert_eq!(m.duplicates, 999);
    assert_eq!(m.side_effects_total, Some(997), "exactly once per id");
    assert_eq!(m.side_effects_max_per_id, Some(1));
    assert_eq!(m.idempotent_skips, 997);
}

// -------------------------------------------------------------------------------------------
// SQS event sources (docs/lambda-facts.md section 7).

/// docs/lambda-facts.md section 7, line 68: "Visibility timeout at least 6 x the function timeout."
/// A batch whose processing outlives the visibility timeout (here an 8 s cold start against
/// 6 s) becomes visible again and is processed twice.
#[test]
fn a_batch_outliving_its_visibility_timeout_is_processed_twice() {
    let text = |extra: &str| {
        format!(
            r#"
duration_s = 60
[[functions]]
name = "consumer"
runtime = "custom"
invocation = "sqs"
timeout_s = 1
init_ms = 8000
handler.io_ms = 100
sqs = {{ visibility_timeout_s = 6 }}
{extra}
workload = {{ kind = "replay", arrivals_s = [0] }}
"#
        )
    };
    let r = run_logged(&text(""));
    let (starts, ends) = starts_and_ends(&r, 1);
    assert_eq!(
        starts,
        vec![0, 6 * US_PER_S],
        "received again when its timeout ends"
    );
    assert_eq!(ends, vec![8_100_000, 14_100_000]);
    let again = of(&r, 1)
        .into_iter()
        .find(|e| matches!(e.kind, EventKind::VisibleAgain { .. }));
    assert_eq!(again.map(|e| e.t_us), Some(6 * US_PER_S));
    assert_eq!(
        r.describe(&again.expect("visible again")),
        "visibility timeout over: 1 message of the batch from message 1 visible again, though still being processed"
    );
    let m = &r.summary;
    assert_eq!((m.batches, m.messages_redelivered, m.duplicates), (2, 1, 1));
    assert_eq!(m.side_effects_total, Some(2));
    assert_eq!(
        m.side_effects_max_per_id,
        Some(2),
        "the effect applied twice"
    );
    assert_eq!((r.ledger.requests, r.ledger.succeeded), (1, 1));

    let r = run_logged(&text("idempotency = { enabled = true }"));
    assert_eq!(r.summary.side_effects_max_per_id, Some(1));
    assert_eq!(r.summary.idempotent_skips, 1);
    // A key remembered for less than the 6 s between the two ends does not protect.
    let r = run_logged(&text("idempotency = { ttl_s = 5 }"));
    assert_eq!(r.summary.side_effects_max_per_id, Some(2));

    // And a visibility timeout under the function timeout is refused (AWS's
    // InvalidParameterValueException); under 6 x it is only a warning.
    let e = Scenario::from_toml(
        &text("").replace("visibility_timeout_s = 6", "visibility_timeout_s = 0.5"),
    )
    .expect_err("AWS's rule");
    assert_eq!(
        e.to_string(),
        "functions[0].sqs.visibility_timeout_s: must be at least the function timeout (1 s), as AWS requires, got 0.5 s"
    );
}

/// docs/lambda-facts.md section 7, line 68: "maxReceiveCount with a redrive policy sends a message to
/// the DLQ." A message that always fails is received `max_receive_count` times, one
/// visibility timeout apart, and moved to the DLQ when it becomes visible after the last.
#[test]
fn max_receive_count_redrives_a_failing_message_to_the_dlq() {
    let text = |redrive: &str| {
        format!(
            r#"
duration_s = 200
[[functions]]
name = "consumer"
runtime = "custom"
invocation = "sqs"
error_rate = 1.0
handler.io_ms = 100
sqs = {{ visibility_timeout_s = 30 {redrive} }}
workload = {{ kind = "replay", arrivals_s = [0] }}
"#
        )
    };
    let r = run_logged(&text(", max_receive_count = 3"));
    let (starts, _) = starts_and_ends(&r, 1);
    assert_eq!(starts, vec![0, 30 * US_PER_S, 60 * US_PER_S]);
    let dlq = of(&r, 1).last().copied().expect("events");
    assert_eq!(dlq.t_us, 90 * US_PER_S);
    assert_eq!(
        r.describe(&dlq),
        "message 1 sent to the DLQ after 3 receives"
    );
    assert_eq!((r.ledger.dead_lettered, r.summary.dlq_depth), (1, 1));
    assert_eq!((r.summary.batches, r.summary.messages_redelivered), (3, 2));
    assert_eq!(r.series.rows.last().map(|b| b.dlq_depth), Some(1));
    assert_eq!(
        r.summary.queue_age_ms_max, 90_000.0,
        "the oldest message's age when it left"
    );

    // Without a redrive policy it is retried until the run ends.
    let r = run_logged(&text(""));
    assert_eq!(r.summary.batches, 7, "received at 0, 30, ..., 180 s");
    assert_eq!((r.ledger.dead_lettered, r.ledger.in_flight), (0, 1));
    assert_eq!(
        r.summary.queue_age_ms_max, 200_000.0,
        "still in the queue at the end"
    );
}

/// docs/lambda-facts.md section 7, line 68: "ReportBatchItemFailures enables partial batch responses;
/// without it one failure returns the whole batch." Ten messages in one batch; the downstream's
/// rate limit (9 calls a second) rejects exactly the tenth call of each receive.
#[test]
fn partial_batch_responses_return_only_the_failed_message() {
    let text = |report: bool| {
        format!(
            r#"
duration_s = 120
[[functions]]
name = "consumer"
runtime = "custom"
invocation = "sqs"
handler.io_ms = 10
sqs = {{ batching_window_s = 1, visibility_timeout_s = 30, max_receive_count = 2, report_batch_item_failures = {report} }}
downstream = {{ rate_limit_per_s = 9, on_limit = "reject" }}
workload = {{ kind = "replay", arrivals_s = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0] }}
"#
        )
    };
    // Off: the batch fails as a whole, twice, and all ten messages go to the DLQ; the nine that
    // were processed applied their effect twice.
    let r = run_logged(&text(false));
    let (m, l) = (&r.summary, &r.ledger);
    assert_eq!((m.batches, m.errors, m.batch_item_failures), (2, 2, 2));
    assert_eq!(m.downstream_rejections, 2);
    assert_eq!((l.succeeded, l.dead_lettered), (0, 10));
    assert_eq!(m.duplicates, 9);
    assert_eq!(m.side_effects_total, Some(18));
    assert_eq!(m.side_effects_max_per_id, Some(2));
    // On: nine are deleted, the tenth returns alone after 30 s and succeeds.
    let r = run_logged(&text(true));
    let (m, l) = (&r.summary, &r.ledger);
    assert_eq!((m.batches, m.errors, m.batch_item_failures), (2, 0, 1));
    assert_eq!((l.succeeded, l.dead_lettered), (10, 0));
    assert_eq!(m.duplicates, 0);
    assert_eq!(m.side_effects_total, Some(10));
    assert_eq!(m.side_effects_max_per_id, Some(1));
    let batches: Vec<(u64, u32)> = r
        .events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::BatchReceived { messages, .. } => Some((e.t_us, messages)),
            _ => None,
        })
        .collect();
    // The ten arrive together and fill a batch at once; the failed one is visible again at
    // 30 s and, alone, waits out the 1 s batching window.
    assert_eq!(batches, vec![(0, 10), (31 * US_PER_S, 1)]);
}

/// docs/lambda-facts.md section 7, line 68: "Scaling: 5 concurrent invokes at first, up to 300 more
/// per minute, at most 1,250 ... MaximumConcurrency 2-1,000." With a deep backlog the pollers
/// add 5 concurrent batches a second.
#[test]
fn sqs_pollers_scale_by_300_a_minute_up_to_1250() {
    let text = |max: &str| {
        format!(
            r#"
duration_s = 400
bucket_s = 1
account = {{ concurrency_limit = 3000 }}
[[functions]]
name = "consumer"
runtime = "custom"
invocation = "sqs"
timeout_s = 15
handler.io_ms = 10000
sqs = {{ batch_size = 1, visibility_timeout_s = 90 {max} }}
workload = {{ kind = "constant", rate_per_s = 500 }}
"#
        )
    };
    let r = run_logged(&text(""));
    let conc: Vec<u64> = r.series.rows.iter().map(|b| b.concurrency_max).collect();
    assert_eq!(conc[0], 5, "5 concurrent batches at first");
    assert_eq!(conc[60], 305, "300 more after a minute");
    for (t, &c) in conc.iter().enumerate() {
        assert!(c <= 5 + 5 * t as u64, "{c} batches at {t} s");
    }
    assert_eq!(r.summary.concurrency_max, 1250, "at most 1,250");
    assert!(r.summary.queue_depth_max > 10_000, "a backlog builds");
    assert_eq!(r.summary.throttled, 0);

    let r = run_logged(&text(", maximum_concurrency = 100"));
    assert_eq!(r.summary.concurrency_max, 100);
}

// -------------------------------------------------------------------------------------------
// Failures, synchronous callers and the downstream.

/// Handler errors during a window (an outage): every invocation starting in [60 s, 120 s) fails,
/// none outside it.
#[test]
fn errors_during_a_window_fail_only_there() {
    let r = run_logged(
        r#"
duration_s = 180
bucket_s = 10
[[functions]]
name = "api"
runtime = "custom"
handler.io_ms = 50
errors_during = [{ start_s = 60, end_s = 120, rate = 1.0 }]
workload = { kind = "constant", rate_per_s = 10 }
"#,
    );
    let errors: Vec<u64> = r.series.rows.iter().map(|b| b.errors).collect();
    assert_eq!(
        errors,
        vec![0, 0, 0, 0, 0, 0, 100, 100, 100, 100, 100, 100, 0, 0, 0, 0, 0, 0]
    );
    assert_eq!(r.ledger.failed, 600);
}

/// docs/lambda-facts.md section 1, line 8 ("A crash or a timeout resets it") and section 4, line 49
/// ("Duration billed in 1 ms units"): an invocation that times out is billed to the timeout.
#[test]
fn a_timeout_is_billed_to_the_timeout() {
    let r = run_logged(
        r#"
duration_s = 100
cost = { bill_init = false }
[[functions]]
name = "api"
runtime = "custom"
memory_mb = 1024
timeout_s = 1
handler.io_ms = 5000
workload = { kind = "constant", rate_per_s = 1 }
"#,
    );
    let m = &r.summary;
    // Arrivals at 1, 2, ..., 99 s; the last is still running at the end.
    assert_eq!((m.completed, m.timeouts, r.ledger.in_flight), (98, 98, 1));
    assert!(r.events.iter().any(|e| matches!(
        e.kind,
        EventKind::Complete {
            duration_us: 1_000_000,
            outcome: Outcome::Timeout,
            ..
        }
    )));
    assert!(
        (m.billed_gb_s - 98.0).abs() < 1e-9,
        "98 x 1 s x 1 GB: {}",
        m.billed_gb_s
    );
}

/// docs/lambda-facts.md section 8, line 72: "Lambda does not retry synchronous calls: the client or
/// SDK does." A caller that gives up after 1 s on a 3 s function and retries twice runs each
/// request three times: all billed, all applying their side effect, the caller seeing a failure.
#[test]
fn client_timeouts_retry_while_the_function_keeps_running() {
    let text = |extra: &str| {
        format!(
            r#"
duration_s = 100
cost = {{ bill_init = false }}
[[functions]]
name = "api"
runtime = "custom"
memory_mb = 1024
timeout_s = 10
handler.io_ms = 3000
client = {{ retries = 2, backoff_base_ms = 0, jitter = false, timeout_ms = 1000 }}
{extra}
workload = {{ kind = "replay", arrivals_s = [0, 10, 20] }}
"#
        )
    };
    let r = run_logged(&text(""));
    let (m, l) = (&r.summary, &r.ledger);
    assert_eq!((m.requests, m.invocations, m.client_timeouts), (3, 9, 9));
    assert_eq!(m.retries, 6);
    assert_eq!(l.failed, 3, "every caller gave up");
    assert_eq!(m.completed, 9, "the abandoned invocations ran to the end");
    assert!(
        (m.billed_gb_s - 27.0).abs() < 1e-9,
        "9 x 3 s x 1 GB: {}",
        m.billed_gb_s
    );
    assert_eq!(m.concurrency_max, 3, "a retry storm: three copies at once");
    assert_eq!(m.duplicates, 6);
    assert_eq!(m.side_effects_total, Some(9));
    assert_eq!(m.side_effects_max_per_id, Some(3));
    let (starts, _) = starts_and_ends(&r, 1);
    assert_eq!(starts, vec![0, US_PER_S, 2 * US_PER_S]);
    assert_eq!(
        r.describe(&of(&r, 1)[2]),
        "caller of request 1 gives up after 1.00 s (attempt 1); the invocation keeps running"
    );

    let r = run_logged(&text("idempotency = { ttl_s = 3600 }"));
    assert_eq!(r.summary.side_effects_total, Some(3));
    assert_eq!(r.summary.side_effects_max_per_id, Some(1));
}

/// A downstream with 50 connections behind a function that needs about 100 at once: calls are
/// rejected; reserved concurrency of 50 (docs/lambda-facts.md section 5, line 55: "both a guarantee
/// and a cap") or an SQS queue with maximum concurrency 50 protects it.
#[test]
fn downstream_rejections_fall_with_reserved_concurrency_or_a_queue() {
    let text = |extra: &str| {
        format!(
            r#"
duration_s = 120
[[functions]]
name = "api"
runtime = "custom"
handler.io_ms = 500
downstream = {{ connections_max = 50 }}
{extra}
workload = {{ kind = "poisson", rate_per_s = 200 }}
"#
        )
    };
    let open = run_logged(&text(""));
    let share = open.summary.downstream_rejections as f64 / open.summary.invocations as f64;
    assert!(
        share > 0.3,
        "about half the calls find no connection: {share}"
    );
    assert_eq!(open.summary.downstream_rejections, open.summary.errors);

    let capped = run_logged(&text("reserved_concurrency = 50"));
    assert_eq!(capped.summary.downstream_rejections, 0);
    assert!(capped.summary.concurrency_max <= 50);
    assert!(
        capped.summary.throttled > 0,
        "the excess is throttled instead"
    );

    let queued = run_logged(&text(
        r#"invocation = "sqs"
sqs = { batch_size = 1, maximum_concurrency = 50 }"#,
    ));
    let (m, l) = (&queued.summary, &queued.ledger);
    assert_eq!(m.downstream_rejections, 0);
    assert_eq!(m.throttled, 0);
    assert_eq!(
        l.succeeded + l.in_flight,
        l.requests,
        "nothing lost, the rest waits"
    );
    assert!(m.queue_depth_max > 1000, "the queue absorbs the excess");

    // Slowing instead of rejecting: every call beyond the limit takes 1 s longer.
    let slow = run_logged(
        &text(r#"downstream = { connections_max = 50, on_limit = "slow" }"#)
            .replace("downstream = { connections_max = 50 }\n", ""),
    );
    assert_eq!(slow.summary.downstream_rejections, 0);
    assert!(slow.summary.downstream_slowed > 0);
    assert_eq!(slow.summary.errors, 0);
}

// -------------------------------------------------------------------------------------------
// Refusals and bounds.

/// Configurations AWS refuses are refused, naming the field and the rule.
#[test]
fn configurations_aws_refuses_are_refused() {
    let refuse = |fields: &str| -> String {
        let text = format!(
            "duration_s = 60\n[[functions]]\nname = \"f\"\nruntime = \"custom\"\n{fields}\nworkload = {{ kind = \"constant\", rate_per_s = 1 }}\n"
        );
        match Scenario::from_toml(&text) {
            Ok(_) => panic!("accepted: {fields}"),
            Err(e) => e.to_string(),
        }
    };
    let cases = [
        ("async = { retry_attempts = 3 }", "functions[0].async.retry_attempts: Lambda retries an asynchronous event 0 to 2 times, got 3"),
        ("async = { max_event_age_s = 59 }", "functions[0].async.max_event_age_s: the maximum event age is 60 to 21,600 s (6 h), got 59"),
        ("async = { max_event_age_s = 21601 }", "functions[0].async.max_event_age_s"),
        ("async = { duplicate_rate = 1.5 }", "functions[0].async.duplicate_rate"),
        ("async = { system_error_rate = -0.1 }", "functions[0].async.system_error_rate"),
        ("async = { system_error_rate = 1.5 }", "functions[0].async.system_error_rate"),
        ("async = { system_error_rate = nan }", "functions[0].async.system_error_rate: expected a finite number, got NaN"),
        ("sqs = { batch_size = 0 }", "functions[0].sqs.batch_size: an SQS batch holds 1 to 10,000 messages, got 0"),
        ("sqs = { batch_size = 10001, batching_window_s = 1 }", "functions[0].sqs.batch_size"),
        ("sqs = { batch_size = 100 }", "functions[0].sqs.batching_window_s: a batch size above 10 (100) needs a batching window of at least 1 s, got 0"),
        ("sqs = { batching_window_s = 301 }", "functions[0].sqs.batching_window_s"),
        ("timeout_s = 10\nsqs = { visibility_timeout_s = 5 }", "functions[0].sqs.visibility_timeout_s: must be at least the function timeout (10 s), as AWS requires, got 5 s"),
        ("sqs = { maximum_concurrency = 1 }", "functions[0].sqs.maximum_concurrency: an SQS event source's maximum concurrency is 2 to 1,000, got 1"),
        ("sqs = { maximum_concurrency = 1001 }", "functions[0].sqs.maximum_concurrency"),
        ("sqs = { max_receive_count = 0 }", "functions[0].sqs.max_receive_count"),
        ("sqs = { retention_s = 30 }", "functions[0].sqs.retention_s"),
        ("errors_during = [{ start_s = 10, end_s = 5, rate = 1 }]", "functions[0].errors_during[0].end_s"),
        ("errors_during = [{ start_s = 0, end_s = 5, rate = 2 }]", "functions[0].errors_during[0].rate"),
        ("downstream = { on_limit = \"slow\" }", "functions[0].downstream: expected connections_max, rate_limit_per_s or both"),
        ("downstream = { connections_max = 0 }", "functions[0].downstream.connections_max"),
        ("downstream = { rate_limit_per_s = 0 }", "functions[0].downstream.rate_limit_per_s"),
        ("idempotency = { ttl_s = 0 }", "functions[0].idempotency.ttl_s"),
        ("client = { timeout_ms = 0 }", "functions[0].client.timeout_ms"),
        ("invocation = \"kinesis\"", "unknown variant `kinesis`"),
    ];
    for (fields, expected) in cases {
        let message = refuse(fields);
        assert!(message.contains(expected), "{fields}: {message}");
    }
}

/// AWS's async queue is unbounded; the engine's is not: a queue that outgrows `queue_max` stops
/// the run with an error naming the field.
#[test]
fn a_queue_past_its_bound_is_an_error_naming_the_field() {
    let s = scenario(
        r#"
duration_s = 60
[[functions]]
name = "worker"
runtime = "custom"
invocation = "async"
reserved_concurrency = 1
timeout_s = 60
handler.io_ms = 50000
async = { queue_max = 100 }
workload = { kind = "constant", rate_per_s = 10 }
"#,
    );
    match engine::run(&s) {
        Err(e @ SimError::QueueLimit { .. }) => {
            assert!(
                e.to_string().starts_with(
                    "functions[0].async.queue_max: the queue held more than 100 messages"
                ),
                "{e}"
            );
        }
        other => panic!("expected the queue bound: {other:?}"),
    }
}

/// A scenario using none of these features reads as it always did: its report serialises
/// without the new figures, and every random stream it draws from is the one it drew before
/// (the golden snapshots hold the numbers).
#[test]
fn plain_scenarios_carry_no_queue_figures() {
    let r = run_logged(
        r#"
duration_s = 60
[[functions]]
name = "api"
runtime = "custom"
handler.io_ms = 100
workload = { kind = "poisson", rate_per_s = 20 }
"#,
    );
    let json = serde_json::to_value(&r.summary).expect("serialises");
    for name in engine::Summary::OPTIONAL_FIGURES {
        assert!(json.get(name).is_none(), "{name} is in a plain report");
    }
    assert_eq!(r.summary.figure("side_effects_max_per_id"), Some(1.0));
    assert_eq!(r.summary.side_effects_total, None);
    let _ = s_to_us(1.0);
}
