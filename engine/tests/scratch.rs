use engine::Scenario;

fn run(t: &str) -> engine::Report {
    let s = Scenario::from_toml(t).unwrap();
    engine::run(&s).unwrap()
}

#[test]
fn explore() {
    // baseline
    let base = include_str!("../scenarios/simfaas-baseline.toml");
    for seed in 1..=5u64 {
        let mut s = Scenario::from_toml(base).unwrap();
        s.seed = seed;
        let r = engine::run(&s).unwrap();
        let m = &r.summary;
        println!("seed {seed}: cold {:.6} env {:.4} busy {:.4} idle {:.4} life {:.1} inv {}", m.cold_start_ratio, m.env_count_mean, m.busy_env_mean, m.idle_env_mean, m.env_lifespan_mean_s, m.invocations);
    }
    // ramp non-poisson
    let r = run(r#"
duration_s = 300
[[functions]]
name = "a"
workload = { kind = "ramp", from_per_s = 0, to_per_s = 1, length_s = 100, poisson = false }
"#);
    println!("ramp even: requests {} expected {}", r.summary.requests, engine::Workload::Ramp{from_per_s:0.0,to_per_s:1.0,start_s:0.0,length_s:100.0,poisson:false}.expected_arrivals(300.0));
    // scaling window
    let r = run(r#"
duration_s = 30
bucket_s = 0.5
[record]
events = 1000000
[account]
scaling_envs = 100
scaling_window_s = 10
[[functions]]
name = "a"
timeout_s = 900
handler.io_ms = 100000
workload = { kind = "constant", rate_per_s = 100 }
"#);
    let colds: Vec<u64> = r.events.iter().filter_map(|e| match e.kind { engine::report::EventKind::ColdStart{..} => Some(e.t_us), _ => None }).collect();
    let w = 10_000_000u64;
    let mut maxw = 0;
    let mut j = 0;
    for i in 0..colds.len() { while colds[i] - colds[j] >= w { j += 1; } maxw = maxw.max(i - j + 1); }
    println!("colds {} max in 10 s window {} throttled {}", colds.len(), maxw, r.summary.throttled);
}
