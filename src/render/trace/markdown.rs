//! The Markdown trace: a heading with the program, the forward table, the numbered
//! backward steps and the gradients table, with plain Unicode math.

use super::{NO_GRADIENTS, Trace, build, gradients_heading, input_list, through};
use crate::engine::Stepper;
use crate::render::Notation;

/// The whole run of `stepper` on `source` as a Markdown document.
pub fn markdown(stepper: &Stepper, source: &str) -> String {
    render(&build(stepper, source, Notation::Plain))
}

pub(super) fn render(trace: &Trace) -> String {
    let mut doc = Vec::new();
    match &trace.wrt {
        None => doc.push(format!("# Backpropagation of `{}`", trace.program)),
        Some(wrt) => doc.push(format!(
            "# Forward-mode differentiation of `{}` by {}",
            trace.program,
            escape(wrt)
        )),
    }
    doc.push(String::new());
    doc.push(format!(
        "Inputs: {}. Output: {}.",
        input_list(trace, escape),
        escape(&trace.output.to_string())
    ));
    doc.push(String::new());
    if trace.wrt.is_some() {
        forward_table_with_tangents(trace, &mut doc);
    } else {
        forward_table(trace, &mut doc);
        backward_pass(trace, &mut doc);
    }
    gradients(trace, &mut doc);
    doc.join("\n")
}

fn forward_table(trace: &Trace, doc: &mut Vec<String>) {
    doc.push("## Forward pass".into());
    doc.push(String::new());
    doc.push("| Node | Formula | Value | Local derivative w.r.t. each input |".into());
    doc.push("|---|---|---|---|".into());
    for row in &trace.forward {
        let locals = if row.locals.is_empty() {
            "—".to_string()
        } else {
            let locals: Vec<String> = row.locals.iter().map(ToString::to_string).collect();
            escape(&locals.join(", "))
        };
        let formula = row
            .formula
            .as_deref()
            .map_or_else(|| "leaf".to_string(), escape);
        doc.push(format!(
            "| {} | {formula} | {} | {locals} |",
            escape(&row.node),
            escape(&row.value)
        ));
    }
    doc.push(String::new());
}

fn forward_table_with_tangents(trace: &Trace, doc: &mut Vec<String>) {
    let wrt = trace.wrt.as_deref().map(escape).unwrap_or_default();
    doc.push(format!("## Forward pass with tangents by {wrt}"));
    doc.push(String::new());
    doc.push("| Node | Formula | Value | Tangent rule | Tangent |".into());
    doc.push("|---|---|---|---|---|".into());
    for row in &trace.forward {
        let formula = row
            .formula
            .as_deref()
            .map_or_else(|| "leaf".to_string(), escape);
        let (rule, tangent) = match &row.tangent {
            Some(t) => (escape(&t.rule.to_string()), escape(&t.value)),
            None => ("—".to_string(), "—".to_string()),
        };
        doc.push(format!(
            "| {} | {formula} | {} | {rule} | {tangent} |",
            escape(&row.node),
            escape(&row.value)
        ));
    }
    doc.push(String::new());
}

fn backward_pass(trace: &Trace, doc: &mut Vec<String>) {
    doc.push("## Backward pass".into());
    doc.push(String::new());
    if let Some(seed) = &trace.seed {
        doc.push(format!(
            "Seed the backward pass: {}.",
            escape(&seed.to_string())
        ));
        doc.push(String::new());
    }
    for (number, step) in trace.backward.iter().enumerate() {
        doc.push(format!("{}. {}", number + 1, through(step, escape)));
        for update in &step.updates {
            let mut line = format!("   - {}", escape(&update.update.to_string()));
            if let Some(total) = &update.total {
                line.push_str(&format!(", so {}", escape(&total.to_string())));
            }
            doc.push(line);
        }
    }
    if !trace.backward.is_empty() {
        doc.push(String::new());
    }
}

fn gradients(trace: &Trace, doc: &mut Vec<String>) {
    doc.push(format!("## {}", escape(&gradients_heading(trace))));
    doc.push(String::new());
    if trace.gradients.is_empty() {
        doc.push(NO_GRADIENTS.into());
        doc.push(String::new());
        return;
    }
    doc.push("| Input | Value | Gradient |".into());
    doc.push("|---|---|---|".into());
    for gradient in &trace.gradients {
        let input = &gradient.input;
        let derivative = escape(&gradient.derivative.to_string());
        doc.push(format!(
            "| {} | {} | {derivative} |",
            escape(&input.lhs),
            escape(&input.rhs())
        ));
    }
    doc.push(String::new());
}

/// Text with Markdown's special characters escaped, so `b_1 · c_1` stays upright and a
/// `|` cannot split a table cell.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '*' | '_' | '|' | '`' | '<') {
            out.push('\\');
        }
        out.push(c);
    }
    out
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
        markdown(&stepper, source)
    }

    #[test]
    fn seed_example_reads_like_the_seeds() {
        let doc = document("(x1+x2)*x1", &[3.0, 4.0], Mode::Reverse);
        for expected in [
            "# Backpropagation of `(x1+x2)*x1`",
            "Inputs: x1 = 3, x2 = 4. Output: v4 = 21.",
            "| x1 | leaf | 3 | — |",
            "| v3 | x1 + x2 | 7 | ∂v3/∂x1 = 1, ∂v3/∂x2 = 1 |",
            "| v4 | v3 · x1 | 21 | ∂v4/∂v3 = x1 = 3, ∂v4/∂x1 = v3 = 7 |",
            "Seed the backward pass: v̄4 = 1.",
            "1. Through v4 = v3 · x1, with ∂v4/∂v3 = x1 = 3 and ∂v4/∂x1 = v3 = 7:",
            "   - x̄1 += ∂v4/∂x1 · v̄4 = 7 · 1 = 7",
            "   - x̄1 += ∂v3/∂x1 · v̄3 = 1 · 3 = 3, so x̄1 = 7 + 3 = 10",
            "| x1 | 3 | ∂v4/∂x1 = x̄1 = 10 |",
            "| x2 | 4 | ∂v4/∂x2 = x̄2 = 3 |",
        ] {
            assert!(doc.contains(expected), "missing {expected:?} in\n{doc}");
        }
        assert!(!doc.contains("Through x1"), "leaves are not steps:\n{doc}");
    }

    #[test]
    fn forward_mode_has_a_tangent_table() {
        let doc = document("(x1+x2)*x1", &[3.0, 4.0], Mode::Forward { wrt: NodeId(0) });
        assert!(doc.contains("| v4 | v3 · x1 | 21 | v̇4 = ∂v4/∂v3 · v̇3 + ∂v4/∂x1 · x\u{307}1 = 3 · 1 + 7 · 1 = 10 | 10 |"), "{doc}");
        assert!(doc.contains("| x1 | 3 | ∂v4/∂x1 = v̇4 = 10 |"), "{doc}");
        assert!(
            !doc.contains("x2 | 4 | ∂"),
            "forward mode gives one gradient:\n{doc}"
        );
        assert!(!doc.contains("## Backward pass"));
    }

    #[test]
    fn markdown_specials_are_escaped() {
        assert_eq!(escape("b_1 * c|d"), "b\\_1 \\* c\\|d");
        let doc = document("w_1 = 2; w_1 * x", &[2.0, 5.0], Mode::Reverse);
        assert!(doc.contains("| w\\_1 | leaf | 2 | — |"), "{doc}");
    }
}
