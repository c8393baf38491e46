//! The bounded log of individual events, and how each reads as a sentence.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::format::is_false;
use crate::time::format_duration_us;

/// One thing that happened, for stepping through a run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EventRecord {
    /// When, in µs.
    pub t_us: u64,
    /// Index of the function.
    pub function: u16,
    /// What happened.
    pub kind: EventKind,
}

/// Why a request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThrottleReason {
    /// The account's unreserved concurrency is in use.
    AccountLimit,
    /// The function's reserved concurrency is in use.
    ReservedLimit,
    /// The function may not add environments any faster (1,000 per 10 s).
    ScalingRate,
    /// The account's synchronous request rate (10 x the concurrency quota per second) is used.
    RequestRate,
}

/// How an invocation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// A successful response.
    Success,
    /// The handler failed.
    Error,
    /// The handler ran past the timeout.
    Timeout,
}

/// Why an environment went away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReapReason {
    /// Idle past its keep-alive.
    IdleExpiry,
    /// Reset after a timeout.
    Timeout,
    /// Recycled after its maximum lifetime.
    Lifetime,
}

/// The kinds of recorded events.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// A request arrived (attempt 0) or was retried (attempt > 0).
    Arrival {
        /// Request id.
        request: u64,
        /// Attempt number, from 0.
        attempt: u32,
    },
    /// A new environment starts Init for a request.
    ColdStart {
        /// Environment number.
        env: u32,
        /// Request id.
        request: u64,
        /// Init duration, in µs.
        init_us: u64,
    },
    /// A warm environment takes a request.
    WarmStart {
        /// Environment number.
        env: u32,
        /// Request id.
        request: u64,
        /// Served by a provisioned environment.
        provisioned: bool,
    },
    /// An invocation ended.
    Complete {
        /// Environment number.
        env: u32,
        /// Request id.
        request: u64,
        /// Duration as the caller saw it (Init included), in µs.
        duration_us: u64,
        /// How it ended.
        outcome: Outcome,
    },
    /// A request was refused with 429.
    Throttled {
        /// Request id.
        request: u64,
        /// Which limit.
        reason: ThrottleReason,
    },
    /// The caller will retry after a backoff.
    RetryScheduled {
        /// Request id.
        request: u64,
        /// The attempt that will be sent.
        attempt: u32,
        /// Backoff, in µs.
        delay_us: u64,
    },
    /// An environment was reaped.
    Reaped {
        /// Environment number.
        env: u32,
        /// Why.
        reason: ReapReason,
    },
    /// A provisioned environment finished its Init and is ready.
    ProvisionedReady {
        /// Environment number.
        env: u32,
    },
    /// A request entered a queue: an event accepted for asynchronous invocation, or a message
    /// sent to an SQS queue.
    Queued {
        /// Request id.
        request: u64,
        /// Which queue.
        queue: QueueKind,
    },
    /// Lambda will retry an asynchronous event after a function error.
    AsyncRetry {
        /// Request id.
        request: u64,
        /// The attempt that will be made, from 0.
        attempt: u32,
        /// Delay, in µs (60 s before the first retry, 120 s before the second).
        delay_us: u64,
    },
    /// A throttled asynchronous event went back to the queue.
    AsyncRequeued {
        /// Request id.
        request: u64,
        /// Backoff before the next attempt, in µs.
        delay_us: u64,
    },
    /// Lambda failed to invoke an asynchronous event (a system error); it went back to the queue.
    AsyncSystemError {
        /// Request id.
        request: u64,
        /// Backoff before the next attempt, in µs.
        delay_us: u64,
    },
    /// An event's record could not be sent to its DLQ or destination: the role denies it.
    SendDenied {
        /// Request id.
        request: u64,
        /// Where it was to go.
        to: SendTarget,
    },
    /// An SQS poller received a batch.
    BatchReceived {
        /// Id of the first message's request.
        request: u64,
        /// Messages in the batch.
        messages: u32,
    },
    /// A batch's visibility timeout ended before its messages were deleted: they can be received again.
    VisibleAgain {
        /// Id of the first message's request.
        request: u64,
        /// Messages visible again.
        messages: u32,
        /// The batch was still being processed.
        still_running: bool,
    },
    /// A request was delivered again while an earlier delivery was running or had succeeded.
    Duplicate {
        /// Request id.
        request: u64,
    },
    /// A request ended in a dead-letter queue or an on-failure destination.
    DeadLettered {
        /// Request id.
        request: u64,
        /// Which queue it came from.
        queue: QueueKind,
        /// Why it failed.
        reason: FailReason,
        /// Invocation attempts (async) or receives (SQS) it had.
        count: u32,
        /// Where its record went.
        to: DeadLetter,
    },
    /// A request was discarded.
    Dropped {
        /// Request id.
        request: u64,
        /// Which queue it came from.
        queue: QueueKind,
        /// Why.
        reason: FailReason,
        /// Invocation attempts (async) or receives (SQS) it had.
        count: u32,
        /// A DLQ or on-failure destination was configured but could not take it.
        #[serde(default, skip_serializing_if = "is_false")]
        undeliverable: bool,
    },
    /// A successful asynchronous event's record went to the on-success destination.
    OnSuccess {
        /// Request id.
        request: u64,
    },
    /// A synchronous caller stopped waiting; the invocation keeps running and is billed.
    ClientTimeout {
        /// Request id.
        request: u64,
        /// The attempt given up on, from 0.
        attempt: u32,
        /// The client timeout, in µs.
        after_us: u64,
    },
    /// A downstream call hit its limit.
    DownstreamLimited {
        /// Request id.
        request: u64,
        /// Which limit.
        limit: DownstreamLimit,
        /// Rejected (true) or slowed (false).
        rejected: bool,
    },
    /// The idempotency store skipped a side effect already applied for this request id.
    IdempotentSkip {
        /// Request id.
        request: u64,
    },
    /// A successful invocation sent a request to another function (or to itself).
    Triggered {
        /// The invocation's request id.
        request: u64,
        /// The new request's id.
        child: u64,
        /// The function (unit) it went to.
        target: u16,
        /// How many hops from the originating request the new one is.
        hop: u32,
    },
    /// Loop detection stopped a request: the chain had invoked the function 16 times.
    LoopStopped {
        /// The stopped request's id.
        request: u64,
        /// Its hop count.
        hop: u32,
    },
    /// An alarm changed state.
    AlarmChanged {
        /// Alarm index.
        alarm: u16,
        /// The new state.
        state: AlarmValue,
    },
    /// A deployment shifted traffic.
    DeploymentShift {
        /// Percent of the alias's traffic now on the new version.
        percent: u32,
    },
    /// A deployment rolled back: the alias points to the old version alone.
    RolledBack {
        /// Alarm index that caused it.
        alarm: u16,
    },
}

