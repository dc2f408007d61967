//! Matrix product `V = A @ B` (matrices and vectors) and the 2-D transpose, with their VJPs.
//! The backward is the seeds' rule `Ā = V̄ Bᵀ`, `B̄ = Aᵀ V̄`, computed by indexing the
//! operands transposed rather than building transposed copies.

use super::{Tensor, TensorError, expect_shape, operands};

/// The product as a `rows × inner` by `inner × cols` matrix product: a vector on the left
/// is one row, a vector on the right one column, and those dimensions leave the result.
struct Product {
    rows: usize,
    inner: usize,
    cols: usize,
    output_shape: Vec<usize>,
}

impl Product {
    fn new(left: &[usize], right: &[usize]) -> Result<Product, TensorError> {
        let (rows, left_inner) = match *left {
            [rows, inner] => (rows, inner),
            [inner] => (1, inner),
            _ => return Err(not_a_matrix(left)),
        };
        let (right_inner, cols) = match *right {
            [inner, cols] => (inner, cols),
            [inner] => (inner, 1),
            _ => return Err(not_a_matrix(right)),
        };
        if left_inner != right_inner {
            return Err(TensorError::InnerDimensions {
                left: left.to_vec(),
                right: right.to_vec(),
                left_inner,
                right_inner,
            });
        }
        let mut output_shape = Vec::new();
        if left.len() == 2 {
            output_shape.push(rows);
        }
        if right.len() == 2 {
            output_shape.push(cols);
        }
        Ok(Product {
            rows,
            inner: left_inner,
            cols,
            output_shape,
        })
    }
}

/// The shape of `A @ B` for operands of these shapes.
pub(crate) fn product_shape(left: &[usize], right: &[usize]) -> Result<Vec<usize>, TensorError> {
    Product::new(left, right).map(|product| product.output_shape)
}

/// The shape of a matrix's transpose; only matrices have one.
pub(crate) fn transpose_shape(shape: &[usize]) -> Result<Vec<usize>, TensorError> {
    match *shape {
        [rows, cols] => Ok(vec![cols, rows]),
        _ => Err(TensorError::Rank {
            op: "transpose",
            shape: shape.to_vec(),
            expected: "a matrix (2 dimensions)",
        }),
    }
}

fn not_a_matrix(shape: &[usize]) -> TensorError {
    TensorError::Rank {
        op: "@",
        shape: shape.to_vec(),
        expected: "a vector or a matrix",
    }
}

/// `A @ B` for matrix@matrix, matrix@vector, vector@matrix and vector@vector (a scalar).
pub fn forward(inputs: &[&Tensor]) -> Result<Tensor, TensorError> {
    let [left, right] = operands("@", inputs)?;
    let product = Product::new(left.shape(), right.shape())?;
    let Product {
        rows, inner, cols, ..
    } = product;
    let (a, b) = (left.data(), right.data());
    let mut v = vec![0.0; rows * cols];
    if inner > 0 && cols > 0 {
        // i-k-j order over row slices: the innermost loop walks rows of B and V
        // contiguously, without bounds checks, so it vectorizes.
        for (a_row, v_row) in a.chunks_exact(inner).zip(v.chunks_exact_mut(cols)) {
            for (&a_ik, b_row) in a_row.iter().zip(b.chunks_exact(cols)) {
                for (v_ij, &b_kj) in v_row.iter_mut().zip(b_row) {
                    *v_ij += a_ik * b_kj;
                }
            }
        }
    }
    Ok(Tensor::from_parts(product.output_shape, v))
}

/// `[Ā, B̄] = [V̄ Bᵀ, Aᵀ V̄]`, each with its operand's shape.
pub fn vjp(
    inputs: &[&Tensor],
    output: &Tensor,
    upstream: &Tensor,
) -> Result<Vec<Tensor>, TensorError> {
    let [left, right] = operands("@", inputs)?;
    let product = Product::new(left.shape(), right.shape())?;
    expect_shape("@", "output", output, &product.output_shape)?;
    expect_shape("@", "upstream gradient", upstream, &product.output_shape)?;
    let Product {
        rows, inner, cols, ..
    } = product;
    let (a, b, v_bar) = (left.data(), right.data(), upstream.data());
    let mut a_bar = vec![0.0; rows * inner];
    let mut b_bar = vec![0.0; inner * cols];
    if inner > 0 && cols > 0 {
        for ((v_bar_row, a_row), a_bar_row) in v_bar
            .chunks_exact(cols)
            .zip(a.chunks_exact(inner))
            .zip(a_bar.chunks_exact_mut(inner))
        {
            for (((a_ik, a_bar_ik), b_row), b_bar_row) in a_row
                .iter()
                .zip(a_bar_row.iter_mut())
                .zip(b.chunks_exact(cols))
                .zip(b_bar.chunks_exact_mut(cols))
            {
                // Ā[i,k] = Σ_j V̄[i,j] · Bᵀ[j,k], where Bᵀ[j,k] is B[k,j].
                *a_bar_ik = dot(v_bar_row, b_row);
                // B̄[k,j] += Aᵀ[k,i] · V̄[i,j], where Aᵀ[k,i] is A[i,k].
                for (b_bar_kj, g) in b_bar_row.iter_mut().zip(v_bar_row) {
                    *b_bar_kj += a_ik * g;
                }
            }
        }
    }
    Ok(vec![
        Tensor::from_parts(left.shape().to_vec(), a_bar),
        Tensor::from_parts(right.shape().to_vec(), b_bar),
    ])
}

