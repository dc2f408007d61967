//! Losses that reduce to a scalar mean: `cross_entropy(logits, labels)` and
//! `mse(prediction, target)`, with their VJPs.
//!
//! `mse` takes operands of equal shape and does not broadcast: a `[N, 1]` prediction
//! against a `[N]` target would silently broadcast to `[N, N]`, a classic bug, so it is an
//! error ([`TensorError::ShapeMismatch`]) instead.

use super::softmax::log_softmax;
use super::{Tensor, TensorError, expect_shape, operands};

/// `logits` as `(rows, classes)` and `labels` as class indices, checked.
fn classification(logits: &Tensor, labels: &Tensor) -> Result<(usize, Vec<usize>), TensorError> {
    cross_entropy_shape(logits.shape(), labels.shape())?;
    let classes = logits.shape()[1];
    let indices = labels
        .data()
        .iter()
        .enumerate()
        .map(|(index, &value)| {
            if value.fract() != 0.0 || !value.is_finite() {
                Err(TensorError::LabelNotInteger { index, value })
            } else if value < 0.0 || value >= classes as f64 {
                Err(TensorError::LabelOutOfRange {
                    index,
                    value,
                    classes,
                })
            } else {
                Ok(value as usize)
            }
        })
        .collect::<Result<Vec<usize>, TensorError>>()?;
    Ok((classes, indices))
}

/// `−mean_n log_softmax(logits)[n, labels[n]]` for logits `[N, C]` and labels `[N]`
/// holding class indices as whole numbers in `0..C`.
pub fn cross_entropy(inputs: &[&Tensor]) -> Result<Tensor, TensorError> {
    let [logits, labels] = operands("cross_entropy", inputs)?;
    let (classes, indices) = classification(logits, labels)?;
    let log_probabilities = log_softmax(&[logits])?;
    let total: f64 = indices
        .iter()
        .enumerate()
        .map(|(row, &label)| -log_probabilities.data()[row * classes + label])
        .sum();
    Ok(Tensor::scalar(total / indices.len() as f64))
}

/// `logits̄ = ȳ (softmax(logits) − onehot(labels)) / N`; labels get a zero gradient (they
/// are indices, not differentiable values).
pub fn cross_entropy_vjp(
    inputs: &[&Tensor],
    output: &Tensor,
    upstream: &Tensor,
) -> Result<Vec<Tensor>, TensorError> {
    let [logits, labels] = operands("cross_entropy", inputs)?;
    let (classes, indices) = classification(logits, labels)?;
    expect_shape("cross_entropy", "output", output, &[])?;
    expect_shape("cross_entropy", "upstream gradient", upstream, &[])?;
    let scale = upstream.data()[0] / indices.len() as f64;
    let log_probabilities = log_softmax(&[logits])?;
    let mut gradient: Vec<f64> = log_probabilities
        .data()
        .iter()
        .map(|log_p| log_p.exp() * scale)
        .collect();
    for (row, &label) in indices.iter().enumerate() {
        gradient[row * classes + label] -= scale;
    }
    Ok(vec![
        Tensor::from_parts(logits.shape().to_vec(), gradient),
        Tensor::from_parts(labels.shape().to_vec(), vec![0.0; labels.len()]),
    ])
}

fn same_shapes<'a>(inputs: &[&'a Tensor]) -> Result<[&'a Tensor; 2], TensorError> {
    let [prediction, target] = operands("mse", inputs)?;
    mse_shape(prediction.shape(), target.shape())?;
    Ok([prediction, target])
}

/// `mse` of operands of these shapes is a scalar if the shapes are equal.
pub(crate) fn mse_shape(prediction: &[usize], target: &[usize]) -> Result<Vec<usize>, TensorError> {
    if prediction != target {
        return Err(TensorError::ShapeMismatch {
            op: "mse",
            left: prediction.to_vec(),
            right: target.to_vec(),
        });
    }
    Ok(Vec::new())
}

/// `cross_entropy` of logits `[N, C]` and labels `[N]` is a scalar.
pub(crate) fn cross_entropy_shape(
    logits: &[usize],
    labels: &[usize],
) -> Result<Vec<usize>, TensorError> {
    let &[rows, _] = logits else {
        return Err(TensorError::Rank {
            op: "cross_entropy",
            shape: logits.to_vec(),
            expected: "logits of shape [N, C]",
        });
    };
    if labels != [rows] {
        return Err(TensorError::ShapeMismatch {
            op: "cross_entropy",
            left: logits.to_vec(),
            right: labels.to_vec(),
        });
    }
    Ok(Vec::new())
}

