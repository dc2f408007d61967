// A thread's block of outputs in registers and the four-depth steps that fill it, shared
// by the blocked product (matmul_blocked.wgsl) and the dense layer (dense.wgsl): the
// shader sources start with this file (see `kernels.rs`).

// Rows r0..r0+3 of the block at columns c0..c0+3 in `acc{i}`.
var<private> acc0: vec4<f32>;
var<private> acc1: vec4<f32>;
var<private> acc2: vec4<f32>;
var<private> acc3: vec4<f32>;
// A wide block's second four columns, c0+4..c0+7.
var<private> acc4: vec4<f32>;
var<private> acc5: vec4<f32>;
var<private> acc6: vec4<f32>;
var<private> acc7: vec4<f32>;

// Four depths of one operand: `d{i}` holds depth k0+i over the block's rows or columns.
struct Depths {
    d0: vec4<f32>,
    d1: vec4<f32>,
    d2: vec4<f32>,
    d3: vec4<f32>,
}

// Depths from `depths` on lie past the inner size and count as zero (what is in memory
// there may be anything, even an infinity, which times zero is NaN, so both operands are
// cleared).
fn clear_past(values: Depths, depths: u32) -> Depths {
    if depths >= 4u {
        return values;
    }
    let zero = vec4<f32>(0.0);
    return Depths(values.d0, select(zero, values.d1, depths > 1u),
        select(zero, values.d2, depths > 2u), select(zero, values.d3, depths > 3u));
}

// Row block `acc{i}` += l[i] · r over four depths.
fn add_four(l: Depths, r: Depths) {
    acc0 = fma(vec4<f32>(l.d0.x), r.d0, acc0);
    acc1 = fma(vec4<f32>(l.d0.y), r.d0, acc1);
    acc2 = fma(vec4<f32>(l.d0.z), r.d0, acc2);
    acc3 = fma(vec4<f32>(l.d0.w), r.d0, acc3);
    acc0 = fma(vec4<f32>(l.d1.x), r.d1, acc0);
    acc1 = fma(vec4<f32>(l.d1.y), r.d1, acc1);
    acc2 = fma(vec4<f32>(l.d1.z), r.d1, acc2);
    acc3 = fma(vec4<f32>(l.d1.w), r.d1, acc3);
    acc0 = fma(vec4<f32>(l.d2.x), r.d2, acc0);
    acc1 = fma(vec4<f32>(l.d2.y), r.d2, acc1);
    acc2 = fma(vec4<f32>(l.d2.z), r.d2, acc2);
    acc3 = fma(vec4<f32>(l.d2.w), r.d2, acc3);
    acc0 = fma(vec4<f32>(l.d3.x), r.d3, acc0);
    acc1 = fma(vec4<f32>(l.d3.y), r.d3, acc1);
    acc2 = fma(vec4<f32>(l.d3.z), r.d3, acc2);
    acc3 = fma(vec4<f32>(l.d3.w), r.d3, acc3);
}

// The same for the block's second four columns, `acc{4+i}`.
fn add_four_right(l: Depths, r: Depths) {
    acc4 = fma(vec4<f32>(l.d0.x), r.d0, acc4);
    acc5 = fma(vec4<f32>(l.d0.y), r.d0, acc5);
    acc6 = fma(vec4<f32>(l.d0.z), r.d0, acc6);
    acc7 = fma(vec4<f32>(l.d0.w), r.d0, acc7);
    acc4 = fma(vec4<f32>(l.d1.x), r.d1, acc4);
    acc5 = fma(vec4<f32>(l.d1.y), r.d1, acc5);
    acc6 = fma(vec4<f32>(l.d1.z), r.d1, acc6);
    acc7 = fma(vec4<f32>(l.d1.w), r.d1, acc7);
    acc4 = fma(vec4<f32>(l.d2.x), r.d2, acc4);
    acc5 = fma(vec4<f32>(l.d2.y), r.d2, acc5);
    acc6 = fma(vec4<f32>(l.d2.z), r.d2, acc6);
    acc7 = fma(vec4<f32>(l.d2.w), r.d2, acc7);
    acc4 = fma(vec4<f32>(l.d3.x), r.d3, acc4);
    acc5 = fma(vec4<f32>(l.d3.y), r.d3, acc5);
    acc6 = fma(vec4<f32>(l.d3.z), r.d3, acc6);
    acc7 = fma(vec4<f32>(l.d3.w), r.d3, acc7);
}
