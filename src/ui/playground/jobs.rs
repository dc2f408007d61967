//! Everything that touches the training run, one job at a time: a job may wait on the GPU
//! (every read is a `map_async`), and none may see the run while another holds it. The
//! queue runs in one task; the run is taken out of its slot for a job and put back after.
//!
//! Where the GPU comes in: runs are built on the chosen backend (a spare device, or a new
//! one), switching backends continues the same model from its parameters read back, and
//! a device error while training, evaluating or reading a step falls back to the CPU from
//! the last parameters read back from the GPU, keeping the program and the step count.
//!
//! On the CPU a chunk of training (and the evaluation due after it) goes to the training
//! worker when it can serve the run ([`super::offload`]); the run here takes its state back.

use super::hooks;
use super::offload;
use super::state::{CHUNK_MS, GRID, Job, PlaygroundState, Stats, WORKER_CHUNK_MS};
use crate::backend::cpu::CpuBackend;
use crate::backend::gpu::GpuBackend;
use crate::graph::Graph;
use crate::playground::backend::{
    BackendChoice, GpuStatus, Recovery, TrainingBackend, adapter_name,
};
use crate::playground::boundary::{self, Grid};
use crate::playground::form::read_training;
use crate::playground::message::FromPlayground;
use crate::playground::meter::Meter;
use crate::playground::model::same_model;
use crate::playground::pace::{self, FrameWork};
use crate::playground::relay;
use crate::playground::run::{Checkpoint, Run};
use crate::playground::source::Source;
use crate::train::TrainError;
use crate::ui::hooks::now_ms;
use leptos::prelude::*;

/// Queue `job`; start the queue if it is idle.
pub fn submit(ps: PlaygroundState, job: Job) {
    ps.jobs.update_value(|queue| queue.push_back(job));
    if ps.busy.get_value() {
        return;
    }
    ps.busy.set_value(true);
    leptos::task::spawn_local(async move {
        while let Some(job) = ps
            .jobs
            .try_update_value(|queue| queue.pop_front())
            .flatten()
        {
            perform(ps, job).await;
        }
        ps.busy.set_value(false);
    });
}

async fn perform(ps: PlaygroundState, job: Job) {
    match job {
        Job::Follow => follow(ps).await,
        Job::Frame(id) => frame(ps, id).await,
        Job::Step => {
            // A step the GPU failed to take is taken on the CPU it fell back to.
            if ensure_run(ps).await
                && (chunk(ps, Work::One, false).await.is_some()
                    || chunk(ps, Work::One, false).await.is_some())
            {
                evaluate(ps).await;
            }
        }
        Job::Evaluate => evaluate(ps).await,
        Job::StepInto => step_into(ps).await,
        Job::Restart => {
            discard(ps);
            ps.message.set(None);
            if ps.host.source.with_untracked(|s| s.trainable()) && ensure_run(ps).await {
                evaluate(ps).await;
            }
        }
        Job::Switch(choice) => switch(ps, choice).await,
    }
}

fn take_run(ps: PlaygroundState) -> Option<Run<TrainingBackend>> {
    ps.run.try_update_value(Option::take).flatten()
}

/// Let a run go, keeping its GPU device (if it still works) for the next one.
fn retire(ps: PlaygroundState, mut run: Run<TrainingBackend>) {
    if let TrainingBackend::Gpu(gpu) = run.backend().take()
        && gpu.lost().is_none()
    {
        ps.spare_gpu.set_value(Some((*gpu).into_context()));
    }
}

/// Forget the run and everything shown of it. (Whoever asked for this stopped training
/// already: a click on Train meanwhile is for the next run.)
fn discard(ps: PlaygroundState) {
    offload::reset(ps);
    if let Some(run) = take_run(ps) {
        retire(ps, run);
    }
    ps.training_now.set_value(None);
    ps.checkpoint.set_value(None);
    ps.losses.set_value(Vec::new());
    ps.losses_changed.update(|n| *n += 1);
    ps.stats.set(Stats::default());
    ps.boundary.set(None);
    ps.predictions.set_value(None);
    ps.scatter.set(None);
    super::options::clear(ps);
    ps.report.set(None);
}

