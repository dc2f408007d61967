//! MathML names, numbers and joins, and escaping of anything that could be markup.

use super::*;
use crate::render::Notation::MathMl;
use crate::render::mathml_check::assert_mathml;

#[test]
fn names_take_subscripts_accents_and_primes() {
    assert_eq!(MathMl.var("x1"), "<msub><mi>x</mi><mn>1</mn></msub>");
    assert_eq!(MathMl.var("lr"), "<mi>lr</mi>");
    assert_eq!(MathMl.var("b_2"), "<msub><mi>b</mi><mn>2</mn></msub>");
    assert_eq!(MathMl.var("w_out"), "<msub><mi>w</mi><mi>out</mi></msub>");
    assert_eq!(
        MathMl.adjoint("x1"),
        "<msub><mover accent=\"true\"><mi>x</mi><mo>¯</mo></mover><mn>1</mn></msub>"
    );
    assert_eq!(
        MathMl.tangent("W"),
        "<mover accent=\"true\"><mi>W</mi><mo>˙</mo></mover>"
    );
    assert_eq!(
        MathMl.var("v4′"),
        "<msubsup><mi>v</mi><mn>4</mn><mo>′</mo></msubsup>"
    );
    assert_eq!(MathMl.var("v′′"), "<msup><mi>v</mi><mo>′′</mo></msup>");
}

#[test]
fn numbers() {
    assert_eq!(MathMl.number(3.0), "<mn>3</mn>");
    assert_eq!(MathMl.number(0.25), "<mn>0.25</mn>");
    assert_eq!(MathMl.number(-2.0), "<mrow><mo>−</mo><mn>2</mn></mrow>");
    assert_eq!(
        MathMl.number(f64::NAN),
        "<mi mathvariant=\"normal\">NaN</mi>"
    );
    assert_eq!(MathMl.number(f64::INFINITY), "<mi>∞</mi>");
    assert_eq!(
        MathMl.number(f64::NEG_INFINITY),
        "<mrow><mo>−</mo><mi>∞</mi></mrow>"
    );
    assert_eq!(
        MathMl.number(1.5e-7),
        "<mrow><mn>1.5</mn><mo>×</mo><msup><mn>10</mn><mn>−7</mn></msup></mrow>"
    );
    assert_eq!(
        MathMl.number(-2e12),
        "<mrow><mo>−</mo><mn>2</mn><mo>×</mo><msup><mn>10</mn><mn>12</mn></msup></mrow>"
    );
    for x in [
        3.0,
        -2.0,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        1.5e-7,
        -2e12,
    ] {
        assert_mathml(&MathMl.number(x));
    }
}

#[test]
fn joins() {
    assert_eq!(
        MathMl.partial("v4", "x1"),
        "<mfrac><mrow><mo>∂</mo><msub><mi>v</mi><mn>4</mn></msub></mrow><mrow><mo>∂</mo><msub><mi>x</mi><mn>1</mn></msub></mrow></mfrac>"
    );
    assert_eq!(
        MathMl.parens("<mi>a</mi><mo>+</mo><mi>b</mi>"),
        "<mrow><mo>(</mo><mi>a</mi><mo>+</mo><mi>b</mi><mo>)</mo></mrow>"
    );
    assert_eq!(
        MathMl.fraction("<mn>1</mn>", "<mn>2</mn><mo>·</mo><mi>s</mi>"),
        "<mfrac><mn>1</mn><mrow><mn>2</mn><mo>·</mo><mi>s</mi></mrow></mfrac>"
    );
    assert_eq!(
        MathMl.call("relu", "<mi>z</mi>"),
        "<mi>relu</mi><mo>\u{2061}</mo><mrow><mo>(</mo><mi>z</mi><mo>)</mo></mrow>"
    );
    assert_eq!(
        MathMl.infix("<mi>a</mi>", Operator::PlusEquals, "<mn>1</mn>"),
        "<mi>a</mi><mo>+=</mo><mn>1</mn>"
    );
    assert_eq!(
        math_block("<mi>x</mi>"),
        "<math display=\"block\"><mi>x</mi></math>"
    );
    assert_eq!(math_inline("<mi>x</mi>"), "<math><mi>x</mi></math>");
}

#[test]
fn one_element_or_a_row() {
    assert!(is_one_element("<mi>x</mi>"));
    assert!(is_one_element("<mrow><mi>x</mi><mn>1</mn></mrow>"));
    assert!(is_one_element("<mspace width=\"1em\"/>"));
    assert!(!is_one_element("<mi>x</mi><mn>1</mn>"));
    assert!(!is_one_element("<mrow></mrow><mi>x</mi>"));
    assert!(!is_one_element("x"));
    assert!(!is_one_element(""));
}

#[test]
fn text_is_escaped_so_names_cannot_inject_markup() {
    let hostile = "<script>alert(\"x\" & 'y')</script>";
    for fragment in [
        MathMl.var(hostile),
        MathMl.adjoint(hostile),
        MathMl.tangent(hostile),
        MathMl.partial(hostile, hostile),
        MathMl.call(hostile, &MathMl.var(hostile)),
        MathMl.power(&MathMl.var(hostile), &MathMl.var("2")),
    ] {
        assert!(!fragment.contains("<script"), "{fragment}");
        assert!(!fragment.contains('\''), "{fragment}");
        assert!(fragment.contains("&lt;script&gt;"), "{fragment}");
        assert_mathml(&fragment);
    }
    assert_eq!(
        MathMl.var(hostile),
        "<mi>&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;</mi>"
    );
}
