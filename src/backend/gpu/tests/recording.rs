//! The recorder's promises, on a context of its own (the counters are per context): a
//! whole step in one submission, pipelines created once, buffers reused across steps,
//! readback only on request, and errors — aliasing, wrong shapes, sizes over the limit,
//! a dropped recording, a lost device — returned as values.

use super::harness::{SKIP_VARIABLE, gpu};
use crate::backend::block_on;
use crate::backend::gpu::pool::Usage;
use crate::backend::gpu::{GpuContext, GpuCounters, GpuError, UnaryOp, Write};
use crate::tensor::reduce::Over;
use crate::tensor::{Tensor, TensorError};

/// A context of its own, or `None` where the GPU tests are skipped on purpose.
fn own_context() -> Option<GpuContext> {
    gpu()?;
    match block_on(GpuContext::new()) {
        Ok(context) => Some(context),
        Err(error) if std::env::var(SKIP_VARIABLE).as_deref() == Ok("1") => {
            eprintln!("skipped: {error}");
            None
        }
        Err(error) => panic!("a second device: {error}"),
    }
}

/// A tiny training step: loss = sum(relu(x @ w)), its gradient for w, one SGD update,
/// and the loss read back. Returns the loss.
fn step(context: &GpuContext, x: &Tensor, w: &crate::backend::gpu::GpuTensor) -> f32 {
    let mut recorder = context.recorder().expect("recorder");
    let x_gpu = context.upload(x).expect("upload");
    let hidden = context.tensor(&[4, 3]).expect("tensor");
    let activated = context.tensor(&[4, 3]).expect("tensor");
    let loss = context.tensor(&[]).expect("tensor");
    let ones = context.tensor(&[]).expect("tensor");
    let activated_grad = context.tensor(&[4, 3]).expect("tensor");
    let hidden_grad = context.tensor(&[4, 3]).expect("tensor");
    let w_grad = context.tensor(&[2, 3]).expect("tensor");
    recorder.matmul(&x_gpu, w, &hidden).expect("matmul");
    recorder
        .unary(UnaryOp::Relu, &hidden, &activated)
        .expect("relu");
    recorder.sum(Over::All, &activated, &loss).expect("sum");
    recorder.fill(&ones, 1.0).expect("seed");
    recorder
        .sum_backward(Over::All, &ones, &activated_grad, Write::Overwrite)
        .expect("sum backward");
    recorder
        .unary_backward(
            UnaryOp::Relu,
            &hidden,
            &activated,
            &activated_grad,
            &hidden_grad,
            Write::Overwrite,
        )
        .expect("relu backward");
    recorder
        .matmul_backward(
            &x_gpu,
            w,
            &hidden_grad,
            None,
            Some((&w_grad, Write::Overwrite)),
        )
        .expect("matmul backward");
    let mut state = crate::backend::gpu::ParamState::new();
    recorder
        .update(
            crate::backend::optimizer::UpdateRule::Sgd,
            0.1,
            w,
            &w_grad,
            &mut state,
        )
        .expect("update");
    let loss_readback = loss.read_back(&mut recorder).expect("readback");
    recorder.submit().expect("submission");
    block_on(loss_readback.data()).expect("loss")[0]
}

#[test]
fn a_step_is_one_submission_and_its_buffers_are_reused() {
    let Some(context) = own_context() else { return };
    let x =
        Tensor::from_vec(vec![4, 2], vec![1.0, 2.0, -1.0, 0.5, 0.0, 1.0, 2.0, -2.0]).expect("x");
    let w = context
        .upload(&Tensor::from_vec(vec![2, 3], vec![0.5, -0.25, 1.0, 0.75, 0.5, -1.0]).expect("w"))
        .expect("upload");
    let first_loss = step(&context, &x, &w);
    let after_first = (
        context.counters(),
        context.pool_stats(),
        context.pipeline_count(),
    );
    assert_eq!(
        after_first.0,
        GpuCounters {
            dispatches: 8,
            submissions: 1,
            readbacks: 1
        }
    );
    let second_loss = step(&context, &x, &w);
    let after_second = (
        context.counters(),
        context.pool_stats(),
        context.pipeline_count(),
    );
    assert_eq!(after_second.0.submissions, 2);
    assert_eq!(after_second.0.dispatches, 16);
    assert_eq!(
        after_second.1.created, after_first.1.created,
        "no new buffers"
    );
    assert!(
        after_second.1.reused > after_first.1.reused,
        "buffers reused"
    );
    assert_eq!(after_second.2, after_first.2, "no new pipelines");
    assert!(
        second_loss < first_loss,
        "SGD lowered the loss: {first_loss} → {second_loss}"
    );
    context.reset_counters();
    assert_eq!(context.counters(), GpuCounters::default());
}

#[test]
fn errors_are_values_not_panics() {
    let Some(context) = own_context() else { return };
    let a = context.zeros(&[3]).expect("tensor");
    let b = context.zeros(&[4]).expect("tensor");
    let mut recorder = context.recorder().expect("recorder");
    assert!(matches!(
        recorder.unary(UnaryOp::Exp, &a, &a),
        Err(GpuError::Aliased { .. })
    ));
    assert!(matches!(
        recorder.unary(UnaryOp::Exp, &a, &b),
        Err(GpuError::Destination { .. })
    ));
    // Views of one buffer: reading one while writing another is refused (WebGPU forbids
    // a buffer both read and written in a dispatch), as is writing two that overlap.
    let shared = context.zeros(&[256]).expect("tensor");
    let first = shared.view(0, &[3]).expect("a view");
    let second = shared.view(128, &[3]).expect("a view");
    assert!(matches!(
        recorder.unary(UnaryOp::Exp, &first, &second),
        Err(GpuError::Aliased { .. })
    ));
    assert!(shared.view(254, &[3]).is_err(), "past the end");
    assert!(shared.view(0, &[0]).is_err(), "empty");
    assert!(matches!(
        recorder.matmul(&a, &b, &a),
        Err(GpuError::Tensor(TensorError::InnerDimensions { .. }))
    ));
    assert!(matches!(
        context.write(&a, &[1.0]),
        Err(GpuError::Tensor(TensorError::DataLength { .. }))
    ));
    assert!(matches!(
        context.tensor(&[1 << 23]),
        Err(GpuError::Tensor(TensorError::TooLarge { .. }))
    ));
    let over_limit =
        context
            .pool()
            .acquire(context.device(), Usage::Storage, 1000, 512, "a test buffer");
    assert!(matches!(
        over_limit,
        Err(GpuError::TooLarge {
            needed: 1000,
            limit: 512,
            ..
        })
    ));
    // A readback whose recording is dropped unsubmitted fails instead of hanging.
    let readback = a.read_back(&mut recorder).expect("readback");
    drop(recorder);
    assert!(matches!(
        block_on(readback.data()),
        Err(GpuError::Readback(_))
    ));
    // The context is still usable.
    let mut recorder = context.recorder().expect("recorder");
    recorder.fill(&a, 2.0).expect("fill");
    let readback = a.read_back(&mut recorder).expect("readback");
    recorder.submit().expect("submission");
    assert_eq!(block_on(readback.data()).expect("read"), vec![2.0; 3]);
}

#[test]
fn a_lost_device_is_reported_not_used() {
    let Some(context) = own_context() else { return };
    assert!(!context.is_lost());
    context.device().destroy();
    let _ = context.device().poll(wgpu::PollType::Poll);
    assert!(context.is_lost(), "the device-lost callback ran");
    assert!(matches!(context.recorder(), Err(GpuError::DeviceLost(_))));
}
