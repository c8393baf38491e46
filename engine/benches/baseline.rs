//! Engine throughput: simulated invocations per second on the SimFaaS baseline.
#![allow(missing_docs)] // criterion's macros generate undocumented functions.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use engine::Scenario;

fn baseline(c: &mut Criterion) {
    let text = include_str!("../scenarios/simfaas-baseline.toml");
    let mut scenario = match Scenario::from_toml(text) {
        Ok(s) => s,
        Err(e) => panic!("simfaas-baseline.toml: {e}"),
    };
    // A tenth of the full run keeps each sample short; the rate per invocation is the same.
    scenario.duration_s = 100_000.0;
    scenario.bucket_s = Some(500.0);
    let invocations = match engine::run(&scenario) {
        Ok(r) => r.summary.invocations,
        Err(e) => panic!("baseline run: {e}"),
    };
    let mut group = c.benchmark_group("engine");
    group.throughput(Throughput::Elements(invocations));
    group.sample_size(20);
    group.bench_function("simfaas_baseline_100k_s", |b| {
        b.iter(|| engine::run(&scenario))
    });
    group.finish();
}

criterion_group!(benches, baseline);
criterion_main!(benches);
