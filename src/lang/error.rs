//! Parse errors: what went wrong, where (a byte span), and an optional hint.

use super::span::Span;
use thiserror::Error;

/// A syntax or limit error in a program, pointing at the offending source span.
#[derive(Clone, Debug, PartialEq, Error)]
#[error("{message}")]
pub struct ParseError {
    pub message: String,
    pub span: Span,
    /// A suggestion such as "did you mean `x1 * x2`?".
    pub hint: Option<String>,
}

impl ParseError {
    pub fn new(message: impl Into<String>, span: Span) -> Self {
        ParseError {
            message: message.into(),
            span,
            hint: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}
