//! The backends the playground trains on, behind one type so a second one drops in: the
//! CPU reference today; the WebGPU backend joins [`TrainingBackend`] as a `Gpu` variant
//! once it exists. Also what the backend badge says, from the WebGPU probe's result.

use crate::graph::{Graph, NodeId};
use crate::tensor::Tensor;
use crate::tensor::backend::{Backend, BackendError, Quantity};
use crate::tensor::cpu::CpuBackend;
use crate::train::UpdateRule;
use std::future::Future;

/// Which backend the user asked for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BackendChoice {
    #[default]
    Cpu,
    Gpu,
}

impl BackendChoice {
    pub fn label(self) -> &'static str {
        match self {
            BackendChoice::Cpu => "CPU",
            BackendChoice::Gpu => "GPU (WebGPU)",
        }
    }
}

/// What the browser's WebGPU probe found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GpuProbe {
    /// Still asking (`navigator.gpu.requestAdapter()` is pending).
    Probing,
    /// No WebGPU here, and why, in words.
    Unavailable(String),
    /// An adapter answered; its name for people (e.g. "SwiftShader").
    Adapter(String),
}

/// Whether this build can train on the GPU (the WebGPU backend is not wired in yet).
pub const GPU_BACKEND_BUILT: bool = false;

impl GpuProbe {
    /// Why the GPU cannot be chosen, or None when it can.
    pub fn gpu_unavailable(&self) -> Option<String> {
        match self {
            GpuProbe::Probing => Some("looking for a WebGPU adapter…".into()),
            GpuProbe::Unavailable(reason) => Some(reason.clone()),
            GpuProbe::Adapter(name) if !GPU_BACKEND_BUILT => Some(format!(
                "an adapter ({name}) is there, but this build has no GPU training backend yet"
            )),
            GpuProbe::Adapter(_) => None,
        }
    }
}

/// The badge: which backend runs, and why not the GPU when it does not.
pub fn badge_text(running: BackendChoice, probe: &GpuProbe) -> String {
    match (running, probe.gpu_unavailable()) {
        (BackendChoice::Gpu, None) => match probe {
            GpuProbe::Adapter(name) => format!("WebGPU — {name}"),
            _ => "WebGPU".into(),
        },
        (_, Some(reason)) => format!("CPU — WebGPU unavailable: {reason}"),
        (BackendChoice::Cpu, None) => "CPU (f64) — WebGPU available".into(),
    }
}

/// The backend a run trains on.
#[derive(Clone, Debug)]
pub enum TrainingBackend {
    Cpu(CpuBackend),
}

impl TrainingBackend {
    /// A fresh backend of the chosen kind; falls back to the CPU (with the reason) when
    /// the GPU cannot be had.
    pub fn create(choice: BackendChoice, probe: &GpuProbe) -> (TrainingBackend, Option<String>) {
        let fallback = match (choice, probe.gpu_unavailable()) {
            (BackendChoice::Gpu, Some(reason)) => Some(reason),
            _ => None,
        };
        (TrainingBackend::Cpu(CpuBackend::new()), fallback)
    }

    pub fn kind(&self) -> BackendChoice {
        match self {
            TrainingBackend::Cpu(_) => BackendChoice::Cpu,
        }
    }

    /// A node's value when it can be read without waiting (the CPU's are always ready).
    pub fn value_now(&self, node: NodeId) -> Option<&Tensor> {
        match self {
            TrainingBackend::Cpu(cpu) => cpu.value(node).ok(),
        }
    }
}

impl Backend for TrainingBackend {
    fn name(&self) -> String {
        match self {
            TrainingBackend::Cpu(b) => b.name(),
        }
    }

    fn load(&mut self, graph: &Graph) -> Result<(), BackendError> {
        match self {
            TrainingBackend::Cpu(b) => b.load(graph),
        }
    }

    fn write(&mut self, node: NodeId, value: &Tensor) -> Result<(), BackendError> {
        match self {
            TrainingBackend::Cpu(b) => b.write(node, value),
        }
    }

    fn forward(&mut self) -> Result<(), BackendError> {
        match self {
            TrainingBackend::Cpu(b) => b.forward(),
        }
    }

    fn backward(&mut self) -> Result<(), BackendError> {
        match self {
            TrainingBackend::Cpu(b) => b.backward(),
        }
    }

    fn zero_grads(&mut self) -> Result<(), BackendError> {
        match self {
            TrainingBackend::Cpu(b) => b.zero_grads(),
        }
    }

    fn scale_grads(&mut self, factor: f64) -> Result<(), BackendError> {
        match self {
            TrainingBackend::Cpu(b) => b.scale_grads(factor),
        }
    }

    fn update(&mut self, rule: UpdateRule, learning_rate: f64) -> Result<(), BackendError> {
        match self {
            TrainingBackend::Cpu(b) => b.update(rule, learning_rate),
        }
    }

    /// With a second variant, box the two futures (or use an either-future).
    fn read(
        &mut self,
        node: NodeId,
        quantity: Quantity,
    ) -> impl Future<Output = Result<Tensor, BackendError>> {
        match self {
            TrainingBackend::Cpu(b) => b.read(node, quantity),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_badge_says_which_backend_runs_and_why() {
        let none = GpuProbe::Unavailable("this browser has no navigator.gpu".into());
        assert_eq!(
            badge_text(BackendChoice::Cpu, &none),
            "CPU — WebGPU unavailable: this browser has no navigator.gpu"
        );
        let adapter = GpuProbe::Adapter("SwiftShader".into());
        assert!(badge_text(BackendChoice::Cpu, &adapter).contains("SwiftShader"));
        assert!(badge_text(BackendChoice::Cpu, &GpuProbe::Probing).starts_with("CPU — "));
    }

    #[test]
    fn asking_for_the_gpu_falls_back_to_the_cpu_with_a_reason() {
        let probe = GpuProbe::Unavailable("no adapter".into());
        let (backend, fallback) = TrainingBackend::create(BackendChoice::Gpu, &probe);
        assert_eq!(backend.kind(), BackendChoice::Cpu);
        assert_eq!(fallback.as_deref(), Some("no adapter"));
        let (_, fallback) = TrainingBackend::create(BackendChoice::Cpu, &probe);
        assert_eq!(fallback, None);
    }
}
