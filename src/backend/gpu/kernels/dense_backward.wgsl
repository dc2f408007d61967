// A dense layer, backward, fused: with y = act(x · w + b) (dense.wgsl) and its upstream
// gradient dy, the local gradient δ = dy ⊙ act'(y) is formed where it is read (never
// stored) and one dispatch writes all three gradients:
//
//   dw (I×O) (+)= xᵀ · δ      db (O) (+)= Σ_rows δ      dx (B×I) (+)= δ · wᵀ
//
// The bias gradient is the weight gradient of an extra input that is always 1: row I of
// the (I+1)×O product [x, 1]ᵀ · δ. Threads are numbered in a line (folded into x × y
// workgroups, grid.rs); the first `weight_blocks` threads each take a 4×4 block of that
// product, the next `input_blocks` a 4×4 block of dx. Which of the three are added to
// rather than overwritten, and which are not wanted at all, comes in `flags`.
//
// act' from the output, as unary_backward.wgsl has it: relu' = 1 where y > 0 (NaN for
// NaN), tanh' = 1 − y², sigmoid' = y (1 − y), and 1 without an activation.

struct Params {
    rows: u32,
    inner: u32,
    cols: u32,
    flags: u32,
    weight_blocks: u32,
    input_blocks: u32,
    _pad0: u32,
    _pad1: u32,
}

const ACCUMULATE_DX: u32 = 1u;
const ACCUMULATE_DW: u32 = 2u;
const ACCUMULATE_DB: u32 = 4u;
const SKIP_DX: u32 = 8u;
const SKIP_DW: u32 = 16u;
const SKIP_DB: u32 = 32u;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read> y: array<f32>;
@group(0) @binding(4) var<storage, read> dy: array<f32>;
@group(0) @binding(5) var<storage, read_write> dx: array<f32>;
@group(0) @binding(6) var<storage, read_write> dw: array<f32>;
@group(0) @binding(7) var<storage, read_write> db: array<f32>;

override OP: u32 = 0u;

const RELU: u32 = 1u;
const TANH: u32 = 2u;
const SIGMOID: u32 = 3u;

const GROUP_SIZE: u32 = 64u;

fn is_nan(v: f32) -> bool {
    return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}

// δ at flat index `i` of the output.
fn delta(i: u32) -> f32 {
    let upstream = dy[i];
    switch OP {
        case RELU: {
            // As upstream · relu'(z): ∞ · 0 is NaN here too.
            let out = y[i];
            if is_nan(out) {
                return out;
            }
            return upstream * select(0.0, 1.0, out > 0.0);
        }
        case TANH: {
            let out = y[i];
            return upstream * (1.0 - out * out);
        }
        case SIGMOID: {
            let out = y[i];
            return upstream * (out * (1.0 - out));
        }
        default: {
            return upstream;
        }
    }
}

fn has(flag: u32) -> bool {
    return (params.flags & flag) != 0u;
}

// Row `i` of the (I+1)×O weight-and-bias gradient at columns c0.., the block's values.
fn store_weight_row(i: u32, c0: u32, values: vec4<f32>) {
    let inner = params.inner;
    let cols = params.cols;
    if i > inner {
        return;
    }
    for (var e = 0u; e < 4u; e = e + 1u) {
        let j = c0 + e;
        if j >= cols {
            continue;
        }
        if i < inner {
            if !has(SKIP_DW) {
                let index = i * cols + j;
                dw[index] = select(values[e], dw[index] + values[e], has(ACCUMULATE_DW));
            }
        } else if !has(SKIP_DB) {
            db[j] = select(values[e], db[j] + values[e], has(ACCUMULATE_DB));
        }
    }
}

fn store_input_row(row: u32, c0: u32, values: vec4<f32>) {
    if row >= params.rows {
        return;
    }
    for (var e = 0u; e < 4u; e = e + 1u) {
        let i = c0 + e;
        if i < params.inner {
            let index = row * params.inner + i;
            dx[index] = select(values[e], dx[index] + values[e], has(ACCUMULATE_DX));
        }
    }
}

