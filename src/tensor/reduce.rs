//! Reductions: `sum`, `mean`, `max` and `argmax` over all elements or along one axis
//! (which leaves the result), with their VJPs. The gradient of `max` goes to the first
//! arg-max; `argmax` is an index, a selection through which no gradient flows.

use super::{Tensor, TensorError, expect_shape, operands};

/// What a reduction reduces over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Over {
    /// Every element; the result is a scalar.
    All,
    /// One axis, which is removed from the shape.
    Axis(usize),
}

/// A tensor seen as `[outer, length, inner]` around the reduced axis (or `[1, n, 1]` for
/// [`Over::All`]); the result has `outer × inner` elements.
struct Lanes {
    outer: usize,
    length: usize,
    inner: usize,
    output_shape: Vec<usize>,
}

impl Lanes {
    fn new(op: &'static str, shape: &[usize], over: Over) -> Result<Lanes, TensorError> {
        match over {
            Over::All => Ok(Lanes {
                outer: 1,
                length: shape.iter().product(),
                inner: 1,
                output_shape: Vec::new(),
            }),
            Over::Axis(axis) if axis < shape.len() => {
                let mut output_shape = shape.to_vec();
                output_shape.remove(axis);
                Ok(Lanes {
                    outer: shape[..axis].iter().product(),
                    length: shape[axis],
                    inner: shape[axis + 1..].iter().product(),
                    output_shape,
                })
            }
            Over::Axis(axis) => Err(TensorError::AxisOutOfRange {
                op,
                axis,
                rank: shape.len(),
            }),
        }
    }

    /// The input index of element `step` of the lane that produces output element `lane`.
    fn index(&self, lane: usize, step: usize) -> usize {
        let (outer, inner) = (lane / self.inner, lane % self.inner);
        (outer * self.length + step) * self.inner + inner
    }

    fn count(&self) -> usize {
        self.outer * self.inner
    }

    /// The sum of each lane, times `scale`, as the output tensor.
    fn sum_lanes(&self, input: &Tensor, scale: f64) -> Tensor {
        let data = input.data();
        let values = (0..self.count())
            .map(|lane| {
                let total: f64 = (0..self.length)
                    .map(|step| data[self.index(lane, step)])
                    .sum();
                total * scale
            })
            .collect();
        Tensor::from_parts(self.output_shape.clone(), values)
    }

    /// Check the backward's output and upstream gradient against this reduction's shape.
    fn check(
        &self,
        op: &'static str,
        output: &Tensor,
        upstream: &Tensor,
    ) -> Result<(), TensorError> {
        expect_shape(op, "output", output, &self.output_shape)?;
        expect_shape(op, "upstream gradient", upstream, &self.output_shape)
    }
}

/// The sum of the elements (or of each lane along `over`).
pub fn sum(over: Over, inputs: &[&Tensor]) -> Result<Tensor, TensorError> {
    let [input] = operands("sum", inputs)?;
    Ok(Lanes::new("sum", input.shape(), over)?.sum_lanes(input, 1.0))
}

/// Every element receives the upstream gradient of the lane it was summed into.
pub fn sum_vjp(
    over: Over,
    inputs: &[&Tensor],
    output: &Tensor,
    upstream: &Tensor,
) -> Result<Vec<Tensor>, TensorError> {
    spread("sum", over, inputs, output, upstream, |_| 1.0)
}

/// The mean of the elements (or of each lane); NaN over zero elements.
pub fn mean(over: Over, inputs: &[&Tensor]) -> Result<Tensor, TensorError> {
    let [input] = operands("mean", inputs)?;
    let lanes = Lanes::new("mean", input.shape(), over)?;
    Ok(lanes.sum_lanes(input, 1.0 / lanes.length as f64))
}

/// Every element receives its lane's upstream gradient divided by the lane length.
pub fn mean_vjp(
    over: Over,
    inputs: &[&Tensor],
    output: &Tensor,
    upstream: &Tensor,
) -> Result<Vec<Tensor>, TensorError> {
    spread("mean", over, inputs, output, upstream, |length| {
        1.0 / length as f64
    })
}

