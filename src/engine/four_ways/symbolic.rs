//! Symbolic differentiation: the output and its derivative by each input as expressions
//! over the inputs, built by the rules (the op table's local-derivative formulas, with the
//! operands' expressions put in for `Arg` and `Out`, times the operands' derivatives,
//! summed). Only terms that are 0 are dropped and factors of 1 left out; nothing else is
//! simplified, so the size of the expression as a tree shows expression swell.
//!
//! Expressions are kept in an arena where subexpressions are shared, so building and
//! evaluating them stays linear however large the tree they stand for; the tree's size is
//! counted without sharing (saturating), and the text is written only up to a cap.

use crate::graph::Graph;
use crate::number::format_number;
use crate::op::formula::{Formula, Function, power};
use crate::op::{Leaf, Op};

/// The most terms an arena may hold (shared; trees may be far larger).
pub const MAX_TERMS: usize = 1_000_000;
/// The largest tree (counted without sharing) that is written out as text.
pub const MAX_WRITTEN: u64 = 2_000;

/// One node of an expression; children are indices into the same arena.
#[derive(Clone, Debug, PartialEq)]
pub enum Term {
    Num(f64),
    /// The `k`-th input.
    Var(usize),
    Neg(usize),
    Add(usize, usize),
    Sub(usize, usize),
    Mul(usize, usize),
    Div(usize, usize),
    Pow(usize, usize),
    /// A one-operand op of the program (`sin`, `exp`, `relu`, …).
    Apply(Op, usize),
    /// A function from a derivative formula (`ln`, `cos`, `sign`, `Φ`, `φ`).
    Function(Function, usize),
    /// The step `1[a > 0]`.
    Positive(usize),
}

/// Expressions sharing their subexpressions, with each term's size as a tree.
#[derive(Clone, Debug, Default)]
pub struct Arena {
    terms: Vec<Term>,
    sizes: Vec<u64>,
}

/// The arena outgrew [`MAX_TERMS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TooLarge;

