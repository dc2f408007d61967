//! Recording a loaded graph's passes into a [`Recorder`]: the forward pass node by node,
//! and the backward pass visit by visit, each contribution written by the backward kernel
//! straight into its target (an adjoint, or a leaf's gradient) with
//! [`Write::Overwrite`] or [`Write::Accumulate`], so no pass needs a separate add.
//! A fused dense layer is one dispatch forward and one backward; the nodes inside it are
//! computed on their own only when read ([`materialize`]).

use super::super::ops::select::Branch;
use super::super::{Activation, GpuTensor, Operand, Recorder, Write};
use super::buffers::Buffers;
use super::errors::at_node;
use super::plan::{Kernel, Plan, Target};
use crate::backend::BackendError;
use crate::graph::{Graph, NodeId};

/// The buffers one node reads and writes.
struct Site<'a> {
    id: NodeId,
    inputs: Vec<&'a GpuTensor>,
    output: &'a GpuTensor,
}

impl<'a> Site<'a> {
    /// Node `id` reading `operands`.
    fn new(
        operands: &[NodeId],
        buffers: &'a Buffers,
        id: NodeId,
    ) -> Result<Site<'a>, BackendError> {
        let inputs = operands
            .iter()
            .map(|&input| buffers.value(input))
            .collect::<Result<_, _>>()?;
        Ok(Site {
            id,
            inputs,
            output: buffers.value(id)?,
        })
    }

    fn input(&self, position: usize) -> Result<&'a GpuTensor, BackendError> {
        self.inputs.get(position).copied().ok_or_else(|| {
            BackendError::Device(format!("node {} has no operand {position}", self.id.0))
        })
    }
}

/// Every computed node's value from its operands, in id (topological) order.
pub(crate) fn forward(
    recorder: &mut Recorder<'_>,
    plan: &Plan,
    buffers: &Buffers,
) -> Result<(), BackendError> {
    for (index, &kernel) in plan.kernels.iter().enumerate() {
        if matches!(kernel, Kernel::Leaf | Kernel::Inside) {
            continue;
        }
        let id = NodeId(index);
        let site = Site::new(&plan.operands[index], buffers, id)?;
        compute(recorder, kernel, &site, buffers)?;
    }
    Ok(())
}

/// Before a read of `node`'s value: if a fused layer computes it inside its kernel
/// without storing it, compute it (and what it reads inside the layer) on its own.
pub(crate) fn materialize(
    recorder: &mut Recorder<'_>,
    graph: &Graph,
    plan: &Plan,
    buffers: &Buffers,
    node: NodeId,
) -> Result<(), BackendError> {
    let Some(layer) = plan.layer_inside(node) else {
        return Ok(());
    };
    for &id in layer.inside.iter().filter(|&&id| id <= node) {
        let site = Site::new(&graph.node(id).inputs, buffers, id)?;
        compute(recorder, Kernel::of(graph.node(id).op), &site, buffers)?;
    }
    Ok(())
}

/// One node's value by `kernel`.
fn compute(
    recorder: &mut Recorder<'_>,
    kernel: Kernel,
    site: &Site<'_>,
    buffers: &Buffers,
) -> Result<(), BackendError> {
    let (id, out) = (site.id, site.output);
    let result = match kernel {
        Kernel::Leaf | Kernel::Inside => Ok(()),
        Kernel::Unary(op) => recorder.unary(op, site.input(0)?, out),
        Kernel::Binary(op) => recorder.binary(op, site.input(0)?, site.input(1)?, out),
        Kernel::Select => recorder.select(site.input(0)?, site.input(1)?, site.input(2)?, out),
        Kernel::MatMul => recorder.matmul(site.input(0)?, site.input(1)?, out),
        Kernel::Dense(activation) => {
            let (x, w, b) = (site.input(0)?, site.input(1)?, site.input(2)?);
            recorder.dense(activation, x, w, b, out)
        }
        Kernel::Transpose => recorder.transpose(site.input(0)?, out),
        Kernel::Sum(over) => recorder.sum(over, site.input(0)?, out),
        Kernel::Mean(over) => recorder.mean(over, site.input(0)?, out),
        Kernel::Max(over) => recorder.max(over, site.input(0)?, out, buffers.positions(id)?),
        Kernel::ArgMax(over) => recorder.argmax(over, site.input(0)?, out, buffers.positions(id)?),
        Kernel::Softmax => recorder.softmax(site.input(0)?, out),
        Kernel::LogSoftmax => recorder.log_softmax(site.input(0)?, out),
        Kernel::LayerNorm => recorder.layer_norm(site.input(0)?, out),
        Kernel::CrossEntropy => recorder.cross_entropy(site.input(0)?, site.input(1)?, out),
        Kernel::Mse => recorder.mse(site.input(0)?, site.input(1)?, out),
    };
    result.map_err(|error| at_node(id, error))
}

