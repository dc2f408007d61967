// `where(c, a, b)`, backward for one branch: each element of the branch's gradient sums
// `upstream[i] · 1[c > 0]` (operand 1, `a`) or `upstream[i] · (1 − 1[c > 0])` (operand 2,
// `b`) over every output element `i` broadcasting copied it to. The condition gets no
// gradient (the plan sends it none). Layout as in select.wgsl.

struct Params {
    len: u32,
    rank: u32,
    // 1: the gradient of `a`; 2: of `b`.
    operand: u32,
    // Elements of that operand (= of the gradient).
    operand_len: u32,
    // Output elements per operand element: the product of its stretched dimensions.
    reduced: u32,
    // 1: add into `grad`; 0: overwrite it.
    accumulate: u32,
    _pad0: u32,
    _pad1: u32,
    dims: array<vec4<u32>, 2>,
    cond_strides: array<vec4<u32>, 2>,
    lhs_strides: array<vec4<u32>, 2>,
    rhs_strides: array<vec4<u32>, 2>,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> cond: array<f32>;
@group(0) @binding(2) var<storage, read> upstream: array<f32>;
@group(0) @binding(3) var<storage, read_write> grad: array<f32>;

const GROUP_SIZE: u32 = 256u;

fn is_nan(x: f32) -> bool {
    return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u;
}

fn dim(axis: u32) -> u32 {
    return params.dims[axis / 4u][axis % 4u];
}

fn own_stride(axis: u32) -> u32 {
    if params.operand == 1u {
        return params.lhs_strides[axis / 4u][axis % 4u];
    }
    return params.rhs_strides[axis / 4u][axis % 4u];
}

// Output element `copy` of gradient element `element` (coordinates of kept dimensions
// from `element`, of stretched ones from `copy`, innermost first): `upstream` there times
// the branch's local derivative.
fn term(element: u32, copy: u32) -> f32 {
    var kept = element;
    var spread = copy;
    var io = 0u;
    var ic = 0u;
    var output_stride = 1u;
    for (var k = params.rank; k > 0u; k = k - 1u) {
        let axis = k - 1u;
        let size = dim(axis);
        var coordinate: u32;
        if own_stride(axis) == 0u {
            coordinate = spread % size;
            spread = spread / size;
        } else {
            coordinate = kept % size;
            kept = kept / size;
        }
        io = io + coordinate * output_stride;
        output_stride = output_stride * size;
        ic = ic + coordinate * params.cond_strides[axis / 4u][axis % 4u];
    }
    let c = cond[ic];
    var chosen = select(0.0, 1.0, c > 0.0);
    if is_nan(c) {
        chosen = c;
    }
    if params.operand == 2u {
        chosen = 1.0 - chosen;
    }
    return upstream[io] * chosen;
}

@compute @workgroup_size(256)
fn per_thread(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let element = (group.y * groups.x + group.x) * GROUP_SIZE + local;
    if element >= params.operand_len {
        return;
    }
    var total = 0.0;
    for (var copy = 0u; copy < params.reduced; copy = copy + 1u) {
        total = total + term(element, copy);
    }
    if params.accumulate != 0u {
        grad[element] = grad[element] + total;
    } else {
        grad[element] = total;
    }
}
