//! Test support: random tensors and shapes, and a VJP check against central differences.

use super::{Tensor, TensorError};
use proptest::prelude::*;

/// A random tensor of `shape` with each standard-normal sample passed through `map`.
pub fn tensor_in(shape: &[usize], seed: u64, map: fn(f64) -> f64) -> Tensor {
    let sample = Tensor::randn(shape, seed).expect("test shapes are small");
    Tensor::from_vec(
        shape.to_vec(),
        sample.data().iter().map(|&x| map(x)).collect(),
    )
    .expect("same shape")
}

/// Shapes of up to `max_rank` dimensions, each of 1 to 5 elements.
pub fn small_shape(max_rank: usize) -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(1usize..=5, 0..=max_rank)
}

/// Two shapes that broadcast together: a common shape with, for each operand, some leading
/// dimensions dropped and some dimensions squeezed to 1.
pub fn broadcast_pair() -> impl Strategy<Value = (Vec<usize>, Vec<usize>)> {
    (
        small_shape(3),
        any::<u64>(),
        any::<u64>(),
        0usize..=3,
        0usize..=3,
    )
        .prop_map(|(shape, left_ones, right_ones, left_drop, right_drop)| {
            let derive = |ones: u64, drop: usize| -> Vec<usize> {
                let drop = drop.min(shape.len());
                shape[drop..]
                    .iter()
                    .enumerate()
                    .map(|(axis, &dim)| if ones >> axis & 1 == 1 { 1 } else { dim })
                    .collect()
            };
            (derive(left_ones, left_drop), derive(right_ones, right_drop))
        })
}

/// Check `vjp` against central differences of `forward`: with a random upstream `g`, the
/// gradient of `sum(g ⊙ forward(inputs))` with respect to every element of every input
/// marked differentiable.
pub fn assert_vjp_matches_differences(
    inputs: &[Tensor],
    differentiable: &[bool],
    forward: impl Fn(&[&Tensor]) -> Result<Tensor, TensorError>,
    vjp: impl Fn(&[&Tensor], &Tensor, &Tensor) -> Result<Vec<Tensor>, TensorError>,
    seed: u64,
) {
    let operands: Vec<&Tensor> = inputs.iter().collect();
    let output = forward(&operands).expect("forward succeeds");
    let upstream = Tensor::randn(output.shape(), seed.wrapping_add(7)).expect("small");
    let gradients = vjp(&operands, &output, &upstream).expect("vjp succeeds");
    assert_eq!(gradients.len(), inputs.len(), "one gradient per input");
    let objective = |perturbed: &[Tensor]| -> f64 {
        let operands: Vec<&Tensor> = perturbed.iter().collect();
        let value = forward(&operands).expect("forward succeeds");
        value
            .data()
            .iter()
            .zip(upstream.data())
            .map(|(v, g)| v * g)
            .sum()
    };
    let step = 1e-5;
    for (which, gradient) in gradients.iter().enumerate() {
        assert_eq!(
            gradient.shape(),
            inputs[which].shape(),
            "gradient {which} shape"
        );
        if !differentiable.get(which).copied().unwrap_or(true) {
            continue;
        }
        for element in 0..inputs[which].len() {
            let nudged = |delta: f64| {
                let mut perturbed = inputs.to_vec();
                let mut data = perturbed[which].data().to_vec();
                data[element] += delta;
                perturbed[which] =
                    Tensor::from_vec(inputs[which].shape().to_vec(), data).expect("same shape");
                objective(&perturbed)
            };
            let numeric = (nudged(step) - nudged(-step)) / (2.0 * step);
            let analytic = gradient.data()[element];
            let tolerance = 1e-5 * (1.0 + numeric.abs().max(analytic.abs()));
            assert!(
                (numeric - analytic).abs() <= tolerance,
                "input {which}, element {element}: vjp {analytic}, differences {numeric}"
            );
        }
    }
}
