//! Steps in words, for the screen-reader live region: "Backward step 2 of 4: the adjoint
//! of x1 increases by 1 times 3, that is 3, to 10."

use super::formula::{Expr, op_expression};
use super::notation::Notation;
use crate::engine::record::Value;
use crate::engine::{Phase, Progress, StepDetail, StepRecord};
use crate::graph::Graph;
use crate::number::format_number;
use crate::tensor::Tensor;

/// One sentence (or a few) saying what `record` did; `position` is (phase, k, n) as in
/// [`crate::engine::Stepper::progress`] right after the step.
pub fn describe(graph: &Graph, record: &StepRecord, position: Progress) -> String {
    let Progress {
        phase,
        done: k,
        total: n,
        ..
    } = position;
    let phase = match phase {
        Phase::Forward => "Forward",
        Phase::Backward => "Backward",
        Phase::Recompute => "Recompute",
        Phase::ZeroGrad => "Zero grad",
        Phase::Update => "Update",
    };
    let node = graph.node(record.node);
    let name = &node.name;
    let number = |x: &Tensor| spoken(x);
    let computation = |args: &[Value], value: &Tensor| {
        let numbers: Vec<Expr> = args
            .iter()
            .map(|a| Expr::tensor(a, Notation::Plain))
            .collect();
        let text = op_expression(node.op, &numbers, Notation::Plain).into_text();
        let shown = args.iter().all(|a| Notation::shows_values(a));
        if shown {
            format!("{name} = {} = {}", words(&text), number(value))
        } else {
            format!("{name} is {}", number(value))
        }
    };
    let body = match &record.detail {
        StepDetail::Input { value } => format!("input {name} is {}.", number(value)),
        StepDetail::Compute { args, value, .. } if record.phase == Phase::Recompute => format!(
            "recomputing {name}, which the forward pass discarded: {}.",
            computation(args, value)
        ),
        StepDetail::Compute { args, value, .. } => format!("{}.", computation(args, value)),
        StepDetail::Visit {
            seeded,
            adjoint,
            updates,
            ..
        } => {
            let mut sentences = Vec::new();
            if *seeded {
                sentences.push(format!("the output {name} gets adjoint 1."));
            }
            for update in updates {
                let target = &graph.node(update.target).name;
                sentences.push(match &update.local {
                    Some(local) => format!(
                        "The adjoint of {target} increases by {} times {}, that is {}, to {}.",
                        number(local),
                        number(&update.upstream),
                        number(&update.contribution),
                        number(&update.adjoint)
                    ),
                    None => format!(
                        "The adjoint of {target} increases by {}, to {}.",
                        number(&update.contribution),
                        number(&update.adjoint)
                    ),
                });
            }
            if sentences.is_empty() {
                sentences.push(format!(
                    "{name} passes nothing back; its adjoint is {}.",
                    number(adjoint)
                ));
            }
            sentences.join(" ")
        }
        StepDetail::ZeroGrad { cleared, .. } => match cleared {
            Some(cleared) => format!(
                "the gradient of {name}, {}, is set to 0, so the next passes start afresh.",
                number(cleared)
            ),
            None => format!("the gradient of {name} is set to 0."),
        },
        StepDetail::Update {
            old,
            gradient,
            micro_batches,
            rate,
            new,
        } => format!(
            "{name} moves from {} by {} times its gradient {} over {micro_batches} \
             micro-batches, to {}.",
            number(old),
            format_number(-rate),
            number(gradient),
            number(new)
        ),
        StepDetail::Tangent {
            args,
            value,
            tangent,
            ..
        } if args.is_empty() => {
            format!(
                "input {name} is {} with tangent {}.",
                number(value),
                number(tangent)
            )
        }
        StepDetail::Tangent {
            args,
            value,
            tangent,
            ..
        } => {
            format!(
                "{}, with tangent {}.",
                computation(args, value),
                number(tangent)
            )
        }
    };
    format!("{phase} step {k} of {n}: {body}")
}

/// A value in words: a number, a small tensor's values, or a large tensor's shape.
fn spoken(value: &Tensor) -> String {
    if value.rank() == 0 {
        return format_number(value.data()[0]);
    }
    if Notation::shows_values(value) {
        return words(&Notation::Plain.tensor(value));
    }
    let dims: Vec<String> = value.shape().iter().map(usize::to_string).collect();
    format!("a {} tensor", dims.join(" by "))
}

/// Operators a screen reader says badly, in words.
fn words(text: &str) -> String {
    text.replace(" · ", " times ")
        .replace(" − ", " minus ")
        .replace('−', "-")
        .replace('/', " over ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Mode, Stepper};
    use crate::program::compile;

    #[test]
    fn describes_the_seed_example() {
        let mut stepper = Stepper::new(
            compile("(x1+x2)*x1").unwrap(),
            vec![Tensor::scalar(3.0), Tensor::scalar(4.0)],
            Mode::Reverse,
        )
        .unwrap();
        let mut spoken = Vec::new();
        while let Some(record) = stepper.step() {
            spoken.push(describe(stepper.graph(), &record, stepper.progress()));
        }
        assert_eq!(spoken[0], "Forward step 1 of 4: input x1 is 3.");
        assert_eq!(spoken[3], "Forward step 4 of 4: v4 = 7 times 3 = 21.");
        assert_eq!(
            spoken[4],
            "Backward step 1 of 4: the output v4 gets adjoint 1. The adjoint of v3 increases by 3 times 1, \
             that is 3, to 3. The adjoint of x1 increases by 7 times 1, that is 7, to 7."
        );
        assert!(spoken[5].contains("The adjoint of x1 increases by 1 times 3, that is 3, to 10."));
        assert_eq!(
            spoken[7],
            "Backward step 4 of 4: x1 passes nothing back; its adjoint is 10."
        );
    }
}
