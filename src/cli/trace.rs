//! `backprop trace`: run a program to the end and print the whole trace in one format, or
//! with `--detect-anomaly` up to the first step that produces NaN or ±∞.

use super::args::{BackendArg, ModeArg, TraceArgs, TraceFormat};
use super::backend::computed;
use super::error::CliError;
use super::inputs::{direction, input_values};
use super::second;
use super::source::{compile_source, load};
use crate::engine::accumulate::{self, Training};
use crate::engine::drift::drift;
use crate::engine::second_order::hessian_vector_product;
use crate::engine::{Anomaly, CheckpointPlan, EngineError, Mode, Stepper, run_until_anomaly};
use crate::graph::{Graph, NodeId};
use crate::number::format_number;
use crate::precision::Precision;
use crate::render::{Notation, json, micrograd, pytorch, trace};
use crate::train::LossScaling;
use std::io::Read;

/// What `trace` prints, and the anomaly it stopped at (with `--detect-anomaly`).
pub struct Traced {
    pub text: String,
    pub anomaly: Option<Anomaly>,
}

/// The trace as the text to print. With `--backend gpu` the output's value and the
/// gradients are the GPU's; the steps are always the stepper's. With `--detect-anomaly`
/// the trace stops at the first step producing NaN or ±∞ and ends with its description.
pub fn run(args: &TraceArgs, stdin: &mut dyn Read) -> Result<Traced, CliError> {
    let source = load(&args.program.program, stdin)?;
    let graph = compile_source(&source)?;
    let mode = mode(&graph, args.mode, args.wrt.as_deref())?;
    let inputs = input_values(&graph, &args.program.at)?;
    if args.order == 2 {
        return second_order(args, &graph, &inputs, &source.text).map(|text| Traced {
            text,
            anomaly: None,
        });
    }
    if args.along.is_some() {
        return Err(CliError::BadOption {
            what: "`--along`",
            expected: "used with `--order 2`",
            found: format!("`--order {}`", args.order),
        });
    }
    if let Some(training) = training(args) {
        return accumulation(args, graph, inputs, training, &source.text);
    }
    let checkpoints = checkpoints(&graph, args.checkpoint.as_deref())?;
    let loss_scale = loss_scale(args.loss_scale.as_deref())?;
    let mut stepper = Stepper::with_checkpoints(graph, inputs, mode, checkpoints)?
        .stored_as(Precision::from(args.precision), loss_scale)?;
    let anomaly = if args.detect_anomaly {
        run_until_anomaly(&mut stepper)
    } else {
        stepper.run_to_end();
        None
    };
    let text = render(args, &source.text, &stepper, anomaly.as_ref())?;
    Ok(Traced { text, anomaly })
}

/// The accumulation settings the options ask for, if any.
fn training(args: &TraceArgs) -> Option<Training> {
    let asked = args.micro_batches.is_some()
        || args.iterations.is_some()
        || args.no_zero_grad
        || args.lr.is_some();
    asked.then(|| Training {
        micro_batches: usize::from(args.micro_batches.unwrap_or(1)),
        iterations: usize::from(args.iterations.unwrap_or(1)),
        zero_grad: !args.no_zero_grad,
        rate: args.lr.unwrap_or(accumulate::DEFAULT_RATE),
    })
}

