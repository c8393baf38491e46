//! Validation against theory and published figures: the SimFaaS baseline, SimFaaS's
//! keep-alive sweep and saturated run, Little's law and the Erlang-B formula.
//!
//! The published figures are in `tests/data/simfaas-reference.json`, a copy of the project's
//! `shared/validation/simfaas-reference.json` (SimFaaS, PyPI `simfaas` 0.2.2, Mahmoudi and
//! Khazaei, "SimFaaS: A Performance Simulator for Serverless Computing Platforms", CLOSER 2021;
//! public figures), kept in the repository so the tests run on a clean clone.
//!
//! The tolerances are statistical: each is a few standard deviations of the estimate, measured
//! over seeds, and the comments give the figures. The long runs take about 0.3 s each in a
//! release build and about 3 s in a debug build, so a debug build runs fewer seeds with wider
//! tolerances (`cfg!(debug_assertions)`); `cargo test -p engine --release --test validation`
//! runs the full set. Run with `-- --nocapture` to see every figure next to its reference.

use engine::{Report, Scenario};
use serde_json::Value;

mod support;
use support::{run, scenario};

/// The reference figures (see the module comment for their origin).
const REFERENCE: &str = include_str!("data/simfaas-reference.json");

/// True in a debug build, where the engine runs about 8 times slower.
const DEBUG: bool = cfg!(debug_assertions);

fn reference() -> Value {
    serde_json::from_str(REFERENCE).expect("tests/data/simfaas-reference.json is valid JSON")
}

/// The number at `path` in the reference file.
fn num(v: &Value, path: &[&str]) -> f64 {
    let mut at = v;
    for key in path {
        at = &at[*key];
    }
    at.as_f64()
        .unwrap_or_else(|| panic!("simfaas-reference.json: no number at {}", path.join(".")))
}

/// A tolerance written as "10%" in the reference file, as a fraction.
fn percent(v: &Value, path: &[&str]) -> f64 {
    let mut at = v;
    for key in path {
        at = &at[*key];
    }
    let text = at
        .as_str()
        .unwrap_or_else(|| panic!("simfaas-reference.json: no text at {}", path.join(".")));
    let number = text.trim_end_matches('%').trim().parse::<f64>();
    number.unwrap_or_else(|_| {
        panic!(
            "simfaas-reference.json: {} is not a percentage: {text}",
            path.join(".")
        )
    }) / 100.0
}

/// Runs `s` once per seed.
fn run_seeds(s: &Scenario, seeds: std::ops::RangeInclusive<u64>) -> Vec<Report> {
    seeds
        .map(|seed| {
            let mut s = s.clone();
            s.seed = seed;
            run(&s)
        })
        .collect()
}

fn mean(xs: impl IntoIterator<Item = f64>) -> f64 {
    let (sum, n) = xs
        .into_iter()
        .fold((0.0, 0usize), |(s, n), x| (s + x, n + 1));
    assert!(n > 0, "mean of nothing");
    sum / n as f64
}

/// Asserts `got` is within `tolerance` (a fraction) of `want`, relative, and prints both.
fn assert_close(what: &str, got: f64, want: f64, tolerance: f64) {
    let error = (got - want) / want;
    eprintln!(
        "{what}: engine {got:.6}, reference {want:.6}, error {:+.2}% (tolerance {:.1}%)",
        error * 100.0,
        tolerance * 100.0
    );
    assert!(
        error.abs() <= tolerance,
        "{what}: engine {got} vs reference {want}: {:+.2}% is outside ±{:.1}%",
        error * 100.0,
        tolerance * 100.0
    );
}

/// Erlang's loss formula B(c, a): the probability that an arrival finds all `c` servers busy
/// when the offered load is `a` erlangs (A. K. Erlang, 1917). The recursion
/// B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1)) is stable for any c.
fn erlang_b(a: f64, c: u32) -> f64 {
    (1..=c).fold(1.0, |b, k| a * b / (f64::from(k) + a * b))
}

#[test]
fn erlang_b_recursion_matches_known_values() {
    // The closed form for small c: B(1, a) = a / (1 + a); B(2, a) = (a²/2) / (1 + a + a²/2).
    assert!((erlang_b(3.0, 1) - 0.75).abs() < 1e-12);
    assert!((erlang_b(2.0, 2) - 2.0 / 5.0).abs() < 1e-12);
    // The reference file's own figure for a = 1000 x 2.016, c = 1000.
    assert!(
        (erlang_b(2016.0, 1000) - num(&reference(), &["saturation_erlang_b", "erlang_b"])).abs()
            < 1e-4
    );
}

