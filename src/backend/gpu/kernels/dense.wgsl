// A dense layer, forward, fused: out (B×O) = act(x (B×I) · w (I×O) + bias (O)), the
// product, the broadcast bias and the activation of `act(x @ w + b)` in one dispatch (the
// backend finds the pattern in the graph, ops/dense.rs). The activation is the pipeline
// constant OP (`Activation::code`): none, relu, tanh or sigmoid, each the rule of
// unary.wgsl, so a fused layer gives the numbers the unfused ops give.
//
// Each thread keeps a 4×4 block of the output in registers (as matmul_blocked.wgsl
// does), reading x and w straight from storage: on GPUs the layers of an MLP are small
// enough that this is not where time goes, and on CPU emulations it is the fast way.

struct Params {
    rows: u32,
    inner: u32,
    cols: u32,
    _pad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;

override OP: u32 = 0u;

const RELU: u32 = 1u;
const TANH: u32 = 2u;
const SIGMOID: u32 = 3u;

fn is_nan(x: f32) -> bool {
    return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u;
}

fn activate(z: f32) -> f32 {
    switch OP {
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

fn store_row(row: u32, c0: u32, values: vec4<f32>, bias4: vec4<f32>) {
    if row >= params.rows {
        return;
    }
    for (var e = 0u; e < 4u; e = e + 1u) {
        if c0 + e < params.cols {
            out[row * params.cols + c0 + e] = activate(values[e] + bias4[e]);
        }
    }
}

// Workgroups of 8×8 threads, each thread rows 4·id.y.. and columns 4·id.x.. of the output.
// Rows and columns past the edge are read clamped to the last one (their results are
// never stored), so every load stays inside its buffer without a branch in the loop.
@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    // Through a select on id.z (always 0), so lavapipe does not specialise the shader to
    // the uniform's values and recompile it per dispatch (see matmul_blocked.wgsl).
    let sizes = select(vec3<u32>(params.rows, params.inner, params.cols), vec3<u32>(0u), id.z != 0u);
    let rows = sizes.x;
    let inner = sizes.y;
    let cols = sizes.z;
    let r0 = 4u * id.y;
    let c0 = 4u * id.x;
    if r0 >= rows || c0 >= cols {
        return;
    }
    let last_row = rows - 1u;
    let last_col = cols - 1u;
    let xa = r0 * inner;
    let xb = min(r0 + 1u, last_row) * inner;
    let xc = min(r0 + 2u, last_row) * inner;
    let xd = min(r0 + 3u, last_row) * inner;
    let c1 = min(c0 + 1u, last_col);
    let c2 = min(c0 + 2u, last_col);
    let c3 = min(c0 + 3u, last_col);
    var acc0 = vec4<f32>(0.0);
    var acc1 = vec4<f32>(0.0);
    var acc2 = vec4<f32>(0.0);
    var acc3 = vec4<f32>(0.0);
    for (var k = 0u; k < inner; k = k + 1u) {
        let wk = k * cols;
        let right = vec4<f32>(w[wk + c0], w[wk + c1], w[wk + c2], w[wk + c3]);
        acc0 = fma(vec4<f32>(x[xa + k]), right, acc0);
        acc1 = fma(vec4<f32>(x[xb + k]), right, acc1);
        acc2 = fma(vec4<f32>(x[xc + k]), right, acc2);
        acc3 = fma(vec4<f32>(x[xd + k]), right, acc3);
    }
    let bias4 = vec4<f32>(bias[c0], bias[c1], bias[c2], bias[c3]);
    store_row(r0, c0, acc0, bias4);
    store_row(r0 + 1u, c0, acc1, bias4);
    store_row(r0 + 2u, c0, acc2, bias4);
    store_row(r0 + 3u, c0, acc3, bias4);
}
