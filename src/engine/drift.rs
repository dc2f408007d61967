//! Gradients stored in a low precision against the f64 run: how far each drifted, and how
//! many of its numbers were lost (nonzero in f64 but 0 as stored, by underflow or by
//! cancellation; or finite but ∞).

use super::record::{Mode, Value};
use super::stepper::Stepper;
use crate::graph::NodeId;
use crate::precision::Precision;

/// One input's gradient both ways.
#[derive(Clone, Debug, PartialEq)]
pub struct Drift {
    pub node: NodeId,
    /// The gradient of the same program stored in f64, without loss scaling.
    pub reference: Value,
    /// The gradient as the stepper computed it (the loss scale divided out).
    pub stored: Value,
    /// Elements nonzero in the reference that are 0 here.
    pub zeroed: usize,
    /// Elements finite in the reference that are ±∞ or NaN here.
    pub overflowed: usize,
    /// The largest |stored − reference| / |reference| over the elements where both are
    /// finite and the reference is nonzero (0 when there are none).
    pub relative_error: f64,
}

/// Each input's gradient of `stepper` (run to the end) against the f64 run; empty in
/// forward mode.
pub fn drift(stepper: &Stepper) -> Vec<Drift> {
    if stepper.mode() != Mode::Reverse {
        return Vec::new();
    }
    let mut run = stepper.clone();
    run.run_to_end();
    let Ok(mut reference) = run.clone().stored_as(Precision::F64, 1.0) else {
        return Vec::new();
    };
    reference.run_to_end();
    run.gradients()
        .into_iter()
        .zip(reference.gradients())
        .filter_map(|((node, stored), (_, reference))| {
            let (stored, reference) = (stored?, reference?);
            let pairs = || stored.data().iter().zip(reference.data());
            let zeroed = pairs().filter(|(s, r)| **r != 0.0 && **s == 0.0).count();
            let overflowed = pairs()
                .filter(|(s, r)| r.is_finite() && !s.is_finite())
                .count();
            let relative_error = pairs()
                .filter(|(s, r)| s.is_finite() && r.is_finite() && **r != 0.0)
                .map(|(s, r)| ((s - r) / r).abs())
                .fold(0.0, f64::max);
            Some(Drift {
                node,
                reference,
                stored,
                zeroed,
                overflowed,
                relative_error,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::compile;
    use crate::tensor::Tensor;

    /// ∂y/∂x = 1e-6 · 1e-3 · 1 = 1e-9 underflows in f16 and is recovered with a scale of
    /// 2¹⁵; ∂y/∂w = x · 1e-3 = 1e-4 survives either way.
    #[test]
    fn underflow_counted_and_rescued() {
        let graph = compile("x = 0.1\nw = 0.000001\ny = (w * x) * 0.001").unwrap();
        let inputs = vec![Tensor::scalar(0.1), Tensor::scalar(1e-6)];
        let plain = Stepper::new(graph, inputs, Mode::Reverse).unwrap();
        let f16 = plain.clone().stored_as(Precision::F16, 1.0).unwrap();
        let drifts = drift(&f16);
        let lost: Vec<usize> = drifts.iter().map(|d| d.zeroed).collect();
        assert_eq!(lost, [1, 0]);
        assert_eq!(drifts[0].stored.item(), Some(0.0));
        assert_eq!(drifts[0].reference.item(), Some(1e-9));
        assert!(drifts[1].relative_error < 1e-3, "{:?}", drifts[1]);
        let scaled = plain.clone().stored_as(Precision::F16, 32768.0).unwrap();
        let drifts = drift(&scaled);
        assert_eq!(drifts.iter().map(|d| d.zeroed).sum::<usize>(), 0);
        // w = 1e-6 is itself an f16 subnormal, stored as 1.0133e-6: x̄ = w · 1e-3 is off by
        // that 1.3 %, not by the scaling.
        assert!(
            drifts.iter().all(|d| d.relative_error < 0.014),
            "{drifts:?}"
        );
        let too_big = plain.clone().stored_as(Precision::F16, 1e6).unwrap();
        assert_eq!(
            drift(&too_big).iter().map(|d| d.overflowed).sum::<usize>(),
            2
        );
        assert!(drift(&plain).iter().all(|d| d.relative_error == 0.0));
    }
}