/// Which queue a request waited in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QueueKind {
    /// Lambda's internal queue for asynchronous invocation.
    Async,
    /// An SQS queue polled by an event source mapping.
    Sqs,
}

/// Why a queued request ended without success.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailReason {
    /// Its retries after function errors were used up.
    RetriesExhausted,
    /// It was older than the maximum event age.
    MaxEventAge,
    /// It was received `max_receive_count` times (the SQS redrive policy).
    MaxReceiveCount,
    /// It outlived the SQS queue's retention period.
    Retention,
}

/// Where Lambda tried to send an asynchronous event's record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SendTarget {
    /// The dead-letter queue or topic.
    Dlq(DlqService),
    /// The on-failure destination.
    OnFailure(DestinationService),
    /// The on-success destination.
    OnSuccess(DestinationService),
}

impl SendTarget {
    /// The action the execution role needs for this send.
    pub fn action(self) -> &'static str {
        match self {
            SendTarget::Dlq(d) => d.action(),
            SendTarget::OnFailure(d) | SendTarget::OnSuccess(d) => d.action(),
        }
    }

    /// The resource's ARN, for `function`.
    pub fn arn(self, function: &str) -> String {
        match self {
            SendTarget::Dlq(d) => d.arn(function),
            SendTarget::OnFailure(d) => d.arn(function, "on-failure"),
            SendTarget::OnSuccess(d) => d.arn(function, "on-success"),
        }
    }
}

