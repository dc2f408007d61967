//! Operations: each op's forward rule and its local derivatives, side by side.
//!
//! The local derivative of input `i` is a [`Formula`] over the op's inputs and output;
//! the stepper evaluates it and the renderers print it, e.g. `∂v4/∂x1 = v3 = 7`.

use super::formula::build::*;
use super::formula::{Formula, Function, power};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// A value supplied from outside (a free variable or a binding to a constant).
    Input,
    /// A literal number inside an expression.
    Const(f64),
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
    /// `name = other_name`: a copy, so the binding gets a node of its own.
    Identity,
    /// A constant tensor (a literal such as `[1, 2]` or `zeros([3])` inside an
    /// expression); its value is the node's `value`.
    Literal,
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

/// The tensor functions callable from a program, with their ops. Reductions take an
/// optional constant axis as a second argument.
pub const TENSOR_FUNCTIONS: [(&str, Op); 8] = [
    ("sum", Op::Sum(None)),
    ("mean", Op::Mean(None)),
    ("max", Op::Max(None)),
    ("softmax", Op::Softmax),
    ("log_softmax", Op::LogSoftmax),
    ("cross_entropy", Op::CrossEntropy),
    ("mse", Op::Mse),
    ("transpose", Op::Transpose),
];

/// How an op is written, for rendering its forward rule.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Notation {
    Leaf,
    Infix(&'static str),
    Prefix(&'static str),
    /// `a^n`, with the exponent stored in the op.
    PowerOf(f64),
    Call(&'static str),
}

/// The scalar functions callable from a program, with the op each one lowers to.
pub const FUNCTIONS: [(&str, Op); 9] = [
    ("exp", Op::Exp),
    ("log", Op::Log),
    ("sqrt", Op::Sqrt),
    ("sin", Op::Sin),
    ("cos", Op::Cos),
    ("tanh", Op::Tanh),
    ("sigmoid", Op::Sigmoid),
    ("relu", Op::Relu),
    ("abs", Op::Abs),
];

impl Op {
    /// The function called `name` in a program, if any (reductions over all elements).
    pub fn function(name: &str) -> Option<Op> {
        FUNCTIONS
            .iter()
            .chain(&TENSOR_FUNCTIONS)
            .find(|(n, _)| *n == name)
            .map(|(_, op)| *op)
    }

    /// Whether the op applies a scalar rule element by element (with broadcasting), so its
    /// local derivatives are the [`Formula`]s of [`Op::local_derivatives`]. The other
    /// computed ops are tensor ops whose backward is a vector-Jacobian product.
    pub fn is_elementwise(self) -> bool {
        !self.is_leaf() && self.function_name_in(&TENSOR_FUNCTIONS).is_none() && self != Op::MatMul
    }

    /// The same op reducing over `axis` (reductions only; others are returned unchanged).
    pub fn with_axis(self, axis: Axis) -> Op {
        match self {
            Op::Sum(_) => Op::Sum(axis),
            Op::Mean(_) => Op::Mean(axis),
            Op::Max(_) => Op::Max(axis),
            other => other,
        }
    }

    /// The axis of a reduction.
    pub fn axis(self) -> Option<Axis> {
        match self {
            Op::Sum(axis) | Op::Mean(axis) | Op::Max(axis) => Some(axis),
            _ => None,
        }
    }

    /// The op's name as printed in JSON and the graph view.
    pub fn name(self) -> &'static str {
        match self {
            Op::Input => "input",
            Op::Const(_) => "const",
            Op::Add => "add",
            Op::Sub => "sub",
            Op::Mul => "mul",
            Op::Div => "div",
            Op::Neg => "neg",
            Op::PowConst(_) | Op::Pow => "pow",
            Op::Identity => "identity",
            Op::Literal => "literal",
            Op::MatMul => "matmul",
            other => other.function_name().unwrap_or("?"),
        }
    }

    fn function_name(self) -> Option<&'static str> {
        self.function_name_in(&FUNCTIONS)
            .or_else(|| self.function_name_in(&TENSOR_FUNCTIONS))
    }

    fn function_name_in(self, table: &[(&'static str, Op)]) -> Option<&'static str> {
        let plain = self.with_axis(None);
        table.iter().find(|(_, op)| *op == plain).map(|(n, _)| *n)
    }

    pub fn arity(self) -> usize {
        match self {
            Op::Input | Op::Const(_) | Op::Literal => 0,
            Op::Add | Op::Sub | Op::Mul | Op::Div | Op::Pow => 2,
            Op::MatMul | Op::CrossEntropy | Op::Mse => 2,
            _ => 1,
        }
    }

    pub fn is_leaf(self) -> bool {
        self.arity() == 0
    }

    /// Constants (numbers and literal tensors) are leaves with no step and no adjoint.
    pub fn is_constant(self) -> bool {
        matches!(self, Op::Const(_) | Op::Literal)
    }

    pub fn notation(self) -> Notation {
        match self {
            Op::Input | Op::Const(_) | Op::Literal => Notation::Leaf,
            Op::Add => Notation::Infix("+"),
            Op::MatMul => Notation::Infix("@"),
            Op::Sub => Notation::Infix("−"),
            Op::Mul => Notation::Infix("·"),
            Op::Div => Notation::Infix("/"),
            Op::Pow => Notation::Infix("^"),
            Op::Neg => Notation::Prefix("−"),
            Op::PowConst(n) => Notation::PowerOf(n),
            Op::Identity => Notation::Call(""),
            other => Notation::Call(other.function_name().unwrap_or("?")),
        }
    }

    /// The forward rule. Leaves return their constant (inputs: NaN; the stepper supplies them).
    /// Domain errors give NaN or ±∞, never a panic.
    pub fn apply(self, args: &[f64]) -> f64 {
        let a = args.first().copied().unwrap_or(f64::NAN);
        let b = args.get(1).copied().unwrap_or(f64::NAN);
        match self {
            Op::Input | Op::Literal => f64::NAN,
            Op::Const(c) => c,
            Op::Add => cancel_to_zero(a + b, a, b),
            Op::Sub => cancel_to_zero(a - b, a, b),
            Op::Mul => a * b,
            Op::Div => a / b,
            Op::Neg => -a,
            Op::PowConst(n) => power(a, n),
            Op::Pow => power(a, b),
            Op::Exp => a.exp(),
            Op::Log => a.ln(),
            Op::Sqrt => a.sqrt(),
            Op::Sin => a.sin(),
            Op::Cos => a.cos(),
            Op::Tanh => a.tanh(),
            Op::Sigmoid => sigmoid(a),
            Op::Relu if a.is_nan() => f64::NAN,
            Op::Relu => {
                if a > 0.0 {
                    a
                } else {
                    0.0
                }
            }
            Op::Abs => a.abs(),
            Op::Identity => a,
            // Tensor ops have no scalar rule; `tensor::ops` runs them.
            _ => f64::NAN,
        }
    }

    /// The local derivative `∂out/∂input_i` for each input, as formulas over the inputs
    /// (`Arg`) and the output (`Out`). Reusing the output where the math allows (exp,
    /// sigmoid, tanh, sqrt) is what the backward pass records forward values for.
    /// Leaves and tensor ops have none: a tensor op's backward is its vector-Jacobian
    /// product in `tensor::ops`.
    pub fn local_derivatives(self) -> Vec<Formula> {
        let one = || num(1.0);
        match self {
            Op::Add => vec![one(), one()],
            Op::Sub => vec![one(), num(-1.0)],
            Op::Mul => vec![arg(1), arg(0)],
            Op::Div => vec![div(one(), arg(1)), neg(div(arg(0), pow(arg(1), num(2.0))))],
            Op::Neg => vec![num(-1.0)],
            Op::PowConst(n) => vec![match n - 1.0 {
                0.0 => num(n),
                1.0 => mul(num(n), arg(0)),
                m => mul(num(n), pow(arg(0), num(m))),
            }],
            Op::Pow => vec![
                mul(arg(1), pow(arg(0), sub(arg(1), one()))),
                mul(out(), call(Function::Ln, arg(0))),
            ],
            Op::Exp => vec![out()],
            Op::Log => vec![div(one(), arg(0))],
            Op::Sqrt => vec![div(one(), mul(num(2.0), out()))],
            Op::Sin => vec![call(Function::Cos, arg(0))],
            Op::Cos => vec![neg(call(Function::Sin, arg(0)))],
            Op::Tanh => vec![sub(one(), pow(out(), num(2.0)))],
            Op::Sigmoid => vec![mul(out(), sub(one(), out()))],
            Op::Relu => vec![positive(arg(0))],
            Op::Abs => vec![call(Function::Sign, arg(0))],
            Op::Identity => vec![one()],
            _ => vec![],
        }
    }
}

/// One of every computed op (powers with several exponents), for tests that must cover
/// them all.
#[cfg(test)]
pub(crate) const SAMPLE_OPS: [Op; 19] = [
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
