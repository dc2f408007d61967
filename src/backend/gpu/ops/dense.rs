//! Dense layers fused into one kernel each way: `act(x @ w + b)` forward (dense.wgsl) and
//! all three of its gradients backward (dense_backward.wgsl), for the activations the
//! backend fuses ([`Activation`]). The backend finds these layers in a graph; the shapes
//! and errors here are those of the product, the broadcast add and the activation.

use super::super::{GpuError, GpuTensor, Recorder, Write, kernels};
use super::to_u32;
use crate::op::Op;
use crate::tensor::TensorError;
use bytemuck::{Pod, Zeroable};

/// The elementwise activation after a fused layer's bias.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activation {
    /// `x @ w + b` alone.
    None,
    Relu,
    Tanh,
    Sigmoid,
}

impl Activation {
    /// The activation a fused layer can end in, for an op read after the bias.
    pub fn of(op: Op) -> Option<Activation> {
        match op {
            Op::Relu => Some(Activation::Relu),
            Op::Tanh => Some(Activation::Tanh),
            Op::Sigmoid => Some(Activation::Sigmoid),
            _ => None,
        }
    }

    /// The activation's bits of the `OP` constant of dense.wgsl and dense_backward.wgsl.
    pub(crate) fn code(self) -> u32 {
        match self {
            Activation::None => 0,
            Activation::Relu => 1,
            Activation::Tanh => 2,
            Activation::Sigmoid => 3,
        }
    }
}

/// The layout bits of the `OP` constant: rows of the layer's input (`x`) and of its
/// output (`w`, `y`, `dy`) are whole vec4s, so the kernels load them four at a time.
const ALIGNED_INPUT: u32 = 4;
const ALIGNED_OUTPUT: u32 = 8;

/// The pipeline of a layer with `inner` inputs and `cols` outputs.
fn variant(activation: Activation, inner: usize, cols: usize) -> u32 {
    let bit = |aligned: bool, flag: u32| if aligned { flag } else { 0 };
    activation.code()
        | bit(inner.is_multiple_of(4), ALIGNED_INPUT)
        | bit(cols.is_multiple_of(4), ALIGNED_OUTPUT)
}

/// Outputs per side of one thread's block in both kernels.
const BLOCK: usize = 4;
/// Layers at least this wide run forward on blocks of 4 × 8 (dense.wgsl's `main_wide`).
const WIDE_FROM: usize = 128;
/// Threads per workgroup of dense_backward.wgsl.
const BACKWARD_GROUP: usize = 64;

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct DenseParams {
    rows: u32,
    inner: u32,
    cols: u32,
    pad: u32,
}

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct DenseBackwardParams {
    rows: u32,
    inner: u32,
    cols: u32,
    flags: u32,
    weight_blocks: u32,
    input_blocks: u32,
    weight_groups: u32,
    pad: u32,
}

const ACCUMULATE_DX: u32 = 1;
const ACCUMULATE_DW: u32 = 2;
const ACCUMULATE_DB: u32 = 4;
const SKIP_DX: u32 = 8;
const SKIP_DW: u32 = 16;
const SKIP_DB: u32 = 32;
/// Where the code of the input's own activation sits in `flags` (dense_backward.wgsl).
const DX_ACTIVATION_SHIFT: u32 = 6;

/// `[rows, inner, cols]` of a layer with input `x` (rows × inner), weights `w`
/// (inner × cols) and bias `b` (cols, or 1 × cols), or why they are not one.
fn layer_sizes(x: &GpuTensor, w: &GpuTensor, b: &GpuTensor) -> Result<[usize; 3], GpuError> {
    let rank = |shape: &[usize]| TensorError::Rank {
        op: "@",
        shape: shape.to_vec(),
        expected: "a matrix (2 dimensions)",
    };
    let &[rows, inner] = x.shape() else {
        return Err(rank(x.shape()).into());
    };
    let &[right_inner, cols] = w.shape() else {
        return Err(rank(w.shape()).into());
    };
    if inner != right_inner {
        return Err(TensorError::InnerDimensions {
            left: x.shape().to_vec(),
            right: w.shape().to_vec(),
            left_inner: inner,
            right_inner,
        }
        .into());
    }
    if b.shape() != [cols] && b.shape() != [1, cols] {
        return Err(GpuError::Destination {
            op: "dense",
            what: "bias",
            expected: vec![cols],
            found: b.shape().to_vec(),
        });
    }
    Ok([rows, inner, cols])
}

