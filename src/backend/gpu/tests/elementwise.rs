//! Elementwise kernels against `tensor::elementwise`: every unary op and every binary op
//! (with NumPy broadcasting, including broadcasts long enough for the per-workgroup
//! reduction), forward and backward, plus kinks and domain edges.

use super::harness::{Batch, any, away_from_zero, f32_exact, gpu, positive, random, report};
use crate::backend::gpu::ops::select::Branch;
use crate::backend::gpu::{BinaryOp, ElementwiseKernel, Operand, UnaryOp};
use crate::op::Op;
use crate::tensor::{Tensor, elementwise};

const UNARY_OPS: [Op; 17] = [
    Op::Neg,
    Op::Exp,
    Op::Log,
    Op::Sqrt,
    Op::Sin,
    Op::Cos,
    Op::Tanh,
    Op::Sigmoid,
    Op::Relu,
    Op::Abs,
    Op::PowConst(2.0),
    Op::PowConst(3.0),
    Op::PowConst(-0.5),
    Op::Identity,
    Op::Gelu,
    Op::Detach,
    Op::Step,
];

const UNARY_SHAPES: [&[usize]; 4] = [&[], &[7], &[33, 5], &[2, 65]];

const BINARY_OPS: [Op; 9] = [
    Op::Add,
    Op::Sub,
    Op::Mul,
    Op::Div,
    Op::Pow,
    Op::Greater,
    Op::Less,
    Op::GreaterEqual,
    Op::LessEqual,
];

/// Operand shapes that broadcast: equal, outer product, bias, scalars, mixed, two where
/// one operand is copied 200 and 300 times (the per-workgroup backward), and a bias of 260
/// copied 140 times (long lanes, but enough of them for a thread each).
const BINARY_SHAPES: [(&[usize], &[usize]); 9] = [
    (&[7], &[7]),
    (&[3, 1], &[1, 4]),
    (&[33, 5], &[5]),
    (&[], &[2, 3]),
    (&[5, 1, 3], &[4, 1]),
    (&[130], &[]),
    (&[200, 3], &[3]),
    (&[1, 300], &[2, 1]),
    (&[140, 260], &[260]),
];

/// Operand values inside each op's smooth domain, as in the CPU tests.
fn domain(op: Op, operand: usize) -> fn(f64) -> f64 {
    match (op, operand) {
        (Op::Log | Op::Sqrt | Op::PowConst(_) | Op::Pow, 0) | (Op::Div, 1) => positive,
        (Op::Relu | Op::Abs | Op::Step, _) | (Op::Where, 0) => away_from_zero,
        _ => any,
    }
}

#[test]
fn unary_ops_match_the_cpu() {
    let Some(gpu) = gpu() else { return };
    let mut batch = Batch::new(gpu);
    for (case, op) in UNARY_OPS.into_iter().enumerate() {
        let unary = UnaryOp::from_op(op).expect("a unary op");
        for (index, shape) in UNARY_SHAPES.into_iter().enumerate() {
            let seed = (case * 10 + index) as u64;
            let label = format!("{op:?} {shape:?}");
            let x = random(shape, seed, domain(op, 0));
            let upstream = random(shape, seed + 500, any);
            let y = elementwise::forward(op, &[&x]).expect("cpu forward");
            let grads = elementwise::vjp(op, &[&x], &y, &upstream).expect("cpu vjp");

            let (x_gpu, upstream_gpu) = (batch.upload(&x), batch.upload(&upstream));
            let y_gpu = batch.output(shape);
            batch.recorder.unary(unary, &x_gpu, &y_gpu).expect(&label);
            batch.expect(&label, &y_gpu, y);
            batch.expect_gradient(
                &format!("{label} grad"),
                &grads[0],
                |recorder, grad, write| {
                    recorder.unary_backward(unary, &x_gpu, &y_gpu, &upstream_gpu, grad, write)
                },
            );
        }
    }
    report("unary", batch.finish());
}

