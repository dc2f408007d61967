//! Work estimates: the floating-point operations of a graph's forward and backward passes,
//! per node and in all, counted from shapes alone so lowering can refuse a program that
//! would freeze a browser tab before anything runs.
//!
//! The counts are estimates of arithmetic, not of time, with one convention per kind of op:
//!
//! - an elementary function (exp, log, sin, cos, tanh, sigmoid, a general power) counts
//!   [`FUNCTION_FLOPS`], as such counts usually do; +, −, ·, /, √, relu and abs count 1;
//! - elementwise ops: their forward rule per output element; backward, per output element
//!   and operand, the operations of its derivative formula (the op table's own `Formula`)
//!   and 2 more (the product with the upstream gradient, the sum into the adjoint);
//! - reductions: 1 per input element each way;
//! - matrix product `[m, k] @ [k, n]`: `2·m·k·n` forward (a multiply and an add per term)
//!   and `4·m·k·n` backward (`Ā = V̄Bᵀ` and `B̄ = AᵀV̄`); a vector operand is one row or
//!   one column; transpose: 1 per element each way;
//! - softmax, log-softmax and cross-entropy: 4 plus an exponential per element each way;
//!   layer norm: 6 per element forward (mean, deviation, its square, scale), 8 backward;
//!   mse: 3 per element forward, 2 per element and operand backward;
//! - leaves (inputs, numbers, literals): nothing; folding constants is counted by lowering.
//!
//! Every computed node is counted backward, as the stepper visits every one.

use super::{Graph, NodeId};
use crate::op::formula::{Formula, Function};
use crate::op::{Kind, Loss, Matrix, Normalization, Op};

/// The most floating-point operations a program's forward and backward pass (plus the
/// constants folded once when it is read) may take.
///
/// 2·10⁸ keeps a pass to about a second of f64 work natively on one core. Measured with
/// `cargo test --release --lib graph::cost::tests::budget_timing -- --ignored --nocapture`
/// (the release profile's `opt-level = "z"`, the build that ships; one core): a pass at the
/// budget takes 0.15–0.2 s when it is all matrix products (`[320, 320] @ [320, 320]`,
/// about 1 GFLOP/s), as does a 2-160-160-2 MLP on a batch of 1024 (1.6·10⁸). Elementwise
/// ops run ten times slower per counted operation (each element goes through the op
/// table's rules), and the 8,388,608 numbers a graph may hold cap them before the budget
/// does: a power, a sigmoid and a division on 1.7 million numbers, as much as fits, count
/// 1.0·10⁸ and take 1.0–1.15 s; a softmax on 2 million, 7.3·10⁷ and 0.4 s.
pub const STEP_BUDGET: u64 = 200_000_000;

/// Operations counted for one elementary function (exp, log, sin, a power…) of one number.
pub const FUNCTION_FLOPS: u64 = 10;

/// One node's work, forward and backward.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Flops {
    pub forward: u64,
    pub backward: u64,
}

impl Flops {
    pub fn total(self) -> u64 {
        self.forward.saturating_add(self.backward)
    }
}

/// A graph's work: each node's, and their sum.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cost {
    /// Indexed by node id.
    pub nodes: Vec<Flops>,
    /// Forward and backward together, over every node.
    pub total: u64,
}

impl Cost {
    /// The node whose forward and backward passes take the most work (the last of equals);
    /// `None` for a graph without work.
    pub fn costliest(&self) -> Option<NodeId> {
        self.nodes
            .iter()
            .enumerate()
            .filter(|(_, flops)| flops.total() > 0)
            .max_by_key(|(_, flops)| flops.total())
            .map(|(id, _)| NodeId(id))
    }
}

/// The work of every node of `graph`, from its shapes.
pub fn cost(graph: &Graph) -> Cost {
    let nodes: Vec<Flops> = graph
        .nodes()
        .iter()
        .map(|node| {
            let inputs: Vec<&[usize]> = node
                .inputs
                .iter()
                .map(|&input| &graph.node(input).shape[..])
                .collect();
            node_flops(node.op, &inputs, &node.shape)
        })
        .collect();
    let total = nodes
        .iter()
        .fold(0u64, |sum, flops| sum.saturating_add(flops.total()));
    Cost { nodes, total }
}

