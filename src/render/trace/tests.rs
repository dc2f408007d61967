//! Trace model tests: the seeds' examples, forward mode, constants and odd programs.

use super::*;
use crate::engine::Stepper;
use crate::examples;
use crate::program::compile;
use crate::tensor::Tensor;

fn trace(source: &str, inputs: &[f64], mode: Mode) -> Trace {
    let stepper = Stepper::new(
        compile(source).unwrap(),
        inputs.iter().map(|&x| Tensor::scalar(x)).collect(),
        mode,
    )
    .unwrap();
    build(&stepper, source, Notation::Plain)
}

fn strings(equations: impl IntoIterator<Item = Equation>) -> Vec<String> {
    equations.into_iter().map(|e| e.to_string()).collect()
}

#[test]
fn seed_example_model() {
    let t = trace("(x1+x2)*x1", &[3.0, 4.0], Mode::Reverse);
    assert_eq!(strings(t.inputs.clone()), ["x1 = 3", "x2 = 4"]);
    assert_eq!(t.output.to_string(), "v4 = 21");
    assert_eq!(
        strings(t.forward.iter().map(|r| r.computation.clone())),
        [
            "x1 = 3",
            "x2 = 4",
            "v3 = x1 + x2 = 3 + 4 = 7",
            "v4 = v3 · x1 = 7 · 3 = 21"
        ]
    );
    assert_eq!(t.forward[0].formula, None);
    assert_eq!(
        strings(t.forward[3].locals.clone()),
        ["∂v4/∂v3 = x1 = 3", "∂v4/∂x1 = v3 = 7"]
    );
    assert!(t.forward[0].locals.is_empty());
    assert_eq!(
        t.seed.as_ref().map(Equation::to_string).as_deref(),
        Some("v̄4 = 1")
    );
    assert_eq!(t.backward.len(), 2, "leaves are not backward steps");
    let second = &t.backward[1];
    assert_eq!(second.node.rule(), "v3 = x1 + x2");
    assert_eq!(second.updates[0].update.lhs, "x\u{304}1");
    assert_eq!(second.updates[0].update.relation, Relation::PlusEquals);
    assert_eq!(
        second.updates[0].update.chain(),
        ["∂v3/∂x1 · v̄3", "1 · 3", "3"]
    );
    assert_eq!(
        second.updates[0]
            .total
            .as_ref()
            .map(Equation::to_string)
            .as_deref(),
        Some("x̄1 = 7 + 3 = 10")
    );
    assert_eq!(second.updates[1].total, None);
    let gradients: Vec<String> = t
        .gradients
        .iter()
        .map(|g| format!("{}: {}", g.input, g.derivative))
        .collect();
    assert_eq!(
        gradients,
        ["x1 = 3: ∂v4/∂x1 = x̄1 = 10", "x2 = 4: ∂v4/∂x2 = x̄2 = 3"]
    );
}

#[test]
fn linear_square_example_matches_the_seed_table() {
    let example = examples::find("linear-square").unwrap();
    let t = trace(example.source, &[2.0, 3.0, 1.0], Mode::Reverse);
    assert_eq!(
        t.program,
        "W = 2; x = 3; b = 1; u = W * x; v = u + b; y = v^2"
    );
    let rows: Vec<(String, Option<String>, String, String)> = t
        .forward
        .iter()
        .map(|r| {
            (
                r.node.clone(),
                r.formula.clone(),
                r.value.clone(),
                strings(r.locals.clone()).join(", "),
            )
        })
        .collect();
    let row = |node: &str, formula: Option<&str>, value: &str, locals: &str| {
        (
            node.to_string(),
            formula.map(String::from),
            value.to_string(),
            locals.to_string(),
        )
    };
    assert_eq!(
        rows,
        [
            row("W", None, "2", ""),
            row("x", None, "3", ""),
            row("b", None, "1", ""),
            row("u", Some("W · x"), "6", "∂u/∂W = x = 3, ∂u/∂x = W = 2"),
            row("v", Some("u + b"), "7", "∂v/∂u = 1, ∂v/∂b = 1"),
            row("y", Some("v²"), "49", "∂y/∂v = 2 · v = 14"),
        ]
    );
    let gradients: Vec<String> = t
        .gradients
        .iter()
        .map(|g| g.derivative.to_string())
        .collect();
    assert_eq!(
        gradients,
        ["∂y/∂W = W̄ = 42", "∂y/∂x = x̄ = 28", "∂y/∂b = b̄ = 14"]
    );
}

