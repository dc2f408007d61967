//! The WGSL sources (`kernels/*.wgsl`, compiled in) and the kernels (shader + entry point)
//! the op modules dispatch.
//!
//! One file, one binding layout: binding 0 is the `params` uniform, then `reads` read-only
//! storage buffers, then `writes` read-write ones, in that order, for every entry point in
//! the file. The naga test checks each file against this table.
//!
//! Files whose kernels switch over ops (the elementwise ones) or over operand layouts (the
//! register-blocked product) declare `override OP: u32`, and get one pipeline per code:
//! CPU emulations of a GPU (lavapipe, SwiftShader) run every branch of a switch on a value
//! they cannot see is uniform, so a pipeline that knows its op runs several times faster
//! there (5× for `relu` on lavapipe).

/// A WGSL file and its binding layout.
#[derive(Debug)]
pub(crate) struct Shader {
    /// The file name without `.wgsl`.
    pub(crate) name: &'static str,
    pub(crate) source: &'static str,
    /// Read-only storage buffers, at bindings 1..=reads.
    pub(crate) reads: u32,
    /// Read-write storage buffers, after the read-only ones.
    pub(crate) writes: u32,
    /// How many op codes the file's `OP` override constant takes (0: it has none).
    pub(crate) ops: u32,
}

/// One entry point of one shader: what a pipeline is made from.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Kernel {
    pub(crate) shader: &'static Shader,
    pub(crate) entry: &'static str,
}

/// WGSL files that are no kernel of their own but the start of some (`blocked` below);
/// the shader test validates them alone.
#[cfg(test)]
pub(crate) const PRELUDES: [&str; 1] = ["register_block"];

macro_rules! shader {
    // A kernel that starts with `register_block.wgsl` (the output block in registers).
    ($constant:ident, $name:literal, blocked, reads: $reads:literal, writes: $writes:literal, ops: $ops:expr) => {
        pub(crate) static $constant: Shader = Shader {
            name: $name,
            source: concat!(
                include_str!("kernels/register_block.wgsl"),
                include_str!(concat!("kernels/", $name, ".wgsl"))
            ),
            reads: $reads,
            writes: $writes,
            ops: $ops,
        };
    };
    ($constant:ident, $name:literal, reads: $reads:literal, writes: $writes:literal) => {
        shader!($constant, $name, reads: $reads, writes: $writes, ops: 0);
    };
    ($constant:ident, $name:literal, reads: $reads:literal, writes: $writes:literal, ops: $ops:expr) => {
        pub(crate) static $constant: Shader = Shader {
            name: $name,
            source: include_str!(concat!("kernels/", $name, ".wgsl")),
            reads: $reads,
            writes: $writes,
            ops: $ops,
        };
    };
}

/// Op codes of unary.wgsl (`UnaryOp::code`) and binary.wgsl (`BinaryOp::code`).
pub(crate) const UNARY_OPS: u32 = 15;
pub(crate) const BINARY_OPS: u32 = 9;
/// Layout codes of matmul_blocked.wgsl: its TRANSPOSE_* and ALIGNED_* bits.
pub(crate) const MATMUL_LAYOUTS: u32 = 16;
/// Codes of dense.wgsl and dense_backward.wgsl: the activation (`Activation::code`, two
/// bits) and whether the layer's input and output rows are whole vec4s (two bits).
pub(crate) const DENSE_VARIANTS: u32 = 16;

