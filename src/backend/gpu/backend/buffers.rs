//! The GPU buffers of a loaded graph, made once at load and reused by every step: each
//! node's value, the adjoint of each computed node the backward pass reaches, each
//! input's gradient (zeros at first), the arg-max positions of every `max`, and the
//! output's seed (ones). A tensor over the adapter's limits is refused here, at load.
//!
//! The parameters' values lie side by side in one buffer and their gradients in another,
//! each at an offset the device can bind ([`Packed`]): every kernel sees a parameter as a
//! tensor of its own (a view), and the optimizer updates them all in one dispatch.

use super::super::{GpuContext, GpuError, GpuIndices, GpuTensor};
use super::errors::at_node;
use super::plan::{Kernel, Plan};
use crate::backend::BackendError;
use crate::graph::{Graph, NodeId};
use crate::op::Op;
use crate::tensor::Tensor;

/// Every parameter's value and gradient, as two whole tensors (the gaps between
/// parameters, left for alignment, hold zeros and stay zero under every update rule).
pub(crate) struct Packed {
    pub(crate) values: GpuTensor,
    pub(crate) grads: GpuTensor,
}

pub(crate) struct Buffers {
    pub(crate) packed: Option<Packed>,
    pub(crate) values: Vec<GpuTensor>,
    pub(crate) adjoints: Vec<Option<GpuTensor>>,
    pub(crate) grads: Vec<Option<GpuTensor>>,
    pub(crate) positions: Vec<Option<GpuIndices>>,
    pub(crate) seed: GpuTensor,
}

/// What a buffer is missing: a node's buffer that the plan did not make.
fn missing(node: NodeId, what: &str) -> BackendError {
    BackendError::Device(format!("node {}: no GPU buffer for its {what}", node.0))
}

impl Buffers {
    /// Every buffer of `graph`; `leaves[i]` is leaf `i`'s value (`None` for computed nodes).
    pub(crate) fn new(
        context: &GpuContext,
        graph: &Graph,
        plan: &Plan,
        leaves: &[Option<Tensor>],
    ) -> Result<Buffers, BackendError> {
        // Where each parameter starts in the packed buffers, in elements.
        let align = (context.limits().min_storage_buffer_offset_alignment as usize / 4).max(4);
        let mut starts: Vec<Option<usize>> = vec![None; graph.len()];
        let mut total = 0usize;
        let mut first = None;
        for id in graph.params() {
            let len: usize = graph.node(id).shape.iter().product();
            if len > 0 {
                let start = total.next_multiple_of(align);
                starts[id.0] = Some(start);
                total = start + len;
                first.get_or_insert(id);
            }
        }
        // Whole alignment units, so every view's binding, rounded up to whole vec4s, fits.
        let total = total.next_multiple_of(align);
        let packed = match first {
            Some(first) => {
                let at = |error: GpuError| at_node(first, error);
                Some(Packed {
                    values: context.zeros(&[total]).map_err(at)?,
                    grads: context.zeros(&[total]).map_err(at)?,
                })
            }
            None => None,
        };
        let mut buffers = Buffers {
            packed,
            values: Vec::with_capacity(graph.len()),
            adjoints: Vec::with_capacity(graph.len()),
            grads: Vec::with_capacity(graph.len()),
            positions: Vec::with_capacity(graph.len()),
            seed: context
                .upload(&graph.node(graph.output()).nan().map(|_| 1.0))
                .map_err(|error| at_node(graph.output(), error))?,
        };
        for (id, node) in graph.nodes().iter().enumerate() {
            let at = |error: GpuError| at_node(NodeId(id), error);
            let leaf = leaves.get(id).and_then(Option::as_ref);
            let (value, grad) = match (starts[id], &buffers.packed) {
                (Some(start), Some(packed)) => {
                    let value = packed.values.view(start, &node.shape).map_err(at)?;
                    if let Some(leaf) = leaf {
                        let data: Vec<f32> = leaf.data().iter().map(|&x| x as f32).collect();
                        context.write(&value, &data).map_err(at)?;
                    }
                    let grad = packed.grads.view(start, &node.shape).map_err(at)?;
                    (value, Some(grad))
                }
                _ => {
                    let value = match leaf {
                        Some(leaf) => context.upload(leaf),
                        None => context.tensor(&node.shape),
                    };
                    let grad = (node.op == Op::Input).then(|| context.zeros(&node.shape));
                    (value.map_err(at)?, grad.transpose().map_err(at)?)
                }
            };
            buffers.values.push(value);
            let adjoint = plan.has_adjoint[id].then(|| context.tensor(&node.shape));
            buffers.adjoints.push(adjoint.transpose().map_err(at)?);
            buffers.grads.push(grad);
            let positions = matches!(plan.kernels[id], Kernel::Max(_) | Kernel::ArgMax(_))
                .then(|| context.indices(node.shape.iter().product()));
            buffers.positions.push(positions.transpose().map_err(at)?);
        }
        Ok(buffers)
    }

    pub(crate) fn value(&self, node: NodeId) -> Result<&GpuTensor, BackendError> {
        self.values
            .get(node.0)
            .ok_or_else(|| missing(node, "value"))
    }

    pub(crate) fn adjoint(&self, node: NodeId) -> Result<&GpuTensor, BackendError> {
        self.adjoints
            .get(node.0)
            .and_then(Option::as_ref)
            .ok_or_else(|| missing(node, "adjoint"))
    }

    pub(crate) fn grad(&self, node: NodeId) -> Result<&GpuTensor, BackendError> {
        self.grads
            .get(node.0)
            .and_then(Option::as_ref)
            .ok_or_else(|| missing(node, "gradient"))
    }

    pub(crate) fn positions(&self, node: NodeId) -> Result<&GpuIndices, BackendError> {
        self.positions
            .get(node.0)
            .and_then(Option::as_ref)
            .ok_or_else(|| missing(node, "positions"))
    }
}
