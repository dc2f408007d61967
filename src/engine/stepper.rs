//! The stepper: a value holding values, adjoints (or tangents) and a cursor into a fixed
//! schedule of steps. Every step can be undone exactly, so `seek` can go anywhere.
//!
//! Reverse mode: one forward step per non-constant node in id order, then one backward
//! step per non-constant node in reverse order. The first backward step seeds the
//! output's adjoint with 1. Forward mode: one step per non-constant node, computing the
//! value and the tangent together.

use super::record::{Mode, Phase, StepDetail, StepRecord, Update};
use crate::graph::{Graph, NodeId, Op};
use crate::number::serde_f64;
use serde::{Deserialize, Serialize};
use thiserror::Error;

#[derive(Clone, Debug, PartialEq, Error)]
pub enum EngineError {
    #[error("the program has {expected} inputs but {found} values were given")]
    InputCount { expected: usize, found: usize },
    #[error("forward mode differentiates by an input, and `{name}` is not one")]
    NotAnInput { name: String },
    #[error("step {cursor} is past the last step ({len})")]
    CursorOutOfRange { cursor: usize, len: usize },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(into = "Snapshot", try_from = "Snapshot")]
pub struct Stepper {
    graph: Graph,
    inputs: Vec<f64>,
    mode: Mode,
    schedule: Vec<(Phase, NodeId)>,
    /// For each node, its position among the inputs (input nodes only).
    input_slot: Vec<Option<usize>>,
    values: Vec<Option<f64>>,
    tangents: Vec<Option<f64>>,
    /// Each node's adjoint contributions in the order they arrived; the adjoint is their sum.
    contributions: Vec<Vec<f64>>,
    visited: Vec<bool>,
    /// The records of the steps taken; its length is the cursor.
    history: Vec<StepRecord>,
}

/// What a stepper is, without what can be recomputed: restoring replays to `cursor`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Snapshot {
    pub graph: Graph,
    #[serde(with = "serde_f64::vec")]
    pub inputs: Vec<f64>,
    pub mode: Mode,
    pub cursor: usize,
}

impl From<Stepper> for Snapshot {
    fn from(stepper: Stepper) -> Snapshot {
        let cursor = stepper.cursor();
        Snapshot {
            graph: stepper.graph,
            inputs: stepper.inputs,
            mode: stepper.mode,
            cursor,
        }
    }
}

impl TryFrom<Snapshot> for Stepper {
    type Error = EngineError;

    fn try_from(snapshot: Snapshot) -> Result<Stepper, EngineError> {
        let mut stepper = Stepper::new(snapshot.graph, snapshot.inputs, snapshot.mode)?;
        if snapshot.cursor > stepper.len() {
            return Err(EngineError::CursorOutOfRange {
                cursor: snapshot.cursor,
                len: stepper.len(),
            });
        }
        stepper.seek(snapshot.cursor);
        Ok(stepper)
    }
}

impl Stepper {
    /// A stepper at step 0. `inputs` holds one value per input node, in graph order.
    pub fn new(graph: Graph, inputs: Vec<f64>, mode: Mode) -> Result<Stepper, EngineError> {
        let mut input_slot = vec![None; graph.len()];
        for (slot, id) in graph.inputs().enumerate() {
            input_slot[id.0] = Some(slot);
        }
        let expected = graph.inputs().count();
        if inputs.len() != expected {
            return Err(EngineError::InputCount {
                expected,
                found: inputs.len(),
            });
        }
        if let Mode::Forward { wrt } = mode
            && input_slot.get(wrt.0).copied().flatten().is_none()
        {
            let name = graph
                .nodes()
                .get(wrt.0)
                .map_or_else(|| format!("#{}", wrt.0), |n| n.name.clone());
            return Err(EngineError::NotAnInput { name });
        }
        let constant = |id: &NodeId| matches!(graph.node(*id).op, Op::Const(_));
        let computed: Vec<NodeId> = graph.ids().filter(|id| !constant(id)).collect();
        let mut schedule: Vec<(Phase, NodeId)> =
            computed.iter().map(|&id| (Phase::Forward, id)).collect();
        if mode == Mode::Reverse {
            schedule.extend(computed.iter().rev().map(|&id| (Phase::Backward, id)));
        }
        let constants: Vec<Option<f64>> = graph
            .nodes()
            .iter()
            .map(|node| {
                if let Op::Const(c) = node.op {
                    Some(c)
                } else {
                    None
                }
            })
            .collect();
        let tangents = constants.iter().map(|c| c.map(|_| 0.0)).collect();
        let n = graph.len();
        Ok(Stepper {
            graph,
            inputs,
            mode,
            schedule,
            input_slot,
            values: constants,
            tangents,
            contributions: vec![Vec::new(); n],
            visited: vec![false; n],
            history: Vec::new(),
        })
    }