/// Where a failed request's record went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadLetter {
    /// The dead-letter queue.
    Dlq,
    /// The on-failure destination.
    OnFailure,
    /// Both the dead-letter queue and the on-failure destination.
    Both,
}

/// Which limit of a downstream dependency a call hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DownstreamLimit {
    /// Its connections were all in use.
    Connections,
    /// Its rate limit was reached.
    Rate,
}

/// The kind of dead-letter queue a record was sent to (the report's copy of the scenario's
/// `DlqTarget`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DlqService {
    /// An SQS queue.
    Sqs,
    /// An SNS topic.
    Sns,
}

/// The kind of destination a record was sent to (the report's copy of the scenario's
/// `Destination`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DestinationService {
    /// An SQS queue.
    Sqs,
    /// An SNS topic.
    Sns,
    /// Another Lambda function.
    Lambda,
    /// An EventBridge event bus.
    Eventbridge,
}

/// The region and account of the ARNs the engine gives queues, topics and functions that a
/// scenario names only by function (a DLQ, a destination).
const ARN_REGION_ACCOUNT: &str = "us-east-1:123456789012";

impl DlqService {
    /// The action the execution role needs to send an event here.
    pub fn action(self) -> &'static str {
        match self {
            DlqService::Sqs => "sqs:SendMessage",
            DlqService::Sns => "sns:Publish",
        }
    }

    /// The ARN of `function`'s dead-letter queue or topic (named `<function>-dlq`).
    pub fn arn(self, function: &str) -> String {
        let service = match self {
            DlqService::Sqs => "sqs",
            DlqService::Sns => "sns",
        };
        format!("arn:aws:{service}:{ARN_REGION_ACCOUNT}:{function}-dlq")
    }
}

