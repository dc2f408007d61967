//! Elementwise ops: every scalar [`Op`] applied element by element, binary and ternary
//! (`where`) ops with NumPy broadcasting. Forward values and gradients come from the op's
//! [`ScalarRule`](crate::op::ScalarRule): its forward rule and the same local-derivative
//! formulas the scalar stepper shows, so no rule is written twice.

use super::shape::{broadcast_shapes_for, reduce_to_shape, source_indices};
use super::{Tensor, TensorError, expect_shape};
use crate::op::Op;

/// Apply `op` to one operand (unary ops) or two or three broadcast operands.
pub fn forward(op: Op, inputs: &[&Tensor]) -> Result<Tensor, TensorError> {
    let rule = op
        .scalar_rule()
        .ok_or(TensorError::NotElementwise { op: op.name() })?;
    let layout = Layout::new(op, inputs)?;
    let mut args = [0.0; 3];
    let data = (0..layout.count())
        .map(|element| rule.apply(layout.args(inputs, element, &mut args)))
        .collect();
    Ok(Tensor::from_parts(layout.shape, data))
}

/// The gradient for each operand: `upstream ⊙ ∂out/∂input` evaluated per element, summed
/// over the dimensions that broadcasting stretched.
pub fn vjp(
    op: Op,
    inputs: &[&Tensor],
    output: &Tensor,
    upstream: &Tensor,
) -> Result<Vec<Tensor>, TensorError> {
    let locals = local_derivatives(op, inputs, output)?;
    expect_shape(op.name(), "upstream gradient", upstream, output.shape())?;
    // An operand that receives no gradient (through `detach`, a step, a comparison, the
    // condition of `where`) gets exact zeros: not even a NaN flows back through it.
    locals
        .iter()
        .zip(inputs)
        .enumerate()
        .map(|(position, (local, input))| {
            if op.passes_gradient_to(position) {
                pull_back(local, upstream, input.shape())
            } else {
                Tensor::zeros(input.shape())
            }
        })
        .collect()
}

/// `∂out/∂input_i` for each operand, element by element in the output's (broadcast)
/// shape: the op's derivative formula evaluated at each element.
pub fn local_derivatives(
    op: Op,
    inputs: &[&Tensor],
    output: &Tensor,
) -> Result<Vec<Tensor>, TensorError> {
    let layout = Layout::new(op, inputs)?;
    expect_shape(op.name(), "output", output, &layout.shape)?;
    let derivatives = op.local_derivatives();
    let mut locals = vec![Vec::with_capacity(layout.count()); inputs.len()];
    let mut buffer = [0.0; 3];
    for element in 0..layout.count() {
        let args = layout.args(inputs, element, &mut buffer);
        let out = output.data()[element];
        for (local, derivative) in locals.iter_mut().zip(&derivatives) {
            local.push(derivative.eval(args, out));
        }
    }
    Ok(locals
        .into_iter()
        .map(|local| Tensor::from_parts(layout.shape.clone(), local))
        .collect())
}

/// `upstream ⊙ local`, summed down to the operand's `shape` (the chain rule through one
/// elementwise op, including the backward of broadcasting).
pub fn pull_back(
    local: &Tensor,
    upstream: &Tensor,
    shape: &[usize],
) -> Result<Tensor, TensorError> {
    let product = upstream
        .zip_with(local, |seed, derivative| seed * derivative)
        .ok_or_else(|| TensorError::GradientShape {
            op: "elementwise",
            what: "upstream gradient",
            expected: local.shape().to_vec(),
            found: upstream.shape().to_vec(),
        })?;
    reduce_to_shape(&product, shape)
}

/// The shape of an elementwise op's result: its operands broadcast together.
pub(crate) fn output_shape(op: Op, shapes: &[&[usize]]) -> Result<Vec<usize>, TensorError> {
    let (first, rest) = shapes.split_first().ok_or(TensorError::Arity {
        op: op.name(),
        expected: op.arity(),
        found: 0,
    })?;
    rest.iter().try_fold(first.to_vec(), |shape, next| {
        broadcast_shapes_for(op.name(), &shape, next)
    })
}

