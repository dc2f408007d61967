//! The fused dense layer, `act(x @ w + b)` forward and its three gradients in one
//! dispatch backward, against the CPU reference composed op by op (`tensor::ops`: the
//! product, the broadcast add, the activation, and their VJPs chained): every activation,
//! sizes that fill no 4×4 block or workgroup (7×13 @ 13×5, a batch of 3, 1 and 33 wide),
//! sizes whose rows are whole vec4s (the kernels' aligned loads), a layer over several
//! workgroups of each kind of block backward (33×129 @ 129×17), layers on the forward
//! kernel's wide blocks (131 and 136 wide),
//! a bias as a vector and as a row, every gradient both overwritten and accumulated, and
//! the gradients not wanted left untouched.

use super::harness::{Batch, any, gpu, random, report};
use crate::backend::gpu::{Activation, GpuTensor, Write};
use crate::op::Op;
use crate::tensor::{Tensor, ops};

const ACTIVATIONS: [(Activation, Option<Op>); 4] = [
    (Activation::None, None),
    (Activation::Relu, Some(Op::Relu)),
    (Activation::Tanh, Some(Op::Tanh)),
    (Activation::Sigmoid, Some(Op::Sigmoid)),
];

/// `(rows, inner, cols)`; 33×129 @ 129×17 fills several workgroups of weight blocks and
/// of input blocks backward, each kind's last one partly; the last two are wide enough
/// for the forward kernel's wide blocks (their last one partly outside).
const LAYERS: [(usize, usize, usize); 8] = [
    (7, 13, 5),
    (3, 13, 5),
    (1, 1, 1),
    (3, 33, 17),
    (65, 2, 16),
    (33, 129, 17),
    (5, 9, 131),
    (9, 12, 136),
];

fn scaled(x: f64) -> f64 {
    0.5 * x
}

/// The layer's output and the gradients of x, w and b on the CPU, op by op.
fn reference(op: Option<Op>, [x, w, b]: [&Tensor; 3], upstream: &Tensor) -> (Tensor, [Tensor; 3]) {
    let product = ops::forward(Op::MatMul, &[x, w]).expect("product");
    let sum = ops::forward(Op::Add, &[&product, b]).expect("sum");
    let (output, sum_grad) = match op {
        Some(op) => {
            let output = ops::forward(op, &[&sum]).expect("activation");
            let grads = ops::vjp(op, &[&sum], &output, upstream).expect("activation vjp");
            (output, grads[0].clone())
        }
        None => (sum.clone(), upstream.clone()),
    };
    let add_grads = ops::vjp(Op::Add, &[&product, b], &sum, &sum_grad).expect("add vjp");
    let product_grads =
        ops::vjp(Op::MatMul, &[x, w], &product, &add_grads[0]).expect("product vjp");
    let grads = [
        product_grads[0].clone(),
        product_grads[1].clone(),
        add_grads[1].clone(),
    ];
    (output, grads)
}

#[test]
fn dense_layers_and_their_gradients_match_the_cpu() {
    let Some(gpu) = gpu() else { return };
    let mut batch = Batch::new(gpu);
    let mut case = 0u64;
    for (rows, inner, cols) in LAYERS {
        for bias_shape in [vec![cols], vec![1, cols]] {
            for (activation, op) in ACTIVATIONS {
                case += 1;
                let seed = 700 + 10 * case;
                let label = format!(
                    "{activation:?}([{rows}, {inner}] @ [{inner}, {cols}] + {bias_shape:?})"
                );
                let x = random(&[rows, inner], seed, scaled);
                let w = random(&[inner, cols], seed + 1, scaled);
                let b = random(&bias_shape, seed + 2, any);
                let upstream = random(&[rows, cols], seed + 3, any);
                let (output, grads) = reference(op, [&x, &w, &b], &upstream);

                let (x_gpu, w_gpu, b_gpu) = (batch.upload(&x), batch.upload(&w), batch.upload(&b));
                let upstream_gpu = batch.upload(&upstream);
                let y_gpu = batch.output(&[rows, cols]);
                batch
                    .recorder
                    .dense(activation, &x_gpu, &w_gpu, &b_gpu, &y_gpu)
                    .expect(&label);
                batch.expect(&label, &y_gpu, output);
                // Each gradient alone (the others not wanted), overwritten and added to.
                for (operand, expected) in grads.iter().enumerate() {
                    let name = ["x", "w", "b"][operand];
                    batch.expect_gradient(
                        &format!("{label} ∂{name}"),
                        expected,
                        |recorder, grad, write| {
                            let mut targets: [Option<(&GpuTensor, Write)>; 3] = [None; 3];
                            targets[operand] = Some((grad, write));
                            recorder.dense_backward(
                                activation,
                                Activation::None,
                                &x_gpu,
                                &w_gpu,
                                &b_gpu,
                                &y_gpu,
                                &upstream_gpu,
                                targets,
                            )
                        },
                    );
                }
                // All three in one dispatch, each with its own write mode.
                let all: Vec<GpuTensor> = grads
                    .iter()
                    .map(|grad| batch.output(grad.shape()))
                    .collect();
                let before = random(grads[1].shape(), seed + 4, any);
                let dw = batch.upload(&before);
                batch
                    .recorder
                    .dense_backward(
                        activation,
                        Activation::None,
                        &x_gpu,
                        &w_gpu,
                        &b_gpu,
                        &y_gpu,
                        &upstream_gpu,
                        [
                            Some((&all[0], Write::Overwrite)),
                            Some((&dw, Write::Accumulate)),
                            Some((&all[2], Write::Overwrite)),
                        ],
                    )
                    .expect(&label);
                let dw_expected = before
                    .data()
                    .iter()
                    .zip(grads[1].data())
                    .map(|(a, g)| a + g)
                    .collect();
                batch.expect(format!("{label} together ∂x"), &all[0], grads[0].clone());
                batch.expect(
                    format!("{label} together ∂w"),
                    &dw,
                    Tensor::from_vec(grads[1].shape().to_vec(), dw_expected).expect("shape"),
                );
                batch.expect(format!("{label} together ∂b"), &all[2], grads[2].clone());
            }
        }
    }
    report("dense", batch.finish());
}

