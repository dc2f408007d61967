//! A step record as text: the rule in symbols, the same rule with numbers, the local
//! derivatives it used, and how an adjoint adds up (`x̄1 = 7 + 3 = 10`).

use super::formula::{formula, op_expression};
use super::notation::Notation;
use crate::engine::{StepDetail, StepRecord, Update};
use crate::graph::{Graph, NodeId, Op};

/// One assignment of a step: a step may make several (a backward visit updates each input).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RulePart {
    /// In symbols: `x̄1 += ∂v4/∂x1 · v̄4`.
    pub rule: String,
    /// With numbers: `x̄1 += 7 · 1 = 7`.
    pub substituted: String,
    /// The local derivatives used: `∂v4/∂x1 = v3 = 7`.
    pub local: Vec<String>,
    /// Where an adjoint has several contributions: `x̄1 = 7 + 3 = 10`.
    pub total: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepText {
    pub parts: Vec<RulePart>,
}

impl StepText {
    pub fn rule(&self) -> String {
        self.parts
            .iter()
            .map(|p| p.rule.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub fn substituted(&self) -> String {
        self.parts
            .iter()
            .map(|p| p.substituted.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// A node as it appears in a formula: its name, or its value for a constant.
pub fn symbol(graph: &Graph, id: NodeId, n: Notation) -> String {
    match graph.node(id).op {
        Op::Const(c) => n.number(c),
        _ => n.var(&graph.node(id).name),
    }
}

pub fn step_text(graph: &Graph, record: &StepRecord, n: Notation) -> StepText {
    let node = record.node;
    let name = &graph.node(node).name;
    let parts = match &record.detail {
        StepDetail::Input { value } => vec![assignment(n.var(name), "", *value, n)],
        StepDetail::Compute { args, value } => vec![compute(graph, node, args, *value, n)],
        StepDetail::Visit {
            seeded,
            adjoint,
            updates,
        } => {
            let mut parts = Vec::new();
            if *seeded {
                parts.push(RulePart {
                    rule: format!("{} = 1", n.adjoint(name)),
                    substituted: format!("{} = 1", n.adjoint(name)),
                    local: vec![],
                    total: None,
                });
            }
            parts.extend(updates.iter().map(|u| backward_update(graph, node, u, n)));
            if parts.is_empty() {
                let output = &graph.node(graph.output()).name;
                let partial = n.partial(output, name);
                parts.push(RulePart {
                    rule: format!("{partial} = {}", n.adjoint(name)),
                    substituted: format!("{partial} = {}", n.number(*adjoint)),
                    local: vec![],
                    total: None,
                });
            }
            parts
        }
        StepDetail::Tangent {
            args,
            value,
            seeded,
            partials,
            arg_tangents,
            tangent,
        } => {
            if graph.node(node).op == Op::Input {
                let seed = if *seeded { 1.0 } else { 0.0 };
                vec![
                    assignment(n.var(name), "", *value, n),
                    assignment(n.tangent(name), "", seed, n),
                ]
            } else {
                let value_part = compute(graph, node, args, *value, n);
                vec![
                    value_part,
                    tangent_part(graph, node, partials, arg_tangents, *tangent, n),
                ]
            }
        }
    };
    StepText { parts }
}

fn assignment(lhs: String, expression: &str, value: f64, n: Notation) -> RulePart {
    let number = n.number(value);
    let (rule, substituted) = if expression.is_empty() {
        (format!("{lhs} = {number}"), format!("{lhs} = {number}"))
    } else {
        (
            format!("{lhs} = {expression}"),
            format!("{lhs} = {expression} = {number}"),
        )
    };
    RulePart {
        rule,
        substituted,
        local: vec![],
        total: None,
    }
}

fn compute(graph: &Graph, node: NodeId, args: &[f64], value: f64, n: Notation) -> RulePart {
    let op = graph.node(node).op;
    let names: Vec<String> = graph
        .node(node)
        .inputs
        .iter()
        .map(|&i| symbol(graph, i, n))
        .collect();
    let numbers: Vec<String> = args.iter().map(|&x| n.number(x)).collect();
    let lhs = n.var(&graph.node(node).name);
    RulePart {
        rule: format!("{lhs} = {}", op_expression(op, &names, n)),
        substituted: format!(
            "{lhs} = {} = {}",
            op_expression(op, &numbers, n),
            n.number(value)
        ),
        local: vec![],
        total: None,
    }
}

/// `∂v4/∂x1 = v3 = 7` (or just `∂v3/∂x1 = 1` when the formula is a number).
fn local_derivative(
    graph: &Graph,
    node: NodeId,
    input_index: usize,
    local: f64,
    n: Notation,
) -> String {
    let target = graph.node(node).inputs[input_index];
    let op = graph.node(node).op;
    let names: Vec<String> = graph
        .node(node)
        .inputs
        .iter()
        .map(|&i| symbol(graph, i, n))
        .collect();
    let out = n.var(&graph.node(node).name);
    let partial = n.partial(&graph.node(node).name, &graph.node(target).name);
    let number = n.number(local);
    match op.local_derivatives().get(input_index) {
        Some(f) => {
            let symbolic = formula(f, &names, &out, n);
            if symbolic == number {
                format!("{partial} = {number}")
            } else {
                format!("{partial} = {symbolic} = {number}")
            }
        }
        None => format!("{partial} = {number}"),
    }
}

fn backward_update(graph: &Graph, node: NodeId, update: &Update, n: Notation) -> RulePart {
    let node_name = &graph.node(node).name;
    let target_name = &graph.node(update.target).name;
    let target = n.adjoint(target_name);
    let rule = format!(
        "{target}{}{}{}{}",
        n.plus_equals(),
        n.partial(node_name, target_name),
        n.times(),
        n.adjoint(node_name)
    );
    let substituted = format!(
        "{target}{}{}{}{} = {}",
        n.plus_equals(),
        n.operand(update.local),
        n.times(),
        n.operand(update.upstream),
        n.number(update.contribution)
    );
    let total = update.previous.map(|previous| {
        format!(
            "{target} = {} + {} = {}",
            n.number(previous),
            n.operand(update.contribution),
            n.number(update.adjoint)
        )
    });
    RulePart {
        rule,
        substituted,
        local: vec![local_derivative(
            graph,
            node,
            update.input_index,
            update.local,
            n,
        )],
        total,
    }
}

fn tangent_part(
    graph: &Graph,
    node: NodeId,
    partials: &[f64],
    arg_tangents: &[f64],
    tangent: f64,
    n: Notation,
) -> RulePart {
    let name = &graph.node(node).name;
    let inputs = &graph.node(node).inputs;
    let terms: Vec<usize> = (0..inputs.len())
        .filter(|&i| !matches!(graph.node(inputs[i]).op, Op::Const(_)))
        .collect();
    let lhs = n.tangent(name);
    let symbolic: Vec<String> = terms
        .iter()
        .map(|&i| {
            format!(
                "{}{}{}",
                n.partial(name, &graph.node(inputs[i]).name),
                n.times(),
                n.tangent(&graph.node(inputs[i]).name)
            )
        })
        .collect();
    let numeric: Vec<String> = terms
        .iter()
        .map(|&i| {
            format!(
                "{}{}{}",
                n.operand(partials[i]),
                n.times(),
                n.operand(arg_tangents[i])
            )
        })
        .collect();
    let (rule, substituted) = if terms.is_empty() {
        (format!("{lhs} = 0"), format!("{lhs} = 0"))
    } else {
        (
            format!("{lhs} = {}", symbolic.join(" + ")),
            format!("{lhs} = {} = {}", numeric.join(" + "), n.number(tangent)),
        )
    };
    let local = terms
        .iter()
        .map(|&i| local_derivative(graph, node, i, partials[i], n))
        .collect();
    RulePart {
        rule,
        substituted,
        local,
        total: None,
    }
}

#[cfg(test)]
mod tests;
