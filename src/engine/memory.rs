//! The tape's memory, read from the schedule: at every step, the bytes held by input and
//! parameter values, by computed values some later step still reads (the tape), and by
//! adjoints; the peak so far; and which values are released after their last use.
//!
//! The model, which the tests count by hand:
//! - a value is stored by the step that computes it (forward or recompute) and released
//!   right after the last step that reads it before it is computed again: a consumer's
//!   forward (or recompute) step, or a backward step whose rule reads it
//!   ([`ops::backward_reads`]: `v4 = v3 · x1` reads `v3` and `x1`, `v3 = x1 + x2` reads
//!   nothing). Inputs, parameters and the output are kept to the end;
//! - an adjoint is stored when its first contribution arrives (the output's when it is
//!   seeded) and released after its node's backward step, except an input's, which is the
//!   gradient and is kept; adding a later contribution is in place (`+=`), it costs
//!   nothing;
//! - constants are part of the program, like its code, and are not counted;
//! - a tensor costs `elements × bytes per number`.
//!
//! Within a step everything it stores is held before anything is released, so the step's
//! high-water mark is what the peak counts.

use super::record::Phase;
use crate::graph::{Graph, NodeId};
use crate::tensor::ops;

/// The memory figures after one step of a schedule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemoryStep {
    /// Position in the schedule, from 0.
    pub index: usize,
    pub phase: Phase,
    pub node: NodeId,
    /// Bytes of input and parameter values held after the step.
    pub inputs: usize,
    /// Bytes of computed values held after the step (the tape, and values a forward step
    /// still reads).
    pub values: usize,
    /// Bytes of adjoints held after the step.
    pub adjoints: usize,
    /// Bytes held during the step, before it released anything.
    pub high: usize,
    /// The highest `high` so far.
    pub peak: usize,
    /// Nodes whose value is released after this step, in id order.
    pub freed: Vec<NodeId>,
}

impl MemoryStep {
    /// Bytes held after the step.
    pub fn held(&self) -> usize {
        self.inputs + self.values + self.adjoints
    }
}

/// A whole schedule's memory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemoryReport {
    pub bytes_per_number: usize,
    pub steps: Vec<MemoryStep>,
}

impl MemoryReport {
    /// The most bytes held at any moment (0 for an empty schedule).
    pub fn peak(&self) -> usize {
        self.steps.last().map_or(0, |s| s.peak)
    }

    /// How many steps compute a value again.
    pub fn recomputes(&self) -> usize {
        self.steps
            .iter()
            .filter(|s| s.phase == Phase::Recompute)
            .count()
    }
}

/// How many bytes a node's value (or adjoint) takes.
pub fn node_bytes(graph: &Graph, id: NodeId, bytes_per_number: usize) -> usize {
    graph.node(id).shape.iter().product::<usize>() * bytes_per_number
}

/// The values a step reads: a forward or recompute step its operands, a backward step what
/// its op's backward rule reads. Constants are left out.
pub fn step_reads(graph: &Graph, phase: Phase, node: NodeId) -> Vec<NodeId> {
    let n = graph.node(node);
    let counted = |id: &NodeId| !graph.node(*id).op.is_constant();
    let read: Vec<NodeId> = match phase {
        Phase::Forward | Phase::Recompute => n.inputs.iter().copied().filter(counted).collect(),
        // They read and write a parameter and its gradient, no forward value.
        Phase::ZeroGrad | Phase::Update => Vec::new(),
        Phase::Backward => {
            let wanted: Vec<bool> = n.inputs.iter().map(counted).collect();
            let rule = ops::backward_reads(n.op, &wanted);
            let mut reads: Vec<NodeId> = n
                .inputs
                .iter()
                .zip(rule.args)
                .filter(|(id, read)| *read && counted(id))
                .map(|(id, _)| *id)
                .collect();
            if rule.output {
                reads.push(node);
            }
            reads
        }
    };
    // In id order, once each (`x * x` reads x once); a node has a few operands.
    let mut reads: Vec<NodeId> = Vec::with_capacity(read.len());
    for id in read {
        let at = reads.partition_point(|r| *r < id);
        if reads.get(at) != Some(&id) {
            reads.insert(at, id);
        }
    }
    reads
}

