//! Tests of construction, limits, errors and a whole small network composed from the ops.

use super::*;
use crate::op::Op;
use reduce::Over;

fn tensor(shape: &[usize], data: &[f64]) -> Tensor {
    Tensor::from_vec(shape.to_vec(), data.to_vec()).unwrap()
}

fn row(values: &[f64]) -> Nested {
    Nested::Row(values.iter().map(|&v| Nested::Number(v)).collect())
}

#[test]
fn constructors_fill_their_shapes() {
    let s = Tensor::scalar(2.5);
    assert_eq!((s.shape(), s.rank(), s.item()), (&[][..], 0, Some(2.5)));
    assert_eq!(Tensor::zeros(&[2, 3]).unwrap().data(), &[0.0; 6]);
    assert_eq!(Tensor::ones(&[2]).unwrap().data(), &[1.0, 1.0]);
    assert_eq!(Tensor::full(&[0, 4], 7.0).unwrap().len(), 0);
    let m = tensor(&[2, 2], &[1.0, 2.0, 3.0, 4.0]);
    assert_eq!(
        (m.get(&[1, 0]), m.get(&[2, 0]), m.get(&[0])),
        (Some(3.0), None, None)
    );
}

#[test]
fn from_vec_checks_the_length() {
    assert_eq!(
        Tensor::from_vec(vec![2, 3], vec![0.0; 5])
            .unwrap_err()
            .to_string(),
        "shape [2,3] needs 6 values, got 5"
    );
}

