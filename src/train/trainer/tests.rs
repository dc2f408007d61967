//! Training tests: the moons MLP learns, accumulation equals a bigger batch, and
//! forgetting to zero the gradients shows.

use super::*;
use crate::backend::block_on;
use crate::backend::cpu::CpuBackend;
use crate::program::compile;
use crate::train::OptimizerKind;

const MOONS_MLP: &str = include_str!("../../../www/examples/07-moons-mlp.bp");

fn trainer(source: &str, kind: OptimizerKind, learning_rate: f64) -> Trainer<CpuBackend> {
    let graph = compile(source).unwrap();
    let config = TrainConfig::new(UpdateRule::default_for(kind), learning_rate);
    Trainer::new(CpuBackend::new(), graph, config).unwrap()
}

#[test]
fn moons_mlp_reaches_95_percent_training_accuracy() {
    let mut run = trainer(MOONS_MLP, OptimizerKind::Adam, 0.02);
    let first = block_on(run.step()).unwrap();
    let mut last = first;
    for _ in 1..400 {
        last = block_on(run.step()).unwrap();
    }
    let accuracy = block_on(run.accuracy()).unwrap().unwrap();
    assert!(last < first / 4.0, "loss went from {first} to {last}");
    assert!(accuracy >= 0.95, "training accuracy {accuracy}");
    // Deterministic: the same run gives the same numbers.
    let mut again = trainer(MOONS_MLP, OptimizerKind::Adam, 0.02);
    let mut again_last = f64::NAN;
    for _ in 0..400 {
        again_last = block_on(again.step()).unwrap();
    }
    assert_eq!(again_last, last);
}

/// Two micro-batches of 32 accumulated (and averaged) give the gradient of the 64 points
/// together: the `+=` is what makes gradient accumulation exact.
#[test]
fn accumulated_micro_batches_equal_one_big_batch() {
    let body =
        "W = param(randn([2, 2], 5))\nb = param(zeros([2]))\nL = cross_entropy(X @ W + b, y)";
    let big = format!("X = features(xor, 64, 64)\ny = labels(xor, 64, 64)\n{body}");
    let small = format!("X = features(xor, 64, 32)\ny = labels(xor, 64, 32)\n{body}");
    let w = |run: &mut Trainer<CpuBackend>| {
        let id = run.graph().find("W").unwrap();
        block_on(run.backend().read(id, Quantity::Value)).unwrap()
    };
    let mut whole = trainer(&big, OptimizerKind::Sgd, 0.5);
    let mut parts = trainer(&small, OptimizerKind::Sgd, 0.5);
    parts.set_config(TrainConfig {
        accumulate: 2,
        ..parts.config()
    });
    whole.step_quietly().unwrap();
    parts.step_quietly().unwrap();
    let (a, b) = (w(&mut whole), w(&mut parts));
    for (x, y) in a.data().iter().zip(b.data()) {
        assert!((x - y).abs() < 1e-12, "{a:?} vs {b:?}");
    }
}

#[test]
fn forgetting_to_zero_gradients_makes_them_pile_up() {
    let source = "w = param(1); x = 2; L = (w * x - 3)^2";
    let grad_after = |zero_grads: bool| {
        let mut run = trainer(source, OptimizerKind::Sgd, 0.0);
        run.set_config(TrainConfig {
            zero_grads,
            ..run.config()
        });
        for _ in 0..3 {
            run.step_quietly().unwrap();
        }
        let w = run.graph().find("w").unwrap();
        block_on(run.backend().read(w, Quantity::Gradient))
            .unwrap()
            .item()
            .unwrap()
    };
    // dL/dw = 2(wx − 3)·x = −4 each step; with a learning rate of 0 nothing else moves.
    assert_eq!(grad_after(true), -4.0);
    assert_eq!(grad_after(false), -12.0);
}

#[test]
fn programs_that_cannot_train_say_why() {
    let config = TrainConfig::new(UpdateRule::Sgd, 0.1);
    let no_params = compile("x = 2; x * 3").unwrap();
    assert!(matches!(
        Trainer::new(CpuBackend::new(), no_params, config),
        Err(TrainError::NoParameters)
    ));
    let vector_loss = compile("w = param([1, 2]); w * 3").unwrap();
    assert!(matches!(
        Trainer::new(CpuBackend::new(), vector_loss, config),
        Err(TrainError::LossNotScalar { .. })
    ));
    let mixed = compile(
        "X = features(moons, 64, 16)\ny = labels(moons, 64, 32)\nW = param(zeros([2, 2]))\nL = sum(X @ W) + sum(y)",
    )
    .unwrap();
    assert!(matches!(
        Trainer::new(CpuBackend::new(), mixed, config),
        Err(TrainError::MixedData { .. })
    ));
}

