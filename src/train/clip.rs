//! Gradient clipping by global norm (PyTorch's `clip_grad_norm_`): when the norm of all
//! parameter gradients together, `‖g‖ = √(Σ g²)`, exceeds a cap, every gradient is scaled
//! by `cap / ‖g‖`, so the direction is kept and the norm becomes the cap. PyTorch divides by
//! `‖g‖ + 1e-6`; here the factor is exact, so the clipped norm is the cap to rounding.

use crate::tensor::Tensor;

/// The global norm of a step's gradients, before and after clipping.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GradientNorm {
    pub before: f64,
    pub after: f64,
}

/// `√(Σ g²)` over every element of every gradient (NaN if any element is NaN).
pub fn global_norm(gradients: &[Tensor]) -> f64 {
    gradients
        .iter()
        .flat_map(|gradient| gradient.data())
        .map(|g| g * g)
        .sum::<f64>()
        .sqrt()
}

/// The factor that brings a global norm of `norm` down to `cap`: `None` when it is within
/// the cap already (or not a number: clipping cannot repair a NaN).
pub fn clip_factor(norm: f64, cap: f64) -> Option<f64> {
    (norm.is_finite() && norm > cap).then(|| cap / norm)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_global_norm_is_over_all_gradients_together() {
        let a = Tensor::from_vec(vec![2], vec![3.0, 0.0]).unwrap();
        let b = Tensor::scalar(4.0);
        assert_eq!(global_norm(&[a, b]), 5.0);
        assert_eq!(clip_factor(5.0, 1.0), Some(0.2));
        assert_eq!(clip_factor(5.0, 5.0), None, "at the cap: untouched");
        assert_eq!(clip_factor(0.5, 1.0), None);
        assert_eq!(clip_factor(f64::NAN, 1.0), None);
        assert_eq!(clip_factor(f64::INFINITY, 1.0), None);
    }
}
