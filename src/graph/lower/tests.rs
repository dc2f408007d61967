//! Lowering tests: node order and names, shared variables, bindings, errors.

use super::*;
use crate::lang::parse;

fn graph(source: &str) -> Graph {
    lower(&parse(source).unwrap()).unwrap_or_else(|e| panic!("{source:?}: {e}"))
}

fn error(source: &str) -> LowerError {
    lower(&parse(source).unwrap()).expect_err(source)
}

fn names(graph: &Graph) -> Vec<&str> {
    graph.nodes().iter().map(|n| n.name.as_str()).collect()
}

#[test]
fn seed_example_numbers_nodes_like_the_seeds() {
    let g = graph("(x1+x2)*x1");
    assert_eq!(names(&g), ["x1", "x2", "v3", "v4"]);
    assert_eq!(g.output(), NodeId(3));
    assert_eq!(
        g.consumers(NodeId(0)),
        [NodeId(2), NodeId(3)],
        "x1 is one node with two consumers"
    );
    assert_eq!(g.node(NodeId(3)).inputs, [NodeId(2), NodeId(0)]);
}

#[test]
fn bindings_name_their_nodes_and_constant_bindings_are_inputs() {
    let g = graph("W = 2; x = 3; b = 1\nu = W*x; v = u + b; y = v^2");
    assert_eq!(names(&g), ["W", "x", "b", "u", "v", "y"]);
    assert_eq!(g.node(NodeId(0)).value, Some(Tensor::scalar(2.0)));
    assert_eq!(g.node(NodeId(5)).op, Op::PowConst(2.0));
    assert_eq!(g.inputs().count(), 3);
}

#[test]
fn inputs_come_first_in_order_of_appearance() {
    let g = graph("(w*x + b - y)^2");
    assert_eq!(names(&g), ["w", "x", "b", "y", "v5", "v6", "v7", "v8"]);
}

#[test]
fn constants_are_leaves_named_by_value_and_not_numbered() {
    let g = graph("x*3 + -0.5");
    assert_eq!(names(&g), ["x", "3", "v2", "-0.5", "v3"]);
    assert_eq!(g.node(NodeId(1)).op, Op::Const(3.0));
}

#[test]
fn aliases_get_an_identity_node_and_generated_names_avoid_user_names() {
    let g = graph("a = x; v2 = a + 1; v2 * x");
    assert_eq!(names(&g), ["x", "a", "1", "v2", "v4"]);
    assert_eq!(g.node(NodeId(1)).op, Op::Identity);
    let g = graph("v3 = x * 2; v3 + y");
    assert_eq!(names(&g), ["x", "y", "2", "v3", "v4"]);
    let g = graph("v4 = x; x*x + v4");
    assert_eq!(names(&g)[3], "v4′");
}

#[test]
fn general_power_has_two_inputs() {
    let g = graph("a^b");
    assert_eq!(g.node(NodeId(2)).op, Op::Pow);
    assert_eq!(graph("a^-2").node(NodeId(1)).op, Op::PowConst(-2.0));
}

#[test]
fn output_is_the_last_statement() {
    let g = graph("x = 3; y = x^2");
    assert_eq!(g.node(g.output()).name, "y");
    let g = graph("x = 3");
    assert_eq!(g.node(g.output()).name, "x");
}

#[test]
fn errors_carry_spans_and_hints() {
    let e = error("sigmod(x)");
    assert_eq!(e.span(), Span::new(0, 6));
    assert_eq!(e.hint().as_deref(), Some("did you mean `sigmoid`?"));
    assert_eq!(
        error("ln(x)").hint().as_deref(),
        Some("did you mean `log`?")
    );
    assert!(error("frobnicate(x)").hint().unwrap().contains("sigmoid"));
    assert!(matches!(
        error("exp(a, b)"),
        LowerError::WrongArity { found: 2, .. }
    ));
    let e = error("a = 1; a = 2; a");
    assert!(matches!(e, LowerError::Redefined { first, .. } if first == Span::new(0, 1)));
    assert_eq!(e.span(), Span::new(7, 8));
    assert!(matches!(
        error("y = x + 1; x = y; x"),
        LowerError::UsedBeforeDefinition { .. }
    ));
    assert!(matches!(
        error("y = y + 1"),
        LowerError::SelfReference { .. }
    ));
    assert!(matches!(error("exp + 1"), LowerError::FunctionName { .. }));
    assert!(matches!(
        error("relu = 3; relu"),
        LowerError::FunctionName { .. }
    ));
}

