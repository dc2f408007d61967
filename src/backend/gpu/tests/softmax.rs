//! `softmax` and `log_softmax` against `tensor::softmax`: short rows (one thread each),
//! long rows (one workgroup each), large logits, and both backward rules; `layer_norm`
//! against `tensor::layer_norm` on the same rows.

use super::harness::{Batch, any, gpu, random, report};
use crate::tensor::{Tensor, layer_norm, softmax};

const SHAPES: [&[usize]; 8] = [
    &[1],
    &[7],
    &[5, 33],
    &[3, 200],
    &[2, 3, 130],
    &[4, 1],
    &[65, 10],
    // Long rows, but enough of them for a thread each.
    &[260, 130],
];

fn logits(x: f64) -> f64 {
    3.0 * x
}

#[test]
fn softmaxes_and_their_gradients_match_the_cpu() {
    let Some(gpu) = gpu() else { return };
    let mut batch = Batch::new(gpu);
    type Forward = fn(&[&Tensor]) -> Result<Tensor, crate::tensor::TensorError>;
    type Backward =
        fn(&[&Tensor], &Tensor, &Tensor) -> Result<Vec<Tensor>, crate::tensor::TensorError>;
    let rules: [(bool, Forward, Backward); 2] = [
        (false, softmax::softmax, softmax::softmax_vjp),
        (true, softmax::log_softmax, softmax::log_softmax_vjp),
    ];
    for (case, shape) in SHAPES.into_iter().enumerate() {
        for (log, forward, backward) in rules {
            let seed = 800 + 10 * case as u64;
            let name = if log { "log_softmax" } else { "softmax" };
            let label = format!("{name} {shape:?}");
            let x = random(shape, seed, logits);
            let y = forward(&[&x]).expect("cpu forward");
            let upstream = random(shape, seed + 1, any);
            let grads = backward(&[&x], &y, &upstream).expect("cpu vjp");
            let x_gpu = batch.upload(&x);
            let upstream_gpu = batch.upload(&upstream);
            let y_gpu = batch.output(shape);
            if log {
                batch.recorder.log_softmax(&x_gpu, &y_gpu).expect(&label);
            } else {
                batch.recorder.softmax(&x_gpu, &y_gpu).expect(&label);
            }
            batch.expect(&label, &y_gpu, y);
            batch.expect_gradient(
                &format!("{label} grad"),
                &grads[0],
                |recorder, grad, write| {
                    if log {
                        recorder.log_softmax_backward(&y_gpu, &upstream_gpu, grad, write)
                    } else {
                        recorder.softmax_backward(&y_gpu, &upstream_gpu, grad, write)
                    }
                },
            );
        }
    }
    let large = Tensor::from_vec(vec![1, 3], vec![1000.0, 1000.0, -1000.0]).expect("logits");
    for log in [false, true] {
        let expected = if log {
            softmax::log_softmax(&[&large])
        } else {
            softmax::softmax(&[&large])
        }
        .expect("cpu forward");
        let x_gpu = batch.upload(&large);
        let y_gpu = batch.output(&[1, 3]);
        if log {
            batch
                .recorder
                .log_softmax(&x_gpu, &y_gpu)
                .expect("log_softmax");
        } else {
            batch.recorder.softmax(&x_gpu, &y_gpu).expect("softmax");
        }
        batch.expect(format!("large logits, log {log}"), &y_gpu, expected);
    }
    report("softmax", batch.finish());
}

#[test]
fn layer_norm_and_its_gradient_match_the_cpu() {
    let Some(gpu) = gpu() else { return };
    let mut batch = Batch::new(gpu);
    for (case, shape) in SHAPES.into_iter().enumerate() {
        let seed = 850 + 10 * case as u64;
        let label = format!("layer_norm {shape:?}");
        let x = random(shape, seed, |x| 2.0 * x + 1.0);
        let y = layer_norm::layer_norm(&[&x]).expect("cpu forward");
        let upstream = random(shape, seed + 1, any);
        let grads = layer_norm::layer_norm_vjp(&[&x], &y, &upstream).expect("cpu vjp");
        let (x_gpu, upstream_gpu) = (batch.upload(&x), batch.upload(&upstream));
        let y_gpu = batch.output(shape);
        batch.recorder.layer_norm(&x_gpu, &y_gpu).expect(&label);
        batch.expect(&label, &y_gpu, y);
        batch.expect_gradient(
            &format!("{label} grad"),
            &grads[0],
            |recorder, grad, write| {
                recorder.layer_norm_backward(&x_gpu, &y_gpu, &upstream_gpu, grad, write)
            },
        );
    }
    report("layer_norm", batch.finish());
}
