//! Whole-trace documents: a finished run laid out the way the seeds present it (forward
//! table, seeded backward pass, gradients), as plain text, Markdown or LaTeX.
//!
//! [`build`] turns a stepper into a [`Trace`] of [`Equation`]s rendered in one notation,
//! mostly the steps' own rule parts; the `text`, `markdown` and `latex` modules only
//! arrange them on the page.

mod latex;
mod markdown;
mod text;

pub use latex::latex;
pub use markdown::markdown;
pub use text::text;

/// An already built trace laid out as plain text, Markdown or LaTeX (build it in the
/// matching notation).
pub fn text_of(trace: &Trace) -> String {
    text::render(trace)
}

pub fn markdown_of(trace: &Trace) -> String {
    markdown::render(trace)
}

pub fn latex_of(trace: &Trace) -> String {
    latex::render(trace)
}

pub use super::equation::{Equation, Relation};

use super::computed::Computed;
use super::notation::Notation;
use super::step::{RulePart, step_text};
use crate::engine::{Mode, Phase, StepDetail, Stepper};
use crate::graph::NodeId;
use crate::op::Op;
use crate::tensor::Tensor;
use std::collections::HashMap;

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
    pub locals: Vec<Equation>,
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
    /// Checkpointing: the values computed again just before this step, because the
    /// forward pass discarded them and this step reads them (`v3 = x1 + x2 = 7`).
    pub recomputed: Vec<Equation>,
    /// The node's forward computation; its rule is `v4 = v3 · x1`.
    pub node: Equation,
    pub locals: Vec<Equation>,
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
    /// Who computed the output and the gradients when not the stepper (see
    /// [`Trace::with_computed`]).
    pub computed_by: Option<String>,
}

