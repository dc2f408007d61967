//! Parser unit tests: grouping (as S-expressions), statements, errors with spans and hints.

use super::*;

fn sexpr(source: &str) -> String {
    let program = parse(source).unwrap_or_else(|e| panic!("{source:?}: {e}"));
    program.statements.last().unwrap().value().to_string()
}

fn error(source: &str) -> ParseError {
    parse(source).expect_err(source)
}

#[test]
fn precedence_and_associativity() {
    assert_eq!(sexpr("(x1+x2)*x1"), "(* (+ x1 x2) x1)");
    assert_eq!(sexpr("a + b * c"), "(+ a (* b c))");
    assert_eq!(sexpr("a - b - c"), "(- (- a b) c)");
    assert_eq!(sexpr("a / b / c"), "(/ (/ a b) c)");
    assert_eq!(sexpr("2^3^2"), "(^ 2 (^ 3 2))");
    assert_eq!(sexpr("-x^2"), "(neg (^ x 2))");
    assert_eq!(sexpr("2^-3*4"), "(* (^ 2 (neg 3)) 4)");
    assert_eq!(sexpr("--x"), "(neg (neg x))");
    assert_eq!(sexpr("W @ x + b"), "(+ (@ W x) b)");
}

#[test]
fn comparisons_bind_more_loosely_than_arithmetic() {
    assert_eq!(sexpr("x + 1 > y * 2"), "(> (+ x 1) (* y 2))");
    assert_eq!(sexpr("a <= -b ^ 2"), "(<= a (neg (^ b 2)))");
    assert_eq!(sexpr("a >= b"), "(>= a b)");
    assert_eq!(sexpr("a < b"), "(< a b)");
    assert_eq!(sexpr("a ≥ b"), "(>= a b)");
    assert_eq!(
        sexpr("where(x > 0, x, 0.1 * x)"),
        "(where (> x 0) x (* 0.1 x))"
    );
    let equality = error("a == b");
    assert_eq!(equality.span, Span::new(2, 4));
    assert!(
        equality
            .hint
            .as_deref()
            .is_some_and(|hint| hint.contains(">="))
    );
    assert_eq!(
        error("a >").span.start,
        3,
        "a comparison needs its right side"
    );
}

#[test]
fn calls_and_tensor_literals() {
    assert_eq!(sexpr("sigmoid(w*x + b)"), "(sigmoid (+ (* w x) b))");
    assert_eq!(sexpr("f(a, b,)"), "(f a b)");
    assert_eq!(sexpr("[[1, 2], [3, 4]]"), "[[1 2] [3 4]]");
    assert_eq!(
        sexpr("[\n  [0.5, -0.3],\n  [0.2, 0.8]\n]"),
        "[[0.5 (neg 0.3)] [0.2 0.8]]"
    );
}

#[test]
fn bindings_and_separators() {
    let program = parse("u = W*x; v = u + b\n# comment\ny = v^2\n").unwrap();
    let names: Vec<_> = program
        .statements
        .iter()
        .map(|s| match s {
            Statement::Binding { name, .. }
            | Statement::Function { name, .. }
            | Statement::Update { name, .. } => name.as_str(),
            Statement::Expr(_) => "<expr>",
        })
        .collect();
    assert_eq!(names, ["u", "v", "y"]);
}

#[test]
fn line_breaks_continue_inside_brackets_and_after_operators() {
    assert_eq!(sexpr("(a\n + b)"), "(+ a b)");
    assert_eq!(sexpr("a +\n b"), "(+ a b)");
}

#[test]
fn spans_cover_the_source() {
    let program = parse("y = (x1 + x2) * x1").unwrap();
    let Statement::Binding {
        name_span, value, ..
    } = &program.statements[0]
    else {
        panic!()
    };
    assert_eq!(*name_span, Span::new(0, 1));
    assert_eq!(value.span, Span::new(4, 18));
}