    pub fn graph(&self) -> &Graph {
        &self.graph
    }

    pub fn inputs(&self) -> &[f64] {
        &self.inputs
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// How many steps have been taken.
    pub fn cursor(&self) -> usize {
        self.history.len()
    }

    /// How many steps there are in all.
    pub fn len(&self) -> usize {
        self.schedule.len()
    }

    pub fn is_empty(&self) -> bool {
        self.schedule.is_empty()
    }

    pub fn is_done(&self) -> bool {
        self.cursor() == self.len()
    }

    pub fn schedule(&self) -> &[(Phase, NodeId)] {
        &self.schedule
    }

    /// The records of the steps taken so far, oldest first.
    pub fn history(&self) -> &[StepRecord] {
        &self.history
    }

    /// Steps in the phase the cursor is in: (phase, steps done in it, steps it has).
    /// The forward phase lasts until the first backward step is taken.
    pub fn progress(&self) -> (Phase, usize, usize) {
        let forward = self
            .schedule
            .iter()
            .filter(|(p, _)| *p == Phase::Forward)
            .count();
        if self.cursor() > forward {
            (
                Phase::Backward,
                self.cursor() - forward,
                self.len() - forward,
            )
        } else {
            (Phase::Forward, self.cursor(), forward)
        }
    }

    pub fn value(&self, id: NodeId) -> Option<f64> {
        self.values[id.0]
    }

    /// ∂output/∂node in reverse mode: blank (None) until a contribution arrives or the
    /// node is visited (then 0 if nothing reached it).
    pub fn adjoint(&self, id: NodeId) -> Option<f64> {
        self.adjoint_sum(id)
            .or_else(|| self.visited[id.0].then_some(0.0))
    }

    /// The sum of the contributions in arrival order, None before the first. Summing in
    /// order (rather than keeping a running total) is what makes undo exact.
    fn adjoint_sum(&self, id: NodeId) -> Option<f64> {
        let (first, rest) = self.contributions[id.0].split_first()?;
        Some(rest.iter().fold(*first, |sum, x| sum + x))
    }

    /// Whether the backward pass has visited the node, so its adjoint is final.
    pub fn visited(&self, id: NodeId) -> bool {
        self.visited[id.0]
    }

    /// The contributions summed into a node's adjoint, in arrival order.
    pub fn contributions(&self, id: NodeId) -> &[f64] {
        &self.contributions[id.0]
    }

    /// `∂node/∂(its input_index-th input)` at the current values, once the node's value
    /// is known (what the graph view writes on an edge).
    pub fn local_derivative(&self, node: NodeId, input_index: usize) -> Option<f64> {
        let value = self.values[node.0]?;
        let args: Option<Vec<f64>> = self
            .graph
            .node(node)
            .inputs
            .iter()
            .map(|i| self.values[i.0])
            .collect();
        let formula = self
            .graph
            .node(node)
            .op
            .local_derivatives()
            .into_iter()
            .nth(input_index)?;
        Some(formula.eval(&args?, value))
    }

    /// Which nodes hold a forward value that a backward step still to come will read (the
    /// "tape"): an input value read by a consumer's local derivative, or a node's own
    /// value read by its derivative (exp, sigmoid, tanh, sqrt). Empty in forward mode.
    pub fn tape(&self) -> Vec<bool> {
        let mut needed = vec![false; self.graph.len()];
        if self.mode != Mode::Reverse {
            return needed;
        }
        for consumer in self
            .graph
            .ids()
            .filter(|&id| !self.visited[id.0] && self.values[id.0].is_some())
        {
            let node = self.graph.node(consumer);
            for (target, formula) in node.inputs.iter().zip(node.op.local_derivatives()) {
                if matches!(self.graph.node(*target).op, Op::Const(_)) {
                    continue;
                }
                for (index, input) in node.inputs.iter().enumerate() {
                    needed[input.0] |= formula.reads_arg(index);
                }
                needed[consumer.0] |= formula.reads_out();
            }
        }
        for (id, flag) in needed.iter_mut().enumerate() {
            *flag &=
                self.values[id].is_some() && !matches!(self.graph.nodes()[id].op, Op::Const(_));
        }
        needed
    }

    /// ∂node/∂wrt in forward mode, once computed.
    pub fn tangent(&self, id: NodeId) -> Option<f64> {
        self.tangents[id.0]
    }

    /// The derivative of the output by each input, once final: in reverse mode an input's
    /// adjoint after the backward pass has visited it (before that it may be a partial
    /// sum), in forward mode the output's tangent for the chosen input.
    pub fn gradients(&self) -> Vec<(NodeId, Option<f64>)> {
        self.graph
            .inputs()
            .map(|id| match self.mode {
                Mode::Reverse if self.visited[id.0] => (id, self.adjoint(id)),
                Mode::Reverse => (id, None),
                Mode::Forward { wrt } if wrt == id => (id, self.tangent(self.graph.output())),
                Mode::Forward { .. } => (id, None),
            })
            .collect()
    }

    /// Take the next step, whatever its phase.
    pub fn step(&mut self) -> Option<StepRecord> {
        let &(phase, node) = self.schedule.get(self.cursor())?;
        let index = self.cursor();
        let detail = match (self.mode, phase) {
            (Mode::Reverse, Phase::Forward) => self.evaluate(node),
            (Mode::Reverse, Phase::Backward) => self.visit(node),
            (Mode::Forward { wrt }, _) => self.tangent_step(node, wrt),
        };
        let record = StepRecord {
            index,
            phase,
            node,
            detail,
        };
        self.history.push(record.clone());
        Some(record)
    }

    /// Evaluate the next node, if the forward phase is not finished.
    pub fn step_forward(&mut self) -> Option<StepRecord> {
        self.next_phase_is(Phase::Forward)
            .then(|| self.step())
            .flatten()
    }

    /// Visit the next node backwards, once the forward phase is finished.
    pub fn step_backward(&mut self) -> Option<StepRecord> {
        self.next_phase_is(Phase::Backward)
            .then(|| self.step())
            .flatten()
    }

    fn next_phase_is(&self, phase: Phase) -> bool {
        self.schedule
            .get(self.cursor())
            .is_some_and(|(p, _)| *p == phase)
    }

    /// Undo the last step and return its record.
    pub fn step_back(&mut self) -> Option<StepRecord> {
        let record = self.history.pop()?;
        let node = record.node.0;
        match &record.detail {
            StepDetail::Input { .. } | StepDetail::Compute { .. } => self.values[node] = None,
            StepDetail::Tangent { .. } => {
                self.values[node] = None;
                self.tangents[node] = None;
            }
            StepDetail::Visit {
                seeded, updates, ..
            } => {
                for update in updates.iter().rev() {
                    self.contributions[update.target.0].pop();
                }
                if *seeded {
                    self.contributions[node].pop();
                }
                self.visited[node] = false;
            }
        }
        Some(record)
    }

    /// Go to the state after exactly `cursor` steps (clamped to the schedule).
    pub fn seek(&mut self, cursor: usize) {
        let cursor = cursor.min(self.len());
        while self.cursor() > cursor {
            self.step_back();
        }
        while self.cursor() < cursor {
            self.step();
        }
    }

    pub fn run_to_end(&mut self) {
        self.seek(self.len());
    }

    /// Replace the input values, keeping the step position.
    pub fn set_inputs(&mut self, inputs: Vec<f64>) -> Result<(), EngineError> {
        let cursor = self.cursor();
        *self = Stepper::new(self.graph.clone(), inputs, self.mode)?;
        self.seek(cursor);
        Ok(())
    }

    fn args(&self, node: NodeId) -> Vec<f64> {
        let inputs = &self.graph.node(node).inputs;
        inputs
            .iter()
            .map(|i| self.values[i.0].unwrap_or(f64::NAN))
            .collect()
    }

    fn input_value(&self, node: NodeId) -> Option<f64> {
        self.input_slot[node.0].map(|slot| self.inputs[slot])
    }

    fn evaluate(&mut self, node: NodeId) -> StepDetail {
        if let Some(value) = self.input_value(node) {
            self.values[node.0] = Some(value);
            return StepDetail::Input { value };
        }
        let args = self.args(node);
        let value = self.graph.node(node).op.apply(&args);
        self.values[node.0] = Some(value);
        StepDetail::Compute { args, value }
    }

    /// The one place where `adjoint[input] += local · adjoint[node]` happens.
    fn visit(&mut self, node: NodeId) -> StepDetail {
        let seeded = node == self.graph.output();
        if seeded {
            self.contributions[node.0].push(1.0);
        }
        let adjoint = self.adjoint(node).unwrap_or(0.0);
        self.visited[node.0] = true;
        let args = self.args(node);
        let value = self.values[node.0].unwrap_or(f64::NAN);
        let op = self.graph.node(node).op;
        let inputs = self.graph.node(node).inputs.clone();
        let mut updates = Vec::with_capacity(inputs.len());
        for (input_index, (target, partial)) in
            inputs.into_iter().zip(op.local_derivatives()).enumerate()
        {
            if matches!(self.graph.node(target).op, Op::Const(_)) {
                continue;
            }
            let local = partial.eval(&args, value);
            let contribution = local * adjoint;
            let previous = self.adjoint_sum(target);
            self.contributions[target.0].push(contribution);
            updates.push(Update {
                target,
                input_index,
                local,
                upstream: adjoint,
                contribution,
                previous,
                adjoint: previous.map_or(contribution, |p| p + contribution),
            });
        }
        StepDetail::Visit {
            seeded,
            adjoint,
            updates,
        }
    }

    fn tangent_step(&mut self, node: NodeId, wrt: NodeId) -> StepDetail {
        if let Some(value) = self.input_value(node) {
            let seeded = node == wrt;
            let tangent = if seeded { 1.0 } else { 0.0 };
            self.values[node.0] = Some(value);
            self.tangents[node.0] = Some(tangent);
            return StepDetail::Tangent {
                args: vec![],
                value,
                seeded,
                partials: vec![],
                arg_tangents: vec![],
                tangent,
            };
        }
        let args = self.args(node);
        let op = self.graph.node(node).op;
        let value = op.apply(&args);
        let partials: Vec<f64> = op
            .local_derivatives()
            .iter()
            .map(|f| f.eval(&args, value))
            .collect();
        let inputs = &self.graph.node(node).inputs;
        let arg_tangents: Vec<f64> = inputs
            .iter()
            .map(|i| self.tangents[i.0].unwrap_or(f64::NAN))
            .collect();
        // Constants have no tangent, just as they receive no adjoint: their terms are left
        // out rather than multiplied by 0, which would turn an infinite partial into NaN.
        let tangent = inputs
            .iter()
            .zip(partials.iter().zip(&arg_tangents))
            .filter(|(input, _)| !matches!(self.graph.node(**input).op, Op::Const(_)))
            .fold(0.0, |sum, (_, (p, t))| sum + p * t);
        self.values[node.0] = Some(value);
        self.tangents[node.0] = Some(tangent);
        StepDetail::Tangent {
            args,
            value,
            seeded: false,
            partials,
            arg_tangents,
            tangent,
        }
    }
}

#[cfg(test)]
mod tests;