/// Whether `message` is what the playground says while the editor's program does not
/// compile.
fn is_notice(message: &Option<String>) -> bool {
    message
        .as_deref()
        .is_some_and(|m| m.starts_with("The program in the editor "))
}

async fn follow(ps: PlaygroundState) {
    // While training, a mistake in the editor is said at once; once fixed, unsaid.
    match ps.host.source.with_untracked(Source::notice) {
        Some(notice) if ps.training.get_untracked() => ps.message.set(Some(notice)),
        None if ps.message.with_untracked(is_notice) => ps.message.set(None),
        _ => {}
    }
    let Some((graph, training)) = ps
        .host
        .source
        .with_untracked(|s| Some((s.graph()?.clone(), read_training(s.text()))))
    else {
        return;
    };
    let same = ps
        .run
        .with_value(|run| run.as_ref().map(|r| same_model(r.graph(), &graph)));
    match same {
        Some(true) => {
            if ps.training_now.get_value() != Some(training) {
                ps.training_now.set_value(Some(training));
                offload::reset(ps);
                ps.run.update_value(|run| {
                    if let Some(run) = run {
                        run.set_training(&training);
                        super::options::publish(ps, run);
                    }
                });
            }
            return;
        }
        Some(false) if keep_on_new_data(ps, &graph) => {
            // The same model on changed own data: training goes on.
            evaluate(ps).await;
            return;
        }
        Some(false) => {
            let was_training = ps.training.get_untracked();
            ps.training.set(false);
            discard(ps);
            if was_training {
                ps.message
                    .set(Some("The program changed, so training starts over.".into()));
            }
        }
        None => {}
    }
    // Show the data, the initial decision regions and the backend at once.
    if graph.params().next().is_some() && ensure_run(ps).await {
        evaluate(ps).await;
    }
}

/// Whether the run's model is `graph`'s but for its own data's rows; if so the run goes
/// on with them (and the scatter shows them).
fn keep_on_new_data(ps: PlaygroundState, graph: &Graph) -> bool {
    let kept = ps.run.try_update_value(|run| {
        let run = run.as_mut()?;
        let same = crate::playground::data::same_but_data(run.graph(), graph)
            && run.replace_data(graph.clone()).is_ok();
        same.then(|| crate::playground::scatter::of(run, GRID))
    });
    match kept.flatten() {
        Some(scatter) => {
            offload::reset(ps);
            ps.scatter.set(scatter);
            true
        }
        None => false,
    }
}

/// The run, built on the chosen backend when there is none. False (with the reason in
/// `message`) when the program cannot be trained.
async fn ensure_run(ps: PlaygroundState) -> bool {
    if ps.run.with_value(Option::is_some) {
        return true;
    }
    let Some(graph) = ps.host.source.with_untracked(|s| s.graph().cloned()) else {
        return false;
    };
    build(ps, ps.choice.get_untracked(), graph, None).await
}

/// A GPU backend: on the spare device, else on a new one.
async fn gpu_backend(ps: PlaygroundState) -> Result<GpuBackend, String> {
    if let Some(context) = ps.spare_gpu.try_update_value(Option::take).flatten()
        && !context.is_lost()
    {
        return Ok(GpuBackend::new(context));
    }
    let gpu = GpuBackend::acquire().await.map_err(|e| e.to_string())?;
    let name = adapter_name(gpu.context());
    ps.backend.update(|b| b.gpu = GpuStatus::Ready(name));
    Ok(gpu)
}

/// A run of `graph` on `backend`, from `from` or else from the program's parameters.
fn new_run(
    ps: PlaygroundState,
    backend: TrainingBackend,
    graph: Graph,
    from: Option<&Checkpoint>,
) -> Result<Run<TrainingBackend>, TrainError> {
    let training = ps.host.source.with_untracked(|s| read_training(s.text()));
    match from {
        Some(checkpoint) => Run::resume(backend, graph, &training, checkpoint),
        None => Run::new(backend, graph, &training),
    }
}

