use super::*;
use crate::engine::{Mode, inputs};
use crate::program::compile;
use crate::tensor::Tensor;

fn stepper(source: &str, values: &[f64], mode: Mode) -> Stepper {
    let graph = compile(source).unwrap();
    let values = values.iter().map(|&v| Tensor::scalar(v)).collect();
    Stepper::new(graph, values, mode).unwrap()
}

/// Every step's question (or None for a given step), walking the whole pass.
fn walk(mut stepper: Stepper) -> Vec<Option<Question>> {
    let mut questions = vec![];
    loop {
        match next(&stepper) {
            Next::Done => return questions,
            Next::Ask(question) => {
                assert_eq!(question.step, stepper.cursor());
                questions.push(Some(question));
            }
            Next::Given { step, .. } => {
                assert_eq!(step, stepper.cursor());
                questions.push(None);
            }
        }
        let cursor = stepper.cursor();
        let record = stepper.step().unwrap();
        assert_eq!(record.index, cursor);
    }
}

#[test]
fn the_seed_example_asks_values_contributions_local_derivatives_and_gradients() {
    let questions = walk(stepper("(x1+x2)*x1", &[3.0, 4.0], Mode::Reverse));
    let graph = compile("(x1+x2)*x1").unwrap();
    let id = |name: &str| NodeId(graph.nodes().iter().position(|n| n.name == name).unwrap());
    type Asked<'a> = Option<(Ask, f64, &'a str, &'a str, &'a str)>;
    let asked: Vec<Asked> = questions
        .iter()
        .map(|q| {
            q.as_ref().map(|q| {
                (
                    q.ask,
                    q.answer,
                    q.rule.as_str(),
                    q.hint.as_str(),
                    q.reveal.as_str(),
                )
            })
        })
        .collect();
    assert_eq!(
        asked,
        [
            None,
            None,
            Some((
                Ask::Value,
                7.0,
                "v3 = x1 + x2",
                "v3 = x1 + x2 = 3 + 4",
                "v3 = 3 + 4 = 7"
            )),
            Some((
                Ask::Value,
                21.0,
                "v4 = v3 · x1",
                "v4 = v3 · x1 = 7 · 3",
                "v4 = 7 · 3 = 21"
            )),
            Some((
                Ask::Contribution { target: id("v3") },
                3.0,
                "v̄3 += ∂v4/∂v3 · v̄4",
                "v̄3 += ∂v4/∂v3 · v̄4 = 3 · 1, where ∂v4/∂v3 = x1 = 3",
                "v̄3 += 3 · 1 = 3",
            )),
            Some((
                Ask::LocalDerivative { target: id("x2") },
                1.0,
                "∂v3/∂x2 = ?",
                "∂v3/∂x2 = 1, with x1 = 3, x2 = 4, v3 = 7",
                "∂v3/∂x2 = 1",
            )),
            Some((
                Ask::Adjoint,
                3.0,
                "∂v4/∂x2 = x̄2",
                "x̄2 is the sum of what x2 received: x̄2 = 3",
                "∂v4/∂x2 = 3",
            )),
            Some((
                Ask::Adjoint,
                10.0,
                "∂v4/∂x1 = x̄1",
                "x̄1 is the sum of what x1 received: x̄1 = 7 + 3",
                "∂v4/∂x1 = 10",
            )),
        ]
    );
}

#[test]
fn answers_match_the_steps_they_ask_about() {
    // Whatever the question, its answer is the number the step then shows.
    let source = "a = sin(x)*y + exp(x/y); b = tanh(a) - x^2; b*sigmoid(y)";
    for mode in [Mode::Reverse, Mode::Forward { wrt: NodeId(1) }] {
        let mut st = stepper(source, &[0.7, -1.3], mode);
        let mut asked = 0;
        loop {
            let question = match next(&st) {
                Next::Done => break,
                Next::Ask(q) => Some(q),
                Next::Given { .. } => None,
            };
            let record = st.step().unwrap();
            let Some(question) = question else { continue };
            asked += 1;
            let shown = match (question.ask, &record.detail) {
                (Ask::Value, StepDetail::Compute { value, .. }) => value.item(),
                (Ask::Tangent, StepDetail::Tangent { tangent, .. }) => tangent.item(),
                (Ask::Adjoint, _) => st.scalar_adjoint(record.node),
                (Ask::Contribution { target }, StepDetail::Visit { updates, .. }) => updates
                    .iter()
                    .find(|u| u.target == target)
                    .and_then(|u| u.contribution.item()),
                (Ask::LocalDerivative { target }, StepDetail::Visit { updates, .. }) => updates
                    .iter()
                    .rev()
                    .find(|u| u.target == target)
                    .and_then(|u| u.local.as_ref()?.item()),
                (ask, detail) => panic!("{ask:?} for {detail:?}"),
            };
            assert_eq!(shown, Some(question.answer), "{question:?}");
            assert!(is_right(question.answer, shown.unwrap()));
            assert!(!question.hint.is_empty() && question.reveal.contains('='));
        }
        assert!(asked >= 6, "{mode:?}: {asked}");
    }
}