/// The write mode of the next contribution to a leaf's gradient: the first one overwrites
/// a gradient that is logically zero (`fresh`), every other one adds.
fn leaf_write(fresh: &mut [bool], leaf: NodeId) -> Write {
    match fresh.get_mut(leaf.0) {
        Some(slot) if *slot => {
            *slot = false;
            Write::Overwrite
        }
        _ => Write::Accumulate,
    }
}

/// The backward pass: the output's seed of ones pulled back through every visited node
/// into the adjoints and the leaves' gradients. `fresh[leaf]` marks gradients that are
/// logically zero (zeroed since their last contribution): their first contribution
/// overwrites instead of adding, which saves zeroing them.
pub(crate) fn backward(
    recorder: &mut Recorder<'_>,
    graph: &Graph,
    plan: &Plan,
    buffers: &Buffers,
    fresh: &mut [bool],
) -> Result<(), BackendError> {
    let output = graph.output();
    if plan.output_is_input {
        let grad = buffers.grad(output)?;
        let result = match leaf_write(fresh, output) {
            Write::Overwrite => recorder.copy(grad, &buffers.seed),
            Write::Accumulate => recorder.accumulate(grad, &buffers.seed),
        };
        result.map_err(|error| at_node(output, error))?;
    }
    for visit in &plan.visits {
        let id = visit.node;
        let site = Site::new(&plan.operands[id.0], buffers, id)?;
        let upstream = adjoint_of(plan, buffers, id, output)?;
        if let Kernel::Dense(activation) = plan.kernels[id.0] {
            // One dispatch for the three gradients of a dense layer.
            let mut targets = [None; 3];
            for &(position, target) in &visit.sends {
                let destination = match target {
                    Target::Adjoint(node, write) => {
                        (adjoint_of(plan, buffers, node, output)?, write)
                    }
                    Target::Gradient(node) => (buffers.grad(node)?, leaf_write(fresh, node)),
                    // A dense layer passes a gradient to every operand.
                    Target::ZeroAdjoint(..) => continue,
                };
                if let Some(slot) = targets.get_mut(position) {
                    *slot = Some(destination);
                }
            }
            let (x, w, b) = (site.input(0)?, site.input(1)?, site.input(2)?);
            // Where x is another layer's activated output, ∂x is stored as its δ.
            let input_activation = match visit.sends.iter().find(|(position, _)| *position == 0) {
                Some((_, Target::Adjoint(node, _))) => plan.input_activation(*node),
                _ => Activation::None,
            };
            recorder
                .dense_backward(
                    plan.delta_activation(id, activation),
                    input_activation,
                    x,
                    w,
                    b,
                    site.output,
                    upstream,
                    targets,
                )
                .map_err(|error| at_node(id, error))?;
            continue;
        }
        for &(position, target) in &visit.sends {
            let (grad, write) = match target {
                Target::Adjoint(node, write) => (adjoint_of(plan, buffers, node, output)?, write),
                Target::Gradient(node) => (buffers.grad(node)?, leaf_write(fresh, node)),
                Target::ZeroAdjoint(node, write) => {
                    if write == Write::Overwrite {
                        let adjoint = adjoint_of(plan, buffers, node, output)?;
                        recorder
                            .zero(adjoint)
                            .map_err(|error| at_node(node, error))?;
                    }
                    continue;
                }
            };
            let contribution = Contribution {
                kernel: plan.kernels[id.0],
                site: &site,
                position,
                upstream,
                grad,
                write,
            };
            contribution.record(recorder, buffers)?;
        }
    }
    Ok(())
}

