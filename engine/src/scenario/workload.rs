//! Traffic: the arrival processes a function can receive, and the generator that draws them.
//!
//! Piecewise-constant rates (constant, Poisson, steps, burst, per-minute counts) are drawn
//! exactly, piece by piece; smooth rates (ramp, daily sine) by thinning. Each function's
//! arrivals come from their own random stream, so changing one knob of a function's
//! configuration never changes the traffic it receives (A/B runs share the same workload).

use rand::Rng;
use rand_distr::{Distribution, Exp};
use rand_pcg::Pcg64Mcg;
use serde::{Deserialize, Serialize};

use super::field::FieldError;
use crate::time::{s_to_us, US_PER_S};

/// Highest request rate a workload may ask for, per second per function.
pub const MAX_RATE_PER_S: f64 = 100_000.0;
/// Most arrival times or per-minute counts a replayed workload may hold.
pub const MAX_REPLAY_POINTS: usize = 1_000_000;

/// The traffic one function receives.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Workload {
    #[default]
    /// No traffic of its own: only other functions invoke it (see `Function::triggers`).
    None,
    /// Evenly spaced requests at a fixed rate.
    Constant {
        /// Requests per second.
        rate_per_s: f64,
    },
    /// Poisson arrivals (independent, memoryless) at a fixed mean rate.
    Poisson {
        /// Mean requests per second.
        rate_per_s: f64,
    },
    /// A rate that changes at given times.
    Steps {
        /// The rate from each time on; the first step should start at 0.
        steps: Vec<Step>,
        /// Poisson arrivals (true) or evenly spaced (false).
        #[serde(default = "yes")]
        poisson: bool,
    },
    /// A base rate with one burst on top.
    Burst {
        /// Rate outside the burst, per second.
        base_per_s: f64,
        /// Rate during the burst, per second.
        burst_per_s: f64,
        /// When the burst starts, in seconds.
        start_s: f64,
        /// How long it lasts, in seconds.
        length_s: f64,
        /// Poisson arrivals (true) or evenly spaced (false).
        #[serde(default = "yes")]
        poisson: bool,
    },
    /// A rate that moves linearly from one value to another.
    Ramp {
        /// Rate at `start_s` and before, per second.
        from_per_s: f64,
        /// Rate at `start_s + length_s` and after, per second.
        to_per_s: f64,
        /// When the ramp starts, in seconds.
        #[serde(default)]
        start_s: f64,
        /// How long it takes, in seconds.
        length_s: f64,
        /// Poisson arrivals (true) or evenly spaced (false).
        #[serde(default = "yes")]
        poisson: bool,
    },
    /// A daily cycle: `mean + amplitude * sin(2 pi (t - peak + period/4) / period)`.
    Sine {
        /// Mean rate, per second.
        mean_per_s: f64,
        /// Swing above and below the mean, per second (at most the mean).
        amplitude_per_s: f64,
        /// Length of one cycle, in seconds (a day by default).
        #[serde(default = "day_s")]
        period_s: f64,
        /// Time of the daily peak, in seconds from the start.
        #[serde(default)]
        peak_s: f64,
        /// Poisson arrivals (true) or evenly spaced (false).
        #[serde(default = "yes")]
        poisson: bool,
    },
    /// Your own traffic: the arrival time of each request, in seconds from the start.
    Replay {
        /// Arrival times, in non-decreasing order.
        arrivals_s: Vec<f64>,
    },
    /// Your own traffic as requests per minute (for example a CloudWatch Invocations export).
    PerMinute {
        /// Requests in each minute, from the start.
        counts: Vec<u32>,
        /// Poisson arrivals within each minute (true) or evenly spaced (false).
        #[serde(default)]
        poisson: bool,
    },
}

/// One step of a [`Workload::Steps`] schedule.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// When this rate starts, in seconds.
    pub at_s: f64,
    /// Requests per second from then on.
    pub rate_per_s: f64,
}

fn yes() -> bool {
    true
}
fn day_s() -> f64 {
    86_400.0
}

/// What the rows of a CSV the user brings mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvKind {
    /// One arrival time per row, in seconds (or an ISO-less timestamp in seconds).
    ArrivalTimes,
    /// One count of requests per row, each row a minute.
    PerMinuteCounts,
}

