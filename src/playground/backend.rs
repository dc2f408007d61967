//! The backends the playground trains on, behind one type: the CPU reference (f64) and
//! the WebGPU backend (f32). Also what is known about WebGPU in this browser, what the
//! backend badge says, and which errors mean the GPU is gone, so that training goes on
//! on the CPU instead.

use crate::backend::cpu::CpuBackend;
use crate::backend::gpu::{GpuBackend, GpuContext};
use crate::backend::{Backend, BackendError, Quantity};
use crate::graph::{Graph, NodeId};
use crate::tensor::Tensor;
use crate::train::{TrainError, UpdateRule};

/// A backend the user can ask for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BackendChoice {
    #[default]
    Cpu,
    Gpu,
}

impl BackendChoice {
    /// Its name for people, and the badge's `data-backend`.
    pub fn label(self) -> &'static str {
        match self {
            BackendChoice::Cpu => "CPU",
            BackendChoice::Gpu => "WebGPU",
        }
    }
}

/// What is known about WebGPU in this browser.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GpuStatus {
    /// Still asking for an adapter and a device.
    Probing,
    /// No WebGPU here, and why, in words.
    Unavailable(String),
    /// A device opened on this adapter (its name for people).
    Ready(String),
    /// The device went away; training went on on the CPU from step `resumed_at` (the
    /// last parameters read back from the GPU).
    Lost {
        adapter: String,
        reason: String,
        resumed_at: u64,
    },
}

impl GpuStatus {
    /// Why the GPU cannot be chosen now, or None when it can (after a loss, choosing it
    /// again asks for a new device).
    pub fn unavailable(&self) -> Option<String> {
        match self {
            GpuStatus::Probing => Some("looking for a WebGPU adapter…".into()),
            GpuStatus::Unavailable(reason) => Some(reason.clone()),
            GpuStatus::Ready(_) | GpuStatus::Lost { .. } => None,
        }
    }

    /// The adapter's name, once one answered.
    pub fn adapter(&self) -> Option<&str> {
        match self {
            GpuStatus::Ready(name) | GpuStatus::Lost { adapter: name, .. } => Some(name),
            GpuStatus::Probing | GpuStatus::Unavailable(_) => None,
        }
    }

    /// The status after the device was lost for `reason`, training having gone on on the
    /// CPU from step `resumed_at`.
    pub fn lost(&self, reason: &str, resumed_at: u64) -> GpuStatus {
        GpuStatus::Lost {
            adapter: self.adapter().unwrap_or("unnamed adapter").to_string(),
            reason: reason.to_string(),
            resumed_at,
        }
    }
}

/// Which backend trains now, and what WebGPU offers: what the badge shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackendStatus {
    pub running: BackendChoice,
    pub gpu: GpuStatus,
}

impl Default for BackendStatus {
    fn default() -> BackendStatus {
        BackendStatus {
            running: BackendChoice::Cpu,
            gpu: GpuStatus::Probing,
        }
    }
}

impl BackendStatus {
    /// The badge: the backend that runs and its adapter, or why not the GPU.
    pub fn badge(&self) -> String {
        match (self.running, &self.gpu) {
            (BackendChoice::Gpu, gpu) => match gpu.adapter() {
                Some(name) => format!("WebGPU — {name}"),
                None => "WebGPU".into(),
            },
            (BackendChoice::Cpu, GpuStatus::Probing) => {
                "CPU — looking for a WebGPU adapter…".into()
            }
            (BackendChoice::Cpu, GpuStatus::Unavailable(reason)) => {
                format!("CPU — WebGPU unavailable: {reason}")
            }
            (BackendChoice::Cpu, GpuStatus::Ready(name)) => {
                format!("CPU (f64) — WebGPU available: {name}")
            }
            (
                BackendChoice::Cpu,
                GpuStatus::Lost {
                    adapter,
                    reason,
                    resumed_at,
                },
            ) => format!(
                "CPU — WebGPU ({adapter}) failed: {}; training went on from step {resumed_at}",
                reason.trim_end_matches([':', '.', ' '])
            ),
        }
    }
}

