// Matrix product for GPUs emulated on the CPU (lavapipe, SwiftShader): C (M×N) (+)=
// op(A) (M×K) · op(B) (K×N), with the operands stored as in matmul.wgsl (A as M×K or,
// transposed, K×M; B as K×N or N×K), but without workgroup memory. Each thread keeps a
// 4×4 block of C in registers and reads its operands straight from storage, four depths
// at a time: four vec4s of op(A) and four of op(B), then 16 vec4 multiply-adds. On a CPU
// the caches already do what workgroup memory would, and every workgroup barrier is a
// switch between emulated threads, so this beats the tiled kernel there (small products
// most: a 64×16 by 16×16 product takes ~0.1 ms instead of ~0.7 ms on SwiftShader); on
// GPUs the tiled kernel stays.
//
// How the operands are laid out is fixed per pipeline (the OP override constant: the
// TRANSPOSE_* and ALIGNED_* bits below), so emulations that run both sides of every
// branch they cannot prove uniform only run the loads this layout needs. Whether C is
// overwritten or added to comes in `params.flags` (only the final stores read it).

struct Params {
    m: u32,
    n: u32,
    k: u32,
    flags: u32,
}

const TRANSPOSE_A: u32 = 1u;
const TRANSPOSE_B: u32 = 2u;
const ALIGNED_A: u32 = 4u;
const ALIGNED_B: u32 = 8u;
const ACCUMULATE: u32 = 16u;

override OP: u32 = 0u;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> b: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;

fn layout_has(flag: u32) -> bool {
    return (OP & flag) != 0u;
}

// (M, N, K), read from `params` once per thread (see `main`).
var<private> sizes: vec3<u32>;
// The outputs of one thread: row r0+i of C at columns c0..c0+3 in `acc{i}`.
var<private> acc0: vec4<f32>;
var<private> acc1: vec4<f32>;
var<private> acc2: vec4<f32>;
var<private> acc3: vec4<f32>;

fn a_at(index: u32) -> f32 {
    return a[index / 4u][index % 4u];
}

fn b_at(index: u32) -> f32 {
    return b[index / 4u][index % 4u];
}

// Stored elements start..start+3 of A: one vec4 when its rows are aligned (then `start`
// is a multiple of 4), four scalars otherwise.
fn a_four(start: u32) -> vec4<f32> {
    if layout_has(ALIGNED_A) {
        return a[start / 4u];
    }
    return vec4<f32>(a_at(start), a_at(start + 1u), a_at(start + 2u), a_at(start + 3u));
}

// Stored elements start..start+3 of B, as `a_four`.
fn b_four(start: u32) -> vec4<f32> {
    if layout_has(ALIGNED_B) {
        return b[start / 4u];
    }
    return vec4<f32>(b_at(start), b_at(start + 1u), b_at(start + 2u), b_at(start + 3u));
}

