//! `layer_norm` along the last axis on the GPU, one thread per row, and its backward from
//! the input (for the row's deviation) and the forward's output.

use super::super::{GpuError, GpuTensor, Recorder, Write, kernels};
use super::to_u32;
use crate::tensor::TensorError;
use bytemuck::{Pod, Zeroable};

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct RowParams {
    rows: u32,
    row_length: u32,
    accumulate: u32,
    pad: u32,
}

/// `(rows, row length)` along the last axis, which must exist.
fn rows(shape: &[usize]) -> Result<(usize, usize), TensorError> {
    let &row_length = shape.last().ok_or_else(|| TensorError::Rank {
        op: "layer_norm",
        shape: Vec::new(),
        expected: "at least one dimension",
    })?;
    Ok((shape[..shape.len() - 1].iter().product(), row_length))
}

impl Recorder<'_> {
    /// `output = layer_norm(input)` along the last axis.
    pub fn layer_norm(&mut self, input: &GpuTensor, output: &GpuTensor) -> Result<(), GpuError> {
        let (rows, row_length) = rows(input.shape())?;
        output.expect_shape("layer_norm", "output", input.shape())?;
        if row_length == 0 {
            return Ok(());
        }
        let params = RowParams {
            rows: to_u32(rows),
            row_length: to_u32(row_length),
            accumulate: 0,
            pad: 0,
        };
        let grid = self.context().grid_per_item(rows)?;
        self.dispatch(
            "layer_norm",
            kernels::LAYER_NORM_FORWARD,
            &params,
            &[input.buffer()],
            &[output.buffer()],
            grid,
        )
    }

    /// `grad (+)= (ȳ − mean ȳ − y · mean(ȳ ⊙ y)) / √(σ² + ε)` per row.
    pub fn layer_norm_backward(
        &mut self,
        input: &GpuTensor,
        output: &GpuTensor,
        upstream: &GpuTensor,
        grad: &GpuTensor,
        write: Write,
    ) -> Result<(), GpuError> {
        let (rows, row_length) = rows(input.shape())?;
        output.expect_shape("layer_norm", "output", input.shape())?;
        upstream.expect_shape("layer_norm", "upstream gradient", input.shape())?;
        grad.expect_shape("layer_norm", "gradient", input.shape())?;
        if row_length == 0 {
            return Ok(());
        }
        let params = RowParams {
            rows: to_u32(rows),
            row_length: to_u32(row_length),
            accumulate: write.flag(),
            pad: 0,
        };
        let grid = self.context().grid_per_item(rows)?;
        self.dispatch(
            "layer_norm",
            kernels::LAYER_NORM_VJP,
            &params,
            &[input.buffer(), output.buffer(), upstream.buffer()],
            &[grad.buffer()],
            grid,
        )
    }
}
