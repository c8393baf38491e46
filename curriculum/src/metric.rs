//! The figures of a run that predictions and challenges name, read from the report by typed
//! field access (never through the serialised summary).
//!
//! In a lesson file a metric is a name: a summary field (`cold_starts`, `duration_ms_p99`),
//! `<function>.<summary field>`, `ledger.<field>`, `alarm.<name>.<figure>`,
//! `deployment.<function>.<figure>` or `tracing.<figure>`. It is parsed when the lesson is
//! loaded, so a name that is not a figure fails the load.

use std::fmt;

use engine::report::{DeploymentStatus, Ledger, Summary};
use engine::Report;
use serde::{Deserialize, Serialize};

/// The unit of a figure, for showing it to a learner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A duration in milliseconds.
    Ms,
    /// A time in seconds.
    S,
    /// Money, in US dollars.
    Usd,
    /// A ratio from 0 to 1.
    Ratio,
    /// A count.
    Count,
    /// A yes/no figure: 1 for yes, 0 for no (an alarm fired, a deployment rolled back).
    YesNo,
    /// A number without a unit (a time-averaged count, GB-seconds).
    Number,
}

/// Declares [`Figure`] from a table of summary fields: the variant, the field and its unit.
macro_rules! figures {
    ($($variant:ident $field:ident $unit:ident,)*) => {
        /// A figure of a summary (the whole run's, or one function's).
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Figure {
            $(
                #[doc = concat!("`", stringify!($field), "`.")]
                $variant,
            )*
        }

        impl Figure {
            /// Every summary figure.
            pub const ALL: &'static [Figure] = &[$(Figure::$variant,)*];

            /// The field's name.
            pub fn name(self) -> &'static str {
                match self {
                    $(Figure::$variant => stringify!($field),)*
                }
            }

            /// The figure's unit.
            pub fn unit(self) -> Unit {
                match self {
                    $(Figure::$variant => Unit::$unit,)*
                }
            }

            /// The field as it is held, `None` read as 0 ([`Figure::read`] says what the
            /// optional ones mean).
            fn field(self, s: &Summary) -> f64 {
                match self {
                    $(Figure::$variant => AsF64::as_f64(&s.$field),)*
                }
            }
        }
    };
}

/// A summary field as a number (counts and figures alike).
trait AsF64 {
    fn as_f64(&self) -> f64;
}

impl AsF64 for u64 {
    fn as_f64(&self) -> f64 {
        *self as f64
    }
}

impl AsF64 for f64 {
    fn as_f64(&self) -> f64 {
        *self
    }
}

/// `side_effects_*` are optional counts: [`Figure::read`] reads them before this.
impl AsF64 for Option<u64> {
    fn as_f64(&self) -> f64 {
        self.unwrap_or(0) as f64
    }
}

