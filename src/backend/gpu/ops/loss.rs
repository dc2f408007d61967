//! Losses on the GPU: `cross_entropy(logits, labels)` and `mse(prediction, target)`, each
//! reduced to a scalar by one workgroup, with their backward.
//!
//! Shapes are checked as on the CPU. Label values are not (they live on the GPU): a label
//! that is not a whole number in `0..C` makes the loss and its row's gradient NaN, where
//! the CPU refuses it; check labels when uploading them.

use super::super::grid::Grid;
use super::super::{GpuError, GpuTensor, Operand, Recorder, Write, kernels};
use super::to_u32;
use crate::tensor::TensorError;
use bytemuck::{Pod, Zeroable};

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct ClassParams {
    rows: u32,
    classes: u32,
    accumulate: u32,
    pad: u32,
}

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct MseParams {
    len: u32,
    sign: f32,
    accumulate: u32,
    pad: u32,
}

/// The single workgroup of the loss kernels.
const ONE_GROUP: Grid = Grid { x: 1, y: 1 };

/// `(rows, classes)` of logits `[N, C]` with labels `[N]`.
fn classification(logits: &GpuTensor, labels: &GpuTensor) -> Result<(usize, usize), TensorError> {
    let &[rows, classes] = logits.shape() else {
        return Err(TensorError::Rank {
            op: "cross_entropy",
            shape: logits.shape().to_vec(),
            expected: "logits of shape [N, C]",
        });
    };
    if labels.shape() != [rows] {
        return Err(TensorError::ShapeMismatch {
            op: "cross_entropy",
            left: logits.shape().to_vec(),
            right: labels.shape().to_vec(),
        });
    }
    Ok((rows, classes))
}

fn same_shapes(prediction: &GpuTensor, target: &GpuTensor) -> Result<(), TensorError> {
    if prediction.shape() == target.shape() {
        Ok(())
    } else {
        Err(TensorError::ShapeMismatch {
            op: "mse",
            left: prediction.shape().to_vec(),
            right: target.shape().to_vec(),
        })
    }
}

impl Recorder<'_> {
    /// `loss = −mean_n log_softmax(logits)[n, labels[n]]`; `loss` is a scalar.
    pub fn cross_entropy(
        &mut self,
        logits: &GpuTensor,
        labels: &GpuTensor,
        loss: &GpuTensor,
    ) -> Result<(), GpuError> {
        let (rows, classes) = classification(logits, labels)?;
        loss.expect_shape("cross_entropy", "loss", &[])?;
        let params = ClassParams {
            rows: to_u32(rows),
            classes: to_u32(classes),
            accumulate: 0,
            pad: 0,
        };
        self.dispatch(
            "cross_entropy",
            kernels::CROSS_ENTROPY_FORWARD,
            &params,
            &[logits.buffer(), labels.buffer()],
            &[loss.buffer()],
            ONE_GROUP,
        )
    }

    /// `grad (+)= ȳ (softmax(logits) − onehot(labels)) / N` for the logits. Labels have no
    /// gradient.
    pub fn cross_entropy_backward(
        &mut self,
        logits: &GpuTensor,
        labels: &GpuTensor,
        upstream: &GpuTensor,
        grad: &GpuTensor,
        write: Write,
    ) -> Result<(), GpuError> {
        let (rows, classes) = classification(logits, labels)?;
        upstream.expect_shape("cross_entropy", "upstream gradient", &[])?;
        grad.expect_shape("cross_entropy", "gradient", logits.shape())?;
        if classes == 0 {
            return Ok(());
        }
        let params = ClassParams {
            rows: to_u32(rows),
            classes: to_u32(classes),
            accumulate: write.flag(),
            pad: 0,
        };
        let grid = self.context().grid_per_item(rows)?;
        self.dispatch(
            "cross_entropy",
            kernels::CROSS_ENTROPY_VJP,
            &params,
            &[logits.buffer(), labels.buffer(), upstream.buffer()],
            &[grad.buffer()],
            grid,
        )
    }

    /// `loss = mean((prediction − target)²)`; equal shapes only; `loss` is a scalar.
    pub fn mse(
        &mut self,
        prediction: &GpuTensor,
        target: &GpuTensor,
        loss: &GpuTensor,
    ) -> Result<(), GpuError> {
        same_shapes(prediction, target)?;
        loss.expect_shape("mse", "loss", &[])?;
        let params = MseParams {
            len: prediction.len_u32(),
            sign: 1.0,
            accumulate: 0,
            pad: 0,
        };
        self.dispatch(
            "mse",
            kernels::MSE_FORWARD,
            &params,
            &[prediction.buffer(), target.buffer()],
            &[loss.buffer()],
            ONE_GROUP,
        )
    }

    /// `grad (+)= ±2ȳ (prediction − target) / n`: `+` for the prediction
    /// ([`Operand::Left`]), `−` for the target ([`Operand::Right`]).
    pub fn mse_backward(
        &mut self,
        operand: Operand,
        prediction: &GpuTensor,
        target: &GpuTensor,
        upstream: &GpuTensor,
        grad: &GpuTensor,
        write: Write,
    ) -> Result<(), GpuError> {
        same_shapes(prediction, target)?;
        upstream.expect_shape("mse", "upstream gradient", &[])?;
        grad.expect_shape("mse", "gradient", prediction.shape())?;
        let params = MseParams {
            len: prediction.len_u32(),
            sign: if operand == Operand::Left { 1.0 } else { -1.0 },
            accumulate: write.flag(),
            pad: 0,
        };
        let grid = self.context().grid_per_item(prediction.len())?;
        self.dispatch(
            "mse",
            kernels::MSE_VJP,
            &params,
            &[prediction.buffer(), target.buffer(), upstream.buffer()],
            &[grad.buffer()],
            grid,
        )
    }
}
