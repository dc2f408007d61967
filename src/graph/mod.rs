//! The computation graph: an arena of nodes whose inputs always have smaller ids, so
//! index order is a topological order and the backward pass is a reverse walk.
//!
//! A variable used twice is one node with two consumers: that is where the chain rule
//! sums over paths.

pub mod cost;
mod lower;

use crate::data::DataSpec;
use crate::lang::Span;
use crate::op::{Leaf, Op};
use crate::tensor::Tensor;
use serde::{Deserialize, Serialize};

pub use lower::{LowerError, lower};

/// Index of a node in its [`Graph`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NodeId(pub usize);

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Node {
    /// Inputs and bindings keep their names; other intermediates are numbered `v3`, `v4`, ….
    pub name: String,
    pub op: Op,
    /// Always smaller ids than this node's own.
    pub inputs: Vec<NodeId>,
    /// Where the node comes from in the source.
    pub span: Span,
    /// The shape of the node's value (`[]` for a scalar), worked out when lowering.
    #[serde(default)]
    pub shape: Vec<usize>,
    /// For leaves: an input's default (`x1 = 3`, `W = [[1, 2]]`) or a literal's value.
    pub value: Option<Tensor>,
    /// What an input is for in training; plain values for everything else.
    #[serde(default, skip_serializing_if = "Role::is_value")]
    pub role: Role,
    /// Whether a binding names this computed node (`h = relu(z)`): the nodes lowered for
    /// the binding's expression end here, which the graph view can draw as one box.
    #[serde(default, skip_serializing_if = "is_false")]
    pub binding: bool,
}

fn is_false(flag: &bool) -> bool {
    !flag
}

impl Node {
    /// A value of the node's shape that is all NaN: what a failed op produces.
    pub fn nan(&self) -> Tensor {
        Tensor::full(&self.shape, f64::NAN).unwrap_or_else(|_| Tensor::scalar(f64::NAN))
    }

    /// A leaf's value before anything is written: a number's constant, a literal's tensor,
    /// an input's default (zeros of its shape when it has none). `None` for computed nodes.
    pub fn leaf_value(&self) -> Option<Tensor> {
        Some(match self.op.leaf()? {
            Leaf::Number(c) => Tensor::scalar(c),
            Leaf::Input | Leaf::Literal => self
                .value
                .clone()
                .unwrap_or_else(|| self.nan().map(|_| 0.0)),
        })
    }

    /// Whether the node holds a single number.
    pub fn is_scalar(&self) -> bool {
        self.shape.is_empty()
    }
}

/// What an input node is for when a program is trained.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A value the program reads (the default for every node).
    #[default]
    Value,
    /// A trainable parameter, `W = param(randn([2, 16], 1))`: optimizers update it.
    Param,
    /// The features of a minibatch, `X = features(moons, 256, 64)`: `[batch, 2]`.
    Features(DataSpec),
    /// The class labels of the same minibatch, `y = labels(moons, 256, 64)`: `[batch]`.
    Labels(DataSpec),
}

impl Role {
    pub fn is_value(&self) -> bool {
        *self == Role::Value
    }

    /// The dataset a features or labels input draws from.
    pub fn data(&self) -> Option<&DataSpec> {
        match self {
            Role::Features(spec) | Role::Labels(spec) => Some(spec),
            Role::Value | Role::Param => None,
        }
    }
}

/// Deserializing checks the arena invariant, so a graph from outside cannot make the
/// engine index out of bounds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawGraph")]
pub struct Graph {
    nodes: Vec<Node>,
    output: NodeId,
    /// The calls of user functions with a custom derivative: what lowering knew, not part
    /// of a serialized graph (links and embeds carry the program, which is lowered again).
    #[serde(skip)]
    custom: Vec<CustomSite>,
}

/// A call of a user function with a custom derivative `f'(x) = …`: `value` is the
/// function's own value at `argument`, `derivative` the declared derivative there, and
/// `result` (what the call gives) has `value`'s value but sends `upstream · derivative` back
/// to `argument`. The gradient check compares `derivative` with central differences of
/// `value`.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomSite {
    pub function: String,
    pub argument: NodeId,
    pub value: NodeId,
    pub derivative: NodeId,
    pub result: NodeId,
}

#[derive(Deserialize)]
struct RawGraph {
    nodes: Vec<Node>,
    output: NodeId,
}

impl TryFrom<RawGraph> for Graph {
    type Error = String;

