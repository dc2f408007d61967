//! The micrograd-style export: for every scalar worked example and a program using every
//! scalar op, the plain-Python script runs and prints the app's gradients (where python3
//! is installed; without it the test says it skipped). Tensor examples are refused.

use backprop_viz::engine::{Mode, Stepper, inputs};
use backprop_viz::examples;
use backprop_viz::graph::Graph;
use backprop_viz::program::compile;
use backprop_viz::render::micrograd::script;
use backprop_viz::tensor::Tensor;
use std::process::Command;

fn python_available() -> bool {
    Command::new("python3")
        .args(["-c", "pass"])
        .output()
        .is_ok_and(|output| output.status.success())
}

/// Runs the script and checks the printed output and gradients against the stepper's.
fn check_script(label: &str, graph: &Graph, values: Vec<Tensor>, text: &str) {
    let output = Command::new("python3").args(["-c", text]).output().unwrap();
    assert!(
        output.status.success(),
        "{label}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let printed = String::from_utf8_lossy(&output.stdout).into_owned();
    let mut stepper = Stepper::new(graph.clone(), values, Mode::Reverse).unwrap();
    stepper.run_to_end();
    let out_name = &graph.node(graph.output()).name;
    let mut expected: Vec<(String, f64)> = vec![(
        format!("{out_name} ="),
        stepper.scalar_value(graph.output()).unwrap(),
    )];
    for (id, gradient) in stepper.gradients() {
        let name = &graph.node(id).name;
        expected.push((
            format!("d{out_name}/d{name} ="),
            gradient.unwrap().item().unwrap(),
        ));
    }
    for (prefix, value) in expected {
        let line = printed
            .lines()
            .find(|line| line.starts_with(&prefix))
            .unwrap_or_else(|| panic!("{label}: no {prefix} in {printed}"));
        let got: f64 = line.rsplit(' ').next().unwrap().parse().unwrap();
        assert!(
            got == value
                || (got - value).abs() <= 1e-12 * value.abs().max(1.0)
                || (got.is_nan() && value.is_nan()),
            "{label}: {prefix} {got} vs {value}"
        );
    }
}

#[test]
fn scalar_examples_print_the_apps_gradients() {
    if !python_available() {
        eprintln!("skipped: running the scripts needs python3, which is not installed");
        return;
    }
    let mut checked = 0;
    for example in examples::all() {
        let graph = compile(example.source).unwrap();
        let values = inputs::resolve(&graph, &[], None).unwrap();
        match script(&graph, &values, example.program) {
            Ok(text) => {
                check_script(example.slug, &graph, values, &text);
                checked += 1;
            }
            Err(error) => assert!(
                error.to_string().contains("tensor")
                    || error.to_string().contains("passes no gradient"),
                "{}: {error}",
                example.slug
            ),
        }
    }
    assert!(checked >= 7, "only {checked} scalar examples");
}

#[test]
fn every_scalar_op_runs_in_plain_python() {
    if !python_available() {
        eprintln!("skipped: running the scripts needs python3, which is not installed");
        return;
    }
    let source = "a = sin(x)*cos(y) - tanh(x/y); b = exp(a) + log(1 + y^2) + sqrt(x*x + 1)
c = sigmoid(b)^(x + 2) + gelu(a) - abs(a) + relu(b); d = -c; e = d
e*(0.5 - x)";
    let graph = compile(source).unwrap();
    for (x, y) in [(0.7, -1.3), (-0.2, 2.5), (1.5, 0.4)] {
        let values = vec![Tensor::scalar(x), Tensor::scalar(y)];
        let text = script(&graph, &values, source).unwrap();
        check_script(&format!("x={x}, y={y}"), &graph, values, &text);
    }
    // Domain errors are NaN and ±∞, not Python exceptions.
    let graph = compile("log(x) + sqrt(x) + 1/(x + 1) + x^0.5").unwrap();
    for x in [-1.0, 0.0] {
        let values = vec![Tensor::scalar(x)];
        let text = script(&graph, &values, "").unwrap();
        check_script(&format!("x={x}"), &graph, values, &text);
    }
}

#[test]
fn the_cli_prints_the_same_script() {
    let output = Command::new(env!("CARGO_BIN_EXE_backprop"))
        .args([
            "trace",
            "(x1+x2)*x1",
            "--at",
            "x1=3,x2=4",
            "--format",
            "micrograd",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let graph = compile("(x1+x2)*x1").unwrap();
    let values = vec![Tensor::scalar(3.0), Tensor::scalar(4.0)];
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        script(&graph, &values, "(x1+x2)*x1").unwrap()
    );
    let refused = Command::new(env!("CARGO_BIN_EXE_backprop"))
        .args(["trace", "example:moons-mlp", "--format", "micrograd"])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    let report = String::from_utf8(refused.stderr).unwrap();
    assert!(
        report.starts_with("error: this works on scalar programs"),
        "{report}"
    );
}

/// The Code lesson shows these very scripts, line by line: for every example, its listing in
/// either language is the export's script (run above and in `pytorch_export.rs`), and the
/// plain-Python one run from the listing prints the app's gradients.
#[test]
fn the_code_lesson_shows_the_scripts_that_run() {
    use backprop_viz::lessons::code::{Language, listing};
    use backprop_viz::render::pytorch;
    let mut shown = 0;
    for example in examples::all() {
        let graph = compile(example.source).unwrap();
        let values = inputs::resolve(&graph, &[], None).unwrap();
        let torch = listing(&graph, &values, example.program, Language::PyTorch).unwrap();
        assert_eq!(
            torch.script(),
            pytorch::script(&graph, &values, example.program),
            "{}",
            example.slug
        );
        let Ok(plain) = listing(&graph, &values, example.program, Language::Micrograd) else {
            continue;
        };
        let text = plain.script();
        assert_eq!(
            text,
            script(&graph, &values, example.program).unwrap(),
            "{}",
            example.slug
        );
        if python_available() {
            check_script(example.slug, &graph, values, &text);
        }
        shown += 1;
    }
    assert!(shown >= 7, "only {shown} scalar examples");
    if !python_available() {
        eprintln!("skipped running the scripts: python3 is not installed");
    }
}
