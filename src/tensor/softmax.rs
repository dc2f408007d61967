//! `softmax` and `log_softmax` along the last axis, numerically stable (each row's maximum
//! is subtracted before exponentiating), with their VJPs.

use super::{Tensor, TensorError, expect_shape, operands};

/// The length of the rows along the last axis; a scalar has no last axis.
fn last_axis(op: &'static str, input: &Tensor) -> Result<usize, TensorError> {
    row_length(op, input.shape())
}

/// The length of a shape's rows along its last axis, which must exist.
pub(crate) fn row_length(op: &'static str, shape: &[usize]) -> Result<usize, TensorError> {
    shape.last().copied().ok_or_else(|| TensorError::Rank {
        op,
        shape: Vec::new(),
        expected: "at least one dimension",
    })
}

/// `log_softmax` of each row: `x − max − ln Σ exp(x − max)`.
fn log_softmax_rows(data: &[f64], row_length: usize) -> Vec<f64> {
    let mut result = Vec::with_capacity(data.len());
    for row in data.chunks(row_length.max(1)) {
        let max = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let log_total = row.iter().map(|x| (x - max).exp()).sum::<f64>().ln();
        result.extend(row.iter().map(|x| x - max - log_total));
    }
    result
}

/// `exp(xᵢ) / Σⱼ exp(xⱼ)` along the last axis.
pub fn softmax(inputs: &[&Tensor]) -> Result<Tensor, TensorError> {
    let [input] = operands("softmax", inputs)?;
    let row_length = last_axis("softmax", input)?;
    let data = log_softmax_rows(input.data(), row_length)
        .into_iter()
        .map(f64::exp)
        .collect();
    Ok(Tensor::from_parts(input.shape().to_vec(), data))
}

/// `x̄ = y ⊙ (ȳ − Σ ȳ ⊙ y)` per row, with `y` the softmax output.
pub fn softmax_vjp(
    inputs: &[&Tensor],
    output: &Tensor,
    upstream: &Tensor,
) -> Result<Vec<Tensor>, TensorError> {
    let [input] = operands("softmax", inputs)?;
    let row_length = last_axis("softmax", input)?.max(1);
    expect_shape("softmax", "output", output, input.shape())?;
    expect_shape("softmax", "upstream gradient", upstream, input.shape())?;
    let mut gradient = Vec::with_capacity(input.len());
    for (y, y_bar) in output
        .data()
        .chunks(row_length)
        .zip(upstream.data().chunks(row_length))
    {
        let weighted: f64 = y.iter().zip(y_bar).map(|(y, g)| y * g).sum();
        gradient.extend(y.iter().zip(y_bar).map(|(y, g)| y * (g - weighted)));
    }
    Ok(vec![Tensor::from_parts(input.shape().to_vec(), gradient)])
}

/// `ln softmax(x)` along the last axis, without forming the softmax first.
pub fn log_softmax(inputs: &[&Tensor]) -> Result<Tensor, TensorError> {
    let [input] = operands("log_softmax", inputs)?;
    let row_length = last_axis("log_softmax", input)?;
    let data = log_softmax_rows(input.data(), row_length);
    Ok(Tensor::from_parts(input.shape().to_vec(), data))
}

/// `x̄ = ȳ − softmax(x) · Σ ȳ` per row, where `softmax(x) = exp(y)`.
pub fn log_softmax_vjp(
    inputs: &[&Tensor],
    output: &Tensor,
    upstream: &Tensor,
) -> Result<Vec<Tensor>, TensorError> {
    let [input] = operands("log_softmax", inputs)?;
    let row_length = last_axis("log_softmax", input)?.max(1);
    expect_shape("log_softmax", "output", output, input.shape())?;
    expect_shape("log_softmax", "upstream gradient", upstream, input.shape())?;
    let mut gradient = Vec::with_capacity(input.len());
    for (y, y_bar) in output
        .data()
        .chunks(row_length)
        .zip(upstream.data().chunks(row_length))
    {
        let total: f64 = y_bar.iter().sum();
        gradient.extend(y.iter().zip(y_bar).map(|(y, g)| g - y.exp() * total));
    }
    Ok(vec![Tensor::from_parts(input.shape().to_vec(), gradient)])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tensor::check::{assert_vjp_matches_differences, small_shape, tensor_in};
    use proptest::prelude::*;

    #[test]
    fn large_logits_do_not_overflow() {
        let x = Tensor::from_vec(vec![1, 3], vec![1000.0, 1000.0, -1000.0]).unwrap();
        let y = softmax(&[&x]).unwrap();
        assert_eq!(y.data(), &[0.5, 0.5, 0.0]);
        let log_y = log_softmax(&[&x]).unwrap();
        assert!((log_y.data()[0] - 0.5f64.ln()).abs() < 1e-12);
        assert!((log_y.data()[2] - (-2000.0 - 2f64.ln())).abs() < 1e-9);
    }

    #[test]
    fn rows_sum_to_one_and_scalars_are_refused() {
        let x = Tensor::randn(&[3, 4], 9).unwrap();
        let y = softmax(&[&x]).unwrap();
        for row in y.data().chunks(4) {
            assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        }
        assert!(matches!(
            softmax(&[&Tensor::scalar(1.0)]),
            Err(TensorError::Rank { .. })
        ));
    }

    fn scaled(x: f64) -> f64 {
        3.0 * x
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        #[test]
        fn softmaxes_match_finite_differences(
            mut shape in small_shape(3),
            log in any::<bool>(),
            seed in any::<u64>(),
        ) {
            if shape.is_empty() {
                shape.push(3);
            }
            let inputs = [tensor_in(&shape, seed, scaled)];
            if log {
                assert_vjp_matches_differences(&inputs, &[true], log_softmax, log_softmax_vjp, seed);
            } else {
                assert_vjp_matches_differences(&inputs, &[true], softmax, softmax_vjp, seed);
            }
        }
    }
}
