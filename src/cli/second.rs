//! `backprop trace PROGRAM --order 2`: the backward pass as a graph, the first derivatives
//! read from it and the second derivatives from reverse mode run over it, as text or JSON.

use super::error::CliError;
use crate::engine::second_order::{SecondOrder, adjoint_name};
use crate::graph::{Graph, Node};
use crate::number::format_number;
use crate::number::serde_f64::non_finite_name;
use crate::op::{Infix, Syntax};
use crate::tensor::Tensor;
use serde_json::{Value, json};

/// A direction v and the Hessian times it, one number per input.
pub type Product<'a> = Option<(&'a [f64], &'a [f64])>;

/// The text report.
pub fn text(
    graph: &Graph,
    inputs: &[Tensor],
    second: &SecondOrder,
    product: Product,
    program: &str,
) -> String {
    let names = input_names(graph);
    let output = &graph.node(graph.output()).name;
    let backward = &second.backward;
    let at: Vec<String> = names
        .iter()
        .zip(inputs)
        .map(|(name, value)| {
            format!(
                "{name} = {}",
                format_number(value.item().unwrap_or(f64::NAN))
            )
        })
        .collect();
    let mut lines = vec![
        format!(
            "Second derivatives of {} at {}",
            program.trim(),
            at.join(", ")
        ),
        String::new(),
        format!(
            "The backward pass as a graph ({}, and {} more for the backward pass):",
            nodes(backward.forward_nodes()),
            backward.backward_nodes()
        ),
    ];
    let bg = &backward.graph;
    for node in &bg.nodes()[backward.forward_len..] {
        if !node.op.is_leaf() {
            lines.push(format!("  {} = {}", node.name, rule(bg, node)));
        }
    }
    lines.push(String::new());
    lines.push(format!("{output} = {}", format_number(second.output)));
    lines.push("First derivatives (values of the backward graph):".into());
    for (name, g) in names.iter().zip(&second.gradient) {
        lines.push(format!(
            "  ∂{output}/∂{name} = {} = {}",
            adjoint_name(name),
            format_number(*g)
        ));
    }
    lines.push(
        "Second derivatives (reverse mode over the backward graph, a pass per input):".into(),
    );
    for (j, row) in second.hessian.iter().enumerate() {
        for (i, h) in row.iter().enumerate() {
            lines.push(format!(
                "  ∂²{output}/∂{}∂{} = {}",
                names[j],
                names[i],
                format_number(*h)
            ));
        }
    }
    if let Some((v, hv)) = product {
        let along: Vec<String> = names
            .iter()
            .zip(v)
            .map(|(name, x)| format!("{name} = {}", format_number(*x)))
            .collect();
        lines.push(format!(
            "Hessian times v = ({}), one reverse pass over the backward graph:",
            along.join(", ")
        ));
        for (name, x) in names.iter().zip(hv) {
            lines.push(format!("  (H·v) for {name} = {}", format_number(*x)));
        }
    }
    lines.push(String::new());
    lines.push(format!(
        "Differentiating again keeps the backward pass as nodes (create_graph=True): {} instead of {}.",
        nodes(backward.forward_nodes() + backward.backward_nodes()),
        backward.forward_nodes()
    ));
    lines.join("\n") + "\n"
}

/// The JSON report.
pub fn json(
    graph: &Graph,
    inputs: &[Tensor],
    second: &SecondOrder,
    product: Product,
    program: &str,
) -> Result<String, CliError> {
    let names = input_names(graph);
    let by_name = |values: &[f64]| -> Value {
        names
            .iter()
            .zip(values)
            .map(|(name, v)| (name.clone(), number(*v)))
            .collect::<serde_json::Map<_, _>>()
            .into()
    };
    let at: Vec<f64> = inputs
        .iter()
        .map(|t| t.item().unwrap_or(f64::NAN))
        .collect();
    let hessian: serde_json::Map<String, Value> = names
        .iter()
        .zip(&second.hessian)
        .map(|(name, row)| (name.clone(), by_name(row)))
        .collect();
    let backward = &second.backward;
    let bg = &backward.graph;
    let nodes: Vec<Value> = bg.nodes()[backward.forward_len..]
        .iter()
        .filter(|node| !node.op.is_leaf())
        .map(|node| json!({"name": node.name, "rule": rule(bg, node)}))
        .collect();
    let mut report = json!({
        "program": program,
        "order": 2,
        "inputs": by_name(&at),
        "output": {"name": graph.node(graph.output()).name, "value": number(second.output)},
        "gradients": by_name(&second.gradient),
        "hessian": hessian,
        "backward_graph": {
            "forward_nodes": backward.forward_nodes(),
            "backward_nodes": backward.backward_nodes(),
            "nodes": nodes,
        },
    });
    if let Some((v, hv)) = product {
        report["hessian_vector_product"] = json!({"along": by_name(v), "product": by_name(hv)});
    }
    serde_json::to_string_pretty(&report)
        .map(|text| text + "\n")
        .map_err(|e| CliError::System(format!("cannot write JSON: {e}")))
}

/// `1 computed node`, `3 computed nodes`.
fn nodes(count: usize) -> String {
    let s = if count == 1 { "" } else { "s" };
    format!("{count} computed node{s}")
}

fn input_names(graph: &Graph) -> Vec<String> {
    graph
        .inputs()
        .map(|id| graph.node(id).name.clone())
        .collect()
}

fn number(x: f64) -> Value {
    if x.is_finite() {
        json!(x)
    } else {
        json!(non_finite_name(x))
    }
}

/// A backward-graph node's rule over its operands' names: `∂v2/∂x · v̄2`.
fn rule(graph: &Graph, node: &Node) -> String {
    let arg = |i: usize| {
        node.inputs
            .get(i)
            .map_or_else(String::new, |id| graph.node(*id).name.clone())
    };
    match node.op.syntax() {
        Syntax::Leaf => node.name.clone(),
        Syntax::Copy => arg(0),
        Syntax::Negation => format!("-{}", arg(0)),
        Syntax::PowerOf(n) => format!("{}^{}", arg(0), format_number(n)),
        Syntax::Call(name) => format!("{name}({})", arg(0)),
        Syntax::Infix(infix) => {
            let symbol = match infix {
                Infix::Plus => "+",
                Infix::Minus => "-",
                Infix::Times => "·",
                Infix::Over => "/",
                Infix::Power => "^",
                Infix::MatMul => "@",
                Infix::Greater => ">",
                Infix::Less => "<",
                Infix::GreaterEqual => "≥",
                Infix::LessEqual => "≤",
            };
            format!("{} {symbol} {}", arg(0), arg(1))
        }
    }
}