    fn try_from(raw: RawGraph) -> Result<Graph, String> {
        if raw.output.0 >= raw.nodes.len() {
            return Err(format!("output node {} does not exist", raw.output.0));
        }
        for (id, node) in raw.nodes.iter().enumerate() {
            if node.inputs.len() != node.op.arity() {
                return Err(format!(
                    "node {id} ({}) has {} inputs",
                    node.op.name(),
                    node.inputs.len()
                ));
            }
            if let Some(bad) = node.inputs.iter().find(|input| input.0 >= id) {
                return Err(format!(
                    "node {id} reads node {}, which does not come before it",
                    bad.0
                ));
            }
            let shape = match &node.value {
                Some(value) if node.op.is_leaf() => value.shape().to_vec(),
                _ if node.op.is_leaf() => Vec::new(),
                _ => {
                    let shapes: Vec<&[usize]> = node
                        .inputs
                        .iter()
                        .map(|input| &raw.nodes[input.0].shape[..])
                        .collect();
                    crate::tensor::ops::output_shape(node.op, &shapes)
                        .map_err(|error| format!("node {id}: {error}"))?
                }
            };
            if shape != node.shape {
                return Err(format!("node {id} has the wrong shape"));
            }
        }
        Ok(Graph {
            nodes: raw.nodes,
            output: raw.output,
            custom: Vec::new(),
        })
    }
}

impl Graph {
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.0]
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    pub fn output(&self) -> NodeId {
        self.output
    }

    pub fn ids(&self) -> impl DoubleEndedIterator<Item = NodeId> + '_ {
        (0..self.nodes.len()).map(NodeId)
    }

    /// The input nodes, in the order they first appear in the program.
    pub fn inputs(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.ids().filter(|&id| self.node(id).op == Op::Input)
    }

    /// The trainable parameters, in graph order.
    pub fn params(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.ids().filter(|&id| self.node(id).role == Role::Param)
    }

    pub fn find(&self, name: &str) -> Option<NodeId> {
        self.ids().find(|&id| self.node(id).name == name)
    }

    /// The nodes that read `id`, each once, in id order.
    pub fn consumers(&self, id: NodeId) -> Vec<NodeId> {
        self.ids()
            .filter(|&c| self.node(c).inputs.contains(&id))
            .collect()
    }

    /// The calls of user functions with a custom derivative.
    pub fn custom_sites(&self) -> &[CustomSite] {
        &self.custom
    }

    /// Every node's value at once, with `inputs[k]` for the k-th input node. An op that
    /// refuses its operands (a label out of range) gives NaN in its shape.
    pub fn evaluate(&self, inputs: &[Tensor]) -> Vec<Tensor> {
        self.evaluate_replacing(inputs, None)
    }

    /// [`Graph::evaluate`], with one node's value replaced (the nodes after it computed
    /// from the replacement): how a finite difference nudges an intermediate value.
    pub fn evaluate_replacing(
        &self,
        inputs: &[Tensor],
        replaced: Option<(NodeId, &Tensor)>,
    ) -> Vec<Tensor> {
        let mut values: Vec<Tensor> = Vec::with_capacity(self.len());
        let mut next_input = inputs.iter();
        for (id, node) in self.nodes.iter().enumerate() {
            let value = match node.op.leaf() {
                Some(Leaf::Input) => next_input.next().cloned(),
                Some(Leaf::Number(c)) => Some(Tensor::scalar(c)),
                Some(Leaf::Literal) => node.value.clone(),
                None => {
                    let args: Vec<&Tensor> = node.inputs.iter().map(|i| &values[i.0]).collect();
                    crate::tensor::ops::forward(node.op, &args).ok()
                }
            };
            let value = match replaced {
                Some((at, replacement)) if at.0 == id => Some(replacement.clone()),
                _ => value,
            };
            values.push(value.unwrap_or_else(|| node.nan()));
        }
        values
    }

    /// Build a graph from parts, checking the arena invariant. Used by lowering and tests.
    pub(crate) fn from_nodes(nodes: Vec<Node>, output: NodeId) -> Graph {
        debug_assert!(output.0 < nodes.len());
        debug_assert!(nodes.iter().enumerate().all(|(id, node)| {
            node.inputs.len() == node.op.arity() && node.inputs.iter().all(|i| i.0 < id)
        }));
        Graph {
            nodes,
            output,
            custom: Vec::new(),
        }
    }

    /// The graph with the calls of functions with a custom derivative recorded.
    pub(crate) fn with_custom_sites(self, custom: Vec<CustomSite>) -> Graph {
        Graph { custom, ..self }
    }
}