/// A layer whose input is the output of an activation stores ∂x times that activation's
/// derivative (the earlier layer's δ), as the CPU's VJP of the activation gives it: every
/// input activation, the layer with and without its own, odd sizes, ∂x overwritten and
/// accumulated.
#[test]
fn the_input_gradient_through_the_inputs_activation_matches_the_cpu() {
    let Some(gpu) = gpu() else { return };
    let mut batch = Batch::new(gpu);
    let mut case = 0u64;
    for (rows, inner, cols) in LAYERS {
        for (input_activation, input_op) in &ACTIVATIONS[1..] {
            for (activation, op) in [ACTIVATIONS[0], ACTIVATIONS[1]] {
                case += 1;
                let seed = 900 + 10 * case;
                let label = format!(
                    "{activation:?} layer on {input_activation:?}([{rows}, {inner}]) @ [{inner}, {cols}]"
                );
                let input_op = input_op.expect("an activation");
                let before = random(&[rows, inner], seed, any);
                let x = ops::forward(input_op, &[&before]).expect("the input's activation");
                let w = random(&[inner, cols], seed + 1, scaled);
                let b = random(&[cols], seed + 2, any);
                let upstream = random(&[rows, cols], seed + 3, any);
                let (_, grads) = reference(op, [&x, &w, &b], &upstream);
                let expected = ops::vjp(input_op, &[&before], &x, &grads[0])
                    .expect("the input activation's vjp")[0]
                    .clone();
                let (x_gpu, w_gpu, b_gpu) = (batch.upload(&x), batch.upload(&w), batch.upload(&b));
                let upstream_gpu = batch.upload(&upstream);
                let y_gpu = batch.output(&[rows, cols]);
                batch
                    .recorder
                    .dense(activation, &x_gpu, &w_gpu, &b_gpu, &y_gpu)
                    .expect(&label);
                batch.expect_gradient(
                    &format!("{label} δ"),
                    &expected,
                    |recorder, grad, write| {
                        recorder.dense_backward(
                            activation,
                            *input_activation,
                            &x_gpu,
                            &w_gpu,
                            &b_gpu,
                            &y_gpu,
                            &upstream_gpu,
                            [Some((grad, write)), None, None],
                        )
                    },
                );
            }
        }
    }
    report("dense input δ", batch.finish());
}

#[test]
fn a_bias_of_the_wrong_shape_is_an_error() {
    let Some(gpu) = gpu() else { return };
    let mut recorder = gpu.recorder().expect("recorder");
    let x = gpu.tensor(&[3, 2]).expect("x");
    let w = gpu.tensor(&[2, 4]).expect("w");
    let b = gpu.tensor(&[3]).expect("b");
    let y = gpu.tensor(&[3, 4]).expect("y");
    let error = recorder
        .dense(Activation::Relu, &x, &w, &b, &y)
        .unwrap_err();
    assert!(error.to_string().contains("bias"), "{error}");
    let w_wrong = gpu.tensor(&[3, 4]).expect("w");
    assert!(
        recorder
            .dense(
                Activation::None,
                &x,
                &w_wrong,
                &gpu.tensor(&[4]).expect("b"),
                &y
            )
            .is_err()
    );
}
