//! Stepper tests on the seeds' worked example and on undo, seek and serde.

use super::*;
use crate::program::compile;

fn scalars(values: &[f64]) -> Vec<Tensor> {
    values.iter().map(|&x| Tensor::scalar(x)).collect()
}

fn stepper(source: &str, inputs: &[f64], mode: Mode) -> Stepper {
    Stepper::new(compile(source).unwrap(), scalars(inputs), mode).unwrap()
}

/// The number a scalar (shape `[]`) tensor holds.
fn num(value: &Tensor) -> f64 {
    assert_eq!(value.shape(), [0usize; 0], "{value:?} is not a scalar");
    value.item().unwrap()
}

fn nums(values: &[Value]) -> Vec<f64> {
    values.iter().map(|v| num(v)).collect()
}

fn tangent(s: &Stepper, id: NodeId) -> Option<f64> {
    s.tangent(id).map(|t| num(t))
}

fn gradients(s: &Stepper) -> Vec<(NodeId, Option<f64>)> {
    s.gradients()
        .into_iter()
        .map(|(id, g)| (id, g.map(|g| num(&g))))
        .collect()
}

fn id(stepper: &Stepper, name: &str) -> NodeId {
    stepper.graph().find(name).unwrap()
}

#[test]
fn seed_example_forward_then_backward() {
    let mut s = stepper("(x1+x2)*x1", &[3.0, 4.0], Mode::Reverse);
    let [x1, x2, v3, v4] = ["x1", "x2", "v3", "v4"].map(|n| id(&s, n));
    assert_eq!(s.len(), 8);
    assert_eq!(
        s.progress(),
        Progress {
            phase: Phase::Forward,
            done: 0,
            total: 4
        }
    );
    let results: Vec<f64> = (0..4).map(|_| s.step_forward().unwrap().result()).collect();
    assert_eq!(results, [3.0, 4.0, 7.0, 21.0]);
    assert_eq!(s.step_forward(), None, "forward phase is over");
    assert_eq!(
        s.scalar_adjoint(v4),
        None,
        "adjoints are blank until the backward pass"
    );

    let visit_v4 = s.step_backward().unwrap();
    let StepDetail::Visit {
        seeded,
        adjoint,
        updates,
        ..
    } = &visit_v4.detail
    else {
        panic!()
    };
    assert!(*seeded);
    assert_eq!(num(adjoint), 1.0);
    assert_eq!(
        updates
            .iter()
            .map(|u| (u.target, num(u.local.as_ref().unwrap()), num(&u.adjoint)))
            .collect::<Vec<_>>(),
        [(v3, 3.0, 3.0), (x1, 7.0, 7.0)]
    );
    assert_eq!(s.scalar_adjoint(x1), Some(7.0));
    assert_eq!(
        s.progress(),
        Progress {
            phase: Phase::Backward,
            done: 1,
            total: 4
        }
    );

    let visit_v3 = s.step_backward().unwrap();
    let StepDetail::Visit { updates, .. } = &visit_v3.detail else {
        panic!()
    };
    assert_eq!(updates[0].target, x1);
    assert_eq!(updates[0].previous.as_deref().map(num), Some(7.0));
    assert_eq!(nums(s.contributions(x1)), [7.0, 3.0]);
    assert_eq!(num(&updates[0].adjoint), 10.0);
    assert_eq!(s.scalar_adjoint(x1), Some(10.0));
    assert_eq!(s.scalar_adjoint(x2), Some(3.0));

    s.run_to_end();
    assert!(s.is_done());
    assert_eq!(gradients(&s), [(x1, Some(10.0)), (x2, Some(3.0))]);
    assert_eq!(s.scalar_value(v4), Some(21.0));
}

#[test]
fn forward_mode_pushes_tangents() {
    let mut s = stepper("(x1+x2)*x1", &[3.0, 4.0], Mode::Forward { wrt: NodeId(0) });
    assert_eq!(s.len(), 4);
    s.run_to_end();
    assert_eq!(tangent(&s, NodeId(3)), Some(10.0));
    assert_eq!(gradients(&s)[0], (NodeId(0), Some(10.0)));
    assert_eq!(gradients(&s)[1], (NodeId(1), None));
    let StepDetail::Tangent {
        partials,
        arg_tangents,
        tangent,
        ..
    } = &s.history()[2].detail
    else {
        panic!()
    };
    assert_eq!(
        (nums(partials), nums(arg_tangents), num(tangent)),
        (vec![1.0, 1.0], vec![1.0, 0.0], 1.0)
    );
}

#[test]
fn forward_mode_needs_an_input() {
    let graph = compile("x*2").unwrap();
    let error = Stepper::new(graph, scalars(&[1.0]), Mode::Forward { wrt: NodeId(1) }).unwrap_err();
    assert_eq!(error, EngineError::NotAnInput { name: "2".into() });
    let graph = compile("x*2").unwrap();
    assert!(matches!(
        Stepper::new(graph, vec![], Mode::Reverse),
        Err(EngineError::InputCount { .. })
    ));
}

#[test]
fn unused_inputs_get_a_zero_adjoint_when_visited() {
    let mut s = stepper("a = 1; b = 2; a * 3", &[1.0, 2.0], Mode::Reverse);
    let b = id(&s, "b");
    s.seek(s.len() - 2);
    assert_eq!(s.scalar_adjoint(b), None);
    s.run_to_end();
    assert_eq!(s.scalar_adjoint(b), Some(0.0));
}