/// Build the run of `graph` on `choice` (from `from`, a checkpoint of the same graph, else
/// from the program's parameters) and show it. When the GPU cannot be had or refuses the
/// program, the run goes to the CPU and `message` says why.
async fn build(
    ps: PlaygroundState,
    choice: BackendChoice,
    graph: Graph,
    from: Option<Checkpoint>,
) -> bool {
    if let Some(name) = super::data::to_load(&graph) {
        ps.message
            .set(Some(format!("Loading the `{name}` dataset…")));
        if let Err(reason) = super::data::ensure_loaded(&graph).await {
            ps.message.set(Some(reason));
            return false;
        }
        ps.message.set(None);
    }
    let mut why_not_gpu = None;
    let backend = match choice {
        BackendChoice::Gpu => match gpu_backend(ps).await {
            Ok(gpu) => TrainingBackend::Gpu(Box::new(gpu)),
            Err(reason) => {
                ps.backend
                    .update(|b| b.gpu = GpuStatus::Unavailable(reason.clone()));
                why_not_gpu = Some(reason);
                TrainingBackend::Cpu(CpuBackend::new())
            }
        },
        BackendChoice::Cpu => TrainingBackend::Cpu(CpuBackend::new()),
    };
    let kind = backend.kind();
    let run = match new_run(ps, backend, graph.clone(), from.as_ref()) {
        Ok(run) => Ok(run),
        Err(error) => match Recovery::from(kind, &error) {
            Recovery::FallBack(reason) => {
                why_not_gpu = Some(reason);
                let cpu = TrainingBackend::Cpu(CpuBackend::new());
                new_run(ps, cpu, graph, from.as_ref())
            }
            Recovery::Stop(_) => Err(error),
        },
    };
    let mut run = match run {
        Ok(run) => run,
        Err(error) => {
            ps.message
                .set(Some(format!("This program cannot be trained: {error}")));
            return false;
        }
    };
    if let Some(scatter) = crate::playground::scatter::of(&run, GRID) {
        ps.scatter.set(Some(scatter));
    }
    let running = run.backend().kind();
    let steps = run.steps();
    let training = ps.host.source.with_untracked(|s| read_training(s.text()));
    ps.training_now.set_value(Some(training));
    ps.checkpoint
        .set_value(from.filter(|_| running == BackendChoice::Gpu));
    super::options::publish(ps, &run);
    offload::reset(ps);
    ps.run.set_value(Some(run));
    ps.choice.set(running);
    ps.backend.update(|b| b.running = running);
    // The chart keeps the losses of the steps the run goes on from.
    ps.losses
        .update_value(|l| l.retain(|&(step, _)| step <= steps));
    ps.losses_changed.update(|n| *n += 1);
    let loss = ps.losses.with_value(|l| l.last().map(|&(_, loss)| loss));
    ps.stats.update(|s| {
        s.steps = steps;
        s.loss = loss;
    });
    if let Some(reason) = why_not_gpu {
        ps.message
            .set(Some(format!("Training on the CPU: {reason}")));
    }
    true
}

/// The GPU under `run` failed for `reason`: go on on the CPU from the last parameters
/// read back (or from the program's, if none were), keeping the program and the step
/// count. What the run did since that checkpoint is lost with the device.
async fn fall_back(ps: PlaygroundState, run: Run<TrainingBackend>, reason: &str) {
    let graph = run.graph().clone();
    drop(run);
    let checkpoint = ps.checkpoint.try_update_value(Option::take).flatten();
    let resumed_at = checkpoint.as_ref().map_or(0, |c| c.steps);
    if build(ps, BackendChoice::Cpu, graph, checkpoint).await {
        ps.backend
            .update(|b| b.gpu = b.gpu.lost(reason, resumed_at));
    } else {
        ps.training.set(false);
    }
}

