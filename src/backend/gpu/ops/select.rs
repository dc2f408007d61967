//! `where(c, a, b)` on the GPU: three operands broadcast together, forward, and the
//! backward of each branch (the upstream gradient where that branch was chosen, summed over
//! the dimensions broadcasting stretched it). The condition receives no gradient.

use super::super::layout::aligned_strides;
use super::super::{GpuError, GpuTensor, MAX_GPU_RANK, Recorder, Write, kernels};
use super::to_u32;
use crate::tensor::shape::broadcast_shapes_for;
use bytemuck::{Pod, Zeroable};

/// Which branch of `where` a gradient is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Branch {
    /// `a`, chosen where `c > 0`.
    Chosen,
    /// `b`, chosen elsewhere.
    Otherwise,
}

/// The broadcast output's dimensions (those of size 1 dropped) and each operand's stride
/// along them, 0 where it is stretched.
struct SelectLayout {
    shape: Vec<usize>,
    dims: Vec<usize>,
    /// Condition, `a`, `b`.
    strides: [Vec<usize>; 3],
}

impl SelectLayout {
    fn new(shapes: [&[usize]; 3]) -> Result<SelectLayout, GpuError> {
        let partial = broadcast_shapes_for("where", shapes[0], shapes[1])?;
        let shape = broadcast_shapes_for("where", &partial, shapes[2])?;
        let full = shapes.map(|operand| aligned_strides(operand, &shape));
        let kept: Vec<usize> = (0..shape.len()).filter(|&axis| shape[axis] != 1).collect();
        if kept.len() > MAX_GPU_RANK {
            return Err(GpuError::RankTooLarge {
                op: "where",
                rank: kept.len(),
                limit: MAX_GPU_RANK,
            });
        }
        let dims = kept.iter().map(|&axis| shape[axis]).collect();
        let strides = full.map(|strides| kept.iter().map(|&axis| strides[axis]).collect());
        Ok(SelectLayout {
            shape,
            dims,
            strides,
        })
    }

    /// How many output elements each element of `operand` is copied to.
    fn copies(&self, operand: usize) -> usize {
        self.dims
            .iter()
            .zip(&self.strides[operand])
            .filter(|&(_, &stride)| stride == 0)
            .map(|(&dim, _)| dim)
            .product()
    }
}

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct SelectParams {
    len: u32,
    rank: u32,
    operand: u32,
    operand_len: u32,
    reduced: u32,
    accumulate: u32,
    pad: [u32; 2],
    dims: [[u32; 4]; 2],
    strides: [[[u32; 4]; 2]; 3],
}

impl SelectParams {
    fn new(layout: &SelectLayout) -> SelectParams {
        let pack = |values: &[usize]| {
            let mut packed = [[0u32; 4]; 2];
            for (slot, &value) in values.iter().enumerate() {
                packed[slot / 4][slot % 4] = to_u32(value);
            }
            packed
        };
        SelectParams {
            len: to_u32(layout.shape.iter().product()),
            rank: to_u32(layout.dims.len()),
            operand: 0,
            operand_len: 0,
            reduced: 0,
            accumulate: 0,
            pad: [0; 2],
            dims: pack(&layout.dims),
            strides: [
                pack(&layout.strides[0]),
                pack(&layout.strides[1]),
                pack(&layout.strides[2]),
            ],
        }
    }
}

impl Recorder<'_> {
    /// `output = where(cond, a, b)`; `output` has the three shapes broadcast together.
    pub fn select(
        &mut self,
        cond: &GpuTensor,
        a: &GpuTensor,
        b: &GpuTensor,
        output: &GpuTensor,
    ) -> Result<(), GpuError> {
        let layout = SelectLayout::new([cond.shape(), a.shape(), b.shape()])?;
        output.expect_shape("where", "output", &layout.shape)?;
        let grid = self.context().grid_per_item(output.len())?;
        self.dispatch(
            "where",
            kernels::SELECT_FORWARD,
            &SelectParams::new(&layout),
            &[cond.buffer(), a.buffer(), b.buffer()],
            &[output.buffer()],
            grid,
        )
    }

    /// The gradient of one branch: `upstream` where that branch was chosen (0 elsewhere),
    /// summed over the dimensions broadcasting stretched it, into `grad` (its shape).
    #[allow(clippy::too_many_arguments)]
    pub fn select_backward(
        &mut self,
        branch: Branch,
        cond: &GpuTensor,
        a: &GpuTensor,
        b: &GpuTensor,
        upstream: &GpuTensor,
        grad: &GpuTensor,
        write: Write,
    ) -> Result<(), GpuError> {
        let layout = SelectLayout::new([cond.shape(), a.shape(), b.shape()])?;
        upstream.expect_shape("where", "upstream gradient", &layout.shape)?;
        let (operand, target) = match branch {
            Branch::Chosen => (1, a),
            Branch::Otherwise => (2, b),
        };
        grad.expect_shape("where", "gradient", target.shape())?;
        let params = SelectParams {
            operand: to_u32(operand),
            operand_len: target.len_u32(),
            reduced: to_u32(layout.copies(operand)),
            accumulate: write.flag(),
            ..SelectParams::new(&layout)
        };
        let grid = self.context().grid_per_item(target.len())?;
        self.dispatch(
            "where",
            kernels::SELECT_VJP,
            &params,
            &[cond.buffer(), upstream.buffer()],
            &[grad.buffer()],
            grid,
        )
    }
}
