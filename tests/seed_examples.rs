//! The seeds' worked examples, run from `www/examples`, must reproduce their published
//! numbers exactly (or to the digits the seed prints, where it rounds).

use backprop_viz::engine::{EngineError, Mode, StepDetail, Stepper, gradient_check, inputs};
use backprop_viz::graph::Role;
use backprop_viz::tensor::Tensor;
use backprop_viz::{examples, program::compile};

/// Run an example to the end with its default inputs.
fn run(slug: &str) -> Stepper {
    let example = examples::find(slug).unwrap_or_else(|| panic!("no example {slug}"));
    let graph = compile(example.source).unwrap();
    let values = inputs::resolve(&graph, &[], None).unwrap();
    let mut stepper = Stepper::new(graph, values, Mode::Reverse).unwrap();
    stepper.run_to_end();
    stepper
}

fn scalars(values: &[f64]) -> Vec<Tensor> {
    values.iter().map(|&x| Tensor::scalar(x)).collect()
}

/// The number a scalar (shape `[]`) tensor holds.
fn number(value: &Tensor) -> f64 {
    assert_eq!(value.shape(), [0usize; 0], "{value:?} is not a scalar");
    value.item().unwrap()
}

fn value(s: &Stepper, name: &str) -> f64 {
    number(s.value(s.graph().find(name).unwrap()).unwrap())
}

fn adjoint(s: &Stepper, name: &str) -> f64 {
    number(&s.adjoint(s.graph().find(name).unwrap()).unwrap())
}

fn output(s: &Stepper) -> f64 {
    number(s.value(s.graph().output()).unwrap())
}

fn assert_close(actual: f64, printed: f64, decimals: i32, what: &str) {
    let tolerance = 0.5 * 10f64.powi(-decimals) + 1e-12;
    assert!(
        (actual - printed).abs() <= tolerance,
        "{what}: {actual} does not print as {printed}"
    );
}

#[test]
fn two_paths_x1_plus_x2_times_x1() {
    let s = run("two-paths");
    assert_eq!(output(&s), 21.0);
    assert_eq!(
        (value(&s, "v3"), adjoint(&s, "x1"), adjoint(&s, "x2")),
        (7.0, 10.0, 3.0)
    );
    assert_eq!((adjoint(&s, "v3"), adjoint(&s, "v4")), (3.0, 1.0));
    // x1's adjoint reaches 7 at the visit of v4, then 10 at the visit of v3.
    let x1 = s.graph().find("x1").unwrap();
    let mut x1_updates: Vec<(String, f64)> = Vec::new();
    for record in s.history() {
        if let StepDetail::Visit { updates, .. } = &record.detail {
            let visited = &s.graph().node(record.node).name;
            x1_updates.extend(
                updates
                    .iter()
                    .filter(|u| u.target == x1)
                    .map(|u| (visited.clone(), number(&u.adjoint))),
            );
        }
    }
    assert_eq!(
        x1_updates,
        [("v4".to_string(), 7.0), ("v3".to_string(), 10.0)]
    );
}

#[test]
fn linear_unit_squared() {
    let s = run("linear-square");
    assert_eq!(
        (value(&s, "u"), value(&s, "v"), output(&s)),
        (6.0, 7.0, 49.0)
    );
    assert_eq!(adjoint(&s, "v"), 14.0);
    assert_eq!(
        (adjoint(&s, "W"), adjoint(&s, "x"), adjoint(&s, "b")),
        (42.0, 28.0, 14.0)
    );
}

#[test]
fn squared_error_of_a_line() {
    let s = run("squared-error");
    assert_eq!(
        (value(&s, "u"), value(&s, "z"), value(&s, "r"), output(&s)),
        (6.0, 7.0, 3.0, 9.0)
    );
    assert_eq!(
        (adjoint(&s, "r"), adjoint(&s, "z"), adjoint(&s, "u")),
        (6.0, 6.0, 6.0)
    );
    assert_eq!(
        (adjoint(&s, "w"), adjoint(&s, "x"), adjoint(&s, "b")),
        (18.0, 12.0, 6.0)
    );
    assert_eq!(adjoint(&s, "y"), -6.0);
}

