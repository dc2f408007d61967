//! Gradient checkpointing as a schedule: which computed values the forward pass keeps
//! (every k-th, about √N of them, or named nodes), and the reverse-mode schedule in which
//! the backward pass computes the others again, from the nearest kept values, just before
//! a backward step reads them (`Phase::Recompute` steps).

use super::memory::{self, step_reads};
use super::record::Phase;
use crate::graph::{Graph, NodeId};
use std::fmt;
use std::str::FromStr;
use thiserror::Error;

/// How checkpoints are chosen: `every:K`, `sqrt` or names (`h2,h4`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CheckpointPlan {
    /// Every k-th value on the tape (the k-th, the 2k-th, …), the output excepted; then, if
    /// recomputing would raise the peak above the plain run's, more (see [`settle`]).
    Every(usize),
    /// Every ⌈√N⌉-th of the N values on the tape: about √N checkpoints, and segments of about
    /// √N values between them (Chen et al. 2016); settled like `Every`.
    Sqrt,
    /// Exactly these nodes, by name, even where that costs more memory than keeping
    /// everything.
    Named(Vec<String>),
}

#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum CheckpointError {
    #[error("checkpoints: expected `every:K`, `sqrt` or node names separated by commas")]
    Empty,
    #[error("checkpoints: `every:{0}` needs a whole number of at least 1")]
    BadInterval(String),
    #[error("checkpoints: no node is named `{name}`")]
    UnknownNode { name: String },
    #[error("checkpoints: `{name}` is a constant; it has no value to keep")]
    Constant { name: String },
}

impl FromStr for CheckpointPlan {
    type Err = CheckpointError;

    fn from_str(text: &str) -> Result<CheckpointPlan, CheckpointError> {
        let text = text.trim();
        if text == "sqrt" || text == "√N" {
            return Ok(CheckpointPlan::Sqrt);
        }
        if let Some(k) = text.strip_prefix("every:") {
            return match k.trim().parse::<usize>() {
                Ok(k) if k >= 1 => Ok(CheckpointPlan::Every(k)),
                _ => Err(CheckpointError::BadInterval(k.to_string())),
            };
        }
        let names: Vec<String> = text
            .split(',')
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .map(str::to_string)
            .collect();
        if names.is_empty() {
            return Err(CheckpointError::Empty);
        }
        Ok(CheckpointPlan::Named(names))
    }
}

impl fmt::Display for CheckpointPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CheckpointPlan::Every(k) => write!(f, "every:{k}"),
            CheckpointPlan::Sqrt => f.write_str("sqrt"),
            CheckpointPlan::Named(names) => f.write_str(&names.join(",")),
        }
    }
}

/// The values `every:K` and `sqrt` count: those on the tape (read by some backward step),
/// the output aside, in id order. A value no backward step reads costs nothing to drop.
pub fn candidates(graph: &Graph) -> Vec<NodeId> {
    let tape = tape_values(graph);
    graph
        .ids()
        .filter(|&id| tape[id.0] && id != graph.output())
        .collect()
}

/// ⌈√n⌉, at least 1.
fn ceil_sqrt(n: usize) -> usize {
    let mut k = 1;
    while k * k < n {
        k += 1;
    }
    k
}

impl CheckpointPlan {
    /// The nodes this plan keeps, in id order.
    pub fn resolve(&self, graph: &Graph) -> Result<Vec<NodeId>, CheckpointError> {
        let chosen = self.choose(graph)?;
        Ok(match self {
            CheckpointPlan::Every(_) | CheckpointPlan::Sqrt => settle(graph, chosen),
            CheckpointPlan::Named(_) => chosen,
        })
    }

    /// The nodes the plan names or picks by position, before [`settle`].
    pub fn choose(&self, graph: &Graph) -> Result<Vec<NodeId>, CheckpointError> {
        let candidates = candidates(graph);
        let every = |k: usize| {
            candidates
                .iter()
                .skip(k - 1)
                .step_by(k)
                .copied()
                .collect::<Vec<_>>()
        };
        match self {
            CheckpointPlan::Every(k) if *k == 0 => Err(CheckpointError::BadInterval("0".into())),
            CheckpointPlan::Every(k) => Ok(every(*k)),
            CheckpointPlan::Sqrt => Ok(every(ceil_sqrt(candidates.len()))),
            CheckpointPlan::Named(names) => {
                let mut ids = Vec::with_capacity(names.len());
                for name in names {
                    let id = graph
                        .find(name)
                        .ok_or_else(|| CheckpointError::UnknownNode { name: name.clone() })?;
                    if graph.node(id).op.is_constant() {
                        return Err(CheckpointError::Constant { name: name.clone() });
                    }
                    // In id order, once each, without a sort (which would cost the
                    // app's first load kilobytes; a plan names a handful of nodes).
                    let at = ids.partition_point(|other| *other < id);
                    if ids.get(at) != Some(&id) {
                        ids.insert(at, id);
                    }
                }
                Ok(ids)
            }
        }
    }
}

