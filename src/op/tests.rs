//! Every op's local derivative against central finite differences, plus the kinks.

use super::*;

/// Points away from kinks and domain edges for each arity (the b branch of `where` is
/// checked in the tensor tests, whose conditions take both signs).
const POINTS: [[f64; 3]; 6] = [
    [0.7, 1.3, -0.4],
    [1.9, 0.4, 2.1],
    [2.5, -1.2, 0.6],
    [0.3, 2.2, 1.5],
    [1.1, 1.7, -2.3],
    [1.4, 0.9, -0.8],
];

fn central_difference(op: Op, args: &[f64], i: usize) -> f64 {
    let h = 1e-6 * args[i].abs().max(1.0);
    let mut plus = args.to_vec();
    let mut minus = args.to_vec();
    plus[i] += h;
    minus[i] -= h;
    (op.apply(&plus) - op.apply(&minus)) / (2.0 * h)
}

#[test]
fn local_derivatives_match_finite_differences() {
    // `detach` has slope 1 and passes no gradient by design (tested below).
    for op in SAMPLE_OPS.into_iter().filter(|op| !op.stops_gradient()) {
        for point in POINTS {
            let args = &point[..op.arity()];
            let out = op.apply(args);
            let partials = op.local_derivatives();
            assert_eq!(partials.len(), op.arity(), "{op:?}");
            for (i, partial) in partials.iter().enumerate() {
                let analytic = partial.eval(args, out);
                let numeric = central_difference(op, args, i);
                let error = (analytic - numeric).abs() / analytic.abs().max(1.0);
                assert!(
                    error < 1e-7,
                    "{op:?} at {args:?}, input {i}: {analytic} vs {numeric}"
                );
            }
        }
    }
}

#[test]
fn forward_rules() {
    assert_eq!(Op::Add.apply(&[3.0, 4.0]), 7.0);
    assert_eq!(Op::Mul.apply(&[7.0, 3.0]), 21.0);
    assert_eq!(Op::PowConst(2.0).apply(&[7.0]), 49.0);
    assert_eq!(Op::Relu.apply(&[-2.0]), 0.0);
    assert_eq!(Op::Sigmoid.apply(&[0.0]), 0.5);
    assert_eq!(Op::Sigmoid.apply(&[-800.0]), 0.0);
    assert_eq!(Op::Sigmoid.apply(&[800.0]), 1.0);
    // gelu(1) = Φ(1) = 0.8413447460685429 (tables of the normal distribution), gelu(0) = 0.
    assert!((Op::Gelu.apply(&[1.0]) - 0.841_344_746_068_542_9).abs() < 1e-15);
    assert_eq!(Op::Gelu.apply(&[0.0]), 0.0);
    assert_eq!(Op::Gelu.local_derivatives()[0].eval(&[0.0], 0.0), 0.5);
    assert!(
        Op::Gelu.apply(&[-40.0]).abs() < 1e-300,
        "no cancellation far left"
    );
}

#[test]
fn selections_pass_no_gradient_and_detach_stops_it() {
    assert_eq!(Op::Detach.apply(&[2.5]), 2.5);
    assert_eq!(
        Op::Detach.local_derivatives(),
        vec![formula::Formula::Num(0.0)]
    );
    assert!(Op::Detach.stops_gradient() && !Op::Identity.stops_gradient());
    for op in [
        Op::Detach,
        Op::Step,
        Op::Greater,
        Op::LessEqual,
        Op::ArgMax(Some(0)),
    ] {
        assert!(op.passes_no_gradient(), "{op:?}");
    }
    for op in [Op::Where, Op::Relu, Op::Max(None), Op::LayerNorm] {
        assert!(!op.passes_no_gradient(), "{op:?}");
    }
    assert_eq!(Op::Step.apply(&[0.0]), 0.0);
    assert_eq!(Op::Step.apply(&[1e-300]), 1.0);
    assert_eq!(Op::GreaterEqual.apply(&[2.0, 2.0]), 1.0);
    assert_eq!(Op::Greater.apply(&[2.0, 2.0]), 0.0);
    assert!(Op::Less.apply(&[f64::NAN, 1.0]).is_nan());
    assert_eq!(Op::Where.apply(&[1.0, 5.0, f64::INFINITY]), 5.0);
    assert_eq!(Op::Where.apply(&[-1.0, 5.0, 7.0]), 7.0);
    let at = [0.0, 5.0, 7.0];
    let routed: Vec<f64> = Op::Where
        .local_derivatives()
        .iter()
        .map(|d| d.eval(&at, 7.0))
        .collect();
    assert_eq!(routed, vec![0.0, 0.0, 1.0], "c = 0 chooses b");
}

#[test]
fn relu_and_abs_have_zero_derivative_at_the_kink() {
    assert_eq!(Op::Relu.local_derivatives()[0].eval(&[0.0], 0.0), 0.0);
    assert_eq!(Op::Abs.local_derivatives()[0].eval(&[0.0], 0.0), 0.0);
}