#[test]
fn sigmoid_neuron_to_the_printed_digits() {
    let s = run("sigmoid-neuron");
    assert_close(value(&s, "z"), 0.84, 2, "z");
    assert_close(value(&s, "a"), 0.70, 2, "a");
    assert_close(output(&s), 0.05, 2, "L");
    assert_close(adjoint(&s, "a"), 0.31, 2, "∂L/∂a");
    let a = value(&s, "a");
    assert_close(a * (1.0 - a), 0.21, 2, "σ'(z)");
    assert_close(adjoint(&s, "z"), 0.065, 3, "∂L/∂z");
    assert_close(adjoint(&s, "x"), 0.045, 3, "∂L/∂x");
}

#[test]
fn linear_relu_linear() {
    let s = run("lin-relu-lin");
    assert_eq!(
        (value(&s, "z1"), value(&s, "a"), value(&s, "y"), output(&s)),
        (1.0, 1.0, 1.5, 0.25)
    );
    assert_eq!(
        (adjoint(&s, "y"), adjoint(&s, "a"), adjoint(&s, "z1")),
        (-1.0, -2.0, -2.0)
    );
    assert_eq!((adjoint(&s, "w1"), adjoint(&s, "w2")), (-4.0, -1.0));
}

#[test]
fn relu_at_exactly_zero_passes_no_gradient() {
    // The seeds' convention relu'(0) = 0 (their 2-3-1 network has a neuron exactly at 0).
    let graph = compile("z = w*x + b; h = relu(z); L = (h - t)^2").unwrap();
    let mut s = Stepper::new(graph, scalars(&[0.5, 2.0, -1.0, 1.0]), Mode::Reverse).unwrap();
    s.run_to_end();
    assert_eq!(value(&s, "z"), 0.0);
    assert_eq!(adjoint(&s, "h"), -2.0);
    assert_eq!((adjoint(&s, "z"), adjoint(&s, "w")), (0.0, 0.0));
}

#[test]
fn every_example_agrees_with_forward_mode_and_finite_differences() {
    let mut scalar_examples = Vec::new();
    // The pitfalls' fixes too: each is a program of its own.
    let with_fixes = examples::all().into_iter().flat_map(|example| {
        let fix = example.fix.clone().map(|fix| *fix);
        std::iter::once(example).chain(fix)
    });
    for example in with_fixes {
        let reverse = run(example.slug);
        let graph = reverse.graph().clone();
        let values = reverse.inputs().to_vec();
        if graph.nodes().iter().any(|node| !node.is_scalar()) {
            // Forward mode differentiates scalar programs only; the tensor examples are
            // checked below (`tiny_relu_network_every_number`, `moons_mlp_…`).
            for id in graph.inputs() {
                let refused =
                    Stepper::new(graph.clone(), values.clone(), Mode::Forward { wrt: id });
                assert!(
                    matches!(
                        refused,
                        Err(EngineError::TensorTangent { .. } | EngineError::NoForwardRule { .. })
                    ),
                    "{}: {refused:?}",
                    example.slug
                );
            }
            continue;
        }
        scalar_examples.push(example.slug);
        for (id, gradient) in reverse.gradients() {
            let mut forward =
                Stepper::new(graph.clone(), values.clone(), Mode::Forward { wrt: id }).unwrap();
            forward.run_to_end();
            let tangent = number(forward.tangent(graph.output()).unwrap());
            let gradient = number(&gradient.unwrap());
            let both_nan = tangent.is_nan() && gradient.is_nan();
            assert!(
                both_nan || (tangent - gradient).abs() <= 1e-12 * gradient.abs().max(1.0),
                "{}: {tangent} vs {gradient}",
                example.slug
            );
        }
        // A pitfall lab may disagree with finite differences by design: a detach stops the
        // gradient the differences see (the straight-through fix does it on purpose), and a
        // NaN gradient is the pitfall itself.
        let detached = graph.nodes().iter().any(|node| node.op.stops_gradient());
        let non_finite = reverse.gradients().iter().any(|(_, gradient)| {
            gradient
                .as_ref()
                .is_some_and(|g| g.data().iter().any(|x| !x.is_finite()))
        });
        let lab = example.is_pitfall() || example.slug.ends_with("-fix");
        if lab && (detached || non_finite) {
            continue;
        }
        let check = gradient_check(&graph, &values).unwrap();
        assert!(
            check.max_relative_error < 1e-8,
            "{}: {check:?}",
            example.slug
        );
    }
    for seed in [
        "two-paths",
        "linear-square",
        "squared-error",
        "sigmoid-neuron",
        "lin-relu-lin",
    ] {
        assert!(scalar_examples.contains(&seed), "{seed} was not checked");
    }
}

