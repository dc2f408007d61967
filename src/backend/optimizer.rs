//! Optimizers that update flat parameter buffers from their gradients: SGD, SGD with
//! classical momentum, and Adam, each keeping its state per parameter slot.
//!
//! # Gradients belong to the caller
//!
//! [`Optimizer::step`] reads the gradients and never changes them. The caller zeroes them
//! (with [`zero_grad`]) before computing the next batch's gradients; a backend that adds
//! into its gradient buffers would otherwise mix batches. Leaving them unzeroed across
//! several micro-batches and stepping once is gradient accumulation: the step then sees
//! the sum, so divide by the number of micro-batches first if the mean is wanted.
//!
//! # Slots
//!
//! A model has several parameter tensors (weights, biases). The caller gives each one a
//! fixed slot number and passes that tensor's buffer and gradient to `step` together with
//! the slot; momentum and Adam keep their running averages per slot. A slot's length is
//! fixed by its first step.

use std::collections::BTreeMap;
use thiserror::Error;

/// Momentum coefficient μ used when none is given.
pub const DEFAULT_MOMENTUM: f64 = 0.9;
/// Adam's decay rate for the running mean of gradients.
pub const DEFAULT_ADAM_BETA1: f64 = 0.9;
/// Adam's decay rate for the running mean of squared gradients.
pub const DEFAULT_ADAM_BETA2: f64 = 0.999;
/// Adam's guard against dividing by zero.
pub const DEFAULT_ADAM_EPSILON: f64 = 1e-8;

/// Which optimizer, by name: what a user picks in the UI or on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OptimizerKind {
    Sgd,
    Momentum,
    Adam,
}

impl OptimizerKind {
    /// Every kind, in the order they are listed to people.
    pub const ALL: [OptimizerKind; 3] = [
        OptimizerKind::Sgd,
        OptimizerKind::Momentum,
        OptimizerKind::Adam,
    ];

    /// The kind called `name` (`sgd`, `momentum` or `adam`, ignoring case and surrounding
    /// spaces).
    pub fn by_name(name: &str) -> Result<OptimizerKind, OptimizerError> {
        let wanted = name.trim().to_ascii_lowercase();
        OptimizerKind::ALL
            .into_iter()
            .find(|kind| kind.name() == wanted)
            .ok_or_else(|| OptimizerError::UnknownName {
                name: name.to_owned(),
            })
    }

    /// The name [`OptimizerKind::by_name`] accepts.
    pub fn name(self) -> &'static str {
        match self {
            OptimizerKind::Sgd => "sgd",
            OptimizerKind::Momentum => "momentum",
            OptimizerKind::Adam => "adam",
        }
    }
}

/// How one step turns gradients into a parameter change, with its hyperparameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum UpdateRule {
    /// `p -= lr·g`.
    Sgd,
    /// Classical momentum: `v = μ·v + g; p -= lr·v`, with `v` starting at 0.
    Momentum { momentum: f64 },
    /// Adam with bias correction: `m = β1·m + (1−β1)·g`, `v = β2·v + (1−β2)·g²`,
    /// `m̂ = m / (1−β1ᵗ)`, `v̂ = v / (1−β2ᵗ)`, `p -= lr·m̂ / (√v̂ + ε)`, where `t` counts
    /// this slot's steps from 1.
    Adam {
        beta1: f64,
        beta2: f64,
        epsilon: f64,
    },
}

impl UpdateRule {
    /// The rule for `kind` with the default hyperparameters.
    pub fn default_for(kind: OptimizerKind) -> UpdateRule {
        match kind {
            OptimizerKind::Sgd => UpdateRule::Sgd,
            OptimizerKind::Momentum => UpdateRule::Momentum {
                momentum: DEFAULT_MOMENTUM,
            },
            OptimizerKind::Adam => UpdateRule::Adam {
                beta1: DEFAULT_ADAM_BETA1,
                beta2: DEFAULT_ADAM_BETA2,
                epsilon: DEFAULT_ADAM_EPSILON,
            },
        }
    }

