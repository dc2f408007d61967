//! Reductions on the GPU: `sum`, `mean`, `max` and `argmax` over all elements or along one
//! axis, and
//! their backward (spread the upstream gradient over each lane, or route it to the lane's
//! first maximum, whose position the forward records).

use super::super::{GpuError, GpuIndices, GpuTensor, Recorder, Write, kernels};
use super::{per_group, to_u32};
use crate::tensor::TensorError;
pub use crate::tensor::reduce::Over;
use bytemuck::{Pod, Zeroable};

/// A tensor seen as `[outer, length, inner]` around the reduced axis (`[1, n, 1]` for
/// [`Over::All`]), as on the CPU; the result has `outer × inner` lanes.
struct Lanes {
    outer: usize,
    length: usize,
    inner: usize,
    output_shape: Vec<usize>,
}

impl Lanes {
    fn new(op: &'static str, shape: &[usize], over: Over) -> Result<Lanes, TensorError> {
        match over {
            Over::All => Ok(Lanes {
                outer: 1,
                length: shape.iter().product(),
                inner: 1,
                output_shape: Vec::new(),
            }),
            Over::Axis(axis) if axis < shape.len() => {
                let mut output_shape = shape.to_vec();
                output_shape.remove(axis);
                Ok(Lanes {
                    outer: shape[..axis].iter().product(),
                    length: shape[axis],
                    inner: shape[axis + 1..].iter().product(),
                    output_shape,
                })
            }
            Over::Axis(axis) => Err(TensorError::AxisOutOfRange {
                op,
                axis,
                rank: shape.len(),
            }),
        }
    }

    fn count(&self) -> usize {
        self.outer * self.inner
    }

    /// `max` and `argmax` refuse empty lanes, like the CPU.
    fn non_empty(self, op: &'static str, shape: &[usize]) -> Result<Lanes, TensorError> {
        if self.length == 0 {
            return Err(TensorError::EmptyReduction {
                op,
                shape: shape.to_vec(),
            });
        }
        Ok(self)
    }
}

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct LaneParams {
    lanes: u32,
    length: u32,
    inner: u32,
    /// The sum's factor (reduce.wgsl); for max (reduce_max.wgsl), 1 to write each lane's
    /// position as its value (argmax), 0 to write its maximum.
    scale: f32,
}

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct SpreadParams {
    len: u32,
    length: u32,
    inner: u32,
    scale: f32,
    accumulate: u32,
    pad: [u32; 3],
}

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct RouteParams {
    len: u32,
    length: u32,
    inner: u32,
    accumulate: u32,
}

impl LaneParams {
    fn new(lanes: &Lanes, scale: f32) -> LaneParams {
        LaneParams {
            lanes: to_u32(lanes.count()),
            length: to_u32(lanes.length),
            inner: to_u32(lanes.inner.max(1)),
            scale,
        }
    }
}

