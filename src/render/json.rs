//! JSON reports of a whole trace and of a gradient check: serde structs built from a
//! stepper, with numbers at full precision and NaN/±∞ written as "NaN"/"inf"/"-inf".

use super::computed::Computed;
use super::memory::{self, MemorySummary};
use super::notation::Notation;
use super::step::step_text;
use crate::engine::drift::drift;
use crate::engine::{GradientCheck, Mode, Phase, StepDetail, StepRecord, Stepper};
use crate::graph::{Graph, NodeId};
use crate::number::serde_f64;
use crate::precision::{Loss, Precision};
use crate::tensor::Tensor;
use serde::{Serialize, Serializer};

/// A number as JSON: finite ones as numbers, the others by name.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Number(#[serde(with = "serde_f64")] pub f64);

/// A tensor as JSON: a scalar as a number, anything else as nested arrays (rows of rows),
/// with NaN and ±∞ by name as in [`Number`].
#[derive(Clone, Debug, PartialEq)]
pub struct Values(pub Tensor);

impl Values {
    pub fn of(tensor: &Tensor) -> Values {
        Values(tensor.clone())
    }
}

impl Serialize for Values {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        nested(self.0.shape(), self.0.data(), serializer)
    }
}

/// `data` (row-major, of `shape`) as nested JSON arrays.
fn nested<S: Serializer>(shape: &[usize], data: &[f64], serializer: S) -> Result<S::Ok, S::Error> {
    struct Slice<'a>(&'a [usize], &'a [f64]);
    impl Serialize for Slice<'_> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            nested(self.0, self.1, serializer)
        }
    }
    match shape.split_first() {
        None => Number(data.first().copied().unwrap_or(f64::NAN)).serialize(serializer),
        Some((&rows, rest)) => {
            let stride = rest.iter().product::<usize>();
            serializer.collect_seq((0..rows).map(|row| {
                let start = (row * stride).min(data.len());
                let end = (start + stride).min(data.len());
                Slice(rest, &data[start..end])
            }))
        }
    }
}

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
    pub value: Option<Values>,
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
    pub inputs: Named<Values>,
    pub output: OutputValue,
    /// ∂output/∂input for every input (reverse mode) or for `wrt` (forward mode).
    pub gradients: Named<Values>,
    /// Who computed the output's value and the gradients when not the stepper
    /// (`--backend gpu`); the nodes and steps are always the stepper's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backend: Option<String>,
    /// The run's memory in bytes (numbers of the run's precision): the peak, against the
    /// plain run's, and the recompute steps checkpointing added.
    pub memory: MemorySummary,
    /// How numbers were stored, when not f64 or with loss scaling: each gradient against
    /// the f64 run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub precision: Option<PrecisionReport>,
    pub nodes: Vec<NodeReport>,
    pub steps: Vec<StepReport>,
}