    /// Which kind of optimizer this rule is.
    pub fn kind(&self) -> OptimizerKind {
        match self {
            UpdateRule::Sgd => OptimizerKind::Sgd,
            UpdateRule::Momentum { .. } => OptimizerKind::Momentum,
            UpdateRule::Adam { .. } => OptimizerKind::Adam,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Error)]
pub enum OptimizerError {
    #[error("unknown optimizer `{name}`; the optimizers are sgd, momentum, adam")]
    UnknownName { name: String },
    #[error("slot {slot} has {params} parameters but {grads} gradients")]
    LengthMismatch {
        slot: usize,
        params: usize,
        grads: usize,
    },
    #[error("slot {slot} held {expected} parameters before and now {found}")]
    SlotLengthChanged {
        slot: usize,
        expected: usize,
        found: usize,
    },
}

/// What momentum or Adam remembers about one parameter buffer.
#[derive(Clone, Debug, PartialEq)]
struct SlotState {
    /// Momentum's velocity, or Adam's running mean of gradients (m).
    first_moment: Vec<f64>,
    /// Adam's running mean of squared gradients (v); empty for the other rules.
    second_moment: Vec<f64>,
    /// How many parameters the slot holds, fixed by its first step.
    len: usize,
    /// Steps taken on this slot so far (Adam's `t` after the step).
    steps: u64,
}

/// One slot's state as [`Optimizer::memory`] hands it out.
#[derive(Clone, Debug, PartialEq)]
pub struct SlotMemory {
    pub slot: usize,
    pub first_moment: Vec<f64>,
    pub second_moment: Vec<f64>,
    pub len: usize,
    pub steps: u64,
}

/// An optimizer: a learning rate, an update rule and per-slot state.
#[derive(Clone, Debug, PartialEq)]
pub struct Optimizer {
    learning_rate: f64,
    rule: UpdateRule,
    slots: BTreeMap<usize, SlotState>,
}

impl Optimizer {
    /// An optimizer with the given rule and learning rate and no state yet.
    pub fn new(rule: UpdateRule, learning_rate: f64) -> Optimizer {
        Optimizer {
            learning_rate,
            rule,
            slots: BTreeMap::new(),
        }
    }

    /// An optimizer of `kind` with the default hyperparameters.
    pub fn of_kind(kind: OptimizerKind, learning_rate: f64) -> Optimizer {
        Optimizer::new(UpdateRule::default_for(kind), learning_rate)
    }

    /// Plain gradient descent.
    pub fn sgd(learning_rate: f64) -> Optimizer {
        Optimizer::new(UpdateRule::Sgd, learning_rate)
    }

    /// Gradient descent with classical momentum μ.
    pub fn momentum(learning_rate: f64, momentum: f64) -> Optimizer {
        Optimizer::new(UpdateRule::Momentum { momentum }, learning_rate)
    }

    /// Adam with the default β1, β2 and ε.
    pub fn adam(learning_rate: f64) -> Optimizer {
        Optimizer::of_kind(OptimizerKind::Adam, learning_rate)
    }

    pub fn learning_rate(&self) -> f64 {
        self.learning_rate
    }

    /// Changes the learning rate for later steps, keeping the state (for schedules).
    pub fn set_learning_rate(&mut self, learning_rate: f64) {
        self.learning_rate = learning_rate;
    }

    pub fn rule(&self) -> UpdateRule {
        self.rule
    }

    /// How many steps have been taken on `slot`.
    pub fn steps_taken(&self, slot: usize) -> u64 {
        self.slots.get(&slot).map_or(0, |state| state.steps)
    }

    /// What it remembers of each slot, by slot: (slot, first moment, second moment,
    /// parameter count, steps taken), so a run can go on elsewhere exactly.
    pub fn memory(&self) -> Vec<SlotMemory> {
        (self.slots.iter())
            .map(|(&slot, state)| SlotMemory {
                slot,
                first_moment: state.first_moment.clone(),
                second_moment: state.second_moment.clone(),
                len: state.len,
                steps: state.steps,
            })
            .collect()
    }

    /// An optimizer that remembers `memory` ([`Optimizer::memory`]).
    pub fn remembering(rule: UpdateRule, learning_rate: f64, memory: Vec<SlotMemory>) -> Optimizer {
        let slots = (memory.into_iter())
            .map(|m| {
                let state = SlotState {
                    first_moment: m.first_moment,
                    second_moment: m.second_moment,
                    len: m.len,
                    steps: m.steps,
                };
                (m.slot, state)
            })
            .collect();
        Optimizer {
            learning_rate,
            rule,
            slots,
        }
    }

    /// Forgets all state, as if no step had been taken.
    pub fn reset(&mut self) {
        self.slots.clear();
    }

