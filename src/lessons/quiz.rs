//! Predict, then reveal: which question the next step asks (a forward step its value, a
//! backward step a contribution to an adjoint, a local derivative or an adjoint, forward
//! mode a tangent), the answer it expects with its hint from the rule, how an answer typed
//! by the learner is read and checked (with a stated tolerance) and how the score counts.

use crate::engine::record::Value;
use crate::engine::{Phase, StepDetail, StepRecord, Stepper};
use crate::graph::{Graph, NodeId};
use crate::render::step::{RulePart, step_text};
use crate::render::{Equation, Notation};
use crate::url_state::QuizScore;

/// An answer is right within this fraction of the expected number…
pub const RELATIVE_TOLERANCE: f64 = 1e-3;
/// …or within this much of it (for answers near 0).
pub const ABSOLUTE_TOLERANCE: f64 = 1e-6;
/// The tolerance in words, as the quiz states it.
pub const TOLERANCE: &str = "Right within 0.1 % (relative 1e-3) or 1e-6 (absolute).";

/// What a question asks about the step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ask {
    /// A forward step's value.
    Value,
    /// Forward mode: the step's tangent.
    Tangent,
    /// A backward step's adjoint: the output's seed, or an input's complete gradient.
    Adjoint,
    /// What a backward step adds to the adjoint of `target`.
    Contribution { target: NodeId },
    /// The backward step's local derivative by its operand `target`.
    LocalDerivative { target: NodeId },
}

/// One question about the step at `step` (the cursor before it is taken).
#[derive(Clone, Debug, PartialEq)]
pub struct Question {
    pub step: usize,
    /// The node the step computes or visits.
    pub node: NodeId,
    pub ask: Ask,
    /// What is asked, in words: "Forward step: the value of v3".
    pub prompt: String,
    /// The rule the step applies, without its numbers: `v3 = x1 + x2`.
    pub rule: String,
    /// What the learner types the number of: `v3`, `x̄1 += …`, `∂v4/∂x1`.
    pub unknown: String,
    pub answer: f64,
    /// The rule with the operands' numbers, not the result: `v3 = 3 + 4`.
    pub hint: String,
    /// The whole rule with its result, once answered or revealed: `v3 = 3 + 4 = 7`.
    pub reveal: String,
}

/// What the next step is for the quiz.
#[derive(Clone, Debug, PartialEq)]
pub enum Next {
    /// A question to answer before the step is shown.
    Ask(Question),
    /// A step with nothing to predict (an input taking its given value, a tensor), said
    /// in words; the learner just shows it.
    Given {
        step: usize,
        node: NodeId,
        text: String,
    },
    /// The pass is over.
    Done,
}

/// The question of `stepper`'s next step (computed on a copy, so nothing is shown yet).
pub fn next(stepper: &Stepper) -> Next {
    let mut ahead = stepper.clone();
    let Some(record) = ahead.step() else {
        return Next::Done;
    };
    let graph = stepper.graph();
    match question(graph, stepper, &record) {
        Ok(question) => Next::Ask(question),
        Err(text) => Next::Given {
            step: record.index,
            node: record.node,
            text,
        },
    }
}

/// The one number a value holds; None for a tensor of more than one element.
fn number(value: &Value) -> Option<f64> {
    (value.len() == 1).then(|| value.data()[0])
}