impl TraceReport {
    /// The output's value and the gradients as `computed` has them.
    pub fn with_computed(mut self, graph: &Graph, computed: &Computed) -> TraceReport {
        self.output.value = Some(Values::of(&computed.output));
        self.gradients = Named(
            computed
                .gradients
                .iter()
                .map(|(id, gradient)| (graph.node(*id).name.clone(), Values::of(gradient)))
                .collect(),
        );
        self.backend = Some(computed.backend.clone());
        self
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NodeReport {
    pub id: usize,
    pub name: String,
    pub op: &'static str,
    pub inputs: Vec<usize>,
    /// The shape of the node's value (`[]` for a number).
    pub shape: Vec<usize>,
    pub value: Option<Values>,
    /// Reverse mode: ∂output/∂node; null for constants and in forward mode.
    pub adjoint: Option<Values>,
    /// Forward mode: ∂node/∂wrt; null in reverse mode.
    pub tangent: Option<Values>,
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
    pub result: Values,
    /// Forward mode: the node's value, computed along with its tangent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<Values>,
    /// Why the op refused its operands (its value is NaN).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Backward steps: the adjoint updates, one per computed input.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updates: Option<Vec<UpdateReport>>,
    /// In a whole trace: the bytes held after the step, the peak so far and the values
    /// released.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory: Option<StepMemory>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PrecisionReport {
    /// `"f32"`, `"f16"`, `"bf16"` (or `"f64"` with a loss scale).
    pub precision: Precision,
    pub loss_scale: Number,
    /// Per input: the f64 run's gradient, the relative error against it, and how many of
    /// its numbers are 0 here though not in f64 (`zeroed`) or ∞/NaN though finite there.
    pub gradients: Named<GradientDrift>,
    /// All inputs' `zeroed` numbers together.
    pub zeroed: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GradientDrift {
    pub f64: Values,
    pub relative_error: Number,
    pub zeroed: usize,
    pub overflowed: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StepMemory {
    pub held: usize,
    pub peak: usize,
    pub freed: Vec<String>,
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
    /// ∂node/∂target element by element (elementwise ops; absent for matrix rules).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local_value: Option<Values>,
    pub contribution: Values,
    /// The target's adjoint after this update.
    pub result: Values,
    /// `x̄1 = 7 + 3 = 10`, once the target has several contributions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<String>,
    /// `"underflow"` or `"overflow"`: storing the contribution lost it (see `precision`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lost: Option<Loss>,
}

/// The whole run of `stepper` (continued to the end if it is not there yet).
pub fn trace(stepper: &Stepper, source: &str) -> TraceReport {
    let mut run = stepper.clone();
    run.run_to_end();
    let graph = run.graph();
    let name = |id: NodeId| graph.node(id).name.clone();
    // Constants have a tangent of 0 in either mode; only forward mode reports tangents.
    let forward = matches!(run.mode(), Mode::Forward { .. });
    let figures = run.memory(run.precision().bytes());
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
            value: run.value(graph.output()).map(|v| Values::of(v)),
        },
        gradients: Named(
            run.gradients()
                .into_iter()
                .filter_map(|(id, g)| Some((name(id), Values::of(&*g?))))
                .collect(),
        ),
        backend: None,
        nodes: graph
            .ids()
            .map(|id| NodeReport {
                id: id.0,
                name: name(id),
                op: graph.node(id).op.name(),
                inputs: graph.node(id).inputs.iter().map(|input| input.0).collect(),
                shape: graph.node(id).shape.clone(),
                value: run.value(id).map(|v| Values::of(v)),
                adjoint: run.adjoint(id).map(|v| Values::of(&v)),
                tangent: run.tangent(id).filter(|_| forward).map(|v| Values::of(v)),
            })
            .collect(),
        memory: memory::summary(&run, &figures),
        precision: precision_report(&run),
        steps: run
            .history()
            .iter()
            .zip(&figures.steps)
            .map(|(record, figures)| StepReport {
                memory: Some(StepMemory {
                    held: figures.held(),
                    peak: figures.peak,
                    freed: figures.freed.iter().map(|&id| name(id)).collect(),
                }),
                ..step_report(graph, record)
            })
            .collect(),
    }
}

fn precision_report(run: &Stepper) -> Option<PrecisionReport> {
    if run.precision() == Precision::F64 && run.loss_scale() == 1.0 {
        return None;
    }
    let drifts = drift(run);
    Some(PrecisionReport {
        precision: run.precision(),
        loss_scale: Number(run.loss_scale()),
        zeroed: drifts.iter().map(|d| d.zeroed).sum(),
        gradients: Named(
            drifts
                .iter()
                .map(|d| {
                    let report = GradientDrift {
                        f64: Values::of(&d.reference),
                        relative_error: Number(d.relative_error),
                        zeroed: d.zeroed,
                        overflowed: d.overflowed,
                    };
                    (run.graph().node(d.node).name.clone(), report)
                })
                .collect(),
        ),
    })
}

/// One step as the JSON trace writes it (also the record an embed's `step` event carries).
pub fn step_report(graph: &Graph, record: &StepRecord) -> StepReport {
    let text = step_text(graph, record, Notation::Plain);
    let (value, updates) = match &record.detail {
        StepDetail::Tangent { value, .. } => (Some(Values::of(value)), None),
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
                    local_value: update.local.as_ref().map(|l| Values::of(l)),
                    contribution: Values::of(&update.contribution),
                    result: Values::of(&update.adjoint),
                    total: part.total.as_ref().map(ToString::to_string),
                    lost: update.lost,
                })
                .collect();
            (None, Some(reports))
        }
        StepDetail::Input { .. }
        | StepDetail::Compute { .. }
        | StepDetail::ZeroGrad { .. }
        | StepDetail::Update { .. } => (None, None),
    };
    StepReport {
        index: record.index,
        phase: record.phase,
        node: graph.node(record.node).name.clone(),
        rule: text.rule(),
        substituted: text.substituted(),
        result: Values::of(record.result_value()),
        value,
        error: match &record.detail {
            StepDetail::Compute { error, .. } => error.clone(),
            _ => None,
        },
        updates,
        memory: None,
    }
}

