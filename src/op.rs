//! The op table: every operation a program can use, one row per op with its name, arity,
//! kind, syntax and (for elementwise ops) forward rule and local derivatives side by side.
//!
//! It is the bottom floor of the engine: the graph, the tensor kernels, the GPU backend and
//! the renderers all read it, and it reads none of them. Every `match` on [`Op`] names every
//! variant, so a new op does not compile until each place that must know it does (see
//! "How to add an op" in `ARCHITECTURE.md`).

pub mod formula;

use formula::build::*;
use formula::{Formula, Function, power};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// A value supplied from outside (a free variable or a binding to a constant).
    Input,
    /// A literal number inside an expression.
    Const(f64),
    /// A constant tensor (a literal such as `[1, 2]` or `zeros([3])` inside an
    /// expression); its value is the node's `value`.
    Literal,
    Add,
    Sub,
    Mul,
    Div,
    Neg,
    /// `a^n` with a constant exponent `n`.
    PowConst(f64),
    /// `a^b` with both sides computed.
    Pow,
    Exp,
    Log,
    Sqrt,
    Sin,
    Cos,
    Tanh,
    Sigmoid,
    Relu,
    Abs,
    /// The Gaussian error linear unit `x·Φ(x)`, exact (erf) form as PyTorch's default.
    Gelu,
    /// `name = other_name`: a copy, so the binding gets a node of its own.
    Identity,
    /// `detach(a)`: the value of `a`, but no gradient flows back through it (a
    /// stop-gradient, PyTorch's `.detach()`): its local derivative is 0 by decree.
    Detach,
    /// `step(a)`: 1 where `a > 0`, else 0. Its derivative is 0 wherever it exists.
    Step,
    /// `a > b`: 1 or 0, element by element; no gradient reaches either side.
    Greater,
    /// `a < b`.
    Less,
    /// `a >= b`.
    GreaterEqual,
    /// `a <= b`.
    LessEqual,
    /// `where(c, a, b)`: `a` where `c > 0`, else `b`; the gradient goes only to the branch
    /// chosen, none to the condition.
    Where,
    /// Matrix product `A @ B` (matrix or vector operands).
    MatMul,
    /// The 2-D transpose `Aᵀ`.
    Transpose,
    /// The sum of all elements, or along one axis.
    Sum(Axis),
    /// The mean of all elements, or along one axis.
    Mean(Axis),
    /// The maximum of all elements, or along one axis.
    Max(Axis),
    /// Softmax along the last axis.
    Softmax,
    /// Log-softmax along the last axis.
    LogSoftmax,
    /// Layer normalization along the last axis: `(a − mean) / √(variance + ε)`, with
    /// ε = 1e-5 as PyTorch's default (no learned scale or shift: multiply and add them).
    LayerNorm,
    /// The index of the largest element, of all (row-major) or along one axis; the first
    /// one on ties. A selection: no gradient.
    ArgMax(Axis),
    /// `cross_entropy(logits [N, C], labels [N])`: the mean negative log-likelihood.
    CrossEntropy,
    /// `mse(prediction, target)`: the mean squared difference of equal shapes.
    Mse,
}

/// What a reduction runs over: every element (`None`) or one axis.
pub type Axis = Option<usize>;

/// One row of the op table.
#[derive(Clone, Copy, Debug)]
pub struct Spec {
    /// The name in JSON, the graph view and (for calls) the program.
    pub name: &'static str,
    /// How many operands the op reads.
    pub arity: usize,
    pub kind: Kind,
    pub syntax: Syntax,
}

/// What kind of rule an op has, and so which tensor module runs it.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    /// An input, a number or a literal tensor: no rule, no step, no gradient of its own.
    Leaf(Leaf),
    /// A scalar rule applied element by element (two operands broadcast together); its
    /// backward is the local derivatives times the upstream gradient.
    Elementwise(ScalarRule),
    /// Over every element or one axis.
    Reduction(Reduction, Axis),
    /// Matrix product and transpose; backward by vector-Jacobian products.
    Matrix(Matrix),
    /// Along the last axis, row by row.
    Normalization(Normalization),
    /// A loss: two operands to one number. Class labels receive no gradient.
    Loss(Loss),
}

