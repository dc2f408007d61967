//! `backprop train`: train a program's parameters on the CPU backend (or the GPU one with
//! `--backend gpu`) and print the loss of every step and the final training and test
//! accuracy, as text or JSON.

use super::args::{BackendArg, CheckFormat, OptimizerArg, TrainArgs};
use super::error::CliError;
use super::source::{compile_source, load};
use crate::backend::cpu::CpuBackend;
use crate::backend::gpu::GpuBackend;
use crate::backend::{Backend, block_on};
use crate::graph::Graph;
use crate::number::format_number;
use crate::precision::Precision;
use crate::render::json::Number;
use crate::train::{
    GradScaler, LossScaling, OptimizerKind, Outcome, TrainConfig, Trainer, UpdateRule,
};
use serde::Serialize;
use std::io::Read;

/// What a training run printed, for scripts.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TrainReport {
    pub program: String,
    pub backend: String,
    pub optimizer: &'static str,
    pub learning_rate: f64,
    pub accumulate: usize,
    pub zero_grad: bool,
    /// The global norm gradients were clipped to, if any.
    pub clip_norm: Option<f64>,
    /// How values and adjoints were stored.
    pub precision: Precision,
    /// The loss of each step, before its update.
    pub losses: Vec<Number>,
    /// With clipping: each step's global gradient norm before and after it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub gradient_norms: Vec<NormReport>,
    /// With loss scaling: the scale each step used, and the steps (from 1) skipped
    /// because a gradient was ∞ or NaN.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loss_scales: Option<Vec<Number>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped: Option<Vec<u64>>,
    /// The share of training points classified right at the end (classifiers only).
    pub accuracy: Option<Number>,
    /// The share of the dataset's held-out test rows classified right at the end
    /// (classifiers only).
    pub test_accuracy: Option<Number>,
    /// The mean squared error over the held-out test rows (`mse` regressions only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test_mse: Option<Number>,
}

/// One step's global gradient norm, before and after clipping.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct NormReport {
    pub before: Number,
    pub after: Number,
}

/// What a run produced: the backend's name, each step's loss (and gradient norms when
/// clipping), the final accuracy; with loss scaling, each step's scale and the steps
/// skipped.
struct Run {
    backend: String,
    losses: Vec<Number>,
    norms: Vec<NormReport>,
    accuracy: Option<Number>,
    test_accuracy: Option<Number>,
    test_mse: Option<Number>,
    loss_scales: Option<Vec<Number>>,
    skipped: Option<Vec<u64>>,
}

pub fn run(args: &TrainArgs, stdin: &mut dyn Read) -> Result<String, CliError> {
    if let Some(cap) = args.clip_norm
        && !(cap.is_finite() && cap > 0.0)
    {
        return Err(CliError::BadOption {
            what: "--clip-norm",
            expected: "a finite number above 0",
            found: cap.to_string(),
        });
    }
    if !(args.lr.is_finite() && args.lr >= 0.0) {
        return Err(CliError::BadOption {
            what: "--lr",
            expected: "a finite number of at least 0",
            found: args.lr.to_string(),
        });
    }
    if args.accumulate == 0 {
        return Err(CliError::BadOption {
            what: "--accumulate",
            expected: "at least 1",
            found: "0".into(),
        });
    }
    let source = load(&args.program.program, stdin)?;
    let graph = compile_source(&source)?;
    let kind = match args.optimizer {
        OptimizerArg::Sgd => OptimizerKind::Sgd,
        OptimizerArg::Momentum => OptimizerKind::Momentum,
        OptimizerArg::Adam => OptimizerKind::Adam,
    };
    let config = TrainConfig {
        accumulate: args.accumulate,
        zero_grads: !args.no_zero_grad,
        clip_norm: args.clip_norm,
        ..TrainConfig::new(UpdateRule::default_for(kind), args.lr)
    };
    if args.clip_norm.is_some() && args.loss_scale.is_some() {
        return Err(CliError::BadOption {
            what: "--clip-norm with --loss-scale",
            expected: "one of the two (clipping a scaled gradient is not supported yet)",
            found: "both".into(),
        });
    }
    let storage = Storage {
        precision: Precision::from(args.precision),
        scaling: match args.loss_scale.as_deref().map(str::parse::<LossScaling>) {
            None => None,
            Some(Ok(scaling)) => Some(scaling),
            Some(Err(error)) => {
                return Err(CliError::BadOption {
                    what: "`--loss-scale`",
                    expected: "a positive number or `dynamic`",
                    found: error.0,
                });
            }
        },
    };
    let run = match args.backend {
        BackendArg::Cpu => train(CpuBackend::new(), graph, config, args.steps, storage)?,
        BackendArg::Gpu => {
            let backend = block_on(GpuBackend::acquire()).map_err(|error| {
                CliError::System(format!("--backend gpu: the GPU is unavailable: {error}"))
            })?;
            train(backend, graph, config, args.steps, storage)?
        }
    };
    let report = TrainReport {
        program: source.text.clone(),
        backend: run.backend,
        optimizer: kind.name(),
        learning_rate: args.lr,
        accumulate: args.accumulate,
        zero_grad: config.zero_grads,
        clip_norm: config.clip_norm,
        precision: storage.precision,
        losses: run.losses,
        gradient_norms: run.norms,
        loss_scales: run.loss_scales,
        skipped: run.skipped,
        accuracy: run.accuracy,
        test_accuracy: run.test_accuracy,
        test_mse: run.test_mse,
    };
    Ok(match args.format {
        CheckFormat::Text => text(&report),
        CheckFormat::Json => {
            serde_json::to_string_pretty(&report)
                .map_err(|e| CliError::System(format!("cannot write JSON: {e}")))?
                + "\n"
        }
    })
}

