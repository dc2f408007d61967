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
}

/// An elementwise op's forward rule and local derivatives, side by side.
#[derive(Clone, Copy, Debug)]
pub struct ScalarRule {
    /// The forward rule on one element's operands (the second is NaN for unary ops) and
    /// the op's constant (a fixed exponent; 0 for other ops).
    forward: fn([f64; 2], f64) -> f64,
    /// `∂out/∂operand_i` as formulas over the operands (`Arg`) and the output (`Out`).
    derivatives: fn(f64) -> Vec<Formula>,
    constant: f64,
}

impl ScalarRule {
    /// The forward rule; a missing operand is NaN. Domain errors give NaN or ±∞.
    pub fn apply(&self, args: &[f64]) -> f64 {
        let at = |i: usize| args.get(i).copied().unwrap_or(f64::NAN);
        (self.forward)([at(0), at(1)], self.constant)
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
    forward: fn([f64; 2], f64) -> f64,
    derivatives: fn(f64) -> Vec<Formula>,
) -> Spec {
    elementwise(name, 1, syntax, forward, derivatives, 0.0)
}

/// A binary elementwise op, its operands broadcast together.
fn binary(
    name: &'static str,
    infix: Infix,
    forward: fn([f64; 2], f64) -> f64,
    derivatives: fn(f64) -> Vec<Formula>,
) -> Spec {
    elementwise(name, 2, Syntax::Infix(infix), forward, derivatives, 0.0)
}

fn elementwise(
    name: &'static str,
    arity: usize,
    syntax: Syntax,
    forward: fn([f64; 2], f64) -> f64,
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
    pub const ALL: [Op; 30] = [
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
                |[a, b], _| cancel_to_zero(a + b, a, b),
                |_| vec![one(), one()],
            ),
            Op::Sub => binary(
                "sub",
                Infix::Minus,
                |[a, b], _| cancel_to_zero(a - b, a, b),
                |_| vec![one(), num(-1.0)],
            ),
            Op::Mul => binary(
                "mul",
                Infix::Times,
                |[a, b], _| a * b,
                |_| vec![arg(1), arg(0)],
            ),
            Op::Div => binary(
                "div",
                Infix::Over,
                |[a, b], _| a / b,
                |_| vec![div(one(), arg(1)), neg(div(arg(0), pow(arg(1), num(2.0))))],
            ),
            Op::Neg => unary("neg", Syntax::Negation, |[a, _], _| -a, |_| vec![num(-1.0)]),
            Op::PowConst(n) => elementwise(
                "pow",
                1,
                Syntax::PowerOf(n),
                |[a, _], n| power(a, n),
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
                |[a, b], _| power(a, b),
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
                |[a, _], _| a.exp(),
                |_| vec![out()],
            ),
            Op::Log => unary(
                "log",
                Syntax::Call("log"),
                |[a, _], _| a.ln(),
                |_| vec![div(one(), arg(0))],
            ),
            Op::Sqrt => unary(
                "sqrt",
                Syntax::Call("sqrt"),
                |[a, _], _| a.sqrt(),
                |_| vec![div(one(), mul(num(2.0), out()))],
            ),
            Op::Sin => unary(
                "sin",
                Syntax::Call("sin"),
                |[a, _], _| a.sin(),
                |_| vec![apply(Function::Cos, arg(0))],
            ),
            Op::Cos => unary(
                "cos",
                Syntax::Call("cos"),
                |[a, _], _| a.cos(),
                |_| vec![neg(apply(Function::Sin, arg(0)))],
            ),
            Op::Tanh => unary(
                "tanh",
                Syntax::Call("tanh"),
                |[a, _], _| a.tanh(),
                |_| vec![sub(one(), pow(out(), num(2.0)))],
            ),
            Op::Sigmoid => unary(
                "sigmoid",
                Syntax::Call("sigmoid"),
                |[a, _], _| sigmoid(a),
                |_| vec![mul(out(), sub(one(), out()))],
            ),
            Op::Relu => unary(
                "relu",
                Syntax::Call("relu"),
                |[a, _], _| if a.is_nan() || a > 0.0 { a } else { 0.0 },
                |_| vec![positive(arg(0))],
            ),
            Op::Abs => unary(
                "abs",
                Syntax::Call("abs"),
                |[a, _], _| a.abs(),
                |_| vec![apply(Function::Sign, arg(0))],
            ),
            Op::Gelu => unary(
                "gelu",
                Syntax::Call("gelu"),
                |[a, _], _| a * formula::normal_cdf(a),
                |_| {
                    vec![add(
                        apply(Function::NormalCdf, arg(0)),
                        mul(arg(0), apply(Function::NormalPdf, arg(0))),
                    )]
                },
            ),
            Op::Identity => unary("identity", Syntax::Copy, |[a, _], _| a, |_| vec![one()]),
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
        }
    }
}

/// One of every computed op (powers with several exponents), for tests that must cover
/// them all.
#[cfg(test)]
pub(crate) const SAMPLE_OPS: [Op; 20] = [
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