/// Whether a node's value stays to the end: inputs, parameters and the output.
fn kept(graph: &Graph, id: NodeId) -> bool {
    graph.node(id).op.is_leaf() || id == graph.output()
}

/// For each step, the nodes whose value is released after it.
pub fn releases(graph: &Graph, schedule: &[(Phase, NodeId)]) -> Vec<Vec<NodeId>> {
    // Each release as (step, node); a value computed again is released before it is.
    let mut released: Vec<(usize, NodeId)> = Vec::new();
    // The last step that read each node's current value, while it is held.
    let mut last_read: Vec<Option<usize>> = vec![None; graph.len()];
    for (index, &(phase, node)) in schedule.iter().enumerate() {
        for read in step_reads(graph, phase, node) {
            if let Some(last) = last_read[read.0].as_mut() {
                *last = index;
            }
        }
        if matches!(phase, Phase::Forward | Phase::Recompute)
            && let Some(last) = last_read[node.0].replace(index)
        {
            released.push((last, node));
        }
    }
    released.extend(
        last_read
            .iter()
            .enumerate()
            .filter_map(|(id, last)| Some(((*last)?, NodeId(id)))),
    );
    let mut freed = vec![Vec::new(); schedule.len()];
    for (step, id) in released {
        if !kept(graph, id) {
            // In id order: a step releases a handful of values.
            let list: &mut Vec<NodeId> = &mut freed[step];
            let at = list.partition_point(|other| *other < id);
            list.insert(at, id);
        }
    }
    freed
}

/// The memory figures of every step of `schedule` over `graph`, each number taking
/// `bytes_per_number` bytes.
pub fn account(
    graph: &Graph,
    schedule: &[(Phase, NodeId)],
    bytes_per_number: usize,
) -> MemoryReport {
    let freed = releases(graph, schedule);
    let bytes = |id: NodeId| node_bytes(graph, id, bytes_per_number);
    let mut has_adjoint = vec![false; graph.len()];
    let (mut inputs, mut values, mut adjoints, mut peak) = (0, 0, 0, 0);
    let mut steps = Vec::with_capacity(schedule.len());
    for (index, (&(phase, node), freed)) in schedule.iter().zip(freed).enumerate() {
        let mut store_adjoint = |id: NodeId, adjoints: &mut usize| {
            if !std::mem::replace(&mut has_adjoint[id.0], true) {
                *adjoints += bytes(id);
            }
        };
        match phase {
            Phase::Forward | Phase::Recompute if graph.node(node).op.is_leaf() => {
                inputs += bytes(node)
            }
            Phase::Forward | Phase::Recompute => values += bytes(node),
            Phase::ZeroGrad | Phase::Update => {}
            Phase::Backward => {
                store_adjoint(node, &mut adjoints);
                for input in &graph.node(node).inputs {
                    if !graph.node(*input).op.is_constant() {
                        store_adjoint(*input, &mut adjoints);
                    }
                }
            }
        }
        let high = inputs + values + adjoints;
        peak = peak.max(high);
        values -= freed.iter().map(|&id| bytes(id)).sum::<usize>();
        if phase == Phase::Backward && !graph.node(node).op.is_leaf() {
            has_adjoint[node.0] = false;
            adjoints -= bytes(node);
        }
        steps.push(MemoryStep {
            index,
            phase,
            node,
            inputs,
            values,
            adjoints,
            high,
            peak,
            freed,
        });
    }
    MemoryReport {
        bytes_per_number,
        steps,
    }
}

#[cfg(test)]
mod tests;
