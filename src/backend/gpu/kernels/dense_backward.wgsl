// A dense layer, backward, fused: with y = act(x · w + b) (dense.wgsl) and its upstream
// gradient dy, the local gradient δ = dy ⊙ act'(y) is formed where it is read (never
// stored) and one dispatch writes all three gradients:
//
//   dw (I×O) (+)= xᵀ · δ      db (O) (+)= Σ_rows δ      dx (B×I) (+)= δ · wᵀ
//
// The bias gradient is the weight gradient of an extra input that is always 1: row I of
// the (I+1)×O product [x, 1]ᵀ · δ. When the layer's input is itself the output of a
// layer with an activation (read by nothing else), dx is stored as THAT layer's δ —
// times act'(x), the activation's code in `flags` bits 6..7 — and that layer's backward
// then runs without an activation: no layer forms its δ from dy and y itself, which
// would cost two loads per element where δ costs one.
//
// Workgroups are numbered in a line (folded into x × y, grid.rs); the threads of the
// first `weight_groups` each take a 4×4 block of [x, 1]ᵀ · δ (`weight_blocks` of them),
// those of the rest a 4×4 block of dx (`input_blocks`), each summing four depths at a
// time in registers as dense.wgsl does. Which of the three are added to rather than
// overwritten, and which are not wanted at all, comes in `flags`.
//
// The pipeline constant OP fixes the activation (low two bits) and whether rows of x
// (ALIGNED_X) and of dy, y and w (ALIGNED_OUT) are whole vec4s. act' from the output, as
// unary_backward.wgsl has it: relu' = 1 where y > 0 (NaN for NaN), tanh' = 1 − y²,
// sigmoid' = y (1 − y), and 1 without an activation.

struct Params {
    rows: u32,
    inner: u32,
    cols: u32,
    flags: u32,
    weight_blocks: u32,
    input_blocks: u32,
    // Workgroups of weight blocks, ahead of those of input blocks.
    weight_groups: u32,
    _pad: u32,
}

const ACCUMULATE_DX: u32 = 1u;
const ACCUMULATE_DW: u32 = 2u;
const ACCUMULATE_DB: u32 = 4u;
const SKIP_DX: u32 = 8u;
const SKIP_DW: u32 = 16u;
const SKIP_DB: u32 = 32u;
const DX_ACTIVATION_SHIFT: u32 = 6u;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> w: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> y: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> dy: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read_write> dx: array<f32>;
@group(0) @binding(6) var<storage, read_write> dw: array<f32>;
@group(0) @binding(7) var<storage, read_write> db: array<f32>;

override OP: u32 = 0u;

const ACTIVATION: u32 = 3u;
const RELU: u32 = 1u;
const TANH: u32 = 2u;
const SIGMOID: u32 = 3u;
const ALIGNED_X: u32 = 4u;
const ALIGNED_OUT: u32 = 8u;

const GROUP_SIZE: u32 = 64u;

fn layout_has(flag: u32) -> bool {
    return (OP & flag) != 0u;
}

fn has(flag: u32) -> bool {
    return (params.flags & flag) != 0u;
}

// Four stored elements from `start` of one operand: one vec4 when its rows are whole
// vec4s (then `start` is a multiple of 4), four scalars otherwise.
fn x_four(start: u32) -> vec4<f32> {
    if layout_has(ALIGNED_X) {
        return x[start / 4u];
    }
    return vec4<f32>(x[start / 4u][start % 4u], x[(start + 1u) / 4u][(start + 1u) % 4u],
        x[(start + 2u) / 4u][(start + 2u) % 4u], x[(start + 3u) / 4u][(start + 3u) % 4u]);
}

fn w_four(start: u32) -> vec4<f32> {
    if layout_has(ALIGNED_OUT) {
        return w[start / 4u];
    }
    return vec4<f32>(w[start / 4u][start % 4u], w[(start + 1u) / 4u][(start + 1u) % 4u],
        w[(start + 2u) / 4u][(start + 2u) % 4u], w[(start + 3u) / 4u][(start + 3u) % 4u]);
}

fn y_four(start: u32) -> vec4<f32> {
    if layout_has(ALIGNED_OUT) {
        return y[start / 4u];
    }
    return vec4<f32>(y[start / 4u][start % 4u], y[(start + 1u) / 4u][(start + 1u) % 4u],
        y[(start + 2u) / 4u][(start + 2u) % 4u], y[(start + 3u) / 4u][(start + 3u) % 4u]);
}