/// `--micro-batches`, `--iterations`, `--no-zero-grad`: the passes, zero_grad and update
/// steps, one by one (text or JSON).
fn accumulation(
    args: &TraceArgs,
    graph: Graph,
    inputs: Vec<crate::tensor::Tensor>,
    training: Training,
    source: &str,
) -> Result<Traced, CliError> {
    let unsupported = [
        (args.checkpoint.is_some(), "`--checkpoint`"),
        (args.detect_anomaly, "`--detect-anomaly`"),
        (args.mode != ModeArg::Reverse, "`--mode forward`"),
        (args.backend != BackendArg::Cpu, "`--backend gpu`"),
    ];
    if let Some((_, what)) = unsupported.iter().find(|(on, _)| *on) {
        return Err(CliError::BadOption {
            what,
            expected: "left out with gradient accumulation",
            found: "both".into(),
        });
    }
    let batches = accumulate::micro_batches(&graph, &inputs, training.micro_batches)
        .map_err(EngineError::from)?;
    let stepper = Stepper::training(graph, inputs, training, batches)?.stored_as(
        Precision::from(args.precision),
        loss_scale(args.loss_scale.as_deref())?,
    )?;
    let text = match args.format {
        TraceFormat::Text | TraceFormat::Markdown => {
            crate::render::accumulation::text(&stepper, &training)
        }
        TraceFormat::Json => {
            let report = crate::render::accumulation::report(&stepper, &training, source);
            serde_json::to_string_pretty(&report)
                .map_err(|e| CliError::System(format!("cannot write JSON: {e}")))?
                + "\n"
        }
        TraceFormat::Latex | TraceFormat::Pytorch | TraceFormat::Micrograd => {
            return Err(CliError::BadOption {
                what: "`--format`",
                expected: "text, markdown or json with gradient accumulation",
                found: format!("{:?}", args.format).to_lowercase(),
            });
        }
    };
    Ok(Traced {
        text,
        anomaly: None,
    })
}

fn render(
    args: &TraceArgs,
    text: &str,
    stepper: &Stepper,
    anomaly: Option<&Anomaly>,
) -> Result<String, CliError> {
    let Some(anomaly) = anomaly else {
        return render_run(args, text, stepper);
    };
    let what = anomaly.describe(stepper.graph());
    Ok(match args.format {
        TraceFormat::Json => {
            let mut report = serde_json::to_value(json::trace(stepper, text))
                .map_err(|e| CliError::System(format!("cannot write JSON: {e}")))?;
            if let serde_json::Value::Object(fields) = &mut report {
                let mut found = serde_json::to_value(anomaly)
                    .map_err(|e| CliError::System(format!("cannot write JSON: {e}")))?;
                if let serde_json::Value::Object(found) = &mut found {
                    found.insert(
                        "node_name".into(),
                        stepper.graph().node(anomaly.node).name.clone().into(),
                    );
                    found.insert("message".into(), what.into());
                }
                fields.insert("anomaly".into(), found);
            }
            serde_json::to_string_pretty(&report)
                .map_err(|e| CliError::System(format!("cannot write JSON: {e}")))?
                + "\n"
        }
        TraceFormat::Latex => format!(
            "{}% anomaly: {what}\n",
            trace::latex_of(&trace::build(stepper, text, Notation::Latex))
        ),
        TraceFormat::Text
        | TraceFormat::Markdown
        | TraceFormat::Pytorch
        | TraceFormat::Micrograd => format!(
            "{}\nAnomaly: {what}\n",
            trace::text_of(&trace::build(stepper, text, Notation::Plain))
        ),
    })
}

/// The whole run's trace in the asked format.
fn render_run(args: &TraceArgs, text: &str, stepper: &Stepper) -> Result<String, CliError> {
    let computed = computed(args.backend, stepper)?;
    let document = |notation: Notation| {
        let built = trace::build(stepper, text, notation);
        match &computed {
            Some(computed) => built.with_computed(stepper, computed),
            None => built,
        }
    };
    Ok(match args.format {
        TraceFormat::Text => trace::text_of(&document(Notation::Plain)) + &storage_note(stepper),
        TraceFormat::Markdown => {
            trace::markdown_of(&document(Notation::Plain)) + &storage_note(stepper)
        }
        TraceFormat::Latex => trace::latex_of(&document(Notation::Latex)),
        TraceFormat::Pytorch => pytorch::script(stepper.graph(), stepper.inputs(), text),
        TraceFormat::Micrograd => micrograd::script(stepper.graph(), stepper.inputs(), text)?,
        TraceFormat::Json => {
            let mut report = json::trace(stepper, text);
            if let Some(computed) = &computed {
                report = report.with_computed(stepper.graph(), computed);
            }
            let json = serde_json::to_string_pretty(&report)
                .map_err(|e| CliError::System(format!("cannot write JSON: {e}")))?;
            json + "\n"
        }
    })
}