/// The scenario file must be the model the reference figures were computed for.
#[test]
fn simfaas_baseline_scenario_is_the_reference_scenario() {
    let r = reference();
    let s = scenario(include_str!("../scenarios/simfaas-baseline.toml"));
    let f = &s.functions[0];
    let want = |key: &[&str]| {
        let mut path = vec!["baseline", "scenario"];
        path.extend_from_slice(key);
        num(&r, &path)
    };
    assert_eq!(s.duration_s, want(&["duration_s"]));
    assert_eq!(
        s.account.concurrency_limit as f64,
        want(&["concurrency_limit"])
    );
    assert_eq!(
        f.workload,
        engine::Workload::Poisson {
            rate_per_s: want(&["rate_per_s"])
        }
    );
    assert_eq!(
        f.handler_mean_ms(),
        want(&["handler_ms", "exponential_mean"])
    );
    assert_eq!(
        f.handler.cpu_ms,
        engine::Dist::Exponential {
            mean: want(&["handler_ms", "exponential_mean"])
        }
    );
    assert_eq!(f.init_mean_ms(), want(&["init_ms", "constant"]));
    assert_eq!(
        f.idle_expiry_s,
        engine::Dist::constant(want(&["idle_expiry_s"]))
    );
    assert_eq!(r["baseline"]["scenario"]["routing"], "newest_first");
    assert_eq!(f.routing, engine::scenario::Routing::NewestFirst);
    assert!(
        f.timeout_s * 1000.0 > 50.0 * f.handler_mean_ms(),
        "the timeout must never cut a handler short"
    );
}

/// SimFaaS baseline (CLOSER 2021; `baseline` in the reference file): Poisson arrivals at 0.9/s,
/// exponential handler time (mean 1,991 ms), constant Init 253 ms, a fixed 600 s idle expiry,
/// newest-first routing, 1,000,000 s. The reference is the mean of five SimFaaS seeds; the
/// tolerances are the file's own (10%, 3%, 2%). Over 5 seeds the engine's own spread is about
/// 1.5% on the cold-start ratio and 0.3% on the environment counts, so one seed would do;
/// a debug build runs 2, a release build 5.
#[test]
fn simfaas_baseline_matches_simfaas() {
    let r = reference();
    let s = scenario(include_str!("../scenarios/simfaas-baseline.toml"));
    let seeds = if DEBUG { 1..=2 } else { 1..=5 };
    let reports = run_seeds(&s, seeds);
    let fig = |f: fn(&Report) -> f64| mean(reports.iter().map(f));
    let reference = |key: &str| num(&r, &["baseline", "simfaas_5_seeds", key, "mean"]);
    let tolerance = |key: &str| percent(&r, &["baseline", "tolerance", key]);

    let cold = fig(|x| x.summary.cold_start_ratio);
    assert_close(
        "baseline cold_start_ratio",
        cold,
        reference("cold_start_ratio"),
        tolerance("cold_start_ratio"),
    );
    let envs = fig(|x| x.summary.env_count_mean);
    assert_close(
        "baseline env_count_mean",
        envs,
        reference("env_count_mean"),
        tolerance("env_count_mean"),
    );
    let busy = fig(|x| x.summary.busy_env_mean);
    assert_close(
        "baseline busy_env_mean",
        busy,
        reference("busy_env_mean"),
        tolerance("busy_env_mean"),
    );
    // Not in the file's tolerances, but published with the same runs: idle environments are
    // the difference of the two above (SimFaaS sd 0.25%), so 3% like the count; the mean
    // lifespan is noisy (SimFaaS sd 2.8% over 5 seeds), so 10%.
    let idle = fig(|x| x.summary.idle_env_mean);
    assert_close(
        "baseline idle_env_mean",
        idle,
        reference("idle_env_mean"),
        0.03,
    );
    let life = fig(|x| x.summary.env_lifespan_mean_s);
    assert_close(
        "baseline env_lifespan_mean_s",
        life,
        reference("env_lifespan_mean_s"),
        0.10,
    );
}