impl DestinationService {
    /// The action the execution role needs to send a record here.
    pub fn action(self) -> &'static str {
        match self {
            DestinationService::Sqs => "sqs:SendMessage",
            DestinationService::Sns => "sns:Publish",
            DestinationService::Lambda => "lambda:InvokeFunction",
            DestinationService::Eventbridge => "events:PutEvents",
        }
    }

    /// The ARN of `function`'s destination for `outcome` (`on-failure` or `on-success`): a
    /// queue, topic or function named `<function>-<outcome>`, or the default event bus.
    pub fn arn(self, function: &str, outcome: &str) -> String {
        let r = ARN_REGION_ACCOUNT;
        match self {
            DestinationService::Sqs => format!("arn:aws:sqs:{r}:{function}-{outcome}"),
            DestinationService::Sns => format!("arn:aws:sns:{r}:{function}-{outcome}"),
            DestinationService::Lambda => {
                format!("arn:aws:lambda:{r}:function:{function}-{outcome}")
            }
            DestinationService::Eventbridge => format!("arn:aws:events:{r}:event-bus/default"),
        }
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            EventKind::Arrival {
                request,
                attempt: 0,
            } => write!(f, "request {request} arrives"),
            EventKind::Arrival { request, attempt } => {
                write!(f, "request {request} is retried (attempt {})", attempt + 1)
            }
            EventKind::ColdStart {
                env,
                request,
                init_us,
            } => {
                write!(
                    f,
                    "env {env} starts Init: cold start, {} (request {request})",
                    format_duration_us(init_us)
                )
            }
            EventKind::WarmStart {
                env,
                request,
                provisioned: true,
            } => {
                write!(f, "provisioned env {env} takes request {request}: warm")
            }
            EventKind::WarmStart {
                env,
                request,
                provisioned: false,
            } => write!(f, "env {env} takes request {request}: warm start"),
            EventKind::Complete {
                env,
                request,
                duration_us,
                outcome,
            } => {
                let how = match outcome {
                    Outcome::Success => "completes",
                    Outcome::Error => "fails with an error",
                    Outcome::Timeout => "times out",
                };
                write!(
                    f,
                    "request {request} {how} on env {env} after {}",
                    format_duration_us(duration_us)
                )
            }
            EventKind::Throttled { request, reason } => {
                let why = match reason {
                    ThrottleReason::AccountLimit => "account concurrency limit reached",
                    ThrottleReason::ReservedLimit => "reserved concurrency reached",
                    ThrottleReason::ScalingRate => "scaling rate exceeded",
                    ThrottleReason::RequestRate => "account request rate reached",
                };
                write!(f, "request {request} throttled (429): {why}")
            }
            EventKind::RetryScheduled {
                request,
                attempt,
                delay_us,
            } => {
                write!(
                    f,
                    "caller retries request {request} in {} (attempt {})",
                    format_duration_us(delay_us),
                    attempt + 1
                )
            }
            EventKind::Reaped { env, reason } => {
                let why = match reason {
                    ReapReason::IdleExpiry => "idle too long",
                    ReapReason::Timeout => "reset after a timeout",
                    ReapReason::Lifetime => "recycled after its maximum lifetime",
                };
                write!(f, "env {env} is reaped: {why}")
            }
            EventKind::ProvisionedReady { env } => {
                write!(f, "provisioned env {env} is initialised and ready")
            }
            EventKind::Queued {
                request,
                queue: QueueKind::Async,
            } => write!(f, "event for request {request} queued for asynchronous invocation"),
            EventKind::Queued {
                request,
                queue: QueueKind::Sqs,
            } => write!(f, "message {request} sent to the queue"),
            EventKind::AsyncRetry {
                request,
                attempt,
                delay_us,
            } => write!(
                f,
                "event for request {request} retried by Lambda in {} (attempt {})",
                format_duration_us(delay_us),
                attempt + 1
            ),
            EventKind::AsyncRequeued { request, delay_us } => write!(
                f,
                "event for request {request} throttled back into the queue, retried in {}",
                format_duration_us(delay_us)
            ),
            EventKind::AsyncSystemError { request, delay_us } => write!(
                f,
                "Lambda failed to invoke the event for request {request} (a system error): back into the queue, retried in {}",
                format_duration_us(delay_us)
            ),
            EventKind::SendDenied { request, to } => {
                let (place, metric) = match to {
                    SendTarget::Dlq(_) => ("the DLQ", "DeadLetterErrors"),
                    SendTarget::OnFailure(_) => {
                        ("the on-failure destination", "DestinationDeliveryFailures")
                    }
                    SendTarget::OnSuccess(_) => {
                        ("the on-success destination", "DestinationDeliveryFailures")
                    }
                };
                write!(
                    f,
                    "event for request {request} not sent to {place}: the role does not allow {} ({metric})",
                    to.action()
                )
            }
            EventKind::BatchReceived { request, messages } => {
                let s = if messages == 1 { "" } else { "s" };
                write!(
                    f,
                    "a poller receives a batch of {messages} message{s} (message {request} first)"
                )
            }
            EventKind::VisibleAgain {
                request,
                messages,
                still_running,
            } => {
                let s = if messages == 1 { "" } else { "s" };
                let how = if still_running {
                    ", though still being processed"
                } else {
                    ""
                };
                write!(
                    f,
                    "visibility timeout over: {messages} message{s} of the batch from message {request} visible again{how}"
                )
            }
            EventKind::Duplicate { request } => {
                write!(f, "request {request} delivered again: a duplicate")
            }
            EventKind::DeadLettered {
                request,
                queue,
                reason,
                count,
                to,
            } => {
                let whom = match queue {
                    QueueKind::Async => format!("event for request {request}"),
                    QueueKind::Sqs => format!("message {request}"),
                };
                let place = match to {
                    DeadLetter::Dlq => "the DLQ",
                    DeadLetter::OnFailure => "the on-failure destination",
                    DeadLetter::Both => "the DLQ and the on-failure destination",
                };
                write!(f, "{whom} sent to {place} {}", reason_text(reason, count))
            }
            EventKind::Dropped {
                request,
                queue,
                reason,
                count,
                undeliverable,
            } => {
                let whom = match queue {
                    QueueKind::Async => format!("event for request {request}"),
                    QueueKind::Sqs => format!("message {request}"),
                };
                let extra = if undeliverable {
                    " (its DLQ or on-failure destination refused it: the event is lost)"
                } else if reason == FailReason::RetriesExhausted {
                    " (no DLQ or on-failure destination)"
                } else {
                    ""
                };
                write!(f, "{whom} dropped {}{extra}", reason_text(reason, count))
            }
            EventKind::OnSuccess { request } => write!(
                f,
                "event for request {request} succeeded: record sent to the on-success destination"
            ),
            EventKind::ClientTimeout {
                request,
                attempt,
                after_us,
            } => write!(
                f,
                "caller of request {request} gives up after {} (attempt {}); the invocation keeps running",
                format_duration_us(after_us),
                attempt + 1
            ),
            EventKind::DownstreamLimited {
                request,
                limit,
                rejected,
            } => {
                let how = if rejected { "rejected" } else { "slowed" };
                let why = match limit {
                    DownstreamLimit::Connections => "no connection free",
                    DownstreamLimit::Rate => "rate limit reached",
                };
                write!(f, "downstream call for request {request} {how}: {why}")
            }
            EventKind::IdempotentSkip { request } => write!(
                f,
                "side effect of request {request} skipped: already applied (idempotency store)"
            ),
            EventKind::Triggered {
                request,
                child,
                hop,
                ..
            } => write!(
                f,
                "request {request} sends request {child} on (hop {hop})"
            ),
            EventKind::LoopStopped { request, hop } => write!(
                f,
                "loop detection stops request {request}: hop {hop} of the same chain"
            ),
            EventKind::AlarmChanged { alarm, state } => write!(f, "alarm {alarm} goes to {state}"),
            EventKind::DeploymentShift { percent } => {
                write!(f, "deployment: {percent}% of the alias's traffic on the new version")
            }
            EventKind::RolledBack { alarm } => write!(
                f,
                "deployment rolled back by alarm {alarm}: the alias points to the old version"
            ),
        }
    }
}

