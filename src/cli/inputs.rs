//! Input values from `--at` and the program's defaults, with hints that name the inputs.

use super::error::{CliError, code_list};
use crate::engine::inputs::{InputError, parse_assignments, resolve};
use crate::graph::Graph;
use crate::tensor::Tensor;

/// One value per input, in graph order, from `--at` (each occurrence a list) or defaults.
pub fn input_values(graph: &Graph, at: &[String]) -> Result<Vec<Tensor>, CliError> {
    let given = parse_assignments(&at.join(",")).map_err(|error| explain(graph, error, &[]))?;
    resolve(graph, &given, None).map_err(|error| explain(graph, error, &given))
}

/// A direction for a Hessian–vector product: `x1=1,x2=0`, one number per input in graph
/// order; inputs not named take 0.
pub fn direction(graph: &Graph, along: &str) -> Result<Vec<f64>, CliError> {
    let given = parse_assignments(along).map_err(|error| explain(graph, error, &[]))?;
    let inputs: Vec<String> = graph
        .inputs()
        .map(|id| graph.node(id).name.clone())
        .collect();
    if let Some((name, _)) = given.iter().find(|(name, _)| !inputs.contains(name)) {
        let error = InputError::Unknown {
            name: name.clone(),
            inputs: inputs.clone(),
        };
        return Err(explain(graph, error, &given));
    }
    Ok(inputs
        .iter()
        .map(|input| {
            given
                .iter()
                .find(|(name, _)| name == input)
                .map_or(0.0, |(_, v)| *v)
        })
        .collect())
}

fn explain(graph: &Graph, error: InputError, given: &[(String, f64)]) -> CliError {
    let hint = match &error {
        InputError::Malformed { .. } => "write input values as `--at x1=3,x2=4`".to_string(),
        InputError::NotANumber { name, .. } => format!("write a number, as in `--at {name}=1.5`"),
        InputError::Unknown { inputs, .. } if inputs.is_empty() => {
            "the program has no inputs".to_string()
        }
        InputError::Unknown { inputs, .. } => {
            format!("the program's inputs are {}", code_list(inputs))
        }
        InputError::Duplicate { name } => format!("give `{name}` one value"),
        InputError::NotScalar { name, .. } => {
            format!("`--at` sets numbers; edit the line `{name} = …` of the program instead")
        }
        InputError::Missing { .. } => {
            let missing: Vec<String> = graph
                .inputs()
                .map(|id| graph.node(id))
                .filter(|node| {
                    node.value.is_none() && !given.iter().any(|(name, _)| *name == node.name)
                })
                .map(|node| format!("{}=…", node.name))
                .collect();
            format!(
                "pass a value with `--at {}`, or bind it in the program (`name = 1`)",
                missing.join(",")
            )
        }
    };
    CliError::Inputs { error, hint }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::compile;

    fn values(source: &str, at: &[&str]) -> Result<Vec<f64>, CliError> {
        let at: Vec<String> = at.iter().map(|s| s.to_string()).collect();
        input_values(&compile(source).unwrap(), &at)
            .map(|values| values.iter().map(|v| v.data()[0]).collect())
    }

    #[test]
    fn directions_name_inputs_and_default_to_zero() {
        let graph = compile("x*y + z").unwrap();
        assert_eq!(direction(&graph, "z=2, x=1").unwrap(), [1.0, 0.0, 2.0]);
        let error = direction(&graph, "w=1").unwrap_err();
        assert_eq!(
            error.hint().unwrap(),
            "the program's inputs are `x`, `y`, `z`"
        );
    }

    fn failure(source: &str, at: &[&str]) -> (String, String) {
        let error = values(source, at).unwrap_err();
        (error.to_string(), error.hint().unwrap_or_default())
    }

    #[test]
    fn given_values_override_defaults() {
        assert_eq!(values("x1 = 3; x1 * x2", &["x2=4"]).unwrap(), [3.0, 4.0]);
        assert_eq!(
            values("x1 = 3; x1 * x2", &["x2=4", "x1=-1"]).unwrap(),
            [-1.0, 4.0]
        );
    }

    #[test]
    fn missing_values_name_every_missing_input() {
        let (message, hint) = failure("a * b * c", &["b=1"]);
        assert_eq!(message, "no value for input `a`");
        assert_eq!(
            hint,
            "pass a value with `--at a=…,c=…`, or bind it in the program (`name = 1`)"
        );
    }

    #[test]
    fn unknown_and_malformed_values() {
        let (message, hint) = failure("x1 * x2", &["x1=1,x2=2,z=3"]);
        assert_eq!(message, "the program has no input named `z`");
        assert_eq!(hint, "the program's inputs are `x1`, `x2`");
        assert_eq!(failure("2 * 3", &["z=3"]).1, "the program has no inputs");
        assert_eq!(
            failure("x", &["x"]).1,
            "write input values as `--at x1=3,x2=4`"
        );
        assert_eq!(
            failure("x", &["x=three"]).1,
            "write a number, as in `--at x=1.5`"
        );
        assert_eq!(failure("x", &["x=1", "x=2"]).1, "give `x` one value");
    }
}