figures! {
    DurationS duration_s S,
    Requests requests Count,
    Invocations invocations Count,
    Completed completed Count,
    ColdStarts cold_starts Count,
    ColdStartRatio cold_start_ratio Ratio,
    InitMsMean init_ms_mean Ms,
    Throttled throttled Count,
    ThrottleRatio throttle_ratio Ratio,
    Errors errors Count,
    Timeouts timeouts Count,
    Retries retries Count,
    ProvisionedInvocations provisioned_invocations Count,
    SpilloverInvocations spillover_invocations Count,
    EnvsCreated envs_created Count,
    EnvCountMean env_count_mean Number,
    BusyEnvMean busy_env_mean Number,
    IdleEnvMean idle_env_mean Number,
    InitEnvMean init_env_mean Number,
    EnvLifespanMeanS env_lifespan_mean_s S,
    ConcurrencyMax concurrency_max Count,
    DurationMsMean duration_ms_mean Ms,
    DurationMsP50 duration_ms_p50 Ms,
    DurationMsP95 duration_ms_p95 Ms,
    DurationMsP99 duration_ms_p99 Ms,
    DurationMsMax duration_ms_max Ms,
    BilledGbS billed_gb_s Number,
    CostUsd cost_usd Usd,
    Events events Count,
    QueueDepthMax queue_depth_max Count,
    QueueAgeMsMax queue_age_ms_max Ms,
    DlqDepth dlq_depth Count,
    AsyncEventAgeMsMax async_event_age_ms_max Ms,
    AsyncEventsDropped async_events_dropped Count,
    AsyncRetries async_retries Count,
    AsyncRequeues async_requeues Count,
    AsyncSystemErrors async_system_errors Count,
    DeadLetterErrors dead_letter_errors Count,
    DestinationDeliveryFailures destination_delivery_failures Count,
    Batches batches Count,
    BatchItemFailures batch_item_failures Count,
    MessagesRedelivered messages_redelivered Count,
    Duplicates duplicates Count,
    SideEffectsTotal side_effects_total Count,
    SideEffectsMaxPerId side_effects_max_per_id Count,
    IdempotentSkips idempotent_skips Count,
    DownstreamRejections downstream_rejections Count,
    DownstreamSlowed downstream_slowed Count,
    DestinationSuccess destination_success Count,
    DestinationFailure destination_failure Count,
    ClientTimeouts client_timeouts Count,
    InitTimeouts init_timeouts Count,
    ThrottledRequestRate throttled_request_rate Count,
    Triggered triggered Count,
    RecursiveInvocationsDropped recursive_invocations_dropped Count,
    CacheHits cache_hits Count,
    CacheMisses cache_misses Count,
    CacheAgeSMax cache_age_s_max S,
    CacheHitRatio cache_hit_ratio Ratio,
    IamAllowed iam_allowed Count,
    IamDenied iam_denied Count,
    IamHarmfulAllowed iam_harmful_allowed Count,
}

impl Figure {
    /// The figure of a summary. `side_effects_*` of a function that does not count them read
    /// as its successful invocations (each applied its effect once) and 1 (0 without any).
    pub fn read(self, s: &Summary) -> f64 {
        match self {
            Figure::SideEffectsTotal => {
                s.side_effects_total.unwrap_or(s.completed - s.errors) as f64
            }
            Figure::SideEffectsMaxPerId => {
                s.side_effects_max_per_id
                    .unwrap_or(u64::from(s.completed > s.errors)) as f64
            }
            other => other.field(s),
        }
    }

    /// The figure of a field name, `None` for a name that is not one.
    pub fn from_name(name: &str) -> Option<Figure> {
        Figure::ALL.iter().copied().find(|f| f.name() == name)
    }
}

/// Where a request ended: a field of the [`Ledger`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LedgerFigure {
    /// `requests`.
    Requests,
    /// `succeeded`.
    Succeeded,
    /// `failed`.
    Failed,
    /// `throttled`.
    Throttled,
    /// `dead_lettered`.
    DeadLettered,
    /// `dropped`.
    Dropped,
    /// `in_flight`.
    InFlight,
}

impl LedgerFigure {
    const ALL: [LedgerFigure; 7] = [
        LedgerFigure::Requests,
        LedgerFigure::Succeeded,
        LedgerFigure::Failed,
        LedgerFigure::Throttled,
        LedgerFigure::DeadLettered,
        LedgerFigure::Dropped,
        LedgerFigure::InFlight,
    ];

    /// The field's name.
    pub fn name(self) -> &'static str {
        match self {
            LedgerFigure::Requests => "requests",
            LedgerFigure::Succeeded => "succeeded",
            LedgerFigure::Failed => "failed",
            LedgerFigure::Throttled => "throttled",
            LedgerFigure::DeadLettered => "dead_lettered",
            LedgerFigure::Dropped => "dropped",
            LedgerFigure::InFlight => "in_flight",
        }
    }

    /// The count.
    pub fn read(self, l: &Ledger) -> f64 {
        (match self {
            LedgerFigure::Requests => l.requests,
            LedgerFigure::Succeeded => l.succeeded,
            LedgerFigure::Failed => l.failed,
            LedgerFigure::Throttled => l.throttled,
            LedgerFigure::DeadLettered => l.dead_lettered,
            LedgerFigure::Dropped => l.dropped,
            LedgerFigure::InFlight => l.in_flight,
        }) as f64
    }
}

