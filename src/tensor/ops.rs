//! Every computed [`Op`] on tensors: its result shape, its forward rule and its
//! vector-Jacobian product, dispatched by the op's [`Kind`] to the module that owns it.
//! The stepper and the CPU backend both run ops through here.

use super::reduce::Over;
use super::{Tensor, TensorError, elementwise, layer_norm, loss, matmul, reduce, softmax};
use crate::op::{Axis, Kind, Loss, Matrix, Normalization, Op, Reduction};

fn over(axis: Axis) -> Over {
    axis.map_or(Over::All, Over::Axis)
}

/// The shape `op` gives operands of these shapes, or why it refuses them. Lowering checks
/// every node with this before anything runs, so shape errors point at the source.
pub fn output_shape(op: Op, shapes: &[&[usize]]) -> Result<Vec<usize>, TensorError> {
    if shapes.len() != op.arity() {
        return Err(TensorError::Arity {
            op: op.name(),
            expected: op.arity(),
            found: shapes.len(),
        });
    }
    let name = op.name();
    match (op.kind(), shapes) {
        (Kind::Leaf(_), _) => Err(TensorError::NotElementwise { op: name }),
        (Kind::Elementwise(_), _) => elementwise::output_shape(op, shapes),
        (Kind::Reduction(_, axis), [a]) => reduce::reduced_shape(name, a, over(axis)),
        (Kind::Matrix(Matrix::Product), [a, b]) => matmul::product_shape(a, b),
        (Kind::Matrix(Matrix::Transpose), [a]) => matmul::transpose_shape(a),
        (Kind::Normalization(_), [a]) => {
            softmax::row_length(name, a)?;
            Ok(a.to_vec())
        }
        (Kind::Loss(Loss::CrossEntropy), [logits, labels]) => {
            loss::cross_entropy_shape(logits, labels)
        }
        (Kind::Loss(Loss::Mse), [prediction, target]) => loss::mse_shape(prediction, target),
        // The arity was checked above; the table gives each kind its arity.
        (Kind::Reduction(..) | Kind::Matrix(_) | Kind::Normalization(_) | Kind::Loss(_), _) => {
            Err(TensorError::Arity {
                op: name,
                expected: op.arity(),
                found: shapes.len(),
            })
        }
    }
}

/// `op` applied to its operands.
pub fn forward(op: Op, args: &[&Tensor]) -> Result<Tensor, TensorError> {
    match op.kind() {
        Kind::Leaf(_) => Err(TensorError::NotElementwise { op: op.name() }),
        Kind::Elementwise(_) => elementwise::forward(op, args),
        Kind::Reduction(Reduction::Sum, axis) => reduce::sum(over(axis), args),
        Kind::Reduction(Reduction::Mean, axis) => reduce::mean(over(axis), args),
        Kind::Reduction(Reduction::Max, axis) => reduce::max(over(axis), args),
        Kind::Reduction(Reduction::ArgMax, axis) => reduce::argmax(over(axis), args),
        Kind::Matrix(Matrix::Product) => matmul::forward(args),
        Kind::Matrix(Matrix::Transpose) => matmul::transpose(args),
        Kind::Normalization(Normalization::Softmax) => softmax::softmax(args),
        Kind::Normalization(Normalization::LogSoftmax) => softmax::log_softmax(args),
        Kind::Normalization(Normalization::LayerNorm) => layer_norm::layer_norm(args),
        Kind::Loss(Loss::CrossEntropy) => loss::cross_entropy(args),
        Kind::Loss(Loss::Mse) => loss::mse(args),
    }
}

/// The gradient reaching each operand, `upstream` pulled back through `op`, each with its
/// operand's shape.
pub fn vjp(
    op: Op,
    args: &[&Tensor],
    output: &Tensor,
    upstream: &Tensor,
) -> Result<Vec<Tensor>, TensorError> {
    match op.kind() {
        Kind::Leaf(_) => Err(TensorError::NotElementwise { op: op.name() }),
        Kind::Elementwise(_) => elementwise::vjp(op, args, output, upstream),
        Kind::Reduction(Reduction::Sum, axis) => {
            reduce::sum_vjp(over(axis), args, output, upstream)
        }
        Kind::Reduction(Reduction::Mean, axis) => {
            reduce::mean_vjp(over(axis), args, output, upstream)
        }
        Kind::Reduction(Reduction::Max, axis) => {
            reduce::max_vjp(over(axis), args, output, upstream)
        }
        Kind::Reduction(Reduction::ArgMax, axis) => {
            reduce::argmax_vjp(over(axis), args, output, upstream)
        }
        Kind::Matrix(Matrix::Product) => matmul::vjp(args, output, upstream),
        Kind::Matrix(Matrix::Transpose) => matmul::transpose_vjp(args, output, upstream),
        Kind::Normalization(Normalization::Softmax) => softmax::softmax_vjp(args, output, upstream),
        Kind::Normalization(Normalization::LogSoftmax) => {
            softmax::log_softmax_vjp(args, output, upstream)
        }
        Kind::Normalization(Normalization::LayerNorm) => {
            layer_norm::layer_norm_vjp(args, output, upstream)
        }
        Kind::Loss(Loss::CrossEntropy) => loss::cross_entropy_vjp(args, output, upstream),
        Kind::Loss(Loss::Mse) => loss::mse_vjp(args, output, upstream),
    }
}

