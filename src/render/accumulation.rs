//! An accumulation run (several passes into the same parameter gradients, `zero_grad` and
//! update steps) as text, one line per step under its pass, and as JSON.

use super::json::{Named, Number, StepReport, Values, step_report};
use super::notation::Notation;
use super::step::step_text;
use crate::engine::accumulate::Training;
use crate::engine::{Phase, StepDetail, Stepper};
use serde::Serialize;

/// The whole run of `stepper` (continued to the end) in plain text: the settings, then
/// each pass's steps under a heading, every step with its numbers and, where an adjoint
/// adds onto an earlier micro-batch's, the sum.
pub fn text(stepper: &Stepper, training: &Training) -> String {
    let mut run = stepper.clone();
    run.run_to_end();
    let graph = run.graph();
    let mut out = format!("Accumulation: {}\n", training.describe());
    let mut heading = String::new();
    for record in run.history() {
        let stage = run.stage(record.index);
        let now = match (record.phase, stage) {
            (Phase::ZeroGrad, Some(s)) => format!("Iteration {}: zero_grad", s.iteration + 1),
            (Phase::Update, Some(s)) => format!("Iteration {}: update", s.iteration + 1),
            (_, Some(s)) => format!(
                "Iteration {}, micro-batch {}: {}",
                s.iteration + 1,
                s.micro_batch + 1,
                record.phase.name()
            ),
            (_, None) => record.phase.name().to_string(),
        };
        if now != heading {
            out.push_str(&format!("\n{now}\n"));
            heading = now;
        }
        let text = step_text(graph, record, Notation::Plain);
        for part in &text.parts {
            out.push_str(&format!("  {}\n", part.substituted()));
            if let Some(total) = &part.total {
                out.push_str(&format!("    {}\n", total.substituted()));
            }
        }
        if let StepDetail::ZeroGrad {
            cleared: Some(cleared),
            ..
        } = &record.detail
        {
            out.push_str(&format!(
                "    (it held {}, which the next backward pass would have added onto)\n",
                Notation::Plain.tensor(cleared)
            ));
        }
    }
    out.push_str("\nParameters after the run:\n");
    for id in graph.params() {
        if let Some(value) = run.value(id) {
            let name = &graph.node(id).name;
            out.push_str(&format!("  {name} = {}\n", Notation::Plain.tensor(value)));
        }
    }
    out
}

/// The JSON form of an accumulation run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AccumulationReport {
    pub program: String,
    pub micro_batches: usize,
    pub iterations: usize,
    pub zero_grad: bool,
    pub learning_rate: Number,
    pub steps: Vec<PassStep>,
    /// Each parameter's value after the last update.
    pub parameters: Named<Values>,
}

/// A step with the pass it belongs to (counted from 1).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PassStep {
    pub iteration: usize,
    /// The micro-batch of a forward or backward step; absent for zero_grad and update.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub micro_batch: Option<usize>,
    #[serde(flatten)]
    pub step: StepReport,
}

/// The whole run of `stepper` (continued to the end) as JSON.
pub fn report(stepper: &Stepper, training: &Training, source: &str) -> AccumulationReport {
    let mut run = stepper.clone();
    run.run_to_end();
    let graph = run.graph();
    let steps = run
        .history()
        .iter()
        .map(|record| {
            let stage = run.stage(record.index);
            let in_pass = matches!(record.phase, Phase::Forward | Phase::Backward);
            PassStep {
                iteration: stage.map_or(1, |s| s.iteration + 1),
                micro_batch: stage.filter(|_| in_pass).map(|s| s.micro_batch + 1),
                step: step_report(graph, record),
            }
        })
        .collect();
    AccumulationReport {
        program: source.to_string(),
        micro_batches: training.micro_batches,
        iterations: training.iterations,
        zero_grad: training.zero_grad,
        learning_rate: Number(training.rate),
        steps,
        parameters: Named(
            graph
                .params()
                .filter_map(|id| Some((graph.node(id).name.clone(), Values::of(run.value(id)?))))
                .collect(),
        ),
    }
}
