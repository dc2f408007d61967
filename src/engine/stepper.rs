//! The stepper: a value holding values, adjoints (or tangents) and a cursor into a fixed
//! schedule of steps. Every step can be undone exactly, so `seek` can go anywhere.
//!
//! Values are tensors (a scalar has shape `[]`). Reverse mode: one forward step per
//! non-constant node in id order, then one backward step per non-constant node in reverse
//! order. The first backward step seeds the output's adjoint with ones. Forward mode: one step per non-constant node, computing the
//! value and the tangent together. With accumulation ([`accumulate`]) the schedule repeats
//! the two passes once per micro-batch, keeping the parameters' adjoints, with `zero_grad`
//! and update steps around them.

use super::accumulate::{self, Stage, Training, TrainingError};
use super::compute::{Compute, Direct, Tangent, add};
use super::record::{
    Mode, PassProgress, Phase, Progress, StepDetail, StepRecord, Update, Value, scalar,
};
use super::{checkpoint, memory};
use crate::graph::{Graph, NodeId};
use crate::precision::{Loss, Precision};
use crate::tensor::{Tensor, elementwise, ops, shape_text};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use thiserror::Error;

#[derive(Clone, Debug, PartialEq, Error)]
pub enum EngineError {
    #[error("the program has {expected} inputs but {found} values were given")]
    InputCount { expected: usize, found: usize },
    #[error("`{name}` has shape {}, but its value has shape {}", shape_text(.expected), shape_text(.found))]
    InputShape {
        name: String,
        expected: Vec<usize>,
        found: Vec<usize>,
    },
    #[error("forward mode differentiates by an input, and `{name}` is not one")]
    NotAnInput { name: String },
    #[error("forward mode differentiates by a single number, and `{name}` is a tensor")]
    TensorTangent { name: String },
    #[error("forward mode is for elementwise programs; `{op}` has only a reverse rule here")]
    NoForwardRule { op: &'static str },
    #[error("checkpointing is for reverse mode; forward mode keeps no tape")]
    CheckpointsInForwardMode,
    #[error("checkpoint #{id} is not a node of the program")]
    CheckpointOutOfRange { id: usize },
    #[error("the loss scale must be a positive finite number, found {0}")]
    LossScale(f64),
    #[error("step {cursor} is past the last step ({len})")]
    CursorOutOfRange { cursor: usize, len: usize },
    #[error(transparent)]
    Training(#[from] TrainingError),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(into = "Snapshot", try_from = "Snapshot")]
pub struct Stepper {
    graph: Graph,
    inputs: Vec<Tensor>,
    mode: Mode,
    schedule: Vec<(Phase, NodeId)>,
    /// For each node, its position among the inputs (input nodes only).
    input_slot: Vec<Option<usize>>,
    /// For each node, the forward values its backward rule reads (from the graph alone,
    /// so the tape is worked out at each step without building derivative formulas).
    reads: Vec<ops::BackwardReads>,
    values: Vec<Option<Value>>,
    tangents: Vec<Option<Value>>,
    /// Each node's adjoint contributions in the order they arrived.
    contributions: Vec<Vec<Value>>,
    /// Each node's adjoint: its contributions summed in arrival order.
    adjoints: Vec<Option<Value>>,
    visited: Vec<bool>,
    /// The records of the steps taken; its length is the cursor.
    history: Vec<StepRecord>,
    /// Checkpointing: the computed values the forward pass keeps (`None`: plain mode,
    /// every value is kept).
    checkpoints: Option<Vec<NodeId>>,
    /// Checkpointing: for each step of the schedule, the values it discards (released
    /// after their last use and not kept).
    discards: Vec<Vec<NodeId>>,
    /// The values each step taken discarded, to put back when it is undone.
    dropped: Vec<Vec<(NodeId, Value)>>,
    /// How values, adjoints and tangents are stored (each rounded to it when stored).
    precision: Precision,
    /// What the output's adjoint is seeded with (loss scaling); 1 without.
    loss_scale: f64,
    /// Accumulation: the passes, zero_grad and update steps; `None`: one pass.
    training: Option<Training>,
    /// Accumulation: each schedule step's pass (empty without accumulation).
    stages: Vec<Stage>,
    /// Accumulation: each micro-batch's input values (empty: every pass reads `inputs`).
    batches: Vec<Vec<Tensor>>,
    /// Accumulation: each parameter's value as the update steps taken left it.
    current: Vec<Option<Value>>,
    /// Accumulation: for each step taken, what undoing it puts back besides its record.
    undo: Vec<Option<Box<Undo>>>,
}

/// What a step of an accumulation schedule replaced, to be put back when it is undone.
#[derive(Clone, Debug, PartialEq)]
enum Undo {
    /// A pass's first step cleared the previous pass's values, visits and the adjoints of
    /// everything but the parameters.
    PassStart {
        values: Vec<Option<Value>>,
        contributions: Vec<Vec<Value>>,
        adjoints: Vec<Option<Value>>,
        visited: Vec<bool>,
    },
    /// zero_grad cleared a parameter's contributions.
    Zero {
        contributions: Vec<Value>,
        adjoint: Option<Value>,
    },
    /// An update replaced a parameter's value.
    Update {
        current: Option<Value>,
        value: Option<Value>,
    },
}

/// What a stepper is, without what can be recomputed: restoring replays to `cursor`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Snapshot {
    pub graph: Graph,
    pub inputs: Vec<Tensor>,
    pub mode: Mode,
    pub cursor: usize,
    /// Checkpointing: the kept nodes; absent in plain mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkpoints: Option<Vec<NodeId>>,
    /// How numbers are stored; f64 when absent.
    #[serde(default, skip_serializing_if = "is_f64")]
    pub precision: Precision,
    /// The output adjoint's seed; 1 when absent.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub loss_scale: f64,
    /// Accumulation: its settings; absent for one pass.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub training: Option<Training>,
    /// Accumulation: each micro-batch's inputs; absent when every pass reads `inputs`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub batches: Vec<Vec<Tensor>>,
    /// An evaluation without recording: forward steps only.
    #[serde(default, skip_serializing_if = "is_false")]
    pub no_grad: bool,
}

fn is_false(flag: &bool) -> bool {
    !flag
}

fn is_f64(precision: &Precision) -> bool {
    *precision == Precision::F64
}

fn one() -> f64 {
    1.0
}

fn is_one(x: &f64) -> bool {
    *x == 1.0
}

impl From<Stepper> for Snapshot {
    fn from(stepper: Stepper) -> Snapshot {
        let cursor = stepper.cursor();
        let no_grad = !stepper.records();
        Snapshot {
            graph: stepper.graph,
            inputs: stepper.inputs,
            mode: stepper.mode,
            cursor,
            checkpoints: stepper.checkpoints,
            precision: stepper.precision,
            loss_scale: stepper.loss_scale,
            training: stepper.training,
            no_grad,
            batches: stepper.batches,
        }
    }
}

impl TryFrom<Snapshot> for Stepper {
    type Error = EngineError;

    fn try_from(snapshot: Snapshot) -> Result<Stepper, EngineError> {
        let stepper = match snapshot.training {
            Some(training) => {
                Stepper::training(snapshot.graph, snapshot.inputs, training, snapshot.batches)?
            }
            None if snapshot.no_grad => Stepper::no_grad(snapshot.graph, snapshot.inputs)?,
            None => Stepper::with_checkpoints(
                snapshot.graph,
                snapshot.inputs,
                snapshot.mode,
                snapshot.checkpoints,
            )?,
        };
        let mut stepper = stepper.stored_as(snapshot.precision, snapshot.loss_scale)?;
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
    /// A stepper at step 0. `inputs` holds one value per input node, in graph order, each
    /// of its node's shape.
    pub fn new(graph: Graph, inputs: Vec<Tensor>, mode: Mode) -> Result<Stepper, EngineError> {
        Stepper::plain(graph, inputs, mode)
    }

    /// A stepper at step 0 that, given `checkpoints`, keeps only those computed values
    /// (with the inputs and the output) in the forward pass and recomputes the others
    /// where the backward pass reads them ([`checkpoint::schedule`]).
    pub fn with_checkpoints(
        graph: Graph,
        inputs: Vec<Tensor>,
        mode: Mode,
        checkpoints: Option<Vec<NodeId>>,
    ) -> Result<Stepper, EngineError> {
        let mut stepper = Stepper::plain(graph, inputs, mode)?;
        let Some(kept) = checkpoints else {
            return Ok(stepper);
        };
        if mode != Mode::Reverse {
            return Err(EngineError::CheckpointsInForwardMode);
        }
        let graph = &stepper.graph;
        if let Some(id) = kept.iter().find(|id| id.0 >= graph.len()) {
            return Err(EngineError::CheckpointOutOfRange { id: id.0 });
        }
        stepper.schedule = checkpoint::schedule(graph, &kept);
        stepper.discards = memory::releases(graph, &stepper.schedule);
        for list in &mut stepper.discards {
            list.retain(|id| !kept.contains(id));
        }
        stepper.checkpoints = Some(kept);
        Ok(stepper)
    }

    /// A reverse-mode stepper at step 0 over an accumulation schedule
    /// ([`accumulate::schedule`]): `batches` holds each micro-batch's input values (see
    /// [`accumulate::micro_batches`]), or nothing for every pass to read `inputs`.
    pub fn training(
        graph: Graph,
        inputs: Vec<Tensor>,
        training: Training,
        batches: Vec<Vec<Tensor>>,
    ) -> Result<Stepper, EngineError> {
        accumulate::validate(&graph, &training)?;
        if !batches.is_empty() && batches.len() != training.micro_batches {
            return Err(EngineError::Training(TrainingError::Count(batches.len())));
        }
        for batch in &batches {
            check_inputs(&graph, batch)?;
        }
        let mut stepper = Stepper::plain(graph, inputs, Mode::Reverse)?;
        let (schedule, stages) = accumulate::schedule(&stepper.graph, &training)
            .into_iter()
            .unzip();
        stepper.schedule = schedule;
        stepper.stages = stages;
        stepper.batches = batches;
        stepper.training = Some(training);
        Ok(stepper)
    }

    /// An evaluation without recording (`torch.no_grad()`): the forward steps only, each
    /// value released after its last use, no tape.
    pub fn no_grad(graph: Graph, inputs: Vec<Tensor>) -> Result<Stepper, EngineError> {
        let mut stepper = Stepper::plain(graph, inputs, Mode::Reverse)?;
        stepper
            .schedule
            .retain(|(phase, _)| *phase == Phase::Forward);
        Ok(stepper)
    }

    /// Whether the schedule has a backward pass (not an evaluation under `no_grad`).
    pub fn records(&self) -> bool {
        self.mode != Mode::Reverse
            || self
                .schedule
                .iter()
                .any(|(phase, _)| *phase == Phase::Backward)
    }

    /// Accumulation: its settings, `None` for one pass.
    pub fn training_settings(&self) -> Option<&Training> {
        self.training.as_ref()
    }

    /// Accumulation: how many passes the steps taken have begun (0 without accumulation);
    /// each pass's first step clears the last pass's values.
    pub fn passes_begun(&self) -> usize {
        let Some(last) = self.cursor().checked_sub(1) else {
            return 0;
        };
        match (self.schedule.get(last), self.stage(last)) {
            (Some((Phase::ZeroGrad, _)), Some(stage)) => stage.pass,
            (Some(_), Some(stage)) => stage.pass + 1,
            _ => 0,
        }
    }

    /// Accumulation: the pass a step of the schedule belongs to.
    pub fn stage(&self, index: usize) -> Option<Stage> {
        self.stages.get(index).copied()
    }

    /// The cursor at the end of the forward pass the cursor is in or before (the whole
    /// forward phase without accumulation).
    pub fn forward_end(&self) -> usize {
        let forward = |j: &usize| self.schedule[*j].0 == Phase::Forward;
        if self.training.is_none() {
            return (0..self.len()).filter(forward).count();
        }
        let Some(pass) = (self.cursor()..self.len())
            .find(forward)
            .map(|j| self.stages[j].pass)
        else {
            return self.cursor();
        };
        (0..self.len())
            .rfind(|j| forward(j) && self.stages[*j].pass == pass)
            .map_or(self.cursor(), |j| j + 1)
    }

    /// A stepper at step 0 with the plain schedule, its numbers in f64. (Kept apart from
    /// the checkpoint planner, which the app does not use, so the app does not carry it.)
    fn plain(graph: Graph, inputs: Vec<Tensor>, mode: Mode) -> Result<Stepper, EngineError> {
        let mut input_slot = vec![None; graph.len()];
        for (slot, id) in graph.inputs().enumerate() {
            input_slot[id.0] = Some(slot);
        }
        check_inputs(&graph, &inputs)?;
        if let Mode::Forward { wrt } = mode {
            check_forward_mode(&graph, wrt, &input_slot)?;
        }
        let computed: Vec<NodeId> = graph
            .ids()
            .filter(|&id| !graph.node(id).op.is_constant())
            .collect();
        let mut schedule: Vec<(Phase, NodeId)> =
            computed.iter().map(|&id| (Phase::Forward, id)).collect();
        if mode == Mode::Reverse {
            schedule.extend(computed.iter().rev().map(|&id| (Phase::Backward, id)));
        }
        let constants: Vec<Option<Value>> = graph
            .nodes()
            .iter()
            .map(|node| {
                node.op
                    .is_constant()
                    .then(|| Arc::new(node.leaf_value().unwrap_or_else(|| node.nan())))
            })
            .collect();
        let tangents = graph
            .nodes()
            .iter()
            .zip(&constants)
            .map(|(node, c)| c.as_ref().map(|_| Arc::new(node.nan().map(|_| 0.0))))
            .collect();
        let n = graph.len();
        let reads = graph
            .nodes()
            .iter()
            .map(|node| {
                let wanted: Vec<bool> = node
                    .inputs
                    .iter()
                    .map(|input| !graph.node(*input).op.is_constant())
                    .collect();
                ops::backward_reads(node.op, &wanted)
            })
            .collect();
        Ok(Stepper {
            graph,
            inputs,
            mode,
            schedule,
            input_slot,
            reads,
            values: constants,
            tangents,
            contributions: vec![Vec::new(); n],
            adjoints: vec![None; n],
            visited: vec![false; n],
            history: Vec::new(),
            checkpoints: None,
            discards: Vec::new(),
            dropped: Vec::new(),
            precision: Precision::F64,
            loss_scale: 1.0,
            training: None,
            stages: Vec::new(),
            batches: Vec::new(),
            current: vec![None; n],
            undo: Vec::new(),
        })
    }

    /// The same stepper, at the same step, storing every value, adjoint and tangent in
    /// `precision` (rounded to nearest, ties to even) and seeding the output's adjoint with
    /// `loss_scale` instead of 1 (loss scaling: the gradients are the adjoints divided by
    /// it, in f64).
    pub fn stored_as(
        mut self,
        precision: Precision,
        loss_scale: f64,
    ) -> Result<Stepper, EngineError> {
        if !(loss_scale.is_finite() && loss_scale > 0.0) {
            return Err(EngineError::LossScale(loss_scale));
        }
        let cursor = self.cursor();
        self.seek(0);
        self.precision = precision;
        self.loss_scale = loss_scale;
        self.store_constants();
        self.seek(cursor);
        Ok(self)
    }

    /// Constants are stored like everything else (f16's 0.1 is 0.0999755859375).
    fn store_constants(&mut self) {
        for (id, node) in self.graph.nodes().iter().enumerate() {
            if node.op.is_constant() {
                let value = node.leaf_value().unwrap_or_else(|| node.nan());
                self.values[id] = Some(Arc::new(self.store(value)));
            }
        }
    }

    pub fn precision(&self) -> Precision {
        self.precision
    }

    pub fn loss_scale(&self) -> f64 {
        self.loss_scale
    }

    /// A tensor as the stepper's precision stores it.
    fn store(&self, tensor: Tensor) -> Tensor {
        match self.precision {
            Precision::F64 => tensor,
            precision => tensor.map(|x| precision.round(x)),
        }
    }

    pub fn graph(&self) -> &Graph {
        &self.graph
    }

    pub fn inputs(&self) -> &[Tensor] {
        &self.inputs
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Checkpointing: the computed values the forward pass keeps; `None` in plain mode.
    pub fn checkpoints(&self) -> Option<&[NodeId]> {
        self.checkpoints.as_deref()
    }

    /// Checkpointing: whether the node's value was discarded (the forward pass computed
    /// it and it is not held now).
    pub fn discarded(&self, id: NodeId) -> bool {
        self.checkpoints.is_some()
            && self.values[id.0].is_none()
            && self
                .history
                .iter()
                .any(|r| r.node == id && r.phase == Phase::Forward)
    }

    /// The memory figures of the whole schedule, each number taking `bytes_per_number`
    /// bytes (see [`memory`]).
    pub fn memory(&self, bytes_per_number: usize) -> memory::MemoryReport {
        if self.training.is_some() {
            // Every pass holds what the first does.
            let first: Vec<(Phase, NodeId)> = self
                .schedule
                .iter()
                .zip(&self.stages)
                .filter(|((phase, _), stage)| {
                    stage.pass == 0 && matches!(phase, Phase::Forward | Phase::Backward)
                })
                .map(|(step, _)| *step)
                .collect();
            return memory::account(&self.graph, &first, bytes_per_number);
        }
        memory::account(&self.graph, &self.schedule, bytes_per_number)
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

    /// Where the cursor is within its phase. The forward phase lasts until the first
    /// backward step is taken.
    pub fn progress(&self) -> Progress {
        if let Some(training) = &self.training {
            return self.pass_progress(training);
        }
        let forward = self
            .schedule
            .iter()
            .filter(|(p, _)| *p == Phase::Forward)
            .count();
        if self.cursor() > forward {
            Progress {
                phase: Phase::Backward,
                done: self.cursor() - forward,
                total: self.len() - forward,
                pass: None,
            }
        } else {
            Progress {
                phase: Phase::Forward,
                done: self.cursor(),
                total: forward,
                pass: None,
            }
        }
    }

    /// Accumulation: the progress within the run of steps of one phase and pass that the
    /// last step taken belongs to (the first step's before any is taken).
    fn pass_progress(&self, training: &Training) -> Progress {
        let here = self
            .cursor()
            .saturating_sub(1)
            .min(self.len().saturating_sub(1));
        let (Some(&(phase, _)), Some(stage)) = (self.schedule.get(here), self.stage(here)) else {
            return Progress {
                phase: Phase::Forward,
                done: 0,
                total: 0,
                pass: None,
            };
        };
        let same = |j: &usize| self.schedule[*j].0 == phase && self.stages[*j].pass == stage.pass;
        let total = (0..self.len()).filter(same).count();
        let done = (0..self.cursor()).filter(same).count();
        Progress {
            phase,
            done,
            total,
            pass: Some(PassProgress {
                micro_batch: stage.micro_batch + 1,
                micro_batches: training.micro_batches,
                iteration: stage.iteration + 1,
                iterations: training.iterations,
            }),
        }
    }

    /// Whether at least one backward step has been taken (and not undone).
    pub fn in_backward(&self) -> bool {
        self.progress().phase == Phase::Backward
    }

    /// The node's value, once computed.
    pub fn value(&self, id: NodeId) -> Option<&Value> {
        self.values[id.0].as_ref()
    }

    /// A scalar node's value, once computed (NaN for a tensor).
    pub fn scalar_value(&self, id: NodeId) -> Option<f64> {
        self.value(id).map(|v| scalar(v))
    }

    /// ∂output/∂node in reverse mode: blank (None) until a contribution arrives or the
    /// node is visited (then zeros if nothing reached it).
    pub fn adjoint(&self, id: NodeId) -> Option<Value> {
        self.adjoints[id.0].clone().or_else(|| {
            self.visited[id.0].then(|| Arc::new(self.graph.node(id).nan().map(|_| 0.0)))
        })
    }

    /// An adjoint with the loss scale divided out (in f64): the gradient it stands for.
    fn gradient(&self, id: NodeId) -> Option<Value> {
        let adjoint = self.adjoint(id)?;
        if self.loss_scale == 1.0 {
            return Some(adjoint);
        }
        let scale = self.loss_scale;
        Some(Arc::new(adjoint.map(|x| x / scale)))
    }

    /// A scalar node's adjoint (NaN for a tensor).
    pub fn scalar_adjoint(&self, id: NodeId) -> Option<f64> {
        self.adjoint(id).map(|v| scalar(&v))
    }

    /// Whether the backward pass has visited the node, so its adjoint is final.
    pub fn visited(&self, id: NodeId) -> bool {
        self.visited[id.0]
    }

    /// The contributions summed into a node's adjoint, in arrival order.
    pub fn contributions(&self, id: NodeId) -> &[Value] {
        &self.contributions[id.0]
    }

    /// `∂node/∂(its input_index-th input)` at the current values, element by element, for
    /// an elementwise node whose value is known (what the graph view writes on an edge).
    pub fn local_derivative(&self, node: NodeId, input_index: usize) -> Option<Tensor> {
        let value = self.values[node.0].as_ref()?;
        let op = self.graph.node(node).op;
        if !op.is_elementwise() {
            return None;
        }
        let args: Option<Vec<&Tensor>> = self
            .graph
            .node(node)
            .inputs
            .iter()
            .map(|i| self.values[i.0].as_deref())
            .collect();
        elementwise::local_derivatives(op, &args?, value)
            .ok()?
            .into_iter()
            .nth(input_index)
    }

    /// Which nodes hold a forward value that a backward step still to come will read (the
    /// "tape"): an input value read by a consumer's local derivative or matrix rule, or a
    /// node's own value read by its derivative (exp, sigmoid, tanh, softmax). Empty in
    /// forward mode.
    pub fn tape(&self) -> Vec<bool> {
        let mut needed = vec![false; self.graph.len()];
        if self.mode != Mode::Reverse || !self.records() {
            return needed;
        }
        for consumer in self
            .graph
            .ids()
            .filter(|&id| !self.visited[id.0] && self.values[id.0].is_some())
        {
            let node = self.graph.node(consumer);
            let reads = &self.reads[consumer.0];
            for (input, read) in node.inputs.iter().zip(&reads.args) {
                needed[input.0] |= *read;
            }
            needed[consumer.0] |= reads.output;
        }
        for (id, flag) in needed.iter_mut().enumerate() {
            *flag &= self.values[id].is_some() && !self.graph.nodes()[id].op.is_constant();
        }
        needed
    }

    /// ∂node/∂wrt in forward mode, once computed.
    pub fn tangent(&self, id: NodeId) -> Option<&Value> {
        self.tangents[id.0].as_ref()
    }

    /// Whether the node's adjoint has every contribution it will get: the backward pass
    /// has visited it, or every node that reads it.
    pub fn adjoint_complete(&self, id: NodeId) -> bool {
        if self.visited[id.0] {
            return true;
        }
        let mut consumers = self
            .graph
            .ids()
            .skip(id.0 + 1)
            .filter(|&c| self.graph.node(c).inputs.contains(&id))
            .peekable();
        consumers.peek().is_some() && consumers.all(|c| self.visited[c.0])
    }

    /// The derivative of the output by each input, once final: in reverse mode an input's
    /// adjoint as soon as every contribution has arrived (before that it is a partial sum),
    /// in forward mode the output's tangent for the chosen input.
    pub fn gradients(&self) -> Vec<(NodeId, Option<Value>)> {
        self.graph
            .inputs()
            .map(|id| match self.mode {
                Mode::Reverse if self.adjoint_complete(id) => (id, self.gradient(id)),
                Mode::Reverse => (id, None),
                Mode::Forward { wrt } if wrt == id => {
                    (id, self.tangent(self.graph.output()).cloned())
                }
                Mode::Forward { .. } => (id, None),
            })
            .collect()
    }

    /// Take the next step, whatever its phase.
    pub fn step(&mut self) -> Option<StepRecord> {
        self.step_with(&mut Direct)
    }

    /// Take the next step with its heavy work done by `compute` (see [`super::compute`]).
    pub fn step_with(&mut self, compute: &mut dyn Compute) -> Option<StepRecord> {
        let &(phase, node) = self.schedule.get(self.cursor())?;
        let index = self.cursor();
        let mut undo = self.begin_pass(index, phase);
        let detail = match (self.mode, phase) {
            (Mode::Reverse, Phase::Forward | Phase::Recompute) => {
                self.evaluate(index, node, compute)
            }
            (Mode::Reverse, Phase::Backward) => self.visit(index, node, compute),
            (Mode::Reverse, Phase::ZeroGrad) => {
                let (detail, cleared) = self.zero_grad(node);
                undo = Some(Box::new(cleared));
                detail
            }
            (Mode::Reverse, Phase::Update) => {
                let (detail, replaced) = self.update(node);
                undo = Some(Box::new(replaced));
                detail
            }
            (Mode::Forward { wrt }, _) => self.tangent_step(index, node, wrt, compute),
        };
        self.undo.push(undo);
        let record = StepRecord {
            index,
            phase,
            node,
            detail,
        };
        self.history.push(record.clone());
        let mut dropped = Vec::new();
        for &id in self.discards.get(index).map_or(&[][..], Vec::as_slice) {
            if let Some(value) = self.values[id.0].take() {
                dropped.push((id, value));
            }
        }
        self.dropped.push(dropped);
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
        for (id, value) in self.dropped.pop().into_iter().flatten() {
            self.values[id.0] = Some(value);
        }
        let undo = self.undo.pop().flatten();
        let node = record.node.0;
        match &record.detail {
            StepDetail::ZeroGrad { .. } | StepDetail::Update { .. } => {}
            StepDetail::Input { .. } | StepDetail::Compute { .. } => self.values[node] = None,
            StepDetail::Tangent { .. } => {
                self.values[node] = None;
                self.tangents[node] = None;
            }
            StepDetail::Visit {
                seeded, updates, ..
            } => {
                for update in updates.iter().rev() {
                    self.pop_contribution(update.target);
                }
                if *seeded {
                    self.pop_contribution(record.node);
                }
                self.visited[node] = false;
            }
        }
        if let Some(undo) = undo {
            self.restore(record.node, *undo);
        }
        Some(record)
    }

    /// Accumulation: a pass's first forward step (after anything) clears the previous
    /// pass's values, visits and adjoints, all but the parameters' adjoints, which keep
    /// accumulating; returns what it cleared.
    fn begin_pass(&mut self, index: usize, phase: Phase) -> Option<Box<Undo>> {
        let starts = self.training.is_some()
            && phase == Phase::Forward
            && index > 0
            && self.schedule[index - 1].0 != Phase::Forward;
        if !starts {
            return None;
        }
        let saved = Undo::PassStart {
            values: self.values.clone(),
            contributions: self.contributions.clone(),
            adjoints: self.adjoints.clone(),
            visited: self.visited.clone(),
        };
        for (id, node) in self.graph.nodes().iter().enumerate() {
            if !node.op.is_constant() {
                self.values[id] = None;
            }
            if node.role != crate::graph::Role::Param {
                self.contributions[id].clear();
                self.adjoints[id] = None;
            }
            self.visited[id] = false;
        }
        Some(Box::new(saved))
    }

    /// Put back what an accumulation step replaced.
    fn restore(&mut self, node: NodeId, undo: Undo) {
        match undo {
            Undo::PassStart {
                values,
                contributions,
                adjoints,
                visited,
            } => {
                self.values = values;
                self.contributions = contributions;
                self.adjoints = adjoints;
                self.visited = visited;
            }
            Undo::Zero {
                contributions,
                adjoint,
            } => {
                self.contributions[node.0] = contributions;
                self.adjoints[node.0] = adjoint;
            }
            Undo::Update { current, value } => {
                self.current[node.0] = current;
                self.values[node.0] = value;
            }
        }
    }

    /// `W̄ = 0`: the parameter's gradient cleared.
    fn zero_grad(&mut self, node: NodeId) -> (StepDetail, Undo) {
        let contributions = std::mem::take(&mut self.contributions[node.0]);
        let adjoint = self.adjoints[node.0].take();
        let zero = Arc::new(self.graph.node(node).nan().map(|_| 0.0));
        let detail = StepDetail::ZeroGrad {
            cleared: adjoint.clone(),
            zero,
        };
        (
            detail,
            Undo::Zero {
                contributions,
                adjoint,
            },
        )
    }

    /// `W ← W − η · (ΣW̄)/K`, in f64 and then stored.
    fn update(&mut self, node: NodeId) -> (StepDetail, Undo) {
        let training = self.training.unwrap_or(Training::accumulate(1));
        let old = self.current[node.0]
            .clone()
            .or_else(|| self.input_value(node))
            .unwrap_or_else(|| Arc::new(self.graph.node(node).nan()));
        let gradient = self
            .gradient(node)
            .unwrap_or_else(|| Arc::new(self.graph.node(node).nan().map(|_| 0.0)));
        let k = training.micro_batches as f64;
        let rate = training.rate;
        let new = old
            .zip_with(&gradient, |w, g| w - rate * (g / k))
            .unwrap_or_else(|| self.graph.node(node).nan());
        let new = Arc::new(self.store(new));
        let undo = Undo::Update {
            current: self.current[node.0].replace(new.clone()),
            value: self.values[node.0].replace(new.clone()),
        };
        let detail = StepDetail::Update {
            old,
            gradient,
            micro_batches: training.micro_batches,
            rate,
            new,
        };
        (detail, undo)
    }

    /// Go to the state after exactly `cursor` steps (clamped to the schedule).
    pub fn seek(&mut self, cursor: usize) {
        self.seek_with(cursor, &mut Direct);
    }

    /// [`Stepper::seek`] with the steps' heavy work done by `compute`.
    pub fn seek_with(&mut self, cursor: usize, compute: &mut dyn Compute) {
        let cursor = cursor.min(self.len());
        while self.cursor() > cursor {
            self.step_back();
        }
        while self.cursor() < cursor {
            self.step_with(compute);
        }
    }

    pub fn run_to_end(&mut self) {
        self.seek(self.len());
    }

    /// Replace the input values, keeping the step position.
    pub fn set_inputs(&mut self, inputs: Vec<Tensor>) -> Result<(), EngineError> {
        check_inputs(&self.graph, &inputs)?;
        // Step 0 is the state before anything ran (undo is exact); the schedule, the
        // checkpoints and the storage do not depend on the values.
        let cursor = self.cursor();
        self.seek(0);
        self.inputs = inputs;
        self.seek(cursor);
        Ok(())
    }

    fn args(&self, node: NodeId) -> Vec<Value> {
        let inputs = &self.graph.node(node).inputs;
        inputs
            .iter()
            .map(|i| {
                self.values[i.0]
                    .clone()
                    .unwrap_or_else(|| Arc::new(self.graph.node(*i).nan()))
            })
            .collect()
    }

    /// An input's value for the pass the cursor is in: a parameter as the updates left
    /// it, a dataset input from its micro-batch.
    fn input_value(&self, node: NodeId) -> Option<Value> {
        let slot = self.input_slot[node.0]?;
        if let Some(current) = &self.current[node.0] {
            return Some(current.clone());
        }
        let batch = self
            .stage(self.cursor())
            .and_then(|stage| self.batches.get(stage.micro_batch))
            .filter(|_| self.graph.node(node).role.data().is_some());
        let inputs = batch.map_or(&self.inputs[..], Vec::as_slice);
        Some(Arc::new(self.store(inputs[slot].clone())))
    }

    /// Add a contribution to a node's adjoint, keeping the running sum in arrival order.
    fn push_contribution(&mut self, id: NodeId, contribution: Value) -> Option<Value> {
        let previous = self.adjoints[id.0].clone();
        let sum = match &previous {
            Some(sum) => Arc::new(self.store(add(sum, &contribution))),
            None => contribution.clone(),
        };
        self.contributions[id.0].push(contribution);
        self.adjoints[id.0] = Some(sum);
        previous
    }

    /// Remove the last contribution; the sum is recomputed in order, so undo is exact.
    fn pop_contribution(&mut self, id: NodeId) {
        self.contributions[id.0].pop();
        let contributions = &self.contributions[id.0];
        self.adjoints[id.0] = contributions.split_first().map(|(first, rest)| {
            rest.iter()
                .fold(first.clone(), |sum, x| Arc::new(self.store(add(&sum, x))))
        });
    }

    fn evaluate(&mut self, step: usize, node: NodeId, compute: &mut dyn Compute) -> StepDetail {
        if let Some(value) = self.input_value(node) {
            self.values[node.0] = Some(value.clone());
            return StepDetail::Input { value };
        }
        let args = self.args(node);
        let refs: Vec<&Tensor> = args.iter().map(|a| &**a).collect();
        let (value, error) = match compute.forward(step, self.graph.node(node).op, &refs) {
            Ok(value) => (value, None),
            Err(error) => (self.graph.node(node).nan(), Some(error)),
        };
        let value = Arc::new(self.store(value));
        self.values[node.0] = Some(value.clone());
        StepDetail::Compute { args, value, error }
    }

    /// The one place where `adjoint[input] += contribution` happens: `local · adjoint`
    /// for elementwise ops, the op's vector-Jacobian product otherwise.
    fn visit(&mut self, step: usize, node: NodeId, compute: &mut dyn Compute) -> StepDetail {
        let seeded = node == self.graph.output();
        if seeded {
            let scale = self.loss_scale;
            let ones = Arc::new(self.store(self.graph.node(node).nan().map(|_| scale)));
            self.push_contribution(node, ones);
        }
        let adjoint = self
            .adjoint(node)
            .unwrap_or_else(|| Arc::new(self.graph.node(node).nan().map(|_| 0.0)));
        self.visited[node.0] = true;
        let args = self.args(node);
        let refs: Vec<&Tensor> = args.iter().map(|a| &**a).collect();
        let value = self.values[node.0]
            .clone()
            .unwrap_or_else(|| Arc::new(self.graph.node(node).nan()));
        let op = self.graph.node(node).op;
        let inputs = self.graph.node(node).inputs.clone();
        let pulled = compute.pull_back(step, op, &refs, &value, &adjoint);
        let mut updates = Vec::with_capacity(inputs.len());
        for (input_index, (target, (local, contribution))) in
            inputs.into_iter().zip(pulled).enumerate()
        {
            if self.graph.node(target).op.is_constant() {
                continue;
            }
            let exact = contribution.unwrap_or_else(|| self.graph.node(target).nan());
            let lost = lost(self.precision, &exact);
            let contribution = Arc::new(self.store(exact));
            let previous = self.push_contribution(target, contribution.clone());
            let target_adjoint = self.adjoints[target.0]
                .clone()
                .unwrap_or_else(|| contribution.clone());
            updates.push(Update {
                target,
                lost,
                input_index,
                local: local.map(Arc::new),
                upstream: adjoint.clone(),
                contribution,
                previous,
                adjoint: target_adjoint,
            });
        }
        StepDetail::Visit {
            seeded,
            adjoint,
            args,
            updates,
        }
    }

    fn tangent_step(
        &mut self,
        step: usize,
        node: NodeId,
        wrt: NodeId,
        compute: &mut dyn Compute,
    ) -> StepDetail {
        if let Some(value) = self.input_value(node) {
            let seeded = node == wrt;
            let tangent = Arc::new(value.map(|_| if seeded { 1.0 } else { 0.0 }));
            self.values[node.0] = Some(value.clone());
            self.tangents[node.0] = Some(tangent.clone());
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
        let refs: Vec<&Tensor> = args.iter().map(|a| &**a).collect();
        let op = self.graph.node(node).op;
        let nan = self.graph.node(node).nan();
        let inputs = &self.graph.node(node).inputs;
        let arg_tangents: Vec<Value> = inputs
            .iter()
            .map(|i| {
                self.tangents[i.0]
                    .clone()
                    .unwrap_or_else(|| Arc::new(self.graph.node(*i).nan()))
            })
            .collect();
        let with_tangent: Vec<Option<&Tensor>> = inputs
            .iter()
            .zip(&arg_tangents)
            .map(|(i, t)| (!self.graph.node(*i).op.is_constant()).then_some(&**t))
            .collect();
        let Tangent {
            value,
            partials,
            tangent,
        } = compute.tangent(step, op, &refs, &with_tangent, &nan);
        let value = Arc::new(self.store(value));
        let tangent = Arc::new(self.store(tangent));
        self.values[node.0] = Some(value.clone());
        self.tangents[node.0] = Some(tangent.clone());
        StepDetail::Tangent {
            args,
            value,
            seeded: false,
            partials: partials.into_iter().map(Arc::new).collect(),
            arg_tangents,
            tangent,
        }
    }
}

/// What storing a contribution loses: ∞ for a finite element (first), else 0 for a
/// nonzero one.
fn lost(precision: Precision, exact: &Tensor) -> Option<Loss> {
    let mut lost = None;
    for &x in exact.data() {
        match precision.loss(x) {
            Some(Loss::Overflow) => return Some(Loss::Overflow),
            Some(Loss::Underflow) => lost = Some(Loss::Underflow),
            None => {}
        }
    }
    lost
}

/// One value per input node, in graph order, each of its node's shape.
fn check_inputs(graph: &Graph, inputs: &[Tensor]) -> Result<(), EngineError> {
    let expected = graph.inputs().count();
    if inputs.len() != expected {
        return Err(EngineError::InputCount {
            expected,
            found: inputs.len(),
        });
    }
    for (id, value) in graph.inputs().zip(inputs) {
        let node = graph.node(id);
        if value.shape() != node.shape {
            return Err(EngineError::InputShape {
                name: node.name.clone(),
                expected: node.shape.clone(),
                found: value.shape().to_vec(),
            });
        }
    }
    Ok(())
}

/// Forward mode needs a scalar input to differentiate by and elementwise ops throughout.
fn check_forward_mode(
    graph: &Graph,
    wrt: NodeId,
    input_slot: &[Option<usize>],
) -> Result<(), EngineError> {
    if input_slot.get(wrt.0).copied().flatten().is_none() {
        let name = graph
            .nodes()
            .get(wrt.0)
            .map_or_else(|| format!("#{}", wrt.0), |n| n.name.clone());
        return Err(EngineError::NotAnInput { name });
    }
    if !graph.node(wrt).is_scalar() {
        return Err(EngineError::TensorTangent {
            name: graph.node(wrt).name.clone(),
        });
    }
    match graph
        .nodes()
        .iter()
        .find(|node| !node.op.is_leaf() && !node.op.is_elementwise())
    {
        Some(node) => Err(EngineError::NoForwardRule { op: node.op.name() }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests;
