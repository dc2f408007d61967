// Sum (or mean, with scale = 1/length) over lanes: the input is seen as
// [outer, length, inner] around the reduced axis ([1, n, 1] for "all elements"), and
// output lane `outer·inner + within` is `scale · Σ_step input[(outer·length + step)·inner +
// within]`. `per_thread`: one thread per lane (short lanes); `per_group`: one workgroup
// per lane, summing in parallel (long lanes).

struct Params {
    lanes: u32,
    length: u32,
    inner: u32,
    scale: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read_write> output: array<f32>;

const GROUP_SIZE: u32 = 256u;

fn index(lane: u32, step: u32) -> u32 {
    let outer = lane / params.inner;
    let within = lane % params.inner;
    return (outer * params.length + step) * params.inner + within;
}

@compute @workgroup_size(256)
fn per_thread(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let lane = (group.y * groups.x + group.x) * GROUP_SIZE + local;
    if lane >= params.lanes {
        return;
    }
    var total = 0.0;
    for (var step = 0u; step < params.length; step = step + 1u) {
        total = total + input[index(lane, step)];
    }
    output[lane] = total * params.scale;
}

var<workgroup> partial: array<f32, GROUP_SIZE>;

@compute @workgroup_size(256)
fn per_group(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let lane = group.y * groups.x + group.x;
    if lane >= params.lanes {
        return;
    }
    var total = 0.0;
    for (var step = local; step < params.length; step = step + GROUP_SIZE) {
        total = total + input[index(lane, step)];
    }
    partial[local] = total;
    for (var width = GROUP_SIZE / 2u; width > 0u; width = width / 2u) {
        workgroupBarrier();
        if local < width {
            partial[local] = partial[local] + partial[local + width];
        }
    }
    if local == 0u {
        output[lane] = partial[0] * params.scale;
    }
}
