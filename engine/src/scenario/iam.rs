//! IAM: a function's execution role, and what its code tries to do with it.
//!
//! A small evaluator for one identity-based policy, following the AWS IAM policy evaluation
//! logic (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html>):
//! an explicit deny in any statement wins; otherwise an allow in any statement allows; otherwise
//! the request is denied by default (an implicit deny). Actions and resources may hold the
//! wildcards `*` (any run of characters, including none) and `?` (exactly one character);
//! action names match case-insensitively, resources case-sensitively.
//!
//! ```
//! let iam: engine::scenario::Iam = toml::from_str(r#"
//!     [[policy.statements]]
//!     effect = "Allow"
//!     action = "s3:GetObject"
//!     resource = "arn:aws:s3:::orders/*"
//! "#).unwrap();
//! use engine::scenario::Decision;
//! assert_eq!(iam.policy.evaluate("s3:GetObject", "arn:aws:s3:::orders/1.json"), Decision::Allow);
//! assert_eq!(iam.policy.evaluate("s3:DeleteObject", "arn:aws:s3:::orders/1.json"), Decision::ImplicitDeny);
//! ```

use std::fmt;

use serde::de::{self, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use super::field::FieldError;

/// An identity-based policy: a list of statements.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// The statements, evaluated together (their order does not matter).
    #[serde(default)]
    pub statements: Vec<Statement>,
}

/// One statement of a policy: an effect on some actions over some resources.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Statement {
    /// Whether the statement allows or denies what it matches.
    pub effect: Effect,
    /// Action patterns such as `s3:GetObject`, `s3:Get*`, `s3:*` or `*` (a string or a list).
    #[serde(deserialize_with = "one_or_many")]
    pub action: Vec<String>,
    /// Resource patterns such as `arn:aws:s3:::orders/*` or `*` (a string or a list).
    #[serde(deserialize_with = "one_or_many")]
    pub resource: Vec<String>,
}

/// The effect of a statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Effect {
    /// The statement allows what it matches.
    Allow,
    /// The statement explicitly denies what it matches.
    Deny,
}

/// The outcome of evaluating a request against a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Decision {
    /// An Allow statement matched and no Deny statement did.
    Allow,
    /// A Deny statement matched; this overrides any allow.
    ExplicitDeny,
    /// No statement matched: denied by default.
    ImplicitDeny,
}

impl Decision {
    /// Whether the request goes through (only [`Decision::Allow`] does).
    pub fn allowed(self) -> bool {
        self == Decision::Allow
    }
}

/// What a function tries to do on each invocation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attempt {
    /// A concrete action, e.g. `s3:GetObject`.
    pub action: String,
    /// A concrete resource ARN, e.g. `arn:aws:s3:::orders/1.json`.
    pub resource: String,
    /// Fraction of invocations that try it (0-1), default 1.0.
    #[serde(default = "one")]
    pub rate: f64,
    /// A bug's action (its success is damage) rather than one the function needs (its denial
    /// fails the invocation). default false.
    #[serde(default)]
    pub harmful: bool,
}

/// A function's role and what its code tries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Iam {
    /// The execution role's identity-based policy.
    pub policy: Policy,
    /// What the function's code tries to do on each invocation.
    #[serde(default)]
    pub attempts: Vec<Attempt>,
}

fn one() -> f64 {
    1.0
}

/// Reads a string or an array of strings as a list (IAM allows either for Action and Resource).
fn one_or_many<'de, D>(deserializer: D) -> Result<Vec<String>, D::Error>
where
    D: Deserializer<'de>,
{
    struct OneOrMany;

    impl<'de> Visitor<'de> for OneOrMany {
        type Value = Vec<String>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string or an array of strings")
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(vec![v.to_string()])
        }

        fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
            Ok(vec![v])
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(s) = seq.next_element::<String>()? {
                out.push(s);
            }
            Ok(out)
        }
    }

    deserializer.deserialize_any(OneOrMany)
}

