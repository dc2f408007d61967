// layer_norm's backward along the last axis, one thread per row:
// x̄ = (ȳ − mean(ȳ) − y · mean(ȳ ⊙ y)) / √(σ² + ε), with y the forward's output and σ²
// recomputed from the input, as `tensor::layer_norm::layer_norm_vjp`.

struct Params {
    rows: u32,
    row_length: u32,
    // 1: add into `grad`; 0: overwrite it.
    accumulate: u32,
    _pad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read> output: array<f32>;
@group(0) @binding(3) var<storage, read> upstream: array<f32>;
@group(0) @binding(4) var<storage, read_write> grad: array<f32>;

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
    var upstream_total = 0.0;
    var projection = 0.0;
    for (var i = start; i < end; i = i + 1u) {
        total = total + input[i];
        upstream_total = upstream_total + upstream[i];
        projection = projection + upstream[i] * output[i];
    }
    let mean = total / n;
    var squares = 0.0;
    for (var i = start; i < end; i = i + 1u) {
        let deviation = input[i] - mean;
        squares = squares + deviation * deviation;
    }
    let scale = 1.0 / sqrt(squares / n + EPSILON);
    let upstream_mean = upstream_total / n;
    let projection_mean = projection / n;
    for (var i = start; i < end; i = i + 1u) {
        let contribution = (upstream[i] - upstream_mean - output[i] * projection_mean) * scale;
        if params.accumulate != 0u {
            grad[i] = grad[i] + contribution;
        } else {
            grad[i] = contribution;
        }
    }
}