#[test]
fn forward_mode_asks_tangents_with_the_seed_explained() {
    let questions = walk(stepper(
        "x*y",
        &[2.0, 5.0],
        Mode::Forward { wrt: NodeId(0) },
    ));
    let asked: Vec<(Ask, f64)> = questions
        .iter()
        .map(|q| q.as_ref().map(|q| (q.ask, q.answer)).unwrap())
        .collect();
    assert_eq!(
        asked,
        [
            (Ask::Tangent, 1.0),
            (Ask::Tangent, 0.0),
            (Ask::Tangent, 5.0)
        ]
    );
    let seed = questions[0].as_ref().unwrap();
    assert!(seed.hint.starts_with("An input's tangent is 1"), "{seed:?}");
    assert_eq!(questions[2].as_ref().unwrap().unknown, "v̇3");
}

#[test]
fn tensors_and_inputs_are_given_and_the_end_is_done() {
    let graph = compile("W = [[1, 2], [3, 4]]; x = [1, 1]; sum(W @ x)").unwrap();
    let values = inputs::resolve(&graph, &[], None).unwrap();
    let mut st = Stepper::new(graph, values, Mode::Reverse).unwrap();
    let mut given = 0;
    let mut asked = vec![];
    loop {
        match next(&st) {
            Next::Done => break,
            Next::Given { text, .. } => {
                given += 1;
                assert!(
                    text.contains("is an input") || text.contains("is a tensor"),
                    "{text}"
                );
            }
            Next::Ask(q) => asked.push((q.ask, q.answer)),
        }
        st.step();
    }
    // The sum's value, and its seed's… the one scalar numbers; the rest is tensors.
    assert_eq!(asked, [(Ask::Value, 10.0)]);
    assert_eq!(given, st.len() - 1);
    assert_eq!(next(&st), Next::Done);
}

#[test]
fn answers_are_read_and_checked_with_the_stated_tolerance() {
    assert_eq!(read_answer(" 0.25 "), Ok(0.25));
    assert_eq!(read_answer("−3"), Ok(-3.0));
    assert_eq!(read_answer("1e-4"), Ok(1e-4));
    assert_eq!(read_answer("-∞"), Ok(f64::NEG_INFINITY));
    assert!(read_answer("nan").unwrap().is_nan());
    for bad in ["", "  ", "seven", "1/2", "3,5", "<b>1</b>", &"9".repeat(65)] {
        assert_eq!(read_answer(bad), Err(NotANumber), "{bad}");
    }
    // Relative 1e-3…
    assert!(is_right(21.02, 21.0));
    assert!(!is_right(21.03, 21.0));
    assert!(is_right(-1000.9, -1000.0));
    assert!(!is_right(1000.0, -1000.0));
    // …or absolute 1e-6 near 0.
    assert!(is_right(5e-7, 0.0));
    assert!(!is_right(2e-6, 0.0));
    assert!(is_right(0.0, 1e-6));
    // NaN for NaN, an infinity for the same one.
    assert!(is_right(f64::NAN, f64::NAN));
    assert!(!is_right(0.0, f64::NAN));
    assert!(!is_right(f64::NAN, 1.0));
    assert!(is_right(f64::INFINITY, f64::INFINITY));
    assert!(!is_right(f64::NEG_INFINITY, f64::INFINITY));
    assert!(!is_right(1e308, f64::INFINITY));
    assert!(TOLERANCE.contains("1e-3") && TOLERANCE.contains("1e-6"));
}

#[test]
fn only_the_first_try_counts() {
    let start = QuizScore::default();
    let right = scored(start, 0, true);
    assert_eq!(right, QuizScore { right: 1, asked: 1 });
    let wrong = scored(right, 0, false);
    assert_eq!(wrong, QuizScore { right: 1, asked: 2 });
    // A right answer after a wrong one, or a reveal after a try, changes nothing.
    assert_eq!(scored(wrong, 1, true), wrong);
    assert_eq!(scored(wrong, 3, false), wrong);
}
