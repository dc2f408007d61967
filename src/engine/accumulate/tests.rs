//! Accumulation tests: K micro-batches' gradients against one big batch's (the CPU backend
//! as an independent oracle), "forgot to zero" against the sum of two iterations'
//! gradients, exact undo and `seek` against stepping, and the explanations' `+=`.

use super::*;
use crate::backend::Backend;
use crate::backend::cpu::CpuBackend;
use crate::engine::{Mode, StepDetail, Stepper};
use crate::program::compile;
use crate::render::notation::Notation;
use crate::render::step::step_text;
use proptest::prelude::*;

/// A 2-4-2 MLP on micro-batches of `batch` moons points.
fn mlp(batch: usize) -> String {
    format!(
        "X = features(moons, 64, {batch})\n\
         y = labels(moons, 64, {batch})\n\
         W1 = param(randn([2, 4], 1) * 0.7)\n\
         b1 = param(zeros([4]) + 0.1)\n\
         W2 = param(randn([4, 2], 2) * 0.5)\n\
         h = tanh(X @ W1 + b1)\n\
         L = cross_entropy(h @ W2, y)\n"
    )
}

fn defaults(graph: &Graph) -> Vec<Tensor> {
    graph
        .inputs()
        .map(|id| graph.node(id).leaf_value().unwrap())
        .collect()
}

fn training_stepper(source: &str, training: Training) -> Stepper {
    let graph = compile(source).unwrap();
    let inputs = defaults(&graph);
    let batches = micro_batches(&graph, &inputs, training.micro_batches).unwrap();
    Stepper::training(graph, inputs, training, batches).unwrap()
}

/// Each parameter's gradient on the CPU backend, for `graph` with its own inputs and the
/// parameters set to `params`.
fn oracle(graph: &Graph, params: &[(NodeId, Tensor)]) -> Vec<Tensor> {
    let mut cpu = CpuBackend::new();
    cpu.load(graph).unwrap();
    for (id, value) in params {
        cpu.write(*id, value).unwrap();
    }
    cpu.zero_grads().unwrap();
    cpu.forward().unwrap();
    cpu.backward().unwrap();
    graph
        .params()
        .map(|id| cpu.gradient(id).unwrap().clone())
        .collect()
}

fn adjoints(stepper: &Stepper) -> Vec<Tensor> {
    stepper
        .graph()
        .params()
        .map(|id| (*stepper.adjoint(id).unwrap()).clone())
        .collect()
}

/// The cursor right after the last backward step (before the update steps) of `pass`.
fn end_of_pass(stepper: &Stepper, pass: usize) -> usize {
    (0..stepper.len())
        .rfind(|&j| {
            stepper.schedule()[j].0 == Phase::Backward && stepper.stage(j).unwrap().pass == pass
        })
        .unwrap()
        + 1
}

fn assert_close(a: &Tensor, b: &Tensor, tolerance: f64, what: &str) {
    assert_eq!(a.shape(), b.shape(), "{what}");
    for (x, y) in a.data().iter().zip(b.data()) {
        assert!((x - y).abs() <= tolerance, "{what}: {x} vs {y}");
    }
}

#[test]
fn four_micro_batches_add_up_to_one_batch_of_their_union() {
    let k = 4;
    let mut stepper = training_stepper(&mlp(4), Training::accumulate(k));
    let last = end_of_pass(&stepper, k - 1);
    stepper.seek(last);
    // The mean loss over the 16 rows is the mean of the four micro-batches' means, so its
    // gradient is the accumulated sum divided by K.
    let union = compile(&mlp(16)).unwrap();
    let expected = oracle(&union, &[]);
    let accumulated = adjoints(&stepper);
    for ((sum, want), id) in accumulated.iter().zip(&expected).zip(union.params()) {
        let mean = sum.map(|g| g / k as f64);
        let name = &union.node(id).name;
        assert_close(&mean, want, 1e-12, name);
        assert!(
            want.data().iter().any(|g| g.abs() > 1e-3),
            "{name} is not trivial"
        );
    }
    // The update moves each parameter by η times that mean.
    stepper.run_to_end();
    for (id, (sum, before)) in union
        .params()
        .zip(accumulated.iter().zip(defaults(&union).iter().skip(2)))
    {
        let after = stepper.value(id).unwrap();
        let want = before
            .zip_with(sum, |w, g| w - DEFAULT_RATE * g / k as f64)
            .unwrap();
        assert_close(after, &want, 0.0, "the update");
    }
}

