//! The backward pass as a graph: the forward nodes, then for each node in reverse order its
//! local derivatives (the op table's formulas, lowered to nodes over its operands and its
//! own value), their products with its adjoint, and each adjoint as the sum of what it
//! received. Running reverse mode on this graph differentiates the backward pass itself
//! (PyTorch's `create_graph=True`): gradients of gradients.

use super::SecondOrderError;
use crate::graph::{Graph, Node, NodeId, Role};
use crate::number::format_number;
use crate::op::Op;
use crate::op::formula::{Formula, Function};
use crate::tensor::Tensor;

/// The most nodes a backward graph may have.
pub const MAX_NODES: usize = 100_000;

/// The forward graph with the backward pass appended as nodes.
#[derive(Clone, Debug, PartialEq)]
pub struct BackwardGraph {
    /// Every node, forward ones first (same ids); its output is the forward output.
    pub graph: Graph,
    /// How many nodes the forward graph has.
    pub forward_len: usize,
    /// For each input (in graph order), the node holding its adjoint ∂output/∂input.
    pub gradients: Vec<NodeId>,
}

impl BackwardGraph {
    /// The same nodes with `output` as the output.
    pub fn with_output(&self, output: NodeId) -> Graph {
        Graph::from_nodes(self.graph.nodes().to_vec(), output)
    }

    /// The nodes added for the backward pass, constants left out.
    pub fn backward_nodes(&self) -> usize {
        count_computed(&self.graph.nodes()[self.forward_len..])
    }

    /// The forward graph's computed nodes.
    pub fn forward_nodes(&self) -> usize {
        count_computed(&self.graph.nodes()[..self.forward_len])
    }
}

fn count_computed(nodes: &[Node]) -> usize {
    nodes.iter().filter(|n| !n.op.is_leaf()).count()
}

/// `x1` → `x̄1`: the adjoint's name as the explanations write it.
pub fn adjoint_name(name: &str) -> String {
    let mut chars = name.chars();
    let first = chars.next().map(String::from).unwrap_or_default();
    format!("{first}\u{304}{}", chars.as_str())
}

struct Builder {
    nodes: Vec<Node>,
    /// The forward values, for the steps (relu′, sign) fixed at the current point.
    values: Vec<f64>,
}

impl Builder {
    fn push(
        &mut self,
        name: String,
        op: Op,
        inputs: Vec<NodeId>,
        like: NodeId,
    ) -> Result<NodeId, SecondOrderError> {
        if self.nodes.len() >= MAX_NODES {
            return Err(SecondOrderError::TooLarge { limit: MAX_NODES });
        }
        let span = self.nodes[like.0].span;
        let value = match op {
            Op::Const(c) => Some(Tensor::scalar(c)),
            _ => None,
        };
        self.nodes.push(Node {
            name,
            op,
            inputs,
            span,
            shape: Vec::new(),
            value,
            role: Role::Value,
            binding: false,
        });
        Ok(NodeId(self.nodes.len() - 1))
    }

    fn constant(&mut self, c: f64, like: NodeId) -> Result<NodeId, SecondOrderError> {
        self.push(format_number(c), Op::Const(c), vec![], like)
    }

    /// A local-derivative formula as nodes over `operands` and the node `out`; `name` goes
    /// on its root, its parts are named `t` and their id.
    fn formula(
        &mut self,
        formula: &Formula,
        operands: &[NodeId],
        out: NodeId,
        name: Option<&str>,
    ) -> Result<NodeId, SecondOrderError> {
        let part = |b: &mut Builder, f: &Formula| b.formula(f, operands, out, None);
        let (op, inputs) = match formula {
            Formula::Num(c) => return self.constant(*c, out),
            Formula::Arg(i) => {
                return match operands.get(*i) {
                    Some(&operand) => Ok(operand),
                    None => self.constant(f64::NAN, out),
                };
            }
            Formula::Out => return Ok(out),
            // Steps are constant where they have a derivative: their value at this point.
            Formula::Positive(_) | Formula::Call(Function::Sign, _) => {
                let args: Vec<f64> = operands.iter().map(|id| self.values[id.0]).collect();
                let value = formula.eval(&args, self.values[out.0]);
                return self.constant(value, out);
            }
            Formula::Call(Function::NormalCdf | Function::NormalPdf, _) => {
                return Err(SecondOrderError::NoOp {
                    op: self.nodes[out.0].op.name(),
                });
            }
            Formula::Neg(a) => (Op::Neg, vec![part(self, a)?]),
            Formula::Add(a, b) => (Op::Add, vec![part(self, a)?, part(self, b)?]),
            Formula::Sub(a, b) => (Op::Sub, vec![part(self, a)?, part(self, b)?]),
            Formula::Mul(a, b) => (Op::Mul, vec![part(self, a)?, part(self, b)?]),
            Formula::Div(a, b) => (Op::Div, vec![part(self, a)?, part(self, b)?]),
            Formula::Pow(a, b) => match **b {
                Formula::Num(n) => (Op::PowConst(n), vec![part(self, a)?]),
                _ => (Op::Pow, vec![part(self, a)?, part(self, b)?]),
            },
            Formula::Call(Function::Ln, a) => (Op::Log, vec![part(self, a)?]),
            Formula::Call(Function::Sin, a) => (Op::Sin, vec![part(self, a)?]),
            Formula::Call(Function::Cos, a) => (Op::Cos, vec![part(self, a)?]),
        };
        let name = name.map_or_else(|| format!("t{}", self.nodes.len()), str::to_string);
        self.push(name, op, inputs, out)
    }
}