fn dy_four(start: u32) -> vec4<f32> {
    if layout_has(ALIGNED_OUT) {
        return dy[start / 4u];
    }
    return vec4<f32>(dy[start / 4u][start % 4u], dy[(start + 1u) / 4u][(start + 1u) % 4u],
        dy[(start + 2u) / 4u][(start + 2u) % 4u], dy[(start + 3u) / 4u][(start + 3u) % 4u]);
}

// δ at four stored elements of the output from `start`.
fn delta_four(start: u32) -> vec4<f32> {
    let upstream = dy_four(start);
    switch OP & ACTIVATION {
        case RELU: {
            // As upstream · relu'(z): ∞ · 0 is NaN here too, and NaN stays NaN.
            let out = y_four(start);
            let nan = (bitcast<vec4<u32>>(out) & vec4<u32>(0x7fffffffu)) > vec4<u32>(0x7f800000u);
            let local = upstream * select(vec4<f32>(0.0), vec4<f32>(1.0), out > vec4<f32>(0.0));
            return select(local, out, nan);
        }
        case TANH: {
            let out = y_four(start);
            return upstream * (1.0 - out * out);
        }
        case SIGMOID: {
            let out = y_four(start);
            return upstream * (out * (1.0 - out));
        }
        default: {
            return upstream;
        }
    }
}

// (B, I, O), read from `params` once per thread (see `main`).
var<private> sizes: vec3<u32>;
var<private> acc0: vec4<f32>;
var<private> acc1: vec4<f32>;
var<private> acc2: vec4<f32>;
var<private> acc3: vec4<f32>;

// acc{i} += l[i] · r for one depth: l over the block's rows, r over its columns.
fn add_outer(l: vec4<f32>, r: vec4<f32>) {
    acc0 = fma(vec4<f32>(l.x), r, acc0);
    acc1 = fma(vec4<f32>(l.y), r, acc1);
    acc2 = fma(vec4<f32>(l.z), r, acc2);
    acc3 = fma(vec4<f32>(l.w), r, acc3);
}

// Rows i0.. of [x, 1]ᵀ · δ at columns c0..: the four batch rows from b0 (all inside B).
// `ones` marks the rows at and past I, which read as the bias's constant 1 (past I
// never stored).
fn add_weight_rows(i0: u32, c0: u32, b0: u32, ones: vec4<bool>) {
    let inner = sizes.y;
    let cols = sizes.z;
    let one = vec4<f32>(1.0);
    let l0 = select(x_four(b0 * inner + i0), one, ones);
    let l1 = select(x_four((b0 + 1u) * inner + i0), one, ones);
    let l2 = select(x_four((b0 + 2u) * inner + i0), one, ones);
    let l3 = select(x_four((b0 + 3u) * inner + i0), one, ones);
    let r0 = delta_four(b0 * cols + c0);
    let r1 = delta_four((b0 + 1u) * cols + c0);
    let r2 = delta_four((b0 + 2u) * cols + c0);
    let r3 = delta_four((b0 + 3u) * cols + c0);
    add_outer(l0, r0);
    add_outer(l1, r1);
    add_outer(l2, r2);
    add_outer(l3, r3);
}

// The same for the one batch row b.
fn add_weight_row(i0: u32, c0: u32, b: u32, ones: vec4<bool>) {
    let left = select(x_four(b * sizes.y + i0), vec4<f32>(1.0), ones);
    add_outer(left, delta_four(b * sizes.z + c0));
}

