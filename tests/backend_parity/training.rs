//! Training on one backend against the reference: the moons MLP's first steps (losses,
//! then parameters after steps queued without a read), and the MLP reaching 95 % training
//! accuracy with Adam.

use super::Tolerance;
use backprop_viz::backend::block_on;
use backprop_viz::backend::cpu::CpuBackend;
use backprop_viz::backend::{Backend, Quantity};
use backprop_viz::program::compile;
use backprop_viz::train::{OptimizerKind, TrainConfig, Trainer, UpdateRule};

const MOONS_MLP: &str = include_str!("../../www/examples/07-moons-mlp.bp");

fn trainer<B: Backend>(backend: B, kind: OptimizerKind, learning_rate: f64) -> Trainer<B> {
    let graph = compile(MOONS_MLP).expect("the example compiles");
    let config = TrainConfig::new(UpdateRule::default_for(kind), learning_rate);
    Trainer::new(backend, graph, config).expect("the example trains")
}

/// Steps with a read after each, then steps queued with no read in between, then steps
/// whose losses are logged and read back together, for SGD with momentum and for Adam.
pub fn moons_steps<B: Backend>(first: B, second: B, tolerance: Tolerance) {
    for (backend, kind) in [
        (first, OptimizerKind::Momentum),
        (second, OptimizerKind::Adam),
    ] {
        let mut run = trainer(backend, kind, 0.05);
        let mut reference = trainer(CpuBackend::new(), kind, 0.05);
        for step in 0..4 {
            let got = block_on(run.step()).expect("a step");
            let expected = block_on(reference.step()).expect("a step");
            tolerance.assert_number(&format!("{kind:?} loss at step {step}"), got, expected);
        }
        for _ in 0..6 {
            run.step_quietly().expect("a quiet step");
            reference.step_quietly().expect("a quiet step");
        }
        let got = block_on(run.loss()).expect("the loss");
        let expected = block_on(reference.loss()).expect("the loss");
        tolerance.assert_number(&format!("{kind:?} loss after 10 steps"), got, expected);
        for name in ["W1", "b3"] {
            let id = run.graph().find(name).expect("a parameter");
            let got = block_on(run.backend().read(id, Quantity::Value)).expect("read");
            let expected = block_on(reference.backend().read(id, Quantity::Value)).expect("read");
            tolerance.assert_tensor(&format!("{kind:?} {name} after 10 steps"), &got, &expected);
        }
        for _ in 0..5 {
            block_on(run.step_logged()).expect("a logged step");
            block_on(reference.step_logged()).expect("a logged step");
        }
        let got = block_on(run.logged_losses()).expect("the logged losses");
        let expected = block_on(reference.logged_losses()).expect("the logged losses");
        assert_eq!(got.len(), 5, "one loss per logged step: {got:?}");
        for (step, (got, expected)) in got.iter().zip(&expected).enumerate() {
            tolerance.assert_number(&format!("{kind:?} logged loss {step}"), *got, *expected);
        }
        assert!(block_on(run.logged_losses()).expect("read").is_empty());
    }
}

/// The CPU version lives in `src/train/trainer/tests.rs`: 400 Adam steps at 0.02.
pub fn moons_reaches_95_percent<B: Backend>(backend: B) {
    let mut run = trainer(backend, OptimizerKind::Adam, 0.02);
    let first = block_on(run.step()).expect("a step");
    for _ in 1..400 {
        run.step_quietly().expect("a quiet step");
    }
    let last = block_on(run.loss()).expect("the loss");
    let accuracy = block_on(run.accuracy())
        .expect("accuracy")
        .expect("a classifier");
    assert!(last < first / 4.0, "loss went from {first} to {last}");
    assert!(accuracy >= 0.95, "training accuracy {accuracy}");
}