#[test]
fn forward_mode_model() {
    let t = trace("(x1+x2)*x1", &[3.0, 4.0], Mode::Forward { wrt: NodeId(0) });
    assert_eq!(t.wrt.as_deref(), Some("x1"));
    assert!(t.seed.is_none() && t.backward.is_empty());
    let tangents: Vec<String> = t
        .forward
        .iter()
        .map(|r| {
            r.tangent
                .as_ref()
                .map(|t| t.rule.to_string())
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(tangents[0], "x\u{307}1 = 1");
    assert_eq!(tangents[1], "x\u{307}2 = 0");
    assert_eq!(
        tangents[2],
        "v̇3 = ∂v3/∂x1 · x\u{307}1 + ∂v3/∂x2 · x\u{307}2 = 1 · 1 + 1 · 0 = 1"
    );
    assert_eq!(
        strings(t.forward[3].locals.clone()),
        ["∂v4/∂v3 = x1 = 3", "∂v4/∂x1 = v3 = 7"]
    );
    assert_eq!(t.gradients.len(), 1);
    assert_eq!(t.gradients[0].derivative.to_string(), "∂v4/∂x1 = v̇4 = 10");
}

#[test]
fn constants_appear_inline_and_get_no_update() {
    let t = trace("y = 0.5 * x^2", &[4.0], Mode::Reverse);
    assert_eq!(t.forward.len(), 3, "constants have no row");
    assert_eq!(
        t.forward[2].computation.to_string(),
        "y = 0.5 · v2 = 0.5 · 16 = 8"
    );
    let updates: Vec<String> = t.backward[0]
        .updates
        .iter()
        .map(|u| u.update.to_string())
        .collect();
    assert_eq!(updates, ["v̄2 += ∂y/∂v2 · y\u{304} = 0.5 · 1 = 0.5"]);
}

#[test]
fn a_node_reading_one_input_twice_updates_it_twice() {
    let t = trace("x * x", &[3.0], Mode::Reverse);
    let step = &t.backward[0];
    assert_eq!(step.updates.len(), 2);
    assert_eq!(
        step.updates[1]
            .total
            .as_ref()
            .map(Equation::to_string)
            .as_deref(),
        Some("x̄ = 3 + 3 = 6")
    );
}

#[test]
fn an_output_that_is_an_input_still_has_a_gradient() {
    let t = trace("x = 3; x", &[3.0], Mode::Reverse);
    assert!(t.backward.is_empty());
    assert_eq!(
        t.seed.as_ref().map(Equation::to_string).as_deref(),
        Some("x̄ = 1")
    );
    assert_eq!(t.gradients[0].derivative.to_string(), "∂x/∂x = x̄ = 1");
}

#[test]
fn a_stepper_midway_is_traced_to_the_end() {
    let mut stepper = Stepper::new(
        compile("(x1+x2)*x1").unwrap(),
        vec![Tensor::scalar(3.0), Tensor::scalar(4.0)],
        Mode::Reverse,
    )
    .unwrap();
    stepper.seek(3);
    let t = build(&stepper, "(x1+x2)*x1", Notation::Plain);
    assert_eq!(t.backward.len(), 2);
    assert_eq!(stepper.cursor(), 3, "the stepper itself does not move");
}

#[test]
fn non_finite_values_are_spelled_out() {
    let t = trace("log(x)", &[-1.0], Mode::Reverse);
    assert_eq!(t.output.rhs(), "NaN");
    assert_eq!(t.gradients[0].derivative.rhs(), "x̄ = −1");
}

#[test]
fn traces_in_mathml_are_well_formed() {
    let stepper = Stepper::new(
        compile("(x1+x2)*x1").unwrap(),
        vec![Tensor::scalar(3.0), Tensor::scalar(4.0)],
        Mode::Reverse,
    )
    .unwrap();
    let t = build(&stepper, "(x1+x2)*x1", Notation::MathMl);
    let equations = t
        .forward
        .iter()
        .flat_map(|row| row.locals.iter().chain([&row.computation]))
        .chain(t.backward.iter().flat_map(|step| {
            step.updates
                .iter()
                .flat_map(|u| [Some(&u.update), u.total.as_ref()])
                .flatten()
        }))
        .chain(t.gradients.iter().map(|g| &g.derivative));
    for equation in equations {
        crate::render::mathml_check::assert_mathml(&equation.to_string());
    }
}

#[test]
fn programs_fold_onto_one_line() {
    assert_eq!(
        one_line("# title\nx1 = 3  # default\n\nx2 = 4; (x1 + x2) * x1\n"),
        "x1 = 3; x2 = 4; (x1 + x2) * x1"
    );
    assert_eq!(one_line("(x1+x2)*x1"), "(x1+x2)*x1");
}

/// Checkpointing: a recomputed value is said before the visit that reads it, and the
/// forward table and the gradients are those of the plain run.
#[test]
fn recompute_steps_precede_their_visit() {
    let source = "x = 2\na = x * x\nb = a * a\ny = b * b";
    let graph = compile(source).unwrap();
    let inputs = vec![Tensor::scalar(2.0)];
    let plain = Stepper::new(graph.clone(), inputs.clone(), Mode::Reverse).unwrap();
    let kept = Stepper::with_checkpoints(graph, inputs, Mode::Reverse, Some(vec![])).unwrap();
    let plain_text = super::text(&plain, source);
    let text = super::text(&kept, source);
    assert!(
        text.contains(
            "  1. Recompute a = x · x = 2 · 2 = 4, b = a · a = 4 · 4 = 16 (the forward pass \
             discarded them); then through y = b · b"
        ),
        "{text}"
    );
    assert!(text.contains("  2. Through b = a · a"), "{text}");
    // Without the recomputations, the document is the plain run's.
    let without = text.replace(
        "Recompute a = x · x = 2 · 2 = 4, b = a · a = 4 · 4 = 16 (the forward pass discarded \
         them); then through",
        "Through",
    );
    assert_eq!(without, plain_text);
    let markdown = super::markdown(&kept, source);
    assert!(markdown.contains("1. Recompute"), "{markdown}");
    let latex = super::latex(&kept, source);
    assert!(latex.contains("\\noindent Recompute"), "{latex}");
}
