//! A loaded graph's state as the host knows it, and the commands the backend's calls turn
//! into: which leaf values are known without asking the GPU, whether each gradient is
//! zero, stale or live, which labels would be refused, the optimizer's rule and state.
//! Each `Backend` call checks its arguments here (with the CPU's errors) and gets back the
//! commands to queue; [`Loaded::record`] records a command when the queue is submitted.

use super::super::{GpuContext, GpuTensor, ParamState, Recorder};
use super::buffers::Buffers;
use super::errors::{at_node, from_device};
use super::log::OutputLog;
use super::plan::Plan;
use super::record;
use crate::backend::optimizer::UpdateRule;
use crate::backend::{BackendError, Quantity};
use crate::graph::{Graph, Node, NodeId};
use crate::op::Op;
use crate::tensor::{Tensor, TensorError};

/// What a leaf's gradient buffer holds, tracked on the host as commands are queued.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Gradient {
    /// Zeros (as loaded, or filled).
    Zero,
    /// Logically zero since `zero_grads`, but the buffer still holds the old gradient: the
    /// next backward overwrites it instead of adding.
    Stale,
    /// A gradient.
    Live,
}

/// Work queued for the next submission.
#[derive(Debug)]
pub(crate) enum Command {
    /// Overwrite a leaf's value at this point of the queue.
    Write {
        node: NodeId,
        data: Vec<f32>,
    },
    Forward,
    /// `fresh[leaf]`: the leaf's gradient is logically zero, so its first contribution
    /// overwrites.
    Backward {
        fresh: Vec<bool>,
    },
    Fill {
        node: NodeId,
        value: f32,
    },
    Scale {
        nodes: Vec<NodeId>,
        factor: f32,
    },
    Update {
        rule: UpdateRule,
        learning_rate: f64,
        /// A different rule than before: start its state afresh (as the CPU does).
        reset: bool,
    },
    /// Copy the output's value into this slot of the output log.
    Log {
        slot: usize,
    },
}

/// A graph on the GPU with what is known about it on the host.
pub(crate) struct Loaded {
    graph: Graph,
    plan: Plan,
    buffers: Buffers,
    /// Leaf values as written, while the GPU has not changed them (parameters lose theirs
    /// at the first update): read without a round trip.
    host: Vec<Option<Tensor>>,
    gradients: Vec<Gradient>,
    /// Whether a forward pass has been queued since load.
    computed: bool,
    /// Per label use in the plan: why the labels last written would be refused.
    label_errors: Vec<Option<TensorError>>,
    /// An op that refuses its operands (found when the graph was loaded), reported by
    /// `forward` as the CPU reports it.
    refused: Option<BackendError>,
    optimizer: Option<UpdateRule>,
    /// The update rule's state for all the parameters at once (see `buffers::Packed`).
    state: ParamState,
    /// The output's values logged since they were last read back.
    pub(crate) log: OutputLog,
}

impl Loaded {
    /// `graph` on `context`: every buffer made, every leaf uploaded, and both passes
    /// recorded once, unsubmitted, so what the device cannot do (a tensor or a dispatch
    /// over its limits) fails here. An op refusing its operands fails `forward` instead,
    /// as on the CPU.
    pub(crate) fn new(context: &GpuContext, graph: &Graph) -> Result<Loaded, BackendError> {
        let plan = Plan::new(graph);
        let host: Vec<Option<Tensor>> = graph.nodes().iter().map(Node::leaf_value).collect();
        let buffers = Buffers::new(context, graph, &plan, &host)?;
        let mut recorder = context
            .recorder()
            .map_err(|error| from_device(context, error))?;
        let mut fresh = vec![false; graph.len()];
        let dry_run = record::forward(&mut recorder, &plan, &buffers)
            .and_then(|()| record::backward(&mut recorder, graph, &plan, &buffers, &mut fresh));
        drop(recorder);
        let refused = match dry_run {
            Ok(()) => None,
            Err(error @ BackendError::Tensor { .. }) => Some(error),
            Err(error) => return Err(error),
        };
        let mut loaded = Loaded {
            label_errors: vec![None; plan.labels.len()],
            gradients: vec![Gradient::Zero; graph.len()],
            graph: graph.clone(),
            plan,
            buffers,
            host,
            computed: false,
            refused,
            optimizer: None,
            state: ParamState::new(),
            log: OutputLog::new(context).map_err(|error| at_node(graph.output(), error))?,
        };
        for labels in loaded.plan.labels.clone() {
            if let Some(value) = loaded.host[labels.leaf.0].clone() {
                loaded.check_labels(labels.leaf, &value);
            }
        }
        Ok(loaded)
    }

