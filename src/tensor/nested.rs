//! Nested literals (`[[1, 2], [3, 4]]`) and their flattening into a shape and row-major data.

use super::{MAX_RANK, TensorError};

/// A tensor literal as written: a number, or a row of literals.
#[derive(Clone, Debug, PartialEq)]
pub enum Nested {
    Number(f64),
    Row(Vec<Nested>),
}

/// The shape (read along the first entries) and the data, checking that every row at one
/// depth has the same length and that numbers only appear at the innermost depth.
pub(super) fn flatten(literal: &Nested) -> Result<(Vec<usize>, Vec<f64>), TensorError> {
    let shape = shape_along_first_entries(literal)?;
    let mut data = Vec::new();
    let mut position = Vec::new();
    collect(literal, &shape, &mut position, &mut data)?;
    Ok((shape, data))
}

fn shape_along_first_entries(literal: &Nested) -> Result<Vec<usize>, TensorError> {
    let mut shape = Vec::new();
    let mut current = literal;
    while let Nested::Row(entries) = current {
        shape.push(entries.len());
        if shape.len() > MAX_RANK {
            return Err(TensorError::TooManyDimensions {
                rank: shape.len(),
                limit: MAX_RANK,
            });
        }
        match entries.first() {
            Some(first) => current = first,
            None => break,
        }
    }
    Ok(shape)
}

/// Recursion depth is bounded by `shape.len()` (at most `MAX_RANK`): a row deeper than the
/// shape is reported, not entered.
fn collect(
    literal: &Nested,
    shape: &[usize],
    position: &mut Vec<usize>,
    data: &mut Vec<f64>,
) -> Result<(), TensorError> {
    match (literal, shape.split_first()) {
        (Nested::Number(value), None) => {
            data.push(*value);
            Ok(())
        }
        (Nested::Row(entries), Some((&expected, inner))) => {
            if entries.len() != expected {
                return Err(TensorError::Ragged {
                    at: position.clone(),
                    expected,
                    found: entries.len(),
                });
            }
            for (index, entry) in entries.iter().enumerate() {
                position.push(index);
                collect(entry, inner, position, data)?;
                position.pop();
            }
            Ok(())
        }
        (Nested::Number(_), Some(_)) | (Nested::Row(_), None) => Err(TensorError::RaggedDepth {
            at: position.clone(),
            found_row: matches!(literal, Nested::Row(_)),
        }),
    }
}
