//! Temporary profiling helper (not committed).
#![allow(missing_docs)]
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let text = std::fs::read_to_string(&args[1]).unwrap();
    let n: usize = args.get(2).map_or(100, |s| s.parse().unwrap());
    let mut s = engine::Scenario::from_toml(&text).unwrap();
    if let Some(ev) = args.get(3) {
        s.record.events = ev.parse().unwrap();
    }
    let t = std::time::Instant::now();
    let mut ev = 0;
    for _ in 0..n {
        let r = engine::run(&s).unwrap();
        ev = r.summary.events;
    }
    let dt = t.elapsed().as_secs_f64() / n as f64;
    println!(
        "{} events, {:.2} ms/run, {:.1} M events/s",
        ev,
        dt * 1e3,
        ev as f64 / dt / 1e6
    );
}
