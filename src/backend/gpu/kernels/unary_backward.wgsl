// Elementwise unary ops, backward: `grad[i] (+)= upstream[i] · op'(input[i], output[i])`,
// with the local derivatives of src/op.rs (`relu'(0) = 0`, `abs'(0) = sign(0) = 0`).
// Op codes as in unary.wgsl.

struct Params {
    len: u32,
    op: u32,
    exponent: f32,
    // 1: add into `grad`; 0: overwrite it.
    accumulate: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read> output: array<f32>;
@group(0) @binding(3) var<storage, read> upstream: array<f32>;
@group(0) @binding(4) var<storage, read_write> grad: array<f32>;

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

// 1 above 0, 0 at or below it, NaN for NaN.
fn positive(x: f32) -> f32 {
    if is_nan(x) {
        return x;
    }
    return select(0.0, 1.0, x > 0.0);
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

// φ(x), the standard normal density.
fn normal_pdf(x: f32) -> f32 {
    return 0.39894228 * exp(-0.5 * x * x);
}

// ∂output/∂input at input `x` with output `y`.
fn derivative(op: u32, x: f32, y: f32) -> f32 {
    switch op {
        case NEG: { return -1.0; }
        case EXP: { return y; }
        case LOG: { return 1.0 / x; }
        case SQRT: { return 1.0 / (2.0 * y); }
        case SIN: { return cos(x); }
        case COS: { return -sin(x); }
        case TANH: { return 1.0 - y * y; }
        case SIGMOID: { return y * (1.0 - y); }
        case RELU: { return positive(x); }
        case ABS: { return sign(x); }
        case POW_CONST: { return params.exponent * power(x, params.exponent - 1.0); }
        case GELU: { return normal_cdf(x) + x * normal_pdf(x); }
        // Nothing flows back through a stop-gradient or a step.
        case DETACH, STEP: { return 0.0; }
        default: { return 1.0; }
    }
}

@compute @workgroup_size(256)
fn backward(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let i = (group.y * groups.x + group.x) * GROUP_SIZE + local;
    if i >= params.len {
        return;
    }
    let contribution = upstream[i] * derivative(OP, input[i], output[i]);
    if params.accumulate != 0u {
        grad[i] = grad[i] + contribution;
    } else {
        grad[i] = contribution;
    }
}