/// The question `record` (the next step of `before`) asks, or why it asks none.
fn question(graph: &Graph, before: &Stepper, record: &StepRecord) -> Result<Question, String> {
    let n = Notation::Plain;
    let node = record.node;
    let name = &graph.node(node).name;
    let text = step_text(graph, record, n);
    let tensor = || {
        format!(
            "{name} is a tensor: nothing to predict as one number here; show the step and read its values in the graph."
        )
    };
    let phase = match record.phase {
        Phase::Forward => "Forward step",
        Phase::Recompute => "Recomputed step",
        Phase::Backward => "Backward step",
        Phase::ZeroGrad => "zero_grad",
        Phase::Update => "Update",
    };
    let make = |ask, prompt: String, part: &Equation, answer: f64, hint: String| Question {
        step: record.index,
        node,
        ask,
        prompt,
        rule: part.rule(),
        unknown: part.lhs.clone(),
        answer,
        hint,
        reveal: part.substituted(),
    };
    match &record.detail {
        StepDetail::ZeroGrad { .. } => Err(format!(
            "zero_grad sets {}'s gradient to 0, so the next pass starts afresh. Show the step.",
            name
        )),
        StepDetail::Update {
            old,
            gradient,
            micro_batches,
            rate,
            new,
        } => {
            let answer = number(new).ok_or_else(tensor)?;
            let part = &text.parts[0].equation;
            let hint = format!(
                "{name} − η · (Σ{bar})/K with {name} = {}, Σ{bar} = {}, η = {}, K = {micro_batches}",
                n.tensor(old),
                n.tensor(gradient),
                crate::number::format_number(*rate),
                bar = n.adjoint(name),
            );
            Ok(make(
                Ask::Value,
                format!("{phase}: the new value of {name}"),
                part,
                answer,
                hint,
            ))
        }
        StepDetail::Input { value } => Err(format!(
            "{name} is an input: its value, {}, is given. Show the step.",
            n.tensor(value)
        )),
        StepDetail::Compute { value, .. } => {
            let answer = number(value).ok_or_else(tensor)?;
            let part = &text.parts[0].equation;
            Ok(make(
                Ask::Value,
                format!("{phase}: the value of {name}"),
                part,
                answer,
                numbers_of(part),
            ))
        }
        StepDetail::Tangent { value, tangent, .. } => {
            number(value).ok_or_else(tensor)?;
            let answer = number(tangent).ok_or_else(tensor)?;
            let part = &text.parts[1].equation;
            let hint = if graph.node(node).op.is_leaf() {
                format!(
                    "An input's tangent is 1 for the input the pass differentiates by, 0 for the others: {}",
                    part.rule()
                )
            } else {
                numbers_of(part)
            };
            Ok(make(
                Ask::Tangent,
                format!("Forward-mode step: the tangent of {name}"),
                part,
                answer,
                hint,
            ))
        }
        StepDetail::Visit {
            seeded,
            adjoint,
            updates,
            args,
        } => {
            let offset = usize::from(*seeded);
            if updates.is_empty() {
                let answer = number(adjoint).ok_or_else(tensor)?;
                let bar = n.adjoint(name);
                let (prompt, hint) = if *seeded {
                    (
                        format!("{phase}: the output's adjoint {bar}, where the pass starts"),
                        format!("{bar} = ∂{name}/∂{name}"),
                    )
                } else {
                    let received: Vec<String> = before
                        .contributions(node)
                        .iter()
                        .map(|c| n.tensor(c))
                        .collect();
                    let sum = if received.is_empty() {
                        "nothing reached it".to_string()
                    } else {
                        received.join(" + ")
                    };
                    (
                        format!("{phase}: {bar}, the gradient of the output by {name}"),
                        format!("{bar} is the sum of what {name} received: {bar} = {sum}"),
                    )
                };
                let part = &text.parts[0].equation;
                let mut question = make(Ask::Adjoint, prompt, part, answer, hint);
                question.unknown = bar;
                return Ok(question);
            }
            // Even steps ask what goes back to the first operand, odd ones the local
            // derivative by the last: both kinds come up in every pass.
            let (index, ask_local) = if record.index.is_multiple_of(2) {
                (0, false)
            } else {
                (updates.len() - 1, true)
            };
            let update = &updates[index];
            let target = update.target;
            let part: &RulePart = &text.parts[offset + index];
            if ask_local {
                let local = update.local.as_ref().and_then(number).ok_or_else(tensor)?;
                let equation = part.local.first().ok_or_else(tensor)?;
                let operands: Vec<String> = graph
                    .node(node)
                    .inputs
                    .iter()
                    .zip(args)
                    .filter(|(id, _)| !graph.node(**id).op.is_constant())
                    .map(|(id, value)| format!("{} = {}", graph.node(*id).name, n.tensor(value)))
                    .chain((!graph.node(node).op.is_leaf()).then(|| {
                        let value = before.value(node).map_or_else(String::new, |v| n.tensor(v));
                        format!("{name} = {value}")
                    }))
                    .collect();
                let mut question = make(
                    Ask::LocalDerivative { target },
                    format!(
                        "{phase}: the local derivative of {name} by {}",
                        graph.node(target).name
                    ),
                    equation,
                    local,
                    format!("{}, with {}", equation.rule(), operands.join(", ")),
                );
                question.rule = format!("{} = ?", equation.lhs);
                question.reveal = match &equation.symbolic {
                    Some(_) => format!("{} = {}", equation.rule(), equation.result),
                    None => equation.rule(),
                };
                Ok(question)
            } else {
                let answer = number(&update.contribution).ok_or_else(tensor)?;
                let locals: Vec<String> = part
                    .local
                    .iter()
                    .map(|l| match &l.symbolic {
                        Some(_) => format!("{} = {}", l.rule(), l.result),
                        None => l.rule(),
                    })
                    .collect();
                let mut hint = numbers_of(&part.equation);
                if !locals.is_empty() {
                    hint = format!("{hint}, where {}", locals.join(", "));
                }
                let mut question = make(
                    Ask::Contribution { target },
                    format!(
                        "{phase}: what {name} adds to the adjoint of {}",
                        graph.node(target).name
                    ),
                    &part.equation,
                    answer,
                    hint,
                );
                question.unknown = format!("{} +=", part.equation.lhs);
                question.reveal = part.equation.substituted();
                Ok(question)
            }
        }
    }
}

