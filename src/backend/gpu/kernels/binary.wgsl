// Elementwise binary ops with NumPy broadcasting, forward: `output[i] = op(lhs[ia], rhs[ib])`
// where `ia`, `ib` are the operand elements broadcasting copies to output element `i`.
// The layout (see layout.rs) lists the output's dimensions, innermost last, and each
// operand's stride along them (0 where the operand is stretched). Op codes are
// `BinaryOp::code` in ops/elementwise.rs; the rules are the scalar `Op` rules, in f32.

struct Params {
    len: u32,
    op: u32,
    rank: u32,
    operand: u32,
    operand_len: u32,
    reduced: u32,
    accumulate: u32,
    _pad: u32,
    dims: array<vec4<u32>, 2>,
    lhs_strides: array<vec4<u32>, 2>,
    rhs_strides: array<vec4<u32>, 2>,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> lhs: array<f32>;
@group(0) @binding(2) var<storage, read> rhs: array<f32>;
@group(0) @binding(3) var<storage, read_write> output: array<f32>;

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

// Like the CPU's `cancel_to_zero`: a sum within 4 ulps of its larger operand is exactly 0.
const CANCEL_ULPS: f32 = 4.0;
const F32_EPSILON: f32 = 1.1920929e-7;

fn nan() -> f32 {
    var bits = 0x7fc00000u;
    return bitcast<f32>(bits);
}

fn infinity() -> f32 {
    var bits = 0x7f800000u;
    return bitcast<f32>(bits);
}

fn is_nan(x: f32) -> bool {
    return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u;
}

fn cancel_to_zero(sum: f32, a: f32, b: f32) -> f32 {
    if sum != 0.0 && abs(sum) <= CANCEL_ULPS * F32_EPSILON * max(abs(a), abs(b)) {
        return 0.0;
    }
    return sum;
}

// a / b with IEEE results for a zero divisor (drivers may leave those undefined).
fn quotient(a: f32, b: f32) -> f32 {
    if b != 0.0 {
        return a / b;
    }
    if a == 0.0 || is_nan(a) {
        return nan();
    }
    let negative = (a < 0.0) != ((bitcast<u32>(b) & 0x80000000u) != 0u);
    return select(infinity(), -infinity(), negative);
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

// 1 where a comparison holds, 0 where not, NaN where an operand is NaN (as on the CPU).
fn truth(holds: bool, a: f32, b: f32) -> f32 {
    if is_nan(a) || is_nan(b) {
        return nan();
    }
    return select(0.0, 1.0, holds);
}

fn apply(op: u32, a: f32, b: f32) -> f32 {
    switch op {
        case ADD: { return cancel_to_zero(a + b, a, b); }
        case SUB: { return cancel_to_zero(a - b, a, b); }
        case MUL: { return a * b; }
        case DIV: { return quotient(a, b); }
        case POW: { return power(a, b); }
        case GREATER: { return truth(a > b, a, b); }
        case LESS: { return truth(a < b, a, b); }
        case GREATER_EQUAL: { return truth(a >= b, a, b); }
        case LESS_EQUAL: { return truth(a <= b, a, b); }
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

@compute @workgroup_size(256)
fn forward(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let i = (group.y * groups.x + group.x) * GROUP_SIZE + local;
    if i >= params.len {
        return;
    }
    var rest = i;
    var ia = 0u;
    var ib = 0u;
    for (var k = params.rank; k > 0u; k = k - 1u) {
        let axis = k - 1u;
        let size = dim(axis);
        let coordinate = rest % size;
        rest = rest / size;
        ia = ia + coordinate * lhs_stride(axis);
        ib = ib + coordinate * rhs_stride(axis);
    }
    output[i] = apply(OP, lhs[ia], rhs[ib]);
}
