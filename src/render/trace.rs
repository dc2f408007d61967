//! Whole-trace documents: a finished run laid out the way the seeds present it (forward
//! table, seeded backward pass, gradients), as plain text, Markdown or LaTeX.
//!
//! [`build`] turns a stepper into a [`Trace`] of ready-made strings in one notation; the
//! `text`, `markdown` and `latex` modules only arrange those strings on the page.

mod latex;
mod markdown;
mod text;

pub use latex::latex;
pub use markdown::markdown;
pub use text::text;

use super::formula::op_expression;
use super::notation::Notation;
use super::step::{RulePart, step_text, symbol};
use crate::engine::{Mode, StepDetail, StepRecord, Stepper, Update};
use crate::graph::{Graph, NodeId, Op};
use std::collections::HashMap;
use std::fmt;

/// `lhs relation a = b = c`: an assignment or an update with its chain of right-hand
/// sides, kept apart so LaTeX can align on the relation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Equation {
    /// Empty when the text could not be split; the chain then holds the whole equation.
    pub lhs: String,
    /// `=`, `+=` or `\mathrel{+}=`.
    pub relation: String,
    pub chain: Vec<String>,
}

impl Equation {
    /// An equation whose chain drops consecutive repeats (`ẋ1 = 1 = 1` is `ẋ1 = 1`).
    pub fn new(
        lhs: impl Into<String>,
        relation: &str,
        chain: impl IntoIterator<Item = String>,
    ) -> Equation {
        let mut terms: Vec<String> = chain.into_iter().collect();
        terms.dedup();
        Equation {
            lhs: lhs.into(),
            relation: relation.to_string(),
            chain: terms,
        }
    }

    /// The right-hand sides joined by ` = `.
    pub fn rhs(&self) -> String {
        self.chain.join(" = ")
    }

    /// Split `text` as `lhs relation rest`; if it does not start that way, keep it whole.
    fn parse(text: &str, lhs: &str, relation: &str) -> Equation {
        match text.strip_prefix(&format!("{lhs} {relation} ")) {
            Some(rest) => Equation::new(lhs, relation, [rest.to_string()]),
            None => Equation::new("", "", [text.to_string()]),
        }
    }

    /// A rule part's symbolic rule and substituted numbers as one chain:
    /// `x̄1 += ∂v3/∂x1 · v̄3 = 1 · 3 = 3`.
    fn from_part(part: &RulePart, lhs: &str, relation: &str) -> Equation {
        let rule = Equation::parse(&part.rule, lhs, relation);
        let substituted = Equation::parse(&part.substituted, lhs, relation);
        if rule.lhs.is_empty() || substituted.lhs.is_empty() {
            return Equation::new("", "", [part.substituted.clone()]);
        }
        Equation::new(
            lhs,
            relation,
            rule.chain.into_iter().chain(substituted.chain),
        )
    }
}

impl fmt::Display for Equation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.lhs.is_empty() {
            write!(f, "{}", self.rhs())
        } else {
            write!(f, "{} {} {}", self.lhs, self.relation, self.rhs())
        }
    }
}

/// One node of the forward pass, as a row of the seeds' table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForwardRow {
    pub node: String,
    /// The forward rule over names (`x1 + x2`); `None` for an input (a leaf).
    pub formula: Option<String>,
    /// How the value came about: `v3 = x1 + x2 = 3 + 4 = 7`.
    pub computation: Equation,
    pub value: String,
    /// The local derivative by each computed input: `∂v4/∂x1 = v3 = 7`.
    pub locals: Vec<String>,
    /// Forward mode: the tangent rule and the tangent.
    pub tangent: Option<Tangent>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tangent {
    /// `v̇3 = ∂v3/∂x1 · ẋ1 + ∂v3/∂x2 · ẋ2 = 1 · 1 + 1 · 0 = 1`.
    pub rule: Equation,
    pub value: String,
}

/// The backward visit of one computed node: its rule, local derivatives and the
/// adjoint updates it makes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackwardStep {
    /// The node with its forward rule: `v4 = v3 · x1`.
    pub node: Equation,
    pub locals: Vec<String>,
    pub updates: Vec<AdjointUpdate>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdjointUpdate {
    /// `x̄1 += ∂v3/∂x1 · v̄3 = 1 · 3 = 3`.
    pub update: Equation,
    /// Where the target has several contributions: `x̄1 = 7 + 3 = 10`.
    pub total: Option<Equation>,
}