async fn frame(ps: PlaygroundState, id: u64) {
    if !ps.training.get_untracked() || ps.loop_id.get_value() != id {
        return;
    }
    if !ensure_run(ps).await {
        ps.training.set(false);
        return;
    }
    let speed = ps.watch.with_untracked(|w| w.speed);
    let work = ps
        .pacer
        .try_update_value(|pacer| pacer.due(speed, now_ms()))
        .unwrap_or(FrameWork::Fill);
    let now = now_ms();
    let (last, took) = ps.last_evaluation.get_value();
    let due = pace::evaluation_due(now, last, took);
    // A paced frame with no step due waits for the next one.
    let taken = match work {
        FrameWork::Steps(0) => 0,
        work => {
            let taken = chunk(ps, Work::Frame(work), due).await.unwrap_or(0);
            if let FrameWork::Steps(given) = work {
                ps.pacer.update_value(|pacer| pacer.took(given, taken));
            }
            taken
        }
    };
    if taken > 0 && ps.training.get_untracked() && due {
        // What the worker spent evaluating counts as the evaluation's time too.
        let in_worker = ps
            .evaluated
            .with_value(|e| e.as_ref().map_or(0.0, |(_, e)| e.took_ms));
        let start = now_ms();
        evaluate(ps).await;
        ps.last_evaluation
            .set_value((start, now_ms() - start + in_worker));
    }
    if ps.training.get_untracked() {
        training_frame(ps, id);
    }
}

/// What a chunk of training is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Work {
    /// "Train one step": one step, not held back by the stop.
    One,
    /// An animation frame of training at the chosen speed, up to the stop.
    Frame(FrameWork),
}

