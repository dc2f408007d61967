//! Renders expressions in a [`Notation`]: an op's forward rule (`x1 + x2`) and a local
//! derivative [`Formula`] (`y · (1 − y)`), over names or over numbers alike.

use super::notation::{Notation, is_negative};
use crate::graph::formula::Formula;
use crate::graph::op::{Notation as OpNotation, Op};

/// Binding strength of a rendered piece, to decide where parentheses go.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Prec {
    Sum,
    Product,
    Negative,
    Power,
    Atom,
}

struct Piece {
    text: String,
    prec: Prec,
}

impl Piece {
    /// A name or a number; a negative number binds like a unary minus.
    fn atom(text: &str) -> Piece {
        let prec = if is_negative(text) {
            Prec::Negative
        } else {
            Prec::Atom
        };
        Piece {
            text: text.to_string(),
            prec,
        }
    }

    fn new(text: String, prec: Prec) -> Piece {
        Piece { text, prec }
    }

    /// The text, in parentheses when it binds more loosely than `context` allows.
    fn within(&self, notation: Notation, needs_parens: bool) -> String {
        if needs_parens {
            notation.parens(&self.text)
        } else {
            self.text.clone()
        }
    }
}

/// The right-hand side of an op's forward rule over `args` (names or numbers):
/// `x1 + x2`, `v²`, `relu(z1)`.
pub fn op_expression(op: Op, args: &[String], notation: Notation) -> String {
    let arg = |i: usize| Piece::atom(args.get(i).map_or("?", String::as_str));
    let piece = match op.notation() {
        OpNotation::Leaf => return args.first().cloned().unwrap_or_default(),
        OpNotation::Call("") => arg(0),
        OpNotation::Call(name) => Piece::new(notation.call(name, &arg(0).text), Prec::Atom),
        OpNotation::Prefix(_) => negate(arg(0), notation),
        OpNotation::PowerOf(n) => power(arg(0), Piece::atom(&notation.number(n)), notation),
        OpNotation::Infix(_) => match op {
            Op::Add => sum(arg(0), "+", arg(1), notation),
            Op::Sub => sum(arg(0), notation.minus(), arg(1), notation),
            Op::Mul => product(arg(0), arg(1), notation),
            Op::Div => quotient(arg(0), arg(1), notation),
            _ => power(arg(0), arg(1), notation),
        },
    };
    piece.text
}

/// A local-derivative formula with `args` standing for the op's inputs and `out` for its
/// output, e.g. `Mul(Out, Sub(1, Out))` with out = "y" gives `y · (1 − y)`.
pub fn formula(formula: &Formula, args: &[String], out: &str, notation: Notation) -> String {
    render(formula, args, out, notation).text
}

fn render(f: &Formula, args: &[String], out: &str, n: Notation) -> Piece {
    let sub = |g: &Formula| render(g, args, out, n);
    match f {
        Formula::Num(x) => Piece::atom(&n.number(*x)),
        Formula::Arg(i) => Piece::atom(args.get(*i).map_or("?", String::as_str)),
        Formula::Out => Piece::atom(out),
        Formula::Neg(a) => negate(sub(a), n),
        Formula::Add(a, b) => sum(sub(a), "+", sub(b), n),
        Formula::Sub(a, b) => sum(sub(a), n.minus(), sub(b), n),
        Formula::Mul(a, b) => product(sub(a), sub(b), n),
        Formula::Div(a, b) => quotient(sub(a), sub(b), n),
        Formula::Pow(a, b) => power(sub(a), sub(b), n),
        Formula::Call(function, a) => Piece::new(n.call(function.name(), &sub(a).text), Prec::Atom),
        Formula::Positive(a) => Piece::new(n.positive(&sub(a).text), Prec::Atom),
    }
}

fn negate(a: Piece, n: Notation) -> Piece {
    let wrap = a.prec == Prec::Sum || a.prec == Prec::Negative;
    Piece::new(
        format!("{}{}", n.minus(), a.within(n, wrap)),
        Prec::Negative,
    )
}

fn sum(a: Piece, op: &str, b: Piece, n: Notation) -> Piece {
    let wrap_right = b.prec == Prec::Negative || (op != "+" && b.prec == Prec::Sum);
    Piece::new(
        format!("{} {op} {}", a.text, b.within(n, wrap_right)),
        Prec::Sum,
    )
}

fn product(a: Piece, b: Piece, n: Notation) -> Piece {
    let wrap = |p: &Piece| p.prec == Prec::Sum || p.prec == Prec::Negative;
    let text = format!(
        "{}{}{}",
        a.within(n, wrap(&a)),
        n.times(),
        b.within(n, wrap(&b))
    );
    Piece::new(text, Prec::Product)
}

fn quotient(a: Piece, b: Piece, n: Notation) -> Piece {
    match n {
        Notation::Latex => Piece::new(n.fraction(&a.text, &b.text), Prec::Atom),
        Notation::Plain => {
            let top = a.within(n, a.prec == Prec::Sum);
            let bottom = b.within(n, b.prec < Prec::Power);
            Piece::new(n.fraction(&top, &bottom), Prec::Product)
        }
    }
}

fn power(base: Piece, exponent: Piece, n: Notation) -> Piece {
    let base_text = base.within(n, base.prec < Prec::Atom);
    let exponent_text = match n {
        Notation::Plain => exponent.within(
            n,
            exponent.prec < Prec::Atom && exponent.prec != Prec::Negative,
        ),
        Notation::Latex => exponent.text,
    };
    Piece::new(n.power(&base_text, &exponent_text), Prec::Power)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn forward_rules_over_names_and_numbers() {
        let p = Notation::Plain;
        assert_eq!(op_expression(Op::Add, &names(&["x1", "x2"]), p), "x1 + x2");
        assert_eq!(op_expression(Op::Mul, &names(&["7", "3"]), p), "7 · 3");
        assert_eq!(op_expression(Op::Sub, &names(&["3", "−2"]), p), "3 − (−2)");
        assert_eq!(op_expression(Op::PowConst(2.0), &names(&["v"]), p), "v²");
        assert_eq!(
            op_expression(Op::PowConst(2.0), &names(&["−3"]), p),
            "(−3)²"
        );
        assert_eq!(op_expression(Op::Relu, &names(&["z1"]), p), "relu(z1)");
        assert_eq!(op_expression(Op::Neg, &names(&["a"]), p), "−a");
        assert_eq!(op_expression(Op::Identity, &names(&["x"]), p), "x");
        assert_eq!(
            op_expression(Op::Div, &names(&["a", "b"]), Notation::Latex),
            "\\frac{a}{b}"
        );
    }

    #[test]
    fn local_derivatives_read_like_the_seeds() {
        let p = Notation::Plain;
        let show = |op: Op, args: &[&str], out: &str| -> Vec<String> {
            op.local_derivatives()
                .iter()
                .map(|f| formula(f, &names(args), out, p))
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
}
