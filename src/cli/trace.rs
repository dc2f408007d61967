//! `backprop trace`: run a program to the end and print the whole trace in one format.

use super::args::{BackendArg, ModeArg, TraceArgs, TraceFormat};
use super::backend::computed;
use super::error::CliError;
use super::inputs::{direction, input_values};
use super::second;
use super::source::{compile_source, load};
use crate::engine::second_order::hessian_vector_product;
use crate::engine::{Mode, Stepper};
use crate::graph::Graph;
use crate::render::{Notation, json, micrograd, pytorch, trace};
use std::io::Read;

/// The trace as the text to print. With `--backend gpu` the output's value and the
/// gradients are the GPU's; the steps are always the stepper's.
pub fn run(args: &TraceArgs, stdin: &mut dyn Read) -> Result<String, CliError> {
    let source = load(&args.program.program, stdin)?;
    let graph = compile_source(&source)?;
    let mode = mode(&graph, args.mode, args.wrt.as_deref())?;
    let inputs = input_values(&graph, &args.program.at)?;
    if args.order == 2 {
        return second_order(args, &graph, &inputs, &source.text);
    }
    if args.along.is_some() {
        return Err(CliError::BadOption {
            what: "`--along`",
            expected: "used with `--order 2`",
            found: format!("`--order {}`", args.order),
        });
    }
    let mut stepper = Stepper::new(graph, inputs, mode)?;
    stepper.run_to_end();
    let computed = computed(args.backend, &stepper)?;
    let text = &source.text;
    let document = |notation: Notation| {
        let built = trace::build(&stepper, text, notation);
        match &computed {
            Some(computed) => built.with_computed(&stepper, computed),
            None => built,
        }
    };
    Ok(match args.format {
        TraceFormat::Text => trace::text_of(&document(Notation::Plain)),
        TraceFormat::Markdown => trace::markdown_of(&document(Notation::Plain)),
        TraceFormat::Latex => trace::latex_of(&document(Notation::Latex)),
        TraceFormat::Pytorch => pytorch::script(stepper.graph(), stepper.inputs(), text),
        TraceFormat::Micrograd => micrograd::script(stepper.graph(), stepper.inputs(), text)?,
        TraceFormat::Json => {
            let mut report = json::trace(&stepper, text);
            if let Some(computed) = &computed {
                report = report.with_computed(stepper.graph(), computed);
            }
            let json = serde_json::to_string_pretty(&report)
                .map_err(|e| CliError::System(format!("cannot write JSON: {e}")))?;
            json + "\n"
        }
    })
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
    use crate::graph::NodeId;
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
            order: 1,
            along: None,
        }
    }

    #[test]
    fn every_format_shows_the_output() {
        for format in [
            TraceFormat::Text,
            TraceFormat::Markdown,
            TraceFormat::Latex,
            TraceFormat::Json,
        ] {
            let text = run(&args("(x1+x2)*x1", "x1=3,x2=4", format), &mut "".as_bytes()).unwrap();
            assert!(text.contains("21"), "{format:?}: {text}");
            assert!(text.ends_with('\n'), "{format:?}");
        }
        let script = run(
            &args("(x1+x2)*x1", "x1=3,x2=4", TraceFormat::Pytorch),
            &mut "".as_bytes(),
        )
        .unwrap();
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
