// Tiled matrix product: C (M×N) (+)= op(A) (M×K) · op(B) (K×N), where op reads a stored
// matrix either as it is or transposed (A stored K×M, B stored N×K). The backward
// Ā = V̄·Bᵀ and B̄ = Aᵀ·V̄ is two calls with a flag set, not transposed copies.
//
// A workgroup of 64 threads (8×8) computes one 64×64 tile of C; each thread keeps an 8×8
// block of it in registers: rows 4·ty..4·ty+3 and 32+4·ty.., columns 4·tx..4·tx+3 and
// 32+4·tx.., so neighbouring threads read neighbouring vec4s of the tiles. K is walked in
// slabs of 16: the workgroup stages a 64×16 slab of op(A) and a 16×64 slab of op(B) in
// workgroup memory (8 KiB), depth-major as vec4s, so the inner loop is 4 vec4 reads and
// 16 vec4 multiply-adds per depth step. Global loads read four consecutive stored
// elements: one vec4 load when the stored rows are a multiple of 4 long (flags ALIGNED_A /
// ALIGNED_B), four bounds-checked scalar loads otherwise. Edges that do not fill a tile
// read zeros and write nothing.
//
// (Measured on lavapipe, 2 cores: 8×8 per thread is ~1.4× the 4×4-per-thread layout with
// 256 threads; slabs of 32 gave nothing more.)

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

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> b: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;

// Outputs per tile side, depth of a slab, and vec4 lanes across a tile (TILE / 4).
const TILE: u32 = 64u;
const DEPTH: u32 = 16u;
const LANES: u32 = 16u;

// a_tile[d * LANES + q]: rows 4q..4q+3 of op(A) at depth d of the slab.
var<workgroup> a_tile: array<vec4<f32>, 256>;
// b_tile[d * LANES + q]: columns 4q..4q+3 of op(B) at depth d of the slab.
var<workgroup> b_tile: array<vec4<f32>, 256>;

fn has(flag: u32) -> bool {
    return (params.flags & flag) != 0u;
}

// Stored elements (row, col..col+3) of A, a rows × cols matrix; zero outside it.
// `col` is a multiple of 4, so with aligned rows the four are all inside or all outside.
fn a_quad(row: u32, col: u32, rows: u32, cols: u32) -> vec4<f32> {
    if row >= rows || col >= cols {
        return vec4<f32>(0.0);
    }
    let start = row * cols + col;
    if has(ALIGNED_A) {
        return a[start / 4u];
    }
    var quad = vec4<f32>(0.0);
    for (var e = 0u; e < 4u; e = e + 1u) {
        if col + e < cols {
            let index = start + e;
            quad[e] = a[index / 4u][index % 4u];
        }
    }
    return quad;
}

// Stored elements (row, col..col+3) of B, as `a_quad`.
fn b_quad(row: u32, col: u32, rows: u32, cols: u32) -> vec4<f32> {
    if row >= rows || col >= cols {
        return vec4<f32>(0.0);
    }
    let start = row * cols + col;
    if has(ALIGNED_B) {
        return b[start / 4u];
    }
    var quad = vec4<f32>(0.0);
    for (var e = 0u; e < 4u; e = e + 1u) {
        if col + e < cols {
            let index = start + e;
            quad[e] = b[index / 4u][index % 4u];
        }
    }
    return quad;
}

// Staging slot `t` (0..256) holds 4 of the 64×16 elements of op(A) from rows row0..,
// depths k0..; each of the 64 threads fills four slots.
fn load_a(row0: u32, k0: u32, t: u32) {
    if has(TRANSPOSE_A) {
        // Stored K×M: four consecutive rows of op(A) at one depth.
        let depth = t / LANES;
        let lane = t % LANES;
        a_tile[depth * LANES + lane] = a_quad(k0 + depth, row0 + 4u * lane, params.k, params.m);
    } else {
        // Stored M×K: one row of op(A) at four consecutive depths.
        let row = t / 4u;
        let depth = (t % 4u) * 4u;
        let quad = a_quad(row0 + row, k0 + depth, params.m, params.k);
        for (var e = 0u; e < 4u; e = e + 1u) {
            a_tile[(depth + e) * LANES + row / 4u][row % 4u] = quad[e];
        }
    }
}

// Staging slot `t` (0..256) holds 4 of the 16×64 elements of op(B) from depths k0..,
// columns col0...
fn load_b(col0: u32, k0: u32, t: u32) {
    if has(TRANSPOSE_B) {
        // Stored N×K: one column of op(B) at four consecutive depths.
        let col = t / 4u;
        let depth = (t % 4u) * 4u;
        let quad = b_quad(col0 + col, k0 + depth, params.n, params.k);
        for (var e = 0u; e < 4u; e = e + 1u) {
            b_tile[(depth + e) * LANES + col / 4u][col % 4u] = quad[e];
        }
    } else {
        // Stored K×N: four consecutive columns of op(B) at one depth.
        let depth = t / LANES;
        let lane = t % LANES;
        b_tile[depth * LANES + lane] = b_quad(k0 + depth, col0 + 4u * lane, params.k, params.n);
    }
}

