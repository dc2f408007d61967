//! Optimizer updates on the GPU: SGD, momentum and Adam, in place on a parameter tensor,
//! with their state (velocity, moments) kept in GPU buffers and Adam's step count passed
//! to the kernel for bias correction. The rules are [`UpdateRule`]'s, in f32.

use super::super::{GpuError, GpuTensor, Recorder, kernels};
use crate::backend::optimizer::UpdateRule;
use bytemuck::{Pod, Zeroable};

/// What an update rule remembers about one parameter tensor between steps: momentum's
/// velocity or Adam's two moments (created as zeros on first use), and the step count.
#[derive(Debug, Default)]
pub struct ParamState {
    first_moment: Option<GpuTensor>,
    second_moment: Option<GpuTensor>,
    steps: u32,
}

impl ParamState {
    pub fn new() -> ParamState {
        ParamState::default()
    }

    /// Updates recorded so far (Adam's `t` after the last one).
    pub fn steps(&self) -> u32 {
        self.steps
    }

    /// Momentum's velocity, or Adam's running mean of gradients, if created.
    pub fn first_moment(&self) -> Option<&GpuTensor> {
        self.first_moment.as_ref()
    }

    /// Adam's running mean of squared gradients, if created.
    pub fn second_moment(&self) -> Option<&GpuTensor> {
        self.second_moment.as_ref()
    }
}

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct SgdParams {
    len: u32,
    learning_rate: f32,
    momentum: f32,
    pad: u32,
}

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct AdamParams {
    len: u32,
    learning_rate: f32,
    beta1: f32,
    beta2: f32,
    epsilon: f32,
    step: u32,
    pad: [u32; 2],
}

/// The state tensor in `slot`, made as zeros of `shape` if missing; refuses a parameter
/// whose shape changed since.
fn moment<'s>(
    recorder: &Recorder<'_>,
    slot: &'s mut Option<GpuTensor>,
    shape: &[usize],
) -> Result<&'s GpuTensor, GpuError> {
    let state = match slot {
        Some(state) => state,
        None => slot.insert(recorder.context().zeros(shape)?),
    };
    state.expect_shape("update", "optimizer state", shape)?;
    Ok(state)
}

impl Recorder<'_> {
    /// One optimizer step on `param` from `grad` (equal shapes), in place. The gradient
    /// is only read; zeroing it for the next step is the caller's.
    pub fn update(
        &mut self,
        rule: UpdateRule,
        learning_rate: f64,
        param: &GpuTensor,
        grad: &GpuTensor,
        state: &mut ParamState,
    ) -> Result<(), GpuError> {
        grad.expect_shape("update", "gradient", param.shape())?;
        let grid = self.context().grid_per_item(param.len())?;
        let learning_rate = learning_rate as f32;
        state.steps = state.steps.saturating_add(1);
        match rule {
            UpdateRule::Sgd => {
                let params = SgdParams {
                    len: param.len_u32(),
                    learning_rate,
                    momentum: 0.0,
                    pad: 0,
                };
                self.dispatch(
                    "sgd",
                    kernels::SGD_UPDATE,
                    &params,
                    &[grad.buffer()],
                    &[param.buffer()],
                    grid,
                )
            }
            UpdateRule::Momentum { momentum } => {
                let velocity = moment(self, &mut state.first_moment, param.shape())?;
                let params = SgdParams {
                    len: param.len_u32(),
                    learning_rate,
                    momentum: momentum as f32,
                    pad: 0,
                };
                self.dispatch(
                    "momentum",
                    kernels::MOMENTUM_UPDATE,
                    &params,
                    &[grad.buffer()],
                    &[param.buffer(), velocity.buffer()],
                    grid,
                )
            }
            UpdateRule::Adam {
                beta1,
                beta2,
                epsilon,
            } => {
                let mean = moment(self, &mut state.first_moment, param.shape())?;
                let mean_square = moment(self, &mut state.second_moment, param.shape())?;
                let params = AdamParams {
                    len: param.len_u32(),
                    learning_rate,
                    beta1: beta1 as f32,
                    beta2: beta2 as f32,
                    epsilon: epsilon as f32,
                    step: state.steps,
                    pad: [0; 2],
                };
                self.dispatch(
                    "adam",
                    kernels::ADAM_UPDATE,
                    &params,
                    &[grad.buffer()],
                    &[param.buffer(), mean.buffer(), mean_square.buffer()],
                    grid,
                )
            }
        }
    }
}
