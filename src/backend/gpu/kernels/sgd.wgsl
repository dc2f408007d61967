// Plain gradient descent, in place: param −= learning_rate · grad.

struct Params {
    len: u32,
    learning_rate: f32,
    _pad0: u32,
    _pad1: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<storage, read_write> param: array<f32>;

const GROUP_SIZE: u32 = 256u;

@compute @workgroup_size(256)
fn update(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let i = (group.y * groups.x + group.x) * GROUP_SIZE + local;
    if i < params.len {
        param[i] = param[i] - params.learning_rate * grad[i];
    }
}