/// A run fast-forwarded to step k and given the parameters of a real run at step k takes
/// the same next step, bit for bit: same minibatch, same update (SGD has no state). Steps
/// on both sides of epoch boundaries (4 minibatches per epoch), with and without
/// micro-batches.
#[test]
fn a_fast_forwarded_run_takes_the_same_next_step() {
    for accumulate in [1, 2] {
        for k in [0, 1, 3, 4, 5, 8, 9] {
            let mut real = trainer(MOONS_MLP, OptimizerKind::Sgd, 0.1);
            let mut skipped = trainer(MOONS_MLP, OptimizerKind::Sgd, 0.1);
            for run in [&mut real, &mut skipped] {
                let config = TrainConfig {
                    accumulate,
                    ..run.config()
                };
                run.set_config(config);
            }
            for _ in 0..k {
                real.step_quietly().unwrap();
            }
            skipped.fast_forward(k);
            let params: Vec<NodeId> = real.graph().params().collect();
            for &id in &params {
                let value = block_on(real.backend().read(id, Quantity::Value)).unwrap();
                skipped.backend().write(id, &value).unwrap();
            }
            let real_loss = block_on(real.step()).unwrap();
            let skipped_loss = block_on(skipped.step()).unwrap();
            assert_eq!(skipped.steps(), real.steps());
            assert_eq!(
                skipped_loss, real_loss,
                "loss after step {k} (accumulate {accumulate})"
            );
            for &id in &params {
                let a = block_on(real.backend().read(id, Quantity::Value)).unwrap();
                let b = block_on(skipped.backend().read(id, Quantity::Value)).unwrap();
                assert_eq!(
                    a, b,
                    "parameter {id:?} after step {k} (accumulate {accumulate})"
                );
            }
        }
    }
}

#[test]
fn clipping_caps_the_global_norm_exactly_and_keeps_the_direction() {
    // A steep loss: the gradients of w and b together have a norm far above 1.
    let source = "w = param([3, -4]); b = param(2); x = [10, 20]; L = (sum(w * x) + b)^2";
    let gradient = |run: &mut Trainer<CpuBackend>, name: &str| {
        let id = run.graph().find(name).unwrap();
        block_on(run.backend().read(id, Quantity::Gradient)).unwrap()
    };
    let mut free = trainer(source, OptimizerKind::Sgd, 0.0);
    block_on(free.step()).unwrap();
    let unclipped = [gradient(&mut free, "w"), gradient(&mut free, "b")];
    let norm = crate::train::clip::global_norm(&unclipped);
    assert!(norm > 100.0, "{norm}");
    let mut clipped = trainer(source, OptimizerKind::Sgd, 0.0);
    clipped.set_config(TrainConfig {
        clip_norm: Some(1.0),
        ..clipped.config()
    });
    block_on(clipped.step()).unwrap();
    let after = [gradient(&mut clipped, "w"), gradient(&mut clipped, "b")];
    let capped = crate::train::clip::global_norm(&after);
    assert!((capped - 1.0).abs() < 1e-12, "norm after clipping {capped}");
    let reported = clipped.last_norm().unwrap();
    assert_eq!(reported.before, norm);
    assert!((reported.after - 1.0).abs() < 1e-12);
    for (a, u) in after.iter().zip(&unclipped) {
        for (x, y) in a.data().iter().zip(u.data()) {
            assert!(
                (x - y / norm).abs() < 1e-15,
                "same direction: {x} vs {y}/{norm}"
            );
        }
    }
    // Under the cap, nothing changes; a quiet step refuses to skip the clipping.
    let mut loose = trainer(source, OptimizerKind::Sgd, 0.0);
    loose.set_config(TrainConfig {
        clip_norm: Some(1e9),
        ..loose.config()
    });
    block_on(loose.step()).unwrap();
    assert_eq!(loose.last_norm().unwrap().after, norm);
    assert_eq!(loose.step_quietly(), Err(TrainError::ClipNeedsRead));
}