impl Recorder<'_> {
    /// `output = act(x @ w + b)` in one dispatch.
    pub fn dense(
        &mut self,
        activation: Activation,
        x: &GpuTensor,
        w: &GpuTensor,
        b: &GpuTensor,
        output: &GpuTensor,
    ) -> Result<(), GpuError> {
        let [rows, inner, cols] = layer_sizes(x, w, b)?;
        output.expect_shape("dense", "output", &[rows, cols])?;
        let params = DenseParams {
            rows: to_u32(rows),
            inner: to_u32(inner),
            cols: to_u32(cols),
            pad: 0,
        };
        // Threads of 8 × 8 per workgroup, each a 4 × 4 block, or 4 × 8 in wide layers.
        let side = 8 * BLOCK;
        let (kernel, columns) = if cols >= WIDE_FROM {
            (kernels::DENSE_FORWARD_WIDE, 2 * side)
        } else {
            (kernels::DENSE_FORWARD, side)
        };
        let grid = self
            .context()
            .grid_tiles(cols.div_ceil(columns), rows.div_ceil(side))?;
        self.dispatch_op(
            "dense",
            (kernel, variant(activation, inner, cols)),
            &params,
            &[x.buffer(), w.buffer(), b.buffer()],
            &[output.buffer()],
            grid,
        )
    }

    /// The gradients of `output = act(x @ w + b)` from the output's `upstream` gradient,
    /// in one dispatch: `dx (+)= δ · wᵀ`, `dw (+)= xᵀ · δ`, `db (+)= Σ δ` over the rows,
    /// with `δ = upstream ⊙ act'(output)`; each skipped when `None`.
    ///
    /// With `input_activation` other than [`Activation::None`], `x` is the output of a
    /// layer ending in that activation, and `dx` is stored times its derivative: that
    /// layer's δ, so its own backward runs with `activation` `None` on it.
    #[allow(clippy::too_many_arguments)]
    pub fn dense_backward(
        &mut self,
        activation: Activation,
        input_activation: Activation,
        x: &GpuTensor,
        w: &GpuTensor,
        b: &GpuTensor,
        output: &GpuTensor,
        upstream: &GpuTensor,
        [dx, dw, db]: [Option<(&GpuTensor, Write)>; 3],
    ) -> Result<(), GpuError> {
        let [rows, inner, cols] = layer_sizes(x, w, b)?;
        output.expect_shape("dense", "output", &[rows, cols])?;
        upstream.expect_shape("dense", "upstream gradient", &[rows, cols])?;
        let targets = [
            (dx, x, "input gradient", ACCUMULATE_DX, SKIP_DX),
            (dw, w, "weight gradient", ACCUMULATE_DW, SKIP_DW),
            (db, b, "bias gradient", ACCUMULATE_DB, SKIP_DB),
        ];
        let mut flags = input_activation.code() << DX_ACTIVATION_SHIFT;
        // A gradient not wanted is written nowhere; its binding gets a stand-in.
        let mut stand_ins = Vec::new();
        for (target, like, what, accumulate, skip) in targets {
            match target {
                Some((grad, write)) => {
                    grad.expect_shape("dense", what, like.shape())?;
                    if write == Write::Accumulate {
                        flags |= accumulate;
                    }
                }
                None => {
                    flags |= skip;
                    stand_ins.push(self.context().tensor(&[1])?);
                }
            }
        }
        let mut stand_in = stand_ins.iter();
        let [Some(dx_buffer), Some(dw_buffer), Some(db_buffer)] =
            [dx, dw, db].map(|target| match target {
                Some((grad, _)) => Some(grad.buffer()),
                None => stand_in.next().map(GpuTensor::buffer),
            })
        else {
            return Err(GpuError::Device(
                "a dense gradient has no buffer".to_owned(),
            ));
        };
        let blocks = |rows: usize, cols: usize| rows.div_ceil(BLOCK) * cols.div_ceil(BLOCK);
        let weight_blocks = if dw.is_none() && db.is_none() {
            0
        } else {
            blocks(inner + 1, cols)
        };
        let input_blocks = if dx.is_none() { 0 } else { blocks(rows, inner) };
        // Each workgroup takes blocks of one kind only (see dense_backward.wgsl).
        let weight_groups = weight_blocks.div_ceil(BACKWARD_GROUP);
        let params = DenseBackwardParams {
            rows: to_u32(rows),
            inner: to_u32(inner),
            cols: to_u32(cols),
            flags,
            weight_blocks: to_u32(weight_blocks),
            input_blocks: to_u32(input_blocks),
            weight_groups: to_u32(weight_groups),
            pad: 0,
        };
        let grid = self
            .context()
            .grid_per_group(weight_groups + input_blocks.div_ceil(BACKWARD_GROUP))?;
        self.dispatch_op(
            "dense",
            (kernels::DENSE_VJP, variant(activation, inner, cols)),
            &params,
            &[x.buffer(), w.buffer(), output.buffer(), upstream.buffer()],
            &[dx_buffer, dw_buffer, db_buffer],
            grid,
        )
    }
}
