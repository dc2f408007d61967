// layer_norm along the last axis, one thread per row: y = (x − μ) / √(σ² + ε), with μ
// the row's mean, σ² its population variance and ε = 1e-5, as `tensor::layer_norm`.

struct Params {
    rows: u32,
    row_length: u32,
    accumulate: u32,
    _pad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read_write> output: array<f32>;

const GROUP_SIZE: u32 = 256u;
const EPSILON: f32 = 1e-5;

@compute @workgroup_size(256)
fn per_thread(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let row = (group.y * groups.x + group.x) * GROUP_SIZE + local;
    if row >= params.rows {
        return;
    }
    let start = row * params.row_length;
    let end = start + params.row_length;
    let n = f32(params.row_length);
    var total = 0.0;
    for (var i = start; i < end; i = i + 1u) {
        total = total + input[i];
    }
    let mean = total / n;
    var squares = 0.0;
    for (var i = start; i < end; i = i + 1u) {
        let deviation = input[i] - mean;
        squares = squares + deviation * deviation;
    }
    let scale = 1.0 / sqrt(squares / n + EPSILON);
    for (var i = start; i < end; i = i + 1u) {
        output[i] = (input[i] - mean) * scale;
    }
}
