// Adam with bias correction, in place: m = β1·m + (1−β1)·g, v = β2·v + (1−β2)·g²,
// m̂ = m / (1−β1ᵗ), v̂ = v / (1−β2ᵗ), param −= learning_rate · m̂ / (√v̂ + ε), where the
// step count t (from 1) comes in the parameters.

struct Params {
    len: u32,
    learning_rate: f32,
    beta1: f32,
    beta2: f32,
    epsilon: f32,
    step: u32,
    _pad0: u32,
    _pad1: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<storage, read_write> param: array<f32>;
@group(0) @binding(3) var<storage, read_write> mean: array<f32>;
@group(0) @binding(4) var<storage, read_write> mean_square: array<f32>;

const GROUP_SIZE: u32 = 256u;

// base^exponent by repeated squaring (more exact than `pow` for 1 − β^t with small t).
fn power(base: f32, exponent: u32) -> f32 {
    var bits = exponent;
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
    return result;
}

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
    let g = grad[i];
    let m = params.beta1 * mean[i] + (1.0 - params.beta1) * g;
    let v = params.beta2 * mean_square[i] + (1.0 - params.beta2) * g * g;
    mean[i] = m;
    mean_square[i] = v;
    let m_hat = m / (1.0 - power(params.beta1, params.step));
    let v_hat = v / (1.0 - power(params.beta2, params.step));
    param[i] = param[i] - params.learning_rate * m_hat / (sqrt(v_hat) + params.epsilon);
}