#[test]
fn domain_errors_are_nan_or_infinite_not_panics() {
    assert!(Op::Log.apply(&[-1.0]).is_nan());
    assert_eq!(Op::Log.apply(&[0.0]), f64::NEG_INFINITY);
    assert!(Op::Div.apply(&[0.0, 0.0]).is_nan());
    assert_eq!(Op::Div.apply(&[1.0, 0.0]), f64::INFINITY);
    assert!(Op::Sqrt.apply(&[-4.0]).is_nan());
    assert!(Op::Relu.apply(&[f64::NAN]).is_nan());
    assert!(Op::Add.apply(&[1.0]).is_nan(), "a missing argument is NaN");
}

#[test]
fn function_table_round_trips() {
    let names: Vec<&str> = Op::function_names().collect();
    assert_eq!(names.len(), 23, "{names:?}");
    for name in names {
        let op = Op::function(name).unwrap();
        assert_eq!(op.name(), name);
        assert_eq!(op.syntax(), Syntax::Call(name));
    }
    assert_eq!(Op::function("sigmod"), None);
    assert_eq!(Op::function("identity"), None, "a copy is written `a = b`");
    assert_eq!(Op::function("sum"), Some(Op::Sum(None)));
}

/// Where `op` stands in [`Op::ALL`]. The match names every variant, so a new op does not
/// compile until it has a place in the list.
fn position(op: Op) -> usize {
    match op {
        Op::Input => 0,
        Op::Const(_) => 1,
        Op::Literal => 2,
        Op::Add => 3,
        Op::Sub => 4,
        Op::Mul => 5,
        Op::Div => 6,
        Op::Neg => 7,
        Op::PowConst(_) => 8,
        Op::Pow => 9,
        Op::Exp => 10,
        Op::Log => 11,
        Op::Sqrt => 12,
        Op::Sin => 13,
        Op::Cos => 14,
        Op::Tanh => 15,
        Op::Sigmoid => 16,
        Op::Relu => 17,
        Op::Abs => 18,
        Op::Gelu => 19,
        Op::Identity => 20,
        Op::MatMul => 21,
        Op::Transpose => 22,
        Op::Sum(_) => 23,
        Op::Mean(_) => 24,
        Op::Max(_) => 25,
        Op::Softmax => 26,
        Op::LogSoftmax => 27,
        Op::CrossEntropy => 28,
        Op::Mse => 29,
        Op::Detach => 30,
        Op::Step => 31,
        Op::Greater => 32,
        Op::Less => 33,
        Op::GreaterEqual => 34,
        Op::LessEqual => 35,
        Op::Where => 36,
        Op::LayerNorm => 37,
        Op::ArgMax(_) => 38,
    }
}

#[test]
fn every_op_is_listed_once() {
    for (index, op) in Op::ALL.into_iter().enumerate() {
        assert_eq!(position(op), index, "{op:?}");
    }
}

/// The table's arity agrees with its kind, and every computed op that is elementwise is
/// in the sample list the kernel tests walk.
#[test]
fn the_table_is_consistent() {
    for op in Op::ALL {
        let spec = op.spec();
        match spec.kind {
            Kind::Leaf(_) => assert_eq!(spec.arity, 0, "{op:?}"),
            Kind::Elementwise(rule) => {
                assert_eq!(rule.derivatives().len(), spec.arity, "{op:?}");
                assert!(SAMPLE_OPS.contains(&op), "{op:?} is not in SAMPLE_OPS");
            }
            Kind::Reduction(..) | Kind::Normalization(_) => assert_eq!(spec.arity, 1),
            Kind::Matrix(Matrix::Product) | Kind::Loss(_) => assert_eq!(spec.arity, 2),
            Kind::Matrix(Matrix::Transpose) => assert_eq!(spec.arity, 1),
        }
        assert_eq!(op.is_leaf(), spec.arity == 0, "{op:?}");
        assert_eq!(op.with_axis(Some(1)).axis().is_some(), op.axis().is_some());
    }
}

#[test]
fn decimal_sums_that_cancel_are_exactly_zero() {
    let dot = 0.5 * 1.0 + -0.3 * 2.0;
    assert_ne!(dot + 0.1, 0.0, "binary rounding leaves a residue");
    assert_eq!(Op::Add.apply(&[dot, 0.1]), 0.0, "the seeds' dead neuron");
    assert_eq!(Op::Sub.apply(&[0.1 + 0.2, 0.3]), 0.0);
    assert_eq!(
        Op::Add.apply(&[1e-20, 1.0]),
        1.0,
        "no cancellation, nothing changes"
    );
    assert_eq!(
        Op::Sub.apply(&[1e-10, 0.5e-10]),
        0.5e-10,
        "small but not a residue"
    );
    assert!(Op::Add.apply(&[f64::INFINITY, f64::NEG_INFINITY]).is_nan());
}