    /// Updates the parameters in `slot` from their gradients, in place. `grads` is only
    /// read; see the module docs for who zeroes it.
    pub fn step(
        &mut self,
        slot: usize,
        params: &mut [f64],
        grads: &[f64],
    ) -> Result<(), OptimizerError> {
        if params.len() != grads.len() {
            return Err(OptimizerError::LengthMismatch {
                slot,
                params: params.len(),
                grads: grads.len(),
            });
        }
        let learning_rate = self.learning_rate;
        let rule = self.rule;
        let state = self.slot_state(slot, params.len())?;
        state.steps += 1;
        match rule {
            UpdateRule::Sgd => {
                for (param, grad) in params.iter_mut().zip(grads) {
                    *param -= learning_rate * grad;
                }
            }
            UpdateRule::Momentum { momentum } => {
                for ((param, grad), velocity) in
                    params.iter_mut().zip(grads).zip(&mut state.first_moment)
                {
                    *velocity = momentum * *velocity + grad;
                    *param -= learning_rate * *velocity;
                }
            }
            UpdateRule::Adam {
                beta1,
                beta2,
                epsilon,
            } => {
                let step = i32::try_from(state.steps).unwrap_or(i32::MAX);
                let first_correction = 1.0 - beta1.powi(step);
                let second_correction = 1.0 - beta2.powi(step);
                for (((param, grad), mean), mean_square) in params
                    .iter_mut()
                    .zip(grads)
                    .zip(&mut state.first_moment)
                    .zip(&mut state.second_moment)
                {
                    *mean = beta1 * *mean + (1.0 - beta1) * grad;
                    *mean_square = beta2 * *mean_square + (1.0 - beta2) * grad * grad;
                    let mean_hat = *mean / first_correction;
                    let mean_square_hat = *mean_square / second_correction;
                    *param -= learning_rate * mean_hat / (mean_square_hat.sqrt() + epsilon);
                }
            }
        }
        Ok(())
    }

    /// The state of `slot`, created zeroed on first use; errors if its length changed.
    fn slot_state(&mut self, slot: usize, len: usize) -> Result<&mut SlotState, OptimizerError> {
        let (first_len, second_len) = match self.rule {
            UpdateRule::Sgd => (0, 0),
            UpdateRule::Momentum { .. } => (len, 0),
            UpdateRule::Adam { .. } => (len, len),
        };
        let state = self.slots.entry(slot).or_insert_with(|| SlotState {
            first_moment: vec![0.0; first_len],
            second_moment: vec![0.0; second_len],
            len,
            steps: 0,
        });
        if state.len != len {
            return Err(OptimizerError::SlotLengthChanged {
                slot,
                expected: state.len,
                found: len,
            });
        }
        Ok(state)
    }
}

/// Sets every gradient to 0: call between steps unless accumulating on purpose.
pub fn zero_grad(grads: &mut [f64]) {
    grads.fill(0.0);
}

#[cfg(test)]
mod tests {
    use super::*;

    const TARGET: [f64; 4] = [1.0, -2.0, 0.5, 3.0];

    /// The gradient of f(p) = Σ (p_i − c_i)², written into `grads`.
    fn quadratic_gradient(params: &[f64], grads: &mut [f64]) {
        for ((grad, param), target) in grads.iter_mut().zip(params).zip(TARGET) {
            *grad = 2.0 * (param - target);
        }
    }

    fn distance_to_target(params: &[f64]) -> f64 {
        params
            .iter()
            .zip(TARGET)
            .map(|(param, target)| (param - target).powi(2))
            .sum::<f64>()
            .sqrt()
    }

    /// Runs `steps` steps from the origin and returns the final parameters.
    fn minimise(mut optimizer: Optimizer, steps: usize) -> Vec<f64> {
        let mut params = vec![0.0; TARGET.len()];
        let mut grads = vec![0.0; TARGET.len()];
        for _ in 0..steps {
            zero_grad(&mut grads);
            quadratic_gradient(&params, &mut grads);
            optimizer
                .step(0, &mut params, &grads)
                .unwrap_or_else(|error| panic!("{error}"));
        }
        params
    }

    #[test]
    fn sgd_minimises_a_quadratic() {
        let params = minimise(Optimizer::sgd(0.1), 100);
        assert!(distance_to_target(&params) < 1e-6, "{params:?}");
    }

    #[test]
    fn momentum_minimises_a_quadratic() {
        let params = minimise(Optimizer::momentum(0.05, DEFAULT_MOMENTUM), 400);
        assert!(distance_to_target(&params) < 1e-6, "{params:?}");
    }

    #[test]
    fn adam_minimises_a_quadratic() {
        let params = minimise(Optimizer::adam(0.1), 500);
        assert!(distance_to_target(&params) < 1e-3, "{params:?}");
    }

    #[test]
    fn sgd_step_is_learning_rate_times_gradient() {
        let mut params = [1.0, 2.0];
        let mut optimizer = Optimizer::sgd(0.5);
        assert_eq!(optimizer.step(0, &mut params, &[2.0, -4.0]), Ok(()));
        assert_eq!(params, [0.0, 4.0]);
    }

