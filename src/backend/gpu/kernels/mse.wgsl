// mse(prediction, target) = mean((prediction − target)²) over equal shapes. One workgroup:
// each thread sums every 256th squared difference, then the workgroup sums the threads.

struct Params {
    len: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> prediction: array<f32>;
@group(0) @binding(2) var<storage, read> reference: array<f32>;
@group(0) @binding(3) var<storage, read_write> loss: array<f32>;

const GROUP_SIZE: u32 = 256u;

fn nan() -> f32 {
    var bits = 0x7fc00000u;
    return bitcast<f32>(bits);
}

var<workgroup> partial: array<f32, GROUP_SIZE>;

@compute @workgroup_size(256)
fn forward(@builtin(local_invocation_index) local: u32) {
    var total = 0.0;
    for (var i = local; i < params.len; i = i + GROUP_SIZE) {
        let difference = prediction[i] - reference[i];
        total = total + difference * difference;
    }
    partial[local] = total;
    for (var width = GROUP_SIZE / 2u; width > 0u; width = width / 2u) {
        workgroupBarrier();
        if local < width {
            partial[local] = partial[local] + partial[local + width];
        }
    }
    if local == 0u {
        if params.len == 0u {
            loss[0] = nan();
        } else {
            loss[0] = partial[0] / f32(params.len);
        }
    }
}