/// Which forward values an op's backward rule reads: what must be kept for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackwardReads {
    /// One flag per operand.
    pub args: Vec<bool>,
    /// Whether the rule reads the op's own output (exp, sigmoid, softmax…).
    pub output: bool,
}

/// What the backward of `op` reads when the gradients of the operands flagged in
/// `wanted` are needed (constants receive none).
pub fn backward_reads(op: Op, wanted: &[bool]) -> BackwardReads {
    let arity = op.arity();
    let wants = |index: usize| wanted.get(index).copied().unwrap_or(false);
    let mut reads = BackwardReads {
        args: vec![false; arity],
        output: false,
    };
    match op.kind() {
        Kind::Leaf(_)
        | Kind::Reduction(Reduction::Sum | Reduction::Mean | Reduction::ArgMax, _) => {}
        Kind::Elementwise(rule) => {
            for (formula, _) in rule.derivatives().iter().zip(wanted).filter(|(_, w)| **w) {
                for (index, read) in reads.args.iter_mut().enumerate() {
                    *read |= formula.reads_arg(index);
                }
                reads.output |= formula.reads_out();
            }
        }
        Kind::Reduction(Reduction::Max, _) => reads.args = vec![true],
        // Ā = V̄Bᵀ reads B, B̄ = AᵀV̄ reads A.
        Kind::Matrix(Matrix::Product) => reads.args = vec![wants(1), wants(0)],
        Kind::Matrix(Matrix::Transpose) => {}
        Kind::Normalization(Normalization::Softmax | Normalization::LogSoftmax) => {
            reads.output = true
        }
        // The row's deviation is recomputed from the input.
        Kind::Normalization(Normalization::LayerNorm) => {
            reads.args = vec![true];
            reads.output = true;
        }
        Kind::Loss(_) => reads.args = vec![true, true],
    }
    reads
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tensor(shape: &[usize], data: &[f64]) -> Tensor {
        Tensor::from_vec(shape.to_vec(), data.to_vec()).unwrap()
    }

    /// The shape function agrees with what forward produces, and refuses what it refuses.
    #[test]
    fn output_shape_matches_forward() {
        let m = tensor(&[2, 3], &[1.0, -2.0, 3.0, 0.5, 0.0, -1.0]);
        let v = tensor(&[3], &[1.0, 2.0, 3.0]);
        let row = tensor(&[1, 3], &[1.0, 1.0, 1.0]);
        let labels = tensor(&[2], &[0.0, 2.0]);
        let cases: Vec<(Op, Vec<&Tensor>)> = vec![
            (Op::MatMul, vec![&m, &v]),
            (Op::MatMul, vec![&v, &m]),
            (Op::Transpose, vec![&m]),
            (Op::Sum(None), vec![&m]),
            (Op::Mean(Some(1)), vec![&m]),
            (Op::Max(Some(0)), vec![&m]),
            (Op::Max(Some(2)), vec![&m]),
            (Op::Softmax, vec![&m]),
            (Op::LogSoftmax, vec![&v]),
            (Op::CrossEntropy, vec![&m, &labels]),
            (Op::CrossEntropy, vec![&m, &v]),
            (Op::Mse, vec![&m, &m]),
            (Op::Mse, vec![&m, &row]),
            (Op::Add, vec![&m, &row]),
            (Op::Mul, vec![&m, &v]),
            (Op::Sub, vec![&m, &labels]),
            (Op::Relu, vec![&m]),
            (Op::LayerNorm, vec![&m]),
            (Op::ArgMax(Some(1)), vec![&m]),
            (Op::ArgMax(None), vec![&m]),
            (Op::Where, vec![&m, &row, &v]),
            (Op::Greater, vec![&m, &v]),
        ];
        for (op, args) in cases {
            let shapes: Vec<&[usize]> = args.iter().map(|t| t.shape()).collect();
            let predicted = output_shape(op, &shapes);
            let computed = forward(op, &args).map(|t| t.shape().to_vec());
            assert_eq!(predicted, computed, "{op:?} on {shapes:?}");
        }
    }

    #[test]
    fn matmul_shape_error_reads_like_the_issue() {
        let error = output_shape(Op::MatMul, &[&[3, 2], &[3]]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "@: [3,2] @ [3] — inner dimensions 2 and 3 differ"
        );
    }
}