/// A figure of one alarm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlarmFigure {
    /// `fired`: 1 if it went to ALARM, else 0.
    Fired,
    /// `first_alarm_s`: when it first went to ALARM (the run's length if it never did).
    FirstAlarmS,
    /// `alarm_periods`: periods spent in ALARM.
    AlarmPeriods,
}

/// A figure of one function's deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeploymentFigure {
    /// `rolled_back`: 1 if it was rolled back, else 0.
    RolledBack,
    /// `succeeded`: 1 if it completed, else 0.
    Succeeded,
    /// `ended_s`: when it ended (the run's length while it has not).
    EndedS,
}

/// A figure of the run's tracing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TracingFigure {
    /// `requests`: requests the sampling rule saw.
    Requests,
    /// `sampled`: requests it sampled.
    Sampled,
    /// `sampled_ratio`: `sampled / requests` (0 without requests).
    SampledRatio,
    /// `traces`: traces kept in the report.
    Traces,
}

/// One figure of a run, as a prediction or a challenge condition names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Metric {
    /// A figure of the whole run's summary: `cold_starts`.
    Summary(Figure),
    /// A figure of one function's (or version's) summary: `api.errors`, `checkout:2.requests`.
    Function {
        /// The function's name as the report gives it.
        function: String,
        /// The figure.
        figure: Figure,
    },
    /// Where requests ended: `ledger.succeeded`.
    Ledger(LedgerFigure),
    /// An alarm's figure: `alarm.<name>.fired`.
    Alarm {
        /// The alarm's name.
        alarm: String,
        /// The figure.
        figure: AlarmFigure,
    },
    /// A deployment's figure: `deployment.<function>.rolled_back`.
    Deployment {
        /// The function deployed.
        function: String,
        /// The figure.
        figure: DeploymentFigure,
    },
    /// A figure of the tracing: `tracing.sampled_ratio`.
    Tracing(TracingFigure),
}

impl Metric {
    /// Reads a metric's name, with a message saying what was expected when it is not one.
    pub fn parse(name: &str) -> Result<Metric, String> {
        let bad = |what: &str| Err(format!("metric \"{name}\": expected {what}"));
        let Some((scope, field)) = name.split_once('.') else {
            return match Figure::from_name(name) {
                Some(f) => Ok(Metric::Summary(f)),
                None => bad(
                    "a summary figure such as cold_starts, throttled, duration_ms_p99 or cost_usd",
                ),
            };
        };
        match scope {
            "ledger" => match LedgerFigure::ALL.into_iter().find(|f| f.name() == field) {
                Some(f) => Ok(Metric::Ledger(f)),
                None => bad("ledger.requests, .succeeded, .failed, .throttled, .dead_lettered, .dropped or .in_flight"),
            },
            "alarm" => {
                let (alarm, figure) = field.rsplit_once('.').unwrap_or((field, ""));
                let figure = match figure {
                    "fired" => AlarmFigure::Fired,
                    "first_alarm_s" => AlarmFigure::FirstAlarmS,
                    "alarm_periods" => AlarmFigure::AlarmPeriods,
                    _ => return bad(&format!("alarm.{alarm}.fired, .first_alarm_s or .alarm_periods")),
                };
                Ok(Metric::Alarm { alarm: alarm.to_string(), figure })
            }
            "deployment" => {
                let (function, figure) = field.rsplit_once('.').unwrap_or((field, ""));
                let figure = match figure {
                    "rolled_back" => DeploymentFigure::RolledBack,
                    "succeeded" => DeploymentFigure::Succeeded,
                    "ended_s" => DeploymentFigure::EndedS,
                    _ => return bad(&format!("deployment.{function}.rolled_back, .succeeded or .ended_s")),
                };
                Ok(Metric::Deployment { function: function.to_string(), figure })
            }
            "tracing" => Ok(Metric::Tracing(match field {
                "requests" => TracingFigure::Requests,
                "sampled" => TracingFigure::Sampled,
                "sampled_ratio" => TracingFigure::SampledRatio,
                "traces" => TracingFigure::Traces,
                _ => return bad("tracing.requests, tracing.sampled, tracing.sampled_ratio or tracing.traces"),
            })),
            function => match Figure::from_name(field) {
                Some(figure) => Ok(Metric::Function { function: function.to_string(), figure }),
                None => bad(&format!("{function}.<a summary figure such as cold_starts, throttled, duration_ms_p99 or cost_usd>")),
            },
        }
    }

