//! Checkpoint plans, the recompute schedule, and the stepper running it.

use super::*;
use crate::engine::{Mode, Stepper};
use crate::program::compile;
use crate::tensor::Tensor;

const CHAIN: &str = "x = 0.5\na = sin(x)\nb = sin(a)\nc = sin(b)\ny = sin(c)";

fn names(graph: &Graph, steps: &[(Phase, NodeId)]) -> Vec<String> {
    steps
        .iter()
        .map(|(phase, id)| format!("{} {}", phase.name(), graph.node(*id).name))
        .collect()
}

fn defaults(graph: &Graph) -> Vec<Tensor> {
    graph
        .inputs()
        .map(|id| graph.node(id).leaf_value().unwrap())
        .collect()
}

#[test]
fn plans_read_from_text() {
    assert_eq!("every:3".parse(), Ok(CheckpointPlan::Every(3)));
    assert_eq!("sqrt".parse(), Ok(CheckpointPlan::Sqrt));
    assert_eq!(
        " h2, h4 ".parse(),
        Ok(CheckpointPlan::Named(vec!["h2".into(), "h4".into()]))
    );
    assert_eq!(
        "every:0".parse::<CheckpointPlan>(),
        Err(CheckpointError::BadInterval("0".into()))
    );
    assert_eq!(
        "every:x".parse::<CheckpointPlan>(),
        Err(CheckpointError::BadInterval("x".into()))
    );
    assert_eq!(" , ".parse::<CheckpointPlan>(), Err(CheckpointError::Empty));
    for plan in ["every:3", "sqrt", "h2,h4"] {
        assert_eq!(plan.parse::<CheckpointPlan>().unwrap().to_string(), plan);
    }
}

#[test]
fn plans_resolve_to_nodes() {
    // Nine computed nodes before the output: √9 = 3, so the 3rd, 6th and 9th.
    let source = "x = 1\nh1 = sin(x)\nh2 = sin(h1)\nh3 = sin(h2)\nh4 = sin(h3)\nh5 = sin(h4)\n\
                  h6 = sin(h5)\nh7 = sin(h6)\nh8 = sin(h7)\nh9 = sin(h8)\ny = sin(h9)";
    let graph = compile(source).unwrap();
    let named = |ids: Vec<NodeId>| -> Vec<String> {
        ids.iter().map(|&id| graph.node(id).name.clone()).collect()
    };
    assert_eq!(
        named(CheckpointPlan::Sqrt.resolve(&graph).unwrap()),
        ["h3", "h6", "h9"]
    );
    assert_eq!(
        named(CheckpointPlan::Every(4).resolve(&graph).unwrap()),
        ["h4", "h8"]
    );
    assert_eq!(
        named(CheckpointPlan::Every(20).resolve(&graph).unwrap()),
        Vec::<String>::new()
    );
    let plan = CheckpointPlan::Named(vec!["h5".into(), "h2".into(), "h5".into()]);
    assert_eq!(named(plan.resolve(&graph).unwrap()), ["h2", "h5"]);
    let unknown = CheckpointPlan::Named(vec!["h10".into()]);
    assert_eq!(
        unknown.resolve(&graph).unwrap_err().to_string(),
        "checkpoints: no node is named `h10`"
    );
    let graph = compile("x * 3").unwrap();
    let constant = CheckpointPlan::Named(vec!["3".into()]).resolve(&graph);
    assert!(
        matches!(constant, Err(CheckpointError::Constant { .. })),
        "{constant:?}"
    );
}

/// sin reads its operand backward. Keeping b: a and c are discarded in the forward pass;
/// c is recomputed from b before y's backward step reads it, a from x before b's.
#[test]
fn recompute_steps_come_just_before_their_reader() {
    let graph = compile(CHAIN).unwrap();
    let b = graph.find("b").unwrap();
    assert_eq!(
        names(&graph, &schedule(&graph, &[b])),
        [
            "forward x",
            "forward a",
            "forward b",
            "forward c",
            "forward y",
            "recompute c",
            "backward y",
            "backward c",
            "recompute a",
            "backward b",
            "backward a",
            "backward x",
        ]
    );
    // Nothing kept: each value is recomputed from x, and what it needs on the way with it.
    assert_eq!(
        names(&graph, &schedule(&graph, &[]))[5..9],
        ["recompute a", "recompute b", "recompute c", "backward y"]
    );
    // Additions read nothing backward: nothing to recompute.
    let graph = compile("x = 1\na = x + 1\nb = a + 1\nb + 1").unwrap();
    assert!(
        schedule(&graph, &[])
            .iter()
            .all(|(phase, _)| *phase != Phase::Recompute)
    );
}

/// The chain by hand, 8 bytes a number. Plain: x, a, b, c, y stored (40 bytes); y's
/// backward step adds ȳ and c̄ (56, the peak). Keeping b: a goes after b is computed and c
/// after y, so the forward pass tops at 32; recomputing c (32) and visiting y (+ȳ, c̄: 48)
/// is the new peak.
#[test]
fn checkpointing_lowers_the_peak_of_the_chain() {
    let graph = compile(CHAIN).unwrap();
    let plain = Stepper::new(graph.clone(), defaults(&graph), Mode::Reverse)
        .unwrap()
        .memory(8);
    assert_eq!(plain.peak(), 56);
    let b = graph.find("b").unwrap();
    let steps = schedule(&graph, &[b]);
    let report = crate::engine::memory::account(&graph, &steps, 8);
    let held: Vec<usize> = report.steps.iter().map(|s| s.held()).collect();
    let high: Vec<usize> = report.steps.iter().map(|s| s.high).collect();
    assert_eq!(held, [8, 16, 16, 24, 24, 32, 32, 24, 32, 24, 24, 24]);
    assert_eq!(high, [8, 16, 24, 24, 32, 32, 48, 40, 32, 40, 32, 24]);
    assert_eq!(report.peak(), 48);
    assert_eq!(report.recomputes(), 2);
}

