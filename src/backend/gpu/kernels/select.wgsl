// `where(c, a, b)` with NumPy broadcasting of all three operands, forward:
// `output[i] = a[ia]` where `c[ic] > 0`, else `b[ib]` (NaN where `c` is NaN), as the
// `Where` rule of src/op.rs. The layout (ops/select.rs) lists the output's dimensions,
// innermost last, and each operand's stride along them (0 where it is stretched).

struct Params {
    len: u32,
    rank: u32,
    operand: u32,
    operand_len: u32,
    reduced: u32,
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
@group(0) @binding(2) var<storage, read> lhs: array<f32>;
@group(0) @binding(3) var<storage, read> rhs: array<f32>;
@group(0) @binding(4) var<storage, read_write> output: array<f32>;

const GROUP_SIZE: u32 = 256u;

fn is_nan(x: f32) -> bool {
    return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u;
}

fn dim(axis: u32) -> u32 {
    return params.dims[axis / 4u][axis % 4u];
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
    var ic = 0u;
    var ia = 0u;
    var ib = 0u;
    for (var k = params.rank; k > 0u; k = k - 1u) {
        let axis = k - 1u;
        let size = dim(axis);
        let coordinate = rest % size;
        rest = rest / size;
        ic = ic + coordinate * params.cond_strides[axis / 4u][axis % 4u];
        ia = ia + coordinate * params.lhs_strides[axis / 4u][axis % 4u];
        ib = ib + coordinate * params.rhs_strides[axis / 4u][axis % 4u];
    }
    let c = cond[ic];
    if is_nan(c) {
        output[i] = c;
    } else if c > 0.0 {
        output[i] = lhs[ia];
    } else {
        output[i] = rhs[ib];
    }
}
