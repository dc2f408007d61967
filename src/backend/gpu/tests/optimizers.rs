//! SGD, momentum and Adam updates against `train::Optimizer`: several steps recorded in
//! one submission, the state (velocity, moments, Adam's step count) staying on the GPU.

use super::harness::{Batch, any, gpu, random, report};
use crate::backend::gpu::ParamState;
use crate::backend::optimizer::{Optimizer, OptimizerKind, UpdateRule};
use crate::tensor::Tensor;

const STEPS: u64 = 4;

#[test]
fn updates_match_the_cpu_optimizers_step_by_step() {
    let Some(gpu) = gpu() else { return };
    let mut batch = Batch::new(gpu);
    for (case, kind) in OptimizerKind::ALL.into_iter().enumerate() {
        for shape in [&[33, 5][..], &[7], &[]] {
            let rule = UpdateRule::default_for(kind);
            let learning_rate = 0.05;
            let seed = 1100 + 10 * case as u64;
            let start = random(shape, seed, any);
            let mut cpu = Optimizer::new(rule, learning_rate);
            let mut cpu_params = start.data().to_vec();
            let param_gpu = batch.upload(&start);
            let mut state = ParamState::new();
            for step in 1..=STEPS {
                let grad = random(shape, seed + step, any);
                cpu.step(0, &mut cpu_params, grad.data()).expect("cpu step");
                let grad_gpu = batch.upload(&grad);
                batch
                    .recorder
                    .update(rule, learning_rate, &param_gpu, &grad_gpu, &mut state)
                    .expect("update");
                let expected =
                    Tensor::from_vec(shape.to_vec(), cpu_params.clone()).expect("params");
                batch.expect(
                    format!("{kind:?} {shape:?} step {step}"),
                    &param_gpu,
                    expected,
                );
            }
            assert_eq!(u64::from(state.steps()), STEPS);
            let has_moments = (
                state.first_moment().is_some(),
                state.second_moment().is_some(),
            );
            let expected_moments = match kind {
                OptimizerKind::Sgd => (false, false),
                OptimizerKind::Momentum => (true, false),
                OptimizerKind::Adam => (true, true),
            };
            assert_eq!(has_moments, expected_moments, "{kind:?} state");
        }
    }
    report("optimizers", batch.finish());
}