#[test]
fn each_pass_reads_its_own_micro_batch() {
    let stepper = training_stepper(&mlp(4), Training::accumulate(4));
    let mut run = stepper.clone();
    let x = run.graph().find("X").unwrap();
    let mut seen = Vec::new();
    while let Some(record) = run.step() {
        if let (StepDetail::Input { value }, true) = (&record.detail, record.node == x) {
            seen.push((**value).clone());
        }
    }
    assert_eq!(seen.len(), 4);
    assert_eq!(
        seen[0],
        stepper.inputs()[0],
        "micro-batch 1 is the compiled batch"
    );
    for i in 0..4 {
        for j in i + 1..4 {
            assert_ne!(seen[i], seen[j], "micro-batches {i} and {j}");
        }
    }
}

/// w·x with a squared error: two iterations of one pass each.
const SCALAR: &str = "x = 2\nt = 1\nw = param(0.5)\nb = param(0.25)\nL = (w * x + b - t)^2\n";

#[test]
fn without_zero_grad_the_second_gradient_is_the_sum_of_both_iterations() {
    let forgot = Training {
        micro_batches: 1,
        iterations: 2,
        zero_grad: false,
        rate: 0.1,
    };
    let fixed = Training {
        zero_grad: true,
        ..forgot
    };
    let graph = compile(SCALAR).unwrap();
    let params: Vec<NodeId> = graph.params().collect();
    let first = oracle(&graph, &[]);
    let moved: Vec<(NodeId, Tensor)> = params
        .iter()
        .zip(&first)
        .map(|(&id, g)| {
            let w = graph.node(id).leaf_value().unwrap();
            (id, w.zip_with(g, |w, g| w - 0.1 * g).unwrap())
        })
        .collect();
    let second = oracle(&graph, &moved);

    let mut stepper = training_stepper(SCALAR, forgot);
    assert!(
        !stepper
            .schedule()
            .iter()
            .any(|(p, _)| *p == Phase::ZeroGrad),
        "no zero_grad step"
    );
    stepper.seek(end_of_pass(&stepper, 1));
    for ((got, a), b) in adjoints(&stepper).iter().zip(&first).zip(&second) {
        let sum = a.zip_with(b, |a, b| a + b).unwrap();
        assert_close(got, &sum, 1e-12, "forgot: g₁ + g₂");
    }
    // The update then takes the sum: a step as large as both iterations' together.
    stepper.run_to_end();
    let w = params[0];
    let runaway = stepper.scalar_value(w).unwrap();

    let mut stepper = training_stepper(SCALAR, fixed);
    stepper.seek(end_of_pass(&stepper, 1));
    for (got, b) in adjoints(&stepper).iter().zip(&second) {
        assert_close(got, b, 1e-12, "zeroed: g₂ alone");
    }
    stepper.run_to_end();
    let right = stepper.scalar_value(w).unwrap();
    let w1 = moved[0].1.item().unwrap();
    let g1 = first[0].item().unwrap();
    let g2 = second[0].item().unwrap();
    assert!((right - (w1 - 0.1 * g2)).abs() < 1e-15);
    assert!((runaway - (w1 - 0.1 * (g1 + g2))).abs() < 1e-15);
}

#[test]
fn zero_grad_clears_and_its_undo_restores() {
    let training = Training {
        micro_batches: 1,
        iterations: 2,
        zero_grad: true,
        rate: 0.1,
    };
    let mut stepper = training_stepper(SCALAR, training);
    let w = stepper.graph().find("w").unwrap();
    let zero = (0..stepper.len())
        .filter(|&j| stepper.schedule()[j] == (Phase::ZeroGrad, w))
        .nth(1)
        .unwrap();
    stepper.seek(zero);
    let before = stepper.scalar_adjoint(w).unwrap();
    assert!(before != 0.0);
    let record = stepper.step().unwrap();
    assert_eq!(stepper.scalar_adjoint(w), Some(0.0));
    let text = step_text(stepper.graph(), &record, Notation::Plain);
    assert_eq!(text.substituted(), "w̄ = 0");
    stepper.step_back();
    assert_eq!(stepper.scalar_adjoint(w), Some(before));
}

