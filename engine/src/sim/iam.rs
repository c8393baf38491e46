//! What a function's code tries on each invocation, and whether its role allows it.

use rand::Rng;
use rand_pcg::Pcg64Mcg;

use super::tally::Tally;
use crate::scenario::Function;

/// One AWS action the code tries.
#[derive(Debug, Clone, Copy)]
pub(super) struct IamAttempt {
    /// How often it is tried per invocation (1: always).
    pub(super) rate: f64,
    /// It is a bug's harmful call, not one the function needs.
    pub(super) harmful: bool,
    /// The role allows it (decided once: the policy does not change during a run).
    pub(super) allowed: bool,
}

impl IamAttempt {
    /// What function `cfg`'s code tries, each decided by its role's policy.
    pub(super) fn of(cfg: &Function) -> Vec<IamAttempt> {
        cfg.iam
            .as_ref()
            .map(|iam| {
                iam.attempts
                    .iter()
                    .map(|a| IamAttempt {
                        rate: a.rate,
                        harmful: a.harmful,
                        allowed: iam.policy.evaluate(&a.action, &a.resource).allowed(),
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// The AWS calls one handler run makes, drawn from `service`, each counted with `count`.
/// Returns whether the run fails: a needed call the role denies fails it (AccessDenied); a
/// bug's harmful call the role allows is damage done, not a failure.
#[inline(always)]
pub(super) fn calls(
    attempts: &[IamAttempt],
    service: &mut Pcg64Mcg,
    mut count: impl FnMut(Tally),
) -> bool {
    let mut failed = false;
    for a in attempts {
        if a.rate < 1.0 && service.gen::<f64>() >= a.rate {
            continue;
        }
        match (a.allowed, a.harmful) {
            (true, harmful) => {
                count(Tally::IamAllowed);
                if harmful {
                    count(Tally::IamHarmfulAllowed);
                }
            }
            (false, harmful) => {
                count(Tally::IamDenied);
                failed |= !harmful;
            }
        }
    }
    failed
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn a_denied_needed_call_fails_and_a_denied_harmful_one_does_not() {
        let mut rng = Pcg64Mcg::seed_from_u64(1);
        let needed = IamAttempt {
            rate: 1.0,
            harmful: false,
            allowed: false,
        };
        let harmful = IamAttempt {
            rate: 1.0,
            harmful: true,
            allowed: false,
        };
        let mut seen = Vec::new();
        assert!(calls(&[needed], &mut rng, |t| seen.push(t)));
        assert!(!calls(&[harmful], &mut rng, |t| seen.push(t)));
        assert_eq!(seen, vec![Tally::IamDenied, Tally::IamDenied]);
    }

    #[test]
    fn an_allowed_harmful_call_is_counted_twice() {
        let mut rng = Pcg64Mcg::seed_from_u64(1);
        let harmful = IamAttempt {
            rate: 1.0,
            harmful: true,
            allowed: true,
        };
        let mut seen = Vec::new();
        assert!(!calls(&[harmful], &mut rng, |t| seen.push(t)));
        assert_eq!(seen, vec![Tally::IamAllowed, Tally::IamHarmfulAllowed]);
    }
}
