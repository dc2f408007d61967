//! Gradient check: reverse-mode gradients against central finite differences.

use super::record::Mode;
use super::stepper::{EngineError, Stepper};
use crate::graph::{Graph, NodeId};
use crate::tensor::Tensor;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CheckEntry {
    pub input: NodeId,
    /// Which element of the input (row-major), for tensor inputs; 0 for a scalar.
    pub element: usize,
    pub analytic: f64,
    pub numeric: f64,
    pub relative_error: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GradientCheck {
    pub entries: Vec<CheckEntry>,
    /// The largest relative error (NaN if any entry is NaN).
    pub max_relative_error: f64,
}

/// `|a − n| / max(1, |a|, |n|)`: relative for large gradients, absolute for small ones,
/// so a gradient of exactly 0 does not make a tiny rounding error look huge.
pub fn relative_error(analytic: f64, numeric: f64) -> f64 {
    (analytic - numeric).abs() / 1f64.max(analytic.abs()).max(numeric.abs())
}

/// Compare every input element's adjoint with `(f(x + h) − f(x − h)) / 2h`, with
/// `h = ∛ε · max(1, |x|)`, which balances truncation and rounding error. For a tensor
/// output, `f` is the sum of its elements (the backward pass seeds it with ones).
pub fn gradient_check(graph: &Graph, inputs: &[Tensor]) -> Result<GradientCheck, EngineError> {
    let mut stepper = Stepper::new(graph.clone(), inputs.to_vec(), Mode::Reverse)?;
    stepper.run_to_end();
    let mut entries = Vec::new();
    for (slot, id) in graph.inputs().enumerate() {
        let adjoint = stepper.adjoint(id);
        for element in 0..inputs[slot].len() {
            let numeric = numeric_gradient(graph, inputs, slot, element);
            let analytic = adjoint.as_ref().map_or(0.0, |a| a.data()[element]);
            entries.push(CheckEntry {
                input: id,
                element,
                analytic,
                numeric,
                relative_error: relative_error(analytic, numeric),
            });
        }
    }
    let max_relative_error = entries
        .iter()
        .map(|e| e.relative_error)
        .fold(0.0, |max: f64, e| {
            if e.is_nan() || max.is_nan() {
                f64::NAN
            } else {
                max.max(e)
            }
        });
    Ok(GradientCheck {
        entries,
        max_relative_error,
    })
}

/// How near a jump of a local derivative an operand may be for central differences to
/// straddle it (their step is about 6·10⁻⁶ of the input).
const NEAR_A_JUMP: f64 = 1e-4;

/// The nodes where central differences straddle a kink, so a finite-difference check
/// disagrees by design: a one-operand elementwise op whose local derivative jumps (relu and
/// abs at 0) with an element of its operand at the jump, for the inputs `inputs`.
pub fn kinks(graph: &Graph, inputs: &[Tensor]) -> Vec<NodeId> {
    let values = graph.evaluate(inputs);
    graph
        .ids()
        .filter(|&id| {
            let node = graph.node(id);
            let (Some(rule), [operand]) = (node.op.scalar_rule(), node.inputs.as_slice()) else {
                return false;
            };
            let derivatives = rule.derivatives();
            let (operand, out) = (&values[operand.0], &values[id.0]);
            operand.data().iter().zip(out.data()).any(|(&x, &y)| {
                derivatives
                    .iter()
                    .filter_map(|d| d.distance_to_jump(&[x], y))
                    .any(|distance| distance <= NEAR_A_JUMP)
            })
        })
        .collect()
}

/// `(f(x + h) − f(x − h)) / 2h` for one element of the `slot`-th input, where `f` sums the
/// output's elements.
pub fn numeric_gradient(graph: &Graph, inputs: &[Tensor], slot: usize, element: usize) -> f64 {
    let output = graph.output().0;
    let Some(x) = inputs
        .get(slot)
        .and_then(|t| t.data().get(element))
        .copied()
    else {
        return f64::NAN;
    };
    let h = f64::EPSILON.cbrt() * x.abs().max(1.0);
    let nudged = |delta: f64| {
        let mut point = inputs.to_vec();
        point[slot] = nudge(&inputs[slot], element, delta);
        graph.evaluate(&point)[output].data().iter().sum::<f64>()
    };
    (nudged(h) - nudged(-h)) / (2.0 * h)
}

/// `tensor` with `delta` added to one element.
fn nudge(tensor: &Tensor, element: usize, delta: f64) -> Tensor {
    let mut data = tensor.data().to_vec();
    data[element] += delta;
    Tensor::from_vec(tensor.shape().to_vec(), data).unwrap_or_else(|_| tensor.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::compile;

    #[test]
    fn seed_example_passes_the_check() {
        let graph = compile("(x1+x2)*x1").unwrap();
        let check = gradient_check(&graph, &[Tensor::scalar(3.0), Tensor::scalar(4.0)]).unwrap();
        assert_eq!(check.entries[0].analytic, 10.0);
        assert!((check.entries[0].numeric - 10.0).abs() < 1e-8);
        assert!(check.max_relative_error < 1e-9);
    }

    #[test]
    fn a_wrong_gradient_would_be_caught() {
        assert!(relative_error(10.0, 10.5) > 0.04);
        assert!(relative_error(0.0, 1e-12) < 1e-11);
    }

    #[test]
    fn nan_is_reported_not_hidden() {
        let graph = compile("sqrt(x)").unwrap();
        let check = gradient_check(&graph, &[Tensor::scalar(-1.0)]).unwrap();
        assert!(check.max_relative_error.is_nan());
    }
}
