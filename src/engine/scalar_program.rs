//! Which programs the scalar lessons (four ways, second derivatives, the micrograd export)
//! take: every node a single number and every computed op an elementwise one, whose local
//! derivatives are formulas in the op table.

use crate::graph::Graph;
use crate::op::Op;
use thiserror::Error;

#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ScalarProgramError {
    #[error("this works on scalar programs, and `{name}` is a tensor")]
    Tensor { name: String },
    #[error("this works on elementwise ops, and `{op}` has only a tensor rule")]
    TensorOp { op: &'static str },
    #[error("this works on differentiable ops, and `{op}` passes no gradient to an operand")]
    Selection { op: &'static str },
}

/// `Ok` when every node of `graph` is a number and every computed op is elementwise.
pub fn check(graph: &Graph) -> Result<(), ScalarProgramError> {
    for node in graph.nodes() {
        if !node.is_scalar() {
            return Err(ScalarProgramError::Tensor {
                name: node.name.clone(),
            });
        }
        if !node.op.is_leaf() && !node.op.is_elementwise() {
            return Err(ScalarProgramError::TensorOp { op: node.op.name() });
        }
        let selection = matches!(
            node.op,
            Op::Detach
                | Op::Step
                | Op::Greater
                | Op::Less
                | Op::GreaterEqual
                | Op::LessEqual
                | Op::Where
        );
        if selection {
            return Err(ScalarProgramError::Selection { op: node.op.name() });
        }
        if node.op == Op::Literal && node.value.as_ref().is_none_or(|v| v.len() != 1) {
            return Err(ScalarProgramError::Tensor {
                name: node.name.clone(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::compile;

    #[test]
    fn scalars_pass_and_tensors_are_named() {
        assert_eq!(check(&compile("sin(x)*y + 2").unwrap()), Ok(()));
        let error = check(&compile("W = [1, 2]; sum(W * x)").unwrap()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "this works on scalar programs, and `W` is a tensor"
        );
        let error = check(&compile("detach(x) * y").unwrap()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "this works on differentiable ops, and `detach` passes no gradient to an operand"
        );
    }
}
