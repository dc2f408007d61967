//! `layer_norm` along the last axis: each row shifted to mean 0 and scaled to variance 1,
//! `y = (x − μ) / √(σ² + ε)` with ε = 1e-5 (PyTorch's default), and its VJP.

use super::softmax::row_length;
use super::{Tensor, TensorError, expect_shape, operands};

/// Added to each row's variance before the square root, so a constant row gives 0s.
pub const EPSILON: f64 = 1e-5;

/// `1 / √(σ² + ε)` of one row, σ² its population variance (PyTorch's biased estimate).
fn inverse_deviation(row: &[f64]) -> f64 {
    let n = row.len() as f64;
    let mean = row.iter().sum::<f64>() / n;
    let variance = row.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n;
    1.0 / (variance + EPSILON).sqrt()
}

/// Each row of the last axis normalized to mean 0 and variance 1.
pub fn layer_norm(inputs: &[&Tensor]) -> Result<Tensor, TensorError> {
    let [input] = operands("layer_norm", inputs)?;
    let length = row_length("layer_norm", input.shape())?.max(1);
    let mut data = Vec::with_capacity(input.len());
    for row in input.data().chunks(length) {
        let mean = row.iter().sum::<f64>() / row.len() as f64;
        let scale = inverse_deviation(row);
        data.extend(row.iter().map(|x| (x - mean) * scale));
    }
    Ok(Tensor::from_parts(input.shape().to_vec(), data))
}

/// `x̄ = (ȳ − mean(ȳ) − y · mean(ȳ ⊙ y)) / √(σ² + ε)` per row, with `y` the output: the
/// Jacobian `(I − 𝟙𝟙ᵀ/n − y yᵀ/n) / √(σ² + ε)` is symmetric, so this is its product with ȳ.
pub fn layer_norm_vjp(
    inputs: &[&Tensor],
    output: &Tensor,
    upstream: &Tensor,
) -> Result<Vec<Tensor>, TensorError> {
    let [input] = operands("layer_norm", inputs)?;
    let length = row_length("layer_norm", input.shape())?.max(1);
    expect_shape("layer_norm", "output", output, input.shape())?;
    expect_shape("layer_norm", "upstream gradient", upstream, input.shape())?;
    let mut gradient = Vec::with_capacity(input.len());
    let rows = input
        .data()
        .chunks(length)
        .zip(output.data().chunks(length))
        .zip(upstream.data().chunks(length));
    for ((x, y), y_bar) in rows {
        let n = x.len() as f64;
        let scale = inverse_deviation(x);
        let mean_bar = y_bar.iter().sum::<f64>() / n;
        let mean_projection = y.iter().zip(y_bar).map(|(y, g)| y * g).sum::<f64>() / n;
        gradient.extend(
            y.iter()
                .zip(y_bar)
                .map(|(y, g)| (g - mean_bar - y * mean_projection) * scale),
        );
    }
    Ok(vec![Tensor::from_parts(input.shape().to_vec(), gradient)])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tensor::check::{assert_vjp_matches_differences, small_shape, tensor_in};
    use proptest::prelude::*;

    #[test]
    fn rows_get_mean_zero_and_variance_near_one() {
        let x = Tensor::from_vec(vec![2, 4], vec![1.0, 2.0, 3.0, 4.0, 5.0, 5.0, 5.0, 5.0]).unwrap();
        let y = layer_norm(&[&x]).unwrap();
        // Row 1: mean 2.5, variance 1.25, so (1 − 2.5)/√1.25001.
        let expected = -1.5 / (1.25f64 + EPSILON).sqrt();
        assert!((y.data()[0] - expected).abs() < 1e-15);
        let first = &y.data()[..4];
        assert!(first.iter().sum::<f64>().abs() < 1e-12);
        let variance = first.iter().map(|v| v * v).sum::<f64>() / 4.0;
        assert!((variance - 1.25 / (1.25 + EPSILON)).abs() < 1e-12);
        assert_eq!(
            &y.data()[4..],
            &[0.0; 4],
            "a constant row is all 0, not NaN"
        );
        assert!(matches!(
            layer_norm(&[&Tensor::scalar(1.0)]),
            Err(TensorError::Rank { .. })
        ));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        #[test]
        fn layer_norm_matches_finite_differences(
            mut shape in small_shape(3),
            seed in any::<u64>(),
        ) {
            if shape.is_empty() {
                shape.push(4);
            }
            let inputs = [tensor_in(&shape, seed, |x| 2.0 * x + 1.0)];
            assert_vjp_matches_differences(&inputs, &[true], layer_norm, layer_norm_vjp, seed);
        }
    }
}