impl Trace {
    /// The output's value and the gradients as `computed` has them; `run` is the stepper
    /// the trace was built from.
    pub fn with_computed(mut self, run: &Stepper, computed: &Computed) -> Trace {
        let n = self.notation;
        let output = run.graph().node(run.graph().output());
        self.output = Equation::new(
            n,
            n.var(&output.name),
            Relation::Equals,
            n.tensor(&computed.output),
        );
        let values = computed.gradients.iter().map(|(id, g)| (*id, Some(g)));
        self.gradients = gradient_rows(run, n, values);
        self.computed_by = Some(computed.backend.clone());
        self
    }
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
    let mut recomputed = Vec::new();
    for record in run.history() {
        let mut parts = step_text(graph, record, n).parts.into_iter();
        if record.phase == Phase::Recompute {
            recomputed.extend(parts.next().map(|part| part.equation));
            continue;
        }
        match &record.detail {
            StepDetail::Input { .. } | StepDetail::Compute { .. } | StepDetail::Tangent { .. } => {
                if let Some(row) = forward_row(parts) {
                    row_of.insert(record.node, forward.len());
                    forward.push(row);
                }
            }
            StepDetail::Visit {
                seeded, updates, ..
            } => {
                if *seeded {
                    seed = parts.next().map(|part| part.equation);
                }
                let updates: Vec<RulePart> = parts.take(updates.len()).collect();
                let Some(&row) = row_of.get(&record.node) else {
                    continue;
                };
                let mut step = backward_step(forward[row].computation.clone(), updates);
                step.recomputed = std::mem::take(&mut recomputed);
                forward[row].locals = step.locals.clone();
                if graph.node(record.node).op != Op::Input {
                    backward.push(step);
                }
            }
            // Accumulation schedules are written step by step (`trace::accumulation`).
            StepDetail::ZeroGrad { .. } | StepDetail::Update { .. } => {}
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
        computed_by: None,
    }
}

/// `x1 = 3`: a node and its value.
fn assignment(run: &Stepper, id: NodeId, n: Notation) -> Equation {
    let value = run
        .value(id)
        .map_or_else(|| "?".to_string(), |x| n.tensor(x));
    Equation::new(
        n,
        n.var(&run.graph().node(id).name),
        Relation::Equals,
        value,
    )
}

/// `∂v4/∂x1 = x̄1 = 10` for each input whose derivative the run computed.
fn gradients(run: &Stepper, n: Notation) -> Vec<Gradient> {
    let gradients = run.gradients();
    let values = gradients.iter().map(|(id, g)| (*id, g.as_deref()));
    gradient_rows(run, n, values)
}

/// `∂v4/∂x1 = x̄1 = 10` for each input with a gradient among `values`.
fn gradient_rows<'a>(
    run: &Stepper,
    n: Notation,
    values: impl Iterator<Item = (NodeId, Option<&'a Tensor>)>,
) -> Vec<Gradient> {
    let graph = run.graph();
    let output = &graph.node(graph.output()).name;
    values
        .filter_map(|(id, gradient)| {
            let name = &graph.node(id).name;
            let carrier = match run.mode() {
                Mode::Reverse => n.adjoint(name),
                Mode::Forward { .. } => n.tangent(output),
            };
            let derivative = Equation::new(
                n,
                n.partial(output, name),
                Relation::Equals,
                n.tensor(gradient?),
            )
            .with_symbolic(carrier);
            Some(Gradient {
                input: assignment(run, id, n),
                derivative,
            })
        })
        .collect()
}

/// A forward step as a table row, from its rule parts: the value, then in forward mode
/// the tangent.
fn forward_row(mut parts: impl Iterator<Item = RulePart>) -> Option<ForwardRow> {
    let computation = parts.next()?.equation;
    let tangent = parts.next();
    Some(ForwardRow {
        node: computation.lhs.clone(),
        formula: computation.symbolic.clone(),
        value: computation.result.clone(),
        // Reverse mode fills in the locals from the backward visit, where they are used.
        locals: tangent
            .as_ref()
            .map(|part| part.local.clone())
            .unwrap_or_default(),
        tangent: tangent.map(|part| Tangent {
            value: part.equation.result.clone(),
            rule: part.equation,
        }),
        computation,
    })
}

/// A backward visit of the node computed by `computation`, from the rule parts of its
/// updates.
fn backward_step(computation: Equation, updates: Vec<RulePart>) -> BackwardStep {
    BackwardStep {
        recomputed: Vec::new(),
        node: computation,
        locals: updates
            .iter()
            .flat_map(|part| part.local.iter().cloned())
            .collect(),
        updates: updates
            .into_iter()
            .map(|part| AdjointUpdate {
                update: part.equation,
                total: part.total,
            })
            .collect(),
    }
}

/// `Through v4 = v3 · x1, with ∂v4/∂v3 = x1 = 3 and ∂v4/∂x1 = v3 = 7:`, with `math`
/// wrapping each formula for the target format.
/// Checkpointing puts the values recomputed first in front: `Recompute v3 = x1 + x2 = 7
/// (the forward pass discarded it); then through v4 = v3 · x1, …`.
fn through(step: &BackwardStep, math: impl Fn(&str) -> String) -> String {
    let text = through_node(step, &math);
    if step.recomputed.is_empty() {
        return text;
    }
    let values: Vec<String> = step
        .recomputed
        .iter()
        .map(|equation| math(&equation.to_string()))
        .collect();
    let it = if values.len() == 1 { "it" } else { "them" };
    let text = text
        .strip_prefix('T')
        .map_or_else(|| text.clone(), |rest| format!("t{rest}"));
    format!(
        "Recompute {} (the forward pass discarded {it}); then {text}",
        values.join(", ")
    )
}

fn through_node(step: &BackwardStep, math: &impl Fn(&str) -> String) -> String {
    let node = math(&step.node.rule());
    if step.updates.is_empty() {
        return format!("Through {node}: its inputs are constants, so nothing flows back.");
    }
    let locals: Vec<String> = step
        .locals
        .iter()
        .map(|local| math(&local.to_string()))
        .collect();
    match locals.split_last() {
        None => format!("Through {node}:"),
        Some((last, [])) => format!("Through {node}, with {last}:"),
        Some((last, rest)) => format!("Through {node}, with {} and {last}:", rest.join(", ")),
    }
}

/// Said in place of the gradients of a program without inputs.
const NO_GRADIENTS: &str = "The program has no inputs, so it has no gradients.";

/// The heading of the gradients: `Gradients`, or `Gradients (computed on GPU (f32): …)`.
fn gradients_heading(trace: &Trace) -> String {
    match &trace.computed_by {
        None => "Gradients".to_string(),
        Some(backend) => format!("Gradients (computed on {backend})"),
    }
}

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