fn input_values(graph: &Graph, values: &[Tensor]) -> Named<Values> {
    Named(
        graph
            .inputs()
            .zip(values)
            .map(|(id, x)| (graph.node(id).name.clone(), Values::of(x)))
            .collect(),
    )
}

/// A gradient check: each input's analytic and numeric gradients side by side.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CheckReport {
    pub program: String,
    pub inputs: Named<Values>,
    pub output: OutputValue,
    /// One entry per input element.
    pub gradients: Vec<CheckedGradient>,
    pub max_relative_error: Number,
    /// The check passes when the max relative error is below this.
    pub tolerance: f64,
    pub passed: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CheckedGradient {
    pub input: String,
    /// Which element of a tensor input (row-major).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub element: Option<usize>,
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
    inputs: &[Tensor],
    result: &GradientCheck,
    tolerance: f64,
) -> CheckReport {
    let output = graph.output();
    let output_value = graph.evaluate(inputs).get(output.0).map(Values::of);
    CheckReport {
        program: source.to_string(),
        inputs: input_values(graph, inputs),
        output: OutputValue {
            name: graph.node(output).name.clone(),
            value: output_value,
        },
        gradients: result
            .entries
            .iter()
            .map(|entry| CheckedGradient {
                input: graph.node(entry.input).name.clone(),
                element: (!graph.node(entry.input).is_scalar()).then_some(entry.element),
                value: Number(
                    graph
                        .inputs()
                        .position(|id| id == entry.input)
                        .and_then(|slot| inputs.get(slot))
                        .and_then(|value| value.data().get(entry.element).copied())
                        .unwrap_or(f64::NAN),
                ),
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

    fn scalars(values: &[f64]) -> Vec<Tensor> {
        values.iter().map(|&x| Tensor::scalar(x)).collect()
    }

    fn report(source: &str, inputs: &[f64], mode: Mode) -> Value {
        let stepper = Stepper::new(compile(source).unwrap(), scalars(inputs), mode).unwrap();
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
            json!({"id": 3, "name": "v4", "op": "mul", "inputs": [2, 0], "shape": [], "value": 21.0, "adjoint": 1.0, "tangent": null})
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
            scalars(&[1.0, 2.0]),
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
        let inputs = scalars(&[3.0, 4.0]);
        let result = gradient_check(&graph, &inputs).unwrap();
        let passed = check(&graph, "(x1+x2)*x1", &inputs, &result, 1e-6);
        assert!(passed.passed);
        assert_eq!(
            passed.output,
            OutputValue {
                name: "v4".into(),
                value: Some(Values(Tensor::scalar(21.0)))
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
        assert!(!check(&graph, "", &inputs, &result, 0.0).passed);

        let graph = compile("sqrt(x)").unwrap();
        let minus_one = scalars(&[-1.0]);
        let nan = gradient_check(&graph, &minus_one).unwrap();
        let failed =
            serde_json::to_value(check(&graph, "sqrt(x)", &minus_one, &nan, 1e-6)).unwrap();
        assert_eq!(failed["passed"], false);
        assert_eq!(failed["max_relative_error"], "NaN");
    }
}
