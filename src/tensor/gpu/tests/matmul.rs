//! The tiled matmul and the transpose against `tensor::matmul`: sizes that fill no tile
//! (1, 7, 33, 65, 130), aligned and unaligned rows (vec4 and scalar loads), vectors on
//! either side, every transpose flag of the raw product, and both backward products.

use super::harness::{Batch, any, gpu, random, report};
use crate::tensor::gpu::{Transposed, Write};
use crate::tensor::{Tensor, matmul};

/// `(rows, inner, cols)`: odd sizes, sizes that are multiples of 4 (vec4 loads), a full
/// tile, and long thin products.
const PRODUCTS: [(usize, usize, usize); 9] = [
    (1, 1, 1),
    (7, 7, 7),
    (33, 65, 1),
    (65, 33, 130),
    (130, 7, 65),
    (64, 64, 64),
    (4, 8, 12),
    (1, 130, 33),
    (36, 20, 68),
];

fn scaled(x: f64) -> f64 {
    0.5 * x
}

#[test]
fn matrix_products_and_their_gradients_match_the_cpu() {
    let Some(gpu) = gpu() else { return };
    let mut batch = Batch::new(gpu);
    let mut cases: Vec<(Vec<usize>, Vec<usize>)> = PRODUCTS
        .iter()
        .map(|&(rows, inner, cols)| (vec![rows, inner], vec![inner, cols]))
        .collect();
    // Vectors: one row on the left, one column on the right, and a dot product.
    cases.extend([
        (vec![33], vec![33, 7]),
        (vec![5, 130], vec![130]),
        (vec![65], vec![65]),
    ]);
    for (case, (left_shape, right_shape)) in cases.into_iter().enumerate() {
        let seed = 300 + 10 * case as u64;
        let label = format!("{left_shape:?} @ {right_shape:?}");
        let lhs = random(&left_shape, seed, scaled);
        let rhs = random(&right_shape, seed + 1, scaled);
        let y = matmul::forward(&[&lhs, &rhs]).expect("cpu forward");
        let upstream = random(y.shape(), seed + 2, any);
        let grads = matmul::vjp(&[&lhs, &rhs], &y, &upstream).expect("cpu vjp");

        let (lhs_gpu, rhs_gpu) = (batch.upload(&lhs), batch.upload(&rhs));
        let upstream_gpu = batch.upload(&upstream);
        let y_gpu = batch.output(y.shape());
        batch
            .recorder
            .matmul(&lhs_gpu, &rhs_gpu, &y_gpu)
            .expect(&label);
        batch.expect(&label, &y_gpu, y);
        batch.expect_gradient(
            &format!("{label} left grad"),
            &grads[0],
            |recorder, grad, write| {
                recorder.matmul_backward(
                    &lhs_gpu,
                    &rhs_gpu,
                    &upstream_gpu,
                    Some((grad, write)),
                    None,
                )
            },
        );
        batch.expect_gradient(
            &format!("{label} right grad"),
            &grads[1],
            |recorder, grad, write| {
                recorder.matmul_backward(
                    &lhs_gpu,
                    &rhs_gpu,
                    &upstream_gpu,
                    None,
                    Some((grad, write)),
                )
            },
        );
    }
    report("matmul", batch.finish());
}

#[test]
fn raw_products_read_either_operand_transposed() {
    let Some(gpu) = gpu() else { return };
    let mut batch = Batch::new(gpu);
    for (case, &(m, k, n)) in [(33, 65, 7), (64, 16, 68), (1, 130, 1)].iter().enumerate() {
        for (flags, (lhs, rhs)) in [(false, false), (false, true), (true, false), (true, true)]
            .into_iter()
            .enumerate()
        {
            let seed = 400 + 10 * case as u64 + flags as u64;
            let label = format!("gemm {m}×{k}×{n} transposed {lhs}/{rhs}");
            let a = random(&[m, k], seed, scaled);
            let b = random(&[k, n], seed + 5, scaled);
            let expected = matmul::forward(&[&a, &b]).expect("cpu product");
            let stored = |matrix: &Tensor, transposed: bool| {
                if transposed {
                    matmul::transpose(&[matrix]).expect("cpu transpose")
                } else {
                    matrix.clone()
                }
            };
            let a_gpu = batch.upload(&stored(&a, lhs));
            let b_gpu = batch.upload(&stored(&b, rhs));
            let c_gpu = batch.output(&[m, n]);
            let transposed = Transposed { lhs, rhs };
            batch
                .recorder
                .gemm(
                    [m, n, k],
                    &a_gpu,
                    &b_gpu,
                    transposed,
                    &c_gpu,
                    Write::Overwrite,
                )
                .expect(&label);
            batch.expect(label, &c_gpu, expected);
        }
    }
    report("gemm", batch.finish());
}

#[test]
fn transposes_and_their_gradients_match_the_cpu() {
    let Some(gpu) = gpu() else { return };
    let mut batch = Batch::new(gpu);
    for (case, shape) in [[1, 1], [7, 33], [65, 130], [16, 16], [1, 17]]
        .into_iter()
        .enumerate()
    {
        let seed = 500 + 10 * case as u64;
        let label = format!("transpose {shape:?}");
        let x = random(&shape, seed, any);
        let y = matmul::transpose(&[&x]).expect("cpu transpose");
        let upstream = random(y.shape(), seed + 1, any);
        let grads = matmul::transpose_vjp(&[&x], &y, &upstream).expect("cpu vjp");
        let x_gpu = batch.upload(&x);
        let upstream_gpu = batch.upload(&upstream);
        let y_gpu = batch.output(y.shape());
        batch.recorder.transpose(&x_gpu, &y_gpu).expect(&label);
        batch.expect(&label, &y_gpu, y);
        batch.expect_gradient(
            &format!("{label} grad"),
            &grads[0],
            |recorder, grad, write| recorder.transpose_backward(&upstream_gpu, grad, write),
        );
    }
    report("transpose", batch.finish());
}