/// How a run stores numbers and scales its loss.
#[derive(Clone, Copy, Debug)]
struct Storage {
    precision: Precision,
    scaling: Option<LossScaling>,
}

/// `steps` updates on `backend`: its name, the loss of each step (and gradient norms when
/// clipping) and the final accuracy; with loss scaling, each step's scale and the steps
/// skipped.
fn train<B: Backend>(
    mut backend: B,
    graph: Graph,
    config: TrainConfig,
    steps: u64,
    storage: Storage,
) -> Result<Run, CliError> {
    backend.set_storage(storage.precision, 1.0)?;
    let name = backend.name();
    let mut trainer = Trainer::new(backend, graph, config)?;
    let (mut losses, mut norms) = (Vec::new(), Vec::new());
    let (mut loss_scales, mut skipped) = (Vec::new(), Vec::new());
    match storage.scaling {
        None => {
            for _ in 0..steps {
                losses.push(Number(block_on(trainer.step())?));
                if let Some(norm) = trainer.last_norm() {
                    norms.push(NormReport {
                        before: Number(norm.before),
                        after: Number(norm.after),
                    });
                }
            }
        }
        Some(scaling) => {
            let mut scaler = GradScaler::new(scaling);
            for step in 1..=steps {
                loss_scales.push(Number(scaler.scale()));
                let (loss, outcome) =
                    block_on(trainer.step_scaled(storage.precision, &mut scaler))?;
                losses.push(Number(loss));
                if outcome == Outcome::Skipped {
                    skipped.push(step);
                }
            }
        }
    }
    let accuracy = block_on(trainer.accuracy())?.map(Number);
    let test_accuracy = block_on(trainer.test_accuracy())?.map(Number);
    let test_mse = block_on(trainer.test_mse())?.map(Number);
    let scaled = storage.scaling.is_some();
    Ok(Run {
        backend: name,
        losses,
        norms,
        accuracy,
        test_accuracy,
        test_mse,
        loss_scales: scaled.then_some(loss_scales),
        skipped: scaled.then_some(skipped),
    })
}

/// One line per step, then the accuracy.
fn text(report: &TrainReport) -> String {
    let mut lines = vec![format!(
        "Training with {} (learning rate {}) on the {}",
        report.optimizer,
        format_number(report.learning_rate),
        report.backend
    )];
    let width = report.losses.len().to_string().len();
    lines.extend(report.losses.iter().enumerate().map(|(step, loss)| {
        let mut line = format!("step {:>width$}  loss {}", step + 1, format_number(loss.0));
        match report.gradient_norms.get(step) {
            Some(norm) if norm.before.0 != norm.after.0 => line.push_str(&format!(
                "  ‖g‖ {} → {}",
                format_number(norm.before.0),
                format_number(norm.after.0)
            )),
            Some(norm) => line.push_str(&format!("  ‖g‖ {}", format_number(norm.before.0))),
            None => {}
        }
        if let Some(scales) = &report.loss_scales {
            let scale = scales.get(step).map_or(f64::NAN, |s| s.0);
            line.push_str(&format!("  loss scale {}", format_number(scale)));
        }
        if report
            .skipped
            .as_ref()
            .is_some_and(|skipped| skipped.contains(&(step as u64 + 1)))
        {
            line.push_str("  skipped: ∞ or NaN in the gradients");
        }
        line
    }));
    if let Some(Number(accuracy)) = report.accuracy {
        lines.push(format!(
            "training accuracy: {}%",
            format_number((accuracy * 1000.0).round() / 10.0)
        ));
    }
    if let Some(Number(accuracy)) = report.test_accuracy {
        lines.push(format!(
            "test accuracy: {}%",
            format_number((accuracy * 1000.0).round() / 10.0)
        ));
    }
    if let Some(Number(mse)) = report.test_mse {
        lines.push(format!("test mean squared error: {}", format_number(mse)));
    }
    lines.join("\n") + "\n"
}
