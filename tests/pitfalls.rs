//! The pitfall labs: each failure shows as the seeds describe it, and its fix removes it —
//! run on the stepper, the gradient check and anomaly mode, as a student would meet them.

use backprop_viz::engine::{Mode, Phase, Stepper, gradient_check, inputs, run_until_anomaly};
use backprop_viz::examples::{self, Example};
use backprop_viz::graph::Graph;
use backprop_viz::tensor::Tensor;

fn lab(slug: &str) -> (Example, Example) {
    let pitfall = examples::find(slug).unwrap_or_else(|| panic!("no lab {slug}"));
    let fix = *pitfall.fix.clone().expect("a fix");
    (pitfall, fix)
}

fn stepper(example: &Example) -> Stepper {
    let graph = backprop_viz::program::compile(example.source).expect("the lab compiles");
    let values = inputs::resolve(&graph, &[], None).expect("the lab gives its inputs");
    Stepper::new(graph, values, Mode::Reverse).expect("a stepper")
}

/// The gradient of `name` (an input) after the whole backward pass.
fn gradient(example: &Example, name: &str) -> Tensor {
    let mut stepper = stepper(example);
    stepper.run_to_end();
    let id = stepper.graph().find(name).expect("the input");
    stepper
        .adjoint(id)
        .map(|a| (*a).clone())
        .expect("a gradient")
}

fn norm(tensor: &Tensor) -> f64 {
    tensor.data().iter().map(|x| x * x).sum::<f64>().sqrt()
}

fn check_passes(example: &Example) -> bool {
    let stepper = stepper(example);
    let (graph, values): (&Graph, Vec<Tensor>) = (stepper.graph(), stepper.inputs().to_vec());
    gradient_check(graph, &values)
        .expect("a check")
        .max_relative_error
        < 1e-6
}

#[test]
fn detach_by_mistake_zeroes_the_gradient_upstream_and_the_fix_restores_it() {
    let (pitfall, fix) = lab("detach-mistake");
    assert_eq!(gradient(&pitfall, "w1").item(), Some(0.0));
    assert_ne!(
        gradient(&pitfall, "w2").item(),
        Some(0.0),
        "w2 still learns"
    );
    assert!(!check_passes(&pitfall), "the gradient check sees the cut");
    let w1 = gradient(&fix, "w1").item().unwrap();
    assert!(w1.abs() > 0.1, "{w1}");
    assert!(check_passes(&fix));
}

#[test]
fn a_hard_threshold_gives_no_signal_and_straight_through_gives_one() {
    let (pitfall, fix) = lab("hard-threshold");
    assert_eq!(gradient(&pitfall, "w").item(), Some(0.0));
    // Straight-through: ∂L/∂w = 2(q − t) · x = 2 · (0 − 1) · 0.3.
    let w = gradient(&fix, "w").item().unwrap();
    assert!((w + 0.6).abs() < 1e-12, "{w}");
    let mut forward = stepper(&fix);
    forward.run_to_end();
    let q = forward.graph().find("q").unwrap();
    assert_eq!(
        forward.scalar_value(q),
        Some(0.0),
        "forward it is still the step"
    );
}

#[test]
fn anomaly_mode_names_the_first_bad_node_of_each_nan_lab_and_the_fixes_have_none() {
    let cases = [
        ("nan-spreads", Phase::Forward, "r", None),
        ("sqrt-at-zero", Phase::Backward, "d", Some(())),
    ];
    for (slug, phase, node, backward_target) in cases {
        let (pitfall, fix) = lab(slug);
        let mut bad = stepper(&pitfall);
        let anomaly = run_until_anomaly(&mut bad).unwrap_or_else(|| panic!("{slug}: none"));
        assert_eq!(anomaly.phase, phase, "{slug}");
        assert_eq!(bad.graph().node(anomaly.node).name, node, "{slug}");
        assert_eq!(
            anomaly.target.is_some(),
            backward_target.is_some(),
            "{slug}"
        );
        let mut good = stepper(&fix);
        assert_eq!(run_until_anomaly(&mut good), None, "{slug} fixed");
        assert!(good.is_done());
        let finite = |t: &Tensor| t.data().iter().all(|x| x.is_finite());
        for (_, gradient) in good.gradients() {
            assert!(
                gradient.as_deref().is_none_or(finite),
                "{slug} fixed: {gradient:?}"
            );
        }
    }
}

#[test]
fn vanishing_gradients_vanish_and_residual_connections_keep_them() {
    let (pitfall, fix) = lab("vanishing-sigmoid");
    let vanished = gradient(&pitfall, "x").item().unwrap();
    assert!(vanished.abs() < 1e-4, "{vanished}");
    let kept = gradient(&fix, "x").item().unwrap();
    assert!(kept >= 1.0, "{kept}");
}

#[test]
fn he_initialisation_brings_every_layers_gradient_down_to_size() {
    let (pitfall, fix) = lab("init-scale");
    for layer in ["W1", "W2", "W3", "W4", "W5", "W6"] {
        let (wild, tame) = (
            norm(&gradient(&pitfall, layer)),
            norm(&gradient(&fix, layer)),
        );
        assert!(wild > 500.0 * tame, "{layer}: {wild} vs {tame}");
        assert!((0.05..5.0).contains(&tame), "{layer}: {tame}");
    }
    let loss = |example: &Example| {
        let mut s = stepper(example);
        s.run_to_end();
        s.scalar_value(s.graph().output()).unwrap()
    };
    assert!(
        loss(&pitfall) > 1000.0 * loss(&fix),
        "{} vs {}",
        loss(&pitfall),
        loss(&fix)
    );
}

