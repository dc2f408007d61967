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
            total: 4,
            pass: None,
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
            total: 4,
            pass: None,
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

/// f16 storage: values and adjoints are rounded where stored; a contribution that rounds
/// to 0 is flagged; loss scaling seeds the output with S and the gradients divide it out.
#[test]
fn precision_rounds_what_is_stored_and_loss_scaling_rescues_underflow() {
    use crate::precision::{Loss, Precision};
    // ∂y/∂x = 1e-6 · 1e-3 = 1e-9: below f16's smallest number (6e-8).
    let source = "x = 0.1\na = x * 0.000001\ny = a * 0.001";
    let graph = compile(source).unwrap();
    let inputs = scalars(&[0.1]);
    let f16 = Stepper::new(graph.clone(), inputs.clone(), Mode::Reverse)
        .unwrap()
        .stored_as(Precision::F16, 1.0)
        .unwrap();
    let mut run = f16.clone();
    run.run_to_end();
    let x = id(&run, "x");
    assert_eq!(num(run.value(x).unwrap()), 0.0999755859375);
    assert_eq!(gradients(&run), vec![(x, Some(0.0))]);
    let lost: Vec<Option<Loss>> = run
        .history()
        .iter()
        .filter_map(|r| match &r.detail {
            StepDetail::Visit { updates, .. } => Some(updates.iter().map(|u| u.lost)),
            _ => None,
        })
        .flatten()
        .collect();
    // ā = 0.001 is stored (as 0.0010004); x̄ = 1e-9 underflows.
    assert_eq!(lost, [None, Some(Loss::Underflow)]);
    // Scaled by 2^15, x̄ = 3.3e-5 is an f16 subnormal; divided back, the gradient is
    // within 1 % of what the stored constants give. (2^20 would not do: the seed itself overflows f16's 65504.)
    let mut scaled = f16.clone().stored_as(Precision::F16, 32768.0).unwrap();
    scaled.run_to_end();
    let gradient = gradients(&scaled)[0].1.unwrap();
    // The constants are stored in f16 too: 1e-6 as 1.0133e-6, 1e-3 as 1.0004e-3.
    let exact = Precision::F16.round(1e-6) * Precision::F16.round(1e-3);
    assert!((gradient - exact).abs() < 1e-11, "{gradient} vs {exact}");
    let seed = scaled.adjoint(scaled.graph().output()).unwrap();
    assert_eq!(num(&seed), 32768.0);
    let mut overflowing = f16.stored_as(Precision::F16, 1048576.0).unwrap();
    overflowing.run_to_end();
    assert_eq!(gradients(&overflowing)[0].1, Some(f64::INFINITY));
    // Undo stays exact, and the serde form keeps the storage.
    let end = scaled.clone();
    scaled.step_back();
    scaled.step();
    assert_eq!(scaled, end);
    let json = serde_json::to_string(&end).unwrap();
    assert!(json.contains("\"precision\":\"f16\""), "{json}");
    assert!(json.contains("\"loss_scale\":32768.0"), "{json}");
    assert_eq!(serde_json::from_str::<Stepper>(&json).unwrap(), end);
    assert!(matches!(
        end.clone().stored_as(Precision::F16, 0.0),
        Err(EngineError::LossScale(_))
    ));
    // f64 is untouched: the same bits as a stepper that never heard of precision.
    let mut plain = Stepper::new(graph.clone(), inputs.clone(), Mode::Reverse).unwrap();
    let mut f64_run = plain.clone().stored_as(Precision::F64, 1.0).unwrap();
    plain.run_to_end();
    f64_run.run_to_end();
    assert_eq!(plain, f64_run);
    assert!(!serde_json::to_string(&plain).unwrap().contains("precision"));
}
