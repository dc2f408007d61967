// softmax or log_softmax along the last axis, numerically stable: each row's maximum is
// subtracted before exponentiating. softmax = exp(x − max) / Σ exp(x − max);
// log_softmax = x − max − ln Σ exp(x − max). `per_thread`: one thread per row (short
// rows); `per_group`: one workgroup per row (long rows).

struct Params {
    rows: u32,
    row_length: u32,
    // 1: log_softmax; 0: softmax.
    log: u32,
    _pad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read_write> output: array<f32>;

const GROUP_SIZE: u32 = 256u;

fn finish(index: u32, row_max: f32, total: f32) {
    let shifted = input[index] - row_max;
    if params.log != 0u {
        output[index] = shifted - log(total);
    } else {
        output[index] = exp(shifted) / total;
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
    var row_max = input[start];
    for (var i = start + 1u; i < end; i = i + 1u) {
        row_max = max(row_max, input[i]);
    }
    var total = 0.0;
    for (var i = start; i < end; i = i + 1u) {
        total = total + exp(input[i] - row_max);
    }
    for (var i = start; i < end; i = i + 1u) {
        finish(i, row_max, total);
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
    // Row maximum (rows are never empty; threads past the end start from the first).
    var local_max = input[start];
    for (var i = start + local; i < end; i = i + GROUP_SIZE) {
        local_max = max(local_max, input[i]);
    }
    partial[local] = local_max;
    for (var width = GROUP_SIZE / 2u; width > 0u; width = width / 2u) {
        workgroupBarrier();
        if local < width {
            partial[local] = max(partial[local], partial[local + width]);
        }
    }
    workgroupBarrier();
    let row_max = partial[0];
    workgroupBarrier();
    var local_total = 0.0;
    for (var i = start + local; i < end; i = i + GROUP_SIZE) {
        local_total = local_total + exp(input[i] - row_max);
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
        finish(i, row_max, total);
    }
}