/// Whether `value` matches `pattern`, where `*` matches any run of characters (including none)
/// and `?` exactly one character; other characters match themselves, ignoring case when
/// `ignore_case` is set (as for IAM action names).
///
/// Iterative two-pointer matching with backtracking to the last `*`: O(pattern × value) time
/// in the worst case, constant extra stack.
pub fn wildcard_match(pattern: &str, value: &str, ignore_case: bool) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let v: Vec<char> = value.chars().collect();
    let same = |a: char, b: char| a == b || (ignore_case && a.to_lowercase().eq(b.to_lowercase()));
    let (mut pi, mut vi) = (0usize, 0usize);
    // The position of the last `*` seen and the value position it is currently matched up to.
    let mut star: Option<(usize, usize)> = None;
    while let Some(&vc) = v.get(vi) {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, vi));
                pi += 1;
            }
            Some(&pc) if pc == '?' || same(pc, vc) => {
                pi += 1;
                vi += 1;
            }
            _ => match star {
                // Let the last `*` swallow one more character and retry after it.
                Some((s, m)) => {
                    star = Some((s, m + 1));
                    pi = s + 1;
                    vi = m + 1;
                }
                None => return false,
            },
        }
    }
    while p.get(pi) == Some(&'*') {
        pi += 1;
    }
    pi == p.len()
}

impl Statement {
    /// Whether the statement covers `action` (case-insensitively) on `resource`
    /// (case-sensitively): some action pattern and some resource pattern must match.
    pub fn matches(&self, action: &str, resource: &str) -> bool {
        self.action.iter().any(|p| wildcard_match(p, action, true))
            && self
                .resource
                .iter()
                .any(|p| wildcard_match(p, resource, false))
    }
}

impl Policy {
    /// Decides whether the policy lets `action` on `resource` through: an explicit deny wins,
    /// then an allow, else the request is denied by default.
    pub fn evaluate(&self, action: &str, resource: &str) -> Decision {
        let matching = |effect: Effect| {
            self.statements
                .iter()
                .any(|s| s.effect == effect && s.matches(action, resource))
        };
        if matching(Effect::Deny) {
            Decision::ExplicitDeny
        } else if matching(Effect::Allow) {
            Decision::Allow
        } else {
            Decision::ImplicitDeny
        }
    }
}

