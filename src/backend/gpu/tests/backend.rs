//! `GpuBackend`'s promises beyond parity with the CPU (which `tests/backend_parity` checks):
//! a training step is one submission and several queued steps are one too, the same
//! dispatches every step, no buffer made after the first step, a lost device and a
//! tensor over the adapter's limits as [`BackendError::Device`], never a panic.

use super::harness::{SKIP_VARIABLE, gpu};
use crate::backend::gpu::{GpuBackend, GpuContext, GpuError};
use crate::backend::{Backend, BackendError, Quantity, block_on};
use crate::program::compile;
use crate::train::{OptimizerKind, TrainConfig, TrainError, Trainer, UpdateRule};

const MOONS_MLP: &str = include_str!("../../../../www/examples/07-moons-mlp.bp");

/// A backend on a device of its own (the counters are per context), or `None` where the
/// GPU tests are skipped on purpose.
fn own_backend() -> Option<GpuBackend> {
    gpu()?;
    match block_on(GpuBackend::acquire()) {
        Ok(backend) => Some(backend),
        Err(error) if std::env::var(SKIP_VARIABLE).as_deref() == Ok("1") => {
            eprintln!("skipped: {error}");
            None
        }
        Err(error) => panic!("a GPU backend: {error}"),
    }
}

fn moons_trainer(backend: GpuBackend) -> Trainer<GpuBackend> {
    let graph = compile(MOONS_MLP).expect("the example compiles");
    let config = TrainConfig::new(UpdateRule::default_for(OptimizerKind::Adam), 0.02);
    Trainer::new(backend, graph, config).expect("the example trains")
}

/// `steps` quiet steps, then the loss: one submission.
fn queued_steps(run: &mut Trainer<GpuBackend>, steps: usize) -> f64 {
    for _ in 0..steps {
        run.step_quietly().expect("a quiet step");
    }
    block_on(run.loss()).expect("the loss")
}

#[test]
fn a_training_step_is_one_submission_and_reuses_every_buffer() {
    let Some(backend) = own_backend() else { return };
    let mut run = moons_trainer(backend);
    block_on(run.step()).expect("the first step");
    let context = run.backend().context();
    let (pool, pipelines) = (context.pool_stats(), context.pipeline_count());
    context.reset_counters();
    block_on(run.step()).expect("a step");
    let one_step = run.backend().context().counters();
    assert_eq!(one_step.submissions, 1, "one step, one submission");
    assert_eq!(one_step.readbacks, 1, "the loss");
    // Three dense layers, each one dispatch forward (product, bias and relu) and one
    // backward (∂X or the hidden adjoint, ∂W and ∂b), and the loss one each way: 4
    // forward, 4 backward; and one Adam update for all six parameters (packed side by
    // side). Unfused, with an update per parameter, it was 27: 9 forward, 12 backward,
    // 6 updates. The zeroing of the gradients is folded into the backward pass's first
    // writes.
    assert_eq!(one_step.dispatches, 9);
    let context = run.backend().context();
    assert_eq!(context.pool_stats().created, pool.created, "no new buffers");
    assert_eq!(context.pipeline_count(), pipelines, "no new pipelines");

    // Eight steps queued: each minibatch after the first waits in a staging buffer of its
    // own, made the first time and reused from then on.
    assert!(queued_steps(&mut run, 8).is_finite());
    let context = run.backend().context();
    let pool = context.pool_stats();
    context.reset_counters();
    for _ in 0..8 {
        run.step_quietly().expect("a quiet step");
    }
    assert_eq!(run.backend().context().counters().submissions, 0, "queued");
    assert!(run.backend().queued() > 0);
    assert!(block_on(run.loss()).expect("the loss").is_finite());
    let eight_steps = run.backend().context().counters();
    assert_eq!(eight_steps.submissions, 1, "eight steps, one submission");
    assert_eq!(eight_steps.dispatches, 8 * one_step.dispatches);
    let context = run.backend().context();
    assert_eq!(context.pool_stats().created, pool.created, "no new buffers");

    // What the GPU never changes is read without a submission.
    context.reset_counters();
    let labels = run.graph().find("y").expect("labels");
    block_on(run.backend().read(labels, Quantity::Value)).expect("labels");
    assert_eq!(run.backend().context().counters().submissions, 0);
}

/// `steps` logged steps, then their losses read back together.
fn logged_steps(run: &mut Trainer<GpuBackend>, steps: usize) -> Vec<f64> {
    for _ in 0..steps {
        block_on(run.step_logged()).expect("a logged step");
    }
    block_on(run.logged_losses()).expect("the logged losses")
}

