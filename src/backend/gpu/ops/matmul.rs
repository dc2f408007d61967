//! Matrix products on the GPU, their backward `Ā = V̄·Bᵀ`, `B̄ = Aᵀ·V̄` read through
//! transpose flags (no transposed copies), and the 2-D transpose. Products run on one of
//! two kernels, picked per device ([`MatmulKernel`]): tiles in workgroup memory
//! (matmul.wgsl) on GPUs, blocks in registers (matmul_blocked.wgsl) on CPU emulations.

use super::super::{GpuError, GpuTensor, Recorder, Write, kernels};
use super::to_u32;
use crate::tensor::TensorError;
use bytemuck::{Pod, Zeroable};

/// Outputs per side of one workgroup's tile: the tiled and the register-blocked product,
/// and the transpose.
const MATMUL_TILE: usize = 64;
const BLOCKED_TILE: usize = 32;
const TRANSPOSE_TILE: usize = 16;
/// Products at least this wide run the register-blocked kernel's wide blocks (4×8 per
/// thread, 32×64 per workgroup): fewer loads per multiply-add, enough workgroups left.
const WIDE_FROM: usize = 128;

/// How products are computed on a device.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MatmulKernel {
    /// 64×64 tiles staged in workgroup memory (matmul.wgsl): for GPUs.
    Tiled,
    /// 4×4 blocks per thread in registers, operands read from storage
    /// (matmul_blocked.wgsl): for GPUs emulated on the CPU (lavapipe, SwiftShader, WARP),
    /// where caches stand in for workgroup memory and barriers are expensive.
    Blocked,
}

impl MatmulKernel {
    /// The kernel for a device of this type (WebGPU reports a fallback adapter such as
    /// SwiftShader as a CPU).
    pub(crate) fn for_device(device_type: wgpu::DeviceType) -> MatmulKernel {
        if device_type == wgpu::DeviceType::Cpu {
            MatmulKernel::Blocked
        } else {
            MatmulKernel::Tiled
        }
    }
}

/// Which operands of a product are read transposed from how they are stored.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Transposed {
    pub lhs: bool,
    pub rhs: bool,
}

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct MatmulParams {
    m: u32,
    n: u32,
    k: u32,
    flags: u32,
}

const TRANSPOSE_A: u32 = 1;
const TRANSPOSE_B: u32 = 2;
const ALIGNED_A: u32 = 4;
const ALIGNED_B: u32 = 8;
const ACCUMULATE: u32 = 16;

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct TransposeParams {
    rows: u32,
    cols: u32,
    accumulate: u32,
    pad: u32,
}

/// `lhs @ rhs` as a `rows × inner` by `inner × cols` product (a vector on the left is
/// one row, on the right one column), with the CPU's output shape and errors.
struct Product {
    rows: usize,
    inner: usize,
    cols: usize,
    output_shape: Vec<usize>,
}

impl Product {
    fn new(lhs: &[usize], rhs: &[usize]) -> Result<Product, TensorError> {
        let not_a_matrix = |shape: &[usize]| TensorError::Rank {
            op: "@",
            shape: shape.to_vec(),
            expected: "a vector or a matrix",
        };
        let (rows, left_inner) = match *lhs {
            [rows, inner] => (rows, inner),
            [inner] => (1, inner),
            _ => return Err(not_a_matrix(lhs)),
        };
        let (right_inner, cols) = match *rhs {
            [inner, cols] => (inner, cols),
            [inner] => (inner, 1),
            _ => return Err(not_a_matrix(rhs)),
        };
        if left_inner != right_inner {
            return Err(TensorError::InnerDimensions {
                left: lhs.to_vec(),
                right: rhs.to_vec(),
                left_inner,
                right_inner,
            });
        }
        let output_shape = [(lhs.len() == 2, rows), (rhs.len() == 2, cols)]
            .into_iter()
            .filter_map(|(kept, dim)| kept.then_some(dim))
            .collect();
        Ok(Product {
            rows,
            inner: left_inner,
            cols,
            output_shape,
        })
    }
}

/// Refuse a flat operand of the wrong element count for an `rows × cols` matrix.
fn expect_matrix(
    what: &'static str,
    tensor: &GpuTensor,
    rows: usize,
    cols: usize,
) -> Result<(), GpuError> {
    if tensor.len() == rows * cols {
        Ok(())
    } else {
        Err(GpuError::Destination {
            op: "gemm",
            what,
            expected: vec![rows, cols],
            found: tensor.shape().to_vec(),
        })
    }
}

