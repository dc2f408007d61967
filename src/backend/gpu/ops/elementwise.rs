//! Elementwise ops on the GPU: unary ops, and binary ops with NumPy broadcasting whose
//! backward sums over the broadcast dimensions in the kernel (no CPU round trip).

use super::super::layout::BroadcastLayout;
use super::super::{GpuError, GpuTensor, Recorder, Write, kernels};
use super::{per_group, to_u32};
use crate::op::Op;
use bytemuck::{Pod, Zeroable};

/// The unary ops with a GPU kernel, in f32.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum UnaryOp {
    Neg,
    Exp,
    Log,
    Sqrt,
    Sin,
    Cos,
    Tanh,
    Sigmoid,
    Relu,
    Abs,
    /// `x^n` with a constant exponent.
    PowConst(f32),
    Identity,
    Gelu,
    /// The value, and no gradient back.
    Detach,
    /// 1 above 0, else 0.
    Step,
}

/// The kernel that runs an elementwise op.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ElementwiseKernel {
    Unary(UnaryOp),
    Binary(BinaryOp),
    /// `where(c, a, b)`, on its own three-operand kernel (`select.wgsl`).
    Select,
}

impl ElementwiseKernel {
    /// The kernel of an elementwise op; `None` for leaves and tensor ops, which have
    /// kernels of their own. The match names every op, so a new op does not compile until
    /// it is given a kernel here (and in `unary.wgsl` or `binary.wgsl`) or said to have none.
    pub fn of(op: Op) -> Option<ElementwiseKernel> {
        use ElementwiseKernel::{Binary, Unary};
        Some(match op {
            Op::Neg => Unary(UnaryOp::Neg),
            Op::Exp => Unary(UnaryOp::Exp),
            Op::Log => Unary(UnaryOp::Log),
            Op::Sqrt => Unary(UnaryOp::Sqrt),
            Op::Sin => Unary(UnaryOp::Sin),
            Op::Cos => Unary(UnaryOp::Cos),
            Op::Tanh => Unary(UnaryOp::Tanh),
            Op::Sigmoid => Unary(UnaryOp::Sigmoid),
            Op::Relu => Unary(UnaryOp::Relu),
            Op::Abs => Unary(UnaryOp::Abs),
            Op::Gelu => Unary(UnaryOp::Gelu),
            Op::PowConst(n) => Unary(UnaryOp::PowConst(n as f32)),
            Op::Identity => Unary(UnaryOp::Identity),
            Op::Detach => Unary(UnaryOp::Detach),
            Op::Step => Unary(UnaryOp::Step),
            Op::Greater => Binary(BinaryOp::Greater),
            Op::Less => Binary(BinaryOp::Less),
            Op::GreaterEqual => Binary(BinaryOp::GreaterEqual),
            Op::LessEqual => Binary(BinaryOp::LessEqual),
            Op::Where => ElementwiseKernel::Select,
            Op::Add => Binary(BinaryOp::Add),
            Op::Sub => Binary(BinaryOp::Sub),
            Op::Mul => Binary(BinaryOp::Mul),
            Op::Div => Binary(BinaryOp::Div),
            Op::Pow => Binary(BinaryOp::Pow),
            Op::Input
            | Op::Const(_)
            | Op::Literal
            | Op::MatMul
            | Op::Transpose
            | Op::Sum(_)
            | Op::Mean(_)
            | Op::Max(_)
            | Op::Softmax
            | Op::LogSoftmax
            | Op::CrossEntropy
            | Op::Mse
            | Op::LayerNorm
            | Op::ArgMax(_) => return None,
        })
    }
}

impl UnaryOp {
    /// The GPU form of a scalar [`Op`], if it is a unary elementwise op.
    pub fn from_op(op: Op) -> Option<UnaryOp> {
        match ElementwiseKernel::of(op) {
            Some(ElementwiseKernel::Unary(unary)) => Some(unary),
            Some(ElementwiseKernel::Binary(_) | ElementwiseKernel::Select) | None => None,
        }
    }