    #[test]
    fn momentum_accumulates_velocity() {
        let mut params = [0.0];
        let mut optimizer = Optimizer::momentum(0.1, 0.5);
        for _ in 0..3 {
            assert_eq!(optimizer.step(0, &mut params, &[1.0]), Ok(()));
        }
        // Velocities 1, 1.5, 1.75: the parameter moved 0.1·(1 + 1.5 + 1.75).
        assert!((params[0] + 0.425).abs() < 1e-12, "{params:?}");
    }

    #[test]
    fn adam_first_step_moves_each_parameter_by_the_learning_rate() {
        let learning_rate = 0.01;
        let grads = [3.0, -0.002, 250.0, -7.5];
        let mut params = [0.0; 4];
        let mut optimizer = Optimizer::adam(learning_rate);
        assert_eq!(optimizer.step(0, &mut params, &grads), Ok(()));
        // The bias-corrected step is lr·g / (|g| + ε): lr·sign(g) up to a relative ε/|g|.
        for (param, grad) in params.iter().zip(grads) {
            let expected = -learning_rate * grad.signum();
            let tolerance = learning_rate * DEFAULT_ADAM_EPSILON / grad.abs() * 1.01;
            assert!(
                (param - expected).abs() < tolerance,
                "{param} vs {expected}"
            );
        }
    }

    #[test]
    fn slots_keep_separate_state() {
        let mut optimizer = Optimizer::momentum(1.0, 1.0);
        let mut weights = [0.0, 0.0];
        let mut bias = [0.0];
        assert_eq!(optimizer.step(0, &mut weights, &[1.0, 1.0]), Ok(()));
        assert_eq!(optimizer.step(1, &mut bias, &[1.0]), Ok(()));
        assert_eq!(optimizer.step(0, &mut weights, &[1.0, 1.0]), Ok(()));
        // Slot 0's velocity grew to 2 on its second step; slot 1 took one step of 1.
        assert_eq!(weights, [-3.0, -3.0]);
        assert_eq!(bias, [-1.0]);
        assert_eq!(optimizer.steps_taken(0), 2);
        assert_eq!(optimizer.steps_taken(1), 1);
        optimizer.reset();
        assert_eq!(optimizer.steps_taken(0), 0);
    }

    #[test]
    fn step_leaves_gradients_alone_and_zero_grad_clears_them() {
        let mut params = [1.0, 1.0];
        let mut grads = [0.5, -0.5];
        let mut optimizer = Optimizer::adam(0.1);
        assert_eq!(optimizer.step(0, &mut params, &grads), Ok(()));
        assert_eq!(grads, [0.5, -0.5]);
        zero_grad(&mut grads);
        assert_eq!(grads, [0.0, 0.0]);
    }

    #[test]
    fn mismatched_lengths_are_errors_and_change_nothing() {
        let mut optimizer = Optimizer::adam(0.1);
        let mut params = [1.0, 2.0];
        assert_eq!(
            optimizer.step(3, &mut params, &[1.0]),
            Err(OptimizerError::LengthMismatch {
                slot: 3,
                params: 2,
                grads: 1
            })
        );
        assert_eq!(params, [1.0, 2.0]);
        assert_eq!(optimizer.step(3, &mut params, &[1.0, 1.0]), Ok(()));
        let mut longer = [0.0; 3];
        assert_eq!(
            optimizer.step(3, &mut longer, &[0.0; 3]),
            Err(OptimizerError::SlotLengthChanged {
                slot: 3,
                expected: 2,
                found: 3
            })
        );
        assert_eq!(optimizer.steps_taken(3), 1);
    }

    #[test]
    fn kinds_are_found_by_name_with_a_clear_error() {
        for kind in OptimizerKind::ALL {
            assert_eq!(OptimizerKind::by_name(kind.name()), Ok(kind));
            assert_eq!(UpdateRule::default_for(kind).kind(), kind);
        }
        assert_eq!(OptimizerKind::by_name(" Adam "), Ok(OptimizerKind::Adam));
        let error = OptimizerKind::by_name("rmsprop").unwrap_err();
        assert_eq!(
            error.to_string(),
            "unknown optimizer `rmsprop`; the optimizers are sgd, momentum, adam"
        );
        assert_eq!(
            Optimizer::of_kind(OptimizerKind::Momentum, 0.1).rule(),
            UpdateRule::Momentum { momentum: 0.9 }
        );
    }
}
