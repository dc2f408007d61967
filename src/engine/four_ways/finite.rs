//! Finite differences over a sweep of step sizes: the forward difference
//! `(f(x + h) − f(x)) / h` and the central difference `(f(x + h) − f(x − h)) / 2h` for
//! h = 10⁻¹ … 10⁻¹⁵, each with its error against the reverse-mode gradient. Large h
//! errs by truncation (∝ h for forward differences, ∝ h² for central ones), small h by
//! round-off (∝ ε/h), so the error is smallest in between: near √ε for forward
//! differences and near ∛ε for central ones (times the input's scale).

use crate::graph::Graph;
use crate::tensor::Tensor;

/// The step sizes of the sweep are `10^-k` for these `k`.
pub const EXPONENTS: std::ops::RangeInclusive<i32> = 1..=15;

/// One step size of the sweep for one input.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sample {
    pub h: f64,
    pub forward: f64,
    pub central: f64,
    /// `|forward − gradient|`.
    pub forward_error: f64,
    /// `|central − gradient|`.
    pub central_error: f64,
}

/// The sweep for one input.
#[derive(Clone, Debug, PartialEq)]
pub struct Sweep {
    pub samples: Vec<Sample>,
    /// The h with the smallest central-difference error (the first of equals).
    pub best_central: f64,
    /// The h with the smallest forward-difference error.
    pub best_forward: f64,
    /// ∛ε · max(1, |x|), where the central difference's error is expected to be least.
    pub expected_central: f64,
    /// √ε · max(1, |x|), the same for the forward difference.
    pub expected_forward: f64,
    /// Evaluations of the whole program the sweep took.
    pub evaluations: usize,
}

/// The sweep for the `slot`-th input (a scalar) against `gradient`.
pub fn sweep(graph: &Graph, inputs: &[Tensor], slot: usize, gradient: f64) -> Sweep {
    let x = inputs.get(slot).and_then(Tensor::item).unwrap_or(f64::NAN);
    let mut evaluations = 0;
    let mut f = |value: f64| {
        evaluations += 1;
        let mut point = inputs.to_vec();
        if let Some(input) = point.get_mut(slot) {
            *input = Tensor::scalar(value);
        }
        graph.evaluate(&point)[graph.output().0]
            .item()
            .unwrap_or(f64::NAN)
    };
    let at_x = f(x);
    let samples: Vec<Sample> = EXPONENTS
        .map(|k| {
            let h = 10f64.powi(-k);
            let (above, below) = (f(x + h), f(x - h));
            let forward = (above - at_x) / h;
            let central = (above - below) / (2.0 * h);
            Sample {
                h,
                forward,
                central,
                forward_error: (forward - gradient).abs(),
                central_error: (central - gradient).abs(),
            }
        })
        .collect();
    let best = |error: fn(&Sample) -> f64| {
        samples
            .iter()
            .filter(|s| !error(s).is_nan())
            .min_by(|a, b| error(a).total_cmp(&error(b)))
            .map_or(f64::NAN, |s| s.h)
    };
    let scale = x.abs().max(1.0);
    Sweep {
        best_central: best(|s| s.central_error),
        best_forward: best(|s| s.forward_error),
        expected_central: f64::EPSILON.cbrt() * scale,
        expected_forward: f64::EPSILON.sqrt() * scale,
        samples,
        evaluations,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::compile;

    fn sweep_of(source: &str, x: f64, gradient: f64) -> Sweep {
        let graph = compile(source).unwrap();
        sweep(&graph, &[Tensor::scalar(x)], 0, gradient)
    }

    fn within_a_decade(h: f64, expected: f64) -> bool {
        (h / expected).log10().abs() <= 1.0
    }

    #[test]
    fn the_central_error_is_least_near_the_cube_root_of_epsilon() {
        for (source, x, gradient) in [
            ("exp(x)", 1.0, 1f64.exp()),
            ("sin(x)", 1.0, 1f64.cos()),
            ("x^3 + 1/x", 0.8, 3.0 * 0.64 - 1.0 / 0.64),
            (
                "tanh(x)*x",
                -0.5,
                -(0.5f64.tanh()) - 0.5 * (1.0 - 0.5f64.tanh().powi(2)),
            ),
        ] {
            let sweep = sweep_of(source, x, gradient);
            assert!(
                within_a_decade(sweep.best_central, sweep.expected_central),
                "{source}: central best at {} vs {}",
                sweep.best_central,
                sweep.expected_central
            );
            assert!(
                within_a_decade(sweep.best_forward, sweep.expected_forward),
                "{source}: forward best at {} vs {}",
                sweep.best_forward,
                sweep.expected_forward
            );
            let error = |h: f64| {
                let s = sweep.samples.iter().find(|s| s.h == h).unwrap();
                s.central_error
            };
            // Truncation: two decades of h take about four off the error (∝ h²).
            assert!(error(1e-1) > 1e3 * error(1e-3), "{source}: {sweep:?}");
            // Round-off: below the best h the error grows again.
            assert!(error(1e-13) > 10.0 * error(sweep.best_central), "{source}");
            assert_eq!(sweep.evaluations, 31);
            assert_eq!(sweep.samples.len(), 15);
        }
    }

    #[test]
    fn the_forward_difference_truncates_linearly() {
        let sweep = sweep_of("exp(x)", 0.0, 1.0);
        let first = sweep.samples[0];
        // (e^h − 1)/h − 1 ≈ h/2 at h = 0.1.
        assert!(
            (first.forward_error - 0.0517091807564771).abs() < 1e-12,
            "{first:?}"
        );
        assert!(
            (first.central_error - 0.00166750019844).abs() < 1e-10,
            "{first:?}"
        );
    }
}