    /// The figure's unit.
    pub fn unit(&self) -> Unit {
        match self {
            Metric::Summary(f) | Metric::Function { figure: f, .. } => f.unit(),
            Metric::Ledger(_) => Unit::Count,
            Metric::Alarm { figure, .. } => match figure {
                AlarmFigure::Fired => Unit::YesNo,
                AlarmFigure::AlarmPeriods => Unit::Count,
                AlarmFigure::FirstAlarmS => Unit::S,
            },
            Metric::Deployment { figure, .. } => match figure {
                DeploymentFigure::RolledBack | DeploymentFigure::Succeeded => Unit::YesNo,
                DeploymentFigure::EndedS => Unit::S,
            },
            Metric::Tracing(f) => match f {
                TracingFigure::SampledRatio => Unit::Ratio,
                _ => Unit::Count,
            },
        }
    }

    /// The figure in a run's report; an error when the run has no such function, alarm,
    /// deployment or tracing.
    pub fn read(&self, report: &Report) -> Result<f64, String> {
        let yes = |b: bool| f64::from(u8::from(b));
        match self {
            Metric::Summary(f) => Ok(f.read(&report.summary)),
            Metric::Function { function, figure } => report
                .functions
                .iter()
                .find(|x| &x.name == function)
                .map(|x| figure.read(&x.summary))
                .ok_or_else(|| format!("metric \"{self}\": no function called \"{function}\"")),
            Metric::Ledger(f) => Ok(f.read(&report.ledger)),
            Metric::Alarm { alarm, figure } => {
                let a = report
                    .alarms
                    .iter()
                    .find(|a| &a.name == alarm)
                    .ok_or_else(|| format!("metric \"{self}\": no alarm called \"{alarm}\""))?;
                Ok(match figure {
                    AlarmFigure::Fired => yes(a.first_alarm_s.is_some()),
                    AlarmFigure::FirstAlarmS => {
                        a.first_alarm_s.unwrap_or(report.summary.duration_s)
                    }
                    AlarmFigure::AlarmPeriods => a.alarm_periods as f64,
                })
            }
            Metric::Deployment { function, figure } => {
                let d = report
                    .deployments
                    .iter()
                    .find(|d| &d.function == function)
                    .ok_or_else(|| format!("metric \"{self}\": no deployment of \"{function}\""))?;
                Ok(match figure {
                    DeploymentFigure::RolledBack => yes(d.status == DeploymentStatus::RolledBack),
                    DeploymentFigure::Succeeded => yes(d.status == DeploymentStatus::Succeeded),
                    DeploymentFigure::EndedS => d.ended_s.unwrap_or(report.summary.duration_s),
                })
            }
            Metric::Tracing(f) => {
                let t = report
                    .tracing
                    .as_ref()
                    .ok_or_else(|| format!("metric \"{self}\": the scenario has no [tracing]"))?;
                Ok(match f {
                    TracingFigure::Requests => t.requests as f64,
                    TracingFigure::Sampled => t.sampled as f64,
                    TracingFigure::SampledRatio if t.requests == 0 => 0.0,
                    TracingFigure::SampledRatio => t.sampled as f64 / t.requests as f64,
                    TracingFigure::Traces => t.traces.len() as f64,
                })
            }
        }
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Metric::Summary(x) => write!(f, "{}", x.name()),
            Metric::Function { function, figure } => write!(f, "{function}.{}", figure.name()),
            Metric::Ledger(x) => write!(f, "ledger.{}", x.name()),
            Metric::Alarm { alarm, figure } => {
                let name = match figure {
                    AlarmFigure::Fired => "fired",
                    AlarmFigure::FirstAlarmS => "first_alarm_s",
                    AlarmFigure::AlarmPeriods => "alarm_periods",
                };
                write!(f, "alarm.{alarm}.{name}")
            }
            Metric::Deployment { function, figure } => {
                let name = match figure {
                    DeploymentFigure::RolledBack => "rolled_back",
                    DeploymentFigure::Succeeded => "succeeded",
                    DeploymentFigure::EndedS => "ended_s",
                };
                write!(f, "deployment.{function}.{name}")
            }
            Metric::Tracing(x) => {
                let name = match x {
                    TracingFigure::Requests => "requests",
                    TracingFigure::Sampled => "sampled",
                    TracingFigure::SampledRatio => "sampled_ratio",
                    TracingFigure::Traces => "traces",
                };
                write!(f, "tracing.{name}")
            }
        }
    }
}