/// The derivative of the output by one input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gradient {
    /// The input with its value: `x1 = 3`.
    pub input: Equation,
    /// `∂v4/∂x1 = x̄1 = 10` (reverse mode) or `∂v4/∂x1 = v̇4 = 10` (forward mode).
    pub derivative: Equation,
}

/// A finished run in one notation, ready to be laid out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trace {
    pub notation: Notation,
    /// The program on one line: statements joined by `; `, comments dropped.
    pub program: String,
    /// Forward mode: the input the tangents are taken by.
    pub wrt: Option<String>,
    /// `x1 = 3`, one per input.
    pub inputs: Vec<Equation>,
    /// `v4 = 21`.
    pub output: Equation,
    pub forward: Vec<ForwardRow>,
    /// Reverse mode: `v̄4 = 1`.
    pub seed: Option<Equation>,
    /// Reverse mode: the visits of computed nodes, in order (leaves are left out: their
    /// adjoints are the gradients).
    pub backward: Vec<BackwardStep>,
    /// One per input whose derivative the run computed.
    pub gradients: Vec<Gradient>,
}

/// The whole run of `stepper` (continued to the end if it is not there yet) as a [`Trace`].
pub fn build(stepper: &Stepper, source: &str, n: Notation) -> Trace {
    let mut run = stepper.clone();
    run.run_to_end();
    let graph = run.graph();
    let mut forward: Vec<ForwardRow> = Vec::new();
    let mut row_of: HashMap<NodeId, usize> = HashMap::new();
    let mut seed = None;
    let mut backward = Vec::new();
    for record in run.history() {
        let text = step_text(graph, record, n);
        match &record.detail {
            StepDetail::Input { .. } | StepDetail::Compute { .. } | StepDetail::Tangent { .. } => {
                row_of.insert(record.node, forward.len());
                forward.push(forward_row(graph, record, &text.parts, n));
            }
            StepDetail::Visit {
                seeded, updates, ..
            } => {
                let name = &graph.node(record.node).name;
                let skip = usize::from(*seeded);
                if *seeded {
                    seed = text
                        .parts
                        .first()
                        .map(|part| Equation::from_part(part, &n.adjoint(name), "="));
                }
                let update_parts: Vec<&RulePart> =
                    text.parts.iter().skip(skip).take(updates.len()).collect();
                let step = backward_step(graph, record.node, updates, &update_parts, n);
                if let Some(&row) = row_of.get(&record.node) {
                    forward[row].locals = step.locals.clone();
                }
                if graph.node(record.node).op != Op::Input {
                    backward.push(step);
                }
            }
        }
    }
    let output = graph.output();
    Trace {
        notation: n,
        program: one_line(source),
        wrt: match run.mode() {
            Mode::Forward { wrt } => Some(n.var(&graph.node(wrt).name)),
            Mode::Reverse => None,
        },
        inputs: graph.inputs().map(|id| assignment(&run, id, n)).collect(),
        output: assignment(&run, output, n),
        forward,
        seed,
        backward,
        gradients: gradients(&run, n),
    }
}

/// `x1 = 3`: a node and its value.
fn assignment(run: &Stepper, id: NodeId, n: Notation) -> Equation {
    let value = run
        .value(id)
        .map_or_else(|| "?".to_string(), |x| n.number(x));
    Equation::new(n.var(&run.graph().node(id).name), "=", [value])
}

/// `∂v4/∂x1 = x̄1 = 10` for each input whose derivative the run computed.
fn gradients(run: &Stepper, n: Notation) -> Vec<Gradient> {
    let graph = run.graph();
    let output = &graph.node(graph.output()).name;
    run.gradients()
        .into_iter()
        .filter_map(|(id, gradient)| {
            let name = &graph.node(id).name;
            let carrier = match run.mode() {
                Mode::Reverse => n.adjoint(name),
                Mode::Forward { .. } => n.tangent(output),
            };
            let chain = [carrier, n.number(gradient?)];
            Some(Gradient {
                input: assignment(run, id, n),
                derivative: Equation::new(n.partial(output, name), "=", chain),
            })
        })
        .collect()
}