impl Workload {
    /// Reads "bring your own traffic" CSV text: one value per row, the last column of each
    /// row is used (so a `timestamp,value` export works); a header row and blank lines are
    /// skipped. Arrival times are shifted so the first is at 0.
    pub fn from_csv(text: &str, kind: CsvKind) -> Result<Workload, String> {
        let mut values = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let cell = line
                .rsplit([',', ';', '\t'])
                .next()
                .unwrap_or(line)
                .trim()
                .trim_matches('"');
            match cell.parse::<f64>() {
                Ok(v) if v.is_finite() && v >= 0.0 => values.push(v),
                Ok(v) => return Err(format!("line {}: expected a number >= 0, got {v}", i + 1)),
                Err(_) if values.is_empty() && i == 0 => continue, // a header row
                Err(_) => {
                    let cell = crate::clip::quote(cell);
                    return Err(format!("line {}: expected a number, got \"{cell}\"", i + 1));
                }
            }
            if values.len() > MAX_REPLAY_POINTS {
                return Err(format!(
                    "more than {MAX_REPLAY_POINTS} rows; use per-minute counts for long traces"
                ));
            }
        }
        if values.is_empty() {
            return Err("no numbers found: expected one value per line".into());
        }
        match kind {
            CsvKind::ArrivalTimes => {
                if let Some(w) = values.windows(2).position(|w| w[1] < w[0]) {
                    return Err(format!("arrival {} ({} s) comes before the one above it ({} s): times must not go backwards", w + 2, values[w + 1], values[w]));
                }
                let first = values[0];
                Ok(Workload::Replay {
                    arrivals_s: values.into_iter().map(|v| v - first).collect(),
                })
            }
            CsvKind::PerMinuteCounts => {
                let mut counts = Vec::with_capacity(values.len());
                for (i, v) in values.into_iter().enumerate() {
                    if v.fract() != 0.0 || v > f64::from(u32::MAX) {
                        return Err(format!(
                            "value {}: expected a whole count of requests, got {v}",
                            i + 1
                        ));
                    }
                    counts.push(v as u32);
                }
                Ok(Workload::PerMinute {
                    counts,
                    poisson: false,
                })
            }
        }
    }

    /// Checks the parameters, naming the field under `p`.
    pub fn validate(&self, p: &str, duration_s: f64) -> Result<(), FieldError> {
        let rate = |name: &str, v: f64| {
            if v.is_finite() && (0.0..=MAX_RATE_PER_S).contains(&v) {
                Ok(())
            } else {
                Err(FieldError::new(
                    &format!("{p}.{name}"),
                    &format!("expected 0 to {MAX_RATE_PER_S} requests per second, got {v}"),
                ))
            }
        };
        let time = |name: &str, v: f64| {
            if v.is_finite() && v >= 0.0 {
                Ok(())
            } else {
                Err(FieldError::new(
                    &format!("{p}.{name}"),
                    &format!("expected a time >= 0 s, got {v}"),
                ))
            }
        };
        match self {
            Workload::None => Ok(()),
            Workload::Constant { rate_per_s } | Workload::Poisson { rate_per_s } => {
                rate("rate_per_s", *rate_per_s)
            }
            Workload::Steps { steps, .. } => {
                if steps.is_empty() {
                    return Err(FieldError::new(
                        &format!("{p}.steps"),
                        "expected at least one { at_s, rate_per_s }",
                    ));
                }
                for (i, s) in steps.iter().enumerate() {
                    time(&format!("steps[{i}].at_s"), s.at_s)?;
                    rate(&format!("steps[{i}].rate_per_s"), s.rate_per_s)?;
                    if i > 0 && s.at_s < steps[i - 1].at_s {
                        return Err(FieldError::new(
                            &format!("{p}.steps[{i}].at_s"),
                            "steps must be in time order",
                        ));
                    }
                }
                Ok(())
            }
            Workload::Burst {
                base_per_s,
                burst_per_s,
                start_s,
                length_s,
                ..
            } => {
                rate("base_per_s", *base_per_s)?;
                rate("burst_per_s", *burst_per_s)?;
                time("start_s", *start_s)?;
                time("length_s", *length_s)
            }
            Workload::Ramp {
                from_per_s,
                to_per_s,
                start_s,
                length_s,
                ..
            } => {
                rate("from_per_s", *from_per_s)?;
                rate("to_per_s", *to_per_s)?;
                time("start_s", *start_s)?;
                time("length_s", *length_s)
            }
            Workload::Sine {
                mean_per_s,
                amplitude_per_s,
                period_s,
                peak_s,
                ..
            } => {
                rate("mean_per_s", *mean_per_s)?;
                if !(amplitude_per_s.is_finite()
                    && *amplitude_per_s >= 0.0
                    && amplitude_per_s <= mean_per_s)
                {
                    return Err(FieldError::new(
                        &format!("{p}.amplitude_per_s"),
                        &format!("expected 0 to mean_per_s ({mean_per_s}), got {amplitude_per_s}"),
                    ));
                }
                if !(period_s.is_finite() && *period_s >= 1.0) {
                    return Err(FieldError::new(
                        &format!("{p}.period_s"),
                        &format!("expected at least 1 s, got {period_s}"),
                    ));
                }
                time("peak_s", *peak_s)
            }
            Workload::Replay { arrivals_s } => {
                if arrivals_s.len() > MAX_REPLAY_POINTS {
                    return Err(FieldError::new(
                        &format!("{p}.arrivals_s"),
                        &format!(
                            "expected at most {MAX_REPLAY_POINTS} arrivals, got {}",
                            arrivals_s.len()
                        ),
                    ));
                }
                for (i, &t) in arrivals_s.iter().enumerate() {
                    time(&format!("arrivals_s[{i}]"), t)?;
                    if i > 0 && t < arrivals_s[i - 1] {
                        return Err(FieldError::new(
                            &format!("{p}.arrivals_s[{i}]"),
                            "arrival times must not go backwards",
                        ));
                    }
                }
                Ok(())
            }
            Workload::PerMinute { counts, .. } => {
                if counts.len() > MAX_REPLAY_POINTS {
                    return Err(FieldError::new(
                        &format!("{p}.counts"),
                        &format!(
                            "expected at most {MAX_REPLAY_POINTS} minutes, got {}",
                            counts.len()
                        ),
                    ));
                }
                if let Some(i) = counts
                    .iter()
                    .position(|&c| f64::from(c) > MAX_RATE_PER_S * 60.0)
                {
                    return Err(FieldError::new(
                        &format!("{p}.counts[{i}]"),
                        &format!(
                            "expected at most {} requests a minute",
                            MAX_RATE_PER_S * 60.0
                        ),
                    ));
                }
                let _ = duration_s;
                Ok(())
            }
        }
    }

    /// The request rate at time `t_s`, per second (0 outside a replay's data).
    pub fn rate_at(&self, t_s: f64) -> f64 {
        match self {
            Workload::Constant { rate_per_s } | Workload::Poisson { rate_per_s } => *rate_per_s,
            Workload::Steps { steps, .. } => steps
                .iter()
                .rev()
                .find(|s| s.at_s <= t_s)
                .map_or(0.0, |s| s.rate_per_s),
            Workload::Burst {
                base_per_s,
                burst_per_s,
                start_s,
                length_s,
                ..
            } => {
                if t_s >= *start_s && t_s < start_s + length_s {
                    *burst_per_s
                } else {
                    *base_per_s
                }
            }
            Workload::Ramp {
                from_per_s,
                to_per_s,
                start_s,
                length_s,
                ..
            } => {
                if t_s <= *start_s {
                    *from_per_s
                } else if t_s >= start_s + length_s || *length_s == 0.0 {
                    *to_per_s
                } else {
                    from_per_s + (to_per_s - from_per_s) * (t_s - start_s) / length_s
                }
            }
            Workload::Sine {
                mean_per_s,
                amplitude_per_s,
                period_s,
                peak_s,
                ..
            } => {
                let phase = 2.0 * std::f64::consts::PI * (t_s - peak_s) / period_s;
                (mean_per_s + amplitude_per_s * libm::cos(phase)).max(0.0)
            }
            Workload::None | Workload::Replay { .. } => 0.0,
            Workload::PerMinute { counts, .. } => {
                let minute = (t_s / 60.0) as usize;
                counts.get(minute).map_or(0.0, |&c| f64::from(c) / 60.0)
            }
        }
    }

    /// The highest rate the workload reaches, per second.
    fn rate_max(&self) -> f64 {
        match self {
            Workload::Constant { rate_per_s } | Workload::Poisson { rate_per_s } => *rate_per_s,
            Workload::Steps { steps, .. } => steps.iter().map(|s| s.rate_per_s).fold(0.0, f64::max),
            Workload::Burst {
                base_per_s,
                burst_per_s,
                ..
            } => base_per_s.max(*burst_per_s),
            Workload::Ramp {
                from_per_s,
                to_per_s,
                ..
            } => from_per_s.max(*to_per_s),
            Workload::Sine {
                mean_per_s,
                amplitude_per_s,
                ..
            } => mean_per_s + amplitude_per_s,
            Workload::None | Workload::Replay { .. } => 0.0,
            Workload::PerMinute { counts, .. } => counts
                .iter()
                .copied()
                .max()
                .map_or(0.0, |c| f64::from(c) / 60.0),
        }
    }

    /// The highest rate from `t_s` on, per second (a ramp only moves towards `to_per_s`).
    fn rate_max_after(&self, t_s: f64) -> f64 {
        match self {
            Workload::Ramp { to_per_s, .. } => self.rate_at(t_s).max(*to_per_s),
            _ => self.rate_max(),
        }
    }

    /// The next time after `t_s` at which a piecewise-constant rate changes (`None`: never, or smooth).
    fn next_change_after(&self, t_s: f64) -> Option<f64> {
        match self {
            Workload::Steps { steps, .. } => steps.iter().map(|s| s.at_s).find(|&a| a > t_s),
            Workload::Burst {
                start_s, length_s, ..
            } => [*start_s, start_s + length_s]
                .into_iter()
                .find(|&a| a > t_s),
            Workload::PerMinute { counts, .. } => {
                let next = (libm::floor(t_s / 60.0) + 1.0) * 60.0;
                (next <= counts.len() as f64 * 60.0).then_some(next)
            }
            _ => None,
        }
    }

    fn is_poisson(&self) -> bool {
        match self {
            Workload::None | Workload::Constant { .. } | Workload::Replay { .. } => false,
            Workload::Poisson { .. } => true,
            Workload::Steps { poisson, .. }
            | Workload::Burst { poisson, .. }
            | Workload::Ramp { poisson, .. }
            | Workload::Sine { poisson, .. }
            | Workload::PerMinute { poisson, .. } => *poisson,
        }
    }

    fn is_smooth(&self) -> bool {
        matches!(self, Workload::Ramp { .. } | Workload::Sine { .. })
    }

    /// Expected number of arrivals before `end_s` (for validation and sizing).
    pub fn expected_arrivals(&self, end_s: f64) -> f64 {
        match self {
            Workload::None => 0.0,
            Workload::Replay { arrivals_s } => {
                arrivals_s.iter().filter(|&&t| t < end_s).count() as f64
            }
            _ => {
                // Midpoint integration over at most 10,000 slices is plenty for sizing.
                let n = 10_000.0_f64.min(end_s.max(1.0));
                let dt = end_s / n;
                (0..n as usize)
                    .map(|i| self.rate_at((i as f64 + 0.5) * dt) * dt)
                    .sum()
            }
        }
    }
}

