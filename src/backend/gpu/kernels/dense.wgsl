// A dense layer, forward, fused: out (B×I · I×O → B×O) = act(x · w + bias), the product,
// the broadcast bias and the activation of `act(x @ w + b)` in one dispatch (the backend
// finds the pattern in the graph, ops/dense.rs).
//
// Each thread keeps a 4×4 block of the output in registers and reads x and w straight
// from storage, four depths at a time (as matmul_blocked.wgsl does): four vec4s of x and
// four of w, then 16 vec4 multiply-adds; `main_wide`, for wide layers, a 4×8 block (x
// read once for both halves). The pipeline constant OP fixes the activation
// (its low two bits, `Activation::code`: none, relu, tanh or sigmoid, each the rule of
// unary.wgsl, so a fused layer gives the numbers the unfused ops give) and whether x's
// and w's rows are whole vec4s (ALIGNED_X, ALIGNED_W: vec4 loads, else four scalars).

struct Params {
    rows: u32,
    inner: u32,
    cols: u32,
    _pad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> w: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;

override OP: u32 = 0u;

const ACTIVATION: u32 = 3u;
const RELU: u32 = 1u;
const TANH: u32 = 2u;
const SIGMOID: u32 = 3u;
const ALIGNED_X: u32 = 4u;
const ALIGNED_W: u32 = 8u;

fn has(flag: u32) -> bool {
    return (OP & flag) != 0u;
}

fn is_nan(v: f32) -> bool {
    return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}

fn activate(z: f32) -> f32 {
    switch OP & ACTIVATION {
        case RELU: {
            if is_nan(z) {
                return z;
            }
            return select(0.0, z, z > 0.0);
        }
        case TANH: {
            if is_nan(z) {
                return z;
            }
            return tanh(clamp(z, -9.0, 9.0));
        }
        case SIGMOID: {
            if z >= 0.0 {
                return 1.0 / (1.0 + exp(-z));
            }
            let e = exp(z);
            return e / (1.0 + e);
        }
        default: {
            return z;
        }
    }
}

fn x_at(index: u32) -> f32 {
    return x[index / 4u][index % 4u];
}

fn w_at(index: u32) -> f32 {
    return w[index / 4u][index % 4u];
}

// Stored elements start..start+3 of x (`start` a multiple of 4 when aligned).
fn x_four(start: u32) -> vec4<f32> {
    if has(ALIGNED_X) {
        return x[start / 4u];
    }
    return vec4<f32>(x_at(start), x_at(start + 1u), x_at(start + 2u), x_at(start + 3u));
}

fn w_four(start: u32) -> vec4<f32> {
    if has(ALIGNED_W) {
        return w[start / 4u];
    }
    return vec4<f32>(w_at(start), w_at(start + 1u), w_at(start + 2u), w_at(start + 3u));
}

// (B, I, O), read from `params` once per thread (see `main`).
var<private> sizes: vec3<u32>;

// x at depths k0..k0+3 over rows r0..r0+3: a stored row of x is one row over the
// depths, turned around here.
fn left_depths(r0: u32, k0: u32, depths: u32) -> Depths {
    let inner = sizes.y;
    let q0 = x_four(r0 * inner + k0);
    let q1 = x_four((r0 + 1u) * inner + k0);
    let q2 = x_four((r0 + 2u) * inner + k0);
    let q3 = x_four((r0 + 3u) * inner + k0);
    return clear_past(Depths(vec4<f32>(q0.x, q1.x, q2.x, q3.x), vec4<f32>(q0.y, q1.y, q2.y, q3.y),
        vec4<f32>(q0.z, q1.z, q2.z, q3.z), vec4<f32>(q0.w, q1.w, q2.w, q3.w)), depths);
}

// w at depths k0..k0+3 over columns c0..c0+3.
fn right_depths(c0: u32, k0: u32, depths: u32) -> Depths {
    let cols = sizes.z;
    return clear_past(Depths(w_four(k0 * cols + c0), w_four((k0 + 1u) * cols + c0),
        w_four((k0 + 2u) * cols + c0), w_four((k0 + 3u) * cols + c0)), depths);
}

// Add x·w over depths k0..k0+3 (those from `depths` on past I) to the block at rows
// r0.., columns c0..c0+3.
fn add_depths(r0: u32, c0: u32, k0: u32, depths: u32) {
    add_four(left_depths(r0, k0, depths), right_depths(c0, k0, depths));
}

// The same for a block of columns c0..c0+7, x loaded once for both halves.
fn add_depths_wide(r0: u32, c0: u32, k0: u32, depths: u32) {
    let l = left_depths(r0, k0, depths);
    add_four(l, right_depths(c0, k0, depths));
    add_four_right(l, right_depths(c0 + 4u, k0, depths));
}

fn store_row(row: u32, c0: u32, values: vec4<f32>) {
    if row >= params.rows {
        return;
    }
    for (var e = 0u; e < 4u; e = e + 1u) {
        let col = c0 + e;
        if col < params.cols {
            out[row * params.cols + col] = activate(values[e] + bias[col]);
        }
    }
}

// Workgroups of 8×8 threads, 32×32 outputs. Reads past the right or bottom edge of an
// operand (by the last block of a row or column) stay inside the binding (WebGPU checks
// every access) and reach only outputs that are never stored.
@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    // Through a select on id.z (always 0), so lavapipe does not specialise the shader to
    // the uniform's values and recompile it per dispatch (see matmul_blocked.wgsl).
    sizes = select(vec3<u32>(params.rows, params.inner, params.cols), vec3<u32>(0u), id.z != 0u);
    let r0 = 4u * id.y;
    let c0 = 4u * id.x;
    if r0 >= sizes.x || c0 >= sizes.z {
        return;
    }
    let whole = sizes.y & ~3u;
    for (var k0 = 0u; k0 < whole; k0 = k0 + 4u) {
        add_depths(r0, c0, k0, 4u);
    }
    if whole < sizes.y {
        add_depths(r0, c0, whole, sizes.y - whole);
    }
    store_row(r0, c0, acc0);
    store_row(r0 + 1u, c0, acc1);
    store_row(r0 + 2u, c0, acc2);
    store_row(r0 + 3u, c0, acc3);
}

// Workgroups of 8×8 threads, each a block of 4 rows × 8 columns (32×64 outputs): twelve
// loads for 32 multiply-adds instead of eight for 16, for layers wide enough (see
// ops/dense.rs); edges as in `main`.
@compute @workgroup_size(8, 8)
fn main_wide(@builtin(global_invocation_id) id: vec3<u32>) {
    sizes = select(vec3<u32>(params.rows, params.inner, params.cols), vec3<u32>(0u), id.z != 0u);
    let r0 = 4u * id.y;
    let c0 = 8u * id.x;
    if r0 >= sizes.x || c0 >= sizes.z {
        return;
    }
    let whole = sizes.y & ~3u;
    for (var k0 = 0u; k0 < whole; k0 = k0 + 4u) {
        add_depths_wide(r0, c0, k0, 4u);
    }
    if whole < sizes.y {
        add_depths_wide(r0, c0, whole, sizes.y - whole);
    }
    store_row(r0, c0, acc0);
    store_row(r0 + 1u, c0, acc1);
    store_row(r0 + 2u, c0, acc2);
    store_row(r0 + 3u, c0, acc3);
    store_row(r0, c0 + 4u, acc4);
    store_row(r0 + 1u, c0 + 4u, acc5);
    store_row(r0 + 2u, c0 + 4u, acc6);
    store_row(r0 + 3u, c0 + 4u, acc7);
}