#[test]
fn binary_ops_with_broadcasting_match_the_cpu() {
    let Some(gpu) = gpu() else { return };
    let mut batch = Batch::new(gpu);
    for (case, op) in BINARY_OPS.into_iter().enumerate() {
        let binary = BinaryOp::from_op(op).expect("a binary op");
        for (index, (left_shape, right_shape)) in BINARY_SHAPES.into_iter().enumerate() {
            let seed = (100 + case * 10 + index) as u64;
            let label = format!("{op:?} {left_shape:?} {right_shape:?}");
            let lhs = random(left_shape, seed, domain(op, 0));
            let rhs = random(right_shape, seed + 1, domain(op, 1));
            let y = elementwise::forward(op, &[&lhs, &rhs]).expect("cpu forward");
            let upstream = random(y.shape(), seed + 2, any);
            let grads = elementwise::vjp(op, &[&lhs, &rhs], &y, &upstream).expect("cpu vjp");

            let (lhs_gpu, rhs_gpu) = (batch.upload(&lhs), batch.upload(&rhs));
            let upstream_gpu = batch.upload(&upstream);
            let y_gpu = batch.output(y.shape());
            batch
                .recorder
                .binary(binary, &lhs_gpu, &rhs_gpu, &y_gpu)
                .expect(&label);
            batch.expect(&label, &y_gpu, y);
            for (operand, expected) in [Operand::Left, Operand::Right].into_iter().zip(&grads) {
                batch.expect_gradient(
                    &format!("{label} {operand:?} grad"),
                    expected,
                    |recorder, grad, write| {
                        recorder.binary_backward(
                            binary,
                            operand,
                            &lhs_gpu,
                            &rhs_gpu,
                            &y_gpu,
                            &upstream_gpu,
                            grad,
                            write,
                        )
                    },
                );
            }
        }
    }
    report("binary", batch.finish());
}

fn vector(values: &[f64]) -> Tensor {
    f32_exact(Tensor::from_vec(vec![values.len()], values.to_vec()).expect("a vector"))
}

#[test]
fn kinks_and_domain_edges_match_the_cpu() {
    let Some(gpu) = gpu() else { return };
    let mut batch = Batch::new(gpu);
    let unary_cases: [(Op, &[f64]); 8] = [
        (Op::Relu, &[-1.0, 0.0, 2.0]),
        (Op::Abs, &[-1.5, 0.0, 3.0]),
        (Op::Log, &[-1.0, 0.0, 4.0]),
        (Op::Sqrt, &[-1.0, 4.0]),
        (Op::PowConst(3.0), &[-2.0, 0.0, 1.5]),
        (Op::PowConst(0.5), &[-4.0, 9.0]),
        (Op::PowConst(-1.0), &[0.0, -4.0]),
        (Op::Tanh, &[-50.0, 50.0, 0.5]),
    ];
    for (op, values) in unary_cases {
        let x = vector(values);
        let y = elementwise::forward(op, &[&x]).expect("cpu forward");
        let unary = UnaryOp::from_op(op).expect("a unary op");
        let x_gpu = batch.upload(&x);
        let y_gpu = batch.output(x.shape());
        batch.recorder.unary(unary, &x_gpu, &y_gpu).expect("unary");
        batch.expect(format!("{op:?} at {values:?}"), &y_gpu, y.clone());
        if matches!(op, Op::Relu | Op::Abs | Op::Tanh) {
            let ones = Tensor::ones(x.shape()).expect("ones");
            let grads = elementwise::vjp(op, &[&x], &y, &ones).expect("cpu vjp");
            let ones_gpu = batch.upload(&ones);
            let label = format!("{op:?}' at {values:?}");
            batch.expect_gradient(&label, &grads[0], |recorder, grad, write| {
                recorder.unary_backward(unary, &x_gpu, &y_gpu, &ones_gpu, grad, write)
            });
        }
    }
    let binary_cases: [(Op, &[f64], &[f64]); 4] = [
        (Op::Div, &[1.0, -1.0, 0.0, 3.0], &[0.0, 0.0, 0.0, -0.0]),
        (Op::Pow, &[-2.0, -2.0, 0.0, 2.0], &[3.0, 0.5, -1.0, 0.5]),
        (Op::Add, &[0.5, 1e-3, -7.25], &[-0.5, -1e-3, 7.25]),
        (Op::Sub, &[0.1, 3.0], &[0.1, 3.0]),
    ];
    for (op, left, right) in binary_cases {
        let (lhs, rhs) = (vector(left), vector(right));
        let y = elementwise::forward(op, &[&lhs, &rhs]).expect("cpu forward");
        let binary = BinaryOp::from_op(op).expect("a binary op");
        let (lhs_gpu, rhs_gpu) = (batch.upload(&lhs), batch.upload(&rhs));
        let y_gpu = batch.output(y.shape());
        batch
            .recorder
            .binary(binary, &lhs_gpu, &rhs_gpu, &y_gpu)
            .expect("binary");
        batch.expect(format!("{op:?} at {left:?}, {right:?}"), &y_gpu, y);
    }
    report("edges", batch.finish());
}

