//! The matmul kernels and the transpose against `tensor::matmul`: sizes that fill no tile
//! (1, 7, 33, 65, 130), aligned and unaligned rows (vec4 and scalar loads), vectors on
//! either side, every transpose flag of the raw product on both product kernels (tiled
//! and register-blocked, whichever the device would pick; the blocked one's narrow and
//! wide blocks), both backward products, and
//! what lies past an operand's edge kept out of the product.

use super::harness::{Batch, any, gpu, positive, random, report};
use crate::backend::gpu::ops::matmul::MatmulKernel;
use crate::backend::gpu::{Transposed, Write};
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

/// `matrix` as the GPU stores it: itself, or its transpose.
fn stored(matrix: &Tensor, transposed: bool) -> Tensor {
    if transposed {
        matmul::transpose(&[matrix]).expect("cpu transpose")
    } else {
        matrix.clone()
    }
}

#[test]
fn raw_products_read_either_operand_transposed_on_both_kernels() {
    let Some(gpu) = gpu() else { return };
    let mut batch = Batch::new(gpu);
    // (m, k, n): odd sizes (scalar loads, a last depth block of 1–3), multiples of 4
    // (vec4 loads), more than one tile either way, a dot product, and products wide
    // enough for the blocked kernel's wide blocks (a last one partly outside).
    let sizes = [
        (33, 65, 7),
        (64, 16, 68),
        (1, 130, 1),
        (5, 7, 6),
        (37, 9, 70),
        (37, 9, 131),
        (68, 12, 136),
    ];
    for kernel in [MatmulKernel::Tiled, MatmulKernel::Blocked] {
        for (case, &(m, k, n)) in sizes.iter().enumerate() {
            for (flags, (lhs, rhs)) in [(false, false), (false, true), (true, false), (true, true)]
                .into_iter()
                .enumerate()
            {
                let seed = 400 + 10 * case as u64 + flags as u64;
                let label = format!("{kernel:?} gemm {m}×{k}×{n} transposed {lhs}/{rhs}");
                let a = random(&[m, k], seed, scaled);
                let b = random(&[k, n], seed + 5, scaled);
                let expected = matmul::forward(&[&a, &b]).expect("cpu product");
                let a_gpu = batch.upload(&stored(&a, lhs));
                let b_gpu = batch.upload(&stored(&b, rhs));
                let transposed = Transposed { lhs, rhs };
                batch.expect_gradient(&label, &expected, |recorder, c, write| {
                    recorder.gemm_on(kernel, [m, n, k], &a_gpu, &b_gpu, transposed, c, write)
                });
            }
        }
    }
    report("gemm", batch.finish());
}

#[test]
fn products_ignore_what_lies_past_the_operands_edges() {
    // Row 1 of `a` starts with an infinity. The blocked kernel reads the depths of row 0
    // four at a time, so its last block (depths 4..7 of a 5-deep product) runs into row 1;
    // those depths must count as zero, or row 0 of the product turns NaN (∞ · 0).
    let Some(gpu) = gpu() else { return };
    let mut batch = Batch::new(gpu);
    // Three columns, and 130 (the blocked kernel's wide blocks).
    for (case, n) in [3, 130].into_iter().enumerate() {
        let (m, k) = (3, 5);
        let mut a = random(&[m, k], 470 + 2 * case as u64, scaled)
            .data()
            .to_vec();
        a[k] = f64::INFINITY;
        let a = Tensor::from_vec(vec![m, k], a).expect("a");
        let b = random(&[k, n], 471 + 2 * case as u64, positive);
        let expected = matmul::forward(&[&a, &b]).expect("cpu product");
        assert!(expected.data()[..n].iter().all(|x| x.is_finite()));
        assert!(expected.data()[n..2 * n].iter().all(|x| x.is_infinite()));
        let (a_gpu, b_gpu) = (batch.upload(&a), batch.upload(&b));
        for kernel in [MatmulKernel::Tiled, MatmulKernel::Blocked] {
            let c = batch.output(&[m, n]);
            batch
                .recorder
                .gemm_on(
                    kernel,
                    [m, n, k],
                    &a_gpu,
                    &b_gpu,
                    Transposed::default(),
                    &c,
                    Write::Overwrite,
                )
                .expect("product");
            batch.expect(
                format!("{kernel:?} product past the edges, {n} columns"),
                &c,
                expected.clone(),
            );
        }
    }
    report("gemm edges", batch.finish());
}

#[test]
fn emulated_gpus_get_the_register_blocked_kernel() {
    assert_eq!(
        MatmulKernel::for_device(wgpu::DeviceType::Cpu),
        MatmulKernel::Blocked
    );
    for device in [
        wgpu::DeviceType::DiscreteGpu,
        wgpu::DeviceType::IntegratedGpu,
        wgpu::DeviceType::VirtualGpu,
        wgpu::DeviceType::Other,
    ] {
        assert_eq!(MatmulKernel::for_device(device), MatmulKernel::Tiled);
    }
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