    /// The op code of unary.wgsl and unary_backward.wgsl.
    fn code(self) -> u32 {
        match self {
            UnaryOp::Neg => 0,
            UnaryOp::Exp => 1,
            UnaryOp::Log => 2,
            UnaryOp::Sqrt => 3,
            UnaryOp::Sin => 4,
            UnaryOp::Cos => 5,
            UnaryOp::Tanh => 6,
            UnaryOp::Sigmoid => 7,
            UnaryOp::Relu => 8,
            UnaryOp::Abs => 9,
            UnaryOp::PowConst(_) => 10,
            UnaryOp::Identity => 11,
            UnaryOp::Gelu => 12,
            UnaryOp::Detach => 13,
            UnaryOp::Step => 14,
        }
    }

    fn exponent(self) -> f32 {
        if let UnaryOp::PowConst(n) = self {
            n
        } else {
            0.0
        }
    }
}

/// The binary ops with a GPU kernel, in f32.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    Greater,
    Less,
    GreaterEqual,
    LessEqual,
}

impl BinaryOp {
    /// The GPU form of a scalar [`Op`], if it is a binary elementwise op.
    pub fn from_op(op: Op) -> Option<BinaryOp> {
        match ElementwiseKernel::of(op) {
            Some(ElementwiseKernel::Binary(binary)) => Some(binary),
            Some(ElementwiseKernel::Unary(_) | ElementwiseKernel::Select) | None => None,
        }
    }

    /// The op code of binary.wgsl and binary_backward.wgsl.
    fn code(self) -> u32 {
        match self {
            BinaryOp::Add => 0,
            BinaryOp::Sub => 1,
            BinaryOp::Mul => 2,
            BinaryOp::Div => 3,
            BinaryOp::Pow => 4,
            BinaryOp::Greater => 5,
            BinaryOp::Less => 6,
            BinaryOp::GreaterEqual => 7,
            BinaryOp::LessEqual => 8,
        }
    }

    fn name(self) -> &'static str {
        match self {
            BinaryOp::Add => "add",
            BinaryOp::Sub => "sub",
            BinaryOp::Mul => "mul",
            BinaryOp::Div => "div",
            BinaryOp::Pow => "pow",
            BinaryOp::Greater => "gt",
            BinaryOp::Less => "lt",
            BinaryOp::GreaterEqual => "ge",
            BinaryOp::LessEqual => "le",
        }
    }
}

/// Which operand of a binary op a gradient is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operand {
    Left,
    Right,
}

impl Operand {
    fn index(self) -> usize {
        match self {
            Operand::Left => 0,
            Operand::Right => 1,
        }
    }
}

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct UnaryParams {
    len: u32,
    op: u32,
    exponent: f32,
    accumulate: u32,
}

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct BroadcastParams {
    len: u32,
    op: u32,
    rank: u32,
    operand: u32,
    operand_len: u32,
    reduced: u32,
    accumulate: u32,
    pad: u32,
    dims: [[u32; 4]; 2],
    lhs_strides: [[u32; 4]; 2],
    rhs_strides: [[u32; 4]; 2],
}

impl BroadcastParams {
    fn new(layout: &BroadcastLayout, op: BinaryOp) -> BroadcastParams {
        let [dims, lhs_strides, rhs_strides] = layout.packed();
        BroadcastParams {
            len: to_u32(layout.shape.iter().product()),
            op: op.code(),
            rank: to_u32(layout.dims.len()),
            operand: 0,
            operand_len: 0,
            reduced: 0,
            accumulate: 0,
            pad: 0,
            dims,
            lhs_strides,
            rhs_strides,
        }
    }
}

