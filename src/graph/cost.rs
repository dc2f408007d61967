//! Work estimates: the floating-point operations of a graph's forward and backward passes,
//! per node and in all, counted from shapes alone so lowering can refuse a program that
//! would freeze a browser tab before anything runs.
//!
//! The counts are estimates of arithmetic, not of time, with one convention per kind of op:
//!
//! - elementwise: 1 per output element forward; 2 per output element and operand backward
//!   (the local derivative, then its product with the upstream gradient);
//! - reductions: 1 per input element each way;
//! - matrix product `[m, k] @ [k, n]`: `2·m·k·n` forward (a multiply and an add per term)
//!   and `4·m·k·n` backward (`Ā = V̄Bᵀ` and `B̄ = AᵀV̄`); a vector operand is one row or
//!   one column; transpose: 1 per element each way;
//! - softmax and log-softmax: 4 per element each way (max, exp, sum, divide);
//! - cross-entropy: 4 per logit each way; mse: 3 per element forward, 2 per element and
//!   operand backward;
//! - leaves (inputs, numbers, literals): nothing; folding constants is counted by lowering.
//!
//! Every computed node is counted backward, as the stepper visits every one.

use super::{Graph, NodeId};
use crate::op::{Kind, Loss, Matrix, Op};

/// The most floating-point operations a program's forward and backward pass (plus the
/// constants folded once when it is read) may take.
///
/// 2·10⁸ keeps a pass under about a second of f64 work natively on one core, with room to
/// spare for a browser tab (wasm is slower, and the page must stay responsive). Measured
/// with `cargo test --release --lib graph::cost::tests::budget_timing -- --ignored
/// --nocapture` on one core: a pass right at the budget takes 0.09 s when it is all matrix
/// products (`[460, 460] @ [460, 460]`, 2.2 GFLOP/s) and 0.7 s when it is all elementwise
/// ops (`sigmoid` and `*` on `[1024, 1024]`, whose backward interprets derivative formulas
/// element by element: 0.28 GFLOP/s). `backprop train` runs one such pass per step.
pub const STEP_BUDGET: u64 = 200_000_000;

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
        Kind::Elementwise(_) => (out, times(&[2, out, operands])),
        Kind::Reduction(..) | Kind::Matrix(Matrix::Transpose) => (first, first),
        Kind::Matrix(Matrix::Product) => {
            let terms = product_terms(inputs);
            (times(&[2, terms]), times(&[4, terms]))
        }
        Kind::Normalization(_) | Kind::Loss(Loss::CrossEntropy) => {
            (times(&[4, first]), times(&[4, first]))
        }
        Kind::Loss(Loss::Mse) => (times(&[3, first]), times(&[2, first, operands])),
    };
    Flops { forward, backward }
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
