//! Tensor programs end to end: errors that point at their span, the CLI on tensor programs
//! (`trace` JSON as nested arrays, `train`), and reverse mode against finite differences
//! on random tensor programs.

use backprop_viz::engine::{Mode, Stepper, gradient_check, inputs};
use backprop_viz::program::compile;
use proptest::prelude::*;
use serde_json::Value;
use std::process::Command;

/// The error message of a program that must not compile, and the text its span covers.
fn error(source: &str) -> (String, String) {
    let error = compile(source).expect_err(source);
    let span = error.span();
    (error.to_string(), source[span.start..span.end].to_string())
}

#[test]
fn shape_errors_name_the_shapes_and_point_at_the_expression() {
    let (message, at) = error("W = [[1, 2], [3, 4], [5, 6]]\nx = [1, 2, 3]\nW @ x");
    assert_eq!(message, "@: [3,2] @ [3] — inner dimensions 2 and 3 differ");
    assert_eq!(at, "W @ x");
    let (message, at) = error("a = [1, 2, 3]\nb = [1, 2]\nc = a + b");
    assert!(
        message.contains("[3] and [2] do not broadcast"),
        "{message}"
    );
    assert_eq!(at, "a + b");
    let (message, at) = error("logits = [[1, 2]]\ncross_entropy(logits, [0, 1])");
    assert!(
        message.starts_with("cross_entropy: [1,2] and [2]"),
        "{message}"
    );
    assert_eq!(at, "cross_entropy(logits, [0, 1])");
    let (message, at) = error("x = [1, 2]; sum(x, 3)");
    assert_eq!(
        message,
        "axis 3 does not exist in a tensor with 1 dimensions"
    );
    assert_eq!(at, "3");
}

#[test]
fn bad_literals_and_oversized_tensors_are_errors() {
    let (message, at) = error("x = [[1, 2], [3]]; sum(x)");
    assert!(message.starts_with("ragged literal"), "{message}");
    assert_eq!(at, "[[1, 2], [3]]");
    let (message, _) = error("x = zeros([5000, 5000]); sum(x)");
    assert!(message.contains("more than 4194304 elements"), "{message}");
    let (message, _) = error("x = zeros([1000000000000, 1000000000000]); sum(x)");
    assert!(message.contains("more than 4194304 elements"), "{message}");
    let (message, _) = error("a = zeros([2048, 2048])\nb = a + 1\nc = b * 2\nsum(c)");
    assert!(message.contains("numbers in all"), "{message}");
    let (message, _) = error("y = [1, x]; sum(y)");
    assert!(message.contains("not a constant"), "{message}");
    let (message, _) = error("W = param(x * 2); W");
    assert!(message.contains("not a constant"), "{message}");
    let (message, _) = error("X = features(mooons, 10, 5); sum(X)");
    assert_eq!(message, "unknown dataset `mooons`");
    let (message, _) = error("X = features(moons, 10, 50); sum(X)");
    assert_eq!(message, "a batch of 50 is more than the 10 points");
    let (message, _) = error("sum(param(1) * 2)");
    assert_eq!(message, "`param(…)` must be the whole value of a binding");
}

fn backprop(args: &[&str]) -> (String, String, i32) {
    let output = Command::new(env!("CARGO_BIN_EXE_backprop"))
        .args(args)
        .output()
        .expect("the CLI runs");
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
        output.status.code().unwrap_or(-1),
    )
}

#[test]
fn trace_json_writes_tensors_as_nested_arrays() {
    let (stdout, stderr, status) =
        backprop(&["trace", "example:tiny-relu-network", "--format", "json"]);
    assert_eq!(status, 0, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["output"]["value"], 0.6498000000000002);
    let w1 = &report["gradients"]["W1"];
    let rows: Vec<Vec<f64>> = serde_json::from_value(w1.clone()).unwrap();
    let expected = [[0.0, 0.0], [0.57, 1.14], [-0.798, -1.596]];
    for (row, want) in rows.iter().zip(expected) {
        for (got, want) in row.iter().zip(want) {
            assert!((got - want).abs() < 1e-12, "{rows:?}");
        }
    }
    let w2: Vec<Vec<f64>> = serde_json::from_value(report["gradients"]["W2"].clone()).unwrap();
    assert_eq!(w2.len(), 1);
    for (got, want) in w2[0].iter().zip([0.0, -1.824, -0.912]) {
        assert!((got - want).abs() < 1e-12, "{w2:?}");
    }
    let node = report["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|node| node["name"] == "W1")
        .unwrap();
    assert_eq!(node["shape"], serde_json::json!([3, 2]));
}

#[test]
fn train_prints_losses_and_accuracy() {
    let (stdout, stderr, status) = backprop(&[
        "train",
        "example:moons-mlp",
        "--steps",
        "300",
        "--lr",
        "0.02",
        "--optimizer",
        "adam",
        "--format",
        "json",
    ]);
    assert_eq!(status, 0, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let losses = report["losses"].as_array().unwrap();
    assert_eq!(losses.len(), 300);
    let first = losses[0].as_f64().unwrap();
    let last = losses[299].as_f64().unwrap();
    assert!(last < first / 4.0, "{first} → {last}");
    assert!(report["accuracy"].as_f64().unwrap() >= 0.95);
    let (stdout, _, status) = backprop(&["train", "example:moons-mlp", "--steps", "2"]);
    assert_eq!(status, 0);
    assert!(stdout.contains("step 2  loss "), "{stdout}");
    assert!(stdout.contains("training accuracy: "), "{stdout}");
    let (_, stderr, status) = backprop(&["train", "example:two-paths"]);
    assert_eq!(status, 2);
    assert!(stderr.contains("no parameters"), "{stderr}");
}

/// A random small program mixing matrix products, broadcasting, reductions and
/// nonlinearities, with seeded random inputs.
fn tensor_program() -> impl Strategy<Value = String> {
    (
        1usize..4,
        1usize..4,
        1usize..4,
        0u64..1000,
        0usize..4,
        0usize..3,
    )
        .prop_map(|(n, k, m, seed, activation, reduction)| {
            let activation = ["tanh", "sigmoid", "exp", "sin"][activation];
            let reduction = ["sum(h)", "mean(h)", "sum(log_softmax(h))"][reduction];
            format!(
                "A = randn([{n}, {k}], {seed})\nB = randn([{k}, {m}], {})\nb = randn([{m}], {})\n\
                 h = {activation}(A @ B + b)\nL = {reduction}",
                seed + 1,
                seed + 2
            )
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Reverse mode on tensor programs agrees with central finite differences for every
    /// element of every input.
    #[test]
    fn tensor_gradients_match_finite_differences(source in tensor_program()) {
        let graph = compile(&source).unwrap();
        let values = inputs::resolve(&graph, &[], None).unwrap();
        let check = gradient_check(&graph, &values).unwrap();
        prop_assert!(check.max_relative_error < 1e-6, "{source}: {check:?}");
        let mut stepper = Stepper::new(graph, values, Mode::Reverse).unwrap();
        stepper.run_to_end();
        prop_assert!(stepper.is_done());
    }
}