/// `Σ xᵢ·yᵢ` with four running sums, so the loop vectorizes.
fn dot(x: &[f64], y: &[f64]) -> f64 {
    let mut sums = [0.0; 4];
    let (x_quads, y_quads) = (x.chunks_exact(4), y.chunks_exact(4));
    let tail: f64 = x_quads
        .remainder()
        .iter()
        .zip(y_quads.remainder())
        .map(|(a, b)| a * b)
        .sum();
    for (xs, ys) in x_quads.zip(y_quads) {
        for lane in 0..4 {
            sums[lane] += xs[lane] * ys[lane];
        }
    }
    (sums[0] + sums[1]) + (sums[2] + sums[3]) + tail
}

/// The transpose of a matrix: `[m, n]` becomes `[n, m]`.
pub fn transpose(inputs: &[&Tensor]) -> Result<Tensor, TensorError> {
    let [matrix] = operands("transpose", inputs)?;
    let [cols, rows] = transpose_shape(matrix.shape())?[..] else {
        unreachable!("a transpose shape has two dimensions")
    };
    let data = matrix.data();
    let mut transposed = Vec::with_capacity(data.len());
    for j in 0..cols {
        transposed.extend((0..rows).map(|i| data[i * cols + j]));
    }
    Ok(Tensor::from_parts(vec![cols, rows], transposed))
}

/// The gradient of a transpose is the transposed upstream gradient.
pub fn transpose_vjp(
    inputs: &[&Tensor],
    output: &Tensor,
    upstream: &Tensor,
) -> Result<Vec<Tensor>, TensorError> {
    let [matrix] = operands("transpose", inputs)?;
    let expected: Vec<usize> = matrix.shape().iter().rev().copied().collect();
    expect_shape("transpose", "output", output, &expected)?;
    Ok(vec![transpose(&[upstream])?])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tensor::check::{assert_vjp_matches_differences, tensor_in};
    use proptest::prelude::*;

    fn tensor(shape: &[usize], data: &[f64]) -> Tensor {
        Tensor::from_vec(shape.to_vec(), data.to_vec()).unwrap()
    }

    #[test]
    fn multiplies_matrices_and_vectors() {
        let a = tensor(&[2, 3], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        let b = tensor(&[3, 2], &[7.0, 8.0, 9.0, 10.0, 11.0, 12.0]);
        let x = tensor(&[3], &[1.0, 0.0, -1.0]);
        let ab = forward(&[&a, &b]).unwrap();
        assert_eq!(ab.shape(), &[2, 2]);
        assert_eq!(ab.data(), &[58.0, 64.0, 139.0, 154.0]);
        let ax = forward(&[&a, &x]).unwrap();
        assert_eq!((ax.shape(), ax.data()), (&[2][..], &[-2.0, -2.0][..]));
        let xb = forward(&[&x, &b]).unwrap();
        assert_eq!((xb.shape(), xb.data()), (&[2][..], &[-4.0, -4.0][..]));
        let xx = forward(&[&x, &x]).unwrap();
        assert_eq!((xx.shape(), xx.data()), (&[][..], &[2.0][..]));
    }

    #[test]
    fn names_inner_dimensions_that_differ() {
        let a = Tensor::zeros(&[3, 2]).unwrap();
        let x = Tensor::zeros(&[3]).unwrap();
        assert_eq!(
            forward(&[&a, &x]).unwrap_err().to_string(),
            "@: [3,2] @ [3] — inner dimensions 2 and 3 differ"
        );
        let cube = Tensor::zeros(&[2, 2, 2]).unwrap();
        assert!(matches!(
            forward(&[&cube, &x]),
            Err(TensorError::Rank { op: "@", .. })
        ));
        assert!(matches!(
            forward(&[&Tensor::scalar(1.0), &x]),
            Err(TensorError::Rank { .. })
        ));
    }

    #[test]
    fn transposes_matrices_only() {
        let a = tensor(&[2, 3], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        let t = transpose(&[&a]).unwrap();
        assert_eq!(t.shape(), &[3, 2]);
        assert_eq!(t.data(), &[1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
        let vector = Tensor::zeros(&[3]).unwrap();
        assert_eq!(
            transpose(&[&vector]).unwrap_err().to_string(),
            "transpose: [3] — expected a matrix (2 dimensions)"
        );
    }

    fn identity(x: f64) -> f64 {
        x
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        #[test]
        fn product_matches_finite_differences(
            rows in 1usize..=5,
            inner in 1usize..=5,
            cols in 1usize..=5,
            left_is_vector in any::<bool>(),
            right_is_vector in any::<bool>(),
            seed in any::<u64>(),
        ) {
            let left_shape = if left_is_vector { vec![inner] } else { vec![rows, inner] };
            let right_shape = if right_is_vector { vec![inner] } else { vec![inner, cols] };
            let inputs = [
                tensor_in(&left_shape, seed, identity),
                tensor_in(&right_shape, seed ^ 1, identity),
            ];
            assert_vjp_matches_differences(&inputs, &[true, true], forward, vjp, seed);
        }

        #[test]
        fn transpose_matches_finite_differences(
            rows in 1usize..=5,
            cols in 1usize..=5,
            seed in any::<u64>(),
        ) {
            let inputs = [tensor_in(&[rows, cols], seed, identity)];
            assert_vjp_matches_differences(&inputs, &[true], transpose, transpose_vjp, seed);
        }
    }
}
