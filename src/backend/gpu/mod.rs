//! The wgpu compute layer: f32 tensors on a GPU and a WGSL kernel for the forward and the
//! backward rule of every tensor op, checked against the f64 reference in [`crate::tensor`].
//!
//! # Shape of the layer
//!
//! - [`GpuContext`] owns the device and queue (acquired asynchronously with typed errors, or
//!   injected by the caller), the adapter's limits, a "device lost" flag, the cached
//!   pipelines, the buffer pool and the dispatch/submission counters.
//! - [`GpuTensor`] is a shape and a pooled storage buffer of `f32` (or a view of a range
//!   of one, shared); dropping the last tensor on a buffer returns it to the pool, so the
//!   buffers of one training step are reused by the next.
//! - [`Recorder`] records many dispatches into one command encoder (one compute pass,
//!   broken only by copies) and submits them once. Each op family adds its methods to the
//!   recorder from its own module under `ops/`; the WGSL lives in `kernels/*.wgsl`.
//! - [`Readback`] copies a tensor to a mappable buffer inside the recording and is awaited
//!   after the submission (`map_async`; natively the device is polled, in the browser
//!   nothing blocks).
//! - [`GpuBackend`] runs a whole [`Graph`](crate::graph::Graph) behind the
//!   [`Backend`](crate::backend::Backend) trait: it queues the calls of training steps and
//!   records them into one encoder, submitted once when a read needs a result. Dense
//!   layers found in the graph run fused (one dispatch each way), and the parameters,
//!   packed into one buffer, take one optimizer dispatch.
//!
//! Backward kernels write into a destination the caller owns, either overwriting it or
//! adding to it ([`Write`]), so a backend can accumulate adjoints without extra dispatches.

mod backend;
mod context;
mod error;
mod grid;
mod kernels;
mod layout;
mod ops;
mod params;
mod pipelines;
mod pool;
mod readback;
mod recorder;
mod tensor;

pub use backend::GpuBackend;
pub use context::{GpuContext, GpuCounters};
pub use error::GpuError;
pub use ops::dense::Activation;
pub use ops::elementwise::{BinaryOp, ElementwiseKernel, Operand, UnaryOp};
pub use ops::matmul::Transposed;
pub use ops::optimizer::ParamState;
pub use pool::PoolStats;
pub use readback::Readback;
pub use recorder::{Recorder, Write};
pub use tensor::{GpuIndices, GpuTensor};

/// The most dimensions a broadcast operand may have once dimensions of size 1 are dropped
/// and contiguous dimensions merged (each kernel's index arithmetic is unrolled to this).
pub const MAX_GPU_RANK: usize = 8;

#[cfg(test)]
mod tests;
