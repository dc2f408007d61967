//! Expressions in a [`Notation`], with parentheses exactly where binding strength needs
//! them: an op's forward rule (`x1 + x2`), a local-derivative [`Formula`] (`y · (1 − y)`),
//! and the products and sums that steps are made of (`∂v4/∂x1 · v̄4`, `7 + (−3)`).

use super::notation::{Notation, Operator};
use crate::op::formula::Formula;
use crate::op::{Infix, Op, Syntax};

/// Binding strength of a rendered expression, to decide where parentheses go.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Prec {
    Relation,
    Sum,
    Product,
    Negative,
    Power,
    Atom,
}

/// A rendered expression and how tightly it binds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expr {
    text: String,
    prec: Prec,
}

impl Expr {
    fn new(text: String, prec: Prec) -> Expr {
        Expr { text, prec }
    }

    /// A node's name: `x1`.
    pub fn name(name: &str, n: Notation) -> Expr {
        Expr::new(n.var(name), Prec::Atom)
    }

    /// A tensor's values (see [`Notation::tensor`]); a scalar is a number.
    pub fn tensor(value: &crate::tensor::Tensor, n: Notation) -> Expr {
        match value.item().filter(|_| value.rank() == 0) {
            Some(x) => Expr::number(x, n),
            None => Expr::new(n.tensor(value), Prec::Atom),
        }
    }

    /// A number; a negative one binds like a unary minus.
    pub fn number(x: f64, n: Notation) -> Expr {
        let prec = if x < 0.0 {
            Prec::Negative
        } else if n.writes_as_product(x) {
            Prec::Product
        } else {
            Prec::Atom
        };
        Expr::new(n.number(x), prec)
    }

    /// A node's adjoint: `x̄1`.
    pub fn adjoint(name: &str, n: Notation) -> Expr {
        Expr::new(n.adjoint(name), Prec::Atom)
    }

    /// A node's tangent: `ẋ1`.
    pub fn tangent(name: &str, n: Notation) -> Expr {
        Expr::new(n.tangent(name), Prec::Atom)
    }

