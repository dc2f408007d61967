//! The "Memory" view's figures as plain data: the bytes held at the stepper's step, by
//! kind, the peak so far and the values released there; the stepper's schedule against
//! the plain one (peak, recompute steps); which checkpoint choice the stepper's
//! checkpoints are; and, in [`sweep`], the trade-off over every k of `every:K`, in
//! [`timeline`] the picture of the whole schedule.

pub mod sweep;
pub mod timeline;

use crate::engine::checkpoint::{CheckpointPlan, plain_schedule};
use crate::engine::memory::{self, MemoryReport};
use crate::engine::{Phase, Stepper};
use crate::graph::{Graph, NodeId};

/// What the view shows at the stepper's step.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemoryNow {
    /// Steps taken (0: nothing is held yet).
    pub cursor: usize,
    /// Bytes of input and parameter values held after the last step.
    pub inputs: usize,
    /// Bytes of computed values held after it (the tape).
    pub values: usize,
    /// Bytes of adjoints held after it.
    pub adjoints: usize,
    /// The most bytes held so far.
    pub peak: usize,
    /// The values released after the last step, by name.
    pub freed: Vec<String>,
}

impl MemoryNow {
    /// Bytes held after the last step.
    pub fn held(&self) -> usize {
        self.inputs + self.values + self.adjoints
    }

    /// The figures after `cursor` steps of the schedule `report` reads.
    pub fn at(graph: &Graph, report: &MemoryReport, cursor: usize) -> MemoryNow {
        let Some(step) = cursor.checked_sub(1).and_then(|i| report.steps.get(i)) else {
            return MemoryNow::default();
        };
        MemoryNow {
            cursor,
            inputs: step.inputs,
            values: step.values,
            adjoints: step.adjoints,
            peak: step.peak,
            freed: names(graph, &step.freed),
        }
    }
}

/// Nodes by name.
pub fn names(graph: &Graph, ids: &[NodeId]) -> Vec<String> {
    ids.iter().map(|&id| graph.node(id).name.clone()).collect()
}

/// The stepper's schedule against the plain one, both in the stepper's precision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tradeoff {
    pub plain_peak: usize,
    pub peak: usize,
    pub recomputes: usize,
    /// Forward steps of one pass, to say how many passes the recomputes make.
    pub forward_steps: usize,
}

/// The memory of the stepper's whole schedule, each number in its precision.
pub fn report(stepper: &Stepper) -> MemoryReport {
    stepper.memory(stepper.precision().bytes())
}

/// `report` (the stepper's) against the plain schedule of the same graph.
pub fn tradeoff(stepper: &Stepper, report: &MemoryReport) -> Tradeoff {
    let graph = stepper.graph();
    let plain = plain_schedule(graph);
    Tradeoff {
        plain_peak: memory::account(graph, &plain, report.bytes_per_number).peak(),
        peak: report.peak(),
        recomputes: report.recomputes(),
        forward_steps: plain.iter().filter(|(p, _)| *p == Phase::Forward).count(),
    }
}

/// Which checkpoint choice a stepper's checkpoints are, for the view's controls.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Choice {
    /// Plain mode: every value kept.
    Plain,
    /// What `sqrt` settles on.
    Sqrt,
    /// What `every:K` settles on, for the K asked about.
    Every(usize),
    /// Nodes picked one by one.
    Picked,
}

/// The choice `kept` is: plain without checkpoints, else √N or every `k` where their
/// settled plans are exactly `kept`, else picked.
pub fn choice(graph: &Graph, kept: Option<&[NodeId]>, k: usize) -> Choice {
    let Some(kept) = kept else {
        return Choice::Plain;
    };
    let is = |plan: CheckpointPlan| plan.resolve(graph).is_ok_and(|ids| ids == kept);
    if is(CheckpointPlan::Sqrt) {
        Choice::Sqrt
    } else if k >= 1 && is(CheckpointPlan::Every(k)) {
        Choice::Every(k)
    } else {
        Choice::Picked
    }
}

