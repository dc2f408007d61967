//! A run trains the form's moons network to high accuracy, draws its minibatches where
//! the trainer does, and hands the stepper the inputs whose gradients the next step uses.

use super::*;
use crate::backend::block_on;
use crate::backend::cpu::CpuBackend;
use crate::data::batch_tensors;
use crate::engine::{Mode, Stepper};
use crate::playground::form::{Form, write_program};
use crate::program::compile;

fn moons() -> Run<CpuBackend> {
    let form = Form::default();
    let graph = compile(&write_program(&form)).unwrap();
    Run::new(CpuBackend::new(), graph, &form.training).unwrap()
}

#[test]
fn the_moons_network_learns() {
    let mut run = moons();
    for _ in 0..300 {
        block_on(run.step()).unwrap();
    }
    assert_eq!(run.losses().len(), 300);
    assert_eq!(run.losses()[299].0, 300, "losses carry their step number");
    assert!(
        run.losses()[299].1 < run.losses()[0].1 / 4.0,
        "{:?}",
        &run.losses()[295..]
    );
    let accuracy = block_on(run.accuracy()).unwrap().unwrap();
    assert!(accuracy >= 0.9, "{accuracy}");
}

#[test]
fn chunks_stop_when_the_budget_is_spent() {
    let mut run = moons();
    let ticks = std::cell::Cell::new(0.0);
    let clock = || {
        ticks.set(ticks.get() + 1.0);
        ticks.get()
    };
    // Each step reads the clock once, one ms apart: a 5 ms budget takes 5 steps.
    let chunk = block_on(run.train_for(5.0, &clock)).unwrap();
    assert_eq!(
        chunk,
        Chunk {
            steps: 5,
            diverged: false,
            stopped: false
        }
    );
    assert_eq!(run.steps(), 5);
}

#[test]
fn queued_steps_record_every_loss_as_steps_one_by_one_do() {
    let (mut queued, mut one_by_one) = (moons(), moons());
    let chunk = block_on(queued.train_queued(5)).unwrap();
    assert_eq!(
        chunk,
        Chunk {
            steps: 5,
            diverged: false,
            stopped: false
        }
    );
    for _ in 0..5 {
        block_on(one_by_one.step()).unwrap();
    }
    assert_eq!(queued.steps(), 5);
    assert_eq!(queued.losses(), one_by_one.losses());
    assert_eq!(queued.next_batch(), one_by_one.next_batch());
    // At least one step, and never more than a chunk's worth.
    assert_eq!(block_on(queued.train_queued(0)).unwrap().steps, 1);
    assert_eq!(queued.losses().last().map(|l| l.0), Some(6));
}

#[test]
fn divergence_ends_a_chunk() {
    // A learning rate this large sends the loss to ∞ and NaN.
    let graph = compile("w = param(3)\nL = exp(w * w)").unwrap();
    let training = Training {
        learning_rate: 1e6,
        optimizer: crate::train::OptimizerKind::Sgd,
        zero_grads: true,
        ..Training::default()
    };
    let mut run = Run::new(CpuBackend::new(), graph, &training).unwrap();
    let chunk = block_on(run.train_for(1e9, &|| 0.0)).unwrap();
    assert!(chunk.diverged && chunk.steps < MAX_CHUNK_STEPS);
    let mut queued = Run::new(CpuBackend::new(), run.graph().clone(), &training).unwrap();
    assert!(
        block_on(queued.train_queued(MAX_CHUNK_STEPS))
            .unwrap()
            .diverged
    );
    let mut paced = Run::new(CpuBackend::new(), run.graph().clone(), &training).unwrap();
    let chunk = block_on(paced.train_steps(MAX_CHUNK_STEPS)).unwrap();
    assert!(chunk.diverged && chunk.steps < MAX_CHUNK_STEPS);
    assert_eq!(paced.losses().len(), chunk.steps);
}

#[test]
fn no_chunk_passes_the_stop() {
    let mut run = moons();
    run.set_stop(Some(7));
    assert_eq!(run.stop(), Some(7));
    let mut taken = 0;
    // Long time budgets, big queues, many steps: each chunk ends at step 7 at the latest.
    let chunk = block_on(run.train_for(1e9, &|| 0.0)).unwrap();
    taken += chunk.steps;
    assert_eq!(
        chunk,
        Chunk {
            steps: 7,
            diverged: false,
            stopped: true
        }
    );
    assert!(run.at_stop());
    for chunk in [
        block_on(run.train_for(1e9, &|| 0.0)).unwrap(),
        block_on(run.train_queued(64)).unwrap(),
        block_on(run.train_steps(64)).unwrap(),
    ] {
        assert_eq!((chunk.steps, chunk.stopped), (0, true));
        assert_eq!(run.steps(), 7);
    }
    assert_eq!(run.losses().len(), taken);
    // A later stop: chunks of every kind take the run exactly there.
    run.set_stop(Some(20));
    assert!(!run.at_stop());
    let chunk = block_on(run.train_queued(5)).unwrap();
    assert_eq!((chunk.steps, chunk.stopped, run.steps()), (5, false, 12));
    let chunk = block_on(run.train_steps(100)).unwrap();
    assert_eq!((chunk.steps, chunk.stopped, run.steps()), (8, true, 20));
    run.set_stop(Some(23));
    let chunk = block_on(run.train_queued(MAX_CHUNK_STEPS)).unwrap();
    assert_eq!((chunk.steps, chunk.stopped, run.steps()), (3, true, 23));
    // One step by hand is not held back; the chunks still take none.
    block_on(run.step()).unwrap();
    assert_eq!(run.steps(), 24);
    assert_eq!(block_on(run.train_steps(1)).unwrap().steps, 0);
    // Without a stop, chunks go on.
    run.set_stop(None);
    assert_eq!(block_on(run.train_steps(3)).unwrap().steps, 3);
    assert_eq!(run.losses().last().map(|l| l.0), Some(27));
}

