//! The LaTeX trace: a fragment for a course document (amsmath and amssymb), with the
//! forward pass as a tabular and the backward updates as `align*` environments.

use super::{Equation, NO_GRADIENTS, Trace, build, input_list, through};
use crate::engine::Stepper;
use crate::render::Notation;

/// The whole run of `stepper` on `source` as a LaTeX fragment.
pub fn latex(stepper: &Stepper, source: &str) -> String {
    render(&build(stepper, source, Notation::Latex))
}

pub(super) fn render(trace: &Trace) -> String {
    let mut doc = Vec::new();
    match &trace.wrt {
        None => doc.push(format!("% Backpropagation of: {}", trace.program)),
        Some(_) => doc.push(format!(
            "% Forward-mode differentiation of: {}",
            trace.program
        )),
    }
    doc.push("% Needs \\usepackage{amsmath,amssymb}.".into());
    doc.push(format!(
        "\\noindent Inputs: {}. Output: {}.",
        input_list(trace, math),
        math(&trace.output.to_string())
    ));
    doc.push(String::new());
    match &trace.wrt {
        None => {
            forward_table(trace, &mut doc);
            backward_pass(trace, &mut doc);
        }
        Some(wrt) => forward_table_with_tangents(trace, wrt, &mut doc),
    }
    doc.push("\\medskip".into());
    let heading = match &trace.computed_by {
        None => "\\textbf{Gradients.}".to_string(),
        Some(backend) => format!("\\textbf{{Gradients}} (computed on {}).", text(backend)),
    };
    if trace.gradients.is_empty() {
        doc.push(format!("\\noindent{heading} {NO_GRADIENTS}"));
    } else {
        doc.push(format!("\\noindent{heading}"));
    }
    align(
        trace
            .gradients
            .iter()
            .map(|g| aligned(&g.derivative))
            .collect(),
        &mut doc,
    );
    doc.push(String::new());
    doc.join("\n")
}

fn math(text: &str) -> String {
    format!("${text}$")
}

/// Words (an adapter's name) as LaTeX text, its special characters escaped.
fn text(words: &str) -> String {
    words
        .chars()
        .map(|c| match c {
            '\\' => "\\textbackslash{}".to_string(),
            '~' => "\\textasciitilde{}".to_string(),
            '^' => "\\textasciicircum{}".to_string(),
            '&' | '%' | '$' | '#' | '_' | '{' | '}' => format!("\\{c}"),
            c => c.to_string(),
        })
        .collect()
}

/// `lhs &relation rhs`, one row of an `align*`.
fn aligned(equation: &Equation) -> String {
    let relation = equation.notation.operator(equation.relation.into());
    format!("{} &{relation} {}", equation.lhs, equation.rhs())
}

fn align(rows: Vec<String>, doc: &mut Vec<String>) {
    if rows.is_empty() {
        return;
    }
    doc.push("\\begin{align*}".into());
    doc.push(rows.join(" \\\\\n"));
    doc.push("\\end{align*}".into());
}

fn table(header: &str, rows: Vec<String>, doc: &mut Vec<String>) {
    doc.push("\\begin{tabular}{llll}".into());
    doc.push("\\hline".into());
    doc.push(format!("{header} \\\\"));
    doc.push("\\hline".into());
    doc.extend(rows.into_iter().map(|row| format!("{row} \\\\")));
    doc.push("\\hline".into());
    doc.push("\\end{tabular}".into());
    doc.push(String::new());
}

fn formula_cell(formula: Option<&str>) -> String {
    formula.map_or_else(|| "leaf".to_string(), math)
}