/// The rule with its operands' numbers and no result: `v3 = x1 + x2 = 3 + 4`.
fn numbers_of(equation: &Equation) -> String {
    match &equation.numeric {
        Some(numeric) => format!("{} = {numeric}", equation.rule()),
        None => equation.rule(),
    }
}

/// Why a typed answer is not a number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotANumber;

impl std::fmt::Display for NotANumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Type a number, such as 0.25, −3 or 1e-4 (or nan, inf).")
    }
}

/// Read an answer: a decimal number, with `−` or `-`, `e` exponents, `∞`/`inf` and `nan`.
pub fn read_answer(text: &str) -> Result<f64, NotANumber> {
    let text = text.trim().replace(['−', '–'], "-").replace('∞', "inf");
    if text.is_empty() || text.len() > 64 {
        return Err(NotANumber);
    }
    text.parse::<f64>().map_err(|_| NotANumber)
}

/// Whether `answer` is right for `expected`: within [`RELATIVE_TOLERANCE`] of it or
/// [`ABSOLUTE_TOLERANCE`]; NaN is right for NaN, an infinity for the same infinity.
pub fn is_right(answer: f64, expected: f64) -> bool {
    if expected.is_nan() || answer.is_nan() {
        return expected.is_nan() && answer.is_nan();
    }
    if expected.is_infinite() || answer.is_infinite() {
        return answer == expected;
    }
    let error = (answer - expected).abs();
    error <= ABSOLUTE_TOLERANCE || error <= RELATIVE_TOLERANCE * expected.abs()
}

/// The score after a try at a question tried `tries` times before: only the first try
/// counts (asked, and right if it is); a reveal without a try counts as asked, not right.
pub fn scored(score: QuizScore, tries: u32, right: bool) -> QuizScore {
    if tries > 0 {
        return score;
    }
    QuizScore {
        right: score.right + u32::from(right),
        asked: score.asked + 1,
    }
}

#[cfg(test)]
mod tests;