#[test]
fn paced_steps_read_every_loss() {
    let (mut paced, mut one_by_one) = (moons(), moons());
    let chunk = block_on(paced.train_steps(4)).unwrap();
    assert_eq!(
        chunk,
        Chunk {
            steps: 4,
            diverged: false,
            stopped: false
        }
    );
    for _ in 0..4 {
        block_on(one_by_one.step()).unwrap();
    }
    assert_eq!(paced.losses(), one_by_one.losses());
    assert_eq!(block_on(paced.train_steps(0)).unwrap().steps, 0);
}

#[test]
fn the_next_batch_is_the_one_the_trainer_draws() {
    let mut run = moons();
    let features = run.graph().find("X").unwrap();
    // Past the end of the first epoch (4 batches of 64 from 256 points).
    for _ in 0..9 {
        let indices = run.next_batch().unwrap();
        let dataset = run.dataset().unwrap().clone();
        let (expected, _) = batch_tensors(&dataset, &indices);
        block_on(run.step()).unwrap();
        assert_eq!(run.backend().value(features).unwrap(), &expected);
    }
    assert!(
        run.next_step_text().contains("minibatch 2 of epoch 3"),
        "{}",
        run.next_step_text()
    );
}

#[test]
fn stepping_into_a_step_gives_that_steps_gradients() {
    let mut run = moons();
    for _ in 0..7 {
        block_on(run.step()).unwrap();
    }
    let inputs = block_on(run.next_step_inputs()).unwrap();
    let graph = run.graph().clone();
    let mut stepper = Stepper::new(graph.clone(), inputs, Mode::Reverse).unwrap();
    stepper.run_to_end();
    block_on(run.step()).unwrap();
    for id in graph.params() {
        let stepped = stepper.adjoint(id).unwrap();
        let trained = run.backend().gradient(id).unwrap();
        assert_eq!(&*stepped, trained, "{}", graph.node(id).name);
    }
    let loss = stepper.value(graph.output()).unwrap().item().unwrap();
    assert_eq!((8, loss), run.losses()[7]);
}

#[test]
fn predictions_cover_the_grid() {
    let mut run = moons();
    for _ in 0..200 {
        block_on(run.step()).unwrap();
    }
    let dataset = run.dataset().unwrap().clone();
    let grid = Grid::around(&dataset.points, 24);
    let predictions = block_on(run.predict(&grid)).unwrap().unwrap();
    assert_eq!(predictions.len(), 24 * 24);
    assert!(
        predictions
            .iter()
            .all(|&(c, p)| c < 2 && (0.5..=1.0).contains(&p))
    );
    assert!(predictions.iter().any(|p| p.0 == 0) && predictions.iter().any(|p| p.0 == 1));
    // In parts (of any size), the same predictions.
    assert_eq!(run.prediction_batch(), Some(64));
    let points = grid.points();
    let mut in_parts = Vec::new();
    for part in points.chunks(100) {
        in_parts.extend(block_on(run.predict_points(part)).unwrap().unwrap());
    }
    assert_eq!(in_parts, predictions);
    // Training goes on afterwards with proper minibatches.
    block_on(run.step()).unwrap();
    assert!(run.losses().last().unwrap().1.is_finite());
}

#[test]
fn programs_without_data_train_too() {
    let graph = compile("w = param(3)\nL = (w - 1)^2").unwrap();
    let mut run = Run::new(CpuBackend::new(), graph, &Training::default()).unwrap();
    assert!(run.dataset().is_none() && run.next_batch().is_none());
    assert_eq!(run.prediction_batch(), None);
    for _ in 0..400 {
        block_on(run.step()).unwrap();
    }
    assert!(run.losses().last().unwrap().1 < 1e-3);
    assert_eq!(block_on(run.accuracy()).unwrap(), None);
    assert!(run.next_step_text().starts_with("training step 401"));
}

