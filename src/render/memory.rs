//! The memory table of a run: per step, the bytes held by inputs, values and adjoints,
//! the peak so far and the values released; with the run's peak against the plain run's
//! and the recompute steps checkpointing added. As text for terminals, or as JSON.

use crate::engine::checkpoint;
use crate::engine::memory::{self, MemoryReport, MemoryStep};
use crate::engine::{Mode, Phase, Stepper};
use crate::graph::{Graph, NodeId};
use serde::Serialize;

/// One step's figures; `step` counts steps taken, from 1.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MemoryRow {
    pub step: usize,
    pub phase: Phase,
    pub node: String,
    pub inputs: usize,
    pub values: usize,
    pub adjoints: usize,
    pub held: usize,
    pub peak: usize,
    /// Values released after the step (their last use).
    pub freed: Vec<String>,
}

/// What a whole run costs in memory.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MemorySummary {
    pub bytes_per_number: usize,
    /// The most bytes held at once.
    pub peak: usize,
    /// The same program's peak without checkpoints.
    pub plain_peak: usize,
    /// Forward steps, and the steps computing a value again.
    pub forward_steps: usize,
    pub recomputes: usize,
    /// Checkpointing: the values the forward pass keeps; absent in plain mode.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checkpoints: Option<Vec<String>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MemoryTable {
    pub program: String,
    #[serde(flatten)]
    pub summary: MemorySummary,
    pub steps: Vec<MemoryRow>,
}

fn names(graph: &Graph, ids: &[NodeId]) -> Vec<String> {
    ids.iter().map(|&id| graph.node(id).name.clone()).collect()
}

/// One step of a report as a row.
pub fn row(graph: &Graph, step: &MemoryStep) -> MemoryRow {
    MemoryRow {
        step: step.index + 1,
        phase: step.phase,
        node: graph.node(step.node).name.clone(),
        inputs: step.inputs,
        values: step.values,
        adjoints: step.adjoints,
        held: step.held(),
        peak: step.peak,
        freed: names(graph, &step.freed),
    }
}

/// The figures of `stepper`'s whole schedule, each number `bytes_per_number` bytes.
pub fn summary(stepper: &Stepper, report: &MemoryReport) -> MemorySummary {
    let graph = stepper.graph();
    let plain_peak = match (stepper.checkpoints(), stepper.mode()) {
        (Some(_), Mode::Reverse) => memory::account(
            graph,
            &checkpoint::plain_schedule(graph),
            report.bytes_per_number,
        )
        .peak(),
        _ => report.peak(),
    };
    MemorySummary {
        bytes_per_number: report.bytes_per_number,
        peak: report.peak(),
        plain_peak,
        forward_steps: report
            .steps
            .iter()
            .filter(|s| s.phase == Phase::Forward)
            .count(),
        recomputes: report.recomputes(),
        checkpoints: stepper.checkpoints().map(|ids| names(graph, ids)),
    }
}

pub fn table(stepper: &Stepper, source: &str, bytes_per_number: usize) -> MemoryTable {
    let report = stepper.memory(bytes_per_number);
    MemoryTable {
        program: source.to_string(),
        summary: summary(stepper, &report),
        steps: report
            .steps
            .iter()
            .map(|step| row(stepper.graph(), step))
            .collect(),
    }
}

