//! Gradient check: reverse-mode gradients against central finite differences.

use super::record::Mode;
use super::stepper::{EngineError, Stepper};
use crate::graph::{Graph, NodeId};
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CheckEntry {
    pub input: NodeId,
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

/// Compare every input's adjoint with `(f(x + h) − f(x − h)) / 2h`, with
/// `h = ∛ε · max(1, |x|)`, which balances truncation and rounding error.
pub fn gradient_check(graph: &Graph, inputs: &[f64]) -> Result<GradientCheck, EngineError> {
    let mut stepper = Stepper::new(graph.clone(), inputs.to_vec(), Mode::Reverse)?;
    stepper.run_to_end();
    let output = graph.output().0;
    let f = |point: &[f64]| graph.evaluate(point)[output];
    let entries: Vec<CheckEntry> = graph
        .inputs()
        .enumerate()
        .map(|(slot, id)| {
            let h = f64::EPSILON.cbrt() * inputs[slot].abs().max(1.0);
            let mut plus = inputs.to_vec();
            let mut minus = inputs.to_vec();
            plus[slot] += h;
            minus[slot] -= h;
            let numeric = (f(&plus) - f(&minus)) / (2.0 * h);
            let analytic = stepper.adjoint(id).unwrap_or(0.0);
            CheckEntry {
                input: id,
                analytic,
                numeric,
                relative_error: relative_error(analytic, numeric),
            }
        })
        .collect();
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::compile;

    #[test]
    fn seed_example_passes_the_check() {
        let graph = compile("(x1+x2)*x1").unwrap();
        let check = gradient_check(&graph, &[3.0, 4.0]).unwrap();
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
        let check = gradient_check(&graph, &[-1.0]).unwrap();
        assert!(check.max_relative_error.is_nan());
    }
}