/// Where each output element reads its operands: the broadcast shape and, per operand, the
/// source index of every output element (`None` when the operand already has that shape).
struct Layout {
    shape: Vec<usize>,
    sources: Vec<Option<Vec<usize>>>,
}

impl Layout {
    fn new(op: Op, inputs: &[&Tensor]) -> Result<Layout, TensorError> {
        let arity = op.arity();
        if arity == 0 {
            return Err(TensorError::NotElementwise { op: op.name() });
        }
        if inputs.len() != arity {
            return Err(TensorError::Arity {
                op: op.name(),
                expected: arity,
                found: inputs.len(),
            });
        }
        let shapes: Vec<&[usize]> = inputs.iter().map(|input| input.shape()).collect();
        let shape = output_shape(op, &shapes)?;
        let sources = inputs
            .iter()
            .map(|input| (input.shape() != shape).then(|| source_indices(input.shape(), &shape)))
            .collect();
        Ok(Layout { shape, sources })
    }

    fn count(&self) -> usize {
        self.shape.iter().product()
    }

    /// The operand values that meet at output element `element`, written into `buffer`
    /// (elementwise ops take at most two operands) so no element allocates.
    fn args<'b>(&self, inputs: &[&Tensor], element: usize, buffer: &'b mut [f64; 3]) -> &'b [f64] {
        for ((slot, input), source) in buffer.iter_mut().zip(inputs).zip(&self.sources) {
            let index = source.as_ref().map_or(element, |indices| indices[element]);
            *slot = input.data()[index];
        }
        &buffer[..inputs.len().min(3)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::op::SAMPLE_OPS;
    use crate::tensor::check::{assert_vjp_matches_differences, broadcast_pair, tensor_in};
    use proptest::prelude::*;

    fn tensor(shape: &[usize], data: &[f64]) -> Tensor {
        Tensor::from_vec(shape.to_vec(), data.to_vec()).unwrap()
    }

    #[test]
    fn broadcasts_a_column_against_a_row() {
        let column = tensor(&[3, 1], &[1.0, 2.0, 3.0]);
        let row = tensor(&[1, 4], &[10.0, 20.0, 30.0, 40.0]);
        let sum = forward(Op::Add, &[&column, &row]).unwrap();
        assert_eq!(sum.shape(), &[3, 4]);
        assert_eq!(&sum.data()[4..8], &[12.0, 22.0, 32.0, 42.0]);
        let upstream = Tensor::ones(&[3, 4]).unwrap();
        let grads = vjp(Op::Add, &[&column, &row], &sum, &upstream).unwrap();
        assert_eq!(grads[0].data(), &[4.0, 4.0, 4.0]);
        assert_eq!(grads[1].data(), &[3.0, 3.0, 3.0, 3.0]);
    }

    #[test]
    fn scalar_times_matrix_sums_the_scalar_gradient() {
        let two = Tensor::scalar(2.0);
        let matrix = tensor(&[2, 2], &[1.0, 2.0, 3.0, 4.0]);
        let product = forward(Op::Mul, &[&two, &matrix]).unwrap();
        assert_eq!(product.data(), &[2.0, 4.0, 6.0, 8.0]);
        let upstream = Tensor::ones(&[2, 2]).unwrap();
        let grads = vjp(Op::Mul, &[&two, &matrix], &product, &upstream).unwrap();
        assert_eq!(grads[0].shape(), &[] as &[usize]);
        assert_eq!(grads[0].data(), &[10.0]);
        assert_eq!(grads[1].data(), &[2.0; 4]);
    }

    #[test]
    fn relu_at_zero_has_zero_gradient() {
        let x = tensor(&[3], &[-1.0, 0.0, 2.0]);
        let y = forward(Op::Relu, &[&x]).unwrap();
        let grads = vjp(Op::Relu, &[&x], &y, &Tensor::ones(&[3]).unwrap()).unwrap();
        assert_eq!(y.data(), &[0.0, 0.0, 2.0]);
        assert_eq!(grads[0].data(), &[0.0, 0.0, 1.0]);
    }

    #[test]
    fn refuses_leaves_wrong_arity_and_clashing_shapes() {
        let a = Tensor::zeros(&[2, 3]).unwrap();
        let b = Tensor::zeros(&[4]).unwrap();
        assert!(matches!(
            forward(Op::Const(1.0), &[]),
            Err(TensorError::NotElementwise { .. })
        ));
        assert!(matches!(
            forward(Op::Add, &[&a]),
            Err(TensorError::Arity {
                expected: 2,
                found: 1,
                ..
            })
        ));
        assert_eq!(
            forward(Op::Mul, &[&a, &b]).unwrap_err().to_string(),
            "mul: [2,3] and [4] do not broadcast — dimensions 3 and 4 differ"
        );
    }

    #[test]
    fn refuses_an_upstream_gradient_of_the_wrong_shape() {
        let a = Tensor::zeros(&[2]).unwrap();
        let y = forward(Op::Exp, &[&a]).unwrap();
        let upstream = Tensor::zeros(&[3]).unwrap();
        assert!(matches!(
            vjp(Op::Exp, &[&a], &y, &upstream),
            Err(TensorError::GradientShape { .. })
        ));
    }

    /// Operand values inside each op's smooth domain: positive bases for logs, roots and
    /// powers, denominators away from zero, and kinks (relu, abs) away from zero.
    fn domain(op: Op, operand: usize) -> fn(f64) -> f64 {
        fn positive(x: f64) -> f64 {
            x.abs() + 0.5
        }
        fn away_from_zero(x: f64) -> f64 {
            x + 0.25_f64.copysign(x)
        }
        fn any(x: f64) -> f64 {
            x
        }
        match (op, operand) {
            (Op::Log | Op::Sqrt | Op::PowConst(_) | Op::Pow, 0) | (Op::Div, 1) => positive,
            (Op::Relu | Op::Abs | Op::Step, _) | (Op::Where, 0) => away_from_zero,
            _ => any,
        }
    }

    #[test]
    fn detach_passes_the_value_and_no_gradient() {
        let x = tensor(&[3], &[-1.0, 0.0, 2.5]);
        let y = forward(Op::Detach, &[&x]).unwrap();
        assert_eq!(y.data(), x.data());
        let grads = vjp(Op::Detach, &[&x], &y, &Tensor::ones(&[3]).unwrap()).unwrap();
        assert_eq!(grads[0].data(), &[0.0; 3]);
    }

    #[test]
    fn no_nan_flows_back_through_detach_or_a_condition() {
        let x = tensor(&[2], &[1.0, -1.0]);
        let nan = tensor(&[2], &[f64::NAN, 1.0]);
        let y = forward(Op::Detach, &[&x]).unwrap();
        assert_eq!(
            vjp(Op::Detach, &[&x], &y, &nan).unwrap()[0].data(),
            &[0.0, 0.0]
        );
        let y = forward(Op::Where, &[&x, &x, &x]).unwrap();
        let grads = vjp(Op::Where, &[&x, &x, &x], &y, &nan).unwrap();
        assert_eq!(grads[0].data(), &[0.0, 0.0]);
        assert!(
            grads[1].data()[0].is_nan(),
            "the chosen branch gets the NaN"
        );
    }

    #[test]
    fn where_routes_the_gradient_to_the_chosen_branch_only() {
        let condition = tensor(&[2, 1], &[1.0, 0.0]);
        let a = tensor(&[3], &[1.0, 2.0, 3.0]);
        let b = Tensor::scalar(-1.0);
        let y = forward(Op::Where, &[&condition, &a, &b]).unwrap();
        assert_eq!(y.data(), &[1.0, 2.0, 3.0, -1.0, -1.0, -1.0]);
        let upstream = Tensor::ones(&[2, 3]).unwrap();
        let grads = vjp(Op::Where, &[&condition, &a, &b], &y, &upstream).unwrap();
        assert_eq!(
            grads[0].data(),
            &[0.0, 0.0],
            "nothing reaches the condition"
        );
        assert_eq!(grads[1].data(), &[1.0, 1.0, 1.0], "row 1 chose a");
        assert_eq!(grads[2].data(), &[3.0], "row 2 chose b, three times");
    }

    #[test]
    fn comparisons_and_step_are_ones_and_zeros_with_no_gradient() {
        let a = tensor(&[3], &[1.0, 2.0, 3.0]);
        let b = Tensor::scalar(2.0);
        let cases = [
            (Op::Greater, [0.0, 0.0, 1.0]),
            (Op::Less, [1.0, 0.0, 0.0]),
            (Op::GreaterEqual, [0.0, 1.0, 1.0]),
            (Op::LessEqual, [1.0, 1.0, 0.0]),
        ];
        for (op, expected) in cases {
            let y = forward(op, &[&a, &b]).unwrap();
            assert_eq!(y.data(), &expected, "{op:?}");
            let grads = vjp(op, &[&a, &b], &y, &Tensor::ones(&[3]).unwrap()).unwrap();
            assert_eq!(grads[0].data(), &[0.0; 3]);
            assert_eq!(grads[1].data(), &[0.0]);
        }
        let x = tensor(&[4], &[-1.0, 0.0, 0.5, f64::NAN]);
        let y = forward(Op::Step, &[&x]).unwrap();
        assert_eq!(&y.data()[..3], &[0.0, 0.0, 1.0]);
        assert!(y.data()[3].is_nan());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        #[test]
        fn every_op_matches_finite_differences(
            op_index in 0..SAMPLE_OPS.len(),
            (left_shape, right_shape) in broadcast_pair(),
            seed in any::<u64>(),
        ) {
            let op = SAMPLE_OPS[op_index];
            // `where` reads its condition and first branch in the left shape.
            let shapes = match op.arity() {
                3 => [left_shape.clone(), left_shape, right_shape],
                _ => [left_shape, right_shape, Vec::new()],
            };
            let inputs: Vec<Tensor> = (0..op.arity())
                .map(|operand| tensor_in(&shapes[operand], seed ^ operand as u64, domain(op, operand)))
                .collect();
            // `detach` has slope 1 but passes no gradient on purpose (tested above).
            let differentiable = !op.stops_gradient();
            assert_vjp_matches_differences(
                &inputs,
                &[differentiable; 3],
                |operands| forward(op, operands),
                |operands, output, upstream| vjp(op, operands, output, upstream),
                seed,
            );
        }
    }

    #[test]
    fn named_broadcasting_cases_match_finite_differences() {
        let cases: [(Op, &[usize], &[usize]); 4] = [
            (Op::Add, &[3, 1], &[1, 4]),
            (Op::Mul, &[2, 3], &[3]),
            (Op::Mul, &[], &[2, 2]),
            (Op::Div, &[5, 1, 3], &[4, 1]),
        ];
        for (seed, (op, left, right)) in cases.into_iter().enumerate() {
            let seed = seed as u64;
            let inputs = [
                tensor_in(left, seed, domain(op, 0)),
                tensor_in(right, seed + 100, domain(op, 1)),
            ];
            assert_vjp_matches_differences(
                &inputs,
                &[true, true],
                |operands| forward(op, operands),
                |operands, output, upstream| vjp(op, operands, output, upstream),
                seed,
            );
        }
    }
}