/// The plain reverse-mode schedule: a forward step per non-constant node in id order, then
/// a backward step per non-constant node in reverse order.
pub fn plain_schedule(graph: &Graph) -> Vec<(Phase, NodeId)> {
    let computed: Vec<NodeId> = graph
        .ids()
        .filter(|&id| !graph.node(id).op.is_constant())
        .collect();
    let forward = computed.iter().map(|&id| (Phase::Forward, id));
    let backward = computed.iter().rev().map(|&id| (Phase::Backward, id));
    forward.chain(backward).collect()
}

/// The values some backward step reads, inputs and constants aside: what the plain run
/// keeps for the backward pass.
pub fn tape_values(graph: &Graph) -> Vec<bool> {
    let mut tape = vec![false; graph.len()];
    for id in graph.ids().filter(|&id| !graph.node(id).op.is_leaf()) {
        for read in step_reads(graph, Phase::Backward, id) {
            tape[read.0] |= !graph.node(read).op.is_leaf();
        }
    }
    tape
}

/// `checkpoints` with tape values added until the peak is no higher than the plain run's.
///
/// Recomputing a segment while adjoints are held can cost more than keeping it: a program
/// whose plain peak is at the end of the forward pass peaks higher when the whole forward
/// pass is redone next to the output's adjoint. Each round keeps the value whose recompute
/// step comes last before the peak; with every tape value kept nothing is recomputed and
/// the memory is the plain run's, so this ends.
pub fn settle(graph: &Graph, mut checkpoints: Vec<NodeId>) -> Vec<NodeId> {
    let limit = memory::account(graph, &plain_schedule(graph), 1).peak();
    let tape = tape_values(graph);
    loop {
        let steps = schedule(graph, &checkpoints);
        let report = memory::account(graph, &steps, 1);
        if report.peak() <= limit {
            return checkpoints;
        }
        let at = report
            .steps
            .iter()
            .position(|s| s.high == report.peak())
            .unwrap_or(0);
        let recomputed = |&(phase, id): &(Phase, NodeId)| {
            (phase == Phase::Recompute && tape[id.0] && !checkpoints.contains(&id)).then_some(id)
        };
        let next = steps[..=at]
            .iter()
            .rev()
            .find_map(recomputed)
            .or_else(|| steps.iter().find_map(recomputed));
        match next {
            Some(id) => {
                checkpoints.push(id);
                checkpoints.sort_unstable();
            }
            None => return checkpoints,
        }
    }
}

/// The reverse-mode schedule with checkpoints: every forward step as usual (the values not
/// kept are released after their last forward use); then, before each backward step, a
/// recompute step for each value it reads that is not held, and for whatever those need
/// in turn, in id order from the nearest held values. Held: inputs, parameters, the
/// output, the checkpoints, and values already recomputed.
pub fn schedule(graph: &Graph, checkpoints: &[NodeId]) -> Vec<(Phase, NodeId)> {
    let computed: Vec<NodeId> = graph
        .ids()
        .filter(|&id| !graph.node(id).op.is_constant())
        .collect();
    let mut held: Vec<bool> = graph
        .ids()
        .map(|id| graph.node(id).op.is_leaf() || id == graph.output())
        .collect();
    for id in checkpoints {
        if let Some(slot) = held.get_mut(id.0) {
            *slot = true;
        }
    }
    let mut steps: Vec<(Phase, NodeId)> = computed.iter().map(|&id| (Phase::Forward, id)).collect();
    let mut missing = vec![false; graph.len()];
    for &node in computed.iter().rev() {
        let mut pending = step_reads(graph, Phase::Backward, node);
        let mut lowest = graph.len();
        while let Some(id) = pending.pop() {
            if held[id.0] {
                continue;
            }
            held[id.0] = true;
            missing[id.0] = true;
            lowest = lowest.min(id.0);
            pending.extend(step_reads(graph, Phase::Recompute, id));
        }
        // In id order, so each value's operands come first.
        for (id, flag) in missing.iter_mut().enumerate().take(node.0 + 1).skip(lowest) {
            if std::mem::take(flag) {
                steps.push((Phase::Recompute, NodeId(id)));
            }
        }
        steps.push((Phase::Backward, node));
    }
    steps
}

#[cfg(test)]
mod tests;