#[test]
fn the_second_micro_batch_adds_into_the_parameters_adjoints() {
    let mut stepper = training_stepper(SCALAR, Training::accumulate(2));
    let w = stepper.graph().find("w").unwrap();
    let mut into_w = Vec::new();
    while let Some(record) = stepper.step() {
        let stage = stepper.stage(record.index).unwrap();
        if let StepDetail::Visit { updates, .. } = &record.detail {
            for (k, update) in updates.iter().enumerate() {
                if update.target == w {
                    let text = step_text(stepper.graph(), &record, Notation::Plain);
                    into_w.push((stage.micro_batch, update.previous.is_some(), text, k));
                }
            }
        }
        if record.phase == Phase::Update && record.node == w {
            let text = step_text(stepper.graph(), &record, Notation::Plain);
            // 0.5 − 0.1 · (2 · (0.5·2 + 0.25 − 1) · 2 · 2) / 2 = 0.5 − 0.1 · 2 / 2 = 0.4
            assert_eq!(text.rule(), "w = w − 0.1 · w̄/2");
            assert_eq!(text.substituted(), "w = 0.5 − 0.1 · 2/2 = 0.4");
            assert_eq!(
                stepper.progress().to_string(),
                "micro-batch 2 / 2 · update 1 / 2"
            );
        }
    }
    assert_eq!(into_w.len(), 2);
    assert!(!into_w[0].1, "micro-batch 1 starts from nothing");
    assert!(into_w[1].1, "micro-batch 2 adds onto micro-batch 1");
    let part = &into_w[1].2.parts[into_w[1].3];
    assert_eq!(part.total.as_ref().unwrap().substituted(), "w̄ = 1 + 1 = 2");
}

#[test]
fn refusals_are_errors() {
    let graph = compile("x = 2\ny = x * x\n").unwrap();
    let inputs = defaults(&graph);
    assert_eq!(
        Stepper::training(
            graph.clone(),
            inputs.clone(),
            Training::accumulate(2),
            vec![]
        ),
        Err(crate::engine::EngineError::Training(
            TrainingError::NoParameters
        ))
    );
    let graph = compile(&mlp(32)).unwrap();
    let inputs = defaults(&graph);
    assert!(matches!(
        micro_batches(&graph, &inputs, 3),
        Err(TrainingError::TooFewBatches {
            available: 2,
            wanted: 3,
            ..
        })
    ));
    let graph = compile(SCALAR).unwrap();
    let zero = Training::accumulate(0);
    assert_eq!(
        Stepper::training(graph, defaults(&compile(SCALAR).unwrap()), zero, vec![]),
        Err(crate::engine::EngineError::Training(TrainingError::Count(
            0
        )))
    );
}

#[test]
fn a_training_stepper_round_trips_through_json() {
    let mut stepper = training_stepper(&mlp(4), Training::accumulate(2));
    stepper.seek(stepper.len() - 3);
    let json = serde_json::to_string(&stepper).unwrap();
    assert!(
        json.contains(r#""training":{"micro_batches":2"#),
        "{}",
        &json[..200]
    );
    let back: Stepper = serde_json::from_str(&json).unwrap();
    assert_eq!(back.cursor(), stepper.cursor());
    assert_eq!(back.progress(), stepper.progress());
    assert_eq!(back.training_settings(), stepper.training_settings());
    for (a, b) in adjoints(&back).iter().zip(&adjoints(&stepper)) {
        assert_close(a, b, 1e-12, "the adjoints after the round trip");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// `seek(k)` is k steps from the start, from anywhere, and stepping back from there
    /// undoes each step exactly.
    #[test]
    fn seek_is_stepping_and_undo_is_exact(
        k in 1usize..4,
        iterations in 1usize..3,
        zero_grad: bool,
        a in 0usize..1000,
        b in 0usize..1000,
    ) {
        let training = Training { micro_batches: k, iterations, zero_grad, rate: 0.3 };
        let base = training_stepper(SCALAR, training);
        let (a, b) = (a % (base.len() + 1), b % (base.len() + 1));
        let mut stepped = base.clone();
        for _ in 0..a {
            stepped.step();
        }
        let mut sought = base.clone();
        sought.seek(b);
        sought.seek(a);
        prop_assert_eq!(&sought, &stepped);
        let mut back = stepped.clone();
        back.seek(0);
        prop_assert_eq!(&back, &base);
    }
}

#[test]
fn a_plain_stepper_is_unchanged() {
    let graph = compile(SCALAR).unwrap();
    let stepper = Stepper::new(graph.clone(), defaults(&graph), Mode::Reverse).unwrap();
    assert!(stepper.training_settings().is_none());
    let forward = stepper
        .schedule()
        .iter()
        .filter(|(p, _)| *p == Phase::Forward)
        .count();
    assert_eq!(stepper.forward_end(), forward);
}