/// The leaves: where values come from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Leaf {
    /// Supplied from outside (a program's input or a parameter).
    Input,
    /// A number written in the program.
    Number(f64),
    /// A constant tensor, its value stored in the node.
    Literal,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reduction {
    Sum,
    Mean,
    Max,
    /// Where the maximum is: an index, so nothing flows back.
    ArgMax,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Matrix {
    Product,
    Transpose,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Normalization {
    Softmax,
    LogSoftmax,
    LayerNorm,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loss {
    CrossEntropy,
    Mse,
}

/// How an op is written in a program and in a rendered forward rule.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Syntax {
    /// A leaf: its name or its number.
    Leaf,
    /// `name = other`: the operand itself.
    Copy,
    /// `a + b`, `A @ B`.
    Infix(Infix),
    /// `−a`.
    Negation,
    /// `a^n`, with the exponent stored in the op.
    PowerOf(f64),
    /// `name(a)` or `name(a, axis)`.
    Call(&'static str),
}

/// The binary operators of the language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Infix {
    Plus,
    Minus,
    Times,
    Over,
    Power,
    MatMul,
    Greater,
    Less,
    GreaterEqual,
    LessEqual,
}

/// An elementwise op's forward rule and local derivatives, side by side.
#[derive(Clone, Copy, Debug)]
pub struct ScalarRule {
    /// The forward rule on one element's operands (missing ones are NaN) and
    /// the op's constant (a fixed exponent; 0 for other ops).
    forward: fn([f64; 3], f64) -> f64,
    /// `∂out/∂operand_i` as formulas over the operands (`Arg`) and the output (`Out`).
    derivatives: fn(f64) -> Vec<Formula>,
    constant: f64,
}

impl ScalarRule {
    /// The forward rule; a missing operand is NaN. Domain errors give NaN or ±∞.
    pub fn apply(&self, args: &[f64]) -> f64 {
        let at = |i: usize| args.get(i).copied().unwrap_or(f64::NAN);
        (self.forward)([at(0), at(1), at(2)], self.constant)
    }

    /// The local derivative for each operand. Reusing the output where the math allows
    /// (exp, sigmoid, tanh, sqrt) is what the backward pass records forward values for.
    pub fn derivatives(&self) -> Vec<Formula> {
        (self.derivatives)(self.constant)
    }
}

/// A unary elementwise op.
fn unary(
    name: &'static str,
    syntax: Syntax,
    forward: fn([f64; 3], f64) -> f64,
    derivatives: fn(f64) -> Vec<Formula>,
) -> Spec {
    elementwise(name, 1, syntax, forward, derivatives, 0.0)
}

/// A comparison: 1 where it holds, 0 where not, NaN where an operand is NaN; its local
/// derivatives are 0 (a step has no slope away from its edge, and none is defined on it).
fn comparison(name: &'static str, infix: Infix, forward: fn([f64; 3], f64) -> f64) -> Spec {
    binary(name, infix, forward, |_| vec![num(0.0), num(0.0)])
}

/// 1 or 0 for a truth value, NaN where an operand is NaN.
fn truth(holds: bool, a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else if holds {
        1.0
    } else {
        0.0
    }
}

/// A binary elementwise op, its operands broadcast together.
fn binary(
    name: &'static str,
    infix: Infix,
    forward: fn([f64; 3], f64) -> f64,
    derivatives: fn(f64) -> Vec<Formula>,
) -> Spec {
    elementwise(name, 2, Syntax::Infix(infix), forward, derivatives, 0.0)
}

fn elementwise(
    name: &'static str,
    arity: usize,
    syntax: Syntax,
    forward: fn([f64; 3], f64) -> f64,
    derivatives: fn(f64) -> Vec<Formula>,
    constant: f64,
) -> Spec {
    let rule = ScalarRule {
        forward,
        derivatives,
        constant,
    };
    Spec {
        name,
        arity,
        kind: Kind::Elementwise(rule),
        syntax,
    }
}

/// A function called by name with `arity` operands.
fn call(name: &'static str, arity: usize, kind: Kind) -> Spec {
    Spec {
        name,
        arity,
        kind,
        syntax: Syntax::Call(name),
    }
}

fn leaf(name: &'static str, leaf: Leaf) -> Spec {
    Spec {
        name,
        arity: 0,
        kind: Kind::Leaf(leaf),
        syntax: Syntax::Leaf,
    }
}

fn one() -> Formula {
    num(1.0)
}

impl Op {
    /// Every op, once (reductions over everything, `Const(0)`, `PowConst(2)`): the
    /// functions a program can call are found here by name.
    pub const ALL: [Op; 39] = [
        Op::Input,
        Op::Const(0.0),
        Op::Literal,
        Op::Add,
        Op::Sub,
        Op::Mul,
        Op::Div,
        Op::Neg,
        Op::PowConst(2.0),
        Op::Pow,
        Op::Exp,
        Op::Log,
        Op::Sqrt,
        Op::Sin,
        Op::Cos,
        Op::Tanh,
        Op::Sigmoid,
        Op::Relu,
        Op::Abs,
        Op::Gelu,
        Op::Identity,
        Op::MatMul,
        Op::Transpose,
        Op::Sum(None),
        Op::Mean(None),
        Op::Max(None),
        Op::Softmax,
        Op::LogSoftmax,
        Op::CrossEntropy,
        Op::Mse,
        Op::Detach,
        Op::Step,
        Op::Greater,
        Op::Less,
        Op::GreaterEqual,
        Op::LessEqual,
        Op::Where,
        Op::LayerNorm,
        Op::ArgMax(None),
    ];

    /// The op's row in the table: one arm per op, no wildcard.
    pub fn spec(self) -> Spec {
        use formula::build::call as apply;
        match self {
            Op::Input => leaf("input", Leaf::Input),
            Op::Const(c) => leaf("const", Leaf::Number(c)),
            Op::Literal => leaf("literal", Leaf::Literal),
            Op::Add => binary(
                "add",
                Infix::Plus,
                |[a, b, _], _| cancel_to_zero(a + b, a, b),
                |_| vec![one(), one()],
            ),
            Op::Sub => binary(
                "sub",
                Infix::Minus,
                |[a, b, _], _| cancel_to_zero(a - b, a, b),
                |_| vec![one(), num(-1.0)],
            ),
            Op::Mul => binary(
                "mul",
                Infix::Times,
                |[a, b, _], _| a * b,
                |_| vec![arg(1), arg(0)],
            ),
            Op::Div => binary(
                "div",
                Infix::Over,
                |[a, b, _], _| a / b,
                |_| vec![div(one(), arg(1)), neg(div(arg(0), pow(arg(1), num(2.0))))],
            ),
            Op::Neg => unary(
                "neg",
                Syntax::Negation,
                |[a, ..], _| -a,
                |_| vec![num(-1.0)],
            ),
            Op::PowConst(n) => elementwise(
                "pow",
                1,
                Syntax::PowerOf(n),
                |[a, ..], n| power(a, n),
                |n| {
                    vec![match n - 1.0 {
                        0.0 => num(n),
                        1.0 => mul(num(n), arg(0)),
                        m => mul(num(n), pow(arg(0), num(m))),
                    }]
                },
                n,
            ),
            Op::Pow => binary(
                "pow",
                Infix::Power,
                |[a, b, _], _| power(a, b),
                |_| {
                    vec![
                        mul(arg(1), pow(arg(0), sub(arg(1), one()))),
                        mul(out(), apply(Function::Ln, arg(0))),
                    ]
                },
            ),
            Op::Exp => unary(
                "exp",
                Syntax::Call("exp"),
                |[a, ..], _| a.exp(),
                |_| vec![out()],
            ),
            Op::Log => unary(
                "log",
                Syntax::Call("log"),
                |[a, ..], _| a.ln(),
                |_| vec![div(one(), arg(0))],
            ),
            Op::Sqrt => unary(
                "sqrt",
                Syntax::Call("sqrt"),
                |[a, ..], _| a.sqrt(),
                |_| vec![div(one(), mul(num(2.0), out()))],
            ),
            Op::Sin => unary(
                "sin",
                Syntax::Call("sin"),
                |[a, ..], _| a.sin(),
                |_| vec![apply(Function::Cos, arg(0))],
            ),
            Op::Cos => unary(
                "cos",
                Syntax::Call("cos"),
                |[a, ..], _| a.cos(),
                |_| vec![neg(apply(Function::Sin, arg(0)))],
            ),
            Op::Tanh => unary(
                "tanh",
                Syntax::Call("tanh"),
                |[a, ..], _| a.tanh(),
                |_| vec![sub(one(), pow(out(), num(2.0)))],
            ),
            Op::Sigmoid => unary(
                "sigmoid",
                Syntax::Call("sigmoid"),
                |[a, ..], _| sigmoid(a),
                |_| vec![mul(out(), sub(one(), out()))],
            ),
            Op::Relu => unary(
                "relu",
                Syntax::Call("relu"),
                |[a, ..], _| if a.is_nan() || a > 0.0 { a } else { 0.0 },
                |_| vec![positive(arg(0))],
            ),
            Op::Abs => unary(
                "abs",
                Syntax::Call("abs"),
                |[a, ..], _| a.abs(),
                |_| vec![apply(Function::Sign, arg(0))],
            ),
            Op::Gelu => unary(
                "gelu",
                Syntax::Call("gelu"),
                |[a, ..], _| a * formula::normal_cdf(a),
                |_| {
                    vec![add(
                        apply(Function::NormalCdf, arg(0)),
                        mul(arg(0), apply(Function::NormalPdf, arg(0))),
                    )]
                },
            ),
            Op::Identity => unary("identity", Syntax::Copy, |[a, ..], _| a, |_| vec![one()]),
            Op::Detach => unary(
                "detach",
                Syntax::Call("detach"),
                |[a, ..], _| a,
                |_| vec![num(0.0)],
            ),
            Op::Step => unary(
                "step",
                Syntax::Call("step"),
                |[a, ..], _| truth(a > 0.0, a, 0.0),
                |_| vec![num(0.0)],
            ),
            Op::Greater => comparison("gt", Infix::Greater, |[a, b, _], _| truth(a > b, a, b)),
            Op::Less => comparison("lt", Infix::Less, |[a, b, _], _| truth(a < b, a, b)),
            Op::GreaterEqual => comparison("ge", Infix::GreaterEqual, |[a, b, _], _| {
                truth(a >= b, a, b)
            }),
            Op::LessEqual => comparison("le", Infix::LessEqual, |[a, b, _], _| truth(a <= b, a, b)),
            Op::Where => elementwise(
                "where",
                3,
                Syntax::Call("where"),
                |[c, a, b], _| {
                    if c.is_nan() {
                        c
                    } else if c > 0.0 {
                        a
                    } else {
                        b
                    }
                },
                |_| vec![num(0.0), positive(arg(0)), sub(one(), positive(arg(0)))],
                0.0,
            ),
            Op::MatMul => Spec {
                name: "matmul",
                arity: 2,
                kind: Kind::Matrix(Matrix::Product),
                syntax: Syntax::Infix(Infix::MatMul),
            },
            Op::Transpose => call("transpose", 1, Kind::Matrix(Matrix::Transpose)),
            Op::Sum(axis) => call("sum", 1, Kind::Reduction(Reduction::Sum, axis)),
            Op::Mean(axis) => call("mean", 1, Kind::Reduction(Reduction::Mean, axis)),
            Op::Max(axis) => call("max", 1, Kind::Reduction(Reduction::Max, axis)),
            Op::Softmax => call("softmax", 1, Kind::Normalization(Normalization::Softmax)),
            Op::LogSoftmax => call(
                "log_softmax",
                1,
                Kind::Normalization(Normalization::LogSoftmax),
            ),
            Op::CrossEntropy => call("cross_entropy", 2, Kind::Loss(Loss::CrossEntropy)),
            Op::Mse => call("mse", 2, Kind::Loss(Loss::Mse)),
            Op::LayerNorm => call(
                "layer_norm",
                1,
                Kind::Normalization(Normalization::LayerNorm),
            ),
            Op::ArgMax(axis) => call("argmax", 1, Kind::Reduction(Reduction::ArgMax, axis)),
        }
    }

    /// The function called `name` in a program, if any (reductions over all elements).
    pub fn function(name: &str) -> Option<Op> {
        Op::ALL
            .into_iter()
            .find(|op| matches!(op.syntax(), Syntax::Call(call) if call == name))
    }

    /// The names a program can call, for suggestions.
    pub fn function_names() -> impl Iterator<Item = &'static str> {
        Op::ALL.into_iter().filter_map(|op| match op.syntax() {
            Syntax::Call(name) => Some(name),
            Syntax::Leaf
            | Syntax::Copy
            | Syntax::Infix(_)
            | Syntax::Negation
            | Syntax::PowerOf(_) => None,
        })
    }

    /// Whether the op stops the gradient on purpose (`detach`): its local derivative is 0
    /// although its forward rule has slope 1, so a gradient check that perturbs through it
    /// disagrees, as it should.
    pub fn stops_gradient(self) -> bool {
        matches!(self, Op::Detach)
    }

    /// Whether any gradient reaches operand `position`: none reaches the class labels of
    /// `cross_entropy`, the condition of `where`, nor anything through `detach`, `step`,
    /// a comparison or `argmax` (their local derivatives are the number 0). Backends send
    /// such operands nothing (a zero adjoint), so not even a NaN flows back through them.
    pub fn passes_gradient_to(self, position: usize) -> bool {
        match self.kind() {
            Kind::Elementwise(rule) => rule
                .derivatives()
                .get(position)
                .is_some_and(|formula| *formula != Formula::Num(0.0)),
            Kind::Reduction(Reduction::ArgMax, _) => false,
            Kind::Loss(Loss::CrossEntropy) => position == 0,
            Kind::Leaf(_)
            | Kind::Reduction(..)
            | Kind::Matrix(_)
            | Kind::Normalization(_)
            | Kind::Loss(Loss::Mse) => position < self.arity(),
        }
    }

    /// Whether the op passes no gradient to any operand: detach, steps, comparisons and
    /// argmax, the selections of the pitfalls.
    pub fn passes_no_gradient(self) -> bool {
        self.arity() > 0 && (0..self.arity()).all(|position| !self.passes_gradient_to(position))
    }

    /// The op's name as printed in JSON and the graph view.
    pub fn name(self) -> &'static str {
        self.spec().name
    }

    pub fn arity(self) -> usize {
        self.spec().arity
    }

    pub fn kind(self) -> Kind {
        self.spec().kind
    }

    pub fn syntax(self) -> Syntax {
        self.spec().syntax
    }

    /// What kind of leaf the op is; `None` for computed ops.
    pub fn leaf(self) -> Option<Leaf> {
        match self.kind() {
            Kind::Leaf(leaf) => Some(leaf),
            Kind::Elementwise(_)
            | Kind::Reduction(..)
            | Kind::Matrix(_)
            | Kind::Normalization(_)
            | Kind::Loss(_) => None,
        }
    }

    pub fn is_leaf(self) -> bool {
        self.leaf().is_some()
    }

    /// Constants (numbers and literal tensors) are leaves with no step and no adjoint.
    pub fn is_constant(self) -> bool {
        matches!(self.kind(), Kind::Leaf(Leaf::Number(_) | Leaf::Literal))
    }

    /// The scalar rule of an elementwise op; `None` for leaves and tensor ops.
    pub fn scalar_rule(self) -> Option<ScalarRule> {
        match self.kind() {
            Kind::Elementwise(rule) => Some(rule),
            Kind::Leaf(_)
            | Kind::Reduction(..)
            | Kind::Matrix(_)
            | Kind::Normalization(_)
            | Kind::Loss(_) => None,
        }
    }

    /// Whether the op applies a scalar rule element by element (with broadcasting), so its
    /// local derivatives are the [`Formula`]s of [`Op::local_derivatives`]. The other
    /// computed ops are tensor ops whose backward is a vector-Jacobian product.
    pub fn is_elementwise(self) -> bool {
        self.scalar_rule().is_some()
    }

    /// The forward rule of an elementwise op on one element's operands; NaN for the
    /// others (leaves get their values from the graph, tensor ops run in `tensor`).
    pub fn apply(self, args: &[f64]) -> f64 {
        self.scalar_rule().map_or(f64::NAN, |rule| rule.apply(args))
    }

    /// The local derivative `∂out/∂input_i` of an elementwise op for each input. Leaves
    /// and tensor ops have none: a tensor op's backward is its vector-Jacobian product in
    /// `tensor::ops`.
    pub fn local_derivatives(self) -> Vec<Formula> {
        self.scalar_rule()
            .map_or_else(Vec::new, |rule| rule.derivatives())
    }

    /// The same op reducing over `axis` (reductions only; others are returned unchanged).
    pub fn with_axis(self, axis: Axis) -> Op {
        match self.kind() {
            Kind::Reduction(reduction, _) => reduction.over(axis),
            Kind::Leaf(_)
            | Kind::Elementwise(_)
            | Kind::Matrix(_)
            | Kind::Normalization(_)
            | Kind::Loss(_) => self,
        }
    }

    /// The axis of a reduction.
    pub fn axis(self) -> Option<Axis> {
        match self.kind() {
            Kind::Reduction(_, axis) => Some(axis),
            Kind::Leaf(_)
            | Kind::Elementwise(_)
            | Kind::Matrix(_)
            | Kind::Normalization(_)
            | Kind::Loss(_) => None,
        }
    }
}

