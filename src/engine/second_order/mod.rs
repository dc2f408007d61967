//! Second derivatives of scalar programs by differentiating the backward pass: the
//! backward pass is built as a graph ([`build`]), whose nodes hold the first derivatives,
//! and reverse mode run on it gives the Hessian's rows and Hessian–vector products. This
//! doubles the graph (the seeds' point about `create_graph=True`): both counts are kept.

pub mod build;

use super::record::Mode;
use super::scalar_program::{self, ScalarProgramError};
use super::stepper::{EngineError, Stepper};
use crate::graph::{Graph, NodeId, Role};
use crate::op::Op;
use crate::tensor::Tensor;
use thiserror::Error;

pub use build::{BackwardGraph, adjoint_name};

#[derive(Clone, Debug, PartialEq, Error)]
pub enum SecondOrderError {
    #[error(transparent)]
    Scalar(#[from] ScalarProgramError),
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(
        "`{op}`'s derivative uses a function that has no op of its own, so it cannot be differentiated again"
    )]
    NoOp { op: &'static str },
    #[error("the backward pass as a graph would have more than {limit} nodes")]
    TooLarge { limit: usize },
    #[error(
        "the Hessian takes a reverse pass over {nodes} nodes for each of {inputs} inputs: more than {limit} node visits is too much work"
    )]
    TooMuchWork {
        inputs: usize,
        nodes: usize,
        limit: usize,
    },
    #[error("the direction has {found} numbers, and the program has {expected} inputs")]
    Direction { expected: usize, found: usize },
}

/// The most node visits the Hessian's reverse passes (one per input) may take together.
pub const MAX_HESSIAN_WORK: usize = 5_000_000;

/// First and second derivatives of a scalar program at a point.
#[derive(Clone, Debug, PartialEq)]
pub struct SecondOrder {
    pub output: f64,
    /// ∂output/∂input_i, read from the backward graph's gradient nodes.
    pub gradient: Vec<f64>,
    /// `hessian[j][i]` = ∂²output/∂input_j∂input_i: row j is reverse mode on ∂output/∂input_j.
    pub hessian: Vec<Vec<f64>>,
    /// The backward pass as a graph, for listing and stepping.
    pub backward: BackwardGraph,
}

/// The backward graph of a scalar elementwise program at `inputs`.
pub fn backward_graph(graph: &Graph, inputs: &[Tensor]) -> Result<BackwardGraph, SecondOrderError> {
    scalar_program::check(graph)?;
    // Checks the inputs' count and shapes before anything is built.
    Stepper::new(graph.clone(), inputs.to_vec(), Mode::Reverse)?;
    build::build(graph, inputs)
}

/// The gradient and the Hessian of a scalar program at `inputs`: one reverse pass over the
/// backward graph per input.
pub fn second_order(graph: &Graph, inputs: &[Tensor]) -> Result<SecondOrder, SecondOrderError> {
    let backward = backward_graph(graph, inputs)?;
    let (count, nodes) = (backward.gradients.len(), backward.graph.len());
    if count.saturating_mul(nodes) > MAX_HESSIAN_WORK {
        return Err(SecondOrderError::TooMuchWork {
            inputs: count,
            nodes,
            limit: MAX_HESSIAN_WORK,
        });
    }
    let mut gradient = Vec::new();
    let mut hessian = Vec::new();
    for &row in &backward.gradients {
        let (value, derivatives) = reverse(&backward.with_output(row), inputs)?;
        gradient.push(value);
        hessian.push(derivatives);
    }
    let output = backward.graph.evaluate(inputs)[graph.output().0]
        .item()
        .unwrap_or(f64::NAN);
    Ok(SecondOrder {
        output,
        gradient,
        hessian,
        backward,
    })
}

/// The Hessian times `direction` (one number per input) in a single reverse pass: the
/// gradient of `Σ direction_i · ∂output/∂input_i`.
pub fn hessian_vector_product(
    graph: &Graph,
    inputs: &[Tensor],
    direction: &[f64],
) -> Result<Vec<f64>, SecondOrderError> {
    let backward = backward_graph(graph, inputs)?;
    if direction.len() != backward.gradients.len() {
        return Err(SecondOrderError::Direction {
            expected: backward.gradients.len(),
            found: direction.len(),
        });
    }
    let mut nodes = backward.graph.nodes().to_vec();
    let mut total: Option<NodeId> = None;
    for (&v, &gradient) in direction.iter().zip(&backward.gradients) {
        let like = nodes[gradient.0].clone();
        let mut push = |name: String, op: Op, inputs: Vec<NodeId>| {
            let value = match op {
                Op::Const(c) => Some(Tensor::scalar(c)),
                _ => None,
            };
            nodes.push(crate::graph::Node {
                name,
                op,
                inputs,
                span: like.span,
                shape: Vec::new(),
                value,
                role: Role::Value,
                binding: false,
            });
            NodeId(nodes.len() - 1)
        };
        let weight = push(crate::number::format_number(v), Op::Const(v), vec![]);
        let term = push(format!("v·{}", like.name), Op::Mul, vec![weight, gradient]);
        total = Some(match total {
            None => term,
            Some(previous) => push("v·∇".to_string(), Op::Add, vec![previous, term]),
        });
    }
    let Some(total) = total else {
        return Ok(Vec::new());
    };
    let (_, product) = reverse(&Graph::from_nodes(nodes, total), inputs)?;
    Ok(product)
}

/// The output's value and its gradient by each input, by one reverse pass.
fn reverse(graph: &Graph, inputs: &[Tensor]) -> Result<(f64, Vec<f64>), SecondOrderError> {
    let mut stepper = Stepper::new(graph.clone(), inputs.to_vec(), Mode::Reverse)?;
    stepper.run_to_end();
    let value = stepper.scalar_value(graph.output()).unwrap_or(f64::NAN);
    let gradient = stepper
        .gradients()
        .into_iter()
        .map(|(_, g)| g.and_then(|g| g.item()).unwrap_or(f64::NAN))
        .collect();
    Ok((value, gradient))
}

#[cfg(test)]
mod tests;
