//! A step record as rule parts: each assignment as an [`Equation`] (`x̄1 += ∂v4/∂x1 · v̄4
//! = 7 · 1 = 7`), with the local derivatives it used (`∂v4/∂x1 = v3 = 7`) and how an
//! adjoint adds up (`x̄1 = 7 + 3 = 10`).

use super::equation::{Equation, Relation};
use super::formula::{
    Expr, call, difference, formula, hadamard, negative, op_expression, product, quotient, sum,
    transposed,
};
use super::notation::Notation;
use crate::engine::record::Value;
use crate::engine::{StepDetail, StepRecord, Update};
use crate::graph::{Graph, NodeId};
use crate::op::{Kind, Loss, Matrix, Normalization, Op, Reduction};
use crate::tensor::Tensor;

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
    if let Op::Const(c) = graph.node(id).op {
        Expr::number(c, n)
    } else {
        Expr::name(&graph.node(id).name, n)
    }
}

pub fn step_text(graph: &Graph, record: &StepRecord, n: Notation) -> StepText {
    let node = record.node;
    let name = &graph.node(node).name;
    let parts = match &record.detail {
        StepDetail::Input { value } => vec![value_part(n.var(name), value, n)],
        StepDetail::Compute { args, value, .. } => vec![compute(graph, node, args, value, n)],
        StepDetail::Visit {
            seeded,
            adjoint,
            args,
            updates,
        } => {
            let mut parts = Vec::new();
            if *seeded {
                // The seed: ones, or the loss scale with loss scaling.
                parts.push(value_part(n.adjoint(name), adjoint, n));
            }
            parts.extend(
                updates
                    .iter()
                    .map(|u| backward_update(graph, node, u, args, n)),
            );
            if parts.is_empty() {
                let output = &graph.node(graph.output()).name;
                let gradient = Equation::new(
                    n,
                    n.partial(output, name),
                    Relation::Equals,
                    n.tensor(adjoint),
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
                let seed = value.map(|_| if *seeded { 1.0 } else { 0.0 });
                vec![
                    value_part(n.var(name), value, n),
                    value_part(n.tangent(name), &seed, n),
                ]
            } else {
                vec![
                    compute(graph, node, args, value, n),
                    tangent_part(graph, node, partials, arg_tangents, tangent, n),
                ]
            }
        }
        StepDetail::ZeroGrad { zero, .. } => vec![RulePart::new(Equation::new(
            n,
            n.adjoint(name),
            Relation::Equals,
            n.tensor(zero),
        ))],
        StepDetail::Update {
            old,
            gradient,
            micro_batches,
            rate,
            new,
        } => vec![update_part(
            name,
            old,
            gradient,
            *micro_batches,
            *rate,
            new,
            n,
        )],
    };
    StepText { notation: n, parts }
}

/// `W = W − η · W̄ / K = 0.5 − 0.1 · 1.2 / 4 = 0.47`: the update step, `W̄` the gradient
/// accumulated over the K micro-batches (`/ K` left out for one).
fn update_part(
    name: &str,
    old: &Tensor,
    gradient: &Tensor,
    micro_batches: usize,
    rate: f64,
    new: &Tensor,
    n: Notation,
) -> RulePart {
    let k = micro_batches as f64;
    let step = |w: Expr, g: Expr| {
        let g = if micro_batches > 1 {
            quotient(g, Expr::number(k, n), n)
        } else {
            g
        };
        difference(w, product(Expr::number(rate, n), g, n), n).into_text()
    };
    let symbolic = step(Expr::name(name, n), Expr::adjoint(name, n));
    let mut equation =
        Equation::new(n, n.var(name), Relation::Equals, n.tensor(new)).with_symbolic(symbolic);
    if all_shown(&[old, gradient]) {
        equation = equation.with_numeric(step(Expr::tensor(old, n), Expr::tensor(gradient, n)));
    }
    RulePart::new(equation)
}

/// `x1 = 3`: a value given, not computed.
fn value_part(lhs: String, value: &Tensor, n: Notation) -> RulePart {
    RulePart::new(Equation::new(n, lhs, Relation::Equals, n.tensor(value)))
}

fn symbols(graph: &Graph, node: NodeId, n: Notation) -> Vec<Expr> {
    graph
        .node(node)
        .inputs
        .iter()
        .map(|&i| symbol(graph, i, n))
        .collect()
}

/// Whether every tensor is small enough to write out, so substituting them helps.
fn all_shown(values: &[&Tensor]) -> bool {
    values.iter().all(|v| Notation::shows_values(v))
}

/// `v3 = x1 + x2 = 3 + 4 = 7` (the middle part only when the operands can be written out).
fn compute(graph: &Graph, node: NodeId, args: &[Value], value: &Tensor, n: Notation) -> RulePart {
    let op = graph.node(node).op;
    let mut equation = Equation::new(
        n,
        n.var(&graph.node(node).name),
        Relation::Equals,
        n.tensor(value),
    )
    .with_symbolic(op_expression(op, &symbols(graph, node, n), n).into_text());
    let refs: Vec<&Tensor> = args.iter().map(|a| &**a).collect();
    if all_shown(&refs) {
        let numbers: Vec<Expr> = refs.iter().map(|x| Expr::tensor(x, n)).collect();
        equation = equation.with_numeric(op_expression(op, &numbers, n).into_text());
    }
    RulePart::new(equation)
}

/// `∂v4/∂x1 = v3 = 7` (or just `∂v3/∂x1 = 1` when the formula is the number).
fn local_derivative(
    graph: &Graph,
    node: NodeId,
    input_index: usize,
    local: &Tensor,
    n: Notation,
) -> Equation {
    let target = graph.node(node).inputs[input_index];
    let name = &graph.node(node).name;
    let number = n.tensor(local);
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

/// `x̄1 += ∂v4/∂x1 · v̄4 = 7 · 1 = 7`, and `x̄1 = 7 + 3 = 10` once it adds up. Tensor
/// ops give their rule in matrix form: `W̄ += v̄ · xᵀ`.
fn backward_update(
    graph: &Graph,
    node: NodeId,
    update: &Update,
    args: &[Value],
    n: Notation,
) -> RulePart {
    let target_name = &graph.node(update.target).name;
    let target = n.adjoint(target_name);
    let (symbolic, numeric) = match &update.local {
        Some(local) => elementwise_rule(graph, node, update, local, n),
        None => (
            matrix_rule(graph, node, update.input_index, n),
            matrix_numbers(graph.node(node).op, update, args, n),
        ),
    };
    let mut equation = Equation::new(
        n,
        target.clone(),
        Relation::PlusEquals,
        n.tensor(&update.contribution),
    )
    .with_symbolic(symbolic.into_text());
    if let Some(numeric) = numeric {
        equation = equation.with_numeric(numeric.into_text());
    }
    let total = update.previous.as_ref().map(|previous| {
        let mut total = Equation::new(n, target, Relation::Equals, n.tensor(&update.adjoint));
        if all_shown(&[previous, &update.contribution]) {
            let terms = sum(
                Expr::tensor(previous, n),
                Expr::tensor(&update.contribution, n),
                n,
            );
            total = total.with_numeric(terms.into_text());
        }
        total
    });
    let local = update
        .local
        .as_ref()
        .map(|local| local_derivative(graph, node, update.input_index, local, n));
    RulePart {
        equation,
        local: local.into_iter().collect(),
        total,
    }
}

/// `∂v/∂x · v̄` (`⊙` between tensors), summed back over broadcast dimensions.
fn elementwise_rule(
    graph: &Graph,
    node: NodeId,
    update: &Update,
    local: &Tensor,
    n: Notation,
) -> (Expr, Option<Expr>) {
    let node_name = &graph.node(node).name;
    let target_name = &graph.node(update.target).name;
    let scalar = local.rank() == 0;
    let join = if scalar { product } else { hadamard };
    let mut symbolic = join(
        Expr::partial(node_name, target_name, n),
        Expr::adjoint(node_name, n),
        n,
    );
    let broadcast = local.shape() != update.contribution.shape();
    if broadcast {
        symbolic = call("unbroadcast", &[symbolic], n);
    }
    let numeric = (all_shown(&[local, &update.upstream]) && !broadcast)
        .then(|| join(Expr::tensor(local, n), Expr::tensor(&update.upstream, n), n));
    (symbolic, numeric)
}

/// The numbers of a matrix product's rule, `v̄ · Bᵀ` with B written out, when small.
fn matrix_numbers(op: Op, update: &Update, args: &[Value], n: Notation) -> Option<Expr> {
    if op != Op::MatMul {
        return None;
    }
    let other = args.get(1 - update.input_index)?;
    if !all_shown(&[other, &update.upstream]) {
        return None;
    }
    let upstream = Expr::tensor(&update.upstream, n);
    let other = transposed(Expr::tensor(other, n), n);
    Some(if update.input_index == 0 {
        product(upstream, other, n)
    } else {
        product(other, upstream, n)
    })
}

/// A tensor op's vector-Jacobian product for one operand, in matrix form.
fn matrix_rule(graph: &Graph, node: NodeId, input_index: usize, n: Notation) -> Expr {
    let the_node = graph.node(node);
    let args = symbols(graph, node, n);
    let arg = |i: usize| args.get(i).cloned().unwrap_or_else(|| Expr::name("?", n));
    let out = Expr::name(&the_node.name, n);
    let bar = Expr::adjoint(&the_node.name, n);
    let input_shape = &graph.node(the_node.inputs[input_index]).shape;
    let count = Expr::number(input_shape.iter().product::<usize>() as f64, n);
    let spread = |axis: Option<usize>| match axis {
        Some(axis) => call("broadcast", &[bar.clone(), Expr::number(axis as f64, n)], n),
        None => call("broadcast", std::slice::from_ref(&bar), n),
    };
    match (the_node.op.kind(), input_index) {
        (Kind::Matrix(Matrix::Product), 0) => product(bar, transposed(arg(1), n), n),
        (Kind::Matrix(Matrix::Product), _) => product(transposed(arg(0), n), bar, n),
        (Kind::Matrix(Matrix::Transpose), _) => transposed(bar, n),
        (Kind::Reduction(Reduction::Sum, axis), _) => spread(axis),
        (Kind::Reduction(Reduction::Mean, axis), _) => {
            let lane = match axis {
                Some(axis) => Expr::number(input_shape.get(axis).copied().unwrap_or(1) as f64, n),
                None => count,
            };
            quotient(spread(axis), lane, n)
        }
        (Kind::Reduction(Reduction::Max, axis), _) => hadamard(
            call("onehot", &[call("argmax", &[arg(0)], n)], n),
            spread(axis),
            n,
        ),
        (Kind::Normalization(Normalization::Softmax), _) => hadamard(
            out.clone(),
            difference(bar.clone(), call("sum", &[hadamard(bar, out, n)], n), n),
            n,
        ),
        // (ȳ − mean(ȳ) − y ⊙ mean(ȳ ⊙ y)) / std(x), std the row's √(σ² + ε).
        (Kind::Normalization(Normalization::LayerNorm), _) => quotient(
            difference(
                difference(bar.clone(), call("mean", std::slice::from_ref(&bar), n), n),
                hadamard(out.clone(), call("mean", &[hadamard(bar, out, n)], n), n),
                n,
            ),
            call("std", &[arg(0)], n),
            n,
        ),
        (Kind::Normalization(Normalization::LogSoftmax), _) => difference(
            bar.clone(),
            hadamard(call("exp", &[out], n), call("sum", &[bar], n), n),
            n,
        ),
        (Kind::Loss(Loss::CrossEntropy), 0) => {
            let rows = Expr::number(input_shape.first().copied().unwrap_or(1) as f64, n);
            let error = difference(
                call("softmax", &[arg(0)], n),
                call("onehot", &[arg(1)], n),
                n,
            );
            product(quotient(error, rows, n), bar, n)
        }
        (Kind::Loss(Loss::Mse), index) => {
            let residual = difference(arg(0), arg(1), n);
            let scaled = quotient(product(Expr::number(2.0, n), residual, n), count, n);
            let signed = if index == 0 {
                scaled
            } else {
                negative(scaled, n)
            };
            product(signed, bar, n)
        }
        // Labels are class indices: nothing flows back to them. Leaves have no rule, and
        // elementwise ops are explained by their local derivatives instead.
        // An index does not move with the values: argmax passes nothing back.
        (Kind::Loss(Loss::CrossEntropy), _)
        | (Kind::Reduction(Reduction::ArgMax, _), _)
        | (Kind::Leaf(_) | Kind::Elementwise(_), _) => Expr::number(0.0, n),
    }
}

/// `v̇3 = ∂v3/∂x1 · ẋ1 + ∂v3/∂x2 · ẋ2 = 1 · 1 + 1 · 0 = 1`, over the computed inputs.
fn tangent_part(
    graph: &Graph,
    node: NodeId,
    partials: &[Value],
    arg_tangents: &[Value],
    tangent: &Tensor,
    n: Notation,
) -> RulePart {
    let name = &graph.node(node).name;
    let inputs = &graph.node(node).inputs;
    let terms: Vec<usize> = (0..inputs.len())
        .filter(|&i| !graph.node(inputs[i]).op.is_constant())
        .collect();
    let join = if tangent.rank() == 0 {
        product
    } else {
        hadamard
    };
    let symbolic = terms
        .iter()
        .map(|&i| {
            let input = &graph.node(inputs[i]).name;
            join(Expr::partial(name, input, n), Expr::tangent(input, n), n)
        })
        .reduce(|a, b| sum(a, b, n));
    let shown = terms
        .iter()
        .all(|&i| all_shown(&[&partials[i], &arg_tangents[i]]));
    let numeric = terms
        .iter()
        .map(|&i| {
            join(
                Expr::tensor(&partials[i], n),
                Expr::tensor(&arg_tangents[i], n),
                n,
            )
        })
        .reduce(|a, b| sum(a, b, n))
        .filter(|_| shown);
    let mut equation = Equation::new(n, n.tangent(name), Relation::Equals, n.tensor(tangent));
    if let Some(symbolic) = symbolic {
        equation = equation.with_symbolic(symbolic.into_text());
    }
    if let Some(numeric) = numeric {
        equation = equation.with_numeric(numeric.into_text());
    }
    RulePart {
        equation,
        local: terms
            .iter()
            .map(|&i| local_derivative(graph, node, i, &partials[i], n))
            .collect(),
        total: None,
    }
}

#[cfg(test)]
mod tests;