#[test]
fn logged_losses_cross_back_in_one_readback_per_read() {
    let Some(backend) = own_backend() else { return };
    let mut run = moons_trainer(backend);
    let Some(backend) = own_backend() else { return };
    let mut reference = moons_trainer(backend);
    block_on(run.step()).expect("the first step");
    block_on(reference.step()).expect("the first step");

    // Ten steps, their losses kept on the GPU: one submission and one readback when they
    // are read, and no dispatch more than a step takes (each loss is copied, not computed).
    run.backend().context().reset_counters();
    for _ in 0..10 {
        block_on(run.step_logged()).expect("a logged step");
    }
    let queued = run.backend().context().counters();
    assert_eq!(
        (queued.submissions, queued.readbacks),
        (0, 0),
        "nothing sent yet"
    );
    let losses = block_on(run.logged_losses()).expect("the logged losses");
    let ten = run.backend().context().counters();
    assert_eq!(ten.submissions, 1, "ten steps, one submission");
    assert_eq!(ten.readbacks, 1, "ten losses, one readback");
    assert_eq!(ten.dispatches, 10 * 9);
    // The same numbers as a loss read after every step (same device, same kernels).
    let expected: Vec<f64> = (0..10)
        .map(|_| block_on(reference.step()).expect("a step"))
        .collect();
    assert_eq!(losses, expected);
    assert!(losses.iter().all(|loss| loss.is_finite()));

    // A log that fills up is sent back in the submission that fills it: 300 steps read
    // once take two readbacks (256 losses, then 44) and two submissions.
    run.backend().context().reset_counters();
    let losses = logged_steps(&mut run, 300);
    let counters = run.backend().context().counters();
    assert_eq!(losses.len(), 300);
    assert_eq!((counters.submissions, counters.readbacks), (2, 2));
    let expected: Vec<f64> = (0..300)
        .map(|_| block_on(reference.step()).expect("a step"))
        .collect();
    assert_eq!(losses, expected);
    // Reading again, nothing is logged: no submission, no readback.
    run.backend().context().reset_counters();
    assert!(logged_steps(&mut run, 0).is_empty());
    assert_eq!(run.backend().context().counters().readbacks, 0);
    assert_eq!(run.backend().context().counters().submissions, 0);
}

#[test]
fn flush_submits_without_reading() {
    let Some(backend) = own_backend() else { return };
    let mut run = moons_trainer(backend);
    run.step_quietly().expect("a quiet step");
    run.backend().flush().expect("flush");
    assert_eq!(run.backend().queued(), 0);
    assert_eq!(run.backend().context().counters().submissions, 1);
    run.backend().flush().expect("nothing to flush");
    assert_eq!(run.backend().context().counters().submissions, 1);
    assert!(block_on(run.loss()).expect("the loss").is_finite());
}

#[test]
fn a_lost_device_is_a_device_error() {
    let Some(backend) = own_backend() else { return };
    let mut run = moons_trainer(backend);
    block_on(run.step()).expect("a step");
    run.step_quietly().expect("queued before the loss");
    run.backend().context().device().destroy();
    let _ = run.backend().context().device().poll(wgpu::PollType::Poll);
    assert!(
        run.backend().lost().is_some(),
        "the device-lost callback ran"
    );
    match block_on(run.step()) {
        Err(TrainError::Backend(BackendError::Device(message))) => {
            assert!(message.contains("lost"), "{message}");
        }
        other => panic!("a step on a lost device gave {other:?}"),
    }
    let graph = run.graph().clone();
    assert!(matches!(
        run.backend().load(&graph),
        Err(BackendError::Device(_))
    ));
}

#[test]
fn tensors_over_the_adapters_limits_are_refused_at_load() {
    let Some(_) = own_backend() else { return };
    let instance =
        wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle_from_env());
    let adapter = block_on(instance.request_adapter(&wgpu::RequestAdapterOptions::default()))
        .expect("an adapter");
    let limits = wgpu::Limits {
        max_storage_buffer_binding_size: 4096,
        ..adapter.limits()
    };
    let (device, queue) = block_on(adapter.request_device(&wgpu::DeviceDescriptor {
        required_limits: limits,
        ..Default::default()
    }))
    .expect("a device with small limits");
    let mut backend = GpuBackend::new(GpuContext::from_device(device, queue));
    let small = compile("w = param(randn([32, 32], 1)); sum(w * w)").expect("compiles");
    backend.load(&small).expect("4 KiB fits");
    let large = compile("w = param(randn([33, 32], 1)); sum(w * w)").expect("compiles");
    match backend.load(&large) {
        Err(BackendError::Device(message)) => {
            let expected = GpuError::TooLarge {
                what: "a tensor",
                needed: 33 * 32 * 4,
                limit: 4096,
            };
            assert!(message.ends_with(&expected.to_string()), "{message}");
        }
        other => panic!("a tensor over the limit gave {other:?}"),
    }
    // Nothing is loaded after a refused load, and the backend still works.
    assert_eq!(backend.forward(), Err(BackendError::NotLoaded));
    backend.load(&small).expect("reload");
    backend.forward().expect("forward");
}