/// How a queued request's failure reads: "after 3 attempts", "after 3 receives", ...
fn reason_text(reason: FailReason, count: u32) -> String {
    let s = if count == 1 { "" } else { "s" };
    match reason {
        FailReason::RetriesExhausted => format!("after {count} attempt{s}"),
        FailReason::MaxReceiveCount => format!("after {count} receive{s}"),
        FailReason::MaxEventAge => "for being older than the maximum event age".to_string(),
        FailReason::Retention => "for being older than the queue's retention period".to_string(),
    }
}

/// An alarm's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AlarmValue {
    /// Before its first evaluation.
    InsufficientData,
    /// Within its threshold.
    Ok,
    /// Breaching.
    Alarm,
}

impl fmt::Display for AlarmValue {
    /// CloudWatch's name for the state.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AlarmValue::InsufficientData => "INSUFFICIENT_DATA",
            AlarmValue::Ok => "OK",
            AlarmValue::Alarm => "ALARM",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_read_as_sentences() {
        let e = EventKind::ColdStart {
            env: 3,
            request: 7,
            init_us: 412_000,
        };
        assert_eq!(
            e.to_string(),
            "env 3 starts Init: cold start, 412 ms (request 7)"
        );
        let retry = EventKind::AsyncRetry {
            request: 12,
            attempt: 1,
            delay_us: 60_000_000,
        };
        assert_eq!(
            retry.to_string(),
            "event for request 12 retried by Lambda in 1.0 min (attempt 2)"
        );
        let dlq = EventKind::DeadLettered {
            request: 40,
            queue: QueueKind::Sqs,
            reason: FailReason::MaxReceiveCount,
            count: 3,
            to: DeadLetter::Dlq,
        };
        assert_eq!(
            dlq.to_string(),
            "message 40 sent to the DLQ after 3 receives"
        );
    }
}