/// A scenario in SimFaaS's terms: Poisson arrivals, warm (handler) time exponential with mean
/// `warm_ms`, and a cold request taking `cold_ms` on average.
///
/// SimFaaS draws a cold request's whole time as one exponential of mean `cold_ms`; the engine's
/// cold time is Init + handler, so the closest equivalent is a constant Init of
/// `cold_ms - warm_ms` plus the same exponential handler: the mean cold time is the same, its
/// spread a little smaller. Means (and so the busy count, by Little's law) agree exactly;
/// cold-start probability and instance counts depend on the spread only weakly (measured below).
/// 1,769 MB is one vCPU, so the handler time is not stretched; the 900 s timeout never cuts a
/// 2 s mean short.
fn simfaas_equivalent(
    rate_per_s: f64,
    warm_ms: f64,
    cold_ms: f64,
    expiry_s: f64,
    duration_s: f64,
    limit: u32,
) -> Scenario {
    scenario(&format!(
        r#"
name = "SimFaaS equivalent"
duration_s = {duration_s}
bucket_s = {bucket}
[account]
concurrency_limit = {limit}
[[functions]]
name = "f"
runtime = "custom"
memory_mb = 1769
timeout_s = 900
routing = "newest_first"
idle_expiry_s = {expiry_s}
init_ms = {init}
handler.cpu_ms = {{ kind = "exponential", mean = {warm_ms} }}
workload = {{ kind = "poisson", rate_per_s = {rate_per_s} }}
"#,
        bucket = duration_s / 100.0,
        init = cold_ms - warm_ms,
    ))
}

/// SimFaaS keep-alive sweep (`keep_alive_sweep` in the reference file): 10 requests/s, warm
/// 2.016 s, cold 2.163 s, 100,000 s, idle expiry T = 10 s to 30 min. The run length stays at
/// 100,000 s: with long expiries most cold starts happen while the first ~40 environments are
/// created, so a shorter run would raise the cold-start ratio, not just make it noisier.
///
/// Each SimFaaS figure is a single run. Over 12 seeds the engine's cold-start count varies by
/// about 0.6% (T = 10 s), 1.5% (60 s), 4.5% (600 s) and 5-9% (1,200 and 1,800 s), with about as
/// many cold starts as SimFaaS, so SimFaaS's single figure carries about the same noise; the
/// tolerances are about 3 combined standard deviations. At T = 1,200 s the engine's 12-seed mean
/// is 0.000184 against SimFaaS's 0.000149 (-19%), while at T = 1,800 s they agree within 5%
/// (0.000130 against 0.000137): SimFaaS's T = 1,200 s figure looks low for its own sweep (it is
/// barely above its T = 1,800 s one), hence 40% there. Instance and busy counts are averages
/// over 100,000 s and agree within 1% for every T. The engine's figures with seed 1:
/// T 10: 0.02418, 28.74, 20.14; 60: 0.00379, 33.02, 20.11; 600: 0.000325, 37.50, 20.10;
/// 1,200: 0.000179, 38.65, 20.10; 1,800: 0.000119, 39.28, 20.10.
#[test]
fn keep_alive_sweep_matches_simfaas() {
    let r = reference();
    let sweep = &r["keep_alive_sweep"]["simfaas"];
    let seeds = if DEBUG { 1..=1 } else { 1..=3 };
    let tolerance_cold = |t: f64| match t {
        t if t <= 10.0 => 0.05,
        t if t <= 60.0 => 0.08,
        t if t <= 600.0 => 0.20,
        _ => 0.40,
    };
    let mut last: Option<(f64, f64)> = None;
    let mut expiries: Vec<(f64, &str)> = sweep
        .as_object()
        .expect("keep_alive_sweep.simfaas is a table")
        .keys()
        .map(|k| {
            (
                k.parse::<f64>().expect("expiry keys are numbers"),
                k.as_str(),
            )
        })
        .collect();
    expiries.sort_by(|a, b| a.0.total_cmp(&b.0));
    assert_eq!(expiries.len(), 5);
    for (t, key) in expiries {
        let s = simfaas_equivalent(10.0, 2016.0, 2163.0, t, 100_000.0, 1000);
        let reports = run_seeds(&s, seeds.clone());
        let p_cold = mean(reports.iter().map(|x| x.summary.cold_start_ratio));
        let inst = mean(reports.iter().map(|x| x.summary.env_count_mean));
        let running = mean(reports.iter().map(|x| x.summary.busy_env_mean));
        let want = |what: &str| num(sweep, &[key, what]);
        assert_close(
            &format!("keep-alive T={t} s p_cold"),
            p_cold,
            want("p_cold"),
            tolerance_cold(t),
        );
        assert_close(
            &format!("keep-alive T={t} s inst"),
            inst,
            want("inst"),
            0.03,
        );
        assert_close(
            &format!("keep-alive T={t} s running"),
            running,
            want("running"),
            0.01,
        );
        // The shape of the sweep: a longer keep-alive means fewer cold starts, more idle environments.
        if let Some((last_cold, last_inst)) = last {
            assert!(
                p_cold < last_cold,
                "T={t} s: p_cold {p_cold} should be below {last_cold}"
            );
            assert!(
                inst > last_inst,
                "T={t} s: inst {inst} should be above {last_inst}"
            );
        }
        last = Some((p_cold, inst));
    }
}

