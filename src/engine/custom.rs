//! The gradient check of custom derivatives: at every call of a user function with its own
//! derivative `f'(x) = …`, the declared derivative against central differences of the
//! function's value, element by element (PyTorch's advice for a custom `Function`:
//! gradcheck it before trusting it). A wrong rule is named by its function.

use super::check::relative_error;
use crate::graph::{CustomSite, Graph};
use crate::tensor::Tensor;
use crate::tensor::shape::source_indices;
use serde::Serialize;

/// One custom derivative checked over all its calls.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CustomCheck {
    /// The function whose derivative `f'` was declared.
    pub function: String,
    /// The largest relative error over its calls' elements (NaN if any is NaN).
    #[serde(with = "crate::number::serde_f64")]
    pub max_relative_error: f64,
}

/// Every function with a custom derivative that the program calls, in order of first call.
pub fn check_custom_derivatives(graph: &Graph, inputs: &[Tensor]) -> Vec<CustomCheck> {
    let values = graph.evaluate(inputs);
    let mut checks: Vec<CustomCheck> = Vec::new();
    for site in graph.custom_sites() {
        let error = site_error(graph, inputs, &values, site);
        match checks
            .iter_mut()
            .find(|check| check.function == site.function)
        {
            Some(check) => check.max_relative_error = worse(check.max_relative_error, error),
            None => checks.push(CustomCheck {
                function: site.function.clone(),
                max_relative_error: error,
            }),
        }
    }
    checks
}

/// The larger error, NaN winning.
fn worse(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.max(b)
    }
}

/// The largest relative error of one call's declared derivative.
fn site_error(graph: &Graph, inputs: &[Tensor], values: &[Tensor], site: &CustomSite) -> f64 {
    let argument = &values[site.argument.0];
    let declared = &values[site.derivative.0];
    let sources = (declared.shape() != argument.shape())
        .then(|| source_indices(declared.shape(), argument.shape()));
    let mut error: f64 = 0.0;
    for element in 0..argument.len() {
        let x = argument.data()[element];
        let h = f64::EPSILON.cbrt() * x.abs().max(1.0);
        let value_at = |delta: f64| {
            let mut data = argument.data().to_vec();
            data[element] += delta;
            let nudged = Tensor::from_vec(argument.shape().to_vec(), data)
                .unwrap_or_else(|_| argument.clone());
            let values = graph.evaluate_replacing(inputs, Some((site.argument, &nudged)));
            values[site.value.0]
                .data()
                .get(element)
                .copied()
                .unwrap_or(f64::NAN)
        };
        let numeric = (value_at(h) - value_at(-h)) / (2.0 * h);
        let index = sources.as_ref().map_or(element, |indices| indices[element]);
        let analytic = declared.data().get(index).copied().unwrap_or(f64::NAN);
        error = worse(error, relative_error(analytic, numeric));
    }
    error
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::inputs;
    use crate::program::compile;

    fn checked(source: &str) -> Vec<CustomCheck> {
        let graph = compile(source).unwrap();
        let values = inputs::resolve(&graph, &[], Some(1.0)).unwrap();
        check_custom_derivatives(&graph, &values)
    }

    #[test]
    fn a_right_rule_passes_and_a_wrong_one_is_named() {
        let right = checked(
            "softplus(x) = log(1 + exp(x))\nsoftplus'(x) = sigmoid(x)\nz = [0.5, -1, 2]\nsum(softplus(z * 2))",
        );
        assert_eq!(right.len(), 1);
        assert_eq!(right[0].function, "softplus");
        assert!(right[0].max_relative_error < 1e-8, "{right:?}");
        // The classic slip: the derivative of softplus written as its own value.
        let wrong = checked(
            "softplus(x) = log(1 + exp(x))\nsoftplus'(x) = log(1 + exp(x))\nz = [0.5, -1, 2]\nsum(softplus(z))",
        );
        assert_eq!(wrong[0].function, "softplus");
        assert!(wrong[0].max_relative_error > 0.1, "{wrong:?}");
    }

    #[test]
    fn the_declared_rule_is_what_the_backward_pass_uses() {
        let graph = compile("f(x) = x^3\nf'(x) = 2 * x\nx = 2\nf(x)").unwrap();
        let values = inputs::resolve(&graph, &[], None).unwrap();
        let check = crate::engine::gradient_check(&graph, &values).unwrap();
        // f'(2) should be 12; the declared rule gives 4, and the whole-program check sees it.
        assert_eq!(check.entries[0].analytic, 4.0);
        assert!((check.entries[0].numeric - 12.0).abs() < 1e-6);
        assert_eq!(graph.evaluate(&values)[graph.output().0].item(), Some(8.0));
        let custom = check_custom_derivatives(&graph, &values);
        assert!((custom[0].max_relative_error - 8.0 / 12.0).abs() < 1e-6);
    }
}