impl Arena {
    pub fn len(&self) -> usize {
        self.terms.len()
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    fn push(&mut self, term: Term) -> Result<usize, TooLarge> {
        if self.terms.len() >= MAX_TERMS {
            return Err(TooLarge);
        }
        let size = children(&term)
            .iter()
            .fold(1u64, |sum, &child| sum.saturating_add(self.sizes[child]));
        self.terms.push(term);
        self.sizes.push(size);
        Ok(self.terms.len() - 1)
    }

    /// How many nodes the expression `id` has as a tree, without sharing (saturating at
    /// `u64::MAX`).
    pub fn tree_size(&self, id: usize) -> u64 {
        self.sizes[id]
    }

    /// The value of `id` with `inputs[k]` for the `k`-th input; shared terms are evaluated
    /// once.
    pub fn eval(&self, id: usize, inputs: &[f64]) -> f64 {
        let mut values: Vec<f64> = Vec::with_capacity(id + 1);
        for term in &self.terms[..=id] {
            let v = |i: usize| values[i];
            let value = match *term {
                Term::Num(n) => n,
                Term::Var(k) => inputs.get(k).copied().unwrap_or(f64::NAN),
                Term::Neg(a) => -v(a),
                Term::Add(a, b) => v(a) + v(b),
                Term::Sub(a, b) => v(a) - v(b),
                Term::Mul(a, b) => v(a) * v(b),
                Term::Div(a, b) => v(a) / v(b),
                Term::Pow(a, b) => power(v(a), v(b)),
                Term::Apply(op, a) => op.apply(&[v(a)]),
                Term::Function(function, a) => function.apply(v(a)),
                Term::Positive(a) => match v(a) {
                    x if x.is_nan() => f64::NAN,
                    x if x > 0.0 => 1.0,
                    _ => 0.0,
                },
            };
            values.push(value);
        }
        values[id]
    }

    /// The expression as text over the input `names`, or `None` when its tree is larger
    /// than [`MAX_WRITTEN`] nodes.
    pub fn text(&self, id: usize, names: &[String]) -> Option<String> {
        if self.tree_size(id) > MAX_WRITTEN {
            return None;
        }
        let mut out = String::new();
        self.write(id, names, &mut out);
        Some(out)
    }

    fn write(&self, id: usize, names: &[String], out: &mut String) {
        let child = |me: &Arena, c: usize, tight: bool, out: &mut String| {
            let wrap = if tight {
                precedence(&me.terms[c]) <= precedence(&me.terms[id])
            } else {
                precedence(&me.terms[c]) < precedence(&me.terms[id])
            };
            if wrap {
                out.push('(');
            }
            me.write(c, names, out);
            if wrap {
                out.push(')');
            }
        };
        let infix = |me: &Arena, a: usize, symbol: &str, b: usize, out: &mut String| {
            let power = matches!(me.terms[id], Term::Pow(..));
            child(me, a, power, out);
            out.push_str(symbol);
            child(me, b, !power, out);
        };
        match self.terms[id] {
            Term::Num(n) => out.push_str(&format_number(n)),
            Term::Var(k) => out.push_str(names.get(k).map_or("?", String::as_str)),
            Term::Neg(a) => {
                out.push('-');
                child(self, a, true, out);
            }
            Term::Add(a, b) => infix(self, a, " + ", b, out),
            Term::Sub(a, b) => infix(self, a, " - ", b, out),
            Term::Mul(a, b) => infix(self, a, "·", b, out),
            Term::Div(a, b) => infix(self, a, "/", b, out),
            Term::Pow(a, b) => infix(self, a, "^", b, out),
            Term::Apply(op, a) => self.call(op.name(), a, names, out),
            Term::Function(function, a) => self.call(function.name(), a, names, out),
            Term::Positive(a) => {
                out.push_str("1[");
                self.write(a, names, out);
                out.push_str(" > 0]");
            }
        }
    }

    fn call(&self, name: &str, a: usize, names: &[String], out: &mut String) {
        out.push_str(name);
        out.push('(');
        self.write(a, names, out);
        out.push(')');
    }
}

/// Binding power when written: sums 1, products 2, negation 3, powers 4, atoms 5.
fn precedence(term: &Term) -> u8 {
    match term {
        Term::Add(..) | Term::Sub(..) => 1,
        Term::Mul(..) | Term::Div(..) => 2,
        Term::Neg(_) => 3,
        Term::Pow(..) => 4,
        Term::Num(n) if *n < 0.0 => 3,
        Term::Num(_) | Term::Var(_) | Term::Apply(..) | Term::Function(..) | Term::Positive(_) => 5,
    }
}

fn children(term: &Term) -> Vec<usize> {
    match *term {
        Term::Num(_) | Term::Var(_) => vec![],
        Term::Neg(a) | Term::Apply(_, a) | Term::Function(_, a) | Term::Positive(a) => vec![a],
        Term::Add(a, b) | Term::Sub(a, b) | Term::Mul(a, b) | Term::Div(a, b) | Term::Pow(a, b) => {
            vec![a, b]
        }
    }
}

/// The output of a scalar elementwise program and its derivative by each input.
#[derive(Clone, Debug)]
pub struct Symbolic {
    pub arena: Arena,
    /// The output as an expression over the inputs.
    pub output: usize,
    /// `∂output/∂input_k` for each input; `None` where it is identically 0.
    pub derivatives: Vec<Option<usize>>,
}

/// Build the expressions for `graph` (checked scalar and elementwise by the caller).
pub fn differentiate(graph: &Graph) -> Result<Symbolic, TooLarge> {
    let mut arena = Arena::default();
    let mut slot = 0;
    let mut exprs: Vec<usize> = Vec::with_capacity(graph.len());
    for node in graph.nodes() {
        let arg = |i: usize| node.inputs.get(i).map(|id| exprs[id.0]);
        let expr = match node.op.leaf() {
            Some(Leaf::Input) => {
                slot += 1;
                arena.push(Term::Var(slot - 1))?
            }
            Some(Leaf::Number(c)) => arena.push(Term::Num(c))?,
            Some(Leaf::Literal) => {
                let value = node.value.as_ref().and_then(|v| v.item());
                arena.push(Term::Num(value.unwrap_or(f64::NAN)))?
            }
            None => forward_term(&mut arena, node.op, arg(0), arg(1))?,
        };
        exprs.push(expr);
    }
    let inputs: Vec<usize> = graph.inputs().map(|id| id.0).collect();
    let mut derivatives = Vec::with_capacity(inputs.len());
    for &wrt in &inputs {
        // d[n]: the derivative of node n by the input, None where it is 0.
        let mut d: Vec<Option<usize>> = vec![None; graph.len()];
        let one = arena.push(Term::Num(1.0))?;
        d[wrt] = Some(one);
        for (id, node) in graph.nodes().iter().enumerate() {
            if node.op.is_leaf() {
                continue;
            }
            let operands: Vec<usize> = node.inputs.iter().map(|i| exprs[i.0]).collect();
            let mut sum: Option<usize> = None;
            for (formula, input) in node.op.local_derivatives().iter().zip(&node.inputs) {
                let Some(inner) = d[input.0] else { continue };
                let local = substitute(&mut arena, formula, &operands, exprs[id])?;
                let term = match (&arena.terms[local], &arena.terms[inner]) {
                    (_, Term::Num(n)) if *n == 1.0 => local,
                    (Term::Num(n), _) if *n == 1.0 => inner,
                    (Term::Num(n), _) if *n == -1.0 => arena.push(Term::Neg(inner))?,
                    _ => arena.push(Term::Mul(local, inner))?,
                };
                sum = Some(match sum {
                    None => term,
                    Some(previous) => arena.push(Term::Add(previous, term))?,
                });
            }
            d[id] = sum;
        }
        derivatives.push(d[graph.output().0]);
    }
    Ok(Symbolic {
        output: exprs[graph.output().0],
        arena,
        derivatives,
    })
}

/// The expression of a computed node from its operands' (a missing operand is NaN).
fn forward_term(
    arena: &mut Arena,
    op: Op,
    a: Option<usize>,
    b: Option<usize>,
) -> Result<usize, TooLarge> {
    let nan = |arena: &mut Arena| arena.push(Term::Num(f64::NAN));
    let a = match a {
        Some(a) => a,
        None => nan(arena)?,
    };
    let b = match b {
        Some(b) => b,
        None => nan(arena)?,
    };
    let term = match op {
        Op::Add => Term::Add(a, b),
        Op::Sub => Term::Sub(a, b),
        Op::Mul => Term::Mul(a, b),
        Op::Div => Term::Div(a, b),
        Op::Pow => Term::Pow(a, b),
        Op::Neg => Term::Neg(a),
        Op::PowConst(n) => {
            let n = arena.push(Term::Num(n))?;
            Term::Pow(a, n)
        }
        // A copy is its operand.
        Op::Identity => return Ok(a),
        Op::Exp
        | Op::Log
        | Op::Sqrt
        | Op::Sin
        | Op::Cos
        | Op::Tanh
        | Op::Sigmoid
        | Op::Relu
        | Op::Abs
        | Op::Gelu => Term::Apply(op, a),
        // Leaves are handled by the caller and tensor ops refused before: NaN.
        Op::Input
        | Op::Const(_)
        | Op::Literal
        | Op::MatMul
        | Op::Transpose
        | Op::Sum(_)
        | Op::Mean(_)
        | Op::Max(_)
        | Op::Softmax
        | Op::LogSoftmax
        | Op::CrossEntropy
        | Op::Detach
        | Op::Step
        | Op::Greater
        | Op::Less
        | Op::GreaterEqual
        | Op::LessEqual
        | Op::Where
        | Op::ArgMax(_)
        | Op::LayerNorm
        | Op::Mse => Term::Num(f64::NAN),
    };
    arena.push(term)
}

/// A local-derivative formula with the operands' expressions for `Arg` and the node's
/// own for `Out`.
fn substitute(
    arena: &mut Arena,
    formula: &Formula,
    operands: &[usize],
    out: usize,
) -> Result<usize, TooLarge> {
    let go = |arena: &mut Arena, f: &Formula| substitute(arena, f, operands, out);
    let term = match formula {
        Formula::Num(n) => Term::Num(*n),
        Formula::Arg(i) => match operands.get(*i) {
            Some(&operand) => return Ok(operand),
            None => Term::Num(f64::NAN),
        },
        Formula::Out => return Ok(out),
        Formula::Neg(a) => {
            let a = go(arena, a)?;
            Term::Neg(a)
        }
        Formula::Add(a, b) => {
            let (a, b) = (go(arena, a)?, go(arena, b)?);
            Term::Add(a, b)
        }
        Formula::Sub(a, b) => {
            let (a, b) = (go(arena, a)?, go(arena, b)?);
            Term::Sub(a, b)
        }
        Formula::Mul(a, b) => {
            let (a, b) = (go(arena, a)?, go(arena, b)?);
            Term::Mul(a, b)
        }
        Formula::Div(a, b) => {
            let (a, b) = (go(arena, a)?, go(arena, b)?);
            Term::Div(a, b)
        }
        Formula::Pow(a, b) => {
            let (a, b) = (go(arena, a)?, go(arena, b)?);
            Term::Pow(a, b)
        }
        Formula::Call(function, a) => {
            let a = go(arena, a)?;
            Term::Function(*function, a)
        }
        Formula::Positive(a) => {
            let a = go(arena, a)?;
            Term::Positive(a)
        }
    };
    arena.push(term)
}

#[cfg(test)]
mod tests;
