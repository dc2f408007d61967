//! A step record as rule parts: each assignment as an [`Equation`] (`x̄1 += ∂v4/∂x1 · v̄4
//! = 7 · 1 = 7`), with the local derivatives it used (`∂v4/∂x1 = v3 = 7`) and how an
//! adjoint adds up (`x̄1 = 7 + 3 = 10`).

use super::equation::{Equation, Relation};
use super::formula::{Expr, formula, op_expression, product, sum};
use super::notation::Notation;
use crate::engine::{StepDetail, StepRecord, Update};
use crate::graph::{Graph, NodeId, Op};

/// One assignment of a step: a step may make several (a backward visit updates each input).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RulePart {
    /// `x̄1 += ∂v4/∂x1 · v̄4 = 7 · 1 = 7`, in parts.
    pub equation: Equation,
    /// The local derivatives used: `∂v4/∂x1 = v3 = 7`.
    pub local: Vec<Equation>,
    /// Where an adjoint has several contributions: `x̄1 = 7 + 3 = 10`.
    pub total: Option<Equation>,
}

impl RulePart {
    fn new(equation: Equation) -> RulePart {
        RulePart {
            equation,
            local: vec![],
            total: None,
        }
    }

    /// In symbols: `x̄1 += ∂v4/∂x1 · v̄4`.
    pub fn rule(&self) -> String {
        self.equation.rule()
    }