/// Train a chunk and show the new losses: for a frame, on the CPU for about [`CHUNK_MS`]
/// or the paced steps one by one, on the GPU as many queued steps as [`pace`] says or
/// the paced steps in one submission, never past the stop (where training pauses); one
/// step for [`Work::One`]. On the CPU the training worker takes the chunk when it can
/// (and, with `evaluate`, evaluates the run after it for [`evaluate`]). The steps taken;
/// None when no run was there, or the GPU failed and training fell back to the CPU
/// without taking the chunk.
async fn chunk(ps: PlaygroundState, work: Work, evaluate: bool) -> Option<usize> {
    let mut run = take_run(ps)?;
    let started = now_ms();
    let before = run.losses().len();
    let continuous = work != Work::One;
    run.set_stop(if continuous {
        ps.watch.with_untracked(|w| w.stop)
    } else {
        None
    });
    // On the CPU the training worker takes the chunk, when it can serve the run.
    let off_thread = match (run.backend().kind(), work) {
        (BackendChoice::Cpu, Work::Frame(FrameWork::Fill)) => {
            Some(relay::Work::For(WORKER_CHUNK_MS))
        }
        (BackendChoice::Cpu, Work::Frame(FrameWork::Steps(steps))) => {
            Some(relay::Work::Steps(steps))
        }
        (BackendChoice::Cpu, Work::One) => Some(relay::Work::For(0.0)),
        (BackendChoice::Gpu, _) => None,
    };
    let points = evaluate.then(|| {
        (ps.scatter)
            .with_untracked(|s| s.as_ref().map(|s| s.grid.points()))
            .unwrap_or_default()
    });
    let trained = match off_thread {
        Some(work) => offload::train(ps, &mut run, work, points).await,
        None => None,
    };
    let result = match (trained, run.backend().kind(), work) {
        (Some(result), _, _) => result,
        (None, BackendChoice::Cpu, Work::Frame(FrameWork::Fill)) => {
            run.train_for(CHUNK_MS, &now_ms).await
        }
        (None, BackendChoice::Gpu, Work::Frame(FrameWork::Fill)) => {
            let (steps, start) = (ps.queued_steps.get_value(), now_ms());
            let result = run.train_queued(steps).await;
            ps.queued_steps
                .set_value(pace::next_queued_steps(steps, now_ms() - start));
            result
        }
        (None, BackendChoice::Cpu, Work::Frame(FrameWork::Steps(steps))) => {
            run.train_steps(steps).await
        }
        (None, BackendChoice::Gpu, Work::Frame(FrameWork::Steps(steps))) => {
            run.train_queued(steps).await
        }
        (None, BackendChoice::Cpu, Work::One) => run.train_for(0.0, &now_ms).await,
        (None, BackendChoice::Gpu, Work::One) => run.train_queued(1).await,
    };
    if let Err(error) = &result
        && let Recovery::FallBack(reason) = Recovery::from(run.backend().kind(), error)
    {
        fall_back(ps, run, &reason).await;
        return None;
    }
    let fresh: Vec<(u64, f64)> = run.losses().get(before..).unwrap_or_default().to_vec();
    let steps = run.steps();
    let taken = steps - ps.stats.with_untracked(|s| s.steps).min(steps);
    super::options::publish(ps, &run);
    ps.run.set_value(Some(run));
    ps.losses.update_value(|l| l.extend_from_slice(&fresh));
    ps.losses_changed.update(|n| *n += 1);
    // Speed and frame time describe continuous training, not single steps.
    let measured = continuous;
    if measured {
        ps.rate.update_value(|m| {
            // The first chunk counts from its start: a worker's chunk is long.
            if m.is_empty() {
                m.record(started, 0);
            }
            m.record(now_ms(), taken);
        });
    }
    ps.stats.update(|s| {
        s.steps = steps;
        s.loss = fresh.last().map(|&(_, loss)| loss).or(s.loss);
        if measured {
            s.steps_per_second = ps.rate.with_value(Meter::rate);
            s.frame_ms = ps.frames.with_value(Meter::intervals);
        }
    });
    match result {
        Ok(chunk) if chunk.diverged => {
            ps.training.set(false);
            ps.message.set(Some(
                "Training stopped: the loss is no longer a finite number (NaN or ∞). Lower the learning rate, or zero the gradients, and restart.".into(),
            ));
            Some(chunk.steps)
        }
        Ok(chunk) if chunk.stopped && continuous => {
            ps.training.set(false);
            let stop = ps.watch.with_untracked(|w| w.stop).unwrap_or(steps);
            ps.message.set(Some(if steps == stop {
                format!("Paused at step {stop}, as “Stop at step” asks.")
            } else {
                format!("Paused: step {steps} is past “Stop at step” ({stop}).")
            }));
            submit(ps, Job::Evaluate);
            Some(chunk.steps)
        }
        Ok(chunk) => Some(chunk.steps),
        Err(error) => {
            ps.training.set(false);
            ps.message.set(Some(format!("Training stopped: {error}")));
            Some(0)
        }
    }
}

/// Recompute the accuracy and the decision boundary; on the GPU, read the parameters
/// back too.
async fn evaluate(ps: PlaygroundState) {
    if let Err((run, reason)) = try_evaluate(ps).await {
        fall_back(ps, run, &reason).await;
        // The CPU has no device to lose.
        let _ = try_evaluate(ps).await;
    }
}

