//! Property tests on random programs: reverse mode == forward mode == finite differences,
//! second derivatives == differences of first derivatives == sympy, exact undo, seek ==
//! stepping, and a parser that never panics.

use backprop_viz::engine::second_order::second_order;
use backprop_viz::engine::{Mode, Stepper, gradient_check, inputs};
use backprop_viz::graph::Graph;
use backprop_viz::lang::parse;
use backprop_viz::program::compile;
use backprop_viz::tensor::Tensor;
use proptest::prelude::*;

/// A random expression shape; leaves pick a name from the names in scope.
#[derive(Clone, Debug)]
enum Tree {
    Leaf(usize),
    Const(i32),
    Unary(usize, Box<Tree>),
    Binary(usize, Box<Tree>, Box<Tree>),
}

/// Smooth unary forms, defined on all reals, so finite differences apply.
const SMOOTH_UNARY: [&str; 9] = [
    "-({})",
    "sin({})",
    "cos({})",
    "tanh({})",
    "sigmoid({})",
    "exp(tanh({}))",
    "log(1 + ({})^2)",
    "sqrt(1 + ({})^2)",
    "({})^2",
];
/// Unary forms with a kink (relu'(0) = 0, abs'(0) = 0): fine for reverse vs forward.
const KINKED_UNARY: [&str; 2] = ["relu({})", "abs({})"];
const BINARY: [&str; 5] = [
    "({} + {})",
    "({} - {})",
    "({} * {})",
    "({} / (1 + ({})^2))",
    "(1 + ({})^2)^tanh({})",
];

fn tree() -> impl Strategy<Value = Tree> {
    let leaf = prop_oneof![
        (0usize..8).prop_map(Tree::Leaf),
        (-20i32..=20).prop_map(Tree::Const)
    ];
    leaf.prop_recursive(4, 24, 2, |inner| {
        prop_oneof![
            (0usize..16, inner.clone()).prop_map(|(k, a)| Tree::Unary(k, Box::new(a))),
            (0usize..16, inner.clone(), inner).prop_map(|(k, a, b)| Tree::Binary(
                k,
                Box::new(a),
                Box::new(b)
            )),
        ]
    })
}

fn render(tree: &Tree, names: &[String], kinks: bool) -> String {
    match tree {
        Tree::Leaf(i) => names[i % names.len()].clone(),
        Tree::Const(c) => format!("{}", f64::from(*c) / 10.0),
        Tree::Unary(k, a) => {
            let forms: Vec<&str> = SMOOTH_UNARY
                .iter()
                .chain(if kinks { &KINKED_UNARY[..] } else { &[] })
                .copied()
                .collect();
            forms[k % forms.len()].replacen("{}", &render(a, names, kinks), 1)
        }
        Tree::Binary(k, a, b) => {
            let form = BINARY[k % BINARY.len()];
            form.replacen("{}", &render(a, names, kinks), 1).replacen(
                "{}",
                &render(b, names, kinks),
                1,
            )
        }
    }
}

/// A program of bindings `t0 = …; t1 = …` that read the inputs and earlier bindings
/// (so variables get several consumers), then a final expression.
fn program(kinks: bool) -> impl Strategy<Value = String> {
    prop::collection::vec(tree(), 1..4).prop_map(move |trees| {
        let mut names: Vec<String> = (0..3).map(|i| format!("x{i}")).collect();
        let mut lines = Vec::new();
        for (i, tree) in trees.iter().enumerate() {
            let line = render(tree, &names, kinks);
            if i + 1 == trees.len() {
                lines.push(line);
            } else {
                lines.push(format!("t{i} = {line}"));
                names.push(format!("t{i}"));
            }
        }
        lines.join("\n")
    })
}

fn inputs() -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(-2.0f64..2.0, 3)
}

/// The graph and one value per input node (programs may not read every x).
fn setup(source: &str, values: &[f64]) -> (Graph, Vec<Tensor>) {
    let graph = compile(source).unwrap_or_else(|e| panic!("{source}: {e}"));
    let values = graph
        .inputs()
        .map(|id| {
            let name = &graph.node(id).name;
            Tensor::scalar(name[1..].parse::<usize>().map_or(0.5, |i| values[i]))
        })
        .collect();
    (graph, values)
}

/// The number a scalar (shape `[]`) tensor holds.
fn number(value: &Tensor) -> f64 {
    assert_eq!(value.shape(), [0usize; 0], "{value:?} is not a scalar");
    value.item().unwrap()
}