/// The values of a tensor node, row-major.
fn values(s: &Stepper, name: &str) -> Vec<f64> {
    s.value(s.graph().find(name).unwrap())
        .unwrap()
        .data()
        .to_vec()
}

fn adjoints(s: &Stepper, name: &str) -> Vec<f64> {
    s.adjoint(s.graph().find(name).unwrap())
        .unwrap()
        .data()
        .to_vec()
}

fn assert_all_close(actual: &[f64], printed: &[f64], decimals: i32, what: &str) {
    assert_eq!(actual.len(), printed.len(), "{what}: {actual:?}");
    for (a, p) in actual.iter().zip(printed) {
        assert_close(*a, *p, decimals, what);
    }
}

#[test]
fn tiny_relu_network_every_number() {
    // The numbers the example's intro prints.
    let s = run("tiny-relu-network");
    assert_eq!(
        values(&s, "z1")[0],
        0.0,
        "the first hidden neuron sits exactly at 0"
    );
    assert_all_close(&values(&s, "y"), &[-0.14], 2, "ŷ");
    assert_close(output(&s), 0.65, 2, "L");
    assert_all_close(&adjoints(&s, "y"), &[-1.14], 2, "∂L/∂ŷ");
    assert_all_close(&adjoints(&s, "W2"), &[0.0, -1.824, -0.912], 3, "∂L/∂W2");
    assert_all_close(
        &adjoints(&s, "W1"),
        &[0.0, 0.0, 0.570, 1.140, -0.798, -1.596],
        3,
        "∂L/∂W1",
    );
    assert_eq!(
        &adjoints(&s, "W1")[..2],
        [0.0, 0.0],
        "the dead neuron's row"
    );
}

#[test]
fn moons_mlp_agrees_with_finite_differences_except_at_the_labels() {
    // Labels are class numbers, so nudging one has no derivative to compare with.
    let s = run("moons-mlp");
    let graph = s.graph();
    let check = gradient_check(graph, s.inputs()).unwrap();
    for entry in &check.entries {
        let node = graph.node(entry.input);
        if matches!(node.role, Role::Labels(_)) {
            assert_eq!(entry.analytic, 0.0, "{}[{}]", node.name, entry.element);
        } else {
            assert!(
                entry.relative_error < 1e-8,
                "{}[{}]: {entry:?}",
                node.name,
                entry.element
            );
        }
    }
}

#[test]
fn the_seeds_dead_neuron_is_exactly_zero_in_decimal_arithmetic() {
    // The first hidden neuron of the seeds' 2-3-1 network: 0.5·1 − 0.3·2 + 0.1 = 0, so its
    // ReLU passes no gradient back and its row of ∂W1 is zero.
    let graph = compile("z = w1*x1 + w2*x2 + b; h = relu(z); L = h * 0.3").unwrap();
    let mut s = Stepper::new(graph, scalars(&[0.5, 1.0, -0.3, 2.0, 0.1]), Mode::Reverse).unwrap();
    s.run_to_end();
    assert_eq!(value(&s, "z"), 0.0);
    assert_eq!((adjoint(&s, "h"), adjoint(&s, "z")), (0.3, 0.0));
    assert_eq!((adjoint(&s, "w1"), adjoint(&s, "w2")), (0.0, 0.0));
}