/// A forward step as a table row; `parts` are its rule parts (forward mode: value, tangent).
fn forward_row(graph: &Graph, record: &StepRecord, parts: &[RulePart], n: Notation) -> ForwardRow {
    let node = graph.node(record.node);
    let name = n.var(&node.name);
    let value = n.number(record_value(record));
    let (formula, computation) = match &record.detail {
        StepDetail::Compute { args, .. } | StepDetail::Tangent { args, .. }
            if node.op != Op::Input =>
        {
            let symbols: Vec<String> = node.inputs.iter().map(|&i| symbol(graph, i, n)).collect();
            let numbers: Vec<String> = args.iter().map(|&x| n.number(x)).collect();
            let formula = op_expression(node.op, &symbols, n);
            let chain = [
                formula.clone(),
                op_expression(node.op, &numbers, n),
                value.clone(),
            ];
            (Some(formula), Equation::new(name.clone(), "=", chain))
        }
        _ => (None, Equation::new(name.clone(), "=", [value.clone()])),
    };
    let tangent = match &record.detail {
        StepDetail::Tangent { tangent, .. } => parts.get(1).map(|part| Tangent {
            rule: Equation::from_part(part, &n.tangent(&node.name), "="),
            value: n.number(*tangent),
        }),
        _ => None,
    };
    // Reverse mode fills in the locals from the backward visit, where they are used.
    let locals = match &record.detail {
        StepDetail::Tangent { .. } => parts
            .get(1)
            .map(|part| part.local.clone())
            .unwrap_or_default(),
        _ => vec![],
    };
    ForwardRow {
        node: name,
        formula,
        computation,
        value,
        locals,
        tangent,
    }
}

/// The value a forward step computed (for a forward-mode step, not its tangent).
fn record_value(record: &StepRecord) -> f64 {
    match &record.detail {
        StepDetail::Tangent { value, .. } => *value,
        _ => record.result(),
    }
}

/// A backward visit; `parts` are the rule parts of its `updates`, one each.
fn backward_step(
    graph: &Graph,
    id: NodeId,
    updates: &[Update],
    parts: &[&RulePart],
    n: Notation,
) -> BackwardStep {
    let node = graph.node(id);
    let symbols: Vec<String> = node.inputs.iter().map(|&i| symbol(graph, i, n)).collect();
    let relation = n.plus_equals().trim();
    let updates = updates
        .iter()
        .zip(parts)
        .map(|(update, part)| {
            let target = n.adjoint(&graph.node(update.target).name);
            AdjointUpdate {
                update: Equation::from_part(part, &target, relation),
                total: part
                    .total
                    .as_deref()
                    .map(|total| Equation::parse(total, &target, "=")),
            }
        })
        .collect();
    BackwardStep {
        node: Equation::new(
            n.var(&node.name),
            "=",
            [op_expression(node.op, &symbols, n)],
        ),
        locals: parts
            .iter()
            .flat_map(|part| part.local.iter().cloned())
            .collect(),
        updates,
    }
}

/// `Through v4 = v3 · x1, with ∂v4/∂v3 = x1 = 3 and ∂v4/∂x1 = v3 = 7:`, with `math`
/// wrapping each formula for the target format.
fn through(step: &BackwardStep, math: impl Fn(&str) -> String) -> String {
    let node = math(&step.node.to_string());
    if step.updates.is_empty() {
        return format!("Through {node}: its inputs are constants, so nothing flows back.");
    }
    let locals: Vec<String> = step.locals.iter().map(|local| math(local)).collect();
    match locals.split_last() {
        None => format!("Through {node}:"),
        Some((last, [])) => format!("Through {node}, with {last}:"),
        Some((last, rest)) => format!("Through {node}, with {} and {last}:", rest.join(", ")),
    }
}

/// Said in place of the gradients of a program without inputs.
const NO_GRADIENTS: &str = "The program has no inputs, so it has no gradients.";

/// `x1 = 3, x2 = 4`, or `none`.
fn input_list(trace: &Trace, math: impl Fn(&str) -> String) -> String {
    if trace.inputs.is_empty() {
        return "none".to_string();
    }
    trace
        .inputs
        .iter()
        .map(|input| math(&input.to_string()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The program's statements on one line: `W = 2; x = 3; y = W * x`.
pub fn one_line(source: &str) -> String {
    source
        .lines()
        .map(|line| line.split('#').next().unwrap_or("").trim())
        .flat_map(|line| line.split(';').map(str::trim))
        .filter(|statement| !statement.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests;