/// Draws the arrival times of one workload, one at a time, in microseconds.
#[derive(Debug, Clone)]
pub struct Arrivals {
    workload: Workload,
    rng: Pcg64Mcg,
    /// Current position, in seconds (f64 keeps sub-microsecond spacing exact enough).
    t_s: f64,
    end_s: f64,
    next_index: usize,
    /// Requests owed by a smooth, evenly spaced rate, as a fraction of one.
    credit: f64,
    /// `t_s` is the start of a piece of a piecewise-constant rate (no arrival in it yet).
    piece_start: bool,
}

impl Arrivals {
    /// A generator for `workload` until `end_us`, drawing from `rng`.
    pub fn new(workload: &Workload, rng: Pcg64Mcg, end_us: u64) -> Self {
        Arrivals {
            workload: workload.clone(),
            rng,
            t_s: 0.0,
            end_s: end_us as f64 / US_PER_S as f64,
            next_index: 0,
            credit: 0.0,
            piece_start: true,
        }
    }

    /// The next arrival time, or `None` when the workload has no more before the end.
    pub fn next_us(&mut self) -> Option<u64> {
        let t = self.next_s()?;
        (t < self.end_s).then(|| s_to_us(t))
    }

    fn next_s(&mut self) -> Option<f64> {
        if self.workload == Workload::None {
            return None;
        }
        if let Workload::Replay { arrivals_s } = &self.workload {
            let t = *arrivals_s.get(self.next_index)?;
            self.next_index += 1;
            return Some(t);
        }
        let poisson = self.workload.is_poisson();
        if self.workload.is_smooth() {
            return self.next_smooth(poisson);
        }
        // Piecewise constant: draw at the current piece's rate; a draw that crosses into the
        // next piece restarts there (exact for Poisson by memorylessness).
        loop {
            if self.t_s >= self.end_s {
                return None;
            }
            let rate = self.workload.rate_at(self.t_s);
            let change = self.workload.next_change_after(self.t_s);
            if rate <= 0.0 {
                self.t_s = change?;
                self.piece_start = true;
                continue;
            }
            let gap = if poisson {
                self.exp_gap(rate)
            } else if self.piece_start && matches!(self.workload, Workload::PerMinute { .. }) {
                // Evenly spaced counts sit in the middle of their slots, so a minute's last
                // request never lands on the boundary, where rounding could push it into the
                // next minute and lose it: each minute delivers exactly its count.
                0.5 / rate
            } else {
                1.0 / rate
            };
            let candidate = self.t_s + gap;
            match change {
                Some(c) if candidate >= c => {
                    self.t_s = c;
                    self.piece_start = true;
                }
                _ => {
                    self.t_s = candidate;
                    self.piece_start = false;
                    return Some(candidate);
                }
            }
        }
    }

