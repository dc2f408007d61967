//! `TensorError`: every way a tensor operation can refuse its inputs, with the shapes involved.

use thiserror::Error;

/// A tensor operation's refusal. Fields are structured so the UI and the CLI can word or
/// highlight them; `Display` gives a one-line English form such as
/// `@: [3,2] @ [3] — inner dimensions 2 and 3 differ`.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum TensorError {
    /// `from_vec` was given a number of values that does not fill the shape.
    #[error("shape {} needs {expected} values, got {found}", shape_text(.shape))]
    DataLength {
        shape: Vec<usize>,
        expected: usize,
        found: usize,
    },
    /// A nested literal whose rows have different lengths, e.g. `[[1,2],[3]]`.
    #[error(
        "ragged literal: the row at {} has {found} entries, but its siblings have {expected}",
        position_text(.at)
    )]
    Ragged {
        at: Vec<usize>,
        expected: usize,
        found: usize,
    },
    /// A nested literal mixing numbers and rows at one depth, e.g. `[[1,2],3]`.
    #[error(
        "ragged literal: the entry at {} is {}, but its siblings are {}",
        position_text(.at),
        nesting_text(*.found_row),
        nesting_text(!*.found_row)
    )]
    RaggedDepth { at: Vec<usize>, found_row: bool },
    /// More elements than [`MAX_ELEMENTS`](super::MAX_ELEMENTS) (or a count that overflows).
    #[error("shape {} has more than {limit} elements", shape_text(.shape))]
    TooLarge { shape: Vec<usize>, limit: usize },
    /// More dimensions than [`MAX_RANK`](super::MAX_RANK).
    #[error("{rank} dimensions is more than the limit of {limit}")]
    TooManyDimensions { rank: usize, limit: usize },
    /// Two shapes that NumPy broadcasting cannot combine.
    #[error(
        "{op}: {} and {} do not broadcast — dimensions {left_dim} and {right_dim} differ",
        shape_text(.left),
        shape_text(.right)
    )]
    NotBroadcastable {
        op: &'static str,
        left: Vec<usize>,
        right: Vec<usize>,
        left_dim: usize,
        right_dim: usize,
    },
    /// A matrix product whose inner dimensions differ.
    #[error(
        "@: {} @ {} — inner dimensions {left_inner} and {right_inner} differ",
        shape_text(.left),
        shape_text(.right)
    )]
    InnerDimensions {
        left: Vec<usize>,
        right: Vec<usize>,
        left_inner: usize,
        right_inner: usize,
    },
    /// Two operands that must have the same shape do not.
    #[error("{op}: {} and {} — shapes must be equal", shape_text(.left), shape_text(.right))]
    ShapeMismatch {
        op: &'static str,
        left: Vec<usize>,
        right: Vec<usize>,
    },
    /// An operand with a number of dimensions the op does not accept.
    #[error("{op}: {} — expected {expected}", shape_text(.shape))]
    Rank {
        op: &'static str,
        shape: Vec<usize>,
        expected: &'static str,
    },
    /// An axis beyond the operand's dimensions.
    #[error("{op}: axis {axis} does not exist in a tensor with {rank} dimensions")]
    AxisOutOfRange {
        op: &'static str,
        axis: usize,
        rank: usize,
    },
    /// A reduction with no identity (such as max) over zero elements.
    #[error("{op}: {} — nothing to reduce over", shape_text(.shape))]
    EmptyReduction { op: &'static str, shape: Vec<usize> },
    /// A gradient that cannot be summed down to its operand's shape.
    #[error("cannot sum a gradient of shape {} down to {}", shape_text(.from), shape_text(.to))]
    NotReducible { from: Vec<usize>, to: Vec<usize> },
    /// A class label that is not a whole number.
    #[error("cross_entropy: label {value} at position {index} is not a class index")]
    LabelNotInteger { index: usize, value: f64 },
    /// A class label outside `0..classes`.
    #[error("cross_entropy: label {value} at position {index} is outside 0..{classes}")]
    LabelOutOfRange {
        index: usize,
        value: f64,
        classes: usize,
    },
    /// An op called with the wrong number of operands.
    #[error("{op}: expected {expected} operands, got {found}")]
    Arity {
        op: &'static str,
        expected: usize,
        found: usize,
    },
    /// A scalar op with no elementwise form (inputs and constants are leaves).
    #[error("{op} is a leaf, not an elementwise operation")]
    NotElementwise { op: &'static str },
    /// A backward pass given an output or upstream gradient of the wrong shape.
    #[error("{op}: the {what} has shape {}, expected {}", shape_text(.found), shape_text(.expected))]
    GradientShape {
        op: &'static str,
        what: &'static str,
        expected: Vec<usize>,
        found: Vec<usize>,
    },
}

/// A shape as `[3,2]`; the scalar shape is `[]`.
pub fn shape_text(shape: &[usize]) -> String {
    let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
    format!("[{}]", dims.join(","))
}

fn position_text(at: &[usize]) -> String {
    if at.is_empty() {
        "the top level".to_owned()
    } else {
        format!("position {}", shape_text(at))
    }
}

fn nesting_text(row: bool) -> &'static str {
    if row { "a row" } else { "a number" }
}