shader!(FILL, "fill", reads: 0, writes: 1);
shader!(ACCUMULATE, "accumulate", reads: 1, writes: 1);
shader!(UNARY, "unary", reads: 1, writes: 1, ops: UNARY_OPS);
shader!(UNARY_BACKWARD, "unary_backward", reads: 3, writes: 1, ops: UNARY_OPS);
shader!(BINARY, "binary", reads: 2, writes: 1, ops: BINARY_OPS);
shader!(BINARY_BACKWARD, "binary_backward", reads: 4, writes: 1, ops: BINARY_OPS);
shader!(MATMUL, "matmul", reads: 2, writes: 1);
shader!(MATMUL_BLOCKED, "matmul_blocked", blocked, reads: 2, writes: 1, ops: MATMUL_LAYOUTS);
shader!(DENSE, "dense", blocked, reads: 3, writes: 1, ops: DENSE_VARIANTS);
shader!(DENSE_BACKWARD, "dense_backward", reads: 4, writes: 3, ops: DENSE_VARIANTS);
shader!(TRANSPOSE, "transpose", reads: 1, writes: 1);
shader!(REDUCE, "reduce", reads: 1, writes: 1);
shader!(REDUCE_MAX, "reduce_max", reads: 1, writes: 2);
shader!(REDUCE_BACKWARD, "reduce_backward", reads: 1, writes: 1);
shader!(REDUCE_MAX_BACKWARD, "reduce_max_backward", reads: 2, writes: 1);
shader!(SELECT, "select", reads: 3, writes: 1);
shader!(SELECT_BACKWARD, "select_backward", reads: 2, writes: 1);
shader!(LAYER_NORM, "layer_norm", reads: 1, writes: 1);
shader!(LAYER_NORM_BACKWARD, "layer_norm_backward", reads: 3, writes: 1);
shader!(SOFTMAX, "softmax", reads: 1, writes: 1);
shader!(SOFTMAX_BACKWARD, "softmax_backward", reads: 2, writes: 1);
shader!(CROSS_ENTROPY, "cross_entropy", reads: 2, writes: 1);
shader!(CROSS_ENTROPY_BACKWARD, "cross_entropy_backward", reads: 3, writes: 1);
shader!(MSE, "mse", reads: 2, writes: 1);
shader!(MSE_BACKWARD, "mse_backward", reads: 3, writes: 1);
shader!(SGD, "sgd", reads: 1, writes: 1);
shader!(MOMENTUM, "momentum", reads: 1, writes: 2);
shader!(ADAM, "adam", reads: 1, writes: 3);

/// Every shader, for the naga test.
#[cfg(test)]
pub(crate) static SHADERS: [&Shader; 28] = [
    &FILL,
    &ACCUMULATE,
    &UNARY,
    &UNARY_BACKWARD,
    &BINARY,
    &BINARY_BACKWARD,
    &MATMUL,
    &MATMUL_BLOCKED,
    &DENSE,
    &DENSE_BACKWARD,
    &TRANSPOSE,
    &REDUCE,
    &REDUCE_MAX,
    &REDUCE_BACKWARD,
    &REDUCE_MAX_BACKWARD,
    &SELECT,
    &SELECT_BACKWARD,
    &LAYER_NORM,
    &LAYER_NORM_BACKWARD,
    &SOFTMAX,
    &SOFTMAX_BACKWARD,
    &CROSS_ENTROPY,
    &CROSS_ENTROPY_BACKWARD,
    &MSE,
    &MSE_BACKWARD,
    &SGD,
    &MOMENTUM,
    &ADAM,
];

const fn kernel(shader: &'static Shader, entry: &'static str) -> Kernel {
    Kernel { shader, entry }
}

