//! Anomaly mode: step until a step produces NaN or ±∞ and name the node that produced it,
//! in either pass (PyTorch's `detect_anomaly`). Stepping stops there, so every number
//! before it is finite and the node found is where the trouble starts, not where it shows.

use super::record::{Phase, StepDetail, StepRecord, Value};
use super::stepper::Stepper;
use crate::graph::{Graph, NodeId};
use crate::number::format_number;
use serde::Serialize;

/// The first step that produced a non-finite number.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Anomaly {
    /// The step's position in the schedule, from 0 (the stepper's cursor is just past it).
    pub step: usize,
    pub phase: Phase,
    /// The node whose forward rule (forward) or backward rule (backward) produced it.
    pub node: NodeId,
    /// Backward only: the input whose adjoint contribution it is.
    pub target: Option<NodeId>,
    /// Which element (row-major) first went non-finite.
    pub element: usize,
    /// The number: NaN, ∞ or −∞.
    #[serde(with = "crate::number::serde_f64")]
    pub value: f64,
}

impl Anomaly {
    /// In words: "the forward rule of a (log) produced -∞ (step 2) from finite operands".
    pub fn describe(&self, graph: &Graph) -> String {
        let node = graph.node(self.node);
        let value = format_number(self.value);
        // The tensor the number is in: the node's value, or the target's adjoint.
        let holder = graph.node(self.target.unwrap_or(self.node));
        let element = if holder.shape.is_empty() {
            String::new()
        } else {
            format!(" at element {}", self.element)
        };
        match (self.phase, self.target) {
            (Phase::Backward, Some(target)) => format!(
                "the backward rule of {} ({}) sent {value} to the adjoint of {}{element} \
                 (step {}): every gradient upstream of {} will be non-finite",
                node.name,
                node.op.name(),
                graph.node(target).name,
                self.step + 1,
                graph.node(target).name,
            ),
            _ => format!(
                "the {} rule of {} ({}) produced {value}{element} (step {}) from finite operands",
                match self.phase {
                    Phase::Forward => "forward",
                    Phase::Backward => "backward",
                    Phase::Recompute => "recomputed forward",
                    Phase::ZeroGrad => "zero_grad",
                    Phase::Update => "update",
                },
                node.name,
                node.op.name(),
                self.step + 1,
            ),
        }
    }
}

/// Step `stepper` from where it is until a step produces a non-finite number; that step is
/// taken and described. `None` when the run ends with every number finite.
pub fn run_until_anomaly(stepper: &mut Stepper) -> Option<Anomaly> {
    while let Some(record) = stepper.step() {
        if let Some(anomaly) = anomaly_in(&record) {
            return Some(anomaly);
        }
    }
    None
}

/// The first non-finite number a step produced, if any.
pub fn anomaly_in(record: &StepRecord) -> Option<Anomaly> {
    let found = |value: &Value, target: Option<NodeId>| {
        first_nonfinite(value).map(|(element, value)| Anomaly {
            step: record.index,
            phase: record.phase,
            node: record.node,
            target,
            element,
            value,
        })
    };
    match &record.detail {
        StepDetail::Input { value } | StepDetail::Compute { value, .. } => found(value, None),
        StepDetail::Visit { updates, .. } => updates
            .iter()
            .find_map(|update| found(&update.contribution, Some(update.target))),
        StepDetail::Tangent { value, tangent, .. } => {
            found(value, None).or_else(|| found(tangent, None))
        }
        StepDetail::ZeroGrad { .. } => None,
        StepDetail::Update { new, .. } => found(new, None),
    }
}

fn first_nonfinite(value: &Value) -> Option<(usize, f64)> {
    value
        .data()
        .iter()
        .copied()
        .enumerate()
        .find(|(_, x)| !x.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Mode, inputs};
    use crate::program::compile;

    fn anomaly(source: &str) -> (Graph, Option<Anomaly>, Stepper) {
        let graph = compile(source).unwrap();
        let values = inputs::resolve(&graph, &[], Some(1.0)).unwrap();
        let mut stepper = Stepper::new(graph.clone(), values, Mode::Reverse).unwrap();
        let found = run_until_anomaly(&mut stepper);
        (graph, found, stepper)
    }

    #[test]
    fn a_forward_anomaly_names_the_first_node_not_where_it_shows() {
        let (graph, found, stepper) = anomaly("x = 0; a = log(x); b = a * 2; c = b + 1; c");
        let found = found.unwrap();
        assert_eq!(found.phase, Phase::Forward);
        assert_eq!(graph.node(found.node).name, "a");
        assert_eq!(found.value, f64::NEG_INFINITY);
        assert_eq!(stepper.cursor(), found.step + 1, "stopped right after it");
        assert_eq!(
            found.describe(&graph),
            "the forward rule of a (log) produced -∞ (step 2) from finite operands"
        );
    }

    #[test]
    fn a_backward_anomaly_names_the_rule_and_the_adjoint_it_spoiled() {
        // sqrt(0) = 0 is fine forward; its derivative 1/(2·0) is ∞.
        let (graph, found, _) = anomaly("x = 0; r = sqrt(x); r * 3");
        let found = found.unwrap();
        assert_eq!(found.phase, Phase::Backward);
        assert_eq!(graph.node(found.node).name, "r");
        assert_eq!(
            found.target.map(|t| graph.node(t).name.clone()),
            Some("x".into())
        );
        assert_eq!(found.value, f64::INFINITY);
        assert_eq!(
            found.describe(&graph),
            "the backward rule of r (sqrt) sent ∞ to the adjoint of x (step 5): every gradient \
             upstream of x will be non-finite"
        );
    }

    #[test]
    fn zero_over_zero_and_tensors_name_the_element() {
        let (graph, found, _) = anomaly("x = [1, 0, 2]; y = x / x; sum(y)");
        let found = found.unwrap();
        assert_eq!(
            (graph.node(found.node).name.as_str(), found.element),
            ("y", 1)
        );
        assert!(found.value.is_nan());
    }

    #[test]
    fn a_finite_run_has_no_anomaly_and_runs_to_the_end() {
        let (_, found, stepper) = anomaly("x = 2; log(x) * x");
        assert_eq!(found, None);
        assert!(stepper.is_done());
    }
}