    /// `∂of/∂by`, from the two nodes' names; it reads as one symbol.
    pub fn partial(of: &str, by: &str, n: Notation) -> Expr {
        Expr::new(n.partial(of, by), Prec::Atom)
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn into_text(self) -> String {
        self.text
    }

    /// The text, in parentheses when `needed`.
    fn wrapped(&self, n: Notation, needed: bool) -> String {
        if needed {
            n.parens(&self.text)
        } else {
            self.text.clone()
        }
    }
}

/// The right-hand side of an op's forward rule over `args` (names or numbers):
/// `x1 + x2`, `v²`, `relu(z1)`.
pub fn op_expression(op: Op, args: &[Expr], n: Notation) -> Expr {
    let arg = |i: usize| args.get(i).cloned().unwrap_or_else(|| Expr::name("?", n));
    match op.syntax() {
        Syntax::Leaf | Syntax::Copy => arg(0),
        Syntax::Call(name) => {
            let mut texts: Vec<String> = args.iter().map(|a| a.text().to_string()).collect();
            if let Some(Some(axis)) = op.axis() {
                texts.push(n.number(axis as f64));
            }
            Expr::new(n.call(name, &n.list(&texts)), Prec::Atom)
        }
        Syntax::Negation => negative(arg(0), n),
        Syntax::PowerOf(exponent) => power(arg(0), Expr::number(exponent, n), n),
        Syntax::Infix(Infix::Plus) => sum(arg(0), arg(1), n),
        Syntax::Infix(Infix::Minus) => difference(arg(0), arg(1), n),
        Syntax::Infix(Infix::Times | Infix::MatMul) => product(arg(0), arg(1), n),
        Syntax::Infix(Infix::Over) => quotient(arg(0), arg(1), n),
        Syntax::Infix(Infix::Power) => power(arg(0), arg(1), n),
        Syntax::Infix(Infix::Greater) => relation(arg(0), Operator::Greater, arg(1), n),
        Syntax::Infix(Infix::Less) => relation(arg(0), Operator::Less, arg(1), n),
        Syntax::Infix(Infix::GreaterEqual) => relation(arg(0), Operator::GreaterEqual, arg(1), n),
        Syntax::Infix(Infix::LessEqual) => relation(arg(0), Operator::LessEqual, arg(1), n),
    }
}

/// `a > b`: a comparison, binding more loosely than any arithmetic.
fn relation(a: Expr, operator: Operator, b: Expr, n: Notation) -> Expr {
    let left = a.wrapped(n, a.prec == Prec::Relation);
    let right = b.wrapped(n, b.prec == Prec::Relation);
    Expr::new(n.infix(&left, operator, &right), Prec::Relation)
}

/// A local-derivative formula with `args` standing for the op's inputs and `out` for its
/// output, e.g. `Mul(Out, Sub(1, Out))` with out = `y` gives `y · (1 − y)`.
pub fn formula(formula: &Formula, args: &[Expr], out: &Expr, n: Notation) -> Expr {
    let sub = |f: &Formula| self::formula(f, args, out, n);
    match formula {
        Formula::Num(x) => Expr::number(*x, n),
        Formula::Arg(i) => args.get(*i).cloned().unwrap_or_else(|| Expr::name("?", n)),
        Formula::Out => out.clone(),
        Formula::Neg(a) => negative(sub(a), n),
        Formula::Add(a, b) => sum(sub(a), sub(b), n),
        Formula::Sub(a, b) => difference(sub(a), sub(b), n),
        Formula::Mul(a, b) => product(sub(a), sub(b), n),
        Formula::Div(a, b) => quotient(sub(a), sub(b), n),
        Formula::Pow(a, b) => power(sub(a), sub(b), n),
        Formula::Call(function, a) => Expr::new(n.call(function.name(), sub(a).text()), Prec::Atom),
        Formula::Positive(a) => Expr::new(n.positive(sub(a).text()), Prec::Atom),
    }
}

/// `a + b`; a negative `b` in parentheses: `7 + (−3)`.
pub fn sum(a: Expr, b: Expr, n: Notation) -> Expr {
    let a = Expr::new(a.wrapped(n, a.prec == Prec::Relation), a.prec);
    let right = b.wrapped(n, b.prec == Prec::Relation || b.prec == Prec::Negative);
    Expr::new(n.infix(&a.text, Operator::Plus, &right), Prec::Sum)
}

/// `a − b`, with `b` in parentheses when it is a sum or negative.
pub fn difference(a: Expr, b: Expr, n: Notation) -> Expr {
    let right = b.wrapped(n, b.prec <= Prec::Sum || b.prec == Prec::Negative);
    Expr::new(n.infix(&a.text, Operator::Minus, &right), Prec::Sum)
}

/// `a · b`, with sums and negatives in parentheses: `3 · (−2)`.
pub fn product(a: Expr, b: Expr, n: Notation) -> Expr {
    joined_product(a, Operator::Times, b, n)
}

/// `a ⊙ b`, the elementwise product.
pub fn hadamard(a: Expr, b: Expr, n: Notation) -> Expr {
    joined_product(a, Operator::Hadamard, b, n)
}

fn joined_product(a: Expr, operator: Operator, b: Expr, n: Notation) -> Expr {
    let loose = |e: &Expr| e.prec <= Prec::Sum || e.prec == Prec::Negative;
    let text = n.infix(&a.wrapped(n, loose(&a)), operator, &b.wrapped(n, loose(&b)));
    Expr::new(text, Prec::Product)
}

/// `aᵀ`, with anything but an atom in parentheses.
pub fn transposed(a: Expr, n: Notation) -> Expr {
    let base = a.wrapped(n, a.prec < Prec::Atom);
    Expr::new(n.transposed(&base), Prec::Power)
}

/// `f(a, b)`.
pub fn call(function: &str, args: &[Expr], n: Notation) -> Expr {
    let texts: Vec<String> = args.iter().map(|a| a.text().to_string()).collect();
    Expr::new(n.call(function, &n.list(&texts)), Prec::Atom)
}

pub fn negative(a: Expr, n: Notation) -> Expr {
    let wrap = a.prec <= Prec::Sum || a.prec == Prec::Negative;
    Expr::new(n.negative(&a.wrapped(n, wrap)), Prec::Negative)
}

pub fn quotient(a: Expr, b: Expr, n: Notation) -> Expr {
    if n.stacks_fractions() {
        return Expr::new(n.fraction(&a.text, &b.text), Prec::Atom);
    }
    let top = a.wrapped(n, a.prec <= Prec::Sum);
    let bottom = b.wrapped(n, b.prec < Prec::Power);
    Expr::new(n.fraction(&top, &bottom), Prec::Product)
}

fn power(base: Expr, exponent: Expr, n: Notation) -> Expr {
    let base_text = base.wrapped(n, base.prec < Prec::Atom);
    let exponent_text = if n.raises_exponents() {
        exponent.text
    } else {
        let wrap = exponent.prec < Prec::Atom && exponent.prec != Prec::Negative;
        exponent.wrapped(n, wrap)
    };
    Expr::new(n.power(&base_text, &exponent_text), Prec::Power)
}

#[cfg(test)]
mod tests;
