//! The plain-text trace for terminals: the Markdown document's content without markup.

use super::{NO_GRADIENTS, Trace, build, gradients_heading, input_list, through};
use crate::engine::Stepper;
use crate::render::Notation;

/// The whole run of `stepper` on `source` as indented plain Unicode text.
pub fn text(stepper: &Stepper, source: &str) -> String {
    render(&build(stepper, source, Notation::Plain))
}

pub(super) fn render(trace: &Trace) -> String {
    let plain = |s: &str| s.to_string();
    let mut doc = Vec::new();
    match &trace.wrt {
        None => doc.push(format!("Backpropagation of {}", trace.program)),
        Some(wrt) => doc.push(format!(
            "Forward-mode differentiation of {} by {wrt}",
            trace.program
        )),
    }
    doc.push(format!("Inputs: {}", input_list(trace, plain)));
    doc.push(format!("Output: {}", trace.output));
    doc.push(String::new());
    doc.push(
        if trace.wrt.is_some() {
            "Forward pass with tangents"
        } else {
            "Forward pass"
        }
        .into(),
    );
    for row in &trace.forward {
        doc.push(format!("  {}", row.computation));
        if let Some(tangent) = &row.tangent {
            doc.push(format!("      {}", tangent.rule));
        }
    }
    if trace.wrt.is_none() {
        doc.push(String::new());
        doc.push("Backward pass".into());
        if let Some(seed) = &trace.seed {
            doc.push(format!("  Seed: {seed}"));
        }
        for (number, step) in trace.backward.iter().enumerate() {
            doc.push(format!("  {}. {}", number + 1, through(step, plain)));
            for update in &step.updates {
                match &update.total {
                    Some(total) => doc.push(format!("       {}, so {total}", update.update)),
                    None => doc.push(format!("       {}", update.update)),
                }
            }
        }
    }
    doc.push(String::new());
    doc.push(gradients_heading(trace));
    if trace.gradients.is_empty() {
        doc.push(format!("  {NO_GRADIENTS}"));
    }
    for gradient in &trace.gradients {
        doc.push(format!("  {}", gradient.derivative));
    }
    doc.push(String::new());
    doc.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Mode;
    use crate::graph::NodeId;
    use crate::program::compile;
    use crate::tensor::Tensor;

    fn document(source: &str, inputs: &[f64], mode: Mode) -> String {
        let stepper = Stepper::new(
            compile(source).unwrap(),
            inputs.iter().map(|&x| Tensor::scalar(x)).collect(),
            mode,
        )
        .unwrap();
        text(&stepper, source)
    }

    #[test]
    fn seed_example_as_text() {
        let doc = document("(x1+x2)*x1", &[3.0, 4.0], Mode::Reverse);
        let expected = "\
Backpropagation of (x1+x2)*x1
Inputs: x1 = 3, x2 = 4
Output: v4 = 21

Forward pass
  x1 = 3
  x2 = 4
  v3 = x1 + x2 = 3 + 4 = 7
  v4 = v3 · x1 = 7 · 3 = 21

Backward pass
  Seed: v̄4 = 1
  1. Through v4 = v3 · x1, with ∂v4/∂v3 = x1 = 3 and ∂v4/∂x1 = v3 = 7:
       v̄3 += ∂v4/∂v3 · v̄4 = 3 · 1 = 3
       x̄1 += ∂v4/∂x1 · v̄4 = 7 · 1 = 7
  2. Through v3 = x1 + x2, with ∂v3/∂x1 = 1 and ∂v3/∂x2 = 1:
       x̄1 += ∂v3/∂x1 · v̄3 = 1 · 3 = 3, so x̄1 = 7 + 3 = 10
       x̄2 += ∂v3/∂x2 · v̄3 = 1 · 3 = 3

Gradients
  ∂v4/∂x1 = x̄1 = 10
  ∂v4/∂x2 = x̄2 = 3
";
        assert_eq!(doc, expected);
    }

    #[test]
    fn forward_mode_shows_tangent_rules_under_values() {
        let doc = document("(x1+x2)*x1", &[3.0, 4.0], Mode::Forward { wrt: NodeId(1) });
        assert!(
            doc.starts_with("Forward-mode differentiation of (x1+x2)*x1 by x2\n"),
            "{doc}"
        );
        assert!(doc.contains("  x2 = 4\n      x\u{307}2 = 1\n"), "{doc}");
        assert!(
            doc.contains("      v̇4 = ∂v4/∂v3 · v̇3 + ∂v4/∂x1 · x\u{307}1 = 3 · 1 + 7 · 0 = 3\n"),
            "{doc}"
        );
        assert!(doc.ends_with("Gradients\n  ∂v4/∂x2 = v̇4 = 3\n"), "{doc}");
        assert!(!doc.contains("Backward pass"));
    }

    #[test]
    fn a_program_without_inputs_says_so() {
        let doc = document("2 * 3", &[], Mode::Reverse);
        assert!(doc.contains("Inputs: none\n"), "{doc}");
        assert!(
            doc.contains("its inputs are constants, so nothing flows back"),
            "{doc}"
        );
        assert!(
            doc.ends_with("Gradients\n  The program has no inputs, so it has no gradients.\n"),
            "{doc}"
        );
    }

    #[test]
    fn nan_is_spelled_out() {
        let doc = document("log(x)", &[-1.0], Mode::Reverse);
        assert!(
            doc.contains("Output: v2 = NaN") || doc.contains("= NaN"),
            "{doc}"
        );
    }
}
