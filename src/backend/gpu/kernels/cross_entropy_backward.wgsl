// Backward of cross_entropy for the logits: logits̄ = ȳ · (softmax(logits) − onehot(labels)) / N,
// one thread per row. Labels get no gradient (they are indices); a row with an invalid
// label gets NaN, as its loss did.

struct Params {
    rows: u32,
    classes: u32,
    // 1: add into `grad`; 0: overwrite it.
    accumulate: u32,
    _pad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> logits: array<f32>;
@group(0) @binding(2) var<storage, read> labels: array<f32>;
@group(0) @binding(3) var<storage, read> upstream: array<f32>;
@group(0) @binding(4) var<storage, read_write> grad: array<f32>;

const GROUP_SIZE: u32 = 256u;

fn nan() -> f32 {
    var bits = 0x7fc00000u;
    return bitcast<f32>(bits);
}

fn store(index: u32, value: f32) {
    if params.accumulate != 0u {
        grad[index] = grad[index] + value;
    } else {
        grad[index] = value;
    }
}

@compute @workgroup_size(256)
fn backward(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let row = (group.y * groups.x + group.x) * GROUP_SIZE + local;
    if row >= params.rows {
        return;
    }
    let start = row * params.classes;
    let end = start + params.classes;
    let label = labels[row];
    let valid = label == floor(label) && label >= 0.0 && label < f32(params.classes);
    let scale = upstream[0] / f32(params.rows);
    var row_max = logits[start];
    for (var i = start + 1u; i < end; i = i + 1u) {
        row_max = max(row_max, logits[i]);
    }
    var total = 0.0;
    for (var i = start; i < end; i = i + 1u) {
        total = total + exp(logits[i] - row_max);
    }
    for (var i = start; i < end; i = i + 1u) {
        if !valid {
            store(i, nan());
            continue;
        }
        let probability = exp(logits[i] - row_max) / total;
        let expected = select(0.0, 1.0, i - start == u32(label));
        store(i, (probability - expected) * scale);
    }
}