/// SimFaaS saturated run (`saturation_erlang_b` in the reference file): 1,000 requests/s, warm
/// 2.016 s, cold 2.163 s, 600 s expiry, a concurrency limit of 1,000, 1,000 s. The offered load
/// is about 2,016 erlangs on 1,000 servers, so about half the requests are refused: Erlang-B
/// gives 0.5045, SimFaaS 0.5039. Refusals are frequent, so the estimate is tight (seed to seed
/// 0.1%): 2%. Environments never expire (none is idle for 600 s), so exactly 1,000 are created,
/// as in SimFaaS; the instance and busy counts include the first second, when they are created.
#[test]
fn saturated_loss_system_matches_erlang_b_and_simfaas() {
    let r = reference();
    let sat = &r["saturation_erlang_b"];
    let s = simfaas_equivalent(1000.0, 2016.0, 2163.0, 600.0, 1000.0, 1000);
    let report = run(&s);
    let m = &report.summary;
    let offered = 1000.0 * (2.016 + m.cold_start_ratio * (2.163 - 2.016));
    assert_close(
        "saturated throttle ratio vs Erlang-B (reference file)",
        m.throttle_ratio,
        num(sat, &["erlang_b"]),
        0.02,
    );
    assert_close(
        "saturated throttle ratio vs Erlang-B (computed)",
        m.throttle_ratio,
        erlang_b(offered, 1000),
        0.02,
    );
    assert_close(
        "saturated throttle ratio vs SimFaaS",
        m.throttle_ratio,
        num(sat, &["simfaas", "p_reject"]),
        0.02,
    );
    assert_eq!(
        m.cold_starts as f64,
        num(sat, &["simfaas", "cold_starts"]),
        "one cold start per environment"
    );
    assert_close(
        "saturated p_cold",
        m.cold_start_ratio,
        num(sat, &["simfaas", "p_cold"]),
        0.02,
    );
    assert_close(
        "saturated inst",
        m.env_count_mean,
        num(sat, &["simfaas", "inst"]),
        0.01,
    );
    assert_close(
        "saturated running",
        m.busy_env_mean,
        num(sat, &["simfaas", "running"]),
        0.01,
    );
    assert_eq!(
        m.concurrency_max, 1000,
        "the account limit is reached and never exceeded"
    );
}

