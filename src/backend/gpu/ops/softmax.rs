//! `softmax` and `log_softmax` along the last axis on the GPU, with their backward from
//! the forward's output.

use super::super::{GpuError, GpuTensor, Recorder, Write, kernels};
use super::{per_group, to_u32};
use crate::tensor::TensorError;
use bytemuck::{Pod, Zeroable};

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct RowParams {
    rows: u32,
    row_length: u32,
    log: u32,
    accumulate: u32,
}

/// Rows along the last axis: `(rows, row length)`; a scalar has no last axis.
fn rows(op: &'static str, shape: &[usize]) -> Result<(usize, usize), TensorError> {
    let &row_length = shape.last().ok_or_else(|| TensorError::Rank {
        op,
        shape: Vec::new(),
        expected: "at least one dimension",
    })?;
    let rows = shape[..shape.len() - 1].iter().product();
    Ok((rows, row_length))
}

impl Recorder<'_> {
    /// `output = softmax(input)` along the last axis.
    pub fn softmax(&mut self, input: &GpuTensor, output: &GpuTensor) -> Result<(), GpuError> {
        self.softmax_rows("softmax", false, input, output)
    }

    /// `output = log_softmax(input)` along the last axis.
    pub fn log_softmax(&mut self, input: &GpuTensor, output: &GpuTensor) -> Result<(), GpuError> {
        self.softmax_rows("log_softmax", true, input, output)
    }

    fn softmax_rows(
        &mut self,
        op: &'static str,
        log: bool,
        input: &GpuTensor,
        output: &GpuTensor,
    ) -> Result<(), GpuError> {
        let (rows, row_length) = rows(op, input.shape())?;
        output.expect_shape(op, "output", input.shape())?;
        if row_length == 0 {
            return Ok(());
        }
        let params = RowParams {
            rows: to_u32(rows),
            row_length: to_u32(row_length),
            log: u32::from(log),
            accumulate: 0,
        };
        let (kernel, grid) = if per_group(rows, row_length) {
            (
                kernels::SOFTMAX_PER_GROUP,
                self.context().grid_per_group(rows)?,
            )
        } else {
            (
                kernels::SOFTMAX_PER_THREAD,
                self.context().grid_per_item(rows)?,
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

    /// `grad (+)= y ⊙ (ȳ − Σ ȳ ⊙ y)` per row, from the softmax output `y`.
    pub fn softmax_backward(
        &mut self,
        output: &GpuTensor,
        upstream: &GpuTensor,
        grad: &GpuTensor,
        write: Write,
    ) -> Result<(), GpuError> {
        self.softmax_rows_backward("softmax", false, output, upstream, grad, write)
    }

    /// `grad (+)= ȳ − exp(y) · Σ ȳ` per row, from the log_softmax output `y`.
    pub fn log_softmax_backward(
        &mut self,
        output: &GpuTensor,
        upstream: &GpuTensor,
        grad: &GpuTensor,
        write: Write,
    ) -> Result<(), GpuError> {
        self.softmax_rows_backward("log_softmax", true, output, upstream, grad, write)
    }

    fn softmax_rows_backward(
        &mut self,
        op: &'static str,
        log: bool,
        output: &GpuTensor,
        upstream: &GpuTensor,
        grad: &GpuTensor,
        write: Write,
    ) -> Result<(), GpuError> {
        let (rows, row_length) = rows(op, output.shape())?;
        upstream.expect_shape(op, "upstream gradient", output.shape())?;
        grad.expect_shape(op, "gradient", output.shape())?;
        if row_length == 0 {
            return Ok(());
        }
        let params = RowParams {
            rows: to_u32(rows),
            row_length: to_u32(row_length),
            log: u32::from(log),
            accumulate: write.flag(),
        };
        let (kernel, grid) = if per_group(rows, row_length) {
            (
                kernels::SOFTMAX_VJP_PER_GROUP,
                self.context().grid_per_group(rows)?,
            )
        } else {
            (
                kernels::SOFTMAX_VJP_PER_THREAD,
                self.context().grid_per_item(rows)?,
            )
        };
        self.dispatch(
            op,
            kernel,
            &params,
            &[output.buffer(), upstream.buffer()],
            &[grad.buffer()],
            grid,
        )
    }
}