#[test]
fn implicit_multiplication_is_an_error_with_a_hint() {
    let e = error("x1 x2");
    assert_eq!(e.span, Span::new(3, 5));
    assert_eq!(e.hint.as_deref(), Some("did you mean `x1 * x2`?"));
    assert_eq!(error("2x").hint.as_deref(), Some("did you mean `2 * x`?"));
    assert_eq!(
        error("(a+b)(c)").hint.as_deref(),
        Some("did you mean `(a+b) * (…)`?")
    );
    assert_eq!(
        error("(a b)").hint.as_deref(),
        Some("did you mean `a * b`?")
    );
}

#[test]
fn unbalanced_brackets_point_at_the_culprit() {
    let e = error("(x1 + x2 * x1");
    assert_eq!(e.span, Span::new(0, 1));
    assert!(e.message.contains("never closed"));
    let e = error("x1 + x2)");
    assert_eq!(e.span, Span::new(7, 8));
    assert!(e.message.contains("unmatched"));
    assert!(error("[1, 2)").message.contains("closed by"));
}

#[test]
fn structural_errors() {
    assert!(error("").message.contains("empty"));
    assert!(error("  # only a comment\n").message.contains("empty"));
    assert!(error("x +").message.contains("expected an expression"));
    assert!(error("a = 1; b; c").message.contains("only the last line"));
    assert!(error("3 = x").message.contains("`=`"));
    assert!(error("[]").message.contains("at least one"));
    assert!(error("+x").message.contains("unary `+`"));
}

/// A line that ends in an operator before a binding or the end is reported at the
/// operator, on its own line, not at the next line's `=`.
#[test]
fn a_dangling_operator_is_reported_on_its_line() {
    for source in ["a = x +\nb = a * 2\nb", "a = x *\n\nb = 2\na + b", "x -\n"] {
        let e = error(source);
        let at = &source[e.span.start..e.span.end];
        assert!(matches!(at, "+" | "*" | "-"), "{source:?}: {at:?}");
        assert!(
            e.message.contains("nothing after it"),
            "{source:?}: {}",
            e.message
        );
    }
    // An operator at a line's end still continues the expression onto the next line.
    assert_eq!(sexpr("x +\n  y * 2"), sexpr("x + y * 2"));
}

#[test]
fn limits_are_errors() {
    let deep = format!("{}x{}", "(".repeat(100_000), ")".repeat(100_000));
    assert!(error(&deep).message.contains("nested too deeply"));
    let long = "x+".repeat(200_000) + "x";
    assert!(error(&long).message.contains("too long"));
    let limits = Limits {
        max_nodes: 10,
        ..Limits::default()
    };
    let many = "x+".repeat(20) + "x";
    assert!(
        parse_with_limits(&many, limits)
            .unwrap_err()
            .message
            .contains("too large")
    );
    let towers = "2^".repeat(1000) + "2";
    assert!(error(&towers).message.contains("nested too deeply"));
    // A left-associative chain recurses little while parsing but builds a tall tree.
    let chain = "x".to_string() + &"+x".repeat(5_000);
    assert!(error(&chain).message.contains("nested too deeply"));
    let fine = "x".to_string() + &"+x".repeat(200);
    assert_eq!(parse(&fine).unwrap().statements[0].value().height, 201);
}

#[test]
fn function_definitions_and_custom_derivatives() {
    let program = parse("f(x, y) = x * y\nsoftplus'(z) = sigmoid(z)\nf(1, 2)").unwrap();
    let Statement::Function {
        name,
        params,
        derivative,
        body,
        ..
    } = &program.statements[1]
    else {
        panic!("a definition")
    };
    assert_eq!((name.as_str(), *derivative), ("softplus", true));
    assert_eq!(params[0].0, "z");
    assert_eq!(body.to_string(), "(sigmoid z)");
    assert!(matches!(
        &program.statements[0],
        Statement::Function { derivative: false, params, .. } if params.len() == 2
    ));
    assert_eq!(
        sexpr("f(x) * 2"),
        "(* (f x) 2)",
        "a call is not a definition"
    );
    let last = error("f(x) = x");
    assert!(last.message.contains("output"), "{}", last.message);
    assert_eq!(error("f(x, x) = x\nf(1)").span, Span::new(5, 6));
}