/// Whether `s` is a service prefix: non-empty lowercase letters, digits and hyphens.
fn is_service(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn has_wildcard(s: &str) -> bool {
    s.contains(['*', '?'])
}

impl Iam {
    /// Checks the policy and attempts; `field` is the path of this table, e.g.
    /// `functions[2].iam`. The first broken rule is returned, naming its exact field.
    pub fn validate(&self, field: &str) -> Result<(), FieldError> {
        for (i, s) in self.policy.statements.iter().enumerate() {
            let st = format!("{field}.policy.statements[{i}]");
            if s.action.is_empty() {
                return Err(FieldError::new(
                    &format!("{st}.action"),
                    "expected at least one action",
                ));
            }
            if s.resource.is_empty() {
                return Err(FieldError::new(
                    &format!("{st}.resource"),
                    "expected at least one resource",
                ));
            }
            for (j, a) in s.action.iter().enumerate() {
                let ok = a == "*"
                    || a.split_once(':')
                        .is_some_and(|(svc, name)| is_service(svc) && !name.is_empty());
                if !ok {
                    return Err(FieldError::new(
                        &format!("{st}.action[{j}]"),
                        &format!(
                            "expected \"*\" or \"service:Action\" (a service prefix of lowercase \
                             letters, digits and hyphens, e.g. \"s3:GetObject\" or \"s3:Get*\"), \
                             got {a:?}"
                        ),
                    ));
                }
            }
            for (j, r) in s.resource.iter().enumerate() {
                if !(r == "*" || r.starts_with("arn:")) {
                    return Err(FieldError::new(
                        &format!("{st}.resource[{j}]"),
                        &format!(
                            "expected \"*\" or an ARN starting with \"arn:\" \
                             (e.g. \"arn:aws:s3:::orders/*\"), got {r:?}"
                        ),
                    ));
                }
            }
        }
        for (k, a) in self.attempts.iter().enumerate() {
            let at = format!("{field}.attempts[{k}]");
            let concrete_action = !has_wildcard(&a.action)
                && a.action
                    .split_once(':')
                    .is_some_and(|(svc, name)| is_service(svc) && !name.is_empty());
            if !concrete_action {
                return Err(FieldError::new(
                    &format!("{at}.action"),
                    &format!(
                        "expected a concrete \"service:Action\" without wildcards \
                         (e.g. \"s3:GetObject\"), got {:?}",
                        a.action
                    ),
                ));
            }
            let concrete_resource = a.resource.starts_with("arn:") && !has_wildcard(&a.resource);
            if !concrete_resource {
                return Err(FieldError::new(
                    &format!("{at}.resource"),
                    &format!(
                        "expected a concrete ARN starting with \"arn:\" without wildcards \
                         (e.g. \"arn:aws:s3:::orders/1.json\"), got {:?}",
                        a.resource
                    ),
                ));
            }
            if !(a.rate.is_finite() && (0.0..=1.0).contains(&a.rate)) {
                return Err(FieldError::new(
                    &format!("{at}.rate"),
                    &format!("expected a fraction from 0 to 1, got {}", a.rate),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn stmt(effect: Effect, action: &[&str], resource: &[&str]) -> Statement {
        Statement {
            effect,
            action: action.iter().map(|s| s.to_string()).collect(),
            resource: resource.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn policy(statements: Vec<Statement>) -> Policy {
        Policy { statements }
    }

    fn parse(text: &str) -> Iam {
        toml::from_str(text).unwrap()
    }

    fn err(text: &str) -> FieldError {
        parse(text).validate("functions[2].iam").unwrap_err()
    }

    // Evaluation logic: "By default, all requests are implicitly denied" -- with no statement
    // matching (here, no statement at all) the result is an implicit deny.
    #[test]
    fn empty_policy_denies_implicitly() {
        let p = Policy::default();
        assert_eq!(
            p.evaluate("s3:GetObject", "arn:aws:s3:::orders/1"),
            Decision::ImplicitDeny
        );
        assert!(!Decision::ImplicitDeny.allowed());
        assert!(!Decision::ExplicitDeny.allowed());
        assert!(Decision::Allow.allowed());
    }

    // Evaluation logic: "An explicit allow in an identity-based ... policy overrides this
    // default" -- an Allow statement naming the action and resource exactly allows it.
    #[test]
    fn exact_allow() {
        let p = policy(vec![stmt(
            Effect::Allow,
            &["s3:GetObject"],
            &["arn:aws:s3:::orders/1.json"],
        )]);
        assert_eq!(
            p.evaluate("s3:GetObject", "arn:aws:s3:::orders/1.json"),
            Decision::Allow
        );
        assert_eq!(
            p.evaluate("s3:GetObject", "arn:aws:s3:::orders/2.json"),
            Decision::ImplicitDeny
        );
        assert_eq!(
            p.evaluate("s3:PutObject", "arn:aws:s3:::orders/1.json"),
            Decision::ImplicitDeny
        );
    }

    // Action element: "You can use wildcards (*) to specify multiple actions" -- "s3:Get*"
    // covers every action beginning with "Get", and "*" alone covers all actions.
    #[test]
    fn action_wildcards() {
        let p = policy(vec![stmt(Effect::Allow, &["s3:Get*"], &["*"])]);
        assert_eq!(
            p.evaluate("s3:GetObject", "arn:aws:s3:::a/b"),
            Decision::Allow
        );
        assert_eq!(
            p.evaluate("s3:PutObject", "arn:aws:s3:::a/b"),
            Decision::ImplicitDeny
        );
        let all = policy(vec![stmt(Effect::Allow, &["*"], &["*"])]);
        for a in ["s3:PutObject", "dynamodb:PutItem", "sqs:SendMessage"] {
            assert_eq!(
                all.evaluate(a, "arn:aws:sqs:us-east-1:1:q"),
                Decision::Allow
            );
        }
    }

    // Resource element: "You can use wildcard characters (* and ?) within any ARN segment
    // ... A question mark (?) represents any single character."
    #[test]
    fn question_mark_matches_one_character() {
        let p = policy(vec![stmt(
            Effect::Allow,
            &["s3:GetObject"],
            &["arn:aws:s3:::orders/?.json"],
        )]);
        assert_eq!(
            p.evaluate("s3:GetObject", "arn:aws:s3:::orders/1.json"),
            Decision::Allow
        );
        assert_eq!(
            p.evaluate("s3:GetObject", "arn:aws:s3:::orders/12.json"),
            Decision::ImplicitDeny
        );
        assert_eq!(
            p.evaluate("s3:GetObject", "arn:aws:s3:::orders/.json"),
            Decision::ImplicitDeny
        );
    }

    // Action element: action names are case-insensitive ("s3:getobject" equals
    // "s3:GetObject"); Resource element: ARNs are case-sensitive.
    #[test]
    fn actions_ignore_case_resources_do_not() {
        let p = policy(vec![stmt(
            Effect::Allow,
            &["S3:getobject"],
            &["arn:aws:s3:::Orders/*"],
        )]);
        assert_eq!(
            p.evaluate("s3:GetObject", "arn:aws:s3:::Orders/1"),
            Decision::Allow
        );
        assert_eq!(
            p.evaluate("s3:GETOBJECT", "arn:aws:s3:::Orders/1"),
            Decision::Allow
        );
        assert_eq!(
            p.evaluate("s3:GetObject", "arn:aws:s3:::orders/1"),
            Decision::ImplicitDeny
        );
    }

    // Evaluation logic: "An explicit deny in any policy overrides any allows" -- whatever the
    // order of the statements.
    #[test]
    fn explicit_deny_wins_in_any_order() {
        let allow = stmt(Effect::Allow, &["s3:*"], &["*"]);
        let deny = stmt(
            Effect::Deny,
            &["s3:DeleteObject"],
            &["arn:aws:s3:::orders/*"],
        );
        for p in [
            policy(vec![allow.clone(), deny.clone()]),
            policy(vec![deny.clone(), allow.clone()]),
        ] {
            assert_eq!(
                p.evaluate("s3:DeleteObject", "arn:aws:s3:::orders/1"),
                Decision::ExplicitDeny
            );
            assert_eq!(
                p.evaluate("s3:GetObject", "arn:aws:s3:::orders/1"),
                Decision::Allow
            );
            // The deny only covers what it matches.
            assert_eq!(
                p.evaluate("s3:DeleteObject", "arn:aws:s3:::logs/1"),
                Decision::Allow
            );
        }
        // A deny that matches nothing leaves the default (implicit) deny in place.
        assert_eq!(
            policy(vec![deny]).evaluate("s3:GetObject", "arn:aws:s3:::orders/1"),
            Decision::ImplicitDeny
        );
    }

    // Least privilege: with "s3:*" on "*" (Action and Resource wildcards) a buggy
    // s3:DeleteObject on any bucket is allowed; a role scoped to s3:GetObject on the orders
    // bucket denies it by default.
    #[test]
    fn broad_role_lets_damage_through_narrow_role_stops_it() {
        let broad = policy(vec![stmt(Effect::Allow, &["s3:*"], &["*"])]);
        let narrow = policy(vec![stmt(
            Effect::Allow,
            &["s3:GetObject"],
            &["arn:aws:s3:::orders/*"],
        )]);
        for bucket in ["arn:aws:s3:::orders/1.json", "arn:aws:s3:::billing/x"] {
            assert!(broad.evaluate("s3:DeleteObject", bucket).allowed());
            assert_eq!(
                narrow.evaluate("s3:DeleteObject", bucket),
                Decision::ImplicitDeny
            );
        }
        assert!(narrow
            .evaluate("s3:GetObject", "arn:aws:s3:::orders/1.json")
            .allowed());
    }

    // Wildcard semantics ("*" any run of characters including none, "?" exactly one):
    // edge cases of the matcher.
    #[test]
    fn matcher_edge_cases() {
        // Empty pattern matches only the empty value.
        assert!(wildcard_match("", "", false));
        assert!(!wildcard_match("", "a", false));
        // "*" and "**" match anything, including the empty string.
        assert!(wildcard_match("*", "", false));
        assert!(wildcard_match("**", "", false));
        assert!(wildcard_match("**", "abc", false));
        assert!(wildcard_match("a**c", "abbbc", false));
        // Trailing "*" matches an empty rest.
        assert!(wildcard_match("abc*", "abc", false));
        assert!(wildcard_match("abc*", "abcdef", false));
        assert!(!wildcard_match("abc*", "ab", false));
        // Pattern longer than the value.
        assert!(!wildcard_match("abcd", "abc", false));
        assert!(!wildcard_match("abc?", "abc", false));
        assert!(!wildcard_match("?", "", false));
        // Backtracking: the first "*" must not swallow too much or too little.
        assert!(wildcard_match("*a*b", "xaybzb", false));
        assert!(!wildcard_match("*a*b", "xaybzc", false));
        assert!(wildcard_match("a*b?d", "a-b-bcd", false));
        // "?" counts characters, not bytes.
        assert!(wildcard_match("?", "é", false));
        // Case.
        assert!(wildcard_match("ABC", "abc", true));
        assert!(!wildcard_match("ABC", "abc", false));
    }

    // Action and Resource elements: each may be a single string or an array of strings.
    #[test]
    fn parses_action_as_string_or_list() {
        let iam = parse(
            r#"
            [[policy.statements]]
            effect = "Allow"
            action = "s3:GetObject"
            resource = "arn:aws:s3:::orders/*"

            [[policy.statements]]
            effect = "Deny"
            action = ["s3:DeleteObject", "s3:PutObject"]
            resource = ["arn:aws:s3:::orders/*", "arn:aws:s3:::billing/*"]

            [[attempts]]
            action = "s3:GetObject"
            resource = "arn:aws:s3:::orders/1.json"

            [[attempts]]
            action = "s3:DeleteObject"
            resource = "arn:aws:s3:::orders/1.json"
            rate = 0.01
            harmful = true
            "#,
        );
        assert_eq!(
            iam.policy.statements,
            vec![
                stmt(Effect::Allow, &["s3:GetObject"], &["arn:aws:s3:::orders/*"]),
                stmt(
                    Effect::Deny,
                    &["s3:DeleteObject", "s3:PutObject"],
                    &["arn:aws:s3:::orders/*", "arn:aws:s3:::billing/*"]
                ),
            ]
        );
        assert_eq!(iam.attempts.len(), 2);
        assert_eq!(
            iam.attempts.first().map(|a| (a.rate, a.harmful)),
            Some((1.0, false))
        );
        assert_eq!(
            iam.attempts.get(1).map(|a| (a.rate, a.harmful)),
            Some((0.01, true))
        );
        assert_eq!(iam.validate("functions[0].iam"), Ok(()));
        // Round trip through TOML (lists are written as arrays).
        let text = toml::to_string(&iam).unwrap();
        assert_eq!(toml::from_str::<Iam>(&text).unwrap(), iam);
        // A number where a string or list is expected is a parse error.
        assert!(toml::from_str::<Iam>(
            "[[policy.statements]]\neffect = \"Allow\"\naction = 3\nresource = \"*\"\n"
        )
        .is_err());
    }

    // Policy grammar: Effect is exactly "Allow" or "Deny"; anything else is rejected at parse.
    #[test]
    fn unknown_effect_fails_to_parse() {
        let e = toml::from_str::<Iam>(
            "[[policy.statements]]\neffect = \"Permit\"\naction = \"s3:*\"\nresource = \"*\"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("effect") || (e.contains("Allow") && e.contains("Deny")),
            "{e}"
        );
        // Unknown fields are rejected too.
        assert!(toml::from_str::<Iam>(
            "[[policy.statements]]\neffect = \"Allow\"\naction = \"s3:*\"\nresource = \"*\"\nprincipal = \"*\"\n"
        )
        .is_err());
    }

    // Action element: "service:action" with a service prefix (e.g. "s3", "iam", "dynamodb");
    // Resource element: an ARN or "*"; each statement needs an Action and a Resource.
    #[test]
    fn validation_names_the_exact_field() {
        let statements = |body: &str| {
            format!(
                "[[policy.statements]]\neffect = \"Allow\"\naction = \"s3:GetObject\"\nresource = \"*\"\n\
                 [[policy.statements]]\neffect = \"Allow\"\n{body}\n"
            )
        };
        let cases = [
            (
                statements("action = []\nresource = \"*\""),
                "functions[2].iam.policy.statements[1].action",
            ),
            (
                statements("action = \"s3:GetObject\"\nresource = []"),
                "functions[2].iam.policy.statements[1].resource",
            ),
            (
                statements("action = [\"GetObject\"]\nresource = \"*\""),
                "functions[2].iam.policy.statements[1].action[0]",
            ),
            (
                statements("action = [\"s3:GetObject\", \"S3:GetObject\"]\nresource = \"*\""),
                "functions[2].iam.policy.statements[1].action[1]",
            ),
            (
                statements("action = \"s3:\"\nresource = \"*\""),
                "functions[2].iam.policy.statements[1].action[0]",
            ),
            (
                statements("action = \":GetObject\"\nresource = \"*\""),
                "functions[2].iam.policy.statements[1].action[0]",
            ),
            (
                statements("action = \"s3:*\"\nresource = [\"*\", \"orders/*\"]"),
                "functions[2].iam.policy.statements[1].resource[1]",
            ),
        ];
        for (text, field) in &cases {
            let e = err(text);
            assert_eq!(&e.field, field, "{text}");
            assert!(e.message.starts_with("expected"), "{}", e.message);
        }
        let attempt = |body: &str| {
            format!(
                "[[policy.statements]]\neffect = \"Allow\"\naction = \"*\"\nresource = \"*\"\n\
                 [[attempts]]\naction = \"s3:GetObject\"\nresource = \"arn:aws:s3:::a/b\"\n\
                 [[attempts]]\n{body}\n"
            )
        };
        let cases = [
            (
                attempt("action = \"s3:Get*\"\nresource = \"arn:aws:s3:::a/b\""),
                "functions[2].iam.attempts[1].action",
            ),
            (
                attempt("action = \"*\"\nresource = \"arn:aws:s3:::a/b\""),
                "functions[2].iam.attempts[1].action",
            ),
            (
                attempt("action = \"s3:GetObject\"\nresource = \"arn:aws:s3:::a/*\""),
                "functions[2].iam.attempts[1].resource",
            ),
            (
                attempt("action = \"s3:GetObject\"\nresource = \"*\""),
                "functions[2].iam.attempts[1].resource",
            ),
            (
                attempt("action = \"s3:GetObject\"\nresource = \"arn:aws:s3:::a/b\"\nrate = 1.5"),
                "functions[2].iam.attempts[1].rate",
            ),
            (
                attempt("action = \"s3:GetObject\"\nresource = \"arn:aws:s3:::a/b\"\nrate = -0.1"),
                "functions[2].iam.attempts[1].rate",
            ),
            (
                attempt("action = \"s3:GetObject\"\nresource = \"arn:aws:s3:::a/b\"\nrate = nan"),
                "functions[2].iam.attempts[1].rate",
            ),
        ];
        for (text, field) in &cases {
            let e = err(text);
            assert_eq!(&e.field, field, "{text}");
            assert!(e.message.starts_with("expected"), "{}", e.message);
        }
    }

    /// Reference matcher for the property test: the textbook dynamic programme over prefixes.
    fn reference_match(pattern: &str, value: &str) -> bool {
        let p: Vec<char> = pattern.chars().collect();
        let v: Vec<char> = value.chars().collect();
        // m[j] = whether the pattern prefix seen so far matches v[..j].
        let mut m = vec![false; v.len() + 1];
        m[0] = true;
        for &pc in &p {
            let mut next = vec![false; v.len() + 1];
            for j in 0..=v.len() {
                next[j] = match pc {
                    '*' => m[j] || (j > 0 && next[j - 1]),
                    '?' => j > 0 && m[j - 1],
                    c => j > 0 && m[j - 1] && v[j - 1] == c,
                };
            }
            m = next;
        }
        m[v.len()]
    }

    proptest! {
        // Wildcard semantics: the matcher is total (never panics), a pattern without wildcards
        // matches exactly the value equal to it (in either case mode), and "*" matches every
        // string (it stands for any run of characters, including none).
        #[test]
        fn matcher_is_total_and_literal_patterns_match_themselves(
            pattern in "[a-c*?é]{0,12}",
            value in "[a-cé]{0,16}",
            any in any::<String>(),
            literal in "[^*?]{0,24}",
        ) {
            let _ = wildcard_match(&pattern, &value, false);
            let _ = wildcard_match(&pattern, &value, true);
            let _ = wildcard_match(&any, &value, false);
            prop_assert!(wildcard_match(&literal, &literal, false));
            prop_assert!(wildcard_match(&literal, &literal, true));
            prop_assert!(wildcard_match("*", &any, false));
            prop_assert!(wildcard_match("*", &literal, true));
            // The iterative matcher agrees with the textbook definition.
            prop_assert_eq!(
                wildcard_match(&pattern, &value, false),
                reference_match(&pattern, &value)
            );
        }
    }
}