/// A byte count as people read it: `14,344 B`.
pub fn bytes_text(bytes: usize) -> String {
    let digits = bytes.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 2);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out.push_str(" B");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Mode;
    use crate::examples;
    use crate::precision::Precision;
    use crate::program::compile;
    use crate::tensor::Tensor;

    fn stepper(source: &str, inputs: &[f64]) -> Stepper {
        let graph = compile(source).unwrap();
        let inputs = inputs.iter().map(|&x| Tensor::scalar(x)).collect();
        Stepper::new(graph, inputs, Mode::Reverse).unwrap()
    }

    /// The seeds' two-paths example `(x1 + x2) · x1` at x1 = 3, x2 = 4, in f64, counted
    /// by hand (8 bytes a number). Forward: x1, x2 (16 B of inputs), v3 = 7 (+8), v4 = 21
    /// (+8: the output, kept). v4's backward step reads v3 and x1 (mul) and stores the
    /// adjoints of v4, v3 and x1 (+24), then releases v3 (its last reader) and v4's
    /// adjoint: 16 + 8 + 16 = 40 held, peak 56. v3's step (add reads nothing) stores x2's
    /// adjoint (+8) and releases v3's: 16 + 8 + 16 = 40.
    #[test]
    fn the_two_paths_example_by_hand() {
        let stepper = stepper("(x1 + x2) * x1", &[3.0, 4.0]);
        let graph = stepper.graph();
        let report = report(&stepper);
        assert_eq!(MemoryNow::at(graph, &report, 0), MemoryNow::default());
        let at = |cursor| MemoryNow::at(graph, &report, cursor);
        assert_eq!((at(2).inputs, at(2).values, at(2).adjoints), (16, 0, 0));
        assert_eq!((at(4).held(), at(4).peak), (32, 32));
        let v4 = at(5);
        assert_eq!((v4.inputs, v4.values, v4.adjoints), (16, 8, 16));
        assert_eq!(
            (v4.held(), v4.peak, v4.freed.clone()),
            (40, 56, vec!["v3".into()])
        );
        let v3 = at(6);
        assert_eq!((v3.held(), v3.peak, v3.freed.len()), (40, 56, 0));
        assert_eq!(
            at(8).adjoints,
            16,
            "the inputs' adjoints are the gradients, kept"
        );
        // Plain mode: no recompute, the same peak.
        let trade = tradeoff(&stepper, &report);
        assert_eq!(
            trade,
            Tradeoff {
                plain_peak: 56,
                peak: 56,
                recomputes: 0,
                forward_steps: 4
            }
        );
        assert_eq!(choice(graph, None, 2), Choice::Plain);
    }

    /// The deep chain: 24 layers of 64 numbers. Plain: the 24 activations on the tape.
    /// √N keeps h5, h10, h15 and h20 and recomputes the rest, one segment at a time.
    #[test]
    fn the_deep_chain_plain_and_with_sqrt_checkpoints() {
        let example = examples::find("deep-chain").unwrap();
        let graph = compile(example.program).unwrap();
        let inputs = crate::engine::inputs::resolve(&graph, &[], Some(1.0)).unwrap();
        let kept = CheckpointPlan::Sqrt.resolve(&graph).unwrap();
        assert_eq!(names(&graph, &kept), ["h5", "h10", "h15", "h20"]);
        let stepper =
            Stepper::with_checkpoints(graph.clone(), inputs, Mode::Reverse, Some(kept.clone()))
                .unwrap();
        let report = report(&stepper);
        let trade = tradeoff(&stepper, &report);
        assert_eq!(trade.plain_peak, 14_344);
        assert_eq!(trade.peak, 6_152);
        assert_eq!(trade.recomputes, 40);
        assert_eq!(trade.forward_steps, 52);
        assert_eq!(choice(&graph, Some(&kept), 3), Choice::Sqrt);
        let every_3 = CheckpointPlan::Every(3).resolve(&graph).unwrap();
        assert_eq!(choice(&graph, Some(&every_3), 3), Choice::Every(3));
        assert_eq!(choice(&graph, Some(&kept[..1]), 3), Choice::Picked);
        // In f16 every number takes 2 bytes: a quarter of the f64 figures.
        let f16 = stepper.stored_as(Precision::F16, 1.0).unwrap();
        assert_eq!(tradeoff(&f16, &super::report(&f16)).peak, 6_152 / 4);
    }

    #[test]
    fn bytes_read_in_thousands() {
        assert_eq!(bytes_text(0), "0 B");
        assert_eq!(bytes_text(999), "999 B");
        assert_eq!(bytes_text(14_344), "14,344 B");
        assert_eq!(bytes_text(1_234_567), "1,234,567 B");
    }
}