/// The name of a GPU context's adapter for people, e.g. "google swiftshader".
pub fn adapter_name(context: &GpuContext) -> String {
    let name = context.adapter_info().name.trim();
    if name.is_empty() {
        context.name()
    } else {
        name.to_string()
    }
}

/// What to do after a training call failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Recovery {
    /// The GPU is gone or refused the work: go on on the CPU, from the last parameters
    /// read back. Why, in words.
    FallBack(String),
    /// Any other error stops training with this message.
    Stop(String),
}

impl Recovery {
    /// The recovery from `error`, raised by a run on `running`.
    pub fn from(running: BackendChoice, error: &TrainError) -> Recovery {
        match (running, error) {
            (BackendChoice::Gpu, TrainError::Backend(BackendError::Device(reason))) => {
                Recovery::FallBack(reason.clone())
            }
            _ => Recovery::Stop(format!("Training stopped: {error}")),
        }
    }
}

/// The backend a run trains on.
#[derive(Debug)]
pub enum TrainingBackend {
    Cpu(CpuBackend),
    Gpu(Box<GpuBackend>),
}

impl TrainingBackend {
    pub fn kind(&self) -> BackendChoice {
        match self {
            TrainingBackend::Cpu(_) => BackendChoice::Cpu,
            TrainingBackend::Gpu(_) => BackendChoice::Gpu,
        }
    }

    /// The GPU adapter's name for people (None on the CPU).
    pub fn adapter(&self) -> Option<String> {
        match self {
            TrainingBackend::Cpu(_) => None,
            TrainingBackend::Gpu(gpu) => Some(adapter_name(gpu.context())),
        }
    }

    /// Why the GPU device was lost, if it was.
    pub fn lost(&self) -> Option<String> {
        match self {
            TrainingBackend::Cpu(_) => None,
            TrainingBackend::Gpu(gpu) => gpu.lost(),
        }
    }

    /// This backend, leaving an empty CPU backend in its place (to keep a GPU device
    /// for later when a run ends).
    pub fn take(&mut self) -> TrainingBackend {
        std::mem::replace(self, TrainingBackend::Cpu(CpuBackend::new()))
    }
}

impl Backend for TrainingBackend {
    fn name(&self) -> String {
        match self {
            TrainingBackend::Cpu(b) => b.name(),
            TrainingBackend::Gpu(b) => b.name(),
        }
    }

    fn load(&mut self, graph: &Graph) -> Result<(), BackendError> {
        match self {
            TrainingBackend::Cpu(b) => b.load(graph),
            TrainingBackend::Gpu(b) => b.load(graph),
        }
    }

    fn write(&mut self, node: NodeId, value: &Tensor) -> Result<(), BackendError> {
        match self {
            TrainingBackend::Cpu(b) => b.write(node, value),
            TrainingBackend::Gpu(b) => b.write(node, value),
        }
    }

    fn forward(&mut self) -> Result<(), BackendError> {
        match self {
            TrainingBackend::Cpu(b) => b.forward(),
            TrainingBackend::Gpu(b) => b.forward(),
        }
    }

    fn backward(&mut self) -> Result<(), BackendError> {
        match self {
            TrainingBackend::Cpu(b) => b.backward(),
            TrainingBackend::Gpu(b) => b.backward(),
        }
    }

    fn zero_grads(&mut self) -> Result<(), BackendError> {
        match self {
            TrainingBackend::Cpu(b) => b.zero_grads(),
            TrainingBackend::Gpu(b) => b.zero_grads(),
        }
    }

    fn set_storage(
        &mut self,
        precision: crate::precision::Precision,
        loss_scale: f64,
    ) -> Result<(), BackendError> {
        match self {
            TrainingBackend::Cpu(b) => b.set_storage(precision, loss_scale),
            TrainingBackend::Gpu(b) => b.set_storage(precision, loss_scale),
        }
    }

    fn underflows(&self) -> Option<u64> {
        match self {
            TrainingBackend::Cpu(b) => b.underflows(),
            TrainingBackend::Gpu(b) => b.underflows(),
        }
    }

    fn scale_grads(&mut self, factor: f64) -> Result<(), BackendError> {
        match self {
            TrainingBackend::Cpu(b) => b.scale_grads(factor),
            TrainingBackend::Gpu(b) => b.scale_grads(factor),
        }
    }

