//! Tests of the GPU layer: every kernel, forward and backward, against the f64 CPU
//! reference of `crate::tensor` on random shapes (odd sizes that do not fill a tile
//! included), within the tolerance stated in [`harness`]; the recorder's promises (one
//! submission, pooled buffers, counters, errors instead of panics); and naga's validation
//! of every `.wgsl` file.
//!
//! The GPU tests share one context. With no adapter they FAIL, unless `BACKPROP_SKIP_GPU=1`
//! is set on purpose (CI never sets it): a machine without a GPU driver must not look green.

mod harness;

mod backend;

mod dense;
mod elementwise;
mod losses;
mod matmul;
mod optimizers;
mod recording;
mod reductions;
mod shaders;
mod softmax;
mod utility;
