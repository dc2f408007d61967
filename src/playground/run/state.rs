//! A CPU run's whole training state (the parameters, the accumulated gradients, the
//! optimizer's memory, the minibatch position, the loss scaler and what the options
//! recorded): read out of one run and put into another run of the same program, the
//! second trains on exactly as the first would have. The playground's training worker
//! and the page pass it back and forth ([`crate::playground::relay`]).

use super::Run;
use crate::backend::cpu::CpuBackend;
use crate::backend::optimizer::{Optimizer, SlotMemory, UpdateRule};
use crate::backend::{Backend, BackendError};
use crate::graph::NodeId;
use crate::playground::backend::TrainingBackend;
use crate::playground::options::record::Record;
use crate::precision::Precision;
use crate::tensor::Tensor;
use crate::train::{GradScaler, TrainError};

/// A backend that may be the CPU's.
pub trait OnCpu {
    fn cpu(&self) -> Option<&CpuBackend>;
    fn cpu_mut(&mut self) -> Option<&mut CpuBackend>;
}

impl OnCpu for CpuBackend {
    fn cpu(&self) -> Option<&CpuBackend> {
        Some(self)
    }
    fn cpu_mut(&mut self) -> Option<&mut CpuBackend> {
        Some(self)
    }
}

impl OnCpu for TrainingBackend {
    fn cpu(&self) -> Option<&CpuBackend> {
        match self {
            TrainingBackend::Cpu(cpu) => Some(cpu),
            TrainingBackend::Gpu(_) => None,
        }
    }
    fn cpu_mut(&mut self) -> Option<&mut CpuBackend> {
        match self {
            TrainingBackend::Cpu(cpu) => Some(cpu),
            TrainingBackend::Gpu(_) => None,
        }
    }
}

/// Everything a CPU run carries from one step to the next.
#[derive(Clone, Debug, PartialEq)]
pub struct RunState {
    pub steps: u64,
    /// The minibatches' epoch and next batch in it.
    pub position: Option<(u64, usize)>,
    pub params: Vec<(NodeId, Tensor)>,
    /// Every leaf's accumulated gradient (they add up when gradients are not zeroed).
    pub gradients: Vec<(NodeId, Tensor)>,
    /// The optimizer's rule, learning rate and memory, after its first update.
    pub optimizer: Option<(UpdateRule, f64, Vec<SlotMemory>)>,
    /// The storage precision and loss scale.
    pub storage: (Precision, f64),
    /// The loss scaler's [`GradScaler::parts`].
    pub scaler: Option<(f64, bool, u32, u32)>,
    pub record: Record,
    /// Whether the last step was skipped.
    pub skipped: bool,
}

impl<B: Backend + OnCpu> Run<B> {
    /// The run's state; None on a backend other than the CPU.
    pub fn state(&mut self) -> Option<RunState> {
        let params: Vec<NodeId> = self.graph().params().collect();
        let cpu = self.trainer.backend().cpu()?;
        let params = (params.into_iter())
            .map(|id| Some((id, cpu.value(id).ok()?.clone())))
            .collect::<Option<_>>()?;
        let optimizer = cpu
            .optimizer()
            .map(|o| (o.rule(), o.learning_rate(), o.memory()));
        let (gradients, storage) = (cpu.gradients(), cpu.storage());
        Some(RunState {
            steps: self.trainer.steps(),
            position: self.trainer.feed_position(),
            params,
            gradients,
            optimizer,
            storage,
            scaler: self.options.scaler.as_ref().map(GradScaler::parts),
            record: self.options.record.clone(),
            skipped: self.options.skipped,
        })
    }

    /// Take on `state`, read from a run of the same program with the same training
    /// settings: from here this run trains on as that one would have.
    pub fn restore(&mut self, state: RunState) -> Result<(), TrainError> {
        self.trainer.resume_at(state.steps, state.position);
        let cpu = (self.trainer.backend().cpu_mut()).ok_or(BackendError::Device(
            "a training state moves between CPU runs only".into(),
        ))?;
        for (id, value) in &state.params {
            cpu.write(*id, value)?;
        }
        for (id, gradient) in state.gradients {
            cpu.set_gradient(id, gradient)?;
        }
        cpu.set_optimizer(
            (state.optimizer)
                .map(|(rule, rate, memory)| Optimizer::remembering(rule, rate, memory)),
        );
        cpu.set_storage(state.storage.0, state.storage.1)?;
        self.options.scaler = state.scaler.map(GradScaler::from_parts);
        self.options.record = state.record;
        self.options.skipped = state.skipped;
        Ok(())
    }

    /// Add the losses of steps taken elsewhere (after [`Run::restore`]).
    pub fn extend_losses(&mut self, losses: &[(u64, f64)]) {
        self.losses.extend_from_slice(losses);
    }
}
