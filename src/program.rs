//! From source text to a graph in one call, with one error type for both stages.

use crate::graph::{Graph, LowerError, lower};
use crate::lang::{ParseError, Span, parse};
use thiserror::Error;

/// Anything wrong with a program's text, with the span the editor underlines.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum ProgramError {
    #[error(transparent)]
    Parse(#[from] ParseError),
    #[error(transparent)]
    Lower(#[from] LowerError),
}

impl ProgramError {
    pub fn span(&self) -> Span {
        match self {
            ProgramError::Parse(e) => e.span,
            ProgramError::Lower(e) => e.span(),
        }
    }

    pub fn hint(&self) -> Option<String> {
        match self {
            ProgramError::Parse(e) => e.hint.clone(),
            ProgramError::Lower(e) => e.hint(),
        }
    }
}

/// Parse and lower `source` into a graph.
pub fn compile(source: &str) -> Result<Graph, ProgramError> {
    Ok(lower(&parse(source)?)?)
}