impl Recorder<'_> {
    /// The sum of the elements (or of each lane along `over`).
    pub fn sum(
        &mut self,
        over: Over,
        input: &GpuTensor,
        output: &GpuTensor,
    ) -> Result<(), GpuError> {
        self.sum_lanes("sum", over, input, output, |_| 1.0)
    }

    /// The mean of the elements (or of each lane); NaN over zero elements.
    pub fn mean(
        &mut self,
        over: Over,
        input: &GpuTensor,
        output: &GpuTensor,
    ) -> Result<(), GpuError> {
        self.sum_lanes("mean", over, input, output, |length| 1.0 / length as f32)
    }

    fn sum_lanes(
        &mut self,
        op: &'static str,
        over: Over,
        input: &GpuTensor,
        output: &GpuTensor,
        scale: fn(usize) -> f32,
    ) -> Result<(), GpuError> {
        let lanes = Lanes::new(op, input.shape(), over)?;
        output.expect_shape(op, "output", &lanes.output_shape)?;
        let params = LaneParams::new(&lanes, scale(lanes.length));
        let (kernel, grid) = if per_group(lanes.count(), lanes.length) {
            (
                kernels::SUM_PER_GROUP,
                self.context().grid_per_group(lanes.count())?,
            )
        } else {
            (
                kernels::SUM_PER_THREAD,
                self.context().grid_per_item(lanes.count())?,
            )
        };
        self.dispatch(
            op,
            kernel,
            &params,
            &[input.buffer()],
            &[output.buffer()],
            grid,
        )
    }

    /// The largest element (or of each lane), and in `positions` where along the lane its
    /// first occurrence is (for [`Recorder::max_backward`]). Refuses empty lanes.
    pub fn max(
        &mut self,
        over: Over,
        input: &GpuTensor,
        output: &GpuTensor,
        positions: &GpuIndices,
    ) -> Result<(), GpuError> {
        self.max_lanes("max", over, input, output, positions)
    }

    /// The index of the largest element (or of each lane), the first on ties, as a number;
    /// `positions` receives the same positions. Refuses empty lanes.
    pub fn argmax(
        &mut self,
        over: Over,
        input: &GpuTensor,
        output: &GpuTensor,
        positions: &GpuIndices,
    ) -> Result<(), GpuError> {
        self.max_lanes("argmax", over, input, output, positions)
    }

    fn max_lanes(
        &mut self,
        op: &'static str,
        over: Over,
        input: &GpuTensor,
        output: &GpuTensor,
        positions: &GpuIndices,
    ) -> Result<(), GpuError> {
        let lanes = Lanes::new(op, input.shape(), over)?.non_empty(op, input.shape())?;
        output.expect_shape(op, "output", &lanes.output_shape)?;
        expect_positions(positions, lanes.count())?;
        let indices = if op == "argmax" { 1.0 } else { 0.0 };
        let params = LaneParams::new(&lanes, indices);
        let (kernel, grid) = if per_group(lanes.count(), lanes.length) {
            (
                kernels::MAX_PER_GROUP,
                self.context().grid_per_group(lanes.count())?,
            )
        } else {
            (
                kernels::MAX_PER_THREAD,
                self.context().grid_per_item(lanes.count())?,
            )
        };
        self.dispatch(
            op,
            kernel,
            &params,
            &[input.buffer()],
            &[output.buffer(), positions.buffer()],
            grid,
        )
    }

    /// `grad (+)=` each lane's upstream gradient, copied to every element of the lane;
    /// `grad` has the input's shape.
    pub fn sum_backward(
        &mut self,
        over: Over,
        upstream: &GpuTensor,
        grad: &GpuTensor,
        write: Write,
    ) -> Result<(), GpuError> {
        self.spread("sum", over, upstream, grad, write, |_| 1.0)
    }

    /// `grad (+)=` each lane's upstream gradient divided by the lane length.
    pub fn mean_backward(
        &mut self,
        over: Over,
        upstream: &GpuTensor,
        grad: &GpuTensor,
        write: Write,
    ) -> Result<(), GpuError> {
        self.spread("mean", over, upstream, grad, write, |length| {
            1.0 / length as f32
        })
    }

    fn spread(
        &mut self,
        op: &'static str,
        over: Over,
        upstream: &GpuTensor,
        grad: &GpuTensor,
        write: Write,
        scale: fn(usize) -> f32,
    ) -> Result<(), GpuError> {
        let lanes = Lanes::new(op, grad.shape(), over)?;
        upstream.expect_shape(op, "upstream gradient", &lanes.output_shape)?;
        let params = SpreadParams {
            len: grad.len_u32(),
            length: to_u32(lanes.length),
            inner: to_u32(lanes.inner.max(1)),
            scale: scale(lanes.length),
            accumulate: write.flag(),
            pad: [0; 3],
        };
        let grid = self.context().grid_per_item(grad.len())?;
        self.dispatch(
            op,
            kernels::SPREAD,
            &params,
            &[upstream.buffer()],
            &[grad.buffer()],
            grid,
        )
    }

    /// `grad (+)=` each lane's upstream gradient at the lane's first maximum (recorded in
    /// `positions` by [`Recorder::max`]), 0 elsewhere.
    pub fn max_backward(
        &mut self,
        over: Over,
        positions: &GpuIndices,
        upstream: &GpuTensor,
        grad: &GpuTensor,
        write: Write,
    ) -> Result<(), GpuError> {
        let lanes = Lanes::new("max", grad.shape(), over)?.non_empty("max", grad.shape())?;
        upstream.expect_shape("max", "upstream gradient", &lanes.output_shape)?;
        expect_positions(positions, lanes.count())?;
        let params = RouteParams {
            len: grad.len_u32(),
            length: to_u32(lanes.length),
            inner: to_u32(lanes.inner.max(1)),
            accumulate: write.flag(),
        };
        let grid = self.context().grid_per_item(grad.len())?;
        self.dispatch(
            "max",
            kernels::ROUTE_TO_MAX,
            &params,
            &[upstream.buffer(), positions.buffer()],
            &[grad.buffer()],
            grid,
        )
    }
}

fn expect_positions(positions: &GpuIndices, lanes: usize) -> Result<(), GpuError> {
    if positions.len() == lanes {
        Ok(())
    } else {
        Err(GpuError::Destination {
            op: "max",
            what: "positions",
            expected: vec![lanes],
            found: vec![positions.len()],
        })
    }
}