    /// Thinning (Lewis and Shedler) for Poisson; for even spacing, one gap at the current rate.
    fn next_smooth(&mut self, poisson: bool) -> Option<f64> {
        loop {
            if self.t_s >= self.end_s {
                return None;
            }
            // Bound by the highest rate still to come, not the overall peak: after a ramp down
            // the work stays in proportion to the traffic, and a ramp down to 0 ends it (bounding
            // by the old peak spun for hours, uncounted by max_events, on a long run).
            let max = self.workload.rate_max_after(self.t_s);
            if max <= 0.0 {
                return None;
            }
            if poisson {
                self.t_s += self.exp_gap(max);
                if self.rng.gen::<f64>() * max < self.workload.rate_at(self.t_s) {
                    return Some(self.t_s);
                }
            } else {
                // Evenly spaced at a varying rate: the next arrival is where the integral of
                // the rate reaches one more request. Steps of about half a gap (midpoint rule),
                // never longer than 1/200 of the ramp or cycle, carry `credit` between arrivals.
                let scale = match &self.workload {
                    Workload::Sine { period_s, .. } => *period_s,
                    Workload::Ramp { length_s, .. } => length_s.max(1.0),
                    _ => 1.0,
                };
                let rate = self.workload.rate_at(self.t_s);
                let h = (0.5 / rate.max(1e-12)).clamp(0.1 / max, (scale / 200.0).max(0.1 / max));
                let gain = self.workload.rate_at(self.t_s + h / 2.0) * h;
                if self.credit + gain >= 1.0 {
                    self.t_s += h * (1.0 - self.credit) / gain;
                    self.credit = 0.0;
                    return Some(self.t_s);
                }
                self.credit += gain;
                self.t_s += h;
            }
        }
    }