    /// With numbers: `x̄1 += 7 · 1 = 7`.
    pub fn substituted(&self) -> String {
        self.equation.substituted()
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepText {
    pub notation: Notation,
    pub parts: Vec<RulePart>,
}

impl StepText {
    /// The parts' rules, separated: `v̄4 = 1; v̄3 += ∂v4/∂v3 · v̄4`.
    pub fn rule(&self) -> String {
        self.joined(RulePart::rule)
    }

    /// The parts with numbers, separated: `v̄4 = 1; v̄3 += 3 · 1 = 3`.
    pub fn substituted(&self) -> String {
        self.joined(RulePart::substituted)
    }

    fn joined(&self, text: fn(&RulePart) -> String) -> String {
        let texts: Vec<String> = self.parts.iter().map(text).collect();
        texts.join(self.notation.separator())
    }
}

/// A node as it appears in a formula: its name, or its value for a constant.
pub fn symbol(graph: &Graph, id: NodeId, n: Notation) -> Expr {
    match graph.node(id).op {
        Op::Const(c) => Expr::number(c, n),
        _ => Expr::name(&graph.node(id).name, n),
    }
}

pub fn step_text(graph: &Graph, record: &StepRecord, n: Notation) -> StepText {
    let node = record.node;
    let name = &graph.node(node).name;
    let parts = match &record.detail {
        StepDetail::Input { value } => vec![value_part(n.var(name), *value, n)],
        StepDetail::Compute { args, value } => vec![compute(graph, node, args, *value, n)],
        StepDetail::Visit {
            seeded,
            adjoint,
            updates,
        } => {
            let mut parts = Vec::new();
            if *seeded {
                parts.push(value_part(n.adjoint(name), 1.0, n));
            }
            parts.extend(updates.iter().map(|u| backward_update(graph, node, u, n)));
            if parts.is_empty() {
                let output = &graph.node(graph.output()).name;
                let gradient = Equation::new(
                    n,
                    n.partial(output, name),
                    Relation::Equals,
                    n.number(*adjoint),
                )
                .with_symbolic(n.adjoint(name));
                parts.push(RulePart::new(gradient));
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
                    value_part(n.var(name), *value, n),
                    value_part(n.tangent(name), seed, n),
                ]
            } else {
                vec![
                    compute(graph, node, args, *value, n),
                    tangent_part(graph, node, partials, arg_tangents, *tangent, n),
                ]
            }
        }
    };
    StepText { notation: n, parts }
}

/// `x1 = 3`: a value given, not computed.
fn value_part(lhs: String, value: f64, n: Notation) -> RulePart {
    RulePart::new(Equation::new(n, lhs, Relation::Equals, n.number(value)))
}

fn symbols(graph: &Graph, node: NodeId, n: Notation) -> Vec<Expr> {
    graph
        .node(node)
        .inputs
        .iter()
        .map(|&i| symbol(graph, i, n))
        .collect()
}

/// `v3 = x1 + x2 = 3 + 4 = 7`
fn compute(graph: &Graph, node: NodeId, args: &[f64], value: f64, n: Notation) -> RulePart {
    let op = graph.node(node).op;
    let numbers: Vec<Expr> = args.iter().map(|&x| Expr::number(x, n)).collect();
    let equation = Equation::new(
        n,
        n.var(&graph.node(node).name),
        Relation::Equals,
        n.number(value),
    )
    .with_symbolic(op_expression(op, &symbols(graph, node, n), n).into_text())
    .with_numeric(op_expression(op, &numbers, n).into_text());
    RulePart::new(equation)
}

/// `∂v4/∂x1 = v3 = 7` (or just `∂v3/∂x1 = 1` when the formula is the number).
fn local_derivative(
    graph: &Graph,
    node: NodeId,
    input_index: usize,
    local: f64,
    n: Notation,
) -> Equation {
    let target = graph.node(node).inputs[input_index];
    let name = &graph.node(node).name;
    let number = n.number(local);
    let symbolic = graph
        .node(node)
        .op
        .local_derivatives()
        .get(input_index)
        .map(|f| formula(f, &symbols(graph, node, n), &Expr::name(name, n), n).into_text())
        .filter(|symbolic| *symbolic != number);
    let partial = n.partial(name, &graph.node(target).name);
    let equation = Equation::new(n, partial, Relation::Equals, number);
    match symbolic {
        Some(symbolic) => equation.with_symbolic(symbolic),
        None => equation,
    }
}

/// `x̄1 += ∂v4/∂x1 · v̄4 = 7 · 1 = 7`, and `x̄1 = 7 + 3 = 10` once it adds up.
fn backward_update(graph: &Graph, node: NodeId, update: &Update, n: Notation) -> RulePart {
    let node_name = &graph.node(node).name;
    let target_name = &graph.node(update.target).name;
    let target = n.adjoint(target_name);
    let symbolic = product(
        Expr::partial(node_name, target_name, n),
        Expr::adjoint(node_name, n),
        n,
    );
    let numeric = product(
        Expr::number(update.local, n),
        Expr::number(update.upstream, n),
        n,
    );
    let equation = Equation::new(
        n,
        target.clone(),
        Relation::PlusEquals,
        n.number(update.contribution),
    )
    .with_symbolic(symbolic.into_text())
    .with_numeric(numeric.into_text());
    let total = update.previous.map(|previous| {
        let terms = sum(
            Expr::number(previous, n),
            Expr::number(update.contribution, n),
            n,
        );
        Equation::new(n, target, Relation::Equals, n.number(update.adjoint))
            .with_numeric(terms.into_text())
    });
    RulePart {
        equation,
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

/// `v̇3 = ∂v3/∂x1 · ẋ1 + ∂v3/∂x2 · ẋ2 = 1 · 1 + 1 · 0 = 1`, over the computed inputs.
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
    let symbolic = terms
        .iter()
        .map(|&i| {
            let input = &graph.node(inputs[i]).name;
            product(Expr::partial(name, input, n), Expr::tangent(input, n), n)
        })
        .reduce(|a, b| sum(a, b, n));
    let numeric = terms
        .iter()
        .map(|&i| {
            product(
                Expr::number(partials[i], n),
                Expr::number(arg_tangents[i], n),
                n,
            )
        })
        .reduce(|a, b| sum(a, b, n));
    let mut equation = Equation::new(n, n.tangent(name), Relation::Equals, n.number(tangent));
    if let (Some(symbolic), Some(numeric)) = (symbolic, numeric) {
        equation = equation
            .with_symbolic(symbolic.into_text())
            .with_numeric(numeric.into_text());
    }
    RulePart {
        equation,
        local: terms
            .iter()
            .map(|&i| local_derivative(graph, node, i, partials[i], n))
            .collect(),
        total: None,
    }
}

#[cfg(test)]
mod tests;