#[test]
fn clipping_tames_an_exploding_run() {
    // Gradient descent with too large a step on a steep quadratic diverges; clipped, each
    // step moves w by at most lr · cap, and the loss falls.
    let source = "w = param(10); L = 50 * w^2";
    let mut wild = trainer(source, OptimizerKind::Sgd, 0.05);
    let mut tame = trainer(source, OptimizerKind::Sgd, 0.05);
    tame.set_config(TrainConfig {
        clip_norm: Some(10.0),
        ..tame.config()
    });
    let (mut wild_loss, mut tame_loss) = (0.0, 0.0);
    for _ in 0..20 {
        wild_loss = block_on(wild.step()).unwrap();
        tame_loss = block_on(tame.step()).unwrap();
    }
    assert!(wild_loss > 1e10, "unclipped: {wild_loss}");
    assert!(tame_loss < 5000.0, "clipped: {tame_loss}");
}

/// Loss scaling by a power of two in f64 changes no bit: scaled, then divided back, the
/// gradients and so the weights are the plain run's. In f16, GradScaler's first scale
/// 2¹⁶ overflows (65504 is f16's largest number): that step is skipped, the weights stay,
/// and the scale halves.
#[test]
fn loss_scaling_in_training() {
    use crate::precision::Precision;
    use crate::train::{GradScaler, LossScaling, Outcome};
    let weights = |run: &mut Trainer<CpuBackend>| {
        let id = run.graph().find("W1").unwrap();
        block_on(run.backend().read(id, Quantity::Value)).unwrap()
    };
    let mut plain = trainer(MOONS_MLP, OptimizerKind::Sgd, 0.1);
    let mut scaled = trainer(MOONS_MLP, OptimizerKind::Sgd, 0.1);
    let mut scaler = GradScaler::new(LossScaling::Static(1024.0));
    for _ in 0..3 {
        let loss = block_on(plain.step()).unwrap();
        let (scaled_loss, outcome) =
            block_on(scaled.step_scaled(Precision::F64, &mut scaler)).unwrap();
        assert_eq!((scaled_loss, outcome), (loss, Outcome::Applied));
    }
    assert_eq!(weights(&mut scaled), weights(&mut plain));

    let mut half = trainer(MOONS_MLP, OptimizerKind::Sgd, 0.1);
    let before = weights(&mut half);
    let mut dynamic = GradScaler::new(LossScaling::Dynamic);
    let (_, outcome) = block_on(half.step_scaled(Precision::F16, &mut dynamic)).unwrap();
    assert_eq!(outcome, Outcome::Skipped);
    assert_eq!(weights(&mut half), before);
    assert_eq!(dynamic.scale(), 32768.0);
    let (loss, outcome) = block_on(half.step_scaled(Precision::F16, &mut dynamic)).unwrap();
    assert_eq!(outcome, Outcome::Applied);
    assert_ne!(weights(&mut half), before);
    // The loss is stored in f16 too: a multiple of its step near 0.6 (2⁻¹¹).
    assert_eq!(loss, Precision::F16.round(loss));
    assert_eq!(half.steps(), 2);
}

/// Without a log on the backend (the CPU), logged steps read their losses as they go, and
/// give exactly what `step` gives; a clipped config logs too.
#[test]
fn logged_losses_equal_the_losses_of_plain_steps() {
    for clip_norm in [None, Some(0.5)] {
        let config = |run: &mut Trainer<CpuBackend>| {
            run.set_config(TrainConfig {
                clip_norm,
                ..run.config()
            });
        };
        let mut plain = trainer(MOONS_MLP, OptimizerKind::Adam, 0.02);
        let mut logged = trainer(MOONS_MLP, OptimizerKind::Adam, 0.02);
        config(&mut plain);
        config(&mut logged);
        let expected: Vec<f64> = (0..6).map(|_| block_on(plain.step()).unwrap()).collect();
        for _ in 0..4 {
            block_on(logged.step_logged()).unwrap();
        }
        let mut got = block_on(logged.logged_losses()).unwrap();
        assert_eq!(got.len(), 4);
        for _ in 0..2 {
            block_on(logged.step_logged()).unwrap();
        }
        got.extend(block_on(logged.logged_losses()).unwrap());
        assert_eq!(got, expected, "clip {clip_norm:?}");
        assert_eq!(logged.steps(), 6);
        assert!(block_on(logged.logged_losses()).unwrap().is_empty());
    }
}