impl Recorder<'_> {
    /// `output = op(input)` element by element; `output` has the input's shape.
    pub fn unary(
        &mut self,
        op: UnaryOp,
        input: &GpuTensor,
        output: &GpuTensor,
    ) -> Result<(), GpuError> {
        output.expect_shape("unary op", "output", input.shape())?;
        let params = UnaryParams {
            len: input.len_u32(),
            op: op.code(),
            exponent: op.exponent(),
            accumulate: 0,
        };
        let grid = self.context().grid_per_item(input.len())?;
        self.dispatch_op(
            "unary op",
            (kernels::UNARY_FORWARD, op.code()),
            &params,
            &[input.buffer()],
            &[output.buffer()],
            grid,
        )
    }

    /// `grad (+)= upstream ⊙ op'(input, output)`, all of the input's shape.
    pub fn unary_backward(
        &mut self,
        op: UnaryOp,
        input: &GpuTensor,
        output: &GpuTensor,
        upstream: &GpuTensor,
        grad: &GpuTensor,
        write: Write,
    ) -> Result<(), GpuError> {
        let shape = input.shape();
        output.expect_shape("unary op", "output", shape)?;
        upstream.expect_shape("unary op", "upstream gradient", shape)?;
        grad.expect_shape("unary op", "gradient", shape)?;
        let params = UnaryParams {
            len: input.len_u32(),
            op: op.code(),
            exponent: op.exponent(),
            accumulate: write.flag(),
        };
        let grid = self.context().grid_per_item(input.len())?;
        self.dispatch_op(
            "unary op backward",
            (kernels::UNARY_VJP, op.code()),
            &params,
            &[input.buffer(), output.buffer(), upstream.buffer()],
            &[grad.buffer()],
            grid,
        )
    }

    /// `output = op(lhs, rhs)` with NumPy broadcasting; `output` has the broadcast shape.
    pub fn binary(
        &mut self,
        op: BinaryOp,
        lhs: &GpuTensor,
        rhs: &GpuTensor,
        output: &GpuTensor,
    ) -> Result<(), GpuError> {
        let layout = BroadcastLayout::new(op.name(), lhs.shape(), rhs.shape())?;
        output.expect_shape(op.name(), "output", &layout.shape)?;
        let params = BroadcastParams::new(&layout, op);
        let grid = self.context().grid_per_item(output.len())?;
        self.dispatch_op(
            op.name(),
            (kernels::BINARY_FORWARD, op.code()),
            &params,
            &[lhs.buffer(), rhs.buffer()],
            &[output.buffer()],
            grid,
        )
    }

    /// The gradient of one operand: `upstream ⊙ ∂op/∂operand`, summed over the dimensions
    /// broadcasting stretched that operand, into `grad` (the operand's shape).
    #[allow(clippy::too_many_arguments)]
    pub fn binary_backward(
        &mut self,
        op: BinaryOp,
        operand: Operand,
        lhs: &GpuTensor,
        rhs: &GpuTensor,
        output: &GpuTensor,
        upstream: &GpuTensor,
        grad: &GpuTensor,
        write: Write,
    ) -> Result<(), GpuError> {
        let layout = BroadcastLayout::new(op.name(), lhs.shape(), rhs.shape())?;
        output.expect_shape(op.name(), "output", &layout.shape)?;
        upstream.expect_shape(op.name(), "upstream gradient", &layout.shape)?;
        let target = [lhs, rhs][operand.index()];
        grad.expect_shape(op.name(), "gradient", target.shape())?;
        let copies = layout.copies(operand.index());
        let params = BroadcastParams {
            operand: to_u32(operand.index()),
            operand_len: target.len_u32(),
            reduced: to_u32(copies),
            accumulate: write.flag(),
            ..BroadcastParams::new(&layout, op)
        };
        let (kernel, grid) = if per_group(target.len(), copies) {
            (
                kernels::BINARY_VJP_PER_GROUP,
                self.context().grid_per_group(target.len())?,
            )
        } else {
            (
                kernels::BINARY_VJP_PER_THREAD,
                self.context().grid_per_item(target.len())?,
            )
        };
        self.dispatch_op(
            op.name(),
            (kernel, op.code()),
            &params,
            &[
                lhs.buffer(),
                rhs.buffer(),
                output.buffer(),
                upstream.buffer(),
            ],
            &[grad.buffer()],
            grid,
        )
    }
}