/// The table as aligned text columns, then the totals.
pub fn text(table: &MemoryTable) -> String {
    let header = [
        "step", "phase", "node", "inputs", "values", "adjoints", "held", "peak", "freed",
    ];
    let rows: Vec<[String; 9]> = table
        .steps
        .iter()
        .map(|row| {
            [
                row.step.to_string(),
                row.phase.name().to_string(),
                row.node.clone(),
                row.inputs.to_string(),
                row.values.to_string(),
                row.adjoints.to_string(),
                row.held.to_string(),
                row.peak.to_string(),
                row.freed.join(", "),
            ]
        })
        .collect();
    let mut widths = header.map(|h| h.chars().count());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    // Text columns (phase, node, freed) to the left, numbers to the right.
    let line = |cells: [&str; 9]| {
        let mut out = String::new();
        for (i, (cell, width)) in cells.iter().zip(widths).enumerate() {
            let pad = " ".repeat(width - cell.chars().count());
            let cell = if matches!(i, 1 | 2 | 8) {
                format!("{cell}{pad}")
            } else {
                format!("{pad}{cell}")
            };
            if i > 0 {
                out.push_str("  ");
            }
            out.push_str(&cell);
        }
        out.trim_end().to_string() + "\n"
    };
    let s = &table.summary;
    let mut out = format!(
        "Memory of {} (bytes, {} per number)\n\n",
        crate::render::trace::one_line(&table.program),
        s.bytes_per_number
    );
    out.push_str(&line(header));
    for row in &rows {
        out.push_str(&line(row.each_ref().map(String::as_str)));
    }
    out.push('\n');
    match &s.checkpoints {
        None => out.push_str(&format!("Peak: {} bytes.\n", s.peak)),
        Some(kept) => {
            let kept = if kept.is_empty() {
                "none".to_string()
            } else {
                kept.join(", ")
            };
            out.push_str(&format!("Checkpoints: {kept}.\n"));
            out.push_str(&format!(
                "Peak: {} bytes, against {} without checkpoints ({}).\n",
                s.peak,
                s.plain_peak,
                percent(s.peak, s.plain_peak)
            ));
            out.push_str(&format!(
                "Recompute steps: {} (the forward pass has {}).\n",
                s.recomputes, s.forward_steps
            ));
        }
    }
    out
}

/// One checkpoint interval's trade: what it keeps, its peak, the work it adds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Tradeoff {
    /// `every:K`, or the plain run (no checkpoints) as `k` = 0.
    pub k: usize,
    /// How many values the forward pass keeps (after settling).
    pub checkpoints: usize,
    pub peak: usize,
    pub recomputes: usize,
}

/// The most intervals [`sweep`] tries.
pub const SWEEP_LIMIT: usize = 64;

/// Memory against extra work over the checkpoint interval k = 1, 2, … (up to the number of
/// tape values, at most [`SWEEP_LIMIT`]), after the plain run (k = 0): the curve whose
/// bottom is near k = √N, for about one extra forward pass.
pub fn sweep(graph: &Graph, bytes_per_number: usize) -> Vec<Tradeoff> {
    let plain = checkpoint::plain_schedule(graph);
    let mut rows = vec![Tradeoff {
        k: 0,
        checkpoints: 0,
        peak: memory::account(graph, &plain, bytes_per_number).peak(),
        recomputes: 0,
    }];
    let tape = checkpoint::candidates(graph).len();
    for k in 1..=tape.min(SWEEP_LIMIT) {
        let Ok(kept) = checkpoint::CheckpointPlan::Every(k).resolve(graph) else {
            continue;
        };
        let report = memory::account(graph, &checkpoint::schedule(graph, &kept), bytes_per_number);
        rows.push(Tradeoff {
            k,
            checkpoints: kept.len(),
            peak: report.peak(),
            recomputes: report.recomputes(),
        });
    }
    rows
}

/// The sweep as text: one line per interval, the √N one marked.
pub fn sweep_text(graph: &Graph, rows: &[Tradeoff], bytes_per_number: usize) -> String {
    let tape = checkpoint::candidates(graph).len();
    let forward = checkpoint::plain_schedule(graph)
        .iter()
        .filter(|(phase, _)| *phase == Phase::Forward)
        .count();
    let sqrt = (1..=tape.max(1)).find(|k| k * k >= tape).unwrap_or(1);
    let mut out = format!(
        "Checkpoints every k of the {tape} values on the tape ({bytes_per_number} bytes per \
         number; the forward pass has {forward} steps)\n\n"
    );
    out.push_str("    k  kept    peak  recomputes\n");
    for row in rows {
        let k = if row.k == 0 {
            "plain".to_string()
        } else {
            row.k.to_string()
        };
        let mark = if row.k == sqrt { "  ← √N" } else { "" };
        out.push_str(&format!(
            "{k:>5}  {:>4}  {:>6}  {:>10}{mark}\n",
            row.checkpoints, row.peak, row.recomputes
        ));
    }
    out
}