/// The buffer holding `node`'s adjoint: its owner's (the seed when that is the output).
fn adjoint_of<'a>(
    plan: &Plan,
    buffers: &'a Buffers,
    node: NodeId,
    output: NodeId,
) -> Result<&'a GpuTensor, BackendError> {
    let owner = plan.owner.get(node.0).copied().unwrap_or(node);
    if owner == output {
        Ok(&buffers.seed)
    } else {
        buffers.adjoint(owner)
    }
}

/// One operand's share of a node's backward rule.
struct Contribution<'s, 'a> {
    kernel: Kernel,
    site: &'s Site<'a>,
    position: usize,
    upstream: &'a GpuTensor,
    grad: &'a GpuTensor,
    write: Write,
}

impl Contribution<'_, '_> {
    fn record(&self, recorder: &mut Recorder<'_>, buffers: &Buffers) -> Result<(), BackendError> {
        let Contribution {
            kernel,
            site,
            position,
            upstream,
            grad,
            write,
        } = *self;
        let out = site.output;
        let operand = if position == 0 {
            Operand::Left
        } else {
            Operand::Right
        };
        let result = match kernel {
            // Nothing inside a layer is visited, and a layer's visit records it whole.
            Kernel::Leaf | Kernel::Inside | Kernel::Dense(_) => Ok(()),
            Kernel::Unary(op) => {
                recorder.unary_backward(op, site.input(0)?, out, upstream, grad, write)
            }
            Kernel::Binary(op) => recorder.binary_backward(
                op,
                operand,
                site.input(0)?,
                site.input(1)?,
                out,
                upstream,
                grad,
                write,
            ),
            Kernel::MatMul => {
                let target = Some((grad, write));
                let (lhs_grad, rhs_grad) = match operand {
                    Operand::Left => (target, None),
                    Operand::Right => (None, target),
                };
                let (lhs, rhs) = (site.input(0)?, site.input(1)?);
                recorder.matmul_backward(lhs, rhs, upstream, lhs_grad, rhs_grad)
            }
            Kernel::Select => {
                let branch = if position == 1 {
                    Branch::Chosen
                } else {
                    Branch::Otherwise
                };
                let (cond, a, b) = (site.input(0)?, site.input(1)?, site.input(2)?);
                recorder.select_backward(branch, cond, a, b, upstream, grad, write)
            }
            // The plan sends nothing through an index (`Op::passes_gradient_to`).
            Kernel::ArgMax(_) => Ok(()),
            Kernel::LayerNorm => {
                recorder.layer_norm_backward(site.input(0)?, out, upstream, grad, write)
            }
            Kernel::Transpose => recorder.transpose_backward(upstream, grad, write),
            Kernel::Sum(over) => recorder.sum_backward(over, upstream, grad, write),
            Kernel::Mean(over) => recorder.mean_backward(over, upstream, grad, write),
            Kernel::Max(over) => {
                let positions = buffers.positions(site.id)?;
                recorder.max_backward(over, positions, upstream, grad, write)
            }
            Kernel::Softmax => recorder.softmax_backward(out, upstream, grad, write),
            Kernel::LogSoftmax => recorder.log_softmax_backward(out, upstream, grad, write),
            Kernel::CrossEntropy => {
                let (logits, labels) = (site.input(0)?, site.input(1)?);
                recorder.cross_entropy_backward(logits, labels, upstream, grad, write)
            }
            Kernel::Mse => {
                let (prediction, target) = (site.input(0)?, site.input(1)?);
                recorder.mse_backward(operand, prediction, target, upstream, grad, write)
            }
        };
        result.map_err(|error| at_node(site.id, error))
    }
}
