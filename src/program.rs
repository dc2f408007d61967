//! From source text to a graph in one call, with one error type for both stages.

use crate::data::{own, provided};
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

/// Parse and lower `source` into a graph. Own data in its comments (`# own data:`, see
/// [`crate::data::own`]) becomes the `own` dataset's rows first; in the browser only its
/// header is read (the width the features have), unless [`compile_with_rows`] is used,
/// so the app's modules carry no row reader: only the playground trains on the rows.
pub fn compile(source: &str) -> Result<Graph, ProgramError> {
    let ast = parse(source)?;
    #[cfg(not(target_arch = "wasm32"))]
    provide_own(source)?;
    #[cfg(target_arch = "wasm32")]
    own::declare(source);
    Ok(lower(&ast)?)
}

/// [`compile`], with the own data's rows read and provided on every target.
pub fn compile_with_rows(source: &str) -> Result<Graph, ProgramError> {
    let ast = parse(source)?;
    provide_own(source)?;
    Ok(lower(&ast)?)
}

/// Read `source`'s own data and provide its rows (or forget them when it has none).
/// Rows a link left out (the page that made it kept them) are an error at the header
/// natively; in the browser the program compiles over zeros of the header's width, so
/// the playground shows it and says what is missing, and loading the rows is the error.
fn provide_own(source: &str) -> Result<(), ProgramError> {
    own::note_left_out(None);
    #[cfg(target_arch = "wasm32")]
    if let Some(rows) = own::left_out(source) {
        provided::remove(own::OWN);
        own::declare(source);
        own::note_left_out(Some(rows));
        return Ok(());
    }
    match own::read(source) {
        Ok(Some(data)) => {
            provided::provide_split(own::OWN, data.table, data.test_share);
            Ok(())
        }
        Ok(None) => {
            provided::remove(own::OWN);
            Ok(())
        }
        Err(error) => {
            provided::remove(own::OWN);
            Err(ProgramError::Lower(LowerError::BadArgument {
                message: format!("own data: {}", error.message),
                span: error.span,
            }))
        }
    }
}