// Rows r0.. of δ · wᵀ at columns i0..: the outputs j0..j0+3 (those from `depths` on lie
// past O and count as zero).
fn add_input_depths(r0: u32, i0: u32, j0: u32, depths: u32) {
    let cols = sizes.z;
    let zero = vec4<f32>(0.0);
    // δ rows r0..r0+3 over the depths, and w rows i0..i0+3 over the depths: both turned
    // around to one depth over the block's rows or columns.
    let p0 = delta_four(r0 * cols + j0);
    let p1 = delta_four((r0 + 1u) * cols + j0);
    let p2 = delta_four((r0 + 2u) * cols + j0);
    let p3 = delta_four((r0 + 3u) * cols + j0);
    let q0 = w_four(i0 * cols + j0);
    let q1 = w_four((i0 + 1u) * cols + j0);
    let q2 = w_four((i0 + 2u) * cols + j0);
    let q3 = w_four((i0 + 3u) * cols + j0);
    add_outer(vec4<f32>(p0.x, p1.x, p2.x, p3.x), vec4<f32>(q0.x, q1.x, q2.x, q3.x));
    if depths > 1u {
        add_outer(vec4<f32>(p0.y, p1.y, p2.y, p3.y), vec4<f32>(q0.y, q1.y, q2.y, q3.y));
    }
    if depths > 2u {
        add_outer(vec4<f32>(p0.z, p1.z, p2.z, p3.z), vec4<f32>(q0.z, q1.z, q2.z, q3.z));
    }
    if depths > 3u {
        add_outer(vec4<f32>(p0.w, p1.w, p2.w, p3.w), vec4<f32>(q0.w, q1.w, q2.w, q3.w));
    }
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

// act'(v) of the activation that produced the layer's input (`flags` bits 6..7, an
// `Activation::code`), from its output v, as `delta_four` has it; 1 without one.
fn input_derivative(v: f32) -> f32 {
    switch (params.flags >> DX_ACTIVATION_SHIFT) & ACTIVATION {
        case RELU: {
            return select(0.0, 1.0, v > 0.0);
        }
        case TANH: {
            return 1.0 - v * v;
        }
        case SIGMOID: {
            return v * (1.0 - v);
        }
        default: {
            return 1.0;
        }
    }
}

fn store_input_row(row: u32, c0: u32, values: vec4<f32>) {
    if row >= params.rows {
        return;
    }
    let through = ((params.flags >> DX_ACTIVATION_SHIFT) & ACTIVATION) != 0u;
    for (var e = 0u; e < 4u; e = e + 1u) {
        let i = c0 + e;
        if i < params.inner {
            let index = row * params.inner + i;
            var value = values[e];
            if through {
                // The input's own δ: its gradient times act'(input), NaN kept as NaN.
                let v = x[index / 4u][index % 4u];
                let nan = (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
                value = select(value * input_derivative(v), v, nan);
            }
            dx[index] = select(value, dx[index] + value, has(ACCUMULATE_DX));
        }
    }
}

fn weight_block(i0: u32, c0: u32) {
    let rows = sizes.x;
    let inner = sizes.y;
    let ones = vec4<bool>(i0 >= inner, i0 + 1u >= inner, i0 + 2u >= inner, i0 + 3u >= inner);
    let whole = rows & ~3u;
    for (var b0 = 0u; b0 < whole; b0 = b0 + 4u) {
        add_weight_rows(i0, c0, b0, ones);
    }
    for (var b = whole; b < rows; b = b + 1u) {
        add_weight_row(i0, c0, b, ones);
    }
    store_weight_row(i0, c0, acc0);
    store_weight_row(i0 + 1u, c0, acc1);
    store_weight_row(i0 + 2u, c0, acc2);
    store_weight_row(i0 + 3u, c0, acc3);
}

fn input_block(r0: u32, i0: u32) {
    let cols = sizes.z;
    let whole = cols & ~3u;
    for (var j0 = 0u; j0 < whole; j0 = j0 + 4u) {
        add_input_depths(r0, i0, j0, 4u);
    }
    if whole < cols {
        add_input_depths(r0, i0, whole, cols - whole);
    }
    store_input_row(r0, i0, acc0);
    store_input_row(r0 + 1u, i0, acc1);
    store_input_row(r0 + 2u, i0, acc2);
    store_input_row(r0 + 3u, i0, acc3);
}

// Reads past the edge of an operand (by the last block of a row or column, or past the
// last depth) stay inside the binding (WebGPU checks every access) and reach only
// outputs that are never stored, or are left out of the sums (`depths`).
@compute @workgroup_size(64)
fn main(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    // Through a select on group.z (always 0): see dense.wgsl.
    sizes = select(vec3<u32>(params.rows, params.inner, params.cols), vec3<u32>(0u), group.z != 0u);
    // Whole workgroups take weight blocks or input blocks, never both: the choice is the
    // same for every thread of a workgroup, so an emulation that runs both sides of a
    // branch its threads may take differently (SwiftShader) runs one loop, not two.
    let index = group.y * groups.x + group.x;
    if index < params.weight_groups {
        let thread = index * GROUP_SIZE + local;
        if thread < params.weight_blocks {
            let weight_cols = (sizes.z + 3u) / 4u;
            let block_row = thread / weight_cols;
            weight_block(4u * block_row, 4u * (thread - block_row * weight_cols));
        }
        return;
    }
    let block = (index - params.weight_groups) * GROUP_SIZE + local;
    if block < params.input_blocks {
        let input_cols = (sizes.y + 3u) / 4u;
        let block_row = block / input_cols;
        input_block(4u * block_row, 4u * (block - block_row * input_cols));
    }
}