/// The work of one `op` on operands of shapes `inputs` giving `output` (see the module's
/// conventions). Shapes the op would refuse count as if they were valid.
pub fn node_flops(op: Op, inputs: &[&[usize]], output: &[usize]) -> Flops {
    let out = elements(output);
    let first = inputs.first().map_or(0, |shape| elements(shape));
    let operands = inputs.len() as u64;
    let (forward, backward) = match op.kind() {
        Kind::Leaf(_) => (0, 0),
        Kind::Elementwise(rule) => {
            let backward: u64 = rule
                .derivatives()
                .iter()
                .map(|derivative| formula_flops(derivative).saturating_add(2))
                .sum();
            (times(&[out, forward_flops(op)]), times(&[out, backward]))
        }
        Kind::Reduction(..) | Kind::Matrix(Matrix::Transpose) => (first, first),
        Kind::Matrix(Matrix::Product) => {
            let terms = product_terms(inputs);
            (times(&[2, terms]), times(&[4, terms]))
        }
        Kind::Normalization(Normalization::LayerNorm) => (times(&[6, first]), times(&[8, first])),
        Kind::Normalization(Normalization::Softmax | Normalization::LogSoftmax)
        | Kind::Loss(Loss::CrossEntropy) => {
            let per_number = 4 + FUNCTION_FLOPS;
            (times(&[per_number, first]), times(&[per_number, first]))
        }
        Kind::Loss(Loss::Mse) => (times(&[3, first]), times(&[2, first, operands])),
    };
    Flops { forward, backward }
}

/// The operations of an elementwise op's forward rule on one element (0 for the others).
fn forward_flops(op: Op) -> u64 {
    match op {
        Op::Exp | Op::Log | Op::Sin | Op::Cos | Op::Tanh | Op::Sigmoid | Op::Pow => FUNCTION_FLOPS,
        // x·Φ(x): the error function and a multiplication.
        Op::Gelu => FUNCTION_FLOPS + 2,
        Op::PowConst(n) => power_flops(n),
        Op::Add
        | Op::Sub
        | Op::Mul
        | Op::Div
        | Op::Neg
        | Op::Sqrt
        | Op::Relu
        | Op::Abs
        | Op::Identity
        | Op::Detach
        | Op::Step
        | Op::Greater
        | Op::Less
        | Op::GreaterEqual
        | Op::LessEqual
        | Op::Where => 1,
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
        | Op::Mse
        | Op::LayerNorm
        | Op::ArgMax(_) => 0,
    }
}

/// A power by a fixed exponent: a multiplication or two for a small whole one, a function
/// call otherwise.
fn power_flops(exponent: f64) -> u64 {
    if exponent.fract() == 0.0 && exponent.abs() <= 4.0 {
        2
    } else {
        FUNCTION_FLOPS
    }
}

/// The operations of evaluating a derivative formula once.
pub fn formula_flops(formula: &Formula) -> u64 {
    match formula {
        Formula::Num(_) | Formula::Arg(_) | Formula::Out => 0,
        Formula::Neg(a) | Formula::Positive(a) | Formula::Call(Function::Sign, a) => {
            1 + formula_flops(a)
        }
        Formula::Call(
            Function::Ln
            | Function::Sin
            | Function::Cos
            | Function::NormalCdf
            | Function::NormalPdf,
            a,
        ) => FUNCTION_FLOPS + formula_flops(a),
        Formula::Add(a, b) | Formula::Sub(a, b) | Formula::Mul(a, b) | Formula::Div(a, b) => {
            1 + formula_flops(a) + formula_flops(b)
        }
        Formula::Pow(a, b) => {
            let power = match **b {
                Formula::Num(n) => power_flops(n),
                _ => FUNCTION_FLOPS,
            };
            power + formula_flops(a) + formula_flops(b)
        }
    }
}

/// The multiply-adds of `A @ B`: rows × inner × columns, a vector being one row (on the
/// left) or one column (on the right).
fn product_terms(inputs: &[&[usize]]) -> u64 {
    let (rows, inner) = match inputs.first().copied() {
        Some(&[rows, inner]) => (rows, inner),
        Some(&[inner]) => (1, inner),
        _ => (0, 0),
    };
    let cols = match inputs.get(1).copied() {
        Some(&[_, cols]) => cols,
        Some(&[_]) => 1,
        _ => 0,
    };
    times(&[rows as u64, inner as u64, cols as u64])
}

/// How many numbers a tensor of `shape` holds.
pub fn elements(shape: &[usize]) -> u64 {
    shape.iter().fold(1u64, |p, &d| p.saturating_mul(d as u64))
}

/// A product that stops at `u64::MAX` rather than overflowing.
fn times(factors: &[u64]) -> u64 {
    factors.iter().fold(1u64, |p, &f| p.saturating_mul(f))
}

/// `1.2e10`: a count of operations for people, to two significant figures.
pub fn format_flops(flops: u64) -> String {
    if flops < 10_000 {
        flops.to_string()
    } else {
        format!("{:.1e}", flops as f64)
    }
}

#[cfg(test)]
mod tests;
