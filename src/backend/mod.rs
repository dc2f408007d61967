//! The `Backend` trait: what runs a whole graph at once (forward, backward, optimizer
//! update). The CPU backend ([`cpu`]) is the f64 reference; the wgpu backend runs
//! the same graph in f32 on the GPU and is tested against it.

pub mod cpu;
pub mod gpu;
pub mod optimizer;

use crate::graph::NodeId;
use crate::tensor::{Tensor, TensorError, shape_text};
use optimizer::UpdateRule;
use std::future::Future;
use thiserror::Error;

/// What can be read back from a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quantity {
    /// The node's value after the last [`Backend::forward`].
    Value,
    /// A leaf's accumulated gradient ∂output/∂leaf (summed over the [`Backend::backward`]
    /// calls since the last [`Backend::zero_grads`]).
    Gradient,
}

#[derive(Clone, Debug, PartialEq, Error)]
pub enum BackendError {
    /// An op refused its operands (shapes, labels); the node says where.
    #[error("node {}: {error}", .node.0)]
    Tensor { node: NodeId, error: TensorError },
    #[error("node {} does not exist in the loaded graph", .node.0)]
    UnknownNode { node: NodeId },
    #[error("node {} is computed, not a leaf: only leaves can be written", .node.0)]
    NotALeaf { node: NodeId },
    #[error(
        "node {}: the new value has shape {}, but the graph was loaded with {}",
        .node.0,
        shape_text(.found),
        shape_text(.expected)
    )]
    ShapeChanged {
        node: NodeId,
        expected: Vec<usize>,
        found: Vec<usize>,
    },
    #[error("node {} has no {what} yet", .node.0)]
    NotComputed { node: NodeId, what: &'static str },
    #[error("no graph is loaded")]
    NotLoaded,
    /// The device refused the work or went away (GPU backends).
    #[error("{0}")]
    Device(String),
}

/// Executes a graph as a whole. A training step is `write` (the minibatch), `zero_grads`,
/// `forward`, `backward`, `update`; accumulating micro-batches is `forward` + `backward`
/// several times between two `zero_grads`. Backends may queue work until a `read` needs
/// its result, so only what is read crosses back from a device.
pub trait Backend {
    /// Who runs the work, for people: "CPU (f64)" or a GPU adapter's name.
    fn name(&self) -> String;

    /// Take `graph`, with each leaf's value from its node's `value` (inputs without one
    /// are 0-dimensional zeros until written). Replaces any graph loaded before, with its
    /// gradients and optimizer state.
    fn load(&mut self, graph: &crate::graph::Graph) -> Result<(), BackendError>;

    /// Replace a leaf's value (the next minibatch, an edited input, a parameter). The
    /// shape must stay the one the graph was loaded with.
    fn write(&mut self, node: NodeId, value: &Tensor) -> Result<(), BackendError>;

    /// Compute every node's value from the leaves.
    fn forward(&mut self) -> Result<(), BackendError>;

    /// Seed the output's adjoint with ones and add ∂output/∂leaf into every leaf's
    /// gradient. Gradients accumulate (`+=`) until [`Backend::zero_grads`].
    fn backward(&mut self) -> Result<(), BackendError>;

    /// Set every leaf's gradient to zero: call it between steps unless accumulating.
    fn zero_grads(&mut self) -> Result<(), BackendError>;

    /// Store values and adjoints in `precision` (parameters keep their f64 master copy,
    /// rounded where the forward pass reads them) and seed the backward pass with
    /// `loss_scale` instead of 1, so the gradients come out multiplied by it. Backends
    /// that store numbers their own way accept only f64 and 1.
    fn set_storage(
        &mut self,
        precision: crate::precision::Precision,
        loss_scale: f64,
    ) -> Result<(), BackendError> {
        if precision == crate::precision::Precision::F64 && loss_scale == 1.0 {
            return Ok(());
        }
        Err(BackendError::Device(format!(
            "{} stores numbers its own way: precision and loss scaling run on the CPU",
            self.name()
        )))
    }

    /// How many adjoint numbers the last [`Backend::backward`] computed as nonzero and
    /// stored as 0 (underflowed in the storage precision); None when the backend does not
    /// count them.
    fn underflows(&self) -> Option<u64> {
        None
    }

    /// Multiply every leaf's gradient by `factor` (to average accumulated micro-batches).
    fn scale_grads(&mut self, factor: f64) -> Result<(), BackendError>;

    /// One optimizer step on every parameter leaf (`Role::Param`) from its gradient.
    /// The backend keeps the optimizer's state (momentum, Adam's moments) per parameter.
    fn update(&mut self, rule: UpdateRule, learning_rate: f64) -> Result<(), BackendError>;

    /// Keep the output's value as the last forward pass left it (a run's loss) at the end
    /// of a log on the device, to be read back with the others by [`Backend::read_log`]:
    /// true if this backend keeps such a log (a GPU backend does, so many steps' losses
    /// cross back at once); false if not, and then the caller reads the output itself.
    /// A new [`Backend::load`] starts an empty log.
    fn log_output(&mut self) -> Result<bool, BackendError> {
        Ok(false)
    }

    /// The values kept by [`Backend::log_output`] since the last call, oldest first.
    fn read_log(&mut self) -> impl Future<Output = Result<Vec<f64>, BackendError>> {
        std::future::ready(Ok(Vec::new()))
    }

    /// Read a node's value, or a leaf's gradient. A GPU backend maps a buffer, so this is
    /// awaited (in the browser nothing may block); the CPU backend is ready at once.
    fn read(
        &mut self,
        node: NodeId,
        quantity: Quantity,
    ) -> impl Future<Output = Result<Tensor, BackendError>>;
}

/// Run a future that completes without waiting on anything outside the process (the CPU
/// backend's reads, or a native GPU read that polls its device to completion).
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut context = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
        std::thread::yield_now();
    }
}
