// Backward of mse for one operand: prediction̄ = 2ȳ (prediction − target) / n and
// target̄ = −prediction̄ (`sign` is +1 or −1).

struct Params {
    len: u32,
    sign: f32,
    // 1: add into `grad`; 0: overwrite it.
    accumulate: u32,
    _pad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> prediction: array<f32>;
@group(0) @binding(2) var<storage, read> reference: array<f32>;
@group(0) @binding(3) var<storage, read> upstream: array<f32>;
@group(0) @binding(4) var<storage, read_write> grad: array<f32>;

const GROUP_SIZE: u32 = 256u;

@compute @workgroup_size(256)
fn backward(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let i = (group.y * groups.x + group.x) * GROUP_SIZE + local;
    if i >= params.len {
        return;
    }
    let scale = 2.0 * upstream[0] / f32(params.len);
    let value = params.sign * scale * (prediction[i] - reference[i]);
    if params.accumulate != 0u {
        grad[i] = grad[i] + value;
    } else {
        grad[i] = value;
    }
}