/// Little's law (J. D. C. Little, "A Proof for the Queuing Formula L = λW", Operations
/// Research 9(3), 1961): the mean number of busy environments equals the arrival rate times the
/// mean time an invocation holds its environment, Init included for a cold one:
/// L = λ (E[handler] + p_cold E[Init]). The means are worked out here from the scenario, not
/// taken from the engine. About 100,000 invocations per rate; the handler time's coefficient of
/// variation is 0.78, so L's standard error is about 0.4%: 2% is 5 standard errors.
#[test]
fn littles_law_holds() {
    // Handler: CPU exponential, mean 50 ms at one vCPU, stretched by 1769/512 at 512 MB
    // (docs/lambda-facts.md section 3), plus I/O uniform 20-80 ms (mean 50), which memory does not change.
    let handler_ms = 50.0 * 1769.0 / 512.0 + 50.0;
    // Init: python3.13 x86 preset, log-normal with p50 85 ms and p99 122 ms, whose mean is
    // p50 exp(σ²/2) with σ = ln(p99/p50) / z99; plus 100 ms of init code and a 5 MB package at
    // 10 ms per MB.
    let sigma = (122.0_f64 / 85.0).ln() / 2.326_347_874_040_841;
    let init_ms = 85.0 * (sigma * sigma / 2.0).exp() + 100.0 + 5.0 * 10.0;
    for rate in [1.0, 10.0, 100.0] {
        let duration_s = 100_000.0 / rate;
        // A 5 s keep-alive makes cold starts common at the low rates, so Init matters.
        let s = scenario(&format!(
            r#"
duration_s = {duration_s}
bucket_s = {bucket}
[[functions]]
name = "f"
runtime = "python3.13"
memory_mb = 512
timeout_s = 60
package_mb = 5
init_ms = 100
idle_expiry_s = 5
handler.cpu_ms = {{ kind = "exponential", mean = 50 }}
handler.io_ms = {{ kind = "uniform", min = 20, max = 80 }}
workload = {{ kind = "poisson", rate_per_s = {rate} }}
"#,
            bucket = duration_s / 100.0
        ));
        let m = run(&s).summary;
        assert_eq!(
            m.throttled, 0,
            "nothing may be refused for Little's law to hold as written"
        );
        let l = rate * (handler_ms + m.cold_start_ratio * init_ms) / 1000.0;
        eprintln!("rate {rate}/s: p_cold {:.4}", m.cold_start_ratio);
        assert_close(
            &format!("Little's law at {rate}/s: busy_env_mean vs λW"),
            m.busy_env_mean,
            l,
            0.02,
        );
        // The same law on the run's own sample path (realised arrivals and durations): only the
        // invocations still running at the end differ, so it holds far tighter.
        let sample = m.completed as f64 * m.duration_ms_mean / 1000.0 / m.duration_s;
        assert_close(
            &format!("Little's law at {rate}/s on the sample path"),
            m.busy_env_mean,
            sample,
            0.002,
        );
    }
}

/// Erlang-B (Erlang, 1917; a loss system's blocking probability depends on the service time
/// only through its mean): a function capped at c by reserved concurrency (the account keeps
/// 1,000, of which at least 100 stay unreserved), Poisson arrivals, exponential handler time of
/// 1 s, no Init, no client retries, and a scaling rate too high to matter: a throttle happens
/// exactly when c invocations are running, so the throttle ratio is B(c, a) with a = λ x 1 s.
///
/// Seed-to-seed spread of the throttle ratio over 1,000,000 arrivals, measured: (8, 10) 0.8%,
/// (12, 10) 0.5%, (60, 50) 0.9%, (110, 100) 1.3%, (90, 100) 4% (blocking is rare at that load and
/// comes in long spells). A release build averages 4 seeds and holds 2%, except 8% for (90, 100);
/// a debug build runs one seed and holds 5% (15% for (90, 100)). The 4-seed means agree with
/// Erlang-B within 0.1% in all five cases.
#[test]
fn loss_system_matches_erlang_b() {
    let seeds = if DEBUG { 1..=1 } else { 1..=4 };
    // (offered load a, servers c, tolerance in a release build, in a debug build)
    let cases = [
        (8.0, 10, 0.02, 0.05),
        (12.0, 10, 0.02, 0.05),
        (60.0, 50, 0.02, 0.05),
        (110.0, 100, 0.02, 0.05),
        (90.0, 100, 0.08, 0.15),
    ];
    for (a, c, release_tolerance, debug_tolerance) in cases {
        let tolerance = if DEBUG {
            debug_tolerance
        } else {
            release_tolerance
        };
        let duration_s = 1_000_000.0 / a;
        let s = scenario(&format!(
            r#"
duration_s = {duration_s}
bucket_s = {bucket}
[account]
concurrency_limit = 1000
scaling_envs = 1000000
[[functions]]
name = "f"
runtime = "custom"
memory_mb = 1769
timeout_s = 900
reserved_concurrency = {c}
handler.cpu_ms = {{ kind = "exponential", mean = 1000 }}
workload = {{ kind = "poisson", rate_per_s = {a} }}
"#,
            bucket = duration_s / 100.0
        ));
        let reports = run_seeds(&s, seeds.clone());
        for x in &reports {
            assert_eq!(
                x.summary.concurrency_max,
                u64::from(c),
                "reserved concurrency {c} is reached, never exceeded"
            );
            assert_eq!(x.summary.retries, 0);
        }
        let blocked = mean(reports.iter().map(|x| x.summary.throttle_ratio));
        assert_close(
            &format!("Erlang-B a={a} c={c}"),
            blocked,
            erlang_b(a, c),
            tolerance,
        );
    }
}
