// Elementwise unary ops, forward: `output[i] = op(input[i])`. The op is the pipeline
// constant OP (see `UnaryOp::code` in ops/elementwise.rs); the rules are the scalar `Op`
// rules of src/op.rs, in f32. Outside a function's domain the result is NaN or ±∞, as on
// the CPU, rather than whatever the driver's builtin happens to return.

struct Params {
    len: u32,
    op: u32,
    // The constant exponent of `pow_const`.
    exponent: f32,
    _pad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read_write> output: array<f32>;

// The op code, fixed when the pipeline is made: one pipeline per op (kernels.rs), so an
// adapter that runs every branch of a switch (CPU emulations such as lavapipe and
// SwiftShader) runs only this op's code. `params.op` holds the same code.
override OP: u32 = 0u;

const GROUP_SIZE: u32 = 256u;

const NEG: u32 = 0u;
const EXP: u32 = 1u;
const LOG: u32 = 2u;
const SQRT: u32 = 3u;
const SIN: u32 = 4u;
const COS: u32 = 5u;
const TANH: u32 = 6u;
const SIGMOID: u32 = 7u;
const RELU: u32 = 8u;
const ABS: u32 = 9u;
const POW_CONST: u32 = 10u;
const GELU: u32 = 12u;
const DETACH: u32 = 13u;
const STEP: u32 = 14u;

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

// ln x: NaN below 0, -∞ at 0.
fn ln(x: f32) -> f32 {
    if x < 0.0 {
        return nan();
    }
    if x == 0.0 {
        return -infinity();
    }
    return log(x);
}

fn root(x: f32) -> f32 {
    if x < 0.0 {
        return nan();
    }
    return sqrt(x);
}

// base^exponent: exact repeated squaring for whole exponents (any sign of base, like
// `powi`), `pow` otherwise (NaN for a negative base, like `powf`).
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

fn hyperbolic_tangent(x: f32) -> f32 {
    // tanh(±9) is ±1 in f32; clamping keeps drivers that compute tanh from exponentials
    // away from ∞/∞.
    if is_nan(x) {
        return x;
    }
    return tanh(clamp(x, -9.0, 9.0));
}

fn sigmoid(x: f32) -> f32 {
    if x >= 0.0 {
        return 1.0 / (1.0 + exp(-x));
    }
    let e = exp(x);
    return e / (1.0 + e);
}

fn relu(x: f32) -> f32 {
    if is_nan(x) {
        return x;
    }
    return select(0.0, x, x > 0.0);
}

// Φ(x), the standard normal distribution function, from erfc by Abramowitz and Stegun
// 7.1.26 (|error| < 1.5e-7). The tail Φ(−|x|) is computed directly, so x·Φ(x) keeps its
// relative accuracy for negative x instead of cancelling 1 − erf.
fn normal_cdf(x: f32) -> f32 {
    let z = abs(x) * 0.70710678;
    let t = 1.0 / (1.0 + 0.3275911 * z);
    let poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741
        + t * (-1.453152027 + t * 1.061405429))));
    let tail = 0.5 * poly * exp(-z * z);
    return select(tail, 1.0 - tail, x >= 0.0);
}

fn apply(op: u32, x: f32) -> f32 {
    switch op {
        case NEG: { return -x; }
        case EXP: { return exp(x); }
        case LOG: { return ln(x); }
        case SQRT: { return root(x); }
        case SIN: { return sin(x); }
        case COS: { return cos(x); }
        case TANH: { return hyperbolic_tangent(x); }
        case SIGMOID: { return sigmoid(x); }
        case RELU: { return relu(x); }
        case ABS: { return abs(x); }
        case POW_CONST: { return power(x, params.exponent); }
        case GELU: { return x * normal_cdf(x); }
        case DETACH: { return x; }
        case STEP: {
            if is_nan(x) {
                return x;
            }
            return select(0.0, 1.0, x > 0.0);
        }
        default: { return x; }
    }
}

@compute @workgroup_size(256)
fn forward(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let i = (group.y * groups.x + group.x) * GROUP_SIZE + local;
    if i < params.len {
        output[i] = apply(OP, input[i]);
    }
}
