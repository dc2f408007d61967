//! The PyTorch export: the script for each scalar worked example has the expected structure,
//! and, where Python with torch is installed, runs and prints our gradients. Without torch
//! only the running part is skipped, and the test says so.

use backprop_viz::engine::{Mode, Stepper, inputs};
use backprop_viz::program::compile;
use backprop_viz::render::pytorch::script;
use backprop_viz::{examples, tensor::Tensor};
use std::process::Command;

fn torch_available() -> bool {
    Command::new("python3")
        .args(["-c", "import torch"])
        .output()
        .is_ok_and(|output| output.status.success())
}

/// The examples without a kink at exactly 0 (where float64 PyTorch may differ, see the
/// script's note) and without NaN.
const CHECKED: [&str; 7] = [
    "two-paths",
    "linear-square",
    "squared-error",
    "sigmoid-neuron",
    "lin-relu-lin",
    "vanishing-sigmoid",
    "exploding-product",
];

#[test]
fn scripts_have_one_line_per_node_and_print_every_gradient() {
    for slug in CHECKED {
        let example = examples::find(slug).unwrap();
        let graph = compile(example.source).unwrap();
        let values = inputs::resolve(&graph, &[], None).unwrap();
        let text = script(&graph, &values, example.program);
        for id in graph.inputs() {
            let name = &graph.node(id).name;
            assert!(
                text.contains(&format!("{name} = torch.tensor(")),
                "{slug}: {name}\n{text}"
            );
            assert!(
                text.contains(&format!("{name}.grad.tolist()")),
                "{slug}: {text}"
            );
        }
        let output = &graph.node(graph.output()).name;
        assert!(
            text.contains(&format!("{output}.backward()")),
            "{slug}: {text}"
        );
    }
}

#[test]
fn scripts_reproduce_the_gradients_in_pytorch() {
    if !torch_available() {
        eprintln!("skipped: running the scripts needs Python with torch, which is not installed");
        return;
    }
    for slug in CHECKED {
        let example = examples::find(slug).unwrap();
        let graph = compile(example.source).unwrap();
        let values: Vec<Tensor> = inputs::resolve(&graph, &[], None).unwrap();
        let text = script(&graph, &values, example.program);
        let output = Command::new("python3")
            .args(["-c", &text])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{slug}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let printed = String::from_utf8_lossy(&output.stdout).into_owned();
        let mut stepper = Stepper::new(graph.clone(), values, Mode::Reverse).unwrap();
        stepper.run_to_end();
        for (id, gradient) in stepper.gradients() {
            let name = &graph.node(id).name;
            let expected = gradient.unwrap().item().unwrap();
            let line = printed
                .lines()
                .find(|line| line.contains(&format!("/d{name} =")))
                .unwrap_or_else(|| panic!("{slug}: no gradient for {name} in {printed}"));
            let got: f64 = line.rsplit(' ').next().unwrap().parse().unwrap();
            assert!(
                (got - expected).abs() <= 1e-9 * expected.abs().max(1.0),
                "{slug}: {name} {got} vs {expected}"
            );
        }
    }
}
