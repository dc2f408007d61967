//! The ops: each module adds the recording methods of one op family to
//! [`Recorder`](super::Recorder), checking shapes like the CPU reference, packing the
//! kernel's parameters and picking its entry point.

pub mod dense;
pub mod elementwise;
pub mod layer_norm;
pub mod loss;
pub mod matmul;
pub mod optimizer;
pub mod reduce;
pub mod select;
pub mod softmax;
pub mod utility;

/// Lanes (rows, reduced runs, broadcast copies) at least this long may be summed by a
/// whole workgroup each; shorter ones are summed by one thread each, which keeps small
/// ops cheap.
pub(crate) const LONG_LANE: usize = 128;

/// With at least this many lanes there is a thread for every lane to keep the device busy,
/// so each lane is summed by one thread however long it is.
pub(crate) const MANY_LANES: usize = 256;

/// Whether `lanes` lanes of `length` elements are reduced by a workgroup per lane (few,
/// long lanes: a sum over everything, a bias gradient over a batch of a narrow layer)
/// rather than by a thread per lane. A workgroup's tree of barriers costs more than it
/// saves once every lane has a thread: on lavapipe a bias gradient of 256 × 256 takes
/// 8.4 ms by workgroups and 1.9 ms by threads.
pub(crate) fn per_group(lanes: usize, length: usize) -> bool {
    length >= LONG_LANE && lanes < MANY_LANES
}

/// A count as the `u32` kernels use; tensor lengths were checked to fit when made.
pub(crate) fn to_u32(count: usize) -> u32 {
    u32::try_from(count).unwrap_or(u32::MAX)
}