/// The stepper drops what the plan discards, recomputes it, gets the plain gradients bit
/// for bit, and undoes every step exactly.
#[test]
fn stepper_discards_recomputes_and_undoes() {
    let graph = compile(CHAIN).unwrap();
    let [a, b, c] = ["a", "b", "c"].map(|name| graph.find(name).unwrap());
    let inputs = defaults(&graph);
    let mut plain = Stepper::new(graph.clone(), inputs.clone(), Mode::Reverse).unwrap();
    let mut kept =
        Stepper::with_checkpoints(graph.clone(), inputs, Mode::Reverse, Some(vec![b])).unwrap();
    assert_eq!(kept.checkpoints(), Some(&[b][..]));
    kept.seek(3);
    assert!(kept.value(a).is_none() && kept.discarded(a));
    assert!(kept.value(b).is_some() && !kept.discarded(b));
    kept.seek(6);
    let recompute = kept.history().last().unwrap().clone();
    assert_eq!((recompute.phase, recompute.node), (Phase::Recompute, c));
    plain.seek(4);
    assert_eq!(kept.value(c), plain.value(c));
    kept.run_to_end();
    plain.run_to_end();
    for id in graph.ids() {
        assert_eq!(
            kept.adjoint(id)
                .map(|t| t.data().iter().map(|x| x.to_bits()).collect::<Vec<_>>()),
            plain
                .adjoint(id)
                .map(|t| t.data().iter().map(|x| x.to_bits()).collect::<Vec<_>>()),
        );
    }
    // Undo and seek land on the same state as stepping from the start.
    let end = kept.clone();
    for k in (0..kept.len()).rev() {
        kept.step_back();
        let mut fresh = Stepper::with_checkpoints(
            graph.clone(),
            defaults(&graph),
            Mode::Reverse,
            Some(vec![b]),
        )
        .unwrap();
        fresh.seek(k);
        assert_eq!(kept, fresh, "after undoing to step {k}");
    }
    kept.run_to_end();
    assert_eq!(kept, end);
    // The plan travels with the stepper's serde form.
    let json = serde_json::to_string(&end).unwrap();
    assert!(json.contains("\"checkpoints\""), "{json}");
    assert_eq!(serde_json::from_str::<Stepper>(&json).unwrap(), end);
    let plain_json = serde_json::to_string(&plain).unwrap();
    assert!(!plain_json.contains("checkpoints"), "{plain_json}");
}

#[test]
fn checkpoints_refuse_forward_mode() {
    let graph = compile(CHAIN).unwrap();
    let x = graph.find("x").unwrap();
    let refused = Stepper::with_checkpoints(
        graph.clone(),
        defaults(&graph),
        Mode::Forward { wrt: x },
        Some(vec![]),
    );
    assert_eq!(
        refused.unwrap_err(),
        crate::engine::EngineError::CheckpointsInForwardMode
    );
    let out_of_range = Stepper::with_checkpoints(
        graph.clone(),
        defaults(&graph),
        Mode::Reverse,
        Some(vec![NodeId(99)]),
    );
    assert_eq!(
        out_of_range.unwrap_err(),
        crate::engine::EngineError::CheckpointOutOfRange { id: 99 }
    );
}

/// Keeping nothing makes the backward step of h3 · h3 redo the whole forward pass beside
/// the adjoints of y and h3 · h3, above the plain run's peak; the automatic plans keep h3 (read by the
/// square) and stay at or under it. Named checkpoints are taken as they are.
#[test]
fn automatic_plans_never_cost_more_than_plain() {
    let source = "b = 0.3\nx = 0.5\nh0 = sigmoid(b) * x\nh1 = h0 * h0\nh2 = h1 * h1\n\
                  h3 = sin(h1) + h2\ny = (h3 * h3) * 2";
    let graph = compile(source).unwrap();
    let peak = |kept: &[NodeId]| memory::account(&graph, &schedule(&graph, kept), 8).peak();
    let plain = Stepper::new(graph.clone(), defaults(&graph), Mode::Reverse)
        .unwrap()
        .memory(8)
        .peak();
    assert!(peak(&[]) > plain, "{} vs {plain}", peak(&[]));
    let chosen = CheckpointPlan::Every(100).choose(&graph).unwrap();
    assert!(chosen.is_empty());
    let settled = CheckpointPlan::Every(100).resolve(&graph).unwrap();
    let names: Vec<&str> = settled
        .iter()
        .map(|&id| graph.node(id).name.as_str())
        .collect();
    assert_eq!(names, ["h3"]);
    assert!(peak(&settled) <= plain);
    let named = CheckpointPlan::Named(vec![]).resolve(&graph).unwrap();
    assert!(named.is_empty());
}
