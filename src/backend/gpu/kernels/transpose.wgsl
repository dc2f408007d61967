// Matrix transpose through a 16×16 tile in workgroup memory (padded to 17 columns so the
// column-wise reads do not collide), reading and writing rows contiguously:
// output (cols × rows) (+)= inputᵀ. The backward of a transpose is a transpose.

struct Params {
    // The input's shape.
    rows: u32,
    cols: u32,
    // 1: add into `output`; 0: overwrite it.
    accumulate: u32,
    _pad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read_write> output: array<f32>;

const SIDE: u32 = 16u;
const STRIDE: u32 = 17u;

var<workgroup> tile: array<f32, 272>;

@compute @workgroup_size(16, 16)
fn main(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(local_invocation_id) local: vec3<u32>,
) {
    let in_row = group.y * SIDE + local.y;
    let in_col = group.x * SIDE + local.x;
    if in_row < params.rows && in_col < params.cols {
        tile[local.y * STRIDE + local.x] = input[in_row * params.cols + in_col];
    }
    workgroupBarrier();
    // Output row = input column, output column = input row.
    let out_row = group.x * SIDE + local.y;
    let out_col = group.y * SIDE + local.x;
    if out_row < params.cols && out_col < params.rows {
        let index = out_row * params.rows + out_col;
        let value = tile[local.x * STRIDE + local.y];
        if params.accumulate != 0u {
            output[index] = output[index] + value;
        } else {
            output[index] = value;
        }
    }
}
