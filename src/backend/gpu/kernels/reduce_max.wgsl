// Maximum over lanes (lanes as in reduce.wgsl), with the position of each lane's FIRST
// maximum, which the backward sends the gradient to; for argmax (`indices` 1) the output
// is that position, as a number. Lanes are never empty (the caller
// refuses that, like the CPU). `per_thread` / `per_group` as in reduce.wgsl.

struct Params {
    lanes: u32,
    length: u32,
    inner: u32,
    // 1: write the positions as the values (argmax); 0: the maxima.
    indices: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read_write> output: array<f32>;
@group(0) @binding(3) var<storage, read_write> positions: array<u32>;

const GROUP_SIZE: u32 = 256u;
// No position yet (a thread whose stride found no element).
const NONE: u32 = 0xffffffffu;

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
    var best = 0u;
    var best_value = input[index(lane, 0u)];
    for (var step = 1u; step < params.length; step = step + 1u) {
        let value = input[index(lane, step)];
        if value > best_value {
            best = step;
            best_value = value;
        }
    }
    output[lane] = select(best_value, f32(best), params.indices != 0.0);
    positions[lane] = best;
}

var<workgroup> partial_values: array<f32, GROUP_SIZE>;
var<workgroup> partial_positions: array<u32, GROUP_SIZE>;

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
    // Each thread walks its steps in increasing order, so its best is its first maximum.
    var best = NONE;
    var best_value = 0.0;
    for (var step = local; step < params.length; step = step + GROUP_SIZE) {
        let value = input[index(lane, step)];
        if best == NONE || value > best_value {
            best = step;
            best_value = value;
        }
    }
    partial_values[local] = best_value;
    partial_positions[local] = best;
    for (var width = GROUP_SIZE / 2u; width > 0u; width = width / 2u) {
        workgroupBarrier();
        if local < width {
            let mine = partial_positions[local];
            let theirs = partial_positions[local + width];
            let mine_value = partial_values[local];
            let theirs_value = partial_values[local + width];
            // Larger value wins; on a tie the earlier position.
            let take_theirs = theirs != NONE && (mine == NONE || theirs_value > mine_value
                || (theirs_value == mine_value && theirs < mine));
            if take_theirs {
                partial_positions[local] = theirs;
                partial_values[local] = theirs_value;
            }
        }
    }
    if local == 0u {
        output[lane] = select(partial_values[0], f32(partial_positions[0]), params.indices != 0.0);
        positions[lane] = partial_positions[0];
    }
}