pub(crate) const FILL_VALUE: Kernel = kernel(&FILL, "fill");
pub(crate) const SCALE: Kernel = kernel(&FILL, "scale");
pub(crate) const ADD_INTO: Kernel = kernel(&ACCUMULATE, "accumulate");
pub(crate) const COPY: Kernel = kernel(&ACCUMULATE, "copy");
pub(crate) const UNARY_FORWARD: Kernel = kernel(&UNARY, "forward");
pub(crate) const UNARY_VJP: Kernel = kernel(&UNARY_BACKWARD, "backward");
pub(crate) const BINARY_FORWARD: Kernel = kernel(&BINARY, "forward");
pub(crate) const BINARY_VJP_PER_THREAD: Kernel = kernel(&BINARY_BACKWARD, "per_thread");
pub(crate) const BINARY_VJP_PER_GROUP: Kernel = kernel(&BINARY_BACKWARD, "per_group");
pub(crate) const MATMUL_TILED: Kernel = kernel(&MATMUL, "main");
pub(crate) const MATMUL_REGISTERS: Kernel = kernel(&MATMUL_BLOCKED, "main");
pub(crate) const MATMUL_REGISTERS_WIDE: Kernel = kernel(&MATMUL_BLOCKED, "main_wide");
pub(crate) const DENSE_FORWARD: Kernel = kernel(&DENSE, "main");
pub(crate) const DENSE_FORWARD_WIDE: Kernel = kernel(&DENSE, "main_wide");
pub(crate) const DENSE_VJP: Kernel = kernel(&DENSE_BACKWARD, "main");
pub(crate) const TRANSPOSE_TILED: Kernel = kernel(&TRANSPOSE, "main");
pub(crate) const SUM_PER_THREAD: Kernel = kernel(&REDUCE, "per_thread");
pub(crate) const SUM_PER_GROUP: Kernel = kernel(&REDUCE, "per_group");
pub(crate) const MAX_PER_THREAD: Kernel = kernel(&REDUCE_MAX, "per_thread");
pub(crate) const MAX_PER_GROUP: Kernel = kernel(&REDUCE_MAX, "per_group");
pub(crate) const SPREAD: Kernel = kernel(&REDUCE_BACKWARD, "spread");
pub(crate) const ROUTE_TO_MAX: Kernel = kernel(&REDUCE_MAX_BACKWARD, "route");
pub(crate) const SELECT_FORWARD: Kernel = kernel(&SELECT, "forward");
pub(crate) const SELECT_VJP: Kernel = kernel(&SELECT_BACKWARD, "per_thread");
pub(crate) const LAYER_NORM_FORWARD: Kernel = kernel(&LAYER_NORM, "per_thread");
pub(crate) const LAYER_NORM_VJP: Kernel = kernel(&LAYER_NORM_BACKWARD, "per_thread");
pub(crate) const SOFTMAX_PER_THREAD: Kernel = kernel(&SOFTMAX, "per_thread");
pub(crate) const SOFTMAX_PER_GROUP: Kernel = kernel(&SOFTMAX, "per_group");
pub(crate) const SOFTMAX_VJP_PER_THREAD: Kernel = kernel(&SOFTMAX_BACKWARD, "per_thread");
pub(crate) const SOFTMAX_VJP_PER_GROUP: Kernel = kernel(&SOFTMAX_BACKWARD, "per_group");
pub(crate) const CROSS_ENTROPY_FORWARD: Kernel = kernel(&CROSS_ENTROPY, "forward");
pub(crate) const CROSS_ENTROPY_VJP: Kernel = kernel(&CROSS_ENTROPY_BACKWARD, "backward");
pub(crate) const MSE_FORWARD: Kernel = kernel(&MSE, "forward");
pub(crate) const MSE_VJP: Kernel = kernel(&MSE_BACKWARD, "backward");
pub(crate) const SGD_UPDATE: Kernel = kernel(&SGD, "update");
pub(crate) const MOMENTUM_UPDATE: Kernel = kernel(&MOMENTUM, "update");
pub(crate) const ADAM_UPDATE: Kernel = kernel(&ADAM, "update");

/// Every kernel: for warming the pipeline cache, and for the test that each names an entry
/// point of its shader.
pub(crate) const KERNELS: [Kernel; 37] = [
    FILL_VALUE,
    SCALE,
    ADD_INTO,
    COPY,
    UNARY_FORWARD,
    UNARY_VJP,
    BINARY_FORWARD,
    BINARY_VJP_PER_THREAD,
    BINARY_VJP_PER_GROUP,
    MATMUL_TILED,
    MATMUL_REGISTERS,
    MATMUL_REGISTERS_WIDE,
    DENSE_FORWARD,
    DENSE_FORWARD_WIDE,
    DENSE_VJP,
    TRANSPOSE_TILED,
    SUM_PER_THREAD,
    SUM_PER_GROUP,
    MAX_PER_THREAD,
    MAX_PER_GROUP,
    SPREAD,
    ROUTE_TO_MAX,
    SELECT_FORWARD,
    SELECT_VJP,
    LAYER_NORM_FORWARD,
    LAYER_NORM_VJP,
    SOFTMAX_PER_THREAD,
    SOFTMAX_PER_GROUP,
    SOFTMAX_VJP_PER_THREAD,
    SOFTMAX_VJP_PER_GROUP,
    CROSS_ENTROPY_FORWARD,
    CROSS_ENTROPY_VJP,
    MSE_FORWARD,
    MSE_VJP,
    SGD_UPDATE,
    MOMENTUM_UPDATE,
    ADAM_UPDATE,
];