fn close(a: f64, b: f64, tolerance: f64) -> bool {
    (a - b).abs() <= tolerance * a.abs().max(b.abs()).max(1.0)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn reverse_mode_equals_forward_mode(source in program(true), values in inputs()) {
        let (graph, values) = setup(&source, &values);
        let mut reverse = Stepper::new(graph.clone(), values.clone(), Mode::Reverse).unwrap();
        reverse.run_to_end();
        prop_assume!(number(reverse.value(graph.output()).unwrap()).is_finite());
        for (id, gradient) in reverse.gradients() {
            let mut forward = Stepper::new(graph.clone(), values.clone(), Mode::Forward { wrt: id }).unwrap();
            forward.run_to_end();
            let tangent = number(forward.tangent(graph.output()).unwrap());
            let gradient = number(&gradient.unwrap());
            prop_assert!(close(gradient, tangent, 1e-9), "{}: {} vs {} in\n{}", graph.node(id).name, gradient, tangent, source);
        }
    }

    #[test]
    fn reverse_mode_equals_finite_differences(source in program(false), values in inputs()) {
        let (graph, values) = setup(&source, &values);
        let check = gradient_check(&graph, &values).unwrap();
        prop_assume!(number(&graph.evaluate(&values)[graph.output().0]).is_finite());
        prop_assert!(check.max_relative_error < 1e-5, "{:?}\n{}", check, source);
    }

    #[test]
    fn second_derivatives_equal_differences_of_first_derivatives(source in program(false), values in inputs()) {
        let (graph, values) = setup(&source, &values);
        let second = second_order(&graph, &values).unwrap();
        prop_assume!(second.hessian.iter().flatten().chain(&second.gradient).all(|h| h.is_finite()));
        let gradient = |point: &[Tensor]| -> Vec<f64> {
            let mut stepper = Stepper::new(graph.clone(), point.to_vec(), Mode::Reverse).unwrap();
            stepper.run_to_end();
            stepper.gradients().into_iter().map(|(_, g)| number(&g.unwrap())).collect()
        };
        let first = gradient(&values);
        for (slot, (ours, theirs)) in second.gradient.iter().zip(&first).enumerate() {
            prop_assert!(close(*ours, *theirs, 1e-12), "gradient {}: {} vs {} in\n{}", slot, ours, theirs, source);
        }
        for i in 0..values.len() {
            let x = number(&values[i]);
            let h = f64::EPSILON.cbrt() * x.abs().max(1.0);
            let nudged = |delta: f64| {
                let mut point = values.clone();
                point[i] = Tensor::scalar(x + delta);
                gradient(&point)
            };
            let (above, below) = (nudged(h), nudged(-h));
            for j in 0..values.len() {
                let numeric = (above[j] - below[j]) / (2.0 * h);
                prop_assert!(close(second.hessian[j][i], numeric, 1e-5), "H[{}][{}] = {} vs {} in\n{}", j, i, second.hessian[j][i], numeric, source);
                prop_assert!(close(second.hessian[j][i], second.hessian[i][j], 1e-9), "not symmetric in\n{}", source);
            }
        }
    }

    #[test]
    fn step_back_restores_the_exact_state(source in program(true), values in inputs(), at in 0usize..200) {
        let (graph, values) = setup(&source, &values);
        let forward = graph.inputs().next().map(|wrt| Mode::Forward { wrt });
        for mode in std::iter::once(Mode::Reverse).chain(forward) {
            let mut stepper = Stepper::new(graph.clone(), values.clone(), mode).unwrap();
            stepper.seek(at % (stepper.len() + 1));
            let before = format!("{stepper:?}");
            if stepper.step().is_some() {
                stepper.step_back();
            }
            prop_assert_eq!(format!("{stepper:?}"), before);
        }
    }

    #[test]
    fn seek_equals_stepping_from_the_start(source in program(true), values in inputs(), from in 0usize..200, to in 0usize..200) {
        let (graph, values) = setup(&source, &values);
        let mut stepped = Stepper::new(graph.clone(), values.clone(), Mode::Reverse).unwrap();
        let to = to % (stepped.len() + 1);
        for _ in 0..to {
            stepped.step();
        }
        let mut sought = Stepper::new(graph, values, Mode::Reverse).unwrap();
        sought.seek(from);
        sought.seek(to);
        prop_assert_eq!(format!("{sought:?}"), format!("{stepped:?}"));
    }

    #[test]
    fn the_parser_never_panics_on_random_text(text in any::<String>()) {
        check_never_panics(&text);
    }

    #[test]
    fn the_parser_never_panics_on_random_bytes(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        check_never_panics(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn the_parser_never_panics_on_token_soup(tokens in prop::collection::vec(prop::sample::select(TOKENS.to_vec()), 0..60)) {
        check_never_panics(&tokens.concat());
    }
}

const TOKENS: [&str; 32] = [
    "x", "x1", "W_2", "1", "0.5", "1e", "2.5e-3", ".", "(", ")", "[", "]", "+", "-", "*", "/", "^",
    "@", "=", ",", ";", "\n", "#", " ", "exp", "relu(", "sigmod", "é", "×", "**", "sum(", "ln",
];

/// Parsing, lowering and running any text ends in a value or an error whose span lies
/// inside the text, never a panic.
fn check_never_panics(text: &str) {
    match compile(text) {
        Ok(graph) => {
            // Scalar inputs start at 0.5; tensor inputs keep the values the program gives.
            let values = inputs::resolve(&graph, &[], Some(0.5)).unwrap();
            let mut stepper = Stepper::new(graph, values, Mode::Reverse).unwrap();
            stepper.run_to_end();
        }
        Err(error) => {
            let span = error.span();
            assert!(
                span.start <= span.end && span.end <= text.len(),
                "{span:?} outside {text:?}"
            );
            assert!(
                text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
                "{span:?} in {text:?}"
            );
            assert!(!error.to_string().is_empty());
        }
    }
    let _ = parse(text);
}

/// The programs' text as sympy reads it: `^` is `**`, and sigmoid is written out.
const SYMPY_HESSIANS: &str = "import json, sys
import sympy as sp
names = sp.symbols('x0 x1 x2')
functions = {'sin': sp.sin, 'cos': sp.cos, 'tanh': sp.tanh, 'exp': sp.exp, 'log': sp.log,
             'sqrt': sp.sqrt, 'sigmoid': lambda t: 1 / (1 + sp.exp(-t))}
for case in json.load(sys.stdin):
    scope = dict(functions, **{str(n): n for n in names})
    lines = case['program'].replace('^', '**').split('\\n')
    for line in lines[:-1]:
        exec(line, scope)
    f = eval(lines[-1], scope)
    point = {n: sp.Float(v, 30) for n, v in zip(names, case['at'])}
    wrt = [sp.Symbol(name) for name in case['inputs']]
    print(json.dumps([[float(sp.diff(f, a, b).evalf(30, subs=point)) for b in wrt] for a in wrt]))
";

/// Second derivatives of random programs against sympy's, where sympy is installed.
#[test]
fn second_derivatives_match_sympy() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    use std::io::Write;
    use std::process::{Command, Stdio};
    let has_sympy = Command::new("python3")
        .args(["-c", "import sympy"])
        .output()
        .is_ok_and(|output| output.status.success());
    if !has_sympy {
        eprintln!("skipped: comparing with sympy needs python3 with sympy, which is not installed");
        return;
    }
    let mut runner = TestRunner::deterministic();
    let mut cases = Vec::new();
    while cases.len() < 25 {
        let source = program(false).new_tree(&mut runner).unwrap().current();
        let at = inputs().new_tree(&mut runner).unwrap().current();
        let (graph, values) = setup(&source, &at);
        let Ok(second) = second_order(&graph, &values) else {
            continue;
        };
        if second.hessian.iter().flatten().all(|h| h.is_finite()) {
            let names: Vec<String> = graph
                .inputs()
                .map(|id| graph.node(id).name.clone())
                .collect();
            cases.push((source, at, names, second.hessian));
        }
    }
    let request: Vec<serde_json::Value> = cases
        .iter()
        .map(|(source, at, names, _)| serde_json::json!({"program": source, "at": at, "inputs": names}))
        .collect();
    let mut child = Command::new("python3")
        .args(["-c", SYMPY_HESSIANS])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let input = serde_json::to_string(&request).unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let printed = String::from_utf8(output.stdout).unwrap();
    let rows: Vec<Vec<Vec<f64>>> = printed
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), cases.len());
    for ((source, at, _, ours), theirs) in cases.iter().zip(&rows) {
        for (our_row, their_row) in ours.iter().zip(theirs) {
            for (a, b) in our_row.iter().zip(their_row) {
                assert!(
                    close(*a, *b, 1e-9),
                    "{a} vs sympy {b} at {at:?} in\n{source}"
                );
            }
        }
    }
}