#[test]
fn nested_literals_give_shape_and_row_major_data() {
    let matrix = Nested::Row(vec![row(&[1.0, 2.0]), row(&[3.0, 4.0]), row(&[5.0, 6.0])]);
    let t = Tensor::from_nested(&matrix).unwrap();
    assert_eq!(t.shape(), &[3, 2]);
    assert_eq!(t.data(), &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    assert_eq!(
        Tensor::from_nested(&Nested::Number(4.0)).unwrap(),
        Tensor::scalar(4.0)
    );
    assert_eq!(
        Tensor::from_nested(&Nested::Row(vec![])).unwrap().shape(),
        &[0]
    );
}

#[test]
fn ragged_literals_are_refused_with_their_position() {
    let ragged = Nested::Row(vec![row(&[1.0, 2.0]), row(&[3.0])]);
    let error = Tensor::from_nested(&ragged).unwrap_err();
    assert_eq!(
        error,
        TensorError::Ragged {
            at: vec![1],
            expected: 2,
            found: 1
        }
    );
    assert_eq!(
        error.to_string(),
        "ragged literal: the row at position [1] has 1 entries, but its siblings have 2"
    );
    let mixed = Nested::Row(vec![row(&[1.0, 2.0]), Nested::Number(3.0)]);
    assert_eq!(
        Tensor::from_nested(&mixed).unwrap_err(),
        TensorError::RaggedDepth {
            at: vec![1],
            found_row: false
        }
    );
    let too_deep = Nested::Row(vec![Nested::Number(1.0), row(&[2.0])]);
    assert!(matches!(
        Tensor::from_nested(&too_deep),
        Err(TensorError::RaggedDepth {
            found_row: true,
            ..
        })
    ));
}

#[test]
fn deeply_nested_literals_are_refused() {
    let mut literal = Nested::Number(1.0);
    for _ in 0..=MAX_RANK {
        literal = Nested::Row(vec![literal]);
    }
    assert!(matches!(
        Tensor::from_nested(&literal),
        Err(TensorError::TooManyDimensions { .. })
    ));
}

#[test]
fn too_large_tensors_are_refused_even_when_the_product_overflows() {
    assert!(Tensor::zeros(&[1 << 11, 1 << 11]).is_ok());
    assert!(matches!(
        Tensor::zeros(&[1 << 11, (1 << 11) + 1]),
        Err(TensorError::TooLarge { .. })
    ));
    assert!(matches!(
        Tensor::ones(&[usize::MAX, 2]),
        Err(TensorError::TooLarge { .. })
    ));
    assert!(matches!(
        Tensor::randn(&[0, usize::MAX, usize::MAX], 1),
        Err(TensorError::TooLarge { .. })
    ));
    assert!(matches!(
        broadcast_shapes(&[1 << 12, 1], &[1 << 12]),
        Err(TensorError::TooLarge { .. })
    ));
}

#[test]
fn randn_is_deterministic_and_roughly_standard() {
    let a = Tensor::randn(&[1000], 42).unwrap();
    assert_eq!(a, Tensor::randn(&[1000], 42).unwrap());
    assert_ne!(a, Tensor::randn(&[1000], 43).unwrap());
    // The first elements do not depend on how many are drawn.
    assert_eq!(&a.data()[..3], Tensor::randn(&[3], 42).unwrap().data());
    let mean = a.data().iter().sum::<f64>() / 1000.0;
    let variance = a.data().iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 1000.0;
    assert!(
        mean.abs() < 0.1 && (variance - 1.0).abs() < 0.15,
        "{mean} {variance}"
    );
    assert!(a.data().iter().all(|x| x.is_finite()));
}

fn close(actual: &[f64], expected: &[f64]) {
    assert_eq!(actual.len(), expected.len());
    for (a, e) in actual.iter().zip(expected) {
        assert!((a - e).abs() < 1e-12, "{actual:?} vs {expected:?}");
    }
}

/// The seeds' 2-3-1 network, composed from the forward ops and their VJPs by hand:
/// h = relu(W1 @ x + b1), ŷ = W2 @ h + b2, L = ½(ŷ − 1)².
#[test]
fn seed_network_forward_and_backward() {
    let x = tensor(&[2], &[1.0, 2.0]);
    let w1 = tensor(&[3, 2], &[0.5, -0.3, 0.2, 0.8, -0.4, 0.6]);
    let b1 = tensor(&[3], &[0.1, -0.2, 0.0]);
    let w2 = tensor(&[1, 3], &[0.3, -0.5, 0.7]);
    let b2 = tensor(&[1], &[0.1]);
    let target = Tensor::scalar(1.0);
    let half = Tensor::scalar(0.5);

    // Forward.
    let w1x = matmul::forward(&[&w1, &x]).unwrap();
    let z1 = elementwise::forward(Op::Add, &[&w1x, &b1]).unwrap();
    // 0.5·1 − 0.3·2 + 0.1 leaves 2.8e-17 in binary; the add takes such a residue as the
    // exact 0 the seeds have, so relu'(0) = 0 applies to the dead neuron.
    assert_eq!(z1.data()[0], 0.0);
    let h = elementwise::forward(Op::Relu, &[&z1]).unwrap();
    close(h.data(), &[0.0, 1.6, 0.8]);
    let w2h = matmul::forward(&[&w2, &h]).unwrap();
    let y = elementwise::forward(Op::Add, &[&w2h, &b2]).unwrap();
    close(y.data(), &[-0.14]);
    let error = elementwise::forward(Op::Sub, &[&y, &target]).unwrap();
    let squared = elementwise::forward(Op::PowConst(2.0), &[&error]).unwrap();
    let loss = elementwise::forward(Op::Mul, &[&half, &squared]).unwrap();
    close(loss.data(), &[0.6498]);

    // Backward, seeding ∂L/∂L = 1 and walking the ops in reverse.
    let loss_bar = Tensor::ones(loss.shape()).unwrap();
    let squared_bar =
        elementwise::vjp(Op::Mul, &[&half, &squared], &loss, &loss_bar).unwrap()[1].clone();
    let error_bar =
        elementwise::vjp(Op::PowConst(2.0), &[&error], &squared, &squared_bar).unwrap()[0].clone();
    let y_bar = elementwise::vjp(Op::Sub, &[&y, &target], &error, &error_bar).unwrap()[0].clone();
    close(y_bar.data(), &[-1.14]);
    let add_bars = elementwise::vjp(Op::Add, &[&w2h, &b2], &y, &y_bar).unwrap();
    close(add_bars[1].data(), &[-1.14]);
    let matmul_bars = matmul::vjp(&[&w2, &h], &w2h, &add_bars[0]).unwrap();
    close(matmul_bars[0].data(), &[0.0, -1.824, -0.912]);
    let h_bar = &matmul_bars[1];
    close(h_bar.data(), &[-0.342, 0.57, -0.798]);
    let z1_bar = elementwise::vjp(Op::Relu, &[&z1], &h, h_bar).unwrap()[0].clone();
    close(z1_bar.data(), &[0.0, 0.57, -0.798]);
    let layer_bars = elementwise::vjp(Op::Add, &[&w1x, &b1], &z1, &z1_bar).unwrap();
    close(layer_bars[1].data(), &[0.0, 0.57, -0.798]);
    let w1_bars = matmul::vjp(&[&w1, &x], &w1x, &layer_bars[0]).unwrap();
    assert_eq!(w1_bars[0].shape(), &[3, 2]);
    close(w1_bars[0].data(), &[0.0, 0.0, 0.57, 1.14, -0.798, -1.596]);

    // The same loss through the library's mean-squared error is twice the seeds' ½(ŷ − 1)².
    let mse = loss::mse(&[&y, &Tensor::ones(&[1]).unwrap()]).unwrap();
    close(mse.data(), &[2.0 * 0.6498]);
    // And the output layer as a vector product gives the same ŷ.
    let w2_vector = tensor(&[3], &[0.3, -0.5, 0.7]);
    let y_from_vector = matmul::forward(&[&w2_vector, &h]).unwrap();
    assert_eq!(y_from_vector.shape(), &[] as &[usize]);
    close(y_from_vector.data(), &[-0.24]);
    close(reduce::sum(Over::All, &[&h]).unwrap().data(), &[2.4]);
}
