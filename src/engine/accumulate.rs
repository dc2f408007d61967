//! Gradient accumulation, stepped: a schedule of several passes over one graph whose
//! parameter adjoints are not cleared between them (`W̄ += …` from micro-batch 2 on), the
//! optional `zero_grad` steps that clear them and the update `W ← W − η · (ΣW̄)/K`.
//!
//! One iteration is `[zero_grad]`, then K passes (each a forward and a backward pass over
//! its micro-batch), then one update step per parameter. Without `zero_grad`, a second
//! iteration's adjoints add onto the first's: the "forgot to zero" pitfall.

use super::record::Phase;
use crate::graph::{Graph, NodeId, Role};
use crate::tensor::Tensor;
use serde::{Deserialize, Serialize};

/// The most micro-batches or iterations a stepped schedule may have.
pub const MAX_PASSES: usize = 16;

/// The learning rate when none is given.
pub const DEFAULT_RATE: f64 = 0.1;

/// How several passes feed one update.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Training {
    /// K: passes (micro-batches) whose gradients one update averages.
    pub micro_batches: usize,
    /// Updates in the schedule.
    pub iterations: usize,
    /// Whether each iteration starts by setting the parameters' gradients to 0.
    pub zero_grad: bool,
    /// η in `W ← W − η · (ΣW̄)/K`.
    pub rate: f64,
}

impl Training {
    /// K micro-batches, one iteration, zeroing first, η = 0.1.
    pub fn accumulate(micro_batches: usize) -> Training {
        Training {
            micro_batches,
            iterations: 1,
            zero_grad: true,
            rate: DEFAULT_RATE,
        }
    }

    /// How many passes the schedule has in all.
    pub fn passes(&self) -> usize {
        self.micro_batches * self.iterations
    }

    /// The settings in words: "4 micro-batches, 1 iteration, zero_grad, η = 0.1".
    pub fn describe(&self) -> String {
        format!(
            "{} micro-batch{}, {} iteration{}, {}, η = {}",
            self.micro_batches,
            if self.micro_batches == 1 { "" } else { "es" },
            self.iterations,
            if self.iterations == 1 { "" } else { "s" },
            if self.zero_grad {
                "zero_grad"
            } else {
                "no zero_grad"
            },
            crate::number::format_number(self.rate)
        )
    }
}

/// Where a step of a training schedule belongs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stage {
    /// The iteration, from 0.
    pub iteration: usize,
    /// The micro-batch, from 0 (for zero_grad steps 0, for update steps the last).
    pub micro_batch: usize,
    /// The pass over all iterations, from 0 (`iteration · K + micro_batch`).
    pub pass: usize,
}

/// Why a training schedule cannot be stepped.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TrainingError {
    #[error("accumulation needs parameters: bind one with `W = param(…)`")]
    NoParameters,
    #[error("micro-batches and iterations run from 1 to {MAX_PASSES}, found {0}")]
    Count(usize),
    #[error("the learning rate must be a finite number, found {0}")]
    Rate(String),
    #[error("accumulation is for reverse mode without checkpoints")]
    Mode,
    #[error("`{name}` has {available} full micro-batches of {batch} rows, not {wanted}")]
    TooFewBatches {
        name: String,
        batch: usize,
        available: usize,
        wanted: usize,
    },
    #[error("`{name}`: {message}")]
    Data { name: String, message: String },
}

/// Checks the settings against the graph.
pub fn validate(graph: &Graph, training: &Training) -> Result<(), TrainingError> {
    for count in [training.micro_batches, training.iterations] {
        if count == 0 || count > MAX_PASSES {
            return Err(TrainingError::Count(count));
        }
    }
    if !training.rate.is_finite() {
        return Err(TrainingError::Rate(training.rate.to_string()));
    }
    if graph.params().next().is_none() {
        return Err(TrainingError::NoParameters);
    }
    Ok(())
}

/// The whole schedule: per iteration `zero_grad` (one step per parameter, when asked),
/// K forward and backward passes over `computed`, one update step per parameter. Each step
/// with its stage.
pub fn schedule(graph: &Graph, training: &Training) -> Vec<((Phase, NodeId), Stage)> {
    let computed: Vec<NodeId> = graph
        .ids()
        .filter(|&id| !graph.node(id).op.is_constant())
        .collect();
    let params: Vec<NodeId> = graph.params().collect();
    let k = training.micro_batches;
    let mut steps = Vec::new();
    for iteration in 0..training.iterations {
        let stage = |micro_batch| Stage {
            iteration,
            micro_batch,
            pass: iteration * k + micro_batch,
        };
        if training.zero_grad {
            steps.extend(params.iter().map(|&p| ((Phase::ZeroGrad, p), stage(0))));
        }
        for micro_batch in 0..k {
            let forward = computed.iter().map(|&id| (Phase::Forward, id));
            let backward = computed.iter().rev().map(|&id| (Phase::Backward, id));
            steps.extend(
                forward
                    .chain(backward)
                    .map(|step| (step, stage(micro_batch))),
            );
        }
        steps.extend(params.iter().map(|&p| ((Phase::Update, p), stage(k - 1))));
    }
    steps
}

/// The input values of each of K micro-batches: `inputs` with every dataset input (its
/// features and labels) replaced by the k-th minibatch of epoch 0, so micro-batch 1 is what
/// the program compiled with and the K together are the first K·batch rows of the epoch.
/// A program without dataset inputs feeds every pass the same values.
pub fn micro_batches(
    graph: &Graph,
    inputs: &[Tensor],
    count: usize,
) -> Result<Vec<Vec<Tensor>>, TrainingError> {
    let mut batches = vec![inputs.to_vec(); count];
    for (slot, id) in graph.inputs().enumerate() {
        let node = graph.node(id);
        let (spec, features) = match &node.role {
            Role::Features(spec) => (spec, true),
            Role::Labels(spec) => (spec, false),
            Role::Value | Role::Param => continue,
        };
        let tensors = spec
            .first_batches(count)
            .map_err(|error| TrainingError::Data {
                name: node.name.clone(),
                message: error.to_string(),
            })?;
        if tensors.len() < count {
            return Err(TrainingError::TooFewBatches {
                name: node.name.clone(),
                batch: spec.batch,
                available: tensors.len(),
                wanted: count,
            });
        }
        for (batch, (x, y)) in batches.iter_mut().zip(tensors) {
            batch[slot] = if features { x } else { y };
        }
    }
    Ok(batches)
}

#[cfg(test)]
mod tests;
