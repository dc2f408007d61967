//! Four ways to compute a derivative, side by side for one program at its current inputs:
//! symbolic differentiation (the derivative expressions and their size as trees),
//! finite differences (value and error over a sweep of h), forward mode (one pass per
//! input) and reverse mode (one pass), each checked against the reverse-mode gradient.

pub mod counts;
pub mod finite;
pub mod symbolic;

use super::scalar_program::{self, ScalarProgramError};
use super::stepper::EngineError;
use crate::graph::{Graph, NodeId};
use crate::tensor::Tensor;
use thiserror::Error;

pub use counts::Run;
pub use finite::Sweep;

#[derive(Clone, Debug, PartialEq, Error)]
pub enum FourWaysError {
    #[error(transparent)]
    Scalar(#[from] ScalarProgramError),
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(
        "the symbolic derivative needs more than {} shared terms; the program is too large to differentiate symbolically",
        symbolic::MAX_TERMS
    )]
    TooLarge,
    #[error(
        "forward mode and finite differences run the program {runs} times for its {inputs} inputs; more than {} node evaluations in all is too much work",
        MAX_WORK
    )]
    TooMuchWork { inputs: usize, runs: usize },
}

/// The most node evaluations the forward-mode passes and the h sweeps may take together
/// (each input: one forward-mode pass and 31 evaluations of the program).
pub const MAX_WORK: usize = 5_000_000;

impl From<symbolic::TooLarge> for FourWaysError {
    fn from(_: symbolic::TooLarge) -> FourWaysError {
        FourWaysError::TooLarge
    }
}

/// One input's derivative, four ways.
#[derive(Clone, Debug, PartialEq)]
pub struct InputReport {
    pub input: NodeId,
    pub name: String,
    /// The input's value.
    pub at: f64,
    /// The reverse-mode gradient every other way is compared with.
    pub gradient: f64,
    /// The symbolic derivative's value at the inputs.
    pub symbolic: f64,
    /// Its size as a tree (no sharing; saturating); 1 for a derivative that is 0.
    pub symbolic_size: u64,
    /// Its text, when at most [`symbolic::MAX_WRITTEN`] nodes.
    pub symbolic_text: Option<String>,
    /// The tangent of the output in this input's forward-mode pass.
    pub forward_mode: f64,
    pub finite_differences: Sweep,
}

/// The whole comparison.
#[derive(Clone, Debug, PartialEq)]
pub struct FourWays {
    pub output: f64,
    /// The output as an expression over the inputs: its size as a tree.
    pub expression_size: u64,
    /// The graph's computed nodes (each computed once: the shared form).
    pub graph_nodes: usize,
    pub inputs: Vec<InputReport>,
    pub forward_mode: Run,
    pub reverse_mode: Run,
}

impl FourWays {
    /// Reverse mode's whole pass over its forward steps: the gradient's cost as a multiple
    /// of the forward pass's (the seeds say 2–4×).
    pub fn reverse_ratio(&self) -> f64 {
        self.reverse_mode.operations() as f64 / self.reverse_mode.forward_operations as f64
    }

    /// Forward mode's operations for the whole gradient over reverse mode's.
    pub fn forward_over_reverse(&self) -> f64 {
        self.forward_mode.operations() as f64 / self.reverse_mode.operations() as f64
    }
}

/// The four ways for a scalar program of elementwise ops at `inputs`.
pub fn four_ways(graph: &Graph, inputs: &[Tensor]) -> Result<FourWays, FourWaysError> {
    scalar_program::check(graph)?;
    let count = graph.inputs().count();
    let runs = count.saturating_mul(1 + 2 * finite::EXPONENTS.count() + 1);
    if runs.saturating_mul(graph.len()) > MAX_WORK {
        return Err(FourWaysError::TooMuchWork {
            inputs: count,
            runs,
        });
    }
    let (reverse_mode, reverse) = counts::reverse_mode(graph, inputs)?;
    let (forward_mode, tangents) = counts::forward_mode(graph, inputs)?;
    let symbolic = symbolic::differentiate(graph)?;
    let numbers: Vec<f64> = inputs
        .iter()
        .map(|t| t.item().unwrap_or(f64::NAN))
        .collect();
    let names: Vec<String> = graph
        .inputs()
        .map(|id| graph.node(id).name.clone())
        .collect();
    let mut reports = Vec::new();
    for (slot, (id, gradient)) in reverse.gradients().into_iter().enumerate() {
        let gradient = gradient.and_then(|g| g.item()).unwrap_or(f64::NAN);
        let derivative = symbolic.derivatives[slot];
        reports.push(InputReport {
            input: id,
            name: names[slot].clone(),
            at: numbers[slot],
            gradient,
            symbolic: derivative.map_or(0.0, |d| symbolic.arena.eval(d, &numbers)),
            symbolic_size: derivative.map_or(1, |d| symbolic.arena.tree_size(d)),
            symbolic_text: match derivative {
                Some(d) => symbolic.arena.text(d, &names),
                None => Some("0".to_string()),
            },
            forward_mode: tangents.get(slot).copied().unwrap_or(f64::NAN),
            finite_differences: finite::sweep(graph, inputs, slot, gradient),
        });
    }
    Ok(FourWays {
        output: symbolic.arena.eval(symbolic.output, &numbers),
        expression_size: symbolic.arena.tree_size(symbolic.output),
        graph_nodes: graph.nodes().iter().filter(|n| !n.op.is_leaf()).count(),
        inputs: reports,
        forward_mode,
        reverse_mode,
    })
}

#[cfg(test)]
mod tests;
