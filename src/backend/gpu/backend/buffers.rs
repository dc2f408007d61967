//! The GPU buffers of a loaded graph, made once at load and reused by every step: each
//! node's value, the adjoint of each computed node the backward pass reaches, each
//! input's gradient (zeros at first), the arg-max positions of every `max`, and the
//! output's seed (ones). A tensor over the adapter's limits is refused here, at load.

use super::super::{GpuContext, GpuError, GpuIndices, GpuTensor};
use super::errors::at_node;
use super::plan::{Kernel, Plan};
use crate::backend::BackendError;
use crate::graph::{Graph, NodeId};
use crate::op::Op;
use crate::tensor::Tensor;

pub(crate) struct Buffers {
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
        let mut buffers = Buffers {
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
            let value = match leaves.get(id).and_then(Option::as_ref) {
                Some(leaf) => context.upload(leaf),
                None => context.tensor(&node.shape),
            };
            buffers.values.push(value.map_err(at)?);
            let adjoint = plan.has_adjoint[id].then(|| context.tensor(&node.shape));
            buffers.adjoints.push(adjoint.transpose().map_err(at)?);
            let grad = (node.op == Op::Input).then(|| context.zeros(&node.shape));
            buffers.grads.push(grad.transpose().map_err(at)?);
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