#[test]
fn tensor_programs_lower_to_tensor_ops() {
    let g = graph("[[1,2],[3,4]] @ [1,1]");
    let output = g.node(g.output());
    assert_eq!(output.op, Op::MatMul);
    assert_eq!(output.shape, [2]);
    assert_eq!(g.node(output.inputs[0]).op, Op::Literal);
    assert_eq!(g.node(output.inputs[0]).shape, [2, 2]);
    let g = graph("W = [1, 2]; W");
    assert_eq!(g.node(NodeId(0)).op, Op::Input);
    assert_eq!(
        g.node(NodeId(0)).value,
        Some(Tensor::from_vec(vec![2], vec![1.0, 2.0]).unwrap())
    );
    let g = graph("W = [1, 2]; sum(W)");
    assert_eq!(g.node(g.output()).op, Op::Sum(None));
    assert_eq!(g.node(g.output()).shape, [0usize; 0]);
}

#[test]
fn shape_errors_are_lowering_errors() {
    let e = error("W = [[1,2],[3,4],[5,6]]; W @ [1,2,3]");
    assert!(matches!(e, LowerError::Shape { .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        "@: [3,2] @ [3] — inner dimensions 2 and 3 differ"
    );
    let e = error("[[1,2],[3]]");
    assert!(matches!(e, LowerError::Shape { .. }), "{e:?}");
    assert!(e.to_string().contains("ragged"), "{e}");
    let e = error("zeros([5000, 5000])");
    assert!(
        matches!(
            &e,
            LowerError::Shape { error, .. } if matches!(**error, TensorError::TooLarge { .. })
        ),
        "{e:?}"
    );
}

#[test]
fn node_limit_is_an_error() {
    let source: String = (0..=MAX_NODES / 2)
        .map(|i| format!("a{i} = x * {i}\n"))
        .collect();
    assert!(matches!(error(&source), LowerError::TooManyNodes { .. }));
}

#[test]
fn evaluate_runs_the_whole_graph() {
    let g = graph("(x1+x2)*x1");
    let inputs = [Tensor::scalar(3.0), Tensor::scalar(4.0)];
    assert_eq!(
        g.evaluate(&inputs),
        [3.0, 4.0, 7.0, 21.0].map(Tensor::scalar)
    );
}

#[test]
fn deserializing_checks_the_arena_invariant() {
    let g = graph("(x1+x2)*x1");
    let json = serde_json::to_string(&g).unwrap();
    assert_eq!(serde_json::from_str::<Graph>(&json).unwrap(), g);
    let forward_reference = json.replace("\"inputs\":[2,0]", "\"inputs\":[3,0]");
    assert!(serde_json::from_str::<Graph>(&forward_reference).is_err());
    let bad_output = json.replace("\"output\":3", "\"output\":9");
    assert!(serde_json::from_str::<Graph>(&bad_output).is_err());
}

#[test]
fn max_of_two_values_is_explained() {
    for source in ["max(x, 0)", "y = 2\nmax(x, y) * 3"] {
        let e = error(source);
        assert!(matches!(e, LowerError::MaxOfTwo { .. }), "{source}: {e:?}");
        assert!(e.hint().unwrap().contains("relu(x)"), "{source}");
        let span = e.span();
        assert!(source[span.start..span.end].starts_with("max("), "{source}");
    }
    // A reduction along an axis is still a reduction.
    let g = graph("m = [[1, 2], [3, 4]]\nmax(m, 1)");
    assert_eq!(g.node(g.output()).op, Op::Max(Some(1)));
}

mod budget;

#[test]
fn glorot_and_he_are_scaled_randn_for_parameters() {
    let g = graph("W = param(he([4, 3], 7)); V = param(glorot([4, 3], 7)); sum(W + V)");
    let value = |name: &str| g.node(g.find(name).unwrap()).value.clone().unwrap();
    let randn = Tensor::randn(&[4, 3], 7).unwrap();
    let (he, glorot) = (value("W"), value("V"));
    for ((h, x), r) in he.data().iter().zip(glorot.data()).zip(randn.data()) {
        assert!((h - r * (2.0f64 / 4.0).sqrt()).abs() < 1e-15);
        assert!((x - r * (2.0f64 / 7.0).sqrt()).abs() < 1e-15);
    }
    let LowerError::BadArgument { message, span } = error("W = param(he([3], 1)); sum(W)") else {
        panic!("a vector is refused")
    };
    assert!(message.contains("[fan_in, fan_out]"), "{message}");
    assert_eq!(span, Span::new(13, 16));
}

#[test]
fn user_functions_expand_and_bad_definitions_are_errors_with_spans() {
    let g = graph("sq(a) = a * a\ncube(b) = sq(b) * b\nx = 2\ncube(x + 1)");
    let values = g.evaluate(&[Tensor::scalar(2.0)]);
    assert_eq!(values[g.output().0].item(), Some(27.0));
    assert!(g.custom_sites().is_empty());
    let message = |source: &str| match error(source) {
        LowerError::BadArgument { message, span } => (message, span),
        other => panic!("{source}: {other:?}"),
    };
    let (text, span) = message("f(x) = x * y\ny = 2\nf(y)");
    assert!(text.contains("`y` is not a parameter of `f`"), "{text}");
    assert_eq!(span, Span::new(11, 12));
    assert!(message("relu(x) = x\nrelu(1)").0.contains("built-in"));
    assert!(
        message("f'(x) = 1\nf(x) = x\nf(1)")
            .0
            .contains("before its derivative")
    );
    assert!(
        message("f(x, y) = x\nf'(x) = 1\nf(1, 2)")
            .0
            .contains("one argument")
    );
    assert!(message("f(x) = f(x)\nf(1)").0.contains("calls itself"));
    assert!(
        message("f(x) = sum(x)\nf'(x) = 1\nf([1, 2])")
            .0
            .contains("argument's shape")
    );
    assert!(matches!(
        error("f(x) = x\nf(1, 2)"),
        LowerError::WrongArity { .. }
    ));
}

#[test]
fn a_custom_derivative_is_recorded_and_routes_the_gradient() {
    let g = graph("f(x) = x^3\nf'(x) = 2 * x\nx = [1, 2]\nsum(f(x))");
    let site = &g.custom_sites()[0];
    assert_eq!(site.function, "f");
    assert_eq!(site.argument, g.find("x").unwrap());
    let values = g.evaluate(&[Tensor::from_vec(vec![2], vec![1.0, 2.0]).unwrap()]);
    assert_eq!(
        values[site.result.0].data(),
        &[1.0, 8.0],
        "the value is f's own"
    );
    assert_eq!(values[site.derivative.0].data(), &[2.0, 4.0]);
}

#[test]
fn a_change_in_place_is_refused_when_a_backward_rule_saved_the_value() {
    // sigmoid's backward reads its own output: PyTorch's "modified by an inplace operation".
    let LowerError::InPlace {
        name,
        saved_by,
        span,
    } = error("x = 1\na = sigmoid(x)\na += 1\na * 2")
    else {
        panic!("refused")
    };
    assert_eq!(
        (name.as_str(), saved_by.as_str(), span),
        ("a", "a", Span::new(21, 22))
    );
    // A product saves its other factor.
    let LowerError::InPlace { saved_by, .. } =
        error("x = 1\ny = 2\na = x + y\nb = a * y\na += 1\nb + a")
    else {
        panic!("refused")
    };
    assert_eq!(saved_by, "b");
    // Nothing saved `a` (a sum's backward reads neither side): the name moves on.
    let g = graph("x = 1\na = x * 3\nb = a + 2\na += 1\nb * a");
    let a = g.find("a").unwrap();
    assert_eq!(g.node(a).op, Op::Add);
    assert!(g.find("a₀").is_some());
    let values = g.evaluate(&[Tensor::scalar(1.0)]);
    assert_eq!(values[g.output().0].item(), Some(20.0), "(3 + 2) · (3 + 1)");
    assert!(matches!(
        error("x = 1\nx += 1\nx"),
        LowerError::BadArgument { .. }
    ));
}

#[test]
fn a_long_chain_of_functions_is_an_error_not_a_stack_overflow() {
    let mut source = String::from("f0(x) = x + 1\n");
    for k in 1..=3000 {
        source.push_str(&format!("f{k}(x) = f{}(x)\n", k - 1));
    }
    source.push_str("f3000(2)");
    let LowerError::BadArgument { message, .. } = error(&source) else {
        panic!("refused")
    };
    assert!(message.contains("more than 64 deep"), "{message}");
    let mut short = String::from("f0(x) = x + 1\n");
    for k in 1..=20 {
        short.push_str(&format!("f{k}(x) = f{}(x) * 1\n", k - 1));
    }
    short.push_str("f20(2)");
    let g = graph(&short);
    assert_eq!(g.evaluate(&[])[g.output().0].item(), Some(3.0));
}
