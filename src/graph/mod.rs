//! The computation graph: an arena of nodes whose inputs always have smaller ids, so
//! index order is a topological order and the backward pass is a reverse walk.
//!
//! A variable used twice is one node with two consumers: that is where the chain rule
//! sums over paths.

pub mod formula;
mod lower;
pub mod op;

use crate::lang::Span;
use serde::{Deserialize, Serialize};

pub use formula::Formula;
pub use lower::{LowerError, lower};
pub use op::Op;

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
    /// For inputs bound to a constant (`x1 = 3`): the default value.
    pub default: Option<f64>,
}

/// Deserializing checks the arena invariant, so a graph from outside cannot make the
/// engine index out of bounds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawGraph")]
pub struct Graph {
    nodes: Vec<Node>,
    output: NodeId,
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
        }
        Ok(Graph {
            nodes: raw.nodes,
            output: raw.output,
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

    pub fn find(&self, name: &str) -> Option<NodeId> {
        self.ids().find(|&id| self.node(id).name == name)
    }

    /// The nodes that read `id`, each once, in id order.
    pub fn consumers(&self, id: NodeId) -> Vec<NodeId> {
        self.ids()
            .filter(|&c| self.node(c).inputs.contains(&id))
            .collect()
    }

    /// Evaluate every node's value at once, with `inputs[k]` for the k-th input node.
    pub fn evaluate(&self, inputs: &[f64]) -> Vec<f64> {
        let mut values: Vec<f64> = Vec::with_capacity(self.len());
        let mut next_input = inputs.iter();
        for node in &self.nodes {
            let value = if node.op == Op::Input {
                next_input.next().copied().unwrap_or(f64::NAN)
            } else {
                let args: Vec<f64> = node.inputs.iter().map(|i| values[i.0]).collect();
                node.op.apply(&args)
            };
            values.push(value);
        }
        values
    }

    /// Build a graph from parts, checking the arena invariant. Used by lowering and tests.
    pub(crate) fn from_nodes(nodes: Vec<Node>, output: NodeId) -> Graph {
        debug_assert!(output.0 < nodes.len());
        debug_assert!(nodes.iter().enumerate().all(|(id, node)| {
            node.inputs.len() == node.op.arity() && node.inputs.iter().all(|i| i.0 < id)
        }));
        Graph { nodes, output }
    }
}
