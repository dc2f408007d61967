// Utility kernels on one buffer, in place: `fill` sets every element to a value (zeroing
// is filling with 0); `scale` multiplies every element by a factor.

struct Params {
    len: u32,
    // The fill value, or the scale factor.
    value: f32,
    _pad0: u32,
    _pad1: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> destination: array<f32>;

const GROUP_SIZE: u32 = 256u;

@compute @workgroup_size(256)
fn fill(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let i = (group.y * groups.x + group.x) * GROUP_SIZE + local;
    if i < params.len {
        destination[i] = params.value;
    }
}

@compute @workgroup_size(256)
fn scale(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let i = (group.y * groups.x + group.x) * GROUP_SIZE + local;
    if i < params.len {
        destination[i] = destination[i] * params.value;
    }
}