/// `mean((prediction − target)²)` over all elements; operands must have equal shapes.
pub fn mse(inputs: &[&Tensor]) -> Result<Tensor, TensorError> {
    let [prediction, target] = same_shapes(inputs)?;
    let total: f64 = prediction
        .data()
        .iter()
        .zip(target.data())
        .map(|(p, t)| (p - t) * (p - t))
        .sum();
    Ok(Tensor::scalar(total / prediction.len() as f64))
}

/// `prediction̄ = 2ȳ (prediction − target) / n` and `target̄ = −prediction̄`.
pub fn mse_vjp(
    inputs: &[&Tensor],
    output: &Tensor,
    upstream: &Tensor,
) -> Result<Vec<Tensor>, TensorError> {
    let [prediction, target] = same_shapes(inputs)?;
    expect_shape("mse", "output", output, &[])?;
    expect_shape("mse", "upstream gradient", upstream, &[])?;
    let scale = 2.0 * upstream.data()[0] / prediction.len() as f64;
    let prediction_bar: Vec<f64> = prediction
        .data()
        .iter()
        .zip(target.data())
        .map(|(p, t)| scale * (p - t))
        .collect();
    let target_bar = prediction_bar.iter().map(|g| -g).collect();
    Ok(vec![
        Tensor::from_parts(prediction.shape().to_vec(), prediction_bar),
        Tensor::from_parts(target.shape().to_vec(), target_bar),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tensor::check::{assert_vjp_matches_differences, small_shape, tensor_in};
    use proptest::prelude::*;

    fn tensor(shape: &[usize], data: &[f64]) -> Tensor {
        Tensor::from_vec(shape.to_vec(), data.to_vec()).unwrap()
    }

    #[test]
    fn cross_entropy_of_uniform_logits_is_log_classes() {
        let logits = Tensor::zeros(&[2, 4]).unwrap();
        let labels = tensor(&[2], &[0.0, 3.0]);
        let loss = cross_entropy(&[&logits, &labels]).unwrap();
        assert!((loss.data()[0] - 4f64.ln()).abs() < 1e-12);
    }

    #[test]
    fn cross_entropy_refuses_bad_labels() {
        let logits = Tensor::zeros(&[2, 3]).unwrap();
        assert_eq!(
            cross_entropy(&[&logits, &tensor(&[2], &[0.0, 3.0])])
                .unwrap_err()
                .to_string(),
            "cross_entropy: label 3 at position 1 is outside 0..3"
        );
        assert!(matches!(
            cross_entropy(&[&logits, &tensor(&[2], &[0.5, 1.0])]),
            Err(TensorError::LabelNotInteger { index: 0, .. })
        ));
        assert!(matches!(
            cross_entropy(&[&logits, &tensor(&[2], &[-1.0, 1.0])]),
            Err(TensorError::LabelOutOfRange { index: 0, .. })
        ));
        assert!(matches!(
            cross_entropy(&[&logits, &tensor(&[2], &[f64::NAN, 1.0])]),
            Err(TensorError::LabelNotInteger { .. })
        ));
        assert!(matches!(
            cross_entropy(&[&logits, &tensor(&[3], &[0.0, 1.0, 2.0])]),
            Err(TensorError::ShapeMismatch { .. })
        ));
        assert!(matches!(
            cross_entropy(&[&tensor(&[3], &[0.0; 3]), &tensor(&[1], &[0.0])]),
            Err(TensorError::Rank { .. })
        ));
    }

    #[test]
    fn mse_needs_equal_shapes() {
        let p = tensor(&[2], &[1.0, 3.0]);
        let t = tensor(&[2], &[0.0, 1.0]);
        assert_eq!(mse(&[&p, &t]).unwrap().data(), &[2.5]);
        let column = Tensor::zeros(&[2, 1]).unwrap();
        assert_eq!(
            mse(&[&column, &t]).unwrap_err().to_string(),
            "mse: [2,1] and [2] — shapes must be equal"
        );
    }

    fn identity(x: f64) -> f64 {
        x
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        #[test]
        fn cross_entropy_matches_finite_differences(
            rows in 1usize..=5,
            classes in 1usize..=5,
            label_seed in any::<u64>(),
            seed in any::<u64>(),
        ) {
            let labels: Vec<f64> = (0..rows)
                .map(|row| ((label_seed >> (row * 3)) as usize % classes) as f64)
                .collect();
            let inputs = [
                tensor_in(&[rows, classes], seed, identity),
                tensor(&[rows], &labels),
            ];
            assert_vjp_matches_differences(
                &inputs,
                &[true, false],
                cross_entropy,
                cross_entropy_vjp,
                seed,
            );
        }

        #[test]
        fn mse_matches_finite_differences(shape in small_shape(3), seed in any::<u64>()) {
            let inputs = [tensor_in(&shape, seed, identity), tensor_in(&shape, seed ^ 5, identity)];
            assert_vjp_matches_differences(&inputs, &[true, true], mse, mse_vjp, seed);
        }
    }
}
