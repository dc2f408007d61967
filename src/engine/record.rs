//! Step records: what one step did, as numbers and node ids. The renderers turn them
//! into rules with symbols (`x̄1 += ∂v4/∂x1 · v̄4`) and with numbers (`x̄1 += 7 · 1 = 7`).

use crate::graph::NodeId;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Forward,
    Backward,
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

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StepRecord {
    /// Position of this step in the whole schedule, from 0.
    pub index: usize,
    pub phase: Phase,
    pub node: NodeId,
    pub detail: StepDetail,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum StepDetail {
    /// Forward: an input takes its value.
    Input { value: f64 },
    /// Forward: a node applies its op to its inputs' values.
    Compute { args: Vec<f64>, value: f64 },
    /// Backward: the node's adjoint is final; it pushes a contribution to each input.
    Visit {
        /// True for the output node, whose adjoint is seeded with 1.
        seeded: bool,
        adjoint: f64,
        updates: Vec<Update>,
    },
    /// Forward mode: value and tangent of a node together.
    Tangent {
        args: Vec<f64>,
        value: f64,
        /// For inputs: whether this is the input we differentiate by (tangent 1).
        seeded: bool,
        /// ∂node/∂input_i, one per input.
        partials: Vec<f64>,
        /// The inputs' tangents.
        arg_tangents: Vec<f64>,
        tangent: f64,
    },
}

/// One `adjoint[target] += local · adjoint[node]` of a backward step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Update {
    pub target: NodeId,
    /// Which input of the visited node the target is (for its local-derivative formula).
    pub input_index: usize,
    /// ∂node/∂target.
    pub local: f64,
    /// The visited node's adjoint.
    pub upstream: f64,
    /// `local · upstream`.
    pub contribution: f64,
    /// The target's adjoint before this update, if it had received anything yet; the
    /// new adjoint is `previous + contribution` (`7 + 3 = 10`).
    pub previous: Option<f64>,
    pub adjoint: f64,
}

impl StepRecord {
    /// The number this step produced: a value (forward), an adjoint (backward) or a
    /// tangent (forward mode).
    pub fn result(&self) -> f64 {
        match &self.detail {
            StepDetail::Input { value } | StepDetail::Compute { value, .. } => *value,
            StepDetail::Visit { adjoint, .. } => *adjoint,
            StepDetail::Tangent { tangent, .. } => *tangent,
        }
    }
}