/// [`evaluate`]; `Err` with the run and the reason when its GPU failed.
async fn try_evaluate(ps: PlaygroundState) -> Result<(), (Run<TrainingBackend>, String)> {
    let Some(mut run) = take_run(ps) else {
        return Ok(());
    };
    let kind = run.backend().kind();
    let grid = ps
        .scatter
        .with_untracked(|s| s.as_ref().map(|s| (s.grid, s.classes)));
    // What the worker evaluated after the chunk that brought the run here.
    let steps = run.steps();
    let ready = (ps.evaluated.try_update_value(Option::take).flatten())
        .filter(|(at, _)| *at == steps && kind == BackendChoice::Cpu)
        .map(|(_, evaluation)| evaluation);
    let outcome = async {
        let (accuracy, predictions) = match ready {
            Some(evaluation) => (evaluation.accuracy, evaluation.predictions),
            None => {
                let accuracy = run.accuracy().await?;
                if kind == BackendChoice::Cpu {
                    // Each forward pass on the page's thread is a task of its own.
                    hooks::next_frame().await;
                }
                let predictions = match grid {
                    Some((grid, _)) => predict(&mut run, &grid).await?,
                    None => None,
                };
                (accuracy, predictions)
            }
        };
        let report = super::data::report(&mut run).await?;
        let checkpoint = match kind {
            BackendChoice::Gpu => Some(run.checkpoint().await?),
            BackendChoice::Cpu => None,
        };
        Ok::<_, TrainError>((accuracy, predictions, checkpoint, report))
    }
    .await;
    let (accuracy, predictions, checkpoint, report) = match outcome {
        Ok(outcome) => outcome,
        Err(error) => {
            return match Recovery::from(kind, &error) {
                Recovery::FallBack(reason) => Err((run, reason)),
                // The picture waits for the next try.
                Recovery::Stop(_) => {
                    ps.run.set_value(Some(run));
                    Ok(())
                }
            };
        }
    };
    ps.run.set_value(Some(run));
    if checkpoint.is_some() {
        ps.checkpoint.set_value(checkpoint);
    }
    let picture = grid
        .zip(predictions.as_ref())
        .map(|((grid, classes), predictions)| paint(ps, &grid, classes, predictions));
    ps.predictions.set_value(predictions);
    let (test_accuracy, report) = report.unzip();
    ps.stats.update(|s| {
        s.accuracy = accuracy;
        s.test_accuracy = test_accuracy.flatten();
    });
    ps.report.set(report);
    ps.boundary.set(picture);
    Ok(())
}

/// The decision regions of `predictions` over `grid` in the theme's colours, as a data URL.
fn paint(ps: PlaygroundState, grid: &Grid, classes: usize, predictions: &[(usize, f64)]) -> String {
    let palette = if ps.host.dark.get_untracked() {
        &boundary::DARK
    } else {
        &boundary::LIGHT
    };
    boundary::data_url(
        "image/bmp",
        &boundary::bitmap(predictions, grid.n, classes, palette),
    )
}

/// Draw the last predictions again (in the theme's colours now), without a forward pass.
pub fn repaint(ps: PlaygroundState) {
    let grid = ps
        .scatter
        .with_untracked(|s| s.as_ref().map(|s| (s.grid, s.classes)));
    let picture = ps.predictions.with_value(|predictions| {
        let ((grid, classes), predictions) = grid.zip(predictions.as_ref())?;
        Some(paint(ps, &grid, classes, predictions))
    });
    if picture.is_some() {
        ps.boundary.set(picture);
    }
}

/// The model's predictions over `grid`, a few forward passes at a time: on the CPU they
/// run on the main thread, one at a time, so the page gets a frame every [`CHUNK_MS`] or
/// so, or after each pass where one takes longer.
async fn predict(
    run: &mut Run<TrainingBackend>,
    grid: &Grid,
) -> Result<Option<Vec<(usize, f64)>>, TrainError> {
    let Some(batch) = run.prediction_batch() else {
        return Ok(None);
    };
    let points = grid.points();
    let mut predictions = Vec::with_capacity(points.len());
    let mut since = now_ms();
    let passes = match run.backend().kind() {
        BackendChoice::Cpu => 1,
        BackendChoice::Gpu => 4,
    };
    for part in points.chunks(batch * passes) {
        predictions.extend(run.predict_points(part).await?.unwrap_or_default());
        if run.backend().kind() == BackendChoice::Cpu && now_ms() - since >= CHUNK_MS {
            hooks::next_frame().await;
            since = now_ms();
        }
    }
    Ok(Some(predictions))
}