impl TryFrom<String> for Metric {
    type Error = String;
    fn try_from(name: String) -> Result<Metric, String> {
        Metric::parse(&name)
    }
}

impl From<Metric> for String {
    fn from(m: Metric) -> String {
        m.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for name in [
            "cold_starts",
            "api.duration_ms_p99",
            "checkout:2.errors",
            "ledger.dead_lettered",
            "alarm.api-errors.first_alarm_s",
            "deployment.checkout.rolled_back",
            "tracing.sampled_ratio",
        ] {
            assert_eq!(
                Metric::parse(name).map(|m| m.to_string()),
                Ok(name.to_string())
            );
        }
        for f in Figure::ALL {
            assert_eq!(Figure::from_name(f.name()), Some(*f));
        }
        for bad in [
            "speed",
            "ledger.speed",
            "alarm.x",
            "alarm.x.speed",
            "tracing.x",
            "api.speed",
        ] {
            let e = Metric::parse(bad).expect_err(bad);
            assert!(e.starts_with(&format!("metric \"{bad}\": expected")), "{e}");
        }
    }

    /// Every figure reads as the summary serialised to JSON would give it, figures left out
    /// while zero read as zero.
    #[test]
    fn figures_read_the_fields_they_name() {
        let s = Summary {
            duration_s: 60.0,
            completed: 5,
            errors: 1,
            cold_starts: 2,
            duration_ms_p99: 250.5,
            cost_usd: 0.25,
            dlq_depth: 3,
            ..Summary::default()
        };
        let json = serde_json::to_value(&s).expect("serialises");
        for f in Figure::ALL {
            let from_json = json.get(f.name()).and_then(serde_json::Value::as_f64);
            match f {
                Figure::SideEffectsTotal => assert_eq!(f.read(&s), 4.0),
                Figure::SideEffectsMaxPerId => assert_eq!(f.read(&s), 1.0),
                _ => assert_eq!(Some(f.read(&s)), from_json.or(Some(0.0)), "{}", f.name()),
            }
        }
        let l = Ledger {
            dead_lettered: 7,
            ..Ledger::default()
        };
        assert_eq!(LedgerFigure::DeadLettered.read(&l), 7.0);
        assert_eq!(LedgerFigure::Dropped.read(&l), 0.0);
    }

    #[test]
    fn units_come_from_the_figure() {
        let unit = |n: &str| Metric::parse(n).map(|m| m.unit());
        assert_eq!(unit("queue_age_ms_max"), Ok(Unit::Ms));
        assert_eq!(unit("checkout.cost_usd"), Ok(Unit::Usd));
        assert_eq!(unit("throttle_ratio"), Ok(Unit::Ratio));
        assert_eq!(unit("tracing.sampled_ratio"), Ok(Unit::Ratio));
        assert_eq!(unit("ledger.dead_lettered"), Ok(Unit::Count));
        assert_eq!(unit("busy_env_mean"), Ok(Unit::Number));
        assert_eq!(unit("alarm.a.first_alarm_s"), Ok(Unit::S));
        assert_eq!(unit("alarm.a.fired"), Ok(Unit::YesNo));
        assert_eq!(unit("deployment.checkout.rolled_back"), Ok(Unit::YesNo));
    }
}
