//! Utility kernels: fill (and zero), scale in place, accumulate (`a += b`) and copy.

use super::super::{GpuError, GpuTensor, Recorder, kernels};
use bytemuck::{Pod, Zeroable};

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct FillParams {
    len: u32,
    value: f32,
    pad: [u32; 2],
}

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct LengthParams {
    len: u32,
    pad: [u32; 3],
}

impl Recorder<'_> {
    /// Every element of `tensor` set to `value`.
    pub fn fill(&mut self, tensor: &GpuTensor, value: f32) -> Result<(), GpuError> {
        self.in_place(kernels::FILL_VALUE, "fill", tensor, value)
    }

    /// Every element of `tensor` set to 0 (gradients between steps).
    pub fn zero(&mut self, tensor: &GpuTensor) -> Result<(), GpuError> {
        self.fill(tensor, 0.0)
    }

    /// Every element of `tensor` multiplied by `factor`.
    pub fn scale(&mut self, tensor: &GpuTensor, factor: f32) -> Result<(), GpuError> {
        self.in_place(kernels::SCALE, "scale", tensor, factor)
    }

    fn in_place(
        &mut self,
        kernel: kernels::Kernel,
        op: &'static str,
        tensor: &GpuTensor,
        value: f32,
    ) -> Result<(), GpuError> {
        let params = FillParams {
            len: tensor.len_u32(),
            value,
            pad: [0; 2],
        };
        let grid = self.context().grid_per_item(tensor.len())?;
        self.dispatch(op, kernel, &params, &[], &[tensor.buffer()], grid)
    }

    /// `target += source`, element by element (equal shapes).
    pub fn accumulate(&mut self, target: &GpuTensor, source: &GpuTensor) -> Result<(), GpuError> {
        self.source_into_target(kernels::ADD_INTO, "accumulate", target, source)
    }

    /// `target = source` (equal shapes).
    pub fn copy(&mut self, target: &GpuTensor, source: &GpuTensor) -> Result<(), GpuError> {
        self.source_into_target(kernels::COPY, "copy", target, source)
    }

    fn source_into_target(
        &mut self,
        kernel: kernels::Kernel,
        op: &'static str,
        target: &GpuTensor,
        source: &GpuTensor,
    ) -> Result<(), GpuError> {
        target.expect_shape(op, "target", source.shape())?;
        let params = LengthParams {
            len: target.len_u32(),
            pad: [0; 3],
        };
        let grid = self.context().grid_per_item(target.len())?;
        self.dispatch(
            op,
            kernel,
            &params,
            &[source.buffer()],
            &[target.buffer()],
            grid,
        )
    }
}
