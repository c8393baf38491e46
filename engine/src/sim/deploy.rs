//! Alias routing with weights, and CodeDeploy-style deployments that shift an alias's
//! traffic step by step and roll back when an alarm fires.

use rand::Rng;
use rand_pcg::Pcg64Mcg;

use super::triggers::unit_of;
use super::{stream, Purpose, Simulation};
use crate::report::{AlarmValue, DeploymentReport, DeploymentStatus, EventKind};
use crate::scenario::Scenario;
use crate::scenario::{preset_steps, Unit, VersionRef};
use crate::time::s_to_us;
use crate::time::us_to_s;

/// How an invoked alias splits its traffic.
#[derive(Debug, Clone)]
pub(super) struct Route {
    pub(super) primary: usize,
    pub(super) secondary: Option<usize>,
    pub(super) weight: f64,
    pub(super) rng: Pcg64Mcg,
}

impl Route {
    /// The unit one request goes to.
    pub(super) fn pick(&mut self) -> usize {
        match self.secondary {
            Some(s) if self.weight > 0.0 && self.rng.gen::<f64>() < self.weight => s,
            _ => self.primary,
        }
    }
}

#[derive(Debug, Clone)]
pub(super) struct DeployState {
    /// The function (its `$LATEST` unit index).
    pub(super) f: usize,
    /// The alias is the one its workload invokes.
    pub(super) routed: bool,
    pub(super) from: usize,
    pub(super) to: usize,
    pub(super) steps: Vec<(u64, f64)>,
    pub(super) alarms: Vec<usize>,
    pub(super) report: DeploymentReport,
}

impl Route {
    /// The routing of each function whose workload invokes an alias, per unit.
    pub(super) fn all(scenario: &Scenario, units: &[Unit]) -> Vec<Option<Route>> {
        let seed = scenario.seed;
        let n = units.len();
        let mut routes: Vec<Option<Route>> = vec![None; n];
        for (i, f) in scenario.functions.iter().enumerate() {
            let Some(alias) = f
                .invoke
                .as_ref()
                .and_then(|name| f.aliases.iter().find(|a| &a.name == name))
            else {
                continue;
            };
            routes[i] = Some(Route {
                primary: unit_of(units, i, alias.version),
                secondary: alias
                    .additional_version
                    .map(|v| unit_of(units, i, VersionRef::Number(v))),
                weight: alias.additional_weight,
                rng: stream(seed, i, Purpose::Alias),
            });
        }
        routes
    }
}

impl DeployState {
    /// The deployments of the scenario's functions, their steps in µs.
    pub(super) fn all(scenario: &Scenario, units: &[Unit]) -> Vec<DeployState> {
        let mut deploys = Vec::new();
        for (i, f) in scenario.functions.iter().enumerate() {
            let Some(d) = &f.deployment else { continue };
            let Some(alias) = f.aliases.iter().find(|a| a.name == d.alias) else {
                continue;
            };
            let from_version = match alias.version {
                VersionRef::Number(v) => v,
                VersionRef::Latest => 0,
            };
            let start = s_to_us(d.start_s);
            let steps: Vec<(u64, f64)> = preset_steps(&d.preset)
                .unwrap_or_default()
                .into_iter()
                .map(|(t, w)| (start.saturating_add(s_to_us(t)), w))
                .collect();
            deploys.push(DeployState {
                f: i,
                routed: f.invoke.as_deref() == Some(d.alias.as_str()),
                from: unit_of(units, i, alias.version),
                to: unit_of(units, i, VersionRef::Number(d.to_version)),
                steps,
                alarms: d
                    .alarms
                    .iter()
                    .filter_map(|a| scenario.alarms.iter().position(|b| &b.name == a))
                    .collect(),
                report: DeploymentReport {
                    function: f.name.clone(),
                    alias: d.alias.clone(),
                    from_version,
                    to_version: d.to_version,
                    preset: d.preset.clone(),
                    weights: vec![(0.0, 0.0)],
                    status: DeploymentStatus::Pending,
                    ended_s: None,
                    rollback_alarm: None,
                },
            });
        }
        deploys
    }
}

impl Simulation {
    /// A deployment's step: the alias's traffic shifts (unless it already rolled back).
    pub(super) fn deploy_step(&mut self, d: usize, step: usize) {
        let now = self.now;
        let Some(sys) = self.sys.as_deref_mut() else {
            return;
        };
        let dep = &mut sys.deploys[d];
        if matches!(
            dep.report.status,
            DeploymentStatus::RolledBack | DeploymentStatus::Succeeded
        ) {
            return;
        }
        let Some(&(_, weight)) = dep.steps.get(step) else {
            return;
        };
        // CodeDeploy stops a deployment whose alarm is in ALARM, whenever it is.
        if let Some(&a) = dep
            .alarms
            .iter()
            .find(|&&a| sys.alarms[a].state == AlarmValue::Alarm)
        {
            self.roll_back(d, a);
            return;
        }
        let Some(sys) = self.sys.as_deref_mut() else {
            return;
        };
        let dep = &mut sys.deploys[d];
        dep.report.status = DeploymentStatus::InProgress;
        dep.report.weights.push((us_to_s(now), weight));
        let done = weight >= 1.0;
        if done {
            dep.report.status = DeploymentStatus::Succeeded;
            dep.report.ended_s = Some(us_to_s(now));
        }
        let (f, from, to, routed) = (dep.f, dep.from, dep.to, dep.routed);
        if routed {
            if let Some(Some(r)) = sys.routes.get_mut(f) {
                if done {
                    r.primary = to;
                    r.secondary = None;
                    r.weight = 0.0;
                } else {
                    r.primary = from;
                    r.secondary = Some(to);
                    r.weight = weight;
                }
            }
        }
        self.record(
            f,
            EventKind::DeploymentShift {
                percent: libm::round(weight * 100.0) as u32,
            },
        );
    }

    /// Deployment `d` rolls back because alarm `a` is in ALARM: its alias points to the old
    /// version alone.
    pub(super) fn roll_back(&mut self, d: usize, a: usize) {
        let now = self.now;
        let Some(sys) = self.sys.as_deref_mut() else {
            return;
        };
        let name = sys.alarms[a].cfg.name.clone();
        let dep = &mut sys.deploys[d];
        dep.report.status = DeploymentStatus::RolledBack;
        dep.report.ended_s = Some(us_to_s(now));
        dep.report.rollback_alarm = Some(name);
        dep.report.weights.push((us_to_s(now), 0.0));
        let (f, from, routed) = (dep.f, dep.from, dep.routed);
        if routed {
            if let Some(Some(r)) = sys.routes.get_mut(f) {
                r.primary = from;
                r.secondary = None;
                r.weight = 0.0;
            }
        }
        self.record(f, EventKind::RolledBack { alarm: a as u16 });
    }
}
