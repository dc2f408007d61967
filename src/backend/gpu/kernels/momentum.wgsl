// Gradient descent with classical momentum, in place: velocity = μ·velocity + grad;
// param −= learning_rate · velocity (velocity starts at 0).

struct Params {
    len: u32,
    learning_rate: f32,
    momentum: f32,
    _pad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<storage, read_write> param: array<f32>;
@group(0) @binding(3) var<storage, read_write> velocity: array<f32>;

const GROUP_SIZE: u32 = 256u;

@compute @workgroup_size(256)
fn update(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let i = (group.y * groups.x + group.x) * GROUP_SIZE + local;
    if i >= params.len {
        return;
    }
    let v = params.momentum * velocity[i] + grad[i];
    velocity[i] = v;
    param[i] = param[i] - params.learning_rate * v;
}
