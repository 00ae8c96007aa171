//! Why a statistic could not be computed: plain data errors, turned into user-facing
//! diagnostics by the layers above.

/// A statistic that cannot be computed from the data it was given.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct StatsError {
    /// What is wrong with the data.
    pub message: String,
    /// What the caller can change, if anything.
    pub hint: Option<String>,
}

impl StatsError {
    /// An error without a hint.
    pub fn new(message: impl Into<String>) -> StatsError {
        StatsError {
            message: message.into(),
            hint: None,
        }
    }

    /// Adds what the caller can change.
    pub fn with_hint(mut self, hint: impl Into<String>) -> StatsError {
        self.hint = Some(hint.into());
        self
    }
}