/// `--loss-scale S`: a positive number (1 without the option). `dynamic` adjusts across
/// training steps, so it belongs to `backprop train`.
fn loss_scale(text: Option<&str>) -> Result<f64, CliError> {
    match text.map(str::parse::<LossScaling>) {
        None => Ok(1.0),
        Some(Ok(LossScaling::Static(scale))) => Ok(scale),
        Some(Ok(LossScaling::Dynamic)) => Err(CliError::BadOption {
            what: "`--loss-scale` of a single pass",
            expected: "a number (dynamic scaling adjusts across the steps of `backprop train`)",
            found: "dynamic".into(),
        }),
        Some(Err(error)) => Err(CliError::BadOption {
            what: "`--loss-scale`",
            expected: "a positive number",
            found: error.0,
        }),
    }
}

/// Below a trace stored in a low precision or scaled: each gradient against f64, and the
/// numbers lost.
fn storage_note(stepper: &Stepper) -> String {
    if stepper.precision() == Precision::F64 && stepper.loss_scale() == 1.0 {
        return String::new();
    }
    let graph = stepper.graph();
    let mut note = format!(
        "\nStored in {} (loss scale {}); gradients against f64:\n",
        stepper.precision(),
        format_number(stepper.loss_scale())
    );
    let drifts = drift(stepper);
    for d in &drifts {
        let lost = match (d.zeroed, d.overflowed) {
            (0, 0) => String::new(),
            (z, 0) => format!(", {z} nonzero in f64 but 0 here"),
            (0, o) => format!(", {o} finite in f64 but ∞ or NaN here"),
            (z, o) => {
                format!(", {z} nonzero in f64 but 0 here, {o} finite in f64 but ∞ or NaN here")
            }
        };
        note.push_str(&format!(
            "  {}: relative error {}{lost}\n",
            graph.node(d.node).name,
            format_number(d.relative_error)
        ));
    }
    let zeroed: usize = drifts.iter().map(|d| d.zeroed).sum();
    let numbers: usize = drifts.iter().map(|d| d.reference.data().len()).sum();
    note.push_str(&format!(
        "Gradient numbers lost to 0: {zeroed} of {numbers}.\n"
    ));
    note
}

/// The nodes a `--checkpoint` plan keeps; `None` without one.
pub fn checkpoints(graph: &Graph, plan: Option<&str>) -> Result<Option<Vec<NodeId>>, CliError> {
    let Some(plan) = plan else {
        return Ok(None);
    };
    let plan: CheckpointPlan = plan.parse()?;
    Ok(Some(plan.resolve(graph)?))
}

/// `--order 2`: second derivatives, in reverse mode on the CPU, as text or JSON.
fn second_order(
    args: &TraceArgs,
    graph: &Graph,
    inputs: &[crate::tensor::Tensor],
    program: &str,
) -> Result<String, CliError> {
    let refuse = |what: &'static str, found: &str| CliError::BadOption {
        what,
        expected: "left out with `--order 2`",
        found: found.to_string(),
    };
    if args.mode != ModeArg::Reverse {
        return Err(refuse("`--mode`", "forward"));
    }
    if args.backend != BackendArg::Cpu {
        return Err(refuse("`--backend`", "gpu"));
    }
    let second = crate::engine::second_order::second_order(graph, inputs)?;
    let product = match &args.along {
        Some(along) => {
            let v = direction(graph, along)?;
            let product = hessian_vector_product(graph, inputs, &v)?;
            Some((v, product))
        }
        None => None,
    };
    let product = product.as_ref().map(|(v, p)| (&v[..], &p[..]));
    match args.format {
        TraceFormat::Text => Ok(second::text(graph, inputs, &second, product, program)),
        TraceFormat::Json => second::json(graph, inputs, &second, product, program),
        TraceFormat::Markdown => Err(refuse("`--format` with `--order 2`", "markdown")),
        TraceFormat::Latex => Err(refuse("`--format` with `--order 2`", "latex")),
        TraceFormat::Pytorch => Err(refuse("`--format` with `--order 2`", "pytorch")),
        TraceFormat::Micrograd => Err(refuse("`--format` with `--order 2`", "micrograd")),
    }
}

