//! Forward rules and local derivatives in each notation, parentheses included.

use super::*;
use crate::render::mathml_check::assert_mathml;

fn names(list: &[&str], n: Notation) -> Vec<Expr> {
    list.iter().map(|name| Expr::name(name, n)).collect()
}

fn numbers(list: &[f64], n: Notation) -> Vec<Expr> {
    list.iter().map(|&x| Expr::number(x, n)).collect()
}

fn rule(op: Op, args: &[Expr], n: Notation) -> String {
    op_expression(op, args, n).into_text()
}

#[test]
fn forward_rules_over_names_and_numbers() {
    let p = Notation::Plain;
    assert_eq!(rule(Op::Add, &names(&["x1", "x2"], p), p), "x1 + x2");
    assert_eq!(rule(Op::Mul, &numbers(&[7.0, 3.0], p), p), "7 · 3");
    assert_eq!(rule(Op::Sub, &numbers(&[3.0, -2.0], p), p), "3 − (−2)");
    assert_eq!(rule(Op::PowConst(2.0), &names(&["v"], p), p), "v²");
    assert_eq!(rule(Op::PowConst(2.0), &numbers(&[-3.0], p), p), "(−3)²");
    assert_eq!(rule(Op::Relu, &names(&["z1"], p), p), "relu(z1)");
    assert_eq!(rule(Op::Neg, &names(&["a"], p), p), "−a");
    assert_eq!(rule(Op::Identity, &names(&["x"], p), p), "x");
    let l = Notation::Latex;
    assert_eq!(rule(Op::Div, &names(&["a", "b"], l), l), "\\frac{a}{b}");
}

#[test]
fn negative_operands_of_a_product_take_parentheses() {
    let p = Notation::Plain;
    let [a, b] = [Expr::number(3.0, p), Expr::number(-2.0, p)];
    assert_eq!(product(a, b, p).text(), "3 · (−2)");
    let [a, b] = [Expr::number(7.0, p), Expr::number(-3.0, p)];
    assert_eq!(sum(a, b, p).text(), "7 + (−3)");
}

#[test]
fn local_derivatives_read_like_the_seeds() {
    let p = Notation::Plain;
    let show = |op: Op, args: &[&str], out: &str| -> Vec<String> {
        op.local_derivatives()
            .iter()
            .map(|f| formula(f, &names(args, p), &Expr::name(out, p), p).into_text())
            .collect()
    };
    assert_eq!(show(Op::Mul, &["v3", "x1"], "v4"), ["x1", "v3"]);
    assert_eq!(show(Op::PowConst(2.0), &["v"], "y"), ["2 · v"]);
    assert_eq!(show(Op::PowConst(3.0), &["v"], "y"), ["3 · v²"]);
    assert_eq!(show(Op::Sigmoid, &["z"], "a"), ["a · (1 − a)"]);
    assert_eq!(show(Op::Div, &["a", "b"], "v"), ["1/b", "−a/b²"]);
    assert_eq!(show(Op::Relu, &["z1"], "a"), ["1[z1 > 0]"]);
    assert_eq!(show(Op::Sqrt, &["x"], "s"), ["1/(2 · s)"]);
    assert_eq!(
        show(Op::Pow, &["a", "b"], "v"),
        ["b · a^(b − 1)", "v · ln(a)"]
    );
    assert_eq!(show(Op::Tanh, &["x"], "t"), ["1 − t²"]);
    assert_eq!(show(Op::Cos, &["x"], "c"), ["−sin(x)"]);
}

#[test]
fn mathml_forward_rules_and_derivatives_are_well_formed() {
    let m = Notation::MathMl;
    let out = Expr::name("v3", m);
    for op in crate::op::SAMPLE_OPS {
        for args in [
            names(&["x1", "w_out", "c"], m),
            numbers(&[-2.5, 1.5e-7, 3.0], m),
        ] {
            let args = &args[..op.arity()];
            assert_mathml(&rule(op, args, m));
            for derivative in op.local_derivatives() {
                assert_mathml(formula(&derivative, args, &out, m).text());
            }
        }
    }
}

#[test]
fn mathml_formulas() {
    let m = Notation::MathMl;
    let show = |op: Op, args: &[&str], out: &str| -> Vec<String> {
        op.local_derivatives()
            .iter()
            .map(|f| formula(f, &names(args, m), &Expr::name(out, m), m).into_text())
            .collect()
    };
    assert_eq!(
        show(Op::Sigmoid, &["z"], "a"),
        ["<mi>a</mi><mo>·</mo><mrow><mo>(</mo><mn>1</mn><mo>−</mo><mi>a</mi><mo>)</mo></mrow>"]
    );
    assert_eq!(
        show(Op::Div, &["a", "b"], "v"),
        [
            "<mfrac><mn>1</mn><mi>b</mi></mfrac>",
            "<mrow><mo>−</mo><mfrac><mi>a</mi><msup><mi>b</mi><mn>2</mn></msup></mfrac></mrow>",
        ]
    );
    assert_eq!(
        show(Op::Relu, &["z1"], "a"),
        [
            "<mn>𝟙</mn><mrow><mo>[</mo><msub><mi>z</mi><mn>1</mn></msub><mo>&gt;</mo><mn>0</mn><mo>]</mo></mrow>"
        ]
    );
    assert_eq!(
        show(Op::Sqrt, &["x"], "s"),
        ["<mfrac><mn>1</mn><mrow><mn>2</mn><mo>·</mo><mi>s</mi></mrow></mfrac>"]
    );
    assert_eq!(
        show(Op::Pow, &["a", "b"], "v")[1],
        "<mi>v</mi><mo>·</mo><mi>ln</mi><mo>\u{2061}</mo><mrow><mo>(</mo><mi>a</mi><mo>)</mo></mrow>"
    );
    assert_eq!(
        rule(Op::Sqrt, &names(&["x"], m), m),
        "<msqrt><mi>x</mi></msqrt>"
    );
    assert_eq!(
        rule(Op::Abs, &numbers(&[-2.0], m), m),
        "<mrow><mo>|</mo><mrow><mo>−</mo><mn>2</mn></mrow><mo>|</mo></mrow>"
    );
    assert_eq!(
        rule(Op::PowConst(2.0), &numbers(&[1.5e-7], m), m),
        "<msup><mrow><mo>(</mo><mrow><mn>1.5</mn><mo>×</mo><msup><mn>10</mn><mn>−7</mn></msup></mrow><mo>)</mo></mrow><mn>2</mn></msup>"
    );
}
