//! A run's numeric options: the step that stores numbers in a chosen precision, scales the
//! loss and clips the gradients ([`crate::train::Trainer::step_guarded`]) and what it
//! records of them, and the layers' sizes measured after a chunk of training. A backend
//! that stores numbers its own way (the GPU) trains in its own precision without loss
//! scaling; clipping works on every backend.

use super::Run;
use crate::backend::{Backend, Quantity};
use crate::playground::form::Training;
use crate::playground::options::layers::{LayerSize, Profile, layers, rms};
use crate::playground::options::numerics::Numerics;
use crate::playground::options::record::Record;
use crate::precision::Precision;
use crate::train::{GradScaler, Outcome, TrainError};

/// The options' state in a run.
#[derive(Clone, Debug, Default)]
pub(super) struct Options {
    pub numerics: Numerics,
    /// Whether the backend stores numbers in a chosen precision (the CPU does).
    pub storage: bool,
    pub scaler: Option<GradScaler>,
    pub record: Record,
    /// Whether the last step was skipped (its gradients are not the update's).
    pub skipped: bool,
}

impl Options {
    /// The options of a new run on `backend`.
    pub fn new<B: Backend>(backend: &mut B, training: &Training) -> Options {
        let storage = backend.set_storage(Precision::F16, 1.0).is_ok()
            && backend.set_storage(Precision::F64, 1.0).is_ok();
        let mut options = Options {
            storage,
            ..Options::default()
        };
        options.set(backend, training.numerics);
        options
    }

    /// Use `numerics` from the next step on: a new kind of loss scaling starts afresh,
    /// and plain training goes back to f64.
    pub fn set<B: Backend>(&mut self, backend: &mut B, numerics: Numerics) {
        if numerics.loss_scale != self.numerics.loss_scale || self.scaler.is_none() {
            self.scaler = numerics
                .loss_scale
                .filter(|_| self.storage)
                .map(GradScaler::new);
        }
        if !numerics.needs_cpu() {
            // Always allowed: f64 without scaling is every backend's own way.
            let _ = backend.set_storage(Precision::F64, 1.0);
        }
        self.record.scale = self.scaler.as_ref().map(GradScaler::scale);
        self.numerics = numerics;
    }

    /// The precision the run stores numbers in: the chosen one where the backend can.
    pub fn precision(&self) -> Precision {
        if self.storage {
            self.numerics.precision
        } else {
            Precision::F64
        }
    }
}

impl<B: Backend> Run<B> {
    /// Whether steps go through the guarded path (a precision, a loss scale or a clip
    /// norm is chosen).
    pub(super) fn guarded(&self) -> bool {
        !self.options.numerics.is_plain()
    }

    /// One guarded update; its loss.
    pub(super) async fn step_guarded(&mut self) -> Result<f64, TrainError> {
        let precision = self.options.precision();
        let report = self
            .trainer
            .step_guarded(precision, self.options.scaler.as_mut())
            .await?;
        let next_scale = self.options.scaler.as_ref().map(GradScaler::scale);
        self.options
            .record
            .note(self.trainer.steps(), &report, next_scale);
        self.options.skipped = report.outcome == Outcome::Skipped;
        Ok(report.loss)
    }

    /// What the run recorded of its options.
    pub fn record(&self) -> &Record {
        &self.options.record
    }

    /// The options the run trains with.
    pub fn numerics(&self) -> Numerics {
        self.options.numerics
    }

    /// Whether the chosen precision and loss scaling are in use: false on a backend that
    /// stores numbers its own way (the GPU), which trains in its own precision.
    pub fn stores_as_chosen(&self) -> bool {
        self.options.storage || !self.options.numerics.needs_cpu()
    }

