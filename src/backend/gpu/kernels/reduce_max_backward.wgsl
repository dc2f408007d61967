// Backward of max: each lane's upstream gradient goes to the lane's first maximum (the
// position the forward recorded); every other element receives 0. Lanes as in reduce.wgsl.

struct Params {
    // Input (= gradient) elements.
    len: u32,
    length: u32,
    inner: u32,
    // 1: add into `grad`; 0: overwrite it.
    accumulate: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> upstream: array<f32>;
@group(0) @binding(2) var<storage, read> positions: array<u32>;
@group(0) @binding(3) var<storage, read_write> grad: array<f32>;

const GROUP_SIZE: u32 = 256u;

@compute @workgroup_size(256)
fn route(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let i = (group.y * groups.x + group.x) * GROUP_SIZE + local;
    if i >= params.len {
        return;
    }
    let within = i % params.inner;
    let step = (i / params.inner) % params.length;
    let outer = i / (params.inner * params.length);
    let lane = outer * params.inner + within;
    let value = select(0.0, upstream[lane], positions[lane] == step);
    if params.accumulate != 0u {
        grad[i] = grad[i] + value;
    } else {
        grad[i] = value;
    }
}