    fn update(&mut self, rule: UpdateRule, learning_rate: f64) -> Result<(), BackendError> {
        match self {
            TrainingBackend::Cpu(b) => b.update(rule, learning_rate),
            TrainingBackend::Gpu(b) => b.update(rule, learning_rate),
        }
    }

    fn log_output(&mut self) -> Result<bool, BackendError> {
        match self {
            TrainingBackend::Cpu(b) => b.log_output(),
            TrainingBackend::Gpu(b) => b.log_output(),
        }
    }

    async fn read_log(&mut self) -> Result<Vec<f64>, BackendError> {
        match self {
            TrainingBackend::Cpu(b) => b.read_log().await,
            TrainingBackend::Gpu(b) => b.read_log().await,
        }
    }

    async fn read(&mut self, node: NodeId, quantity: Quantity) -> Result<Tensor, BackendError> {
        match self {
            TrainingBackend::Cpu(b) => b.read(node, quantity).await,
            TrainingBackend::Gpu(b) => b.read(node, quantity).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(running: BackendChoice, gpu: GpuStatus) -> BackendStatus {
        BackendStatus { running, gpu }
    }

    #[test]
    fn the_badge_names_the_backend_and_the_adapter_or_the_reason() {
        use BackendChoice::{Cpu, Gpu};
        let swiftshader = GpuStatus::Ready("swiftshader".into());
        assert_eq!(
            status(Gpu, swiftshader.clone()).badge(),
            "WebGPU — swiftshader"
        );
        assert_eq!(
            status(Cpu, swiftshader.clone()).badge(),
            "CPU (f64) — WebGPU available: swiftshader"
        );
        let none = GpuStatus::Unavailable("navigator.gpu is missing".into());
        assert_eq!(
            status(Cpu, none).badge(),
            "CPU — WebGPU unavailable: navigator.gpu is missing"
        );
        assert!(
            status(Cpu, GpuStatus::Probing)
                .badge()
                .starts_with("CPU — ")
        );
        let lost = swiftshader.lost(
            "the GPU device was lost: Destroyed: Device was destroyed.",
            120,
        );
        assert_eq!(
            status(Cpu, lost).badge(),
            "CPU — WebGPU (swiftshader) failed: the GPU device was lost: Destroyed: Device was destroyed; training went on from step 120"
        );
    }

    #[test]
    fn the_gpu_can_be_chosen_once_an_adapter_answered_even_after_a_loss() {
        assert!(GpuStatus::Probing.unavailable().is_some());
        assert_eq!(
            GpuStatus::Unavailable("no adapter".into()).unavailable(),
            Some("no adapter".into())
        );
        let ready = GpuStatus::Ready("llvmpipe".into());
        assert_eq!(ready.unavailable(), None);
        let lost = ready.lost("gone", 3);
        assert_eq!(lost.unavailable(), None);
        assert_eq!(lost.adapter(), Some("llvmpipe"));
        // A second loss keeps the adapter's name.
        assert_eq!(lost.lost("again", 9).adapter(), Some("llvmpipe"));
    }

    #[test]
    fn device_errors_on_the_gpu_fall_back_and_others_stop() {
        let device = TrainError::Backend(BackendError::Device("the GPU device was lost".into()));
        assert_eq!(
            Recovery::from(BackendChoice::Gpu, &device),
            Recovery::FallBack("the GPU device was lost".into())
        );
        // The CPU has no device to lose: its errors stop training.
        assert!(matches!(
            Recovery::from(BackendChoice::Cpu, &device),
            Recovery::Stop(_)
        ));
        let shapes = TrainError::NoParameters;
        assert_eq!(
            Recovery::from(BackendChoice::Gpu, &shapes),
            Recovery::Stop(format!("Training stopped: {shapes}"))
        );
    }

    #[test]
    fn taking_the_backend_leaves_an_empty_cpu_one() {
        let mut backend = TrainingBackend::Cpu(CpuBackend::new());
        let taken = backend.take();
        assert_eq!(taken.kind(), BackendChoice::Cpu);
        assert_eq!(backend.kind(), BackendChoice::Cpu);
        assert_eq!(backend.lost(), None);
        assert_eq!(backend.adapter(), None);
    }
}
