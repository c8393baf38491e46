//! The errors a scenario can be refused with: the bottom of the schema's import graph (every
//! other schema module imports it, and it imports none of them).

use std::fmt;

/// A rule a scenario breaks: the field (as a path) and what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Path of the field, e.g. `functions[0].memory_mb`.
    pub field: String,
    /// What was expected and what was found.
    pub message: String,
}

impl FieldError {
    /// An error on `field`. Both are cut to a sensible length (a key or a value can be any
    /// length the user typed), on character boundaries.
    pub fn new(field: &str, message: &str) -> Self {
        FieldError {
            field: crate::clip::clip(field, crate::clip::MAX_MESSAGE_CHARS / 4),
            message: crate::clip::clip(message, crate::clip::MAX_MESSAGE_CHARS / 2),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for FieldError {}

/// Why a scenario file could not be used.
#[derive(Debug, Clone, PartialEq)]
pub enum ScenarioError {
    /// Not valid TOML, or a field of the wrong type, unknown or missing.
    Parse(String),
    /// Valid TOML that breaks a rule.
    Invalid(FieldError),
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScenarioError::Parse(m) => f.write_str(m.trim_end()),
            ScenarioError::Invalid(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for ScenarioError {}

impl From<FieldError> for ScenarioError {
    fn from(e: FieldError) -> Self {
        ScenarioError::Invalid(e)
    }
}
