//! scratch
use engine::Scenario;
use std::time::Instant;

fn keep(t: f64, dur: f64, seed: u64) -> engine::Report {
    let s = Scenario::from_toml(&format!(
        r#"
duration_s = {dur}
seed = {seed}
bucket_s = {b}
[[functions]]
name = "a"
timeout_s = 900
memory_mb = 1769
init_ms = 147
idle_expiry_s = {t}
handler.cpu_ms = {{ kind = "exponential", mean = 2016 }}
workload = {{ kind = "poisson", rate_per_s = 10 }}
"#,
        b = dur / 100.0
    ))
    .expect("x");
    engine::run(&s).expect("run")
}

fn erl(a: f64, c: u32, dur: f64, seed: u64) -> engine::Report {
    let s = Scenario::from_toml(&format!(
        r#"
duration_s = {dur}
seed = {seed}
bucket_s = {b}
[account]
concurrency_limit = 1000
scaling_envs = 1000000
[[functions]]
name = "a"
timeout_s = 900
memory_mb = 1769
reserved_concurrency = {c}
handler.cpu_ms = {{ kind = "exponential", mean = 1000 }}
workload = {{ kind = "poisson", rate_per_s = {a} }}
"#,
        b = dur / 100.0
    ))
    .expect("x");
    engine::run(&s).expect("run")
}

#[test]
fn explore() {
    let t0 = Instant::now();
    for t in [1200.0, 1800.0] {
        let mut v = vec![];
        for seed in 1..=12 {
            let r = keep(t, 100000.0, seed);
            v.push(r.summary.cold_starts);
        }
        println!("T {t}: {v:?}");
    }
    println!("keep {:?}", t0.elapsed());
    for (a, c) in [(12.0, 10), (60.0, 50), (110.0, 100), (8.0, 10), (90.0, 100)] {
        let mut v = vec![];
        for seed in 1..=6 {
            let r = erl(a, c, 1_000_000.0 / a, seed);
            v.push(format!("{:.5}", r.summary.throttle_ratio));
        }
        println!("a {a} c {c}: {v:?}");
    }
}

#[test]
fn debug_speed() {
    let t0 = Instant::now();
    let r = keep(600.0, 10000.0, 1);
    println!(
        "debug-ish 100k invocations: {:?} ({})",
        t0.elapsed(),
        r.summary.invocations
    );
}