// Columns col..col+3 of row `row` of C, skipping what lies outside it.
fn store_row(row: u32, col: u32, values: vec4<f32>) {
    if row >= params.m {
        return;
    }
    for (var e = 0u; e < 4u; e = e + 1u) {
        if col + e < params.n {
            let index = row * params.n + col + e;
            if has(ACCUMULATE) {
                c[index] = c[index] + values[e];
            } else {
                c[index] = values[e];
            }
        }
    }
}

@compute @workgroup_size(64)
fn main(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(local_invocation_index) t: u32,
) {
    let row0 = group.y * TILE;
    let col0 = group.x * TILE;
    let tx = t % 8u;
    let ty = t / 8u;
    // acc{r}{c}: rows 4·ty+r (r < 4) or 32+4·ty+r−4, columns 4·tx.. (c = 0) or 32+4·tx.. (c = 1).
    var acc00 = vec4<f32>(0.0);
    var acc01 = vec4<f32>(0.0);
    var acc10 = vec4<f32>(0.0);
    var acc11 = vec4<f32>(0.0);
    var acc20 = vec4<f32>(0.0);
    var acc21 = vec4<f32>(0.0);
    var acc30 = vec4<f32>(0.0);
    var acc31 = vec4<f32>(0.0);
    var acc40 = vec4<f32>(0.0);
    var acc41 = vec4<f32>(0.0);
    var acc50 = vec4<f32>(0.0);
    var acc51 = vec4<f32>(0.0);
    var acc60 = vec4<f32>(0.0);
    var acc61 = vec4<f32>(0.0);
    var acc70 = vec4<f32>(0.0);
    var acc71 = vec4<f32>(0.0);
    for (var k0 = 0u; k0 < params.k; k0 = k0 + DEPTH) {
        for (var part = 0u; part < 4u; part = part + 1u) {
            load_a(row0, k0, t + 64u * part);
            load_b(col0, k0, t + 64u * part);
        }
        workgroupBarrier();
        for (var depth = 0u; depth < DEPTH; depth = depth + 1u) {
            let top = a_tile[depth * LANES + ty];
            let bottom = a_tile[depth * LANES + ty + 8u];
            let left = b_tile[depth * LANES + tx];
            let right = b_tile[depth * LANES + tx + 8u];
            acc00 = fma(vec4<f32>(top.x), left, acc00);
            acc01 = fma(vec4<f32>(top.x), right, acc01);
            acc10 = fma(vec4<f32>(top.y), left, acc10);
            acc11 = fma(vec4<f32>(top.y), right, acc11);
            acc20 = fma(vec4<f32>(top.z), left, acc20);
            acc21 = fma(vec4<f32>(top.z), right, acc21);
            acc30 = fma(vec4<f32>(top.w), left, acc30);
            acc31 = fma(vec4<f32>(top.w), right, acc31);
            acc40 = fma(vec4<f32>(bottom.x), left, acc40);
            acc41 = fma(vec4<f32>(bottom.x), right, acc41);
            acc50 = fma(vec4<f32>(bottom.y), left, acc50);
            acc51 = fma(vec4<f32>(bottom.y), right, acc51);
            acc60 = fma(vec4<f32>(bottom.z), left, acc60);
            acc61 = fma(vec4<f32>(bottom.z), right, acc61);
            acc70 = fma(vec4<f32>(bottom.w), left, acc70);
            acc71 = fma(vec4<f32>(bottom.w), right, acc71);
        }
        workgroupBarrier();
    }
    let top = row0 + 4u * ty;
    let bottom = top + 32u;
    let left = col0 + 4u * tx;
    let right = left + 32u;
    store_row(top, left, acc00);
    store_row(top, right, acc01);
    store_row(top + 1u, left, acc10);
    store_row(top + 1u, right, acc11);
    store_row(top + 2u, left, acc20);
    store_row(top + 2u, right, acc21);
    store_row(top + 3u, left, acc30);
    store_row(top + 3u, right, acc31);
    store_row(bottom, left, acc40);
    store_row(bottom, right, acc41);
    store_row(bottom + 1u, left, acc50);
    store_row(bottom + 1u, right, acc51);
    store_row(bottom + 2u, left, acc60);
    store_row(bottom + 2u, right, acc61);
    store_row(bottom + 3u, left, acc70);
    store_row(bottom + 3u, right, acc71);
}
