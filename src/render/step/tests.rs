//! Step texts for the seeds' worked example, in both notations and both modes.

use super::*;
use crate::engine::{Mode, Stepper};
use crate::program::compile;

fn texts(source: &str, inputs: &[f64], mode: Mode, n: Notation) -> Vec<StepText> {
    let mut stepper = Stepper::new(compile(source).unwrap(), inputs.to_vec(), mode).unwrap();
    stepper.run_to_end();
    stepper
        .history()
        .iter()
        .map(|r| step_text(stepper.graph(), r, n))
        .collect()
}

#[test]
fn seed_example_in_plain_text() {
    let steps = texts("(x1+x2)*x1", &[3.0, 4.0], Mode::Reverse, Notation::Plain);
    let substituted: Vec<String> = steps.iter().map(StepText::substituted).collect();
    assert_eq!(
        substituted,
        [
            "x1 = 3",
            "x2 = 4",
            "v3 = 3 + 4 = 7",
            "v4 = 7 · 3 = 21",
            "v̄4 = 1; v̄3 += 3 · 1 = 3; x̄1 += 7 · 1 = 7",
            "x̄1 += 1 · 3 = 3; x̄2 += 1 · 3 = 3",
            "∂v4/∂x2 = 3",
            "∂v4/∂x1 = 10",
        ]
    );
    assert_eq!(steps[2].rule(), "v3 = x1 + x2");
    assert_eq!(
        steps[4].rule(),
        "v̄4 = 1; v̄3 += ∂v4/∂v3 · v̄4; x̄1 += ∂v4/∂x1 · v̄4"
    );
    assert_eq!(steps[4].parts[1].local, ["∂v4/∂v3 = x1 = 3"]);
    assert_eq!(steps[4].parts[2].local, ["∂v4/∂x1 = v3 = 7"]);
    assert_eq!(steps[5].parts[0].total.as_deref(), Some("x̄1 = 7 + 3 = 10"));
    assert_eq!(steps[5].parts[0].local, ["∂v3/∂x1 = 1"]);
}

#[test]
fn seed_example_in_latex() {
    let steps = texts("(x1+x2)*x1", &[3.0, 4.0], Mode::Reverse, Notation::Latex);
    assert_eq!(steps[3].substituted(), "v_{4} = 7 \\cdot 3 = 21");
    assert_eq!(
        steps[4].parts[2].rule,
        "\\bar{x}_{1} \\mathrel{+}= \\frac{\\partial v_{4}}{\\partial x_{1}} \\cdot \\bar{v}_{4}"
    );
}

#[test]
fn forward_mode_steps() {
    let steps = texts(
        "(x1+x2)*x1",
        &[3.0, 4.0],
        Mode::Forward { wrt: NodeId(0) },
        Notation::Plain,
    );
    assert_eq!(steps[0].substituted(), "x1 = 3; x\u{307}1 = 1");
    assert_eq!(steps[1].substituted(), "x2 = 4; x\u{307}2 = 0");
    assert_eq!(
        steps[2].rule(),
        "v3 = x1 + x2; v̇3 = ∂v3/∂x1 · x\u{307}1 + ∂v3/∂x2 · x\u{307}2"
    );
    assert_eq!(
        steps[2].substituted(),
        "v3 = 3 + 4 = 7; v̇3 = 1 · 1 + 1 · 0 = 1"
    );
    assert_eq!(
        steps[3].substituted(),
        "v4 = 7 · 3 = 21; v̇4 = 3 · 1 + 7 · 1 = 10"
    );
}

#[test]
fn constants_show_as_numbers_and_take_no_adjoint() {
    let steps = texts("y = (x*-2)^2", &[3.0], Mode::Reverse, Notation::Plain);
    assert_eq!(steps[1].rule(), "v2 = x · (−2)");
    assert_eq!(steps[2].substituted(), "y = (−6)² = 36");
    assert_eq!(steps[3].parts[1].local, ["∂y/∂v2 = 2 · v2 = −12"]);
    assert_eq!(steps[4].substituted(), "x̄ += (−2) · (−12) = 24");
}
