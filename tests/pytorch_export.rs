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

/// `backprop trace --format pytorch`, what students run.
fn cli_script(program: &str) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_backprop"))
        .args(["trace", "--format", "pytorch", "--", program])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn the_cli_prints_the_same_script() {
    for example in examples::all() {
        let graph = compile(example.source).unwrap();
        let values = inputs::resolve(&graph, &[], None).unwrap();
        assert_eq!(
            cli_script(example.source),
            script(&graph, &values, example.source),
            "{}",
            example.slug
        );
    }
}

fn python_available() -> bool {
    Command::new("python3")
        .args(["-c", "pass"])
        .output()
        .is_ok_and(|output| output.status.success())
}

/// The modules a script imports, by Python's own parser (torch is not needed for this).
fn imported_modules(text: &str) -> Result<String, String> {
    const LIST_IMPORTS: &str = "import ast, sys
tree = ast.parse(sys.argv[1])
names = [a.name for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom)) for a in n.names]
print(' '.join(names))";
    let output = Command::new("python3")
        .args(["-c", LIST_IMPORTS, text])
        .output()
        .map_err(|e| e.to_string())?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

#[test]
fn every_script_is_valid_python_that_imports_only_torch() {
    if !python_available() {
        eprintln!("skipped: parsing the scripts needs python3, which is not installed");
        return;
    }
    let mut programs: Vec<(String, String)> = examples::all()
        .into_iter()
        .map(|e| (e.slug.to_string(), e.source.to_string()))
        .collect();
    // A comment cannot end early and smuggle in code (Python also ends lines at \r).
    programs.push((
        "carriage return in a comment".into(),
        "x = 2\n# fine\rimport os; os.getcwd()\u{2028}print(1)\nx * x\n".into(),
    ));
    for (name, program) in programs {
        let text = cli_script(&program);
        assert_eq!(
            imported_modules(&text).as_deref(),
            Ok("torch torch.nn.functional"),
            "{name}:\n{text}"
        );
    }
}
