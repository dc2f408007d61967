//! Memory figures counted by hand on the seeds' worked examples.

use super::*;
use crate::engine::{Mode, Stepper};
use crate::program::compile;
use crate::tensor::Tensor;

fn plain(source: &str) -> (Graph, MemoryReport) {
    let graph = compile(source).unwrap();
    let inputs: Vec<Tensor> = graph
        .inputs()
        .map(|id| graph.node(id).leaf_value().unwrap())
        .collect();
    let stepper = Stepper::new(graph.clone(), inputs, Mode::Reverse).unwrap();
    let report = account(&graph, stepper.schedule(), 8);
    (graph, report)
}

/// (node, bytes held after the step, high-water mark during it, freed values) per step.
fn rows(graph: &Graph, report: &MemoryReport) -> Vec<(String, usize, usize, Vec<String>)> {
    let name = |id: NodeId| graph.node(id).name.clone();
    report
        .steps
        .iter()
        .map(|s| {
            let freed = s.freed.iter().map(|&id| name(id)).collect();
            (name(s.node), s.held(), s.high, freed)
        })
        .collect()
}

fn row(
    node: &str,
    held: usize,
    high: usize,
    freed: &[&str],
) -> (String, usize, usize, Vec<String>) {
    let freed = freed.iter().map(|s| s.to_string()).collect();
    (node.to_string(), held, high, freed)
}

/// `(x1 + x2) · x1`, 8 bytes a number. Forward: x1, x2, v3, v4 stored one by one. The
/// backward step of v4 = v3 · x1 reads v3 and x1 and stores the adjoints v̄4 (seed), v̄3 and
/// x̄1: 32 + 24 = 56 bytes at its height, then v3 (last read) and v̄4 go: 40. Visiting
/// v3 = x1 + x2 reads nothing, stores x̄2 (48) and drops v̄3 (40). At the end: x1, x2,
/// the output and two gradients, 5 · 8 = 40 bytes.
#[test]
fn two_paths_by_hand() {
    let (graph, report) = plain("(x1+x2)*x1");
    assert_eq!(
        rows(&graph, &report),
        vec![
            row("x1", 8, 8, &[]),
            row("x2", 16, 16, &[]),
            row("v3", 24, 24, &[]),
            row("v4", 32, 32, &[]),
            row("v4", 40, 56, &["v3"]),
            row("v3", 40, 48, &[]),
            row("x2", 40, 40, &[]),
            row("x1", 40, 40, &[]),
        ]
    );
    assert_eq!(report.peak(), 56);
    assert_eq!(report.recomputes(), 0);
    let after_forward = &report.steps[3];
    assert_eq!(
        (
            after_forward.inputs,
            after_forward.values,
            after_forward.adjoints
        ),
        (16, 16, 0)
    );
}

/// The seeds' `y = (W·x + b)²`: u = W·x is read by nothing backward (the product's rule
/// reads W and x, which are inputs), so it goes once v = u + b is computed; v is read by
/// the square's rule 2v and stays until then.
#[test]
fn linear_square_by_hand() {
    let (graph, report) = plain("W = 2\nx = 3\nb = 1\nu = W * x\nv = u + b\ny = v^2");
    assert_eq!(
        rows(&graph, &report),
        vec![
            row("W", 8, 8, &[]),
            row("x", 16, 16, &[]),
            row("b", 24, 24, &[]),
            row("u", 32, 32, &[]),
            row("v", 32, 40, &["u"]),
            row("y", 40, 40, &[]),
            // ȳ (seed) and v̄ stored; v and ȳ released.
            row("y", 40, 56, &["v"]),
            // ū and b̄ stored, v̄ released.
            row("v", 48, 56, &[]),
            // W̄ and x̄ stored, ū released.
            row("u", 56, 64, &[]),
            row("b", 56, 56, &[]),
            row("x", 56, 56, &[]),
            row("W", 56, 56, &[]),
        ]
    );
    assert_eq!(report.peak(), 64);
}

/// The seeds' 2-3-1 ReLU network: tensors count elements × 8 bytes. Inputs x [2], W1
/// [3,2], b1 [3], W2 [1,3], b2 [1], t [1]: 16 numbers, 128 bytes. The tape after the
/// forward pass is z1 (relu reads it), h (W2 @ h reads it) and y − t (the square reads
/// it): 24 + 24 + 8 bytes, plus the output L.
#[test]
fn tiny_relu_network_by_hand() {
    let source = crate::examples::all()
        .into_iter()
        .find(|e| e.slug == "tiny-relu-network")
        .unwrap()
        .source;
    let (graph, report) = plain(source);
    let held: Vec<usize> = report.steps.iter().map(MemoryStep::held).collect();
    let high: Vec<usize> = report.steps.iter().map(|s| s.high).collect();
    assert_eq!(
        held,
        [
            16, 64, 88, 112, 120, 128, // inputs
            152, 152, 176, 184, 184, 184, 192, 192, 192, // forward
            200, 200, 192, 200, 208, 224, 200, 224, 264, // backward, computed nodes
            264, 264, 264, 264, 264, 264, // inputs' visits
        ]
    );
    assert_eq!(
        &high[6..24],
        [
            152, 176, 176, 184, 192, 192, 192, 200, 200, // forward
            208, 208, 208, 208, 216, 256, 248, 248, 288, // backward
        ]
    );
    assert_eq!(report.peak(), 288);
    let freed: Vec<(String, Vec<String>)> = report
        .steps
        .iter()
        .filter(|s| !s.freed.is_empty())
        .map(|s| {
            let names = s.freed.iter().map(|&id| graph.node(id).name.clone());
            (
                format!("{:?} {}", s.phase, graph.node(s.node).name),
                names.collect(),
            )
        })
        .collect();
    let names: Vec<String> = graph.nodes().iter().map(|n| n.name.clone()).collect();
    assert_eq!(freed.len(), 8, "{freed:?} in {names:?}");
}

/// The seeds' `L = (w·x + b − y)²` at w = 2, x = 3, b = 1, y = 4: four inputs (32 bytes);
/// u = w·x, z = u + b and r = z − y are each released once the next is computed except r,
/// which the square's rule 2r reads. Each backward step stores its inputs' adjoints and
/// releases its own: 64, 64, 72, 80 at their heights; the peak is u's visit.
#[test]
fn squared_error_by_hand() {
    let (graph, report) =
        plain("w = 2\nx = 3\nb = 1\ny = 4\nu = w * x\nz = u + b\nr = z - y\nL = r^2");
    assert_eq!(
        rows(&graph, &report),
        vec![
            row("w", 8, 8, &[]),
            row("x", 16, 16, &[]),
            row("b", 24, 24, &[]),
            row("y", 32, 32, &[]),
            row("u", 40, 40, &[]),
            row("z", 40, 48, &["u"]),
            row("r", 40, 48, &["z"]),
            row("L", 48, 48, &[]),
            row("L", 48, 64, &["r"]),
            row("r", 56, 64, &[]),
            row("z", 64, 72, &[]),
            row("u", 72, 80, &[]),
            row("y", 72, 72, &[]),
            row("b", 72, 72, &[]),
            row("x", 72, 72, &[]),
            row("w", 72, 72, &[]),
        ]
    );
    assert_eq!(report.peak(), 80);
}
