//! The ops: each module adds the recording methods of one op family to
//! [`Recorder`](super::Recorder), checking shapes like the CPU reference, packing the
//! kernel's parameters and picking its entry point.

pub mod elementwise;
pub mod loss;
pub mod matmul;
pub mod optimizer;
pub mod reduce;
pub mod softmax;
pub mod utility;

/// Lanes (rows, reduced runs, broadcast copies) at least this long are summed by a whole
/// workgroup each; shorter ones by one thread each, which keeps small ops cheap.
pub(crate) const LONG_LANE: usize = 128;

/// A count as the `u32` kernels use; tensor lengths were checked to fit when made.
pub(crate) fn to_u32(count: usize) -> u32 {
    u32::try_from(count).unwrap_or(u32::MAX)
}