    fn exp_gap(&mut self, rate: f64) -> f64 {
        match Exp::new(rate) {
            Ok(e) => e.sample(&mut self.rng),
            Err(_) => f64::INFINITY,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn count(w: &Workload, end_s: f64) -> usize {
        let mut a = Arrivals::new(w, Pcg64Mcg::seed_from_u64(9), s_to_us(end_s));
        std::iter::from_fn(|| a.next_us()).count()
    }

    #[test]
    fn arrival_counts_match_the_rate() {
        let cases = [
            (Workload::Constant { rate_per_s: 10.0 }, 1000.0, 10_000.0),
            (Workload::Poisson { rate_per_s: 10.0 }, 1000.0, 10_000.0),
            (
                Workload::Burst {
                    base_per_s: 1.0,
                    burst_per_s: 100.0,
                    start_s: 100.0,
                    length_s: 10.0,
                    poisson: true,
                },
                1000.0,
                1990.0,
            ),
            (
                Workload::Ramp {
                    from_per_s: 0.0,
                    to_per_s: 20.0,
                    start_s: 0.0,
                    length_s: 1000.0,
                    poisson: true,
                },
                1000.0,
                10_000.0,
            ),
            (
                Workload::Sine {
                    mean_per_s: 5.0,
                    amplitude_per_s: 5.0,
                    period_s: 100.0,
                    peak_s: 0.0,
                    poisson: false,
                },
                1000.0,
                5_000.0,
            ),
            (
                Workload::PerMinute {
                    counts: vec![60, 0, 600],
                    poisson: false,
                },
                1000.0,
                660.0,
            ),
        ];
        for (w, end, expected) in cases {
            let n = count(&w, end) as f64;
            assert!(
                (n - expected).abs() / expected < 0.03,
                "{w:?}: {n} arrivals, expected about {expected}"
            );
            assert!(
                (w.expected_arrivals(end) - expected).abs() / expected < 0.03,
                "{w:?} expected_arrivals"
            );
        }
    }

    #[test]
    fn evenly_spaced_minute_counts_arrive_exactly() {
        // A CloudWatch export of 10 minutes: every count must arrive, none lost to rounding at
        // a minute's end (2,340 a minute once lost about one request in two minutes).
        for (counts, end) in [
            (vec![2_340; 10], 600.0),
            (vec![7, 0, 13, 1, 60_000], 300.0),
            (vec![3; 4], 180.0),
        ] {
            let w = Workload::PerMinute {
                counts: counts.clone(),
                poisson: false,
            };
            let expected: u64 = counts
                .iter()
                .take((end / 60.0) as usize)
                .map(|&c| u64::from(c))
                .sum();
            assert_eq!(count(&w, end), expected as usize, "{counts:?} over {end} s");
        }
    }

    #[test]
    fn arrivals_never_go_backwards_and_stop_at_the_end() {
        let w = Workload::Steps {
            steps: vec![
                Step {
                    at_s: 0.0,
                    rate_per_s: 3.0,
                },
                Step {
                    at_s: 5.0,
                    rate_per_s: 0.0,
                },
                Step {
                    at_s: 8.0,
                    rate_per_s: 50.0,
                },
            ],
            poisson: true,
        };
        let mut a = Arrivals::new(&w, Pcg64Mcg::seed_from_u64(1), s_to_us(10.0));
        let times: Vec<u64> = std::iter::from_fn(|| a.next_us()).collect();
        assert!(times.windows(2).all(|p| p[0] <= p[1]));
        assert!(times.iter().all(|&t| t < s_to_us(10.0)));
        assert!(
            !times
                .iter()
                .any(|&t| (s_to_us(5.0)..s_to_us(8.0)).contains(&t)),
            "no traffic while the rate is 0"
        );
    }

    #[test]
    fn csv_reads_exports_and_names_bad_lines() {
        let w = Workload::from_csv("time_s\n10\n10.5\n12\n", CsvKind::ArrivalTimes).expect("valid");
        assert_eq!(
            w,
            Workload::Replay {
                arrivals_s: vec![0.0, 0.5, 2.0]
            }
        );
        let w = Workload::from_csv(
            "timestamp,Invocations\n2026-01-01T00:00,5\n2026-01-01T00:01,7\n",
            CsvKind::PerMinuteCounts,
        )
        .expect("valid");
        assert_eq!(
            w,
            Workload::PerMinute {
                counts: vec![5, 7],
                poisson: false
            }
        );
        let e = Workload::from_csv("1\n2\nabc\n", CsvKind::ArrivalTimes).unwrap_err();
        assert_eq!(e, "line 3: expected a number, got \"abc\"");
        // A huge cell is quoted in part.
        let e = Workload::from_csv(
            &format!("1\n{}\n", "é".repeat(1_000_000)),
            CsvKind::ArrivalTimes,
        )
        .unwrap_err();
        assert!(e.chars().count() < 200 && e.ends_with("\u{2026}\""), "{e}");
        let e = Workload::from_csv("5\n3\n", CsvKind::ArrivalTimes).unwrap_err();
        assert!(e.contains("must not go backwards"), "{e}");
        assert!(Workload::from_csv("", CsvKind::ArrivalTimes).is_err());
        assert!(Workload::from_csv("1.5\n", CsvKind::PerMinuteCounts)
            .unwrap_err()
            .contains("whole count"));
    }
}
