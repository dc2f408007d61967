//! Forward mode and reverse mode, run: the passes each takes for the whole gradient and the
//! operations its steps performed, counted from the step records of the runs with the
//! per-operation conventions of `graph::cost` (an elementary function counts
//! [`FUNCTION_FLOPS`](crate::graph::cost::FUNCTION_FLOPS), +, −, ·, / count 1).
//!
//! What a step computes is what the stepper computes: a forward step applies the op; a
//! tangent step applies the op, evaluates every local derivative and, per operand that is
//! not a constant, multiplies it by the operand's tangent and adds the product in; a
//! backward step evaluates every local derivative, multiplies each by the node's adjoint,
//! and adds each product to an adjoint that already had a contribution.

use crate::engine::record::{Mode, Phase, StepDetail, StepRecord};
use crate::engine::stepper::{EngineError, Stepper};
use crate::graph::Graph;
use crate::graph::cost::{formula_flops, node_flops};
use crate::op::Op;
use crate::tensor::Tensor;

/// One mode's run for the whole gradient.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Run {
    /// Forward mode: one per input; reverse mode: 1.
    pub passes: usize,
    /// Steps taken over every pass.
    pub steps: usize,
    /// Operations of the forward steps (values; forward mode: values and tangents).
    pub forward_operations: u64,
    /// Operations of the backward steps (reverse mode only).
    pub backward_operations: u64,
}

impl Run {
    pub fn operations(&self) -> u64 {
        self.forward_operations + self.backward_operations
    }
}

/// One forward-mode pass per input (scalar programs of elementwise ops), and the output's
/// tangent in each.
pub fn forward_mode(graph: &Graph, inputs: &[Tensor]) -> Result<(Run, Vec<f64>), EngineError> {
    let mut run = Run::default();
    let mut tangents = Vec::new();
    for wrt in graph.inputs() {
        let mut stepper = Stepper::new(graph.clone(), inputs.to_vec(), Mode::Forward { wrt })?;
        stepper.run_to_end();
        let tangent = stepper.tangent(graph.output()).and_then(|t| t.item());
        tangents.push(tangent.unwrap_or(f64::NAN));
        run.passes += 1;
        run.steps += stepper.history().len();
        run.forward_operations += stepper
            .history()
            .iter()
            .map(|record| operations(graph, record))
            .sum::<u64>();
    }
    Ok((run, tangents))
}

/// One reverse-mode pass: the forward steps, then the backward steps.
pub fn reverse_mode(graph: &Graph, inputs: &[Tensor]) -> Result<(Run, Stepper), EngineError> {
    let mut stepper = Stepper::new(graph.clone(), inputs.to_vec(), Mode::Reverse)?;
    stepper.run_to_end();
    let mut run = Run {
        passes: 1,
        steps: stepper.history().len(),
        ..Run::default()
    };
    for record in stepper.history() {
        let count = operations(graph, record);
        match record.phase {
            Phase::Forward | Phase::Recompute => run.forward_operations += count,
            Phase::Backward => run.backward_operations += count,
            Phase::ZeroGrad | Phase::Update => {}
        }
    }
    Ok((run, stepper))
}

/// The operations one step performed.
pub fn operations(graph: &Graph, record: &StepRecord) -> u64 {
    let node = graph.node(record.node);
    let op = node.op;
    let locals = || -> u64 { op.local_derivatives().iter().map(formula_flops).sum() };
    match &record.detail {
        StepDetail::Input { .. } | StepDetail::ZeroGrad { .. } => 0,
        // W − η · (g / K): a division, a product and a difference per element.
        StepDetail::Update { new, .. } => 3 * new.data().len() as u64,
        StepDetail::Compute { .. } => apply(op),
        StepDetail::Tangent { partials, .. } => {
            if op.is_leaf() {
                return 0;
            }
            let varying = node
                .inputs
                .iter()
                .take(partials.len())
                .filter(|input| !graph.node(**input).op.is_constant())
                .count() as u64;
            apply(op) + locals() + 2 * varying
        }
        StepDetail::Visit { updates, .. } => {
            let products = node.inputs.len() as u64;
            let sums = updates.iter().filter(|u| u.previous.is_some()).count() as u64;
            locals() + products + sums
        }
    }
}

/// The operations of applying `op` to numbers once.
fn apply(op: Op) -> u64 {
    let scalars: Vec<&[usize]> = vec![&[]; op.arity()];
    node_flops(op, &scalars, &[]).forward
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::compile;

    fn counts(source: &str, values: &[f64]) -> (Run, Run) {
        let graph = compile(source).unwrap();
        let inputs: Vec<Tensor> = values.iter().map(|&v| Tensor::scalar(v)).collect();
        let (forward, tangents) = forward_mode(&graph, &inputs).unwrap();
        assert_eq!(tangents.len(), forward.passes);
        let (reverse, _) = reverse_mode(&graph, &inputs).unwrap();
        (forward, reverse)
    }

    /// `(x1+x2)*x1`: v3 = x1 + x2 and v4 = v3·x1 cost 1 each. Backward, v4 multiplies
    /// both local derivatives (x1 and v3, read as they are) by v̄4: 2; v3 multiplies
    /// its two 1s by v̄3 and adds 3 to x̄1's 7: 3. Forward mode, per pass: each node's op,
    /// and a product and a sum per operand: 5 + 5.
    #[test]
    fn the_seed_example_counts() {
        let (forward, reverse) = counts("(x1+x2)*x1", &[3.0, 4.0]);
        assert_eq!(
            reverse,
            Run {
                passes: 1,
                steps: 8,
                forward_operations: 2,
                backward_operations: 5
            }
        );
        assert_eq!(
            forward,
            Run {
                passes: 2,
                steps: 8,
                forward_operations: 20,
                backward_operations: 0
            }
        );
    }

    /// The seeds' `y = (W·x + b)²`: forward 1 + 1 + 2; backward: the square's derivative
    /// 2·v (1) times ȳ (1), the sum's two 1s times v̄ (2), the product's two operands
    /// times ū (2).
    #[test]
    fn the_linear_square_counts() {
        let (forward, reverse) = counts("u = W*x; v = u + b; y = v^2", &[2.0, 3.0, 1.0]);
        assert_eq!(
            (reverse.forward_operations, reverse.backward_operations),
            (4, 6)
        );
        assert_eq!((forward.passes, forward.steps), (3, 18));
        // Per pass: u 1 + 4, v 1 + 4, y 2 + 1 + 2.
        assert_eq!(forward.forward_operations, 3 * 15);
    }

    /// More inputs: forward mode's work grows with their number, reverse mode's does not.
    #[test]
    fn forward_mode_grows_with_the_inputs() {
        let program = |n: usize| {
            (1..=n)
                .map(|k| format!("sin(x{k})"))
                .collect::<Vec<_>>()
                .join(" * ")
        };
        let (f4, r4) = counts(&program(4), &[0.5; 4]);
        let (f8, r8) = counts(&program(8), &[0.5; 8]);
        assert_eq!((f4.passes, f8.passes), (4, 8));
        assert!(f8.operations() > 3 * f4.operations(), "{f4:?} {f8:?}");
        assert!(r8.operations() < 3 * r4.operations(), "{r4:?} {r8:?}");
        let ratio = r8.operations() as f64 / r8.forward_operations as f64;
        assert!((1.0..=4.0).contains(&ratio), "{ratio}");
    }
}
