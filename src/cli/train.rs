//! `backprop train`: train a program's parameters on the CPU backend (or the GPU one with
//! `--backend gpu`) and print the loss of every step and the final training accuracy, as
//! text or JSON.

use super::args::{BackendArg, CheckFormat, OptimizerArg, TrainArgs};
use super::error::CliError;
use super::source::{compile_source, load};
use crate::backend::cpu::CpuBackend;
use crate::backend::gpu::GpuBackend;
use crate::backend::{Backend, block_on};
use crate::graph::Graph;
use crate::number::format_number;
use crate::render::json::Number;
use crate::train::{OptimizerKind, TrainConfig, Trainer, UpdateRule};
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
    /// The loss of each step, before its update.
    pub losses: Vec<Number>,
    /// The share of training points classified right at the end (classifiers only).
    pub accuracy: Option<Number>,
}

pub fn run(args: &TrainArgs, stdin: &mut dyn Read) -> Result<String, CliError> {
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
        ..TrainConfig::new(UpdateRule::default_for(kind), args.lr)
    };
    let run = match args.backend {
        BackendArg::Cpu => train(CpuBackend::new(), graph, config, args.steps)?,
        BackendArg::Gpu => {
            let backend = block_on(GpuBackend::acquire()).map_err(|error| {
                CliError::System(format!("--backend gpu: the GPU is unavailable: {error}"))
            })?;
            train(backend, graph, config, args.steps)?
        }
    };
    let (backend, losses, accuracy) = run;
    let report = TrainReport {
        program: source.text.clone(),
        backend,
        optimizer: kind.name(),
        learning_rate: args.lr,
        accumulate: args.accumulate,
        zero_grad: config.zero_grads,
        losses,
        accuracy,
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

/// `steps` updates on `backend`: its name, the loss of each step and the final accuracy.
fn train<B: Backend>(
    backend: B,
    graph: Graph,
    config: TrainConfig,
    steps: u64,
) -> Result<(String, Vec<Number>, Option<Number>), CliError> {
    let name = backend.name();
    let mut trainer = Trainer::new(backend, graph, config)?;
    let losses = (0..steps)
        .map(|_| block_on(trainer.step()).map(Number))
        .collect::<Result<Vec<Number>, _>>()?;
    let accuracy = block_on(trainer.accuracy())?.map(Number);
    Ok((name, losses, accuracy))
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
    lines.extend(
        report.losses.iter().enumerate().map(|(step, loss)| {
            format!("step {:>width$}  loss {}", step + 1, format_number(loss.0))
        }),
    );
    if let Some(Number(accuracy)) = report.accuracy {
        lines.push(format!(
            "training accuracy: {}%",
            format_number((accuracy * 1000.0).round() / 10.0)
        ));
    }
    lines.join("\n") + "\n"
}