    pub(crate) fn graph_output(&self) -> NodeId {
        self.graph.output()
    }

    fn node(&self, node: NodeId) -> Result<&Node, BackendError> {
        self.graph
            .nodes()
            .get(node.0)
            .ok_or(BackendError::UnknownNode { node })
    }

    /// The buffer a new value of leaf `node` goes to, if `value` may be written there.
    pub(crate) fn writable(
        &self,
        node: NodeId,
        value: &Tensor,
    ) -> Result<&GpuTensor, BackendError> {
        let target = self.node(node)?;
        if !target.op.is_leaf() {
            return Err(BackendError::NotALeaf { node });
        }
        if value.shape() != target.shape {
            return Err(BackendError::ShapeChanged {
                node,
                expected: target.shape.clone(),
                found: value.shape().to_vec(),
            });
        }
        self.buffers.value(node)
    }

    /// Leaf `node` now holds `value`.
    pub(crate) fn wrote(&mut self, node: NodeId, value: &Tensor) {
        self.check_labels(node, value);
        self.host[node.0] = Some(value.clone());
    }

    /// Check a leaf's new value against every `cross_entropy` that reads it as labels.
    fn check_labels(&mut self, node: NodeId, value: &Tensor) {
        for (slot, labels) in self.label_errors.iter_mut().zip(&self.plan.labels) {
            if labels.leaf == node {
                *slot = check_labels(value, labels.classes).err();
            }
        }
    }

    pub(crate) fn forward(&mut self) -> Result<Command, BackendError> {
        if let Some(error) = &self.refused {
            return Err(error.clone());
        }
        let refused_labels = self
            .label_errors
            .iter()
            .zip(&self.plan.labels)
            .filter_map(|(error, labels)| Some((labels.loss, error.clone()?)))
            .min_by_key(|(loss, _)| *loss);
        if let Some((node, error)) = refused_labels {
            return Err(BackendError::Tensor { node, error });
        }
        self.computed = true;
        Ok(Command::Forward)
    }

    pub(crate) fn backward(&mut self) -> Result<Command, BackendError> {
        let output = self.graph.output();
        if !self.graph.node(output).op.is_leaf() && !self.computed {
            return Err(BackendError::NotComputed {
                node: output,
                what: "value",
            });
        }
        let mut fresh = vec![false; self.graph.len()];
        for (index, reached) in self.plan.gradient_reached.iter().enumerate() {
            if *reached {
                fresh[index] = self.gradients[index] != Gradient::Live;
                self.gradients[index] = Gradient::Live;
            }
        }
        Ok(Command::Backward { fresh })
    }

    /// Gradients become logically zero; the buffers are left for the next backward pass to
    /// overwrite (or filled when something reads them first).
    pub(crate) fn zero_grads(&mut self) {
        for gradient in &mut self.gradients {
            if *gradient == Gradient::Live {
                *gradient = Gradient::Stale;
            }
        }
    }

    pub(crate) fn scale_grads(&mut self, factor: f64) -> Vec<Command> {
        let zero_times_factor = 0.0 * factor;
        let mut commands = Vec::new();
        let mut live = Vec::new();
        for id in self.graph.inputs() {
            match self.gradients[id.0] {
                Gradient::Live => live.push(id),
                // 0 · factor is 0 unless the factor is not finite.
                _ if zero_times_factor == 0.0 => {}
                _ => {
                    commands.push(Command::Fill {
                        node: id,
                        value: zero_times_factor as f32,
                    });
                    self.gradients[id.0] = Gradient::Live;
                }
            }
        }
        if !live.is_empty() {
            commands.push(Command::Scale {
                nodes: live,
                factor: factor as f32,
            });
        }
        commands
    }

    pub(crate) fn update(&mut self, rule: UpdateRule, learning_rate: f64) -> Vec<Command> {
        let mut commands = Vec::new();
        for id in self.graph.params() {
            self.host[id.0] = None;
            if self.gradients[id.0] == Gradient::Stale {
                commands.push(Command::Fill {
                    node: id,
                    value: 0.0,
                });
                self.gradients[id.0] = Gradient::Zero;
            }
        }
        let reset = self.optimizer != Some(rule);
        self.optimizer = Some(rule);
        commands.push(Command::Update {
            rule,
            learning_rate,
            reset,
        });
        commands
    }

