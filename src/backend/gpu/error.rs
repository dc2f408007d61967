//! `GpuError`: everything the GPU layer can refuse or run into, as data.

use crate::tensor::{TensorError, shape_text};
use thiserror::Error;

#[derive(Clone, Debug, PartialEq, Error)]
pub enum GpuError {
    /// No adapter (WebGPU unavailable, no Vulkan/Metal/DX12 driver).
    #[error("no GPU adapter is available: {0}")]
    NoAdapter(String),
    /// The adapter exists but refused to open a device.
    #[error("the GPU adapter refused to open a device: {0}")]
    RequestDevice(String),
    /// A buffer or a dispatch over the adapter's limits.
    #[error("{what} needs {needed}, but this GPU allows at most {limit}")]
    TooLarge {
        what: &'static str,
        needed: u64,
        limit: u64,
    },
    /// Operand shapes an op refuses (the same errors as the CPU reference).
    #[error(transparent)]
    Tensor(#[from] TensorError),
    /// A destination tensor whose shape is not what the op produces.
    #[error(
        "{op}: the {what} has shape {}, expected {}",
        shape_text(.found),
        shape_text(.expected)
    )]
    Destination {
        op: &'static str,
        what: &'static str,
        expected: Vec<usize>,
        found: Vec<usize>,
    },
    /// The same buffer as an input and as the output of one dispatch.
    #[error("{op}: the output must not also be one of its inputs")]
    Aliased { op: &'static str },
    /// Broadcasting that still needs more dimensions than the kernels index.
    #[error("{op}: broadcasting needs {rank} dimensions, the GPU kernels handle {limit}")]
    RankTooLarge {
        op: &'static str,
        rank: usize,
        limit: usize,
    },
    /// The device went away (driver reset, tab in the background, `destroy`).
    #[error("the GPU device was lost: {0}")]
    DeviceLost(String),
    /// The device reported a validation or out-of-memory error.
    #[error("the GPU reported an error: {0}")]
    Device(String),
    /// Mapping a buffer for reading failed, or the recording was dropped unsubmitted.
    #[error("reading back from the GPU failed: {0}")]
    Readback(String),
}