    /// Measure each layer's activations (from the last forward pass) and weight
    /// gradients (the last update's) and keep them in the record. Nothing after a
    /// skipped step, whose gradients are still scaled.
    pub async fn measure_layers(&mut self) -> Result<(), TrainError> {
        if self.options.skipped {
            return Ok(());
        }
        let found = layers(self.trainer.graph());
        if found.is_empty() {
            return Ok(());
        }
        let mut sizes = Vec::with_capacity(found.len());
        for layer in &found {
            let backend = self.trainer.backend();
            let activation = backend.read(layer.output, Quantity::Value).await?;
            let gradient = backend.read(layer.weight, Quantity::Gradient).await?;
            sizes.push(LayerSize {
                activation: rms(activation.data()),
                gradient: rms(gradient.data()),
            });
        }
        let step = self.trainer.steps();
        self.options.record.keep(Profile {
            step,
            layers: sizes,
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::block_on;
    use crate::backend::cpu::CpuBackend;
    use crate::playground::form::{Form, write_program};
    use crate::program::compile;
    use crate::train::{LossScaling, OptimizerKind};

    /// The worked example whose f16 gradients underflow (∂L/∂r = 2⁻²⁸).
    fn underflow() -> &'static str {
        crate::examples::find("f16-underflow")
            .expect("the f16-underflow example")
            .program
    }

    fn run(program: &str, numerics: Numerics) -> Run<CpuBackend> {
        let training = Training {
            optimizer: OptimizerKind::Sgd,
            learning_rate: 0.01,
            numerics,
            ..Training::default()
        };
        Run::new(CpuBackend::new(), compile(program).unwrap(), &training).unwrap()
    }

    #[test]
    fn f16_underflows_until_the_loss_is_scaled() {
        let f16 = Numerics {
            precision: Precision::F16,
            ..Numerics::default()
        };
        let mut plain = run(underflow(), f16);
        block_on(plain.train_steps(3)).unwrap();
        assert_eq!(plain.record().underflows, Some(1));
        assert_eq!(plain.record().scaler_text(), None);
        // The same run, now with dynamic loss scaling: the first scaled step overflows
        // (2¹⁶ is beyond f16) and is skipped, then nothing underflows.
        let dynamic = Numerics {
            loss_scale: Some(LossScaling::Dynamic),
            ..f16
        };
        plain.set_training(&Training {
            numerics: dynamic,
            ..Training::default()
        });
        assert_eq!(plain.record().scale, Some(65536.0));
        block_on(plain.train_steps(3)).unwrap();
        let record = plain.record();
        assert_eq!(record.underflows, Some(0));
        assert_eq!((record.skipped, record.last_skipped), (1, Some(4)));
        assert_eq!(record.scale, Some(32768.0));
        // Back to f64: the backend stores f64 again and nothing is counted.
        plain.set_training(&Training::default());
        block_on(plain.train_steps(1)).unwrap();
        assert_eq!(plain.backend().underflows(), Some(0));
        assert!(plain.stores_as_chosen());
    }

    #[test]
    fn clipping_caps_every_recorded_norm() {
        let form = Form::default();
        let numerics = Numerics {
            clip_norm: Some(0.05),
            ..Numerics::default()
        };
        let mut moons = run(&write_program(&form), numerics);
        block_on(moons.train_queued(40)).unwrap();
        let norms = &moons.record().norms;
        assert_eq!(norms.len(), 40, "one per step, queued steps included");
        assert!(norms.iter().any(|(_, n)| n.before > 0.05));
        for (step, norm) in norms {
            assert!(norm.after <= 0.05 * (1.0 + 1e-12), "step {step}: {norm:?}");
            if norm.before > 0.05 {
                assert!((norm.after - 0.05).abs() <= 1e-15, "step {step}: {norm:?}");
            } else {
                assert_eq!(norm.after, norm.before);
            }
        }
        assert_eq!(moons.steps(), 40);
    }

    /// X = [[1, 2], [3, 4]], W = [[1, 0], [0, -1]]: X @ W = [[1, -2], [3, -4]], relu keeps
    /// [[1, 0], [3, 0]] (RMS √(10/4)); with L = sum(h), ∂L/∂W = Xᵀ · [[1, 0], [1, 0]] =
    /// [[4, 0], [6, 0]] (RMS √(52/4) = √13).
    #[test]
    fn layer_sizes_by_hand() {
        let program = "X = [[1, 2], [3, 4]]
W = param([[1, 0], [0, -1]])
h = relu(X @ W)
L = sum(h)";
        let mut by_hand = run(program, Numerics::default());
        block_on(by_hand.step()).unwrap();
        let profiles = &by_hand.record().profiles;
        assert_eq!(profiles.len(), 1);
        assert_eq!(profiles[0].step, 1);
        let size = profiles[0].layers[0];
        assert_eq!(size.activation, 2.5f64.sqrt());
        assert_eq!(size.gradient, 13f64.sqrt());
    }

    /// On a GPU (f32, its own way of storing numbers) f16 and loss scaling are not used
    /// and the run says so; clipping still caps every norm, to f32 rounding.
    #[test]
    fn on_the_gpu_precision_is_its_own_and_clipping_works() {
        use crate::backend::gpu::GpuBackend;
        let gpu = match block_on(GpuBackend::acquire()) {
            Ok(gpu) => gpu,
            Err(error) => {
                eprintln!("skipped: no GPU adapter: {error}");
                return;
            }
        };
        let numerics = Numerics {
            precision: Precision::F16,
            loss_scale: Some(LossScaling::Dynamic),
            clip_norm: Some(0.05),
        };
        let training = Training {
            numerics,
            ..Training::default()
        };
        let graph = compile(&write_program(&Form::default())).unwrap();
        let mut run = Run::new(gpu, graph, &training).unwrap();
        assert!(!run.stores_as_chosen());
        block_on(run.train_queued(10)).unwrap();
        let record = run.record();
        assert_eq!(
            (record.scale, record.skipped, record.underflows),
            (None, 0, None)
        );
        assert_eq!(record.norms.len(), 10);
        for (step, norm) in &record.norms {
            assert!(norm.after <= 0.05 * (1.0 + 1e-6), "step {step}: {norm:?}");
        }
        assert_eq!(record.profiles.len(), 1, "measured once, after the chunk");
    }

    /// The moons network with randn weights ten times too large: its first layer's
    /// gradient is far from its last's; He keeps them within a factor of ten.
    #[test]
    fn the_initialiser_changes_the_profile() {
        let spread = |init| {
            let form = Form {
                hidden: vec![16, 16, 16, 16],
                activation: crate::playground::form::Activation::Relu,
                init,
                ..Form::default()
            };
            let text = write_program(&form).replace(") * 0.", ") * 5");
            let mut net = run(&text, Numerics::default());
            block_on(net.step()).unwrap();
            let layers = &net.record().profiles[0].layers;
            let activations: Vec<f64> = layers.iter().map(|l| l.activation).collect();
            activations[activations.len() - 1] / activations[0]
        };
        use crate::playground::options::init::WeightInit;
        let scaled = spread(WeightInit::Scaled);
        let he = spread(WeightInit::He);
        assert!(scaled > 1000.0, "randn × 5 grows the signal: {scaled}");
        assert!(he < 10.0 && he > 0.1, "He keeps its size: {he}");
    }
}