/// Copy each lane's upstream gradient, times `scale(lane length)`, to every element of it.
fn spread(
    op: &'static str,
    over: Over,
    inputs: &[&Tensor],
    output: &Tensor,
    upstream: &Tensor,
    scale: fn(usize) -> f64,
) -> Result<Vec<Tensor>, TensorError> {
    let [input] = operands(op, inputs)?;
    let lanes = Lanes::new(op, input.shape(), over)?;
    lanes.check(op, output, upstream)?;
    let factor = scale(lanes.length);
    let mut gradient = vec![0.0; input.len()];
    for (lane, seed) in upstream.data().iter().enumerate() {
        for step in 0..lanes.length {
            gradient[lanes.index(lane, step)] = seed * factor;
        }
    }
    Ok(vec![Tensor::from_parts(input.shape().to_vec(), gradient)])
}

/// The largest element (or of each lane). Refuses to reduce over zero elements.
pub fn max(over: Over, inputs: &[&Tensor]) -> Result<Tensor, TensorError> {
    let [input] = operands("max", inputs)?;
    let lanes = non_empty_lanes(input, over)?;
    let data = input.data();
    let values = (0..lanes.count())
        .map(|lane| data[lanes.index(lane, first_arg_max(&lanes, data, lane))])
        .collect();
    Ok(Tensor::from_parts(lanes.output_shape, values))
}

/// Each lane's upstream gradient goes to the lane's first arg-max; the rest get 0.
pub fn max_vjp(
    over: Over,
    inputs: &[&Tensor],
    output: &Tensor,
    upstream: &Tensor,
) -> Result<Vec<Tensor>, TensorError> {
    let [input] = operands("max", inputs)?;
    let lanes = non_empty_lanes(input, over)?;
    lanes.check("max", output, upstream)?;
    let mut gradient = vec![0.0; input.len()];
    for (lane, seed) in upstream.data().iter().enumerate() {
        gradient[lanes.index(lane, first_arg_max(&lanes, input.data(), lane))] = *seed;
    }
    Ok(vec![Tensor::from_parts(input.shape().to_vec(), gradient)])
}

/// The index of the largest element of each lane (over all elements: its row-major
/// index), the first one on ties, as a number. Refuses to reduce over zero elements.
pub fn argmax(over: Over, inputs: &[&Tensor]) -> Result<Tensor, TensorError> {
    let [input] = operands("argmax", inputs)?;
    let lanes = non_empty("argmax", input.shape(), over)?;
    let values = (0..lanes.count())
        .map(|lane| first_arg_max(&lanes, input.data(), lane) as f64)
        .collect();
    Ok(Tensor::from_parts(lanes.output_shape, values))
}

/// An index does not move when the values move a little: the gradient is 0 everywhere
/// (the non-differentiable selection of the seeds' pitfalls).
pub fn argmax_vjp(
    over: Over,
    inputs: &[&Tensor],
    output: &Tensor,
    upstream: &Tensor,
) -> Result<Vec<Tensor>, TensorError> {
    let [input] = operands("argmax", inputs)?;
    let lanes = non_empty("argmax", input.shape(), over)?;
    lanes.check("argmax", output, upstream)?;
    Ok(vec![Tensor::from_parts(
        input.shape().to_vec(),
        vec![0.0; input.len()],
    )])
}

fn non_empty_lanes(input: &Tensor, over: Over) -> Result<Lanes, TensorError> {
    non_empty("max", input.shape(), over)
}

fn non_empty(op: &'static str, shape: &[usize], over: Over) -> Result<Lanes, TensorError> {
    let lanes = Lanes::new(op, shape, over)?;
    if lanes.length == 0 {
        return Err(TensorError::EmptyReduction {
            op,
            shape: shape.to_vec(),
        });
    }
    Ok(lanes)
}

/// The shape a reduction leaves: `[]` over all elements, the shape without `axis`
/// otherwise. `max` and `argmax` have no identity, so they refuse zero elements per lane.
pub(crate) fn reduced_shape(
    op: &'static str,
    shape: &[usize],
    over: Over,
) -> Result<Vec<usize>, TensorError> {
    let lanes = if op == "max" || op == "argmax" {
        non_empty(op, shape, over)?
    } else {
        Lanes::new(op, shape, over)?
    };
    Ok(lanes.output_shape)
}

