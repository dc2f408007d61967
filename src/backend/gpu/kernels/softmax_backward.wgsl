// Backward of softmax and log_softmax along the last axis, from the forward's output y:
// softmax: x̄ = y ⊙ (ȳ − Σ ȳ ⊙ y); log_softmax: x̄ = ȳ − exp(y) · Σ ȳ (per row).
// `per_thread` / `per_group` as in softmax.wgsl.

struct Params {
    rows: u32,
    row_length: u32,
    // 1: log_softmax; 0: softmax.
    log: u32,
    // 1: add into `grad`; 0: overwrite it.
    accumulate: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> output: array<f32>;
@group(0) @binding(2) var<storage, read> upstream: array<f32>;
@group(0) @binding(3) var<storage, read_write> grad: array<f32>;

const GROUP_SIZE: u32 = 256u;

// What each element adds to the row's sum: ȳ·y (softmax) or ȳ (log_softmax).
fn summand(index: u32) -> f32 {
    if params.log != 0u {
        return upstream[index];
    }
    return upstream[index] * output[index];
}

fn finish(index: u32, total: f32) {
    let y = output[index];
    let g = upstream[index];
    var value: f32;
    if params.log != 0u {
        value = g - exp(y) * total;
    } else {
        value = y * (g - total);
    }
    if params.accumulate != 0u {
        grad[index] = grad[index] + value;
    } else {
        grad[index] = value;
    }
}

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
    var total = 0.0;
    for (var i = start; i < end; i = i + 1u) {
        total = total + summand(i);
    }
    for (var i = start; i < end; i = i + 1u) {
        finish(i, total);
    }
}

var<workgroup> partial: array<f32, GROUP_SIZE>;

@compute @workgroup_size(256)
fn per_group(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let row = group.y * groups.x + group.x;
    if row >= params.rows {
        return;
    }
    let start = row * params.row_length;
    let end = start + params.row_length;
    var local_total = 0.0;
    for (var i = start + local; i < end; i = i + GROUP_SIZE) {
        local_total = local_total + summand(i);
    }
    partial[local] = local_total;
    for (var width = GROUP_SIZE / 2u; width > 0u; width = width / 2u) {
        workgroupBarrier();
        if local < width {
            partial[local] = partial[local] + partial[local + width];
        }
    }
    workgroupBarrier();
    let total = partial[0];
    for (var i = start + local; i < end; i = i + GROUP_SIZE) {
        finish(i, total);
    }
}
