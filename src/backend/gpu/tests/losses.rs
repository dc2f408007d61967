//! `cross_entropy` and `mse` against `tensor::loss`, forward and backward, with row
//! counts above one workgroup and class counts that fill no tile.

use super::harness::{Batch, any, f32_exact, gpu, random, report};
use crate::backend::gpu::{GpuError, Operand};
use crate::tensor::{Tensor, loss};

#[test]
fn cross_entropy_matches_the_cpu() {
    let Some(gpu) = gpu() else { return };
    let mut batch = Batch::new(gpu);
    for (case, (rows, classes)) in [(1, 1), (7, 3), (33, 10), (300, 5), (5, 130)]
        .into_iter()
        .enumerate()
    {
        let seed = 900 + 10 * case as u64;
        let label = format!("cross_entropy [{rows}, {classes}]");
        let logits = random(&[rows, classes], seed, any);
        let labels: Vec<f64> = (0..rows)
            .map(|row| ((row * 7 + case) % classes) as f64)
            .collect();
        let labels = f32_exact(Tensor::from_vec(vec![rows], labels).expect("labels"));
        let y = loss::cross_entropy(&[&logits, &labels]).expect("cpu forward");
        let upstream = random(&[], seed + 1, any);
        let grads = loss::cross_entropy_vjp(&[&logits, &labels], &y, &upstream).expect("cpu vjp");
        let (logits_gpu, labels_gpu) = (batch.upload(&logits), batch.upload(&labels));
        let upstream_gpu = batch.upload(&upstream);
        let y_gpu = batch.output(&[]);
        batch
            .recorder
            .cross_entropy(&logits_gpu, &labels_gpu, &y_gpu)
            .expect(&label);
        batch.expect(&label, &y_gpu, y);
        batch.expect_gradient(
            &format!("{label} grad"),
            &grads[0],
            |recorder, grad, write| {
                recorder.cross_entropy_backward(
                    &logits_gpu,
                    &labels_gpu,
                    &upstream_gpu,
                    grad,
                    write,
                )
            },
        );
    }
    report("cross_entropy", batch.finish());
}

#[test]
fn mse_matches_the_cpu() {
    let Some(gpu) = gpu() else { return };
    let mut batch = Batch::new(gpu);
    for (case, shape) in [&[][..], &[7], &[33, 5], &[300], &[2, 65, 3]]
        .into_iter()
        .enumerate()
    {
        let seed = 1000 + 10 * case as u64;
        let label = format!("mse {shape:?}");
        let prediction = random(shape, seed, any);
        let target = random(shape, seed + 1, any);
        let y = loss::mse(&[&prediction, &target]).expect("cpu forward");
        let upstream = random(&[], seed + 2, any);
        let grads = loss::mse_vjp(&[&prediction, &target], &y, &upstream).expect("cpu vjp");
        let (prediction_gpu, target_gpu) = (batch.upload(&prediction), batch.upload(&target));
        let upstream_gpu = batch.upload(&upstream);
        let y_gpu = batch.output(&[]);
        batch
            .recorder
            .mse(&prediction_gpu, &target_gpu, &y_gpu)
            .expect(&label);
        batch.expect(&label, &y_gpu, y);
        for (operand, expected) in [Operand::Left, Operand::Right].into_iter().zip(&grads) {
            batch.expect_gradient(
                &format!("{label} {operand:?} grad"),
                expected,
                |recorder, grad, write| {
                    recorder.mse_backward(
                        operand,
                        &prediction_gpu,
                        &target_gpu,
                        &upstream_gpu,
                        grad,
                        write,
                    )
                },
            );
        }
    }
    report("mse", batch.finish());
}

#[test]
fn losses_refuse_the_shapes_the_cpu_refuses() {
    let Some(gpu) = gpu() else { return };
    let mut recorder = gpu.recorder().expect("recorder");
    let loss = gpu.zeros(&[]).expect("tensor");
    let column = gpu.zeros(&[2, 1]).expect("tensor");
    let vector = gpu.zeros(&[2]).expect("tensor");
    assert_eq!(
        recorder
            .mse(&column, &vector, &loss)
            .map_err(|error| error.to_string()),
        Err("mse: [2,1] and [2] — shapes must be equal".to_owned())
    );
    let logits = gpu.zeros(&[3, 2]).expect("tensor");
    assert!(matches!(
        recorder.cross_entropy(&logits, &vector, &loss),
        Err(GpuError::Tensor(
            crate::tensor::TensorError::ShapeMismatch { .. }
        ))
    ));
    assert!(matches!(
        recorder.cross_entropy(&vector, &vector, &loss),
        Err(GpuError::Tensor(crate::tensor::TensorError::Rank { .. }))
    ));
}