/// The first step of `lane` holding its largest value (a NaN is never replaced).
fn first_arg_max(lanes: &Lanes, data: &[f64], lane: usize) -> usize {
    let mut best = 0;
    for step in 1..lanes.length {
        if data[lanes.index(lane, step)] > data[lanes.index(lane, best)] {
            best = step;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tensor::check::{assert_vjp_matches_differences, small_shape, tensor_in};
    use proptest::prelude::*;

    fn matrix() -> Tensor {
        Tensor::from_vec(vec![2, 3], vec![1.0, 5.0, 3.0, 4.0, 2.0, 6.0]).unwrap()
    }

    #[test]
    fn reduces_all_or_along_an_axis() {
        let m = matrix();
        assert_eq!(sum(Over::All, &[&m]).unwrap().data(), &[21.0]);
        assert_eq!(sum(Over::Axis(0), &[&m]).unwrap().data(), &[5.0, 7.0, 9.0]);
        assert_eq!(mean(Over::Axis(1), &[&m]).unwrap().data(), &[3.0, 4.0]);
        assert_eq!(max(Over::All, &[&m]).unwrap().data(), &[6.0]);
        assert_eq!(max(Over::Axis(1), &[&m]).unwrap().data(), &[5.0, 6.0]);
        assert_eq!(max(Over::Axis(0), &[&m]).unwrap().shape(), &[3]);
    }

    #[test]
    fn max_gradient_goes_to_the_first_arg_max() {
        let tied = Tensor::from_vec(vec![4], vec![1.0, 3.0, 3.0, 2.0]).unwrap();
        let top = max(Over::All, &[&tied]).unwrap();
        let grads = max_vjp(Over::All, &[&tied], &top, &Tensor::scalar(2.0)).unwrap();
        assert_eq!(grads[0].data(), &[0.0, 2.0, 0.0, 0.0]);
    }

    #[test]
    fn argmax_is_the_first_index_of_the_largest_and_passes_no_gradient() {
        let m = matrix();
        assert_eq!(argmax(Over::All, &[&m]).unwrap().data(), &[5.0]);
        assert_eq!(argmax(Over::Axis(1), &[&m]).unwrap().data(), &[1.0, 2.0]);
        assert_eq!(
            argmax(Over::Axis(0), &[&m]).unwrap().data(),
            &[1.0, 0.0, 1.0]
        );
        let tied = Tensor::from_vec(vec![4], vec![1.0, 3.0, 3.0, 2.0]).unwrap();
        let index = argmax(Over::All, &[&tied]).unwrap();
        assert_eq!(index.data(), &[1.0]);
        let grads = argmax_vjp(Over::All, &[&tied], &index, &Tensor::scalar(2.0)).unwrap();
        assert_eq!(grads[0].data(), &[0.0; 4]);
        let empty = Tensor::zeros(&[0]).unwrap();
        assert!(matches!(
            argmax(Over::All, &[&empty]),
            Err(TensorError::EmptyReduction { .. })
        ));
    }

    #[test]
    fn refuses_missing_axes_and_empty_max() {
        let m = matrix();
        assert_eq!(
            sum(Over::Axis(2), &[&m]).unwrap_err().to_string(),
            "sum: axis 2 does not exist in a tensor with 2 dimensions"
        );
        let empty = Tensor::zeros(&[0]).unwrap();
        assert!(matches!(
            max(Over::All, &[&empty]),
            Err(TensorError::EmptyReduction { .. })
        ));
        assert_eq!(sum(Over::All, &[&empty]).unwrap().data(), &[0.0]);
        assert!(mean(Over::All, &[&empty]).unwrap().data()[0].is_nan());
    }

    fn identity(x: f64) -> f64 {
        x
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]

        #[test]
        fn reductions_match_finite_differences(
            shape in small_shape(3),
            axis_choice in 0usize..4,
            which in 0usize..4,
            seed in any::<u64>(),
        ) {
            // axis_choice beyond the rank means "all".
            let over = if axis_choice < shape.len() { Over::Axis(axis_choice) } else { Over::All };
            let inputs = [tensor_in(&shape, seed, identity)];
            type Forward = fn(Over, &[&Tensor]) -> Result<Tensor, TensorError>;
            type Backward =
                fn(Over, &[&Tensor], &Tensor, &Tensor) -> Result<Vec<Tensor>, TensorError>;
            let (forward, backward): (Forward, Backward) = match which {
                0 => (sum, sum_vjp),
                1 => (mean, mean_vjp),
                2 => (max, max_vjp),
                // Random values are distinct, so a small step never changes the index:
                // the differences are 0, as the VJP says.
                _ => (argmax, argmax_vjp),
            };
            assert_vjp_matches_differences(
                &inputs,
                &[true],
                |operands| forward(over, operands),
                |operands, output, upstream| backward(over, operands, output, upstream),
                seed,
            );
        }
    }
}
