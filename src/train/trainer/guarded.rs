//! One training step with every numeric guard at once, as the playground offers them:
//! values and adjoints stored in a chosen precision, the loss scaled (a step whose
//! gradients hold ∞ or NaN is skipped), the gradients unscaled and then clipped by global
//! norm, and what happened reported: the loss, whether the update was made, the norm
//! before and after clipping and how many adjoint numbers underflowed to 0.

use super::Trainer;
use crate::backend::{Backend, Quantity};
use crate::graph::NodeId;
use crate::precision::Precision;
use crate::tensor::Tensor;
use crate::train::TrainError;
use crate::train::clip::{GradientNorm, clip_factor, global_norm};
use crate::train::scaler::{GradScaler, Outcome};

/// What one guarded step did.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepReport {
    /// The last micro-batch's loss, before the update.
    pub loss: f64,
    /// Whether the update was made (a scaled step with ∞ or NaN gradients is skipped).
    pub outcome: Outcome,
    /// The loss scale the step's backward pass started from (1 without scaling).
    pub scale: f64,
    /// With clipping, the unscaled gradients' global norm before and after it.
    pub norm: Option<GradientNorm>,
    /// Adjoint numbers the backward pass computed as nonzero and stored as 0, when the
    /// backend counts them.
    pub underflows: Option<u64>,
}