/// `where` with every operand broadcast in turn (a condition row against a column, scalar
/// branches, a branch copied 300 times), forward and both branches' gradients.
#[test]
fn select_with_broadcasting_matches_the_cpu() {
    let Some(gpu) = gpu() else { return };
    let mut batch = Batch::new(gpu);
    let shapes: [[&[usize]; 3]; 6] = [
        [&[7], &[7], &[7]],
        [&[3, 1], &[1, 4], &[3, 4]],
        [&[33, 5], &[5], &[]],
        [&[], &[2, 3], &[2, 3]],
        [&[300, 2], &[2], &[300, 1]],
        [&[2, 1, 3], &[4, 1], &[1]],
    ];
    for (index, [c_shape, a_shape, b_shape]) in shapes.into_iter().enumerate() {
        let seed = 900 + 10 * index as u64;
        let label = format!("where {c_shape:?} {a_shape:?} {b_shape:?}");
        let c = random(c_shape, seed, away_from_zero);
        let a = random(a_shape, seed + 1, any);
        let b = random(b_shape, seed + 2, any);
        let y = elementwise::forward(Op::Where, &[&c, &a, &b]).expect("cpu forward");
        let upstream = random(y.shape(), seed + 3, any);
        let grads = elementwise::vjp(Op::Where, &[&c, &a, &b], &y, &upstream).expect("cpu vjp");
        let (c_gpu, a_gpu, b_gpu) = (batch.upload(&c), batch.upload(&a), batch.upload(&b));
        let upstream_gpu = batch.upload(&upstream);
        let y_gpu = batch.output(y.shape());
        batch
            .recorder
            .select(&c_gpu, &a_gpu, &b_gpu, &y_gpu)
            .expect(&label);
        batch.expect(&label, &y_gpu, y);
        for (branch, expected) in [Branch::Chosen, Branch::Otherwise]
            .into_iter()
            .zip(&grads[1..])
        {
            batch.expect_gradient(
                &format!("{label} {branch:?}"),
                expected,
                |recorder, grad, write| {
                    recorder.select_backward(
                        branch,
                        &c_gpu,
                        &a_gpu,
                        &b_gpu,
                        &upstream_gpu,
                        grad,
                        write,
                    )
                },
            );
        }
    }
    report("where", batch.finish());
}

#[test]
fn every_elementwise_op_has_a_kernel() {
    for op in crate::op::SAMPLE_OPS.into_iter().chain(Op::ALL) {
        let mapped = UnaryOp::from_op(op).is_some()
            || BinaryOp::from_op(op).is_some()
            || ElementwiseKernel::of(op) == Some(ElementwiseKernel::Select);
        assert_eq!(mapped, op.is_elementwise(), "{op:?}: kernel or not");
    }
    assert_eq!(UnaryOp::from_op(Op::Const(1.0)), None);
    assert_eq!(BinaryOp::from_op(Op::Neg), None);
}