#[test]
fn a_resumed_run_goes_on_where_the_checkpoint_was() {
    // Plain SGD keeps no state beside the parameters, so resuming loses nothing.
    let form = Form::default();
    let training = Training {
        optimizer: crate::train::OptimizerKind::Sgd,
        learning_rate: 0.1,
        zero_grads: true,
        ..Training::default()
    };
    let graph = compile(&write_program(&form)).unwrap();
    let mut first = Run::new(CpuBackend::new(), graph.clone(), &training).unwrap();
    for _ in 0..6 {
        block_on(first.step()).unwrap();
    }
    let checkpoint = block_on(first.checkpoint()).unwrap();
    assert_eq!(checkpoint.steps, 6);
    assert_eq!(checkpoint.params.len(), graph.params().count());

    let mut second = Run::resume(CpuBackend::new(), graph, &training, &checkpoint).unwrap();
    assert_eq!(second.steps(), 6);
    assert_eq!(second.next_batch(), first.next_batch());
    assert_eq!(second.next_step_text(), first.next_step_text());
    assert!(second.losses().is_empty());
    for _ in 0..5 {
        let (a, b) = (
            block_on(first.step()).unwrap(),
            block_on(second.step()).unwrap(),
        );
        assert_eq!(a, b);
    }
    assert_eq!(
        block_on(second.checkpoint()).unwrap(),
        block_on(first.checkpoint()).unwrap()
    );
}

#[test]
fn resuming_with_adam_starts_its_moments_afresh_but_keeps_learning() {
    let mut first = moons();
    for _ in 0..150 {
        block_on(first.step()).unwrap();
    }
    let checkpoint = block_on(first.checkpoint()).unwrap();
    let form = Form::default();
    let graph = first.graph().clone();
    let mut second = Run::resume(CpuBackend::new(), graph, &form.training, &checkpoint).unwrap();
    let before = block_on(second.accuracy()).unwrap().unwrap();
    assert_eq!(before, block_on(first.accuracy()).unwrap().unwrap());
    for _ in 0..150 {
        block_on(second.step()).unwrap();
    }
    assert_eq!(second.steps(), 300);
    let after = block_on(second.accuracy()).unwrap().unwrap();
    assert!(after >= 0.9, "{before} -> {after}");
}

#[test]
fn a_checkpoint_of_another_shape_is_refused() {
    let mut run = moons();
    let mut checkpoint = block_on(run.checkpoint()).unwrap();
    checkpoint.params[0].1 = Tensor::zeros(&[3, 3]).unwrap();
    let graph = run.graph().clone();
    let error = Run::resume(
        CpuBackend::new(),
        graph,
        &Form::default().training,
        &checkpoint,
    )
    .err()
    .unwrap();
    assert!(matches!(
        error,
        TrainError::Backend(crate::backend::BackendError::ShapeChanged { .. })
    ));
}

/// The form's 64-32-10 network on the digits (a small one, for a debug build).
fn digits() -> Run<CpuBackend> {
    let form = Form {
        dataset: "digits".into(),
        points: 1438,
        batch: 64,
        hidden: vec![32],
        training: Training {
            optimizer: crate::train::OptimizerKind::Momentum,
            learning_rate: 0.1,
            zero_grads: true,
            ..Training::default()
        },
        ..Form::default()
    };
    let graph = compile(&write_program(&form)).unwrap();
    Run::new(CpuBackend::new(), graph, &form.training).unwrap()
}

#[test]
fn a_digits_run_steps_into_its_real_minibatches_and_is_tested_on_held_out_rows() {
    let mut run = digits();
    assert!(run.dataset().is_none(), "no 2-D points to draw");
    let features = run.graph().find("X").unwrap();
    let split = run.data_spec().unwrap().load().unwrap();
    for _ in 0..3 {
        let indices = run.next_batch().unwrap();
        let (expected, _) = split.train.batch(&indices);
        let inputs = block_on(run.next_step_inputs()).unwrap();
        assert!(inputs.contains(&expected));
        block_on(run.step()).unwrap();
        assert_eq!(run.backend().value(features).unwrap(), &expected);
    }
    for _ in 0..60 {
        block_on(run.step()).unwrap();
    }
    let predictions = block_on(run.test_predictions()).unwrap().unwrap();
    assert_eq!(predictions.labels.len(), 359);
    assert_eq!(
        predictions.labels,
        split
            .test
            .targets
            .iter()
            .map(|&t| t as usize)
            .collect::<Vec<_>>()
    );
    let accuracy = block_on(run.test_accuracy()).unwrap().unwrap();
    let correct = predictions
        .predicted
        .iter()
        .zip(&predictions.labels)
        .filter(|(p, t)| p == t)
        .count();
    assert_eq!(accuracy, correct as f64 / 359.0);
    assert!(accuracy > 0.9, "{accuracy}");
    let weights = block_on(run.first_weights()).unwrap().unwrap();
    assert_eq!(weights.shape(), [64, 32]);
    let w1 = run.graph().find("W1").unwrap();
    assert_eq!(&weights, run.backend().value(w1).unwrap());
}