/// The backward graph of a scalar elementwise `graph` (checked by the caller) at `inputs`.
pub fn build(graph: &Graph, inputs: &[Tensor]) -> Result<BackwardGraph, SecondOrderError> {
    let values: Vec<f64> = graph
        .evaluate(inputs)
        .iter()
        .map(|v| v.item().unwrap_or(f64::NAN))
        .collect();
    let mut b = Builder {
        nodes: graph.nodes().to_vec(),
        values,
    };
    let forward_len = graph.len();
    // What each forward node's adjoint has received so far, in arrival order.
    let mut received: Vec<Vec<NodeId>> = vec![Vec::new(); forward_len];
    let output = graph.output();
    let mut adjoints: Vec<Option<NodeId>> = vec![None; forward_len];
    for id in graph.ids().rev() {
        let node = graph.node(id);
        if node.op.is_constant() {
            continue;
        }
        let seed = if id == output {
            Some(b.constant(1.0, id)?)
        } else {
            None
        };
        let adjoint = match sum(
            &mut b,
            seed.into_iter().chain(received[id.0].clone()).collect(),
            id,
            &node.name,
        )? {
            Some(adjoint) => adjoint,
            None => continue,
        };
        adjoints[id.0] = Some(adjoint);
        let operands = node.inputs.clone();
        for (formula, &target) in node.op.local_derivatives().iter().zip(&operands) {
            if graph.node(target).op.is_constant() {
                continue;
            }
            let local_name = format!("∂{}/∂{}", node.name, graph.node(target).name);
            let contribution = match formula {
                Formula::Num(n) if *n == 1.0 => adjoint,
                Formula::Num(n) if *n == -1.0 => {
                    let name = format!("-{}", b.nodes[adjoint.0].name);
                    b.push(name, Op::Neg, vec![adjoint], id)?
                }
                _ => {
                    let local = b.formula(formula, &operands, id, Some(&local_name))?;
                    let name = format!("{local_name}·{}", b.nodes[adjoint.0].name);
                    b.push(name, Op::Mul, vec![local, adjoint], id)?
                }
            };
            received[target.0].push(contribution);
        }
    }
    let mut gradients = Vec::new();
    for id in graph.inputs() {
        let gradient = match adjoints[id.0] {
            Some(adjoint) => adjoint,
            None => b.constant(0.0, id)?,
        };
        gradients.push(gradient);
    }
    Ok(BackwardGraph {
        graph: Graph::from_nodes(b.nodes, output),
        forward_len,
        gradients,
    })
}

/// A node's adjoint: the sum of what it received (a copy when that is a single node made
/// for another purpose), named `v̄`; `None` when nothing reached it.
fn sum(
    b: &mut Builder,
    parts: Vec<NodeId>,
    of: NodeId,
    name: &str,
) -> Result<Option<NodeId>, SecondOrderError> {
    let name = adjoint_name(name);
    let Some((&first, rest)) = parts.split_first() else {
        return Ok(None);
    };
    if rest.is_empty() {
        return b.push(name, Op::Identity, vec![first], of).map(Some);
    }
    let mut total = first;
    for (k, &part) in rest.iter().enumerate() {
        let label = if k + 1 == rest.len() {
            name.clone()
        } else {
            format!("{name}·{}", k + 2)
        };
        total = b.push(label, Op::Add, vec![total, part], of)?;
    }
    Ok(Some(total))
}