// Rows i0.. of [x, 1]ᵀ · δ, columns c0..: a sum over the batch.
fn weight_block(i0: u32, c0: u32, sizes: vec3<u32>) {
    let rows = sizes.x;
    let inner = sizes.y;
    let cols = sizes.z;
    let last_col = cols - 1u;
    let c1 = min(c0 + 1u, last_col);
    let c2 = min(c0 + 2u, last_col);
    let c3 = min(c0 + 3u, last_col);
    // Columns of x past I: I itself is the bias's constant 1, the rest are never stored.
    let last_input = inner - 1u;
    let ia = min(i0, last_input);
    let ib = min(i0 + 1u, last_input);
    let ic = min(i0 + 2u, last_input);
    let id = min(i0 + 3u, last_input);
    let ones = vec4<bool>(i0 >= inner, i0 + 1u >= inner, i0 + 2u >= inner, i0 + 3u >= inner);
    var acc0 = vec4<f32>(0.0);
    var acc1 = vec4<f32>(0.0);
    var acc2 = vec4<f32>(0.0);
    var acc3 = vec4<f32>(0.0);
    for (var b = 0u; b < rows; b = b + 1u) {
        let yb = b * cols;
        let local = vec4<f32>(delta(yb + c0), delta(yb + c1), delta(yb + c2), delta(yb + c3));
        let xb = b * inner;
        let left = select(vec4<f32>(x[xb + ia], x[xb + ib], x[xb + ic], x[xb + id]), vec4<f32>(1.0), ones);
        acc0 = fma(vec4<f32>(left.x), local, acc0);
        acc1 = fma(vec4<f32>(left.y), local, acc1);
        acc2 = fma(vec4<f32>(left.z), local, acc2);
        acc3 = fma(vec4<f32>(left.w), local, acc3);
    }
    store_weight_row(i0, c0, acc0);
    store_weight_row(i0 + 1u, c0, acc1);
    store_weight_row(i0 + 2u, c0, acc2);
    store_weight_row(i0 + 3u, c0, acc3);
}

// Rows r0.. of δ · wᵀ, columns i0..: a sum over the outputs.
fn input_block(r0: u32, i0: u32, sizes: vec3<u32>) {
    let rows = sizes.x;
    let inner = sizes.y;
    let cols = sizes.z;
    let last_row = rows - 1u;
    let last_input = inner - 1u;
    let ya = r0 * cols;
    let yb = min(r0 + 1u, last_row) * cols;
    let yc = min(r0 + 2u, last_row) * cols;
    let yd = min(r0 + 3u, last_row) * cols;
    let wa = i0 * cols;
    let wb = min(i0 + 1u, last_input) * cols;
    let wc = min(i0 + 2u, last_input) * cols;
    let wd = min(i0 + 3u, last_input) * cols;
    var acc0 = vec4<f32>(0.0);
    var acc1 = vec4<f32>(0.0);
    var acc2 = vec4<f32>(0.0);
    var acc3 = vec4<f32>(0.0);
    for (var j = 0u; j < cols; j = j + 1u) {
        let right = vec4<f32>(w[wa + j], w[wb + j], w[wc + j], w[wd + j]);
        acc0 = fma(vec4<f32>(delta(ya + j)), right, acc0);
        acc1 = fma(vec4<f32>(delta(yb + j)), right, acc1);
        acc2 = fma(vec4<f32>(delta(yc + j)), right, acc2);
        acc3 = fma(vec4<f32>(delta(yd + j)), right, acc3);
    }
    store_input_row(r0, i0, acc0);
    store_input_row(r0 + 1u, i0, acc1);
    store_input_row(r0 + 2u, i0, acc2);
    store_input_row(r0 + 3u, i0, acc3);
}

@compute @workgroup_size(64)
fn main(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    // Through a select on group.z (always 0): see dense.wgsl.
    let sizes = select(vec3<u32>(params.rows, params.inner, params.cols), vec3<u32>(0u), group.z != 0u);
    let thread = (group.y * groups.x + group.x) * GROUP_SIZE + local;
    let weight_cols = (sizes.z + 3u) / 4u;
    if thread < params.weight_blocks {
        let block_row = thread / weight_cols;
        weight_block(4u * block_row, 4u * (thread - block_row * weight_cols), sizes);
        return;
    }
    let block = thread - params.weight_blocks;
    if block < params.input_blocks {
        let input_cols = (sizes.y + 3u) / 4u;
        let block_row = block / input_cols;
        input_block(4u * block_row, 4u * (block - block_row * input_cols), sizes);
    }
}
