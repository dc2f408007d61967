// Elementwise binary ops, backward for one operand: each element of the operand's
// gradient sums `upstream[i] · ∂op/∂operand` over every output element `i` broadcasting
// copied it to (the reduction of `reduce_to_shape`, done here without a CPU round trip).
// `per_thread` gives each gradient element one thread (few copies per element);
// `per_group` gives it a workgroup that sums its copies in parallel (many copies).
// Layout and op codes as in binary.wgsl.

struct Params {
    len: u32,
    op: u32,
    rank: u32,
    // 0: the gradient of `lhs`; 1: of `rhs`.
    operand: u32,
    // Elements of that operand (= of the gradient).
    operand_len: u32,
    // Output elements per operand element: the product of its stretched dimensions.
    reduced: u32,
    // 1: add into `grad`; 0: overwrite it.
    accumulate: u32,
    _pad: u32,
    dims: array<vec4<u32>, 2>,
    lhs_strides: array<vec4<u32>, 2>,
    rhs_strides: array<vec4<u32>, 2>,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> lhs: array<f32>;
@group(0) @binding(2) var<storage, read> rhs: array<f32>;
@group(0) @binding(3) var<storage, read> output: array<f32>;
@group(0) @binding(4) var<storage, read> upstream: array<f32>;
@group(0) @binding(5) var<storage, read_write> grad: array<f32>;

// The op code, fixed when the pipeline is made: one pipeline per op (kernels.rs), so an
// adapter that runs every branch of a switch (CPU emulations such as lavapipe and
// SwiftShader) runs only this op's code. `params.op` holds the same code.
override OP: u32 = 0u;

const GROUP_SIZE: u32 = 256u;

const ADD: u32 = 0u;
const SUB: u32 = 1u;
const MUL: u32 = 2u;
const DIV: u32 = 3u;
const POW: u32 = 4u;
const GREATER: u32 = 5u;
const LESS: u32 = 6u;
const GREATER_EQUAL: u32 = 7u;
const LESS_EQUAL: u32 = 8u;

fn nan() -> f32 {
    var bits = 0x7fc00000u;
    return bitcast<f32>(bits);
}

fn infinity() -> f32 {
    var bits = 0x7f800000u;
    return bitcast<f32>(bits);
}

fn ln(x: f32) -> f32 {
    if x < 0.0 {
        return nan();
    }
    if x == 0.0 {
        return -infinity();
    }
    return log(x);
}

// base^exponent as in unary.wgsl.
fn power(base: f32, exponent: f32) -> f32 {
    if fract(exponent) == 0.0 && abs(exponent) < 2147483648.0 {
        var bits = u32(abs(exponent));
        var result = 1.0;
        var factor = base;
        while bits != 0u {
            if (bits & 1u) == 1u {
                result = result * factor;
            }
            bits = bits >> 1u;
            if bits != 0u {
                factor = factor * factor;
            }
        }
        if exponent < 0.0 {
            return 1.0 / result;
        }
        return result;
    }
    if base < 0.0 {
        return nan();
    }
    if base == 0.0 {
        return select(infinity(), 0.0, exponent > 0.0);
    }
    return pow(base, exponent);
}

// ∂op/∂operand at operands `a`, `b` and output `y`, as in src/op.rs.
fn derivative(op: u32, operand: u32, a: f32, b: f32, y: f32) -> f32 {
    let right = operand == 1u;
    switch op {
        case ADD: { return 1.0; }
        case SUB: { return select(1.0, -1.0, right); }
        case MUL: { return select(b, a, right); }
        case DIV: {
            if right {
                return -(a / power(b, 2.0));
            }
            return 1.0 / b;
        }
        case POW: {
            if right {
                return y * ln(a);
            }
            return b * power(a, b - 1.0);
        }
        // A comparison is flat on both sides of its edge.
        case GREATER, LESS, GREATER_EQUAL, LESS_EQUAL: { return 0.0; }
        default: { return nan(); }
    }
}

fn dim(axis: u32) -> u32 {
    return params.dims[axis / 4u][axis % 4u];
}

fn lhs_stride(axis: u32) -> u32 {
    return params.lhs_strides[axis / 4u][axis % 4u];
}

fn rhs_stride(axis: u32) -> u32 {
    return params.rhs_strides[axis / 4u][axis % 4u];
}

// Output element `copy` (0 ≤ copy < reduced) of gradient element `element`: walks the
// dimensions innermost first, taking coordinates of kept dimensions from `element` and of
// stretched ones from `copy`. Returns `upstream · ∂op/∂operand` there.
fn term(element: u32, copy: u32) -> f32 {
    var kept = element;
    var spread = copy;
    var io = 0u;
    var ia = 0u;
    var ib = 0u;
    var output_stride = 1u;
    for (var k = params.rank; k > 0u; k = k - 1u) {
        let axis = k - 1u;
        let size = dim(axis);
        let lhs_step = lhs_stride(axis);
        let rhs_step = rhs_stride(axis);
        let own_stride = select(lhs_step, rhs_step, params.operand == 1u);
        var coordinate: u32;
        if own_stride == 0u {
            coordinate = spread % size;
            spread = spread / size;
        } else {
            coordinate = kept % size;
            kept = kept / size;
        }
        io = io + coordinate * output_stride;
        output_stride = output_stride * size;
        ia = ia + coordinate * lhs_step;
        ib = ib + coordinate * rhs_step;
    }
    return upstream[io] * derivative(OP, params.operand, lhs[ia], rhs[ib], output[io]);
}

fn store(element: u32, value: f32) {
    if params.accumulate != 0u {
        grad[element] = grad[element] + value;
    } else {
        grad[element] = value;
    }
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
    store(element, total);
}

var<workgroup> partial: array<f32, GROUP_SIZE>;

@compute @workgroup_size(256)
fn per_group(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let element = group.y * groups.x + group.x;
    if element >= params.operand_len {
        return;
    }
    var total = 0.0;
    for (var copy = local; copy < params.reduced; copy = copy + GROUP_SIZE) {
        total = total + term(element, copy);
    }
    partial[local] = total;
    for (var width = GROUP_SIZE / 2u; width > 0u; width = width / 2u) {
        workgroupBarrier();
        if local < width {
            partial[local] = partial[local] + partial[local + width];
        }
    }
    if local == 0u {
        store(element, partial[0]);
    }
}
