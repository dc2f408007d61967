// cross_entropy(logits [N, C], labels [N]) = −mean_n log_softmax(logits)[n, labels[n]],
// labels holding class indices as whole numbers in 0..C (a row with any other label
// contributes NaN; the CPU refuses such labels). One workgroup: each thread takes every
// 256th row, then the workgroup sums the rows' losses.

struct Params {
    rows: u32,
    classes: u32,
    _pad0: u32,
    _pad1: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> logits: array<f32>;
@group(0) @binding(2) var<storage, read> labels: array<f32>;
@group(0) @binding(3) var<storage, read_write> loss: array<f32>;

const GROUP_SIZE: u32 = 256u;

fn nan() -> f32 {
    var bits = 0x7fc00000u;
    return bitcast<f32>(bits);
}

fn valid_label(label: f32) -> bool {
    return label == floor(label) && label >= 0.0 && label < f32(params.classes);
}

// −log_softmax(logits[row])[label].
fn row_loss(row: u32) -> f32 {
    let label = labels[row];
    if !valid_label(label) {
        return nan();
    }
    let start = row * params.classes;
    let end = start + params.classes;
    var row_max = logits[start];
    for (var i = start + 1u; i < end; i = i + 1u) {
        row_max = max(row_max, logits[i]);
    }
    var total = 0.0;
    for (var i = start; i < end; i = i + 1u) {
        total = total + exp(logits[i] - row_max);
    }
    return -(logits[start + u32(label)] - row_max - log(total));
}

var<workgroup> partial: array<f32, GROUP_SIZE>;

@compute @workgroup_size(256)
fn forward(@builtin(local_invocation_index) local: u32) {
    var total = 0.0;
    for (var row = local; row < params.rows; row = row + GROUP_SIZE) {
        total = total + row_loss(row);
    }
    partial[local] = total;
    for (var width = GROUP_SIZE / 2u; width > 0u; width = width / 2u) {
        workgroupBarrier();
        if local < width {
            partial[local] = partial[local] + partial[local + width];
        }
    }
    if local == 0u {
        if params.rows == 0u {
            loss[0] = nan();
        } else {
            loss[0] = partial[0] / f32(params.rows);
        }
    }
}