#[test]
fn a_variable_read_twice_by_one_op_accumulates_twice() {
    let mut s = stepper("x*x", &[3.0], Mode::Reverse);
    s.run_to_end();
    assert_eq!(nums(s.contributions(NodeId(0))), [3.0, 3.0]);
    assert_eq!(s.scalar_adjoint(NodeId(0)), Some(6.0));
}

#[test]
fn step_back_and_seek_restore_exact_states() {
    let mut s = stepper(
        "y = sigmoid(w*x + b)\nL = (y - t)^2 / 2",
        &[0.7, 1.2, 0.0, 0.39],
        Mode::Reverse,
    );
    let fresh = s.clone();
    let mut states = vec![s.clone()];
    while s.step().is_some() {
        states.push(s.clone());
    }
    for k in (0..states.len() - 1).rev() {
        s.step_back();
        assert_eq!(s, states[k], "after undoing to step {k}");
    }
    assert_eq!(s, fresh);
    for k in [5, 0, 13, 2, 9] {
        s.seek(k);
        assert_eq!(s, states[k]);
    }
    s.seek(999);
    assert!(s.is_done());
}

#[test]
fn set_inputs_keeps_the_position() {
    let mut s = stepper("(x1+x2)*x1", &[3.0, 4.0], Mode::Reverse);
    s.seek(6);
    s.set_inputs(scalars(&[1.0, 1.0])).unwrap();
    assert_eq!(s.cursor(), 6);
    assert_eq!(s.scalar_value(NodeId(3)), Some(2.0));
    assert_eq!(s.scalar_adjoint(NodeId(0)), Some(3.0));
}

#[test]
fn nan_and_infinity_flow_through_without_panics() {
    let mut s = stepper("log(x) * y", &[-1.0, 2.0], Mode::Reverse);
    s.run_to_end();
    assert!(num(s.value(NodeId(3)).unwrap()).is_nan());
    assert_eq!(
        s.scalar_adjoint(NodeId(0)),
        Some(-2.0),
        "∂/∂x of log is 1/x, finite at x = -1"
    );
    assert!(
        num(&s.adjoint(NodeId(1)).unwrap()).is_nan(),
        "ȳ = log(x) = NaN"
    );
    let mut s = stepper("1 / x", &[0.0], Mode::Reverse);
    s.run_to_end();
    assert_eq!(s.scalar_value(s.graph().output()), Some(f64::INFINITY));
}

#[test]
fn serde_round_trip_restores_the_step() {
    let mut s = stepper("(x1+x2)*x1", &[3.0, 4.0], Mode::Reverse);
    s.seek(5);
    let json = serde_json::to_string(&s).unwrap();
    let back: Stepper = serde_json::from_str(&json).unwrap();
    assert_eq!(back.cursor(), 5);
    assert_eq!(back.history().len(), 5);
    assert_eq!(back.scalar_adjoint(NodeId(0)), Some(7.0));
    let nan = stepper("x + 1", &[f64::NAN], Mode::Reverse);
    let back: Stepper = serde_json::from_str(&serde_json::to_string(&nan).unwrap()).unwrap();
    assert!(num(&back.inputs()[0]).is_nan());
    let too_far = json.replace("\"cursor\":5", "\"cursor\":50");
    assert!(serde_json::from_str::<Stepper>(&too_far).is_err());
}

#[test]
fn the_tape_holds_what_the_backward_pass_will_read() {
    let mut s = stepper("(x1+x2)*x1", &[3.0, 4.0], Mode::Reverse);
    let names = |s: &Stepper| -> Vec<String> {
        s.tape()
            .iter()
            .enumerate()
            .filter(|(_, t)| **t)
            .map(|(i, _)| s.graph().nodes()[i].name.clone())
            .collect()
    };
    s.seek(3);
    assert!(
        names(&s).is_empty(),
        "v4 is not computed yet, and v3 = x1 + x2 needs no values"
    );
    s.seek(4);
    assert_eq!(
        names(&s),
        ["x1", "v3"],
        "the seeds: we are about to need v1 and v3"
    );
    s.seek(5);
    assert!(
        names(&s).is_empty(),
        "after visiting v4 nothing more is read"
    );
    let mut s = stepper("a = sigmoid(x)", &[0.0], Mode::Reverse);
    s.seek(2);
    assert_eq!(
        names(&s),
        ["a"],
        "sigmoid's derivative reads its own output"
    );
}

#[test]
fn local_derivatives_are_known_once_the_node_is_computed() {
    let mut s = stepper("(x1+x2)*x1", &[3.0, 4.0], Mode::Reverse);
    s.seek(3);
    assert_eq!(s.local_derivative(NodeId(3), 1), None);
    s.seek(4);
    assert_eq!(
        (
            s.local_derivative(NodeId(3), 0).as_ref().map(num),
            s.local_derivative(NodeId(3), 1).as_ref().map(num)
        ),
        (Some(3.0), Some(7.0))
    );
    assert_eq!(s.local_derivative(NodeId(3), 2), None);
}

#[test]
fn constant_subexpressions_have_a_zero_tangent_even_where_a_partial_is_infinite() {
    let mut s = stepper("log(0) * x", &[2.0], Mode::Forward { wrt: NodeId(0) });
    s.run_to_end();
    assert_eq!(tangent(&s, NodeId(2)), Some(0.0), "log(0) is a constant");
    assert_eq!(
        tangent(&s, s.graph().output()),
        Some(f64::NEG_INFINITY),
        "∂(log(0)·x)/∂x = log(0)"
    );
}
