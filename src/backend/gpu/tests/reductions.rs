//! `sum`, `mean` and `max` against `tensor::reduce`, over all elements and along every
//! axis, short lanes (one thread each) and long ones (one workgroup each), and ties for
//! `max`, whose gradient must reach the first maximum.

use super::harness::{Batch, any, gpu, random, report};
use crate::backend::gpu::{GpuError, GpuTensor, Recorder, Write};
use crate::tensor::Tensor;
use crate::tensor::reduce::{self, Over};

const SHAPES: [&[usize]; 8] = [
    &[],
    &[7],
    &[33, 5],
    &[5, 33],
    &[3, 4, 5],
    &[300],
    &[2, 200, 3],
    // Long lanes along either axis, 260 or 300 of them: a thread each.
    &[260, 300],
];

type CpuForward = fn(Over, &[&Tensor]) -> Result<Tensor, crate::tensor::TensorError>;
type CpuBackward =
    fn(Over, &[&Tensor], &Tensor, &Tensor) -> Result<Vec<Tensor>, crate::tensor::TensorError>;

/// Every way to reduce `shape`.
fn overs(shape: &[usize]) -> Vec<Over> {
    std::iter::once(Over::All)
        .chain((0..shape.len()).map(Over::Axis))
        .collect()
}

/// Small whole numbers, so lanes have tied maxima.
fn tied(x: f64) -> f64 {
    (2.0 * x).round()
}

#[test]
fn sums_and_means_match_the_cpu() {
    let Some(gpu) = gpu() else { return };
    let mut batch = Batch::new(gpu);
    let sum_forward: CpuForward = reduce::sum;
    let sum_backward: CpuBackward = reduce::sum_vjp;
    let mean_forward: CpuForward = reduce::mean;
    let mean_backward: CpuBackward = reduce::mean_vjp;
    for (case, shape) in SHAPES.into_iter().enumerate() {
        for over in overs(shape) {
            for (mean, forward, backward) in [
                (false, sum_forward, sum_backward),
                (true, mean_forward, mean_backward),
            ] {
                let seed = 600 + 10 * case as u64;
                let label = format!(
                    "{} {over:?} of {shape:?}",
                    if mean { "mean" } else { "sum" }
                );
                let x = random(shape, seed, any);
                let y = forward(over, &[&x]).expect("cpu forward");
                let upstream = random(y.shape(), seed + 1, any);
                let grads = backward(over, &[&x], &y, &upstream).expect("cpu vjp");
                let x_gpu = batch.upload(&x);
                let upstream_gpu = batch.upload(&upstream);
                let y_gpu = batch.output(y.shape());
                let recorded = if mean {
                    batch.recorder.mean(over, &x_gpu, &y_gpu)
                } else {
                    batch.recorder.sum(over, &x_gpu, &y_gpu)
                };
                recorded.expect(&label);
                batch.expect(&label, &y_gpu, y);
                let spread = |recorder: &mut Recorder<'_>, grad: &GpuTensor, write: Write| {
                    if mean {
                        recorder.mean_backward(over, &upstream_gpu, grad, write)
                    } else {
                        recorder.sum_backward(over, &upstream_gpu, grad, write)
                    }
                };
                batch.expect_gradient(&format!("{label} grad"), &grads[0], spread);
            }
        }
    }
    report("sum/mean", batch.finish());
}

#[test]
fn maxima_and_their_gradients_match_the_cpu() {
    let Some(gpu) = gpu() else { return };
    let mut batch = Batch::new(gpu);
    for (case, shape) in SHAPES.into_iter().enumerate() {
        for over in overs(shape) {
            for (kind, values) in [("random", any as fn(f64) -> f64), ("tied", tied)] {
                let seed = 700 + 10 * case as u64;
                let label = format!("max {over:?} of {kind} {shape:?}");
                let x = random(shape, seed, values);
                let y = reduce::max(over, &[&x]).expect("cpu forward");
                let upstream = random(y.shape(), seed + 1, any);
                let grads = reduce::max_vjp(over, &[&x], &y, &upstream).expect("cpu vjp");
                let x_gpu = batch.upload(&x);
                let upstream_gpu = batch.upload(&upstream);
                let y_gpu = batch.output(y.shape());
                let positions = batch.context().indices(y.len()).expect("positions");
                batch
                    .recorder
                    .max(over, &x_gpu, &y_gpu, &positions)
                    .expect(&label);
                batch.expect(&label, &y_gpu, y);
                batch.expect_gradient(
                    &format!("{label} grad"),
                    &grads[0],
                    |recorder, grad, write| {
                        recorder.max_backward(over, &positions, &upstream_gpu, grad, write)
                    },
                );
                let index = reduce::argmax(over, &[&x]).expect("cpu argmax");
                let index_gpu = batch.output(index.shape());
                let index_positions = batch.context().indices(index.len()).expect("positions");
                batch
                    .recorder
                    .argmax(over, &x_gpu, &index_gpu, &index_positions)
                    .expect(&label);
                batch.expect(format!("arg{label}"), &index_gpu, index);
            }
        }
    }
    report("max", batch.finish());
}

#[test]
fn reductions_refuse_what_the_cpu_refuses() {
    let Some(gpu) = gpu() else { return };
    let mut recorder = gpu.recorder().expect("recorder");
    let matrix = gpu.zeros(&[2, 3]).expect("tensor");
    let out = gpu.zeros(&[3]).expect("tensor");
    let missing_axis = recorder.sum(Over::Axis(2), &matrix, &out);
    assert_eq!(
        missing_axis.map_err(|error| error.to_string()),
        Err("sum: axis 2 does not exist in a tensor with 2 dimensions".to_owned())
    );
    let wrong_output = recorder.sum(Over::Axis(1), &matrix, &out);
    assert!(matches!(wrong_output, Err(GpuError::Destination { .. })));
    let empty = gpu.zeros(&[0]).expect("tensor");
    let scalar = gpu.zeros(&[]).expect("tensor");
    let positions = gpu.indices(1).expect("positions");
    assert!(matches!(
        recorder.max(Over::All, &empty, &scalar, &positions),
        Err(GpuError::Tensor(
            crate::tensor::TensorError::EmptyReduction { .. }
        ))
    ));
    recorder
        .sum(Over::All, &empty, &scalar)
        .expect("the sum of nothing");
    let zero = scalar.read_back(&mut recorder).expect("readback");
    recorder.submit().expect("submission");
    let zero = crate::backend::block_on(zero.data()).expect("read");
    assert_eq!(zero, vec![0.0]);
}