impl<B: Backend> Trainer<B> {
    /// One update with numbers stored in `precision`, the loss scaled by `scaler` (if
    /// any) and the gradients clipped to the config's `clip_norm` (if any) after they are
    /// unscaled: the norms are of the gradients the update would use. Without a scaler
    /// a step is never skipped, as in [`Trainer::step`].
    pub async fn step_guarded(
        &mut self,
        precision: Precision,
        scaler: Option<&mut GradScaler>,
    ) -> Result<StepReport, TrainError> {
        let scale = scaler.as_ref().map_or(1.0, |s| s.scale());
        self.backend.set_storage(precision, scale)?;
        let micro_batches = self.micro_batches()?;
        let underflows = self.backend.underflows();
        let params: Vec<NodeId> = self.graph.params().collect();
        let mut gradients: Vec<Tensor> = Vec::with_capacity(params.len());
        for id in params {
            gradients.push(self.backend.read(id, Quantity::Gradient).await?);
        }
        let finite = gradients
            .iter()
            .all(|g| g.data().iter().all(|x| x.is_finite()));
        let outcome = match scaler {
            Some(scaler) => scaler.update(finite),
            None => Outcome::Applied,
        };
        let mut norm = None;
        if outcome == Outcome::Applied {
            let unscale = 1.0 / (micro_batches as f64 * scale);
            if unscale != 1.0 {
                self.backend.scale_grads(unscale)?;
                // The same products the backend just made.
                gradients = gradients.iter().map(|g| g.map(|x| x * unscale)).collect();
            }
            if let Some(cap) = self.config.clip_norm {
                let before = global_norm(&gradients);
                let after = match clip_factor(before, cap) {
                    Some(factor) => {
                        self.backend.scale_grads(factor)?;
                        let clipped: Vec<Tensor> =
                            gradients.iter().map(|g| g.map(|x| x * factor)).collect();
                        global_norm(&clipped)
                    }
                    None => before,
                };
                norm = Some(GradientNorm { before, after });
                self.last_norm = norm;
            }
            self.backend
                .update(self.config.rule, self.config.learning_rate)?;
        }
        self.steps += 1;
        Ok(StepReport {
            loss: self.loss().await?,
            outcome,
            scale,
            norm,
            underflows,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::block_on;
    use crate::backend::cpu::CpuBackend;
    use crate::program::compile;
    use crate::train::{LossScaling, TrainConfig, UpdateRule};

    /// The worked example whose f16 gradients underflow (∂L/∂r = 2⁻²⁸).
    fn underflow() -> &'static str {
        crate::examples::find("f16-underflow")
            .expect("the f16-underflow example")
            .program
    }

    fn trainer(program: &str, clip_norm: Option<f64>) -> Trainer<CpuBackend> {
        let config = TrainConfig {
            clip_norm,
            ..TrainConfig::new(UpdateRule::Sgd, 0.1)
        };
        Trainer::new(CpuBackend::new(), compile(program).unwrap(), config).unwrap()
    }

    /// f16 without scaling: ∂L/∂r = 2⁻²⁸ underflows, then nothing upstream is nonzero,
    /// so only the numbers that were nonzero when computed count: ∂L/∂(r²) = 2⁻²⁰ is
    /// kept, ∂L/∂r is lost (1 number), and the rest are exact zeros. With a loss scale of
    /// 2¹⁰ nothing underflows and the gradients are f64's.
    #[test]
    fn f16_gradients_underflow_and_loss_scaling_recovers_them() {
        let mut plain = trainer(underflow(), None);
        let report = block_on(plain.step_guarded(Precision::F16, None)).unwrap();
        assert_eq!(report.underflows, Some(1));
        assert_eq!(report.outcome, Outcome::Applied);
        let w = plain.graph().params().next().unwrap();
        let lost = block_on(plain.backend().read(w, Quantity::Gradient)).unwrap();
        assert!(lost.data().iter().all(|&g| g == 0.0), "{lost:?}");

        let mut reference = trainer(underflow(), None);
        block_on(reference.step_guarded(Precision::F64, None)).unwrap();
        let want = block_on(reference.backend().read(w, Quantity::Gradient)).unwrap();
        assert_eq!(reference.backend().underflows(), Some(0));

        let mut scaled = trainer(underflow(), None);
        let mut scaler = GradScaler::new(LossScaling::Static(1024.0));
        let report = block_on(scaled.step_guarded(Precision::F16, Some(&mut scaler))).unwrap();
        assert_eq!(report.underflows, Some(0));
        assert_eq!(report.scale, 1024.0);
        let got = block_on(scaled.backend().read(w, Quantity::Gradient)).unwrap();
        assert_eq!(got.data(), want.data());
    }

    /// The dynamic scale starts at 2¹⁶, which f16 stores as ∞ (its largest number is
    /// 65504): the first step is skipped and the scale halves; the second is applied.
    #[test]
    fn the_dynamic_scale_skips_an_overflowing_step() {
        let mut run = trainer(underflow(), None);
        let mut scaler = GradScaler::new(LossScaling::Dynamic);
        let first = block_on(run.step_guarded(Precision::F16, Some(&mut scaler))).unwrap();
        assert_eq!((first.outcome, first.scale), (Outcome::Skipped, 65536.0));
        let second = block_on(run.step_guarded(Precision::F16, Some(&mut scaler))).unwrap();
        assert_eq!((second.outcome, second.scale), (Outcome::Applied, 32768.0));
        assert_eq!(second.underflows, Some(0));
        assert_eq!(run.steps(), 2);
    }

    /// The norms are of the unscaled gradients, and the clipped one is the cap.
    #[test]
    fn clipping_after_unscaling_caps_the_norm() {
        let program = "w = param([3, 4])\nL = sum(w * w) * 10";
        // ∂L/∂w = 20 w = [60, 80]: norm 100.
        let mut run = trainer(program, Some(1.0));
        let mut scaler = GradScaler::new(LossScaling::Static(8.0));
        let report = block_on(run.step_guarded(Precision::F64, Some(&mut scaler))).unwrap();
        let norm = report.norm.unwrap();
        assert_eq!(norm.before, 100.0);
        assert!((norm.after - 1.0).abs() < 1e-15, "{norm:?}");
        let w = run.graph().params().next().unwrap();
        let g = block_on(run.backend().read(w, Quantity::Gradient)).unwrap();
        assert_eq!(global_norm(&[g]), norm.after);
        // Within the cap: untouched.
        let mut loose = trainer(program, Some(1000.0));
        let report = block_on(loose.step_guarded(Precision::F64, None)).unwrap();
        assert_eq!(
            report.norm,
            Some(GradientNorm {
                before: 100.0,
                after: 100.0
            })
        );
    }
}