/// A lab stepped as its `#:` line says (accumulation, no_grad, a precision).
fn set_up(example: &Example) -> Stepper {
    let graph = backprop_viz::program::compile(example.source).expect("the lab compiles");
    let values = inputs::resolve(&graph, &[], None).expect("the lab gives its inputs");
    example
        .setup
        .stepper(graph, values, Mode::Reverse)
        .expect("a stepper")
}

/// The loss at the end of each forward pass of an accumulation schedule.
fn losses(example: &Example) -> Vec<f64> {
    let mut stepper = set_up(example);
    let output = stepper.graph().output();
    let mut losses = Vec::new();
    while let Some(record) = stepper.step() {
        if record.phase == Phase::Forward && record.node == output {
            losses.push(record.result());
        }
    }
    losses
}

#[test]
fn forgetting_zero_grad_piles_the_gradients_up_and_the_loss_climbs_back() {
    let (pitfall, fix) = lab("forgot-zero-grad");
    let round =
        |xs: Vec<f64>| -> Vec<f64> { xs.iter().map(|x| (x * 1e12).round() / 1e12).collect() };
    assert_eq!(round(losses(&pitfall)), [0.0625, 0.0025, 0.0361]);
    assert_eq!(round(losses(&fix)), [0.0625, 0.0025, 0.0001]);
    // Iteration 2's backward pass adds onto iteration 1's gradient: w̄ = −0.5 + −0.1.
    let mut stepper = set_up(&pitfall);
    let w = stepper.graph().find("w").unwrap();
    let mut totals = Vec::new();
    while let Some(record) = stepper.step() {
        let text = backprop_viz::render::step_text(
            stepper.graph(),
            &record,
            backprop_viz::render::Notation::Plain,
        );
        if let backprop_viz::engine::StepDetail::Visit { updates, .. } = &record.detail
            && updates.iter().any(|update| update.target == w)
        {
            let part = text.parts.iter().find(|p| p.equation.lhs == "w̄").unwrap();
            totals.push(part.total.as_ref().map(|t| t.substituted()));
        }
    }
    let totals: Vec<Option<&str>> = totals.iter().map(Option::as_deref).collect();
    assert_eq!(
        totals,
        [
            None,
            Some("w̄ = −0.5 + (−0.1) = −0.6"),
            Some("w̄ = −0.6 + 0.38 = −0.22")
        ]
    );
    assert!(pitfall.intro.contains("w̄ = −0.5 + (−0.1) = −0.6"));
    let fixed_steps = set_up(&fix);
    assert!(
        fixed_steps
            .schedule()
            .iter()
            .any(|(phase, _)| *phase == Phase::ZeroGrad)
    );
}

#[test]
fn evaluating_with_the_tape_holds_what_no_grad_frees() {
    let (pitfall, fix) = lab("no-grad");
    let recorded = stepper(&pitfall);
    let forward = recorded
        .schedule()
        .iter()
        .filter(|(p, _)| *p == Phase::Forward)
        .count();
    let with_tape = recorded.memory(8);
    let plain = set_up(&fix);
    assert!(!plain.records());
    let without = plain.memory(8);
    // The figures the lab's introduction gives.
    assert_eq!(with_tape.steps[forward - 1].held(), 38_168);
    assert_eq!(without.peak(), 20_752);
    assert_eq!(without.steps.last().unwrap().held(), 4_376);
    for figure in ["38,168", "20,752", "4,376"] {
        assert!(pitfall.intro.contains(figure), "{figure}");
    }
    let mut at_end = plain.clone();
    at_end.run_to_end();
    assert!(at_end.tape().iter().all(|t| !t), "nothing recorded");
}

#[test]
fn f16_overflows_to_nan_at_exp_and_normalising_first_keeps_it_finite() {
    let (pitfall, fix) = lab("f16-overflow");
    let mut stepper = set_up(&pitfall);
    let anomaly = run_until_anomaly(&mut stepper).expect("an overflow");
    let words = anomaly.describe(stepper.graph());
    assert!(
        words.starts_with("the forward rule of e (exp) produced ∞"),
        "{words}"
    );
    assert_eq!(stepper.graph().node(anomaly.node).name, "e");
    let mut fixed = set_up(&fix);
    assert!(run_until_anomaly(&mut fixed).is_none());
    let output = fixed.graph().output();
    // f16's nearest number to −log(e¹²/(e¹² + e¹⁰ + e²)) = 0.12693…
    assert_eq!(fixed.scalar_value(output), Some(0.12744140625));
    assert!(fix.intro.contains("0.127"));
}

#[test]
fn a_change_in_place_of_a_saved_value_is_refused_naming_it_and_the_fix_is_exact() {
    let (pitfall, fix) = lab("in-place");
    let error = backprop_viz::program::compile(pitfall.source).unwrap_err();
    assert_eq!(
        error.to_string(),
        "`h` is changed in place, but the backward pass needs its old value: `h` saved it"
    );
    let span = error.span();
    assert_eq!(&pitfall.source[span.start..span.end], "h");
    assert!(check_passes(&fix));
}
