// Backward of sum and mean: every input element receives its lane's upstream gradient
// times `scale` (1 for sum, 1/length for mean). Lanes as in reduce.wgsl.

struct Params {
    // Input (= gradient) elements.
    len: u32,
    length: u32,
    inner: u32,
    scale: f32,
    // 1: add into `grad`; 0: overwrite it.
    accumulate: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> upstream: array<f32>;
@group(0) @binding(2) var<storage, read_write> grad: array<f32>;

const GROUP_SIZE: u32 = 256u;

@compute @workgroup_size(256)
fn spread(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let i = (group.y * groups.x + group.x) * GROUP_SIZE + local;
    if i >= params.len {
        return;
    }
    let outer = i / (params.length * params.inner);
    let lane = outer * params.inner + i % params.inner;
    let value = upstream[lane] * params.scale;
    if params.accumulate != 0u {
        grad[i] = grad[i] + value;
    } else {
        grad[i] = value;
    }
}
