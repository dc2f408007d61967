// Matrix product for GPUs emulated on the CPU (lavapipe, SwiftShader): C (M×N) (+)=
// op(A) (M×K) · op(B) (K×N), with the operands stored as in matmul.wgsl (A as M×K or,
// transposed, K×M; B as K×N or N×K), but without workgroup memory. Each thread keeps a
// 4×4 block of C in registers and reads its operands straight from storage, four depths
// at a time: four vec4s of op(A) and four of op(B), then 16 vec4 multiply-adds. On a CPU
// the caches already do what workgroup memory would, and every workgroup barrier is a
// switch between emulated threads, so this beats the tiled kernel there (small products
// most: a 64×16 by 16×16 product takes ~0.1 ms instead of ~0.7 ms on SwiftShader); on
// GPUs the tiled kernel stays. The second entry point, `main_wide`, keeps 4×8 blocks
// (two of the 4×4 sharing their op(A) loads): an emulation pays per loaded number more
// than per multiply-add, and a 256×256 product runs ~30 % faster on SwiftShader so.
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

fn left_depths(r0: u32, k0: u32) -> Depths {
    let m = sizes.x;
    let k = sizes.z;
    if layout_has(TRANSPOSE_A) {
        // Stored K×M: a stored row is one depth over the rows.
        return Depths(a_four(k0 * m + r0), a_four((k0 + 1u) * m + r0),
            a_four((k0 + 2u) * m + r0), a_four((k0 + 3u) * m + r0));
    }
    // Stored M×K: a stored row is one row over the depths; turned around here.
    let q0 = a_four(r0 * k + k0);
    let q1 = a_four((r0 + 1u) * k + k0);
    let q2 = a_four((r0 + 2u) * k + k0);
    let q3 = a_four((r0 + 3u) * k + k0);
    return Depths(vec4<f32>(q0.x, q1.x, q2.x, q3.x), vec4<f32>(q0.y, q1.y, q2.y, q3.y),
        vec4<f32>(q0.z, q1.z, q2.z, q3.z), vec4<f32>(q0.w, q1.w, q2.w, q3.w));
}

// op(B) at depths k0..k0+3 over columns c0..c0+3.
fn right_depths(c0: u32, k0: u32) -> Depths {
    let n = sizes.y;
    let k = sizes.z;
    if layout_has(TRANSPOSE_B) {
        // Stored N×K: a stored row is one column over the depths; turned around here.
        let p0 = b_four(c0 * k + k0);
        let p1 = b_four((c0 + 1u) * k + k0);
        let p2 = b_four((c0 + 2u) * k + k0);
        let p3 = b_four((c0 + 3u) * k + k0);
        return Depths(vec4<f32>(p0.x, p1.x, p2.x, p3.x), vec4<f32>(p0.y, p1.y, p2.y, p3.y),
            vec4<f32>(p0.z, p1.z, p2.z, p3.z), vec4<f32>(p0.w, p1.w, p2.w, p3.w));
    }
    return Depths(b_four(k0 * n + c0), b_four((k0 + 1u) * n + c0),
        b_four((k0 + 2u) * n + c0), b_four((k0 + 3u) * n + c0));
}

// Add op(A)·op(B) over depths k0..k0+3 (those from `depths` on past K) to the block.
fn add_depths(r0: u32, c0: u32, k0: u32, depths: u32) {
    add_four(clear_past(left_depths(r0, k0), depths), clear_past(right_depths(c0, k0), depths));
}

// The same for a block of 4×8 (columns c0..c0+7), its left operand loaded once.
fn add_depths_wide(r0: u32, c0: u32, k0: u32, depths: u32) {
    let l = clear_past(left_depths(r0, k0), depths);
    add_four(l, clear_past(right_depths(c0, k0), depths));
    add_four_right(l, clear_past(right_depths(c0 + 4u, k0), depths));
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

// Workgroups of 8×8 threads, each a block of 4 rows × 8 columns: 32×64 outputs, twelve
// vec4 loads for every 32 vec4 multiply-adds instead of eight for 16 (for products wide
// enough to fill them, see ops/matmul.rs).
@compute @workgroup_size(8, 8)
fn main_wide(@builtin(global_invocation_id) id: vec3<u32>) {
    // Through a select on id.z, as in `main`.
    sizes = select(vec3<u32>(params.m, params.n, params.k), vec3<u32>(0u), id.z != 0u);
    let r0 = 4u * id.y;
    let c0 = 8u * id.x;
    if r0 >= sizes.x || c0 >= sizes.y {
        return;
    }
    let whole = sizes.z & ~3u;
    for (var k0 = 0u; k0 < whole; k0 = k0 + 4u) {
        add_depths_wide(r0, c0, k0, 4u);
    }
    if whole < sizes.z {
        add_depths_wide(r0, c0, whole, sizes.z - whole);
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
