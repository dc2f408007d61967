//! `backprop four-ways`: a derivative four ways for a scalar program at its inputs:
//! symbolic (with the expression's size as a tree), finite differences over a sweep of h,
//! forward mode and reverse mode with their passes and operations, as text or JSON.

use super::args::{CheckFormat, FourWaysArgs};
use super::error::CliError;
use super::inputs::input_values;
use super::source::{compile_source, load};
use crate::engine::four_ways::{FourWays, Run, four_ways, symbolic};
use crate::number::format_number;
use crate::number::serde_f64::non_finite_name;
use serde_json::{Value, json};
use std::io::Read;

pub fn run(args: &FourWaysArgs, stdin: &mut dyn Read) -> Result<String, CliError> {
    let source = load(&args.program.program, stdin)?;
    let graph = compile_source(&source)?;
    let inputs = input_values(&graph, &args.program.at)?;
    let report = four_ways(&graph, &inputs)?;
    let output = graph.node(graph.output()).name.clone();
    Ok(match args.format {
        CheckFormat::Text => text(&report, &output, source.text.trim()),
        CheckFormat::Json => {
            let json = serde_json::to_string_pretty(&to_json(&report, &output))
                .map_err(|e| CliError::System(format!("cannot write JSON: {e}")))?;
            json + "\n"
        }
    })
}

fn text(report: &FourWays, output: &str, program: &str) -> String {
    let nodes = |n: u64| format!("{n} node{}", if n == 1 { "" } else { "s" });
    let at: Vec<String> = report
        .inputs
        .iter()
        .map(|i| format!("{} = {}", i.name, format_number(i.at)))
        .collect();
    let mut lines = vec![
        format!(
            "Four ways to the derivatives of {program} at {}",
            at.join(", ")
        ),
        format!("{output} = {}", format_number(report.output)),
        String::new(),
        "Symbolic: the rules applied to the expression (size as a tree, nothing shared)".into(),
        format!(
            "  {output} as an expression: {}; the graph computes it in {}",
            nodes(report.expression_size),
            nodes(report.graph_nodes as u64)
        ),
    ];
    for input in &report.inputs {
        let written = input
            .symbolic_text
            .clone()
            .unwrap_or_else(|| format!("(over {} nodes, not written out)", symbolic::MAX_WRITTEN));
        lines.push(format!(
            "  ∂{output}/∂{} = {written} = {}  ({})",
            input.name,
            format_number(input.symbolic),
            nodes(input.symbolic_size)
        ));
    }
    lines.push(String::new());
    lines.push("Finite differences: error against reverse mode as h shrinks".into());
    for input in &report.inputs {
        let sweep = &input.finite_differences;
        lines.push(format!(
            "  ∂{output}/∂{}:       h   forward error   central error",
            input.name
        ));
        for s in &sweep.samples {
            lines.push(format!(
                "  {:>18.0e}  {:>14}  {:>14}",
                s.h,
                format_error(s.forward_error),
                format_error(s.central_error)
            ));
        }
        lines.push(format!(
            "  least error: central at h = {:.0e} (∛ε·max(1, |x|) = {:.1e}), forward at h = {:.0e} (√ε·max(1, |x|) = {:.1e}); {} evaluations",
            sweep.best_central, sweep.expected_central, sweep.best_forward, sweep.expected_forward, sweep.evaluations
        ));
    }
    lines.push(String::new());
    let forward = report.forward_mode;
    lines.push(format!(
        "Forward mode: {} pass{} (one per input), {} steps, {} operations",
        forward.passes,
        if forward.passes == 1 { "" } else { "es" },
        forward.steps,
        forward.operations()
    ));
    for input in &report.inputs {
        lines.push(format!(
            "  ∂{output}/∂{} = {}",
            input.name,
            format_number(input.forward_mode)
        ));
    }
    let reverse = report.reverse_mode;
    lines.push(format!(
        "Reverse mode: 1 pass, {} steps, {} operations (forward {}, backward {}): {}× the forward pass",
        reverse.steps,
        reverse.operations(),
        reverse.forward_operations,
        reverse.backward_operations,
        format_number(report.reverse_ratio())
    ));
    for input in &report.inputs {
        lines.push(format!(
            "  ∂{output}/∂{} = {}",
            input.name,
            format_number(input.gradient)
        ));
    }
    lines.push(format!(
        "Forward mode took {}× reverse mode's operations for the whole gradient.",
        format_number(report.forward_over_reverse())
    ));
    lines.join("\n") + "\n"
}

fn format_error(error: f64) -> String {
    if error.is_finite() {
        format!("{error:.1e}")
    } else {
        format_number(error)
    }
}

fn number(x: f64) -> Value {
    if x.is_finite() {
        json!(x)
    } else {
        json!(non_finite_name(x))
    }
}

fn run_json(run: &Run) -> Value {
    json!({
        "passes": run.passes,
        "steps": run.steps,
        "operations": run.operations(),
        "forward_operations": run.forward_operations,
        "backward_operations": run.backward_operations,
    })
}

fn to_json(report: &FourWays, output: &str) -> Value {
    let inputs: Vec<Value> = report
        .inputs
        .iter()
        .map(|i| {
            let sweep = &i.finite_differences;
            let samples: Vec<Value> = sweep
                .samples
                .iter()
                .map(|s| {
                    json!({
                        "h": s.h,
                        "forward": number(s.forward),
                        "central": number(s.central),
                        "forward_error": number(s.forward_error),
                        "central_error": number(s.central_error),
                    })
                })
                .collect();
            json!({
                "name": i.name,
                "at": number(i.at),
                "reverse_mode": number(i.gradient),
                "forward_mode": number(i.forward_mode),
                "symbolic": {
                    "value": number(i.symbolic),
                    "size": i.symbolic_size,
                    "text": i.symbolic_text,
                },
                "finite_differences": {
                    "samples": samples,
                    "best_central_h": number(sweep.best_central),
                    "best_forward_h": number(sweep.best_forward),
                    "expected_central_h": sweep.expected_central,
                    "expected_forward_h": sweep.expected_forward,
                    "evaluations": sweep.evaluations,
                },
            })
        })
        .collect();
    json!({
        "output": {"name": output, "value": number(report.output)},
        "expression_size": report.expression_size,
        "graph_nodes": report.graph_nodes,
        "inputs": inputs,
        "forward_mode": run_json(&report.forward_mode),
        "reverse_mode": run_json(&report.reverse_mode),
        "reverse_over_forward_pass": number(report.reverse_ratio()),
        "forward_mode_over_reverse_mode": number(report.forward_over_reverse()),
    })
}