// Add op(A)·op(B) over depths k0..k0+3 to the thread's block; depths from `depths` on lie
// past K and count as zero (what is in memory there may be anything, even an infinity,
// which times zero is NaN, so both operands are cleared).
fn add_depths(r0: u32, c0: u32, k0: u32, depths: u32) {
    let m = sizes.x;
    let n = sizes.y;
    let k = sizes.z;
    let zero = vec4<f32>(0.0);
    // l{d}: op(A) at depth k0+d over rows r0..r0+3.
    var l0: vec4<f32>;
    var l1: vec4<f32>;
    var l2: vec4<f32>;
    var l3: vec4<f32>;
    if layout_has(TRANSPOSE_A) {
        // Stored K×M: a stored row is one depth over the rows.
        l0 = a_four(k0 * m + r0);
        l1 = a_four((k0 + 1u) * m + r0);
        l2 = a_four((k0 + 2u) * m + r0);
        l3 = a_four((k0 + 3u) * m + r0);
    } else {
        // Stored M×K: a stored row is one row over the depths; turned around here.
        let q0 = a_four(r0 * k + k0);
        let q1 = a_four((r0 + 1u) * k + k0);
        let q2 = a_four((r0 + 2u) * k + k0);
        let q3 = a_four((r0 + 3u) * k + k0);
        l0 = vec4<f32>(q0.x, q1.x, q2.x, q3.x);
        l1 = vec4<f32>(q0.y, q1.y, q2.y, q3.y);
        l2 = vec4<f32>(q0.z, q1.z, q2.z, q3.z);
        l3 = vec4<f32>(q0.w, q1.w, q2.w, q3.w);
    }
    // r{d}: op(B) at depth k0+d over columns c0..c0+3.
    var r0v: vec4<f32>;
    var r1v: vec4<f32>;
    var r2v: vec4<f32>;
    var r3v: vec4<f32>;
    if layout_has(TRANSPOSE_B) {
        // Stored N×K: a stored row is one column over the depths; turned around here.
        let p0 = b_four(c0 * k + k0);
        let p1 = b_four((c0 + 1u) * k + k0);
        let p2 = b_four((c0 + 2u) * k + k0);
        let p3 = b_four((c0 + 3u) * k + k0);
        r0v = vec4<f32>(p0.x, p1.x, p2.x, p3.x);
        r1v = vec4<f32>(p0.y, p1.y, p2.y, p3.y);
        r2v = vec4<f32>(p0.z, p1.z, p2.z, p3.z);
        r3v = vec4<f32>(p0.w, p1.w, p2.w, p3.w);
    } else {
        r0v = b_four(k0 * n + c0);
        r1v = b_four((k0 + 1u) * n + c0);
        r2v = b_four((k0 + 2u) * n + c0);
        r3v = b_four((k0 + 3u) * n + c0);
    }
    if depths < 4u {
        l1 = select(zero, l1, depths > 1u);
        l2 = select(zero, l2, depths > 2u);
        l3 = select(zero, l3, depths > 3u);
        r1v = select(zero, r1v, depths > 1u);
        r2v = select(zero, r2v, depths > 2u);
        r3v = select(zero, r3v, depths > 3u);
    }
    acc0 = fma(vec4<f32>(l0.x), r0v, acc0);
    acc1 = fma(vec4<f32>(l0.y), r0v, acc1);
    acc2 = fma(vec4<f32>(l0.z), r0v, acc2);
    acc3 = fma(vec4<f32>(l0.w), r0v, acc3);
    acc0 = fma(vec4<f32>(l1.x), r1v, acc0);
    acc1 = fma(vec4<f32>(l1.y), r1v, acc1);
    acc2 = fma(vec4<f32>(l1.z), r1v, acc2);
    acc3 = fma(vec4<f32>(l1.w), r1v, acc3);
    acc0 = fma(vec4<f32>(l2.x), r2v, acc0);
    acc1 = fma(vec4<f32>(l2.y), r2v, acc1);
    acc2 = fma(vec4<f32>(l2.z), r2v, acc2);
    acc3 = fma(vec4<f32>(l2.w), r2v, acc3);
    acc0 = fma(vec4<f32>(l3.x), r3v, acc0);
    acc1 = fma(vec4<f32>(l3.y), r3v, acc1);
    acc2 = fma(vec4<f32>(l3.z), r3v, acc2);
    acc3 = fma(vec4<f32>(l3.w), r3v, acc3);
}

// Columns col..col+3 of row `row` of C, skipping what lies outside it.
fn store_row(row: u32, col: u32, values: vec4<f32>) {
    if row >= params.m {
        return;
    }
    for (var e = 0u; e < 4u; e = e + 1u) {
        if col + e < params.n {
            let index = row * params.n + col + e;
            if (params.flags & ACCUMULATE) != 0u {
                c[index] = c[index] + values[e];
            } else {
                c[index] = values[e];
            }
        }
    }
}

// A workgroup of 8×8 threads covers 32×32 outputs. Reads past the right or bottom edge
// of an operand (by the last block of a row or column) stay inside the buffer (WebGPU
// checks every access) and only reach outputs that are never stored; depths past K are
// cleared before they are used.
@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    // The sizes pass through a select on id.z (always 0) so that lavapipe (Mesa 22) cannot
    // trace the loop bounds and addresses back to the uniform: it otherwise specialises
    // the shader to the uniform's values and, for some layouts, recompiles it at every
    // dispatch (2 ms each).
    sizes = select(vec3<u32>(params.m, params.n, params.k), vec3<u32>(0u), id.z != 0u);
    let r0 = 4u * id.y;
    let c0 = 4u * id.x;
    if r0 >= sizes.x || c0 >= sizes.y {
        return;
    }
    let whole = sizes.z & ~3u;
    for (var k0 = 0u; k0 < whole; k0 = k0 + 4u) {
        add_depths(r0, c0, k0, 4u);
    }
    if whole < sizes.z {
        add_depths(r0, c0, whole, sizes.z - whole);
    }
    store_row(r0, c0, acc0);
    store_row(r0 + 1u, c0, acc1);
    store_row(r0 + 2u, c0, acc2);
    store_row(r0 + 3u, c0, acc3);
}
