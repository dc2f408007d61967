//! The LaTeX trace: a fragment for a course document (amsmath and amssymb) that fits a
//! default `article` page: the forward pass as one ragged-right paragraph per node, the
//! backward updates as `align*` environments whose long rows break (`lines`).

mod lines;
mod width;

use super::{Equation, NO_GRADIENTS, Trace, build, input_list, through};
use crate::engine::Stepper;
use crate::render::Notation;
use crate::render::notation::MAX_SHOWN_ELEMENTS;

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
    let at = doc.len();
    doc.push(prose(&format!(
        "Inputs: {}. Output: {}.",
        input_list(trace, math),
        math(&trace.output.to_string())
    )));
    doc.push(String::new());
    match &trace.wrt {
        None => {
            forward_pass(trace, &mut doc);
            backward_pass(trace, &mut doc);
        }
        Some(wrt) => forward_pass_with_tangents(trace, wrt, &mut doc),
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
            .flat_map(|g| lines::rows(&g.derivative))
            .collect(),
        &mut doc,
    );
    doc.push(String::new());
    let text = doc.join("\n");
    if most_matrix_columns(&text) > AMSMATH_MATRIX_COLUMNS {
        // A row of more numbers than amsmath's matrices take by default (but narrow enough
        // for the page: wider ones are written as columns).
        doc.insert(
            at,
            format!("\\setcounter{{MaxMatrixCols}}{{{MAX_SHOWN_ELEMENTS}}}"),
        );
        return doc.join("\n");
    }
    text
}

/// amsmath's matrices take this many columns unless `MaxMatrixCols` says more.
const AMSMATH_MATRIX_COLUMNS: usize = 10;

/// The most columns of any `bmatrix` row in `text`.
fn most_matrix_columns(text: &str) -> usize {
    text.split("\\begin{bmatrix}")
        .skip(1)
        .filter_map(|rest| rest.split("\\end{bmatrix}").next())
        .flat_map(|matrix| matrix.split("\\\\"))
        .map(|row| row.matches('&').count() + 1)
        .max()
        .unwrap_or(0)
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

/// A paragraph set ragged right, so that it breaks between formulas (and inside them
/// after a relation or operator) instead of running into the margin.
fn prose(text: &str) -> String {
    format!("{{\\raggedright\\noindent {text}\\par}}")
}

/// Paragraphs set ragged right, each continuation line indented: the forward pass, one
/// node each.
fn entries(texts: impl Iterator<Item = String>, doc: &mut Vec<String>) {
    doc.push("{\\raggedright".into());
    doc.extend(texts.map(|text| format!("\\noindent\\hangindent=2em {text}\\par")));
    doc.push("}".into());
}

/// The local derivatives after a node: `; local derivatives $…$, $…$`, or nothing.
fn locals_clause(label: &str, locals: &[Equation]) -> String {
    if locals.is_empty() {
        return String::new();
    }
    let formulas: Vec<String> = locals.iter().map(|l| math(&l.to_string())).collect();
    format!("; {label} {}", formulas.join(", "))
}

fn align(rows: Vec<String>, doc: &mut Vec<String>) {
    if rows.is_empty() {
        return;
    }
    // Rows holding matrices can be tall: let a page break between them.
    let joint = if rows.iter().any(|row| row.contains("\\\\")) {
        " \\displaybreak[0]\\\\\n"
    } else {
        " \\\\\n"
    };
    doc.push("\\begin{align*}".into());
    doc.push(rows.join(joint));
    doc.push("\\end{align*}".into());
}

/// `$v_{3} = x_{1} + x_{2} = 7$`, or `$x_{1} = 3$ (input)` for a leaf.
fn computed(row: &super::ForwardRow) -> String {
    match row.formula {
        Some(_) => math(&row.computation.to_string()),
        None => format!("{} (input)", math(&format!("{} = {}", row.node, row.value))),
    }
}

fn forward_pass(trace: &Trace, doc: &mut Vec<String>) {
    doc.push("\\noindent\\textbf{Forward pass.}".into());
    doc.push(String::new());
    let texts = trace.forward.iter().map(|row| {
        let locals = locals_clause("local derivatives", &row.locals);
        format!("{}{locals}.", computed(row))
    });
    entries(texts, doc);
    doc.push(String::new());
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
        doc.push(prose(&through(step, math)));
        let rows = step
            .updates
            .iter()
            .flat_map(|update| {
                let rows = lines::rows(&update.update);
                let Some(total) = &update.total else {
                    return rows;
                };
                let totals = lines::rows(total);
                match (rows.as_slice(), totals.as_slice()) {
                    ([row], [sum]) if lines::fit_side_by_side(row, sum) => {
                        vec![format!("{row}, & {sum}")]
                    }
                    _ => rows.into_iter().chain(totals).collect(),
                }
            })
            .collect();
        align(rows, doc);
        doc.push(String::new());
    }
}