/// The stepper's mode; forward mode needs `--wrt` naming an input, reverse mode takes none.
fn mode(graph: &Graph, mode: ModeArg, wrt: Option<&str>) -> Result<Mode, CliError> {
    let input_names = || {
        graph
            .inputs()
            .map(|id| graph.node(id).name.clone())
            .collect()
    };
    match (mode, wrt) {
        (ModeArg::Reverse, None) => Ok(Mode::Reverse),
        (ModeArg::Reverse, Some(_)) => Err(CliError::WrtWithoutForward),
        (ModeArg::Forward, None) => Err(CliError::MissingWrt {
            inputs: input_names(),
        }),
        (ModeArg::Forward, Some(name)) => graph
            .inputs()
            .find(|&id| graph.node(id).name == name)
            .map(|wrt| Mode::Forward { wrt })
            .ok_or_else(|| CliError::WrtNotAnInput {
                name: name.to_string(),
                inputs: input_names(),
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::args::ProgramArgs;
    use crate::program::compile;

    fn args(program: &str, at: &str, format: TraceFormat) -> TraceArgs {
        TraceArgs {
            program: ProgramArgs {
                program: program.into(),
                at: vec![at.into()],
            },
            format,
            mode: ModeArg::Reverse,
            wrt: None,
            backend: crate::cli::args::BackendArg::Cpu,
            detect_anomaly: false,
            checkpoint: None,
            precision: crate::cli::args::PrecisionArg::F64,
            loss_scale: None,
            order: 1,
            along: None,
            micro_batches: None,
            iterations: None,
            no_zero_grad: false,
            lr: None,
        }
    }

    #[test]
    fn anomaly_mode_stops_at_the_first_bad_node_in_either_pass() {
        let mut forward = args("a = log(x); b = a * 0; b + 1", "x=0", TraceFormat::Text);
        forward.detect_anomaly = true;
        let traced = run(&forward, &mut "".as_bytes()).unwrap();
        assert!(
            traced.text.ends_with(
                "Anomaly: the forward rule of a (log) produced -∞ (step 2) from finite operands\n"
            ),
            "{}",
            traced.text
        );
        let mut backward = args("r = sqrt(x); r * 3", "x=0", TraceFormat::Json);
        backward.detect_anomaly = true;
        let traced = run(&backward, &mut "".as_bytes()).unwrap();
        let report: serde_json::Value = serde_json::from_str(&traced.text).unwrap();
        assert_eq!(report["anomaly"]["node_name"], "r");
        assert_eq!(report["anomaly"]["phase"], "backward");
        assert_eq!(report["anomaly"]["value"], "inf");
        let mut fine = args("x * 2", "x=1", TraceFormat::Text);
        fine.detect_anomaly = true;
        assert!(run(&fine, &mut "".as_bytes()).unwrap().anomaly.is_none());
    }

    #[test]
    fn every_format_shows_the_output() {
        for format in [
            TraceFormat::Text,
            TraceFormat::Markdown,
            TraceFormat::Latex,
            TraceFormat::Json,
        ] {
            let text = run(&args("(x1+x2)*x1", "x1=3,x2=4", format), &mut "".as_bytes())
                .unwrap()
                .text;
            assert!(text.contains("21"), "{format:?}: {text}");
            assert!(text.ends_with('\n'), "{format:?}");
        }
        let script = run(
            &args("(x1+x2)*x1", "x1=3,x2=4", TraceFormat::Pytorch),
            &mut "".as_bytes(),
        )
        .unwrap()
        .text;
        assert!(script.contains("x1 = torch.tensor(3.0, "), "{script}");
        assert!(script.contains("v4.backward()\n"), "{script}");
    }

    #[test]
    fn modes_and_wrt() {
        let graph = compile("v = x1 * x2; v + 1").unwrap();
        assert_eq!(mode(&graph, ModeArg::Reverse, None).unwrap(), Mode::Reverse);
        assert_eq!(
            mode(&graph, ModeArg::Forward, Some("x2")).unwrap(),
            Mode::Forward { wrt: NodeId(1) }
        );
        let missing = mode(&graph, ModeArg::Forward, None).unwrap_err();
        assert_eq!(
            missing.hint().unwrap(),
            "add `--wrt x1`; the inputs are `x1`, `x2`"
        );
        let not_input = mode(&graph, ModeArg::Forward, Some("v")).unwrap_err();
        assert!(
            not_input.to_string().starts_with("`v` is not an input"),
            "{not_input}"
        );
        assert!(matches!(
            mode(&graph, ModeArg::Reverse, Some("x1")),
            Err(CliError::WrtWithoutForward)
        ));
    }
}
