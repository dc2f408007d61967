//! JSON reports of a whole trace and of a gradient check: serde structs built from a
//! stepper, with numbers at full precision and NaN/±∞ written as "NaN"/"inf"/"-inf".

use super::notation::Notation;
use super::step::step_text;
use crate::engine::{GradientCheck, Mode, Phase, StepDetail, StepRecord, Stepper};
use crate::graph::{Graph, NodeId};
use crate::number::serde_f64;
use serde::{Serialize, Serializer};

/// A number as JSON: finite ones as numbers, the others by name.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Number(#[serde(with = "serde_f64")] pub f64);

/// Name–value pairs written as one JSON object, in their own order (the program's),
/// not sorted.
#[derive(Clone, Debug, PartialEq)]
pub struct Named<T>(pub Vec<(String, T)>);

impl<T: Serialize> Serialize for Named<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(name, value)| (name, value)))
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OutputValue {
    pub name: String,
    pub value: Option<Number>,
}

/// Everything a run computed, for scripts.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TraceReport {
    pub program: String,
    /// `"reverse"` or `"forward"`.
    pub mode: &'static str,
    /// Forward mode: the input the tangents are taken by.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wrt: Option<String>,
    pub inputs: Named<Number>,
    pub output: OutputValue,
    /// ∂output/∂input for every input (reverse mode) or for `wrt` (forward mode).
    pub gradients: Named<Number>,
    pub nodes: Vec<NodeReport>,
    pub steps: Vec<StepReport>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NodeReport {
    pub id: usize,
    pub name: String,
    pub op: &'static str,
    pub inputs: Vec<usize>,
    pub value: Option<Number>,
    /// Reverse mode: ∂output/∂node; null for constants and in forward mode.
    pub adjoint: Option<Number>,
    /// Forward mode: ∂node/∂wrt; null in reverse mode.
    pub tangent: Option<Number>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StepReport {
    pub index: usize,
    pub phase: Phase,
    pub node: String,
    pub rule: String,
    pub substituted: String,
    /// The value (forward pass), the node's adjoint (backward pass) or its tangent
    /// (forward mode).
    pub result: Number,
    /// Forward mode: the node's value, computed along with its tangent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<Number>,
    /// Backward steps: the adjoint updates, one per computed input.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updates: Option<Vec<UpdateReport>>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct UpdateReport {
    pub target: String,
    /// `x̄1 += ∂v4/∂x1 · v̄4`.
    pub rule: String,
    /// `x̄1 += 7 · 1 = 7`.
    pub substituted: String,
    /// `∂v4/∂x1 = v3 = 7`.
    pub local: String,
    pub local_value: Number,
    pub contribution: Number,
    /// The target's adjoint after this update.
    pub result: Number,
    /// `x̄1 = 7 + 3 = 10`, once the target has several contributions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<String>,
}

/// The whole run of `stepper` (continued to the end if it is not there yet).
pub fn trace(stepper: &Stepper, source: &str) -> TraceReport {
    let mut run = stepper.clone();
    run.run_to_end();
    let graph = run.graph();
    let name = |id: NodeId| graph.node(id).name.clone();
    // Constants have a tangent of 0 in either mode; only forward mode reports tangents.
    let forward = matches!(run.mode(), Mode::Forward { .. });
    let (mode, wrt) = match run.mode() {
        Mode::Reverse => ("reverse", None),
        Mode::Forward { wrt } => ("forward", Some(name(wrt))),
    };
    TraceReport {
        program: source.to_string(),
        mode,
        wrt,
        inputs: input_values(graph, run.inputs()),
        output: OutputValue {
            name: name(graph.output()),
            value: run.value(graph.output()).map(Number),
        },
        gradients: Named(
            run.gradients()
                .into_iter()
                .filter_map(|(id, g)| Some((name(id), Number(g?))))
                .collect(),
        ),
        nodes: graph
            .ids()
            .map(|id| NodeReport {
                id: id.0,
                name: name(id),
                op: graph.node(id).op.name(),
                inputs: graph.node(id).inputs.iter().map(|input| input.0).collect(),
                value: run.value(id).map(Number),
                adjoint: run.adjoint(id).map(Number),
                tangent: run.tangent(id).filter(|_| forward).map(Number),
            })
            .collect(),
        steps: run
            .history()
            .iter()
            .map(|record| step_report(graph, record))
            .collect(),
    }
}

fn step_report(graph: &Graph, record: &StepRecord) -> StepReport {
    let text = step_text(graph, record, Notation::Plain);
    let (value, updates) = match &record.detail {
        StepDetail::Tangent { value, .. } => (Some(Number(*value)), None),
        StepDetail::Visit {
            seeded, updates, ..
        } => {
            // The seed, when there is one, is the first part; the updates' parts follow.
            let parts = text.parts.iter().skip(usize::from(*seeded));
            let reports = updates
                .iter()
                .zip(parts)
                .map(|(update, part)| UpdateReport {
                    target: graph.node(update.target).name.clone(),
                    rule: part.rule(),
                    substituted: part.substituted(),
                    local: part
                        .local
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(", "),
                    local_value: Number(update.local),
                    contribution: Number(update.contribution),
                    result: Number(update.adjoint),
                    total: part.total.as_ref().map(ToString::to_string),
                })
                .collect();
            (None, Some(reports))
        }
        StepDetail::Input { .. } | StepDetail::Compute { .. } => (None, None),
    };
    StepReport {
        index: record.index,
        phase: record.phase,
        node: graph.node(record.node).name.clone(),
        rule: text.rule(),
        substituted: text.substituted(),
        result: Number(record.result()),
        value,
        updates,
    }
}

fn input_values(graph: &Graph, values: &[f64]) -> Named<Number> {
    Named(
        graph
            .inputs()
            .zip(values)
            .map(|(id, &x)| (graph.node(id).name.clone(), Number(x)))
            .collect(),
    )
}

/// A gradient check: each input's analytic and numeric gradients side by side.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CheckReport {
    pub program: String,
    pub inputs: Named<Number>,
    pub output: OutputValue,
    pub gradients: Vec<CheckedGradient>,
    pub max_relative_error: Number,
    /// The check passes when the max relative error is below this.
    pub tolerance: f64,
    pub passed: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CheckedGradient {
    pub input: String,
    pub value: Number,
    /// From the backward pass.
    pub analytic: Number,
    /// From central finite differences.
    pub numeric: Number,
    pub relative_error: Number,
}

/// Report a gradient check made on `graph` at `inputs`; a NaN error fails it.
pub fn check(
    graph: &Graph,
    source: &str,
    inputs: &[f64],
    result: &GradientCheck,
    tolerance: f64,
) -> CheckReport {
    let output = graph.output();
    let output_value = graph.evaluate(inputs).get(output.0).copied();
    CheckReport {
        program: source.to_string(),
        inputs: input_values(graph, inputs),
        output: OutputValue {
            name: graph.node(output).name.clone(),
            value: output_value.map(Number),
        },
        // One entry per input, in input order.
        gradients: result
            .entries
            .iter()
            .zip(inputs)
            .map(|(entry, &value)| CheckedGradient {
                input: graph.node(entry.input).name.clone(),
                value: Number(value),
                analytic: Number(entry.analytic),
                numeric: Number(entry.numeric),
                relative_error: Number(entry.relative_error),
            })
            .collect(),
        max_relative_error: Number(result.max_relative_error),
        tolerance,
        passed: result.max_relative_error < tolerance,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::gradient_check;
    use crate::program::compile;
    use serde_json::{Value, json};

    fn report(source: &str, inputs: &[f64], mode: Mode) -> Value {
        let stepper = Stepper::new(compile(source).unwrap(), inputs.to_vec(), mode).unwrap();
        serde_json::to_value(trace(&stepper, source)).unwrap()
    }

    #[test]
    fn seed_example_report() {
        let r = report("(x1+x2)*x1", &[3.0, 4.0], Mode::Reverse);
        assert_eq!(r["program"], "(x1+x2)*x1");
        assert_eq!(r["mode"], "reverse");
        assert_eq!(r.get("wrt"), None);
        assert_eq!(r["inputs"], json!({"x1": 3.0, "x2": 4.0}));
        assert_eq!(r["output"], json!({"name": "v4", "value": 21.0}));
        assert_eq!(r["gradients"], json!({"x1": 10.0, "x2": 3.0}));
        assert_eq!(
            r["nodes"][3],
            json!({"id": 3, "name": "v4", "op": "mul", "inputs": [2, 0], "value": 21.0, "adjoint": 1.0, "tangent": null})
        );
        let steps = r["steps"].as_array().unwrap();
        assert_eq!(steps.len(), 8);
        assert_eq!(steps[2]["rule"], "v3 = x1 + x2");
        assert_eq!(steps[2]["substituted"], "v3 = 3 + 4 = 7");
        assert_eq!(steps[2].get("updates"), None);
        assert_eq!(steps[4]["phase"], "backward");
        assert_eq!(
            steps[4]["updates"][1],
            json!({
                "target": "x1",
                "rule": "x\u{304}1 += ∂v4/∂x1 · v\u{304}4",
                "substituted": "x\u{304}1 += 7 · 1 = 7",
                "local": "∂v4/∂x1 = v3 = 7",
                "local_value": 7.0,
                "contribution": 7.0,
                "result": 7.0,
            })
        );
        assert_eq!(steps[5]["updates"][0]["result"], 10.0);
        assert_eq!(steps[5]["updates"][0]["total"], "x\u{304}1 = 7 + 3 = 10");
    }

    #[test]
    fn inputs_keep_program_order() {
        let stepper = Stepper::new(
            compile("z = 1; a = 2; z * a").unwrap(),
            vec![1.0, 2.0],
            Mode::Reverse,
        )
        .unwrap();
        let text = serde_json::to_string(&trace(&stepper, "")).unwrap();
        assert!(text.contains(r#""inputs":{"z":1.0,"a":2.0}"#), "{text}");
    }

    #[test]
    fn forward_mode_reports_tangents_and_one_gradient() {
        let r = report("(x1+x2)*x1", &[3.0, 4.0], Mode::Forward { wrt: NodeId(0) });
        assert_eq!(r["mode"], "forward");
        assert_eq!(r["wrt"], "x1");
        assert_eq!(r["gradients"], json!({"x1": 10.0}));
        assert_eq!(r["nodes"][3]["tangent"], 10.0);
        assert_eq!(r["nodes"][3]["adjoint"], Value::Null);
        assert_eq!(r["steps"][3]["value"], 21.0);
        assert_eq!(r["steps"][3]["result"], 10.0);
    }

    #[test]
    fn full_precision_and_named_non_finite_numbers() {
        let r = report("x / 3", &[1.0], Mode::Reverse);
        assert_eq!(r["output"]["value"], 1.0 / 3.0);
        let r = report("log(x)", &[-1.0], Mode::Reverse);
        assert_eq!(r["output"]["value"], "NaN");
        let r = report("1 / x", &[0.0], Mode::Reverse);
        assert_eq!(r["output"]["value"], "inf");
        assert_eq!(r["gradients"]["x"], "-inf");
    }

    #[test]
    fn check_report_passes_and_fails_on_the_tolerance() {
        let graph = compile("(x1+x2)*x1").unwrap();
        let result = gradient_check(&graph, &[3.0, 4.0]).unwrap();
        let passed = check(&graph, "(x1+x2)*x1", &[3.0, 4.0], &result, 1e-6);
        assert!(passed.passed);
        assert_eq!(
            passed.output,
            OutputValue {
                name: "v4".into(),
                value: Some(Number(21.0))
            }
        );
        assert_eq!(
            (
                passed.gradients[0].input.as_str(),
                passed.gradients[0].value
            ),
            ("x1", Number(3.0))
        );
        assert_eq!(passed.gradients[0].analytic, Number(10.0));
        assert!(!check(&graph, "", &[3.0, 4.0], &result, 0.0).passed);

        let graph = compile("sqrt(x)").unwrap();
        let nan = gradient_check(&graph, &[-1.0]).unwrap();
        let failed = serde_json::to_value(check(&graph, "sqrt(x)", &[-1.0], &nan, 1e-6)).unwrap();
        assert_eq!(failed["passed"], false);
        assert_eq!(failed["max_relative_error"], "NaN");
    }
}
