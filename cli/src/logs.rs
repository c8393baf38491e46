//! The log commands: `calibrate` (a log export in, a calibrated scenario out, with the fit and
//! the comparison printed) and `synth-log` (a scenario's run written as REPORT lines).

use calibrate::{Calibration, Comparison, DistFit, Options, Reading, Traffic};
use engine::Scenario;

/// `lambda-lab calibrate LOGFILE [--out FILE] [--cpu-share S] [--traffic T] [--rate R] [--seed N] [--cheapest-under MS]`.
pub fn calibrate(args: &[String]) -> Result<(), String> {
    let mut file = None;
    let mut out = None;
    let mut cheapest = None;
    let mut options = Options::default();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |what: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{a} needs {what}"))
        };
        match a.as_str() {
            "--out" => out = Some(value("a file name")?),
            "--cpu-share" => options.cpu_share = number(a, &value("a share from 0 to 1")?)?,
            "--rate" => options.rate_per_s = Some(number(a, &value("requests per second")?)?),
            "--cheapest-under" => cheapest = Some(number(a, &value("a p99 limit in ms")?)?),
            "--seed" => {
                let v = value("a number")?;
                options.seed = v
                    .parse()
                    .map_err(|_| format!("--seed: expected a whole number >= 0, got \"{v}\""))?;
            }
            "--traffic" => {
                options.traffic = match value("replay or per-minute")?.as_str() {
                    "replay" => Traffic::Replay,
                    "per-minute" => Traffic::PerMinute,
                    other => {
                        return Err(format!(
                            "--traffic: expected replay or per-minute, got \"{other}\""
                        ))
                    }
                }
            }
            other if other.starts_with("--") => {
                return Err(format!("unknown option {other}\n{}", super::USAGE))
            }
            other => file = Some(other.to_string()),
        }
    }
    let file = file.ok_or_else(|| super::USAGE.to_string())?;
    let text = std::fs::read_to_string(&file).map_err(|e| format!("{file}: {e}"))?;
    let reading = calibrate::parse(&text).map_err(|e| match e.line {
        Some(l) => format!("{file}:{l}: {}", e.message),
        None => format!("{file}: {}", e.message),
    })?;
    for p in &reading.problems {
        eprintln!("lambda-lab: {file}:{}: {}", p.line, p.message);
    }
    let c = calibrate::calibrate(&reading, &options).map_err(|e| format!("{file}: {e}"))?;
    print_reading(&file, &reading);
    print_fit(&c);
    if let Some(path) = &out {
        std::fs::write(path, &c.toml).map_err(|e| format!("{path}: {e}"))?;
        println!("\nWrote the calibrated scenario to {path}.");
    }
    let report = calibrate::run_recorded(&c.scenario).map_err(|e| format!("{file}: {e}"))?;
    print_comparison(&calibrate::compare(&reading, &report));
    if let Some(limit) = cheapest {
        let search =
            calibrate::cheapest_memory(&c.scenario, limit).map_err(|e| format!("{file}: {e}"))?;
        println!("\nMemory     p99 (ms)   cost (USD)   cold starts   timeouts");
        for r in &search.rows {
            let f = &r.figures;
            println!(
                "{:>6} MB {:>10.1} {:>12.6} {:>13} {:>10}{}",
                r.memory_mb,
                f.p99_ms,
                f.cost_usd,
                f.cold_starts,
                f.timeouts,
                if Some(r.memory_mb) == search.best_mb {
                    "  <- cheapest"
                } else {
                    ""
                }
            );
        }
        println!("{}", search.answer);
    }
    Ok(())
}

fn number(option: &str, v: &str) -> Result<f64, String> {
    v.parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
        .ok_or_else(|| format!("{option}: expected a number, got \"{v}\""))
}

fn print_reading(file: &str, r: &Reading) {
    let f = &r.facts;
    println!(
        "Read {file} as {}: {} REPORT lines, {} other lines skipped, {} malformed.",
        r.format.label(),
        group(f.invocations),
        group(r.skipped),
        group(r.malformed)
    );
    for note in &r.notes {
        println!("Note: {note}.");
    }
    println!(
        "Cold starts: {} of {} ({:.1}%). Memory: {} MB, max used {} MB.",
        group(f.cold_starts),
        group(f.invocations),
        f.cold_start_share * 100.0,
        f.memory_mb,
        f.memory_used.max
    );
    if let Some(rate) = f.rate_per_s {
        println!(
            "Traffic: {:.3} requests per second over {:.0} s, peak concurrency {}.",
            rate, f.span_s, f.concurrency_max
        );
    }
}

fn print_fit(c: &Calibration) {
    println!("\nFit (ms)            n       p50       p95       p99       max   log-normal p95 (vs the log's)");
    let row = |name: &str, fit: &DistFit| {
        let s = &fit.summary;
        let ln = match (fit.lognormal_p95, fit.lognormal_p95_diff_pct) {
            (Some(p), Some(d)) => format!("{p:.1} ({d:+.1}%)"),
            _ => "none".to_string(),
        };
        println!(
            "{name:<15} {:>6} {:>9.2} {:>9.2} {:>9.2} {:>9.2}   {ln}",
            group(s.count),
            s.p50,
            s.p95,
            s.p99,
            s.max
        );
    };
    row("Duration", &c.handler);
    match &c.init {
        Some(i) => row("Init Duration", i),
        None => println!("Init Duration   none: no cold start in the log"),
    }
    println!(
        "Handler split: {:.0}% CPU-bound (set with --cpu-share), measured at {} MB.",
        c.options.cpu_share * 100.0,
        c.memory_mb
    );
}

fn print_comparison(cmp: &Comparison) {
    println!("\nComparison               log     engine   difference");
    for r in &cmp.rows {
        let diff = r
            .diff_pct
            .map_or("n/a".to_string(), |d| format!("{d:+.1}%"));
        let name = if r.unit.is_empty() {
            r.figure.clone()
        } else {
            format!("{} ({})", r.figure, r.unit)
        };
        println!("{name:<22} {:>9.2} {:>10.2} {:>12}", r.log, r.engine, diff);
    }
    for note in &cmp.notes {
        println!("Note: {note}.");
    }
}

fn group(n: u64) -> String {
    engine::report::group(n)
}

/// `lambda-lab synth-log SCENARIO --out FILE [--max-memory-used-mb N]`.
pub fn synth_log(args: &[String]) -> Result<(), String> {
    let mut file = None;
    let mut out = None;
    let mut used_mb = 78;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--out" => out = Some(it.next().ok_or("--out needs a file name")?.clone()),
            "--max-memory-used-mb" => {
                let v = it.next().ok_or("--max-memory-used-mb needs a number")?;
                used_mb = v.parse().map_err(|_| {
                    format!("--max-memory-used-mb: expected a whole number of MB, got \"{v}\"")
                })?;
            }
            other if other.starts_with("--") => {
                return Err(format!("unknown option {other}\n{}", super::USAGE))
            }
            other => file = Some(other.to_string()),
        }
    }
    let (Some(file), Some(out)) = (file, out) else {
        return Err(super::USAGE.to_string());
    };
    let text = std::fs::read_to_string(&file).map_err(|e| format!("{file}: {e}"))?;
    let scenario = Scenario::from_toml(&text).map_err(|e| format!("{file}: {e}"))?;
    let log = calibrate::synth_log(&scenario, used_mb).map_err(|e| format!("{file}: {e}"))?;
    std::fs::write(&out, &log).map_err(|e| format!("{out}: {e}"))?;
    println!("Wrote {} REPORT lines to {out}.", log.lines().count());
    Ok(())
}
