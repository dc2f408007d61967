//! Step texts for the seeds' worked example, in every notation and both modes.

use super::*;
use crate::engine::{Mode, Stepper};
use crate::program::compile;
use crate::render::mathml_check::assert_mathml;
use crate::tensor::Tensor;

fn locals(part: &RulePart) -> Vec<String> {
    part.local.iter().map(ToString::to_string).collect()
}

fn total(part: &RulePart) -> Option<String> {
    part.total.as_ref().map(ToString::to_string)
}

fn texts(source: &str, inputs: &[f64], mode: Mode, n: Notation) -> Vec<StepText> {
    let mut stepper = Stepper::new(
        compile(source).unwrap(),
        inputs.iter().map(|&x| Tensor::scalar(x)).collect(),
        mode,
    )
    .unwrap();
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
    assert_eq!(locals(&steps[4].parts[1]), ["∂v4/∂v3 = x1 = 3"]);
    assert_eq!(locals(&steps[4].parts[2]), ["∂v4/∂x1 = v3 = 7"]);
    assert_eq!(
        total(&steps[5].parts[0]).as_deref(),
        Some("x̄1 = 7 + 3 = 10")
    );
    assert_eq!(locals(&steps[5].parts[0]), ["∂v3/∂x1 = 1"]);
}

#[test]
fn seed_example_in_latex() {
    let steps = texts("(x1+x2)*x1", &[3.0, 4.0], Mode::Reverse, Notation::Latex);
    assert_eq!(steps[3].substituted(), "v_{4} = 7 \\cdot 3 = 21");
    assert_eq!(
        steps[4].parts[2].rule(),
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
    assert_eq!(locals(&steps[3].parts[1]), ["∂y/∂v2 = 2 · v2 = −12"]);
    assert_eq!(steps[4].substituted(), "x̄ += (−2) · (−12) = 24");
}

const X1: &str = "<msub><mi>x</mi><mn>1</mn></msub>";
const V3: &str = "<msub><mi>v</mi><mn>3</mn></msub>";
const V4: &str = "<msub><mi>v</mi><mn>4</mn></msub>";
const X1_BAR: &str = "<msub><mover accent=\"true\"><mi>x</mi><mo>¯</mo></mover><mn>1</mn></msub>";
const V3_BAR: &str = "<msub><mover accent=\"true\"><mi>v</mi><mo>¯</mo></mover><mn>3</mn></msub>";
const V4_BAR: &str = "<msub><mover accent=\"true\"><mi>v</mi><mo>¯</mo></mover><mn>4</mn></msub>";

fn partial(of: &str, by: &str) -> String {
    format!("<mfrac><mrow><mo>∂</mo>{of}</mrow><mrow><mo>∂</mo>{by}</mrow></mfrac>")
}

/// Every text of every step, each checked as MathML.
fn assert_all_mathml(steps: &[StepText]) {
    for step in steps {
        assert_mathml(&step.rule());
        assert_mathml(&step.substituted());
        for part in &step.parts {
            assert_mathml(&part.equation.to_string());
            part.local.iter().chain(&part.total).for_each(|e| {
                assert_mathml(&e.to_string());
            });
        }
    }
}

#[test]
fn seed_example_in_mathml() {
    let steps = texts("(x1+x2)*x1", &[3.0, 4.0], Mode::Reverse, Notation::MathMl);
    assert_all_mathml(&steps);
    assert_eq!(steps[3].rule(), format!("{V4}<mo>=</mo>{V3}<mo>·</mo>{X1}"));
    assert_eq!(
        steps[3].substituted(),
        format!("{V4}<mo>=</mo><mn>7</mn><mo>·</mo><mn>3</mn><mo>=</mo><mn>21</mn>")
    );

    let first_visit = &steps[4];
    assert_eq!(
        first_visit.rule(),
        format!(
            "{V4_BAR}<mo>=</mo><mn>1</mn><mo>;</mo>\
             {V3_BAR}<mo>+=</mo>{}<mo>·</mo>{V4_BAR}<mo>;</mo>\
             {X1_BAR}<mo>+=</mo>{}<mo>·</mo>{V4_BAR}",
            partial(V4, V3),
            partial(V4, X1)
        )
    );
    assert_eq!(
        first_visit.substituted(),
        format!(
            "{V4_BAR}<mo>=</mo><mn>1</mn><mo>;</mo>\
             {V3_BAR}<mo>+=</mo><mn>3</mn><mo>·</mo><mn>1</mn><mo>=</mo><mn>3</mn><mo>;</mo>\
             {X1_BAR}<mo>+=</mo><mn>7</mn><mo>·</mo><mn>1</mn><mo>=</mo><mn>7</mn>"
        )
    );
    assert_eq!(
        locals(&first_visit.parts[2]),
        [format!(
            "{}<mo>=</mo>{V3}<mo>=</mo><mn>7</mn>",
            partial(V4, X1)
        )]
    );

    let accumulation = &steps[5].parts[0];
    assert_eq!(
        total(accumulation),
        Some(format!(
            "{X1_BAR}<mo>=</mo><mn>7</mn><mo>+</mo><mn>3</mn><mo>=</mo><mn>10</mn>"
        ))
    );
    let total = accumulation.total.as_ref().unwrap();
    assert_eq!(
        (
            total.lhs.as_str(),
            total.relation,
            total.symbolic.as_deref()
        ),
        (X1_BAR, Relation::Equals, None)
    );
}

#[test]
fn mathml_is_well_formed_in_every_mode_and_with_odd_numbers() {
    let forward = Mode::Forward { wrt: NodeId(0) };
    for (source, inputs) in [
        ("(x1+x2)*x1", &[3.0, 4.0][..]),
        ("y = (x*-2)^2", &[3.0]),
        (
            "lr = 1e-9; w_out = 2; sigmoid(lr * w_out) / abs(-w_out) + sqrt(lr)",
            &[1e-9, 2.0],
        ),
        ("log(x) - relu(x) ^ x", &[-1.0]),
        ("1 / x", &[0.0]),
    ] {
        for mode in [Mode::Reverse, forward] {
            assert_all_mathml(&texts(source, inputs, mode, Notation::MathMl));
        }
    }
}

#[test]
fn rule_parts_carry_their_structure() {
    let steps = texts("(x1+x2)*x1", &[3.0, 4.0], Mode::Reverse, Notation::Plain);
    let update = &steps[4].parts[2].equation;
    assert_eq!(update.lhs, "x̄1");
    assert_eq!(update.relation, Relation::PlusEquals);
    assert_eq!(update.symbolic.as_deref(), Some("∂v4/∂x1 · v̄4"));
    assert_eq!(update.numeric.as_deref(), Some("7 · 1"));
    assert_eq!(update.result, "7");
    let input = &steps[0].parts[0].equation;
    assert_eq!(
        (input.symbolic.as_deref(), input.numeric.as_deref()),
        (None, None)
    );
}
