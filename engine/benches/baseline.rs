//! Engine throughput: simulated invocations per second on the SimFaaS baseline, and on a mix
//! of synchronous, asynchronous and SQS traffic (there invocations and SQS messages).
#![allow(missing_docs)] // criterion's macros generate undocumented functions.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use engine::Scenario;

fn parse(name: &str, text: &str) -> Scenario {
    match Scenario::from_toml(text) {
        Ok(s) => s,
        Err(e) => panic!("{name}: {e}"),
    }
}

fn invocations(name: &str, scenario: &Scenario) -> u64 {
    match engine::run(scenario) {
        Ok(r) => r.summary.invocations,
        Err(e) => panic!("{name} run: {e}"),
    }
}

fn baseline(c: &mut Criterion) {
    let text = include_str!("../scenarios/simfaas-baseline.toml");
    let mut scenario = parse("simfaas-baseline.toml", text);
    // A tenth of the full run keeps each sample short; the rate per invocation is the same.
    scenario.duration_s = 100_000.0;
    scenario.bucket_s = Some(500.0);
    let invocations = invocations("baseline", &scenario);
    let mut group = c.benchmark_group("engine");
    group.throughput(Throughput::Elements(invocations));
    group.sample_size(20);
    group.bench_function("simfaas_baseline_100k_s", |b| {
        b.iter(|| engine::run(&scenario))
    });
    group.finish();
}

/// The SimFaaS function beside an asynchronous one (5% errors retried after 60 s and 120 s,
/// 1% duplicates, a DLQ) and an SQS consumer (batches gathered over 1 s, 2% failed messages
/// returned with partial batch responses, redrive after 3 receives), each with traffic of the
/// same order, over 100,000 s. Throughput counts SQS messages, not batches (see [`units`]).
const MIXED: &str = r#"
name = "Mixed sync, async and SQS traffic"
seed = 1
duration_s = 100000
bucket_s = 500

[[functions]]
name = "sync"
timeout_s = 900
init_ms = 253
memory_mb = 1769
handler.cpu_ms = { kind = "exponential", mean = 1991 }
workload = { kind = "poisson", rate_per_s = 0.9 }

[[functions]]
name = "async"
timeout_s = 900
init_ms = 253
memory_mb = 1769
error_rate = 0.05
handler.cpu_ms = { kind = "exponential", mean = 1991 }
invocation = "async"
async = { dlq = "sqs", duplicate_rate = 0.01 }
workload = { kind = "poisson", rate_per_s = 0.9 }

[[functions]]
name = "sqs"
timeout_s = 60
init_ms = 253
memory_mb = 1769
error_rate = 0.02
handler.cpu_ms = { kind = "exponential", mean = 200 }
invocation = "sqs"
sqs = { batch_size = 10, batching_window_s = 1, visibility_timeout_s = 360, max_receive_count = 3, report_batch_item_failures = true }
workload = { kind = "poisson", rate_per_s = 4 }
"#;

/// The mixed benchmark's unit of work: an invocation of the synchronous or the asynchronous
/// function, and each receive of an SQS message (a batch of ten messages is ten units, a
/// message received again after its visibility timeout counts again).
fn units(name: &str, scenario: &Scenario) -> u64 {
    let report = match engine::run(scenario) {
        Ok(r) => r,
        Err(e) => panic!("{name} run: {e}"),
    };
    report
        .functions
        .iter()
        .map(|f| match f.summary.batches {
            0 => f.summary.invocations,
            _ => f.summary.requests + f.summary.messages_redelivered,
        })
        .sum()
}

fn mixed(c: &mut Criterion) {
    let scenario = parse("mixed", MIXED);
    let units = units("mixed", &scenario);
    let mut group = c.benchmark_group("engine");
    group.throughput(Throughput::Elements(units));
    group.sample_size(20);
    group.bench_function("mixed_sync_async_sqs_100k_s", |b| {
        b.iter(|| engine::run(&scenario))
    });
    group.finish();
}

criterion_group!(benches, baseline, mixed);
criterion_main!(benches);