fn forward_pass_with_tangents(trace: &Trace, wrt: &str, doc: &mut Vec<String>) {
    doc.push(format!(
        "\\noindent\\textbf{{Forward pass with tangents by {}.}}",
        math(wrt)
    ));
    doc.push(String::new());
    let texts = trace.forward.iter().map(|row| {
        let tangent = row
            .tangent
            .as_ref()
            .map(|t| {
                format!(
                    "; tangent {}",
                    math(&format!("{} = {}", t.rule.lhs, t.value))
                )
            })
            .unwrap_or_default();
        format!("{}{tangent}.", computed(row))
    });
    entries(texts, doc);
    doc.push(String::new());
    doc.push("\\medskip".into());
    doc.push("\\noindent\\textbf{Tangent rules.}".into());
    align(
        trace
            .forward
            .iter()
            .filter_map(|row| row.tangent.as_ref())
            .flat_map(|t| lines::rows(&t.rule))
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
            "\\noindent\\hangindent=2em $x_{1} = 3$ (input).\\par",
            "\\noindent\\hangindent=2em $v_{3} = x_{1} + x_{2} = 3 + 4 = 7$; local derivatives $\\frac{\\partial v_{3}}{\\partial x_{1}} = 1$, $\\frac{\\partial v_{3}}{\\partial x_{2}} = 1$.\\par",
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
            let opened = doc.matches("\\begin{align*}").count();
            assert_eq!(opened, doc.matches("\\end{align*}").count(), "{doc}");
            assert!(opened > 0, "{doc}");
            assert!(!doc.contains("\\\\\n\\end{align*}"), "{doc}");
            assert_eq!(doc.matches('$').count() % 2, 0, "{doc}");
        }
    }

    #[test]
    fn forward_mode_lists_tangent_rules() {
        let doc = document("(x1+x2)*x1", &[3.0, 4.0], Mode::Forward { wrt: NodeId(0) });
        assert!(
            doc.contains(
                "$v_{4} = v_{3} \\cdot x_{1} = 7 \\cdot 3 = 21$; tangent $\\dot{v}_{4} = 10$.\\par"
            ),
            "{doc}"
        );
        assert!(doc.contains("\\dot{x}_{1} &= 1 \\\\"), "{doc}");
        assert!(
            doc.contains("\\frac{\\partial v_{4}}{\\partial x_{1}} &= \\dot{v}_{4} = 10"),
            "{doc}"
        );
    }

    #[test]
    fn every_example_has_narrow_matrices_and_balanced_groups() {
        for example in crate::examples::all() {
            let stepper = crate::session::Session::new(example.program)
                .stepper()
                .cloned()
                .unwrap();
            let doc = latex(&stepper, example.program);
            let body: String = doc.lines().filter(|l| !l.starts_with('%')).collect();
            assert_eq!(
                body.matches('{').count(),
                body.matches('}').count(),
                "{}",
                example.slug
            );
            for piece in body.split("\\begin{bmatrix}").skip(1) {
                let matrix = piece.split("\\end{bmatrix}").next().unwrap();
                for row in matrix.split("\\\\") {
                    assert!(
                        row.matches('&').count() < 10 || doc.contains("{MaxMatrixCols}{24}"),
                        "{}: {row}",
                        example.slug
                    );
                }
            }
            assert!(!doc.contains("operatorname{cross_"), "{}", example.slug);
        }
    }

    #[test]
    fn a_long_vector_is_written_as_a_column() {
        let source = "a = [0.123456, 0.234567, 0.345678, 0.456789, 0.567891, 0.678912, 0.789123, 0.891234]; sum(a * a)";
        let session = crate::session::Session::new(source);
        let doc = latex(session.stepper().unwrap(), source);
        assert!(
            doc.contains("\\begin{bmatrix}0.123456 \\\\ 0.234567 \\\\"),
            "{doc}"
        );
    }
}