/// `52 %` of the plain peak.
fn percent(part: usize, whole: usize) -> String {
    if whole == 0 {
        return "—".to_string();
    }
    format!("{} %", (part * 100 + whole / 2) / whole)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::compile;
    use crate::tensor::Tensor;

    #[test]
    fn the_two_paths_table() {
        let graph = compile("(x1+x2)*x1").unwrap();
        let inputs = vec![Tensor::scalar(3.0), Tensor::scalar(4.0)];
        let stepper = Stepper::new(graph, inputs, Mode::Reverse).unwrap();
        let text = text(&table(&stepper, "(x1+x2)*x1", 8));
        assert_eq!(
            text,
            "Memory of (x1+x2)*x1 (bytes, 8 per number)\n\n\
             step  phase     node  inputs  values  adjoints  held  peak  freed\n   \
             1  forward   x1         8       0         0     8     8\n   \
             2  forward   x2        16       0         0    16    16\n   \
             3  forward   v3        16       8         0    24    24\n   \
             4  forward   v4        16      16         0    32    32\n   \
             5  backward  v4        16       8        16    40    56  v3\n   \
             6  backward  v3        16       8        16    40    56\n   \
             7  backward  x2        16       8        16    40    56\n   \
             8  backward  x1        16       8        16    40    56\n\n\
             Peak: 56 bytes.\n"
        );
    }

    /// The sin chain x → a → b → c → y, by hand (8 bytes): plain peaks at 56 (see the
    /// engine's tests); keeping every 2nd tape value (b) gives 48 for 2 recomputes, every
    /// value (k = 1) is the plain run, k = 3 keeps only c and settles there.
    #[test]
    fn the_sweep_over_k() {
        let graph = compile("x = 0.5\na = sin(x)\nb = sin(a)\nc = sin(b)\ny = sin(c)").unwrap();
        let rows = sweep(&graph, 8);
        let figures: Vec<(usize, usize, usize, usize)> = rows
            .iter()
            .map(|r| (r.k, r.checkpoints, r.peak, r.recomputes))
            .collect();
        assert_eq!(figures[0], (0, 0, 56, 0));
        assert_eq!(figures[1], (1, 3, 56, 0));
        assert_eq!(figures[2], (2, 1, 48, 2));
        assert_eq!(figures.len(), 4);
        assert!(rows.iter().all(|r| r.peak <= 56));
        let text = sweep_text(&graph, &rows, 8);
        assert!(
            text.starts_with("Checkpoints every k of the 3 values on the tape"),
            "{text}"
        );
        assert!(
            text.contains("    2     1      48           2  ← √N\n"),
            "{text}"
        );
    }

    #[test]
    fn checkpoints_are_summed_up() {
        let source = "x = 2\na = sin(x)\nb = sin(a)\nsin(b)";
        let graph = compile(source).unwrap();
        let stepper = Stepper::with_checkpoints(
            graph,
            vec![Tensor::scalar(2.0)],
            Mode::Reverse,
            Some(vec![]),
        )
        .unwrap();
        let table = table(&stepper, source, 4);
        assert_eq!(table.summary.recomputes, 2);
        assert_eq!(table.summary.forward_steps, 4);
        assert_eq!(table.summary.checkpoints, Some(vec![]));
        let text = text(&table);
        assert!(text.contains("Checkpoints: none.\n"), "{text}");
        assert!(
            text.contains("Recompute steps: 2 (the forward pass has 4).\n"),
            "{text}"
        );
        assert!(text.contains("  recompute  a "), "{text}");
        let json = serde_json::to_value(&table).unwrap();
        assert_eq!(json["steps"][4]["phase"], "recompute");
        assert_eq!(json["bytes_per_number"], 4);
    }
}