/// Read the next training step (current parameters, next minibatch) and send it to the
/// app's stepper.
async fn step_into(ps: PlaygroundState) {
    for _attempt in 0..2 {
        if !ensure_run(ps).await {
            return;
        }
        let Some(mut run) = take_run(ps) else {
            return;
        };
        let kind = run.backend().kind();
        let inputs = run.next_step_inputs().await;
        let description = run.next_step_text();
        match inputs {
            Ok(inputs) => {
                ps.run.set_value(Some(run));
                let program = ps.host.source.with_untracked(|s| s.text().to_string());
                ps.host.send(&FromPlayground::StepInto {
                    program,
                    inputs,
                    description,
                });
                return;
            }
            Err(error) => match Recovery::from(kind, &error) {
                Recovery::FallBack(reason) => fall_back(ps, run, &reason).await,
                Recovery::Stop(_) => {
                    ps.run.set_value(Some(run));
                    ps.message
                        .set(Some(format!("Could not read the step: {error}")));
                    return;
                }
            },
        }
    }
}

/// Go on with the same model on `choice`: read its parameters back, then build the run
/// there from them.
async fn switch(ps: PlaygroundState, choice: BackendChoice) {
    let Some(mut run) = take_run(ps) else {
        // No run yet: the next one is built on the choice.
        return;
    };
    let kind = run.backend().kind();
    if kind == choice {
        ps.run.set_value(Some(run));
        return;
    }
    let checkpoint = match run.checkpoint().await {
        Ok(checkpoint) => checkpoint,
        Err(error) => {
            match Recovery::from(kind, &error) {
                Recovery::FallBack(reason) => fall_back(ps, run, &reason).await,
                Recovery::Stop(message) => {
                    ps.run.set_value(Some(run));
                    ps.choice.set(kind);
                    ps.message.set(Some(message));
                }
            }
            return;
        }
    };
    let graph = run.graph().clone();
    retire(ps, run);
    ps.message.set(None);
    if build(ps, choice, graph, Some(checkpoint)).await {
        ps.rate.update_value(Meter::clear);
        evaluate(ps).await;
    }
}

/// Ask for WebGPU once the module is up: with a device, the GPU becomes the choice and
/// the current run (if any) moves there.
pub fn probe_webgpu(ps: PlaygroundState) {
    leptos::task::spawn_local(async move {
        let status = match hooks::webgpu_adapter().await {
            Err(reason) => GpuStatus::Unavailable(reason),
            Ok(_) => match GpuBackend::acquire().await {
                Ok(gpu) => {
                    let name = adapter_name(gpu.context());
                    ps.spare_gpu.set_value(Some(gpu.into_context()));
                    GpuStatus::Ready(name)
                }
                Err(error) => GpuStatus::Unavailable(error.to_string()),
            },
        };
        let ready = matches!(status, GpuStatus::Ready(_));
        ps.backend.update(|b| b.gpu = status);
        if ready {
            ps.choice.set(BackendChoice::Gpu);
            submit(ps, Job::Switch(BackendChoice::Gpu));
        }
    });
}

/// While the playground trains, record every animation frame (the page's frame time),
/// and queue a chunk of training after each frame that follows the last chunk, so the
/// page renders between chunks.
pub fn drive_training(ps: PlaygroundState) {
    Effect::new(move |was: Option<bool>| {
        let training = ps.training.get();
        if training {
            let id = ps.loop_id.get_value();
            meter_frames(ps, id);
            training_frame(ps, id);
        } else if was == Some(true) {
            // A pause stops the worker, cancelling the chunk it trains.
            offload::reset(ps);
        }
        training
    });
}

fn running(ps: PlaygroundState, id: u64) -> bool {
    ps.training.get_untracked() && ps.loop_id.get_value() == id
}

fn meter_frames(ps: PlaygroundState, id: u64) {
    request_animation_frame(move || {
        if running(ps, id) {
            ps.frames.update_value(|m| m.record(now_ms(), 1));
            meter_frames(ps, id);
        }
    });
}

/// Queue training loop `id`'s next chunk on the next animation frame.
pub fn training_frame(ps: PlaygroundState, id: u64) {
    request_animation_frame(move || {
        if running(ps, id) {
            submit(ps, Job::Frame(id));
        }
    });
}
