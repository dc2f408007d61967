//! Input values: parsing `x1=3,x2=4` assignments and matching them to a graph's inputs.

use crate::graph::{Graph, NodeId};
use crate::tensor::Tensor;
use thiserror::Error;

#[derive(Clone, Debug, PartialEq, Error)]
pub enum InputError {
    #[error("`{text}` is not an assignment like `x1=3`")]
    Malformed { text: String },
    #[error("`{text}` is not a number (in the value of `{name}`)")]
    NotANumber { name: String, text: String },
    #[error("the program has no input named `{name}`")]
    Unknown { name: String, inputs: Vec<String> },
    #[error("`{name}` is given twice")]
    Duplicate { name: String },
    #[error("no value for input `{name}`")]
    Missing { name: String },
    #[error("`{name}` is a tensor of shape {}; its values are set in the program", crate::tensor::shape_text(.shape))]
    NotScalar { name: String, shape: Vec<usize> },
}

/// Parse `x1=3,x2=-4.5` (spaces allowed, `;` also separates) into name–value pairs.
pub fn parse_assignments(text: &str) -> Result<Vec<(String, f64)>, InputError> {
    let mut pairs: Vec<(String, f64)> = Vec::new();
    for part in text
        .split([',', ';'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let Some((name, value)) = part.split_once('=') else {
            return Err(InputError::Malformed {
                text: part.to_string(),
            });
        };
        let name = name.trim().to_string();
        if name.is_empty() {
            return Err(InputError::Malformed {
                text: part.to_string(),
            });
        }
        let value = parse_value(value.trim()).ok_or_else(|| InputError::NotANumber {
            name: name.clone(),
            text: value.trim().to_string(),
        })?;
        if pairs.iter().any(|(n, _)| *n == name) {
            return Err(InputError::Duplicate { name });
        }
        pairs.push((name, value));
    }
    Ok(pairs)
}

/// A number as users type it, including `nan`, `inf` and `-inf`.
fn parse_value(text: &str) -> Option<f64> {
    match text.to_ascii_lowercase().as_str() {
        "nan" => Some(f64::NAN),
        "inf" | "+inf" | "infinity" | "∞" => Some(f64::INFINITY),
        "-inf" | "-infinity" | "-∞" => Some(f64::NEG_INFINITY),
        _ => text.parse().ok(),
    }
}

/// One value per input node, in [`Graph::inputs`] order: from `given`, else the binding's
/// default, else `fallback` (the UI's starting value; `None` makes a missing value an error).
/// Only scalar inputs can be given; tensors keep the value the program gives them.
pub fn resolve(
    graph: &Graph,
    given: &[(String, f64)],
    fallback: Option<f64>,
) -> Result<Vec<Tensor>, InputError> {
    let inputs: Vec<NodeId> = graph.inputs().collect();
    if let Some((name, _)) = given
        .iter()
        .find(|(name, _)| !inputs.iter().any(|&id| graph.node(id).name == *name))
    {
        return Err(InputError::Unknown {
            name: name.clone(),
            inputs: inputs
                .iter()
                .map(|&id| graph.node(id).name.clone())
                .collect(),
        });
    }
    inputs
        .iter()
        .map(|&id| {
            let node = graph.node(id);
            let given = given.iter().find(|(name, _)| *name == node.name);
            match given {
                Some(_) if !node.is_scalar() => Err(InputError::NotScalar {
                    name: node.name.clone(),
                    shape: node.shape.clone(),
                }),
                Some((_, value)) => Ok(Tensor::scalar(*value)),
                None => node
                    .value
                    .clone()
                    .or(fallback.map(Tensor::scalar))
                    .ok_or_else(|| InputError::Missing {
                        name: node.name.clone(),
                    }),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::compile;

    #[test]
    fn parses_assignment_lists() {
        let pairs = parse_assignments(" x1=3, x2 = -4.5;y=1e-3 ").unwrap();
        assert_eq!(
            pairs,
            [("x1".into(), 3.0), ("x2".into(), -4.5), ("y".into(), 1e-3)]
        );
        assert!(parse_assignments("x=nan").unwrap()[0].1.is_nan());
        assert!(matches!(
            parse_assignments("x1"),
            Err(InputError::Malformed { .. })
        ));
        assert!(matches!(
            parse_assignments("x=abc"),
            Err(InputError::NotANumber { .. })
        ));
        assert!(matches!(
            parse_assignments("x=1,x=2"),
            Err(InputError::Duplicate { .. })
        ));
        assert_eq!(parse_assignments("").unwrap(), []);
    }

    #[test]
    fn resolves_given_then_default_then_fallback() {
        let graph = compile("a = 2; a * b * c").unwrap();
        let given = parse_assignments("c=5").unwrap();
        assert_eq!(
            resolve(&graph, &given, Some(1.0)).unwrap(),
            [2.0, 1.0, 5.0].map(Tensor::scalar)
        );
        assert_eq!(
            resolve(&graph, &given, None),
            Err(InputError::Missing { name: "b".into() })
        );
        let unknown = parse_assignments("z=1").unwrap();
        assert!(matches!(
            resolve(&graph, &unknown, Some(0.0)),
            Err(InputError::Unknown { .. })
        ));
    }
}