    /// The command logging the output's value as the last forward pass left it, and
    /// whether the log is then full (and must be sent back with the next submission).
    pub(crate) fn log_output(&mut self) -> Result<(Command, bool), BackendError> {
        let output = self.graph.output();
        if !self.graph.node(output).op.is_leaf() && !self.computed {
            return Err(BackendError::NotComputed {
                node: output,
                what: "value",
            });
        }
        let (slot, full) = self.log.claim();
        Ok((Command::Log { slot }, full))
    }

    /// What a read of `node` returns when the host knows it (`Ok(Some)`), or the buffer to
    /// read back from the GPU (`Ok(None)`, then [`Loaded::buffer`]).
    pub(crate) fn known(
        &self,
        node: NodeId,
        quantity: Quantity,
    ) -> Result<Option<Tensor>, BackendError> {
        let target = self.node(node)?;
        match quantity {
            Quantity::Value => {
                if let Some(value) = &self.host[node.0] {
                    return Ok(Some(value.clone()));
                }
                if !target.op.is_leaf() && !self.computed {
                    return Err(BackendError::NotComputed {
                        node,
                        what: "value",
                    });
                }
            }
            Quantity::Gradient => {
                if target.op != Op::Input {
                    return Err(BackendError::NotComputed {
                        node,
                        what: "gradient",
                    });
                }
                if self.gradients[node.0] != Gradient::Live {
                    return Ok(Some(target.nan().map(|_| 0.0)));
                }
            }
        }
        Ok(None)
    }

    /// The buffer holding `node`'s value or gradient.
    pub(crate) fn buffer(
        &self,
        node: NodeId,
        quantity: Quantity,
    ) -> Result<&GpuTensor, BackendError> {
        match quantity {
            Quantity::Value => self.buffers.value(node),
            Quantity::Gradient => self.buffers.grad(node),
        }
    }

    /// Record what a read needs beyond the queue: the value of a node that a fused layer
    /// computes without storing, computed on its own from its operands as they are now
    /// (as the last forward pass left them, unless an update has changed the weights
    /// since).
    pub(crate) fn prepare_read(
        &self,
        recorder: &mut Recorder<'_>,
        node: NodeId,
        quantity: Quantity,
    ) -> Result<(), BackendError> {
        match quantity {
            Quantity::Value => {
                record::materialize(recorder, &self.graph, &self.plan, &self.buffers, node)
            }
            Quantity::Gradient => Ok(()),
        }
    }

    /// Record one queued command.
    pub(crate) fn record(
        &mut self,
        recorder: &mut Recorder<'_>,
        command: Command,
    ) -> Result<(), BackendError> {
        let Loaded {
            graph,
            plan,
            buffers,
            state,
            log,
            ..
        } = self;
        match command {
            Command::Write { node, data } => recorder
                .write(buffers.value(node)?, &data)
                .map_err(|error| at_node(node, error)),
            Command::Forward => record::forward(recorder, plan, buffers),
            Command::Backward { mut fresh } => {
                record::backward(recorder, graph, plan, buffers, &mut fresh)
            }
            Command::Fill { node, value } => recorder
                .fill(buffers.grad(node)?, value)
                .map_err(|error| at_node(node, error)),
            Command::Scale { nodes, factor } => nodes.iter().try_for_each(|&node| {
                recorder
                    .scale(buffers.grad(node)?, factor)
                    .map_err(|error| at_node(node, error))
            }),
            Command::Update {
                rule,
                learning_rate,
                reset,
            } => {
                if reset {
                    *state = ParamState::new();
                }
                // Every parameter in one dispatch; none (all empty) is nothing to do.
                let Some(packed) = &buffers.packed else {
                    return Ok(());
                };
                let first = graph.params().next().unwrap_or(NodeId(0));
                recorder
                    .update(rule, learning_rate, &packed.values, &packed.grads, state)
                    .map_err(|error| at_node(first, error))
            }
            Command::Log { slot } => {
                let output = graph.output();
                record::materialize(recorder, graph, plan, buffers, output)?;
                log.record(recorder, buffers.value(output)?, slot)
                    .map_err(|error| at_node(output, error))
            }
        }
    }
}

/// The CPU's label rule: whole numbers in `0..classes`.
fn check_labels(labels: &Tensor, classes: usize) -> Result<(), TensorError> {
    for (index, &value) in labels.data().iter().enumerate() {
        if value.fract() != 0.0 || !value.is_finite() {
            return Err(TensorError::LabelNotInteger { index, value });
        }
        if value < 0.0 || value >= classes as f64 {
            return Err(TensorError::LabelOutOfRange {
                index,
                value,
                classes,
            });
        }
    }
    Ok(())
}