impl Recorder<'_> {
    /// `output = lhs @ rhs` for matrix@matrix, matrix@vector, vector@matrix and
    /// vector@vector (a scalar), shaped as on the CPU.
    pub fn matmul(
        &mut self,
        lhs: &GpuTensor,
        rhs: &GpuTensor,
        output: &GpuTensor,
    ) -> Result<(), GpuError> {
        let product = Product::new(lhs.shape(), rhs.shape())?;
        output.expect_shape("@", "output", &product.output_shape)?;
        let Product {
            rows, inner, cols, ..
        } = product;
        self.gemm(
            [rows, cols, inner],
            lhs,
            rhs,
            Transposed::default(),
            output,
            Write::Overwrite,
        )
    }

    /// The gradients of `lhs @ rhs`: `lhs_grad (+)= upstream · rhsᵀ` and
    /// `rhs_grad (+)= lhsᵀ · upstream`, each skipped when `None`.
    pub fn matmul_backward(
        &mut self,
        lhs: &GpuTensor,
        rhs: &GpuTensor,
        upstream: &GpuTensor,
        lhs_grad: Option<(&GpuTensor, Write)>,
        rhs_grad: Option<(&GpuTensor, Write)>,
    ) -> Result<(), GpuError> {
        let product = Product::new(lhs.shape(), rhs.shape())?;
        upstream.expect_shape("@", "upstream gradient", &product.output_shape)?;
        let Product {
            rows, inner, cols, ..
        } = product;
        if let Some((grad, write)) = lhs_grad {
            grad.expect_shape("@", "left gradient", lhs.shape())?;
            let rhs_transposed = Transposed {
                lhs: false,
                rhs: true,
            };
            self.gemm(
                [rows, inner, cols],
                upstream,
                rhs,
                rhs_transposed,
                grad,
                write,
            )?;
        }
        if let Some((grad, write)) = rhs_grad {
            grad.expect_shape("@", "right gradient", rhs.shape())?;
            let lhs_transposed = Transposed {
                lhs: true,
                rhs: false,
            };
            self.gemm(
                [inner, cols, rows],
                lhs,
                upstream,
                lhs_transposed,
                grad,
                write,
            )?;
        }
        Ok(())
    }

    /// The product on flat buffers: `c (m×n) (+)= op(a) (m×k) · op(b) (k×n)`, where `a`
    /// is stored `m×k` (or `k×m` when `transposed.lhs`) and `b` is stored `k×n` (or `n×k`
    /// when `transposed.rhs`). `[m, n, k]` give the sizes.
    pub fn gemm(
        &mut self,
        sizes: [usize; 3],
        a: &GpuTensor,
        b: &GpuTensor,
        transposed: Transposed,
        c: &GpuTensor,
        write: Write,
    ) -> Result<(), GpuError> {
        let kernel = self.context().matmul_kernel();
        self.gemm_on(kernel, sizes, a, b, transposed, c, write)
    }

    /// [`Recorder::gemm`] on a given kernel (tests run both on any device).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn gemm_on(
        &mut self,
        kernel: MatmulKernel,
        [m, n, k]: [usize; 3],
        a: &GpuTensor,
        b: &GpuTensor,
        transposed: Transposed,
        c: &GpuTensor,
        write: Write,
    ) -> Result<(), GpuError> {
        let (a_rows, a_cols) = if transposed.lhs { (k, m) } else { (m, k) };
        let (b_rows, b_cols) = if transposed.rhs { (n, k) } else { (k, n) };
        expect_matrix("left operand", a, a_rows, a_cols)?;
        expect_matrix("right operand", b, b_rows, b_cols)?;
        expect_matrix("output", c, m, n)?;
        let flag = |set: bool, flag: u32| if set { flag } else { 0 };
        let flags = flag(transposed.lhs, TRANSPOSE_A)
            | flag(transposed.rhs, TRANSPOSE_B)
            | flag(a_cols % 4 == 0, ALIGNED_A)
            | flag(b_cols % 4 == 0, ALIGNED_B)
            | flag(write == Write::Accumulate, ACCUMULATE);
        let params = MatmulParams {
            m: to_u32(m),
            n: to_u32(n),
            k: to_u32(k),
            flags,
        };
        let (pipeline, tile) = match kernel {
            MatmulKernel::Tiled => ((kernels::MATMUL_TILED, 0), MATMUL_TILE),
            // The blocked kernel's pipelines are specialised to the operands' layout; wide
            // products take blocks twice as wide.
            MatmulKernel::Blocked if n >= WIDE_FROM => (
                (kernels::MATMUL_REGISTERS_WIDE, flags & !ACCUMULATE),
                BLOCKED_TILE,
            ),
            MatmulKernel::Blocked => (
                (kernels::MATMUL_REGISTERS, flags & !ACCUMULATE),
                BLOCKED_TILE,
            ),
        };
        let columns = match kernel {
            MatmulKernel::Blocked if n >= WIDE_FROM => 2 * tile,
            _ => tile,
        };
        let grid = self
            .context()
            .grid_tiles(n.div_ceil(columns), m.div_ceil(tile))?;
        self.dispatch_op(
            "@",
            pipeline,
            &params,
            &[a.buffer(), b.buffer()],
            &[c.buffer()],
            grid,
        )
    }

    /// `output = inputᵀ` for a matrix: `[rows, cols]` becomes `[cols, rows]`.
    pub fn transpose(&mut self, input: &GpuTensor, output: &GpuTensor) -> Result<(), GpuError> {
        self.transpose_into(input, output, Write::Overwrite)
    }

    /// The gradient of a transpose: `grad (+)= upstreamᵀ`, `grad` of the input's shape.
    pub fn transpose_backward(
        &mut self,
        upstream: &GpuTensor,
        grad: &GpuTensor,
        write: Write,
    ) -> Result<(), GpuError> {
        self.transpose_into(upstream, grad, write)
    }

    fn transpose_into(
        &mut self,
        input: &GpuTensor,
        output: &GpuTensor,
        write: Write,
    ) -> Result<(), GpuError> {
        let &[rows, cols] = input.shape() else {
            return Err(TensorError::Rank {
                op: "transpose",
                shape: input.shape().to_vec(),
                expected: "a matrix (2 dimensions)",
            }
            .into());
        };
        output.expect_shape("transpose", "output", &[cols, rows])?;
        let params = TransposeParams {
            rows: to_u32(rows),
            cols: to_u32(cols),
            accumulate: write.flag(),
            pad: 0,
        };
        let grid = self
            .context()
            .grid_tiles(cols.div_ceil(TRANSPOSE_TILE), rows.div_ceil(TRANSPOSE_TILE))?;
        self.dispatch(
            "transpose",
            kernels::TRANSPOSE_TILED,
            &params,
            &[input.buffer()],
            &[output.buffer()],
            grid,
        )
    }
}
