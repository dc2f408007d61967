use super::*;
use crate::program::compile;

fn at(source: &str, values: &[f64]) -> SecondOrder {
    let graph = compile(source).unwrap();
    let inputs: Vec<Tensor> = values.iter().map(|&v| Tensor::scalar(v)).collect();
    second_order(&graph, &inputs).unwrap()
}

#[test]
fn x_cubed_at_two() {
    let s = at("x^3", &[2.0]);
    assert_eq!(s.output, 8.0);
    assert_eq!(s.gradient, [12.0]);
    assert_eq!(s.hessian, [[12.0]]);
}

#[test]
fn exact_hessians() {
    assert_eq!(at("x*y", &[3.0, 5.0]).hessian, [[0.0, 1.0], [1.0, 0.0]]);
    assert_eq!(
        at("(x1+x2)*x1", &[3.0, 4.0]).hessian,
        [[2.0, 1.0], [1.0, 0.0]]
    );
    let s = at("x^2*y^3", &[2.0, 3.0]);
    // ∂²/∂x² = 2y³ = 54, ∂²/∂x∂y = 6xy² = 108, ∂²/∂y² = 6x²y = 72.
    assert_eq!(s.gradient, [108.0, 108.0]);
    assert_eq!(s.hessian, [[54.0, 108.0], [108.0, 72.0]]);
    let s = at("sin(x)", &[1.0]);
    assert_eq!(s.hessian, [[-1f64.sin()]]);
    let s = at("exp(x)", &[0.5]);
    assert_eq!(s.hessian, [[0.5f64.exp()]]);
    // relu is linear on each side: its second derivative is 0.
    assert_eq!(at("relu(x)*x", &[2.0]).hessian, [[2.0]]);
    assert_eq!(at("relu(x)*x", &[-2.0]).hessian, [[0.0]]);
    // An input the output does not read (y comes first).
    assert_eq!(
        at("a = y + 1; x^2", &[1.0, 1.0]).hessian,
        [[0.0, 0.0], [0.0, 2.0]]
    );
}

#[test]
fn the_backward_graph_names_its_adjoints_and_doubles_the_work() {
    let graph = compile("x^3").unwrap();
    let backward = backward_graph(&graph, &[Tensor::scalar(2.0)]).unwrap();
    let names: Vec<&str> = backward.graph.nodes()[backward.forward_len..]
        .iter()
        .map(|n| n.name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "1",
            "v\u{304}2",
            "3",
            "t5",
            "∂v2/∂x",
            "∂v2/∂x·v\u{304}2",
            "x\u{304}"
        ]
    );
    assert_eq!(backward.graph.node(backward.gradients[0]).name, "x\u{304}");
    assert_eq!(
        (backward.forward_nodes(), backward.backward_nodes()),
        (1, 5)
    );
}

#[test]
fn hessian_vector_products_are_the_hessian_times_the_vector() {
    let source = "a = sin(x)*y; b = exp(a) + x^2*z; b/(1 + z^2)";
    let values = [0.3, -1.1, 0.8];
    let s = at(source, &values);
    let graph = compile(source).unwrap();
    let inputs: Vec<Tensor> = values.iter().map(|&v| Tensor::scalar(v)).collect();
    let v = [0.5, -2.0, 1.5];
    let product = hessian_vector_product(&graph, &inputs, &v).unwrap();
    for (row, got) in s.hessian.iter().zip(&product) {
        let expected: f64 = row.iter().zip(&v).map(|(h, v)| h * v).sum();
        assert!((got - expected).abs() < 1e-12, "{got} vs {expected}");
    }
    let wrong = hessian_vector_product(&graph, &inputs, &[1.0]).unwrap_err();
    assert_eq!(
        wrong.to_string(),
        "the direction has 1 numbers, and the program has 3 inputs"
    );
}

#[test]
fn what_cannot_be_differentiated_again_is_an_error() {
    let graph = compile("gelu(x)").unwrap();
    let error = second_order(&graph, &[Tensor::scalar(1.0)]).unwrap_err();
    assert!(
        error.to_string().starts_with("`gelu`'s derivative"),
        "{error}"
    );
    let graph = compile("W = [1, 2]; sum(W*x)").unwrap();
    let inputs = crate::engine::inputs::resolve(&graph, &[], Some(1.0)).unwrap();
    assert!(matches!(
        second_order(&graph, &inputs),
        Err(SecondOrderError::Scalar(_))
    ));
}

#[test]
fn a_hessian_too_large_is_an_error() {
    // p1 = x0 * x1, p2 = p1 * x2, …: a product of 1500 inputs.
    let mut source = String::from("p0 = x0");
    for k in 1..1500 {
        source.push_str(&format!("\np{k} = p{} * x{k}", k - 1));
    }
    let graph = compile(&source).unwrap();
    let inputs = vec![Tensor::scalar(1.0); graph.inputs().count()];
    let error = second_order(&graph, &inputs).unwrap_err();
    assert!(
        matches!(error, SecondOrderError::TooMuchWork { inputs: 1500, .. }),
        "{error}"
    );
}

/// The backward graph is a graph like any other: the stepper walks it, and for `x^3` at 2
/// its forward steps compute x̄ = 12 and its backward steps give ∂x̄/∂x = 12.
#[test]
fn the_stepper_steps_through_the_backward_graph() {
    let graph = compile("x^3").unwrap();
    let inputs = [Tensor::scalar(2.0)];
    let backward = backward_graph(&graph, &inputs).unwrap();
    let gradient = backward.gradients[0];
    let mut stepper = Stepper::new(
        backward.with_output(gradient),
        inputs.to_vec(),
        Mode::Reverse,
    )
    .unwrap();
    // Forward: x, v2 = 8, then v̄2, t5 = 4, ∂v2/∂x = 12, the product and x̄ (constants take no step).
    assert_eq!(stepper.len(), 2 * 7);
    while stepper.step_forward().is_some() {}
    assert_eq!(stepper.scalar_value(gradient), Some(12.0));
    stepper.run_to_end();
    assert_eq!(stepper.scalar_adjoint(crate::graph::NodeId(0)), Some(12.0));
}