fn forward_table(trace: &Trace, doc: &mut Vec<String>) {
    doc.push("\\noindent\\textbf{Forward pass.}".into());
    doc.push(String::new());
    let rows = trace
        .forward
        .iter()
        .map(|row| {
            let locals = if row.locals.is_empty() {
                "---".to_string()
            } else {
                row.locals
                    .iter()
                    .map(|local| math(&local.to_string()))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            format!(
                "{} & {} & {} & {locals}",
                math(&row.node),
                formula_cell(row.formula.as_deref()),
                math(&row.value)
            )
        })
        .collect();
    table("Node & Formula & Value & Local derivatives", rows, doc);
}

fn backward_pass(trace: &Trace, doc: &mut Vec<String>) {
    doc.push("\\medskip".into());
    let seed = trace
        .seed
        .as_ref()
        .map(|seed| format!(" Seed: {}.", math(&seed.to_string())))
        .unwrap_or_default();
    doc.push(format!("\\noindent\\textbf{{Backward pass.}}{seed}"));
    doc.push(String::new());
    for step in &trace.backward {
        doc.push(format!("\\noindent {}", through(step, math)));
        let rows = step
            .updates
            .iter()
            .map(|update| match &update.total {
                Some(total) => format!("{}, & {}", aligned(&update.update), aligned(total)),
                None => aligned(&update.update),
            })
            .collect();
        align(rows, doc);
        doc.push(String::new());
    }
}

fn forward_table_with_tangents(trace: &Trace, wrt: &str, doc: &mut Vec<String>) {
    doc.push(format!(
        "\\noindent\\textbf{{Forward pass with tangents by {}.}}",
        math(wrt)
    ));
    doc.push(String::new());
    let rows = trace
        .forward
        .iter()
        .map(|row| {
            let tangent = row
                .tangent
                .as_ref()
                .map_or_else(|| "---".to_string(), |t| math(&t.value));
            format!(
                "{} & {} & {} & {tangent}",
                math(&row.node),
                formula_cell(row.formula.as_deref()),
                math(&row.value)
            )
        })
        .collect();
    table("Node & Formula & Value & Tangent", rows, doc);
    doc.push("\\medskip".into());
    doc.push("\\noindent\\textbf{Tangent rules.}".into());
    align(
        trace
            .forward
            .iter()
            .filter_map(|row| row.tangent.as_ref())
            .map(|t| aligned(&t.rule))
            .collect(),
        doc,
    );
    doc.push(String::new());
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
        latex(&stepper, source)
    }

    #[test]
    fn seed_example_as_aligned_updates() {
        let doc = document("(x1+x2)*x1", &[3.0, 4.0], Mode::Reverse);
        for expected in [
            "% Backpropagation of: (x1+x2)*x1",
            "$v_{3}$ & $x_{1} + x_{2}$ & $7$ & $\\frac{\\partial v_{3}}{\\partial x_{1}} = 1$, $\\frac{\\partial v_{3}}{\\partial x_{2}} = 1$ \\\\",
            "\\noindent\\textbf{Backward pass.} Seed: $\\bar{v}_{4} = 1$.",
            "\\bar{x}_{1} &\\mathrel{+}= \\frac{\\partial v_{4}}{\\partial x_{1}} \\cdot \\bar{v}_{4} = 7 \\cdot 1 = 7\n",
            "\\bar{x}_{1} &\\mathrel{+}= \\frac{\\partial v_{3}}{\\partial x_{1}} \\cdot \\bar{v}_{3} = 1 \\cdot 3 = 3, & \\bar{x}_{1} &= 7 + 3 = 10 \\\\\n",
            "\\frac{\\partial v_{4}}{\\partial x_{2}} &= \\bar{x}_{2} = 3\n\\end{align*}",
        ] {
            assert!(doc.contains(expected), "missing {expected:?} in\n{doc}");
        }
    }

    #[test]
    fn environments_are_balanced_and_rows_do_not_end_in_a_line_break() {
        for mode in [Mode::Reverse, Mode::Forward { wrt: NodeId(0) }] {
            let doc = document("(x1+x2)*x1", &[3.0, 4.0], mode);
            for env in ["align*", "tabular"] {
                let opened = doc.matches(&format!("\\begin{{{env}}}")).count();
                assert_eq!(
                    opened,
                    doc.matches(&format!("\\end{{{env}}}")).count(),
                    "{env} in\n{doc}"
                );
            }
            assert!(!doc.contains("\\\\\n\\end{align*}"), "{doc}");
            assert_eq!(doc.matches('$').count() % 2, 0, "{doc}");
        }
    }

    #[test]
    fn forward_mode_lists_tangent_rules() {
        let doc = document("(x1+x2)*x1", &[3.0, 4.0], Mode::Forward { wrt: NodeId(0) });
        assert!(
            doc.contains("$v_{4}$ & $v_{3} \\cdot x_{1}$ & $21$ & $10$ \\\\"),
            "{doc}"
        );
        assert!(doc.contains("\\dot{x}_{1} &= 1 \\\\"), "{doc}");
        assert!(
            doc.contains("\\frac{\\partial v_{4}}{\\partial x_{1}} &= \\dot{v}_{4} = 10"),
            "{doc}"
        );
    }
}
