//! Step records: what one step did, as numbers and node ids. The renderers turn them
//! into rules with symbols (`x̄1 += ∂v4/∂x1 · v̄4`) and with numbers (`x̄1 += 7 · 1 = 7`).

use crate::graph::NodeId;
use crate::tensor::Tensor;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Forward,
    Backward,
    /// Checkpointing: a forward value discarded during the forward pass, computed again
    /// from the nearest kept values because a backward step is about to read it.
    Recompute,
    /// Accumulation: a parameter's gradient set to 0 before an iteration's passes
    /// (`optimizer.zero_grad()`).
    ZeroGrad,
    /// Accumulation: a parameter moved against its accumulated gradient, averaged over the
    /// micro-batches (`optimizer.step()`).
    Update,
}

impl Phase {
    /// The phase in words, as traces and tables write it.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Forward => "forward",
            Phase::Backward => "backward",
            Phase::Recompute => "recompute",
            Phase::ZeroGrad => "zero_grad",
            Phase::Update => "update",
        }
    }
}

/// Where the stepper's cursor is within its phase: "backward 2 / 4".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    pub phase: Phase,
    /// Steps of this phase taken so far.
    pub done: usize,
    /// Steps the phase has.
    pub total: usize,
    /// Accumulation: the pass (micro-batch k of K, iteration i of N), counted from 1.
    pub pass: Option<PassProgress>,
}

/// Which pass of an accumulation schedule the cursor is in, counted from 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PassProgress {
    pub micro_batch: usize,
    pub micro_batches: usize,
    pub iteration: usize,
    pub iterations: usize,
}

impl std::fmt::Display for PassProgress {
    /// "iteration 2 / 2 · micro-batch 3 / 4 · ", the parts that count more than one.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.iterations > 1 {
            write!(f, "iteration {} / {} · ", self.iteration, self.iterations)?;
        }
        if self.micro_batches > 1 {
            write!(
                f,
                "micro-batch {} / {} · ",
                self.micro_batch, self.micro_batches
            )?;
        }
        Ok(())
    }
}

impl std::fmt::Display for Progress {
    /// "forward 2 / 4", "backward 1 / 4": the step counter's words; with accumulation
    /// the pass first ("micro-batch 2 / 4 · backward 1 / 4", "update 1 / 3").
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let phase = match self.phase {
            Phase::Forward => "forward",
            Phase::Backward | Phase::Recompute => "backward",
            Phase::ZeroGrad => "zero_grad",
            Phase::Update => "update",
        };
        if let Some(pass) = self.pass {
            write!(f, "{pass}")?;
        }
        write!(f, "{phase} {} / {}", self.done, self.total)
    }
}

/// Which derivatives the stepper computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Values forward, then adjoints ∂output/∂v backward (backpropagation).
    Reverse,
    /// Values and tangents ∂v/∂wrt together, forward.
    Forward { wrt: NodeId },
}

/// Values in records are shared with the stepper, not copied.
pub type Value = Arc<Tensor>;

#[derive(Clone, Debug, PartialEq)]
pub struct StepRecord {
    /// Position of this step in the whole schedule, from 0.
    pub index: usize,
    pub phase: Phase,
    pub node: NodeId,
    pub detail: StepDetail,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StepDetail {
    /// Forward: an input takes its value.
    Input { value: Value },
    /// Forward: a node applies its op to its inputs' values.
    Compute {
        args: Vec<Value>,
        value: Value,
        /// Why the op refused its operands (a label out of range); the value is NaN.
        error: Option<String>,
    },
    /// Backward: the node's adjoint is final; it pushes a contribution to each input.
    Visit {
        /// True for the output node, whose adjoint is seeded with ones.
        seeded: bool,
        adjoint: Value,
        /// The node's operand values, which matrix rules read (`W̄ += v̄ · xᵀ`).
        args: Vec<Value>,
        updates: Vec<Update>,
    },
    /// Forward mode: value and tangent of a node together.
    Tangent {
        args: Vec<Value>,
        value: Value,
        /// For inputs: whether this is the input we differentiate by (tangent 1).
        seeded: bool,
        /// ∂node/∂input_i element by element, one per input.
        partials: Vec<Value>,
        /// The inputs' tangents.
        arg_tangents: Vec<Value>,
        tangent: Value,
    },
    /// Accumulation: a parameter's gradient set to 0.
    ZeroGrad {
        /// The gradient it held, which the next passes would otherwise add onto.
        cleared: Option<Value>,
        /// Zeros of the parameter's shape.
        zero: Value,
    },
    /// Accumulation: `W ← W − η · (ΣW̄)/K`.
    Update {
        /// The parameter's value before the step.
        old: Value,
        /// The accumulated gradient ΣW̄ (every pass since the last zero_grad).
        gradient: Value,
        /// K, the micro-batches the update averages over.
        micro_batches: usize,
        /// η.
        rate: f64,
        /// The parameter's value after the step.
        new: Value,
    },
}

/// One `adjoint[target] += contribution` of a backward step: `local · upstream` for an
/// elementwise op (summed over broadcast dimensions), the op's matrix rule otherwise
/// (`Ā += V̄ Bᵀ`).
#[derive(Clone, Debug, PartialEq)]
pub struct Update {
    pub target: NodeId,
    /// Whether storing the contribution (in the stepper's precision) lost it: a nonzero
    /// element stored as 0 (underflow) or a finite one as ∞ (overflow).
    pub lost: Option<crate::precision::Loss>,
    /// Which input of the visited node the target is (for its local-derivative formula).
    pub input_index: usize,
    /// ∂node/∂target element by element, for elementwise ops; `None` for tensor ops.
    pub local: Option<Value>,
    /// The visited node's adjoint.
    pub upstream: Value,
    /// What this update adds to the target's adjoint.
    pub contribution: Value,
    /// The target's adjoint before this update, if it had received anything yet; the
    /// new adjoint is `previous + contribution` (`7 + 3 = 10`).
    pub previous: Option<Value>,
    pub adjoint: Value,
}

impl StepRecord {
    /// The tensor this step produced: a value (forward), an adjoint (backward) or a
    /// tangent (forward mode).
    pub fn result_value(&self) -> &Value {
        match &self.detail {
            StepDetail::Input { value } | StepDetail::Compute { value, .. } => value,
            StepDetail::Visit { adjoint, .. } => adjoint,
            StepDetail::Tangent { tangent, .. } => tangent,
            StepDetail::ZeroGrad { zero, .. } => zero,
            StepDetail::Update { new, .. } => new,
        }
    }

    /// The number this step produced, for a scalar node (NaN for a tensor).
    pub fn result(&self) -> f64 {
        scalar(self.result_value())
    }
}

/// The number a one-element tensor holds; NaN for a larger one.
pub fn scalar(value: &Tensor) -> f64 {
    value.item().unwrap_or(f64::NAN)
}