impl Reduction {
    /// The op that reduces this way over `axis`.
    pub fn over(self, axis: Axis) -> Op {
        match self {
            Reduction::Sum => Op::Sum(axis),
            Reduction::Mean => Op::Mean(axis),
            Reduction::Max => Op::Max(axis),
            Reduction::ArgMax => Op::ArgMax(axis),
        }
    }
}

/// One of every computed op (powers with several exponents), for tests that must cover
/// them all.
#[cfg(test)]
pub(crate) const SAMPLE_OPS: [Op; 27] = [
    Op::Add,
    Op::Sub,
    Op::Mul,
    Op::Div,
    Op::Neg,
    Op::PowConst(2.0),
    Op::PowConst(3.0),
    Op::PowConst(-0.5),
    Op::Pow,
    Op::Exp,
    Op::Log,
    Op::Sqrt,
    Op::Sin,
    Op::Cos,
    Op::Tanh,
    Op::Sigmoid,
    Op::Relu,
    Op::Abs,
    Op::Gelu,
    Op::Identity,
    Op::Detach,
    Op::Step,
    Op::Greater,
    Op::Less,
    Op::GreaterEqual,
    Op::LessEqual,
    Op::Where,
];

/// A sum that cancels to within a few units in the last place of its operands is taken as
/// exactly 0. Programs are written in decimals, and `0.5·1 − 0.3·2 + 0.1` should be 0, not
/// the 2.8e-17 that binary rounding leaves: the difference decides which side of a kink
/// (relu, abs) a value falls on, and the seeds' 2-3-1 network has a neuron exactly at 0.
fn cancel_to_zero(sum: f64, a: f64, b: f64) -> f64 {
    const ULPS: f64 = 4.0;
    if sum != 0.0 && sum.abs() <= ULPS * f64::EPSILON * a.abs().max(b.abs()) {
        0.0
    } else {
        sum
    }
}

/// The logistic function, computed without overflow for large |x|.
fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

#[cfg(test)]
mod tests;
