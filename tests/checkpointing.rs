//! Checkpointing on random scalar and tensor programs: the gradients are those of the plain
//! run bit for bit, the peak is never above the plain run's, and undo and seek stay exact
//! through recompute steps.

use backprop_viz::engine::memory::MemoryReport;
use backprop_viz::engine::{CheckpointPlan, Mode, Phase, Stepper, inputs};
use backprop_viz::graph::Graph;
use backprop_viz::program::compile;
use backprop_viz::tensor::Tensor;
use proptest::prelude::*;

/// Scalar forms over one or two earlier names; every op kind the scalar language has,
/// some reading their operands backward (·, sin, sigmoid…), some not (+, −).
const SCALAR_FORMS: [&str; 12] = [
    "{a} + {b}",
    "{a} - {b}",
    "{a} * {b}",
    "{a} / (1 + {b}^2)",
    "sin({a})",
    "tanh({a})",
    "sigmoid({a}) * {b}",
    "exp(tanh({a}))",
    "relu({a}) + {b}",
    "abs({a}) - 0.5",
    "{a}^2",
    "log(1 + {a}^2)",
];

/// Tensor forms over `[4]` vectors (and the `[4, 4]` matrix W).
const TENSOR_FORMS: [&str; 10] = [
    "tanh(W @ {a})",
    "W @ {a} + {b}",
    "sigmoid({a}) * {b}",
    "relu({a} - {b})",
    "softmax({a})",
    "exp(tanh({a}))",
    "{a} * {a}",
    "sin({a}) + {b}",
    "log_softmax({a}) * {b}",
    "{a} / (1 + {b} * {b})",
];

/// A random program: `depth` bindings, each a form over earlier names chosen by `picks`
/// (so names get several consumers, and some chains are long), then a scalar output.
fn dag(forms: &[&str], first: &[&str], picks: &[(usize, usize, usize)], last: &str) -> String {
    let mut names: Vec<String> = first.iter().map(|s| s.to_string()).collect();
    let mut lines: Vec<String> = Vec::new();
    for (i, &(form, a, b)) in picks.iter().enumerate() {
        // Mostly the latest name, so chains are deep.
        let a = &names[names.len() - 1 - a % names.len().min(3)];
        let b = &names[b % names.len()];
        let line = forms[form % forms.len()]
            .replace("{a}", a)
            .replace("{b}", b);
        lines.push(format!("h{i} = {line}"));
        names.push(format!("h{i}"));
    }
    lines.push(last.replace("{a}", names.last().unwrap()));
    lines.join("\n")
}

fn scalar_program() -> impl Strategy<Value = String> {
    prop::collection::vec((0usize..64, 0usize..8, 0usize..8), 1..14).prop_map(|picks| {
        let head = "x0 = 0.7\nx1 = -1.3\nx2 = 0.4";
        format!(
            "{head}\n{}",
            dag(&SCALAR_FORMS, &["x0", "x1", "x2"], &picks, "{a} * 1")
        )
    })
}

fn tensor_program() -> impl Strategy<Value = String> {
    (
        prop::collection::vec((0usize..64, 0usize..8, 0usize..8), 1..9),
        0u64..1000,
    )
        .prop_map(|(picks, seed)| {
            let head = format!(
                "W = param(randn([4, 4], {seed}) * 0.5)\nx = randn([4], {})\nb = param(randn([4], {}))",
                seed + 1,
                seed + 2
            );
            format!(
                "{head}\n{}",
                dag(&TENSOR_FORMS, &["x", "b"], &picks, "sum({a} * {a})")
            )
        })
}

fn plan() -> impl Strategy<Value = CheckpointPlan> {
    prop_oneof![
        (1usize..6).prop_map(CheckpointPlan::Every),
        Just(CheckpointPlan::Sqrt),
        Just(CheckpointPlan::Every(1000)),
        // Any set of bindings (those the program has).
        any::<u16>().prop_map(|mask| CheckpointPlan::Named(
            (0..16)
                .filter(|i| mask & (1 << i) != 0)
                .map(|i| format!("h{i}"))
                .collect()
        )),
    ]
}

fn setup(source: &str) -> (Graph, Vec<Tensor>) {
    let graph = compile(source).unwrap_or_else(|e| panic!("{source}: {e}"));
    let values = inputs::resolve(&graph, &[], None).unwrap();
    (graph, values)
}

fn bits(t: Option<impl AsRef<Tensor>>) -> Option<Vec<u64>> {
    t.map(|t| t.as_ref().data().iter().map(|x| x.to_bits()).collect())
}

/// Both runs to the end: every node's adjoint, and the output, the same bits.
fn same_gradients(graph: &Graph, plain: &Stepper, kept: &Stepper) -> Result<(), TestCaseError> {
    for id in graph.ids() {
        prop_assert_eq!(
            bits(plain.adjoint(id)),
            bits(kept.adjoint(id)),
            "adjoint of {}",
            graph.node(id).name
        );
    }
    prop_assert_eq!(
        bits(plain.value(graph.output())),
        bits(kept.value(graph.output()))
    );
    Ok(())
}

fn check(source: &str, plan: &CheckpointPlan, at: usize) -> Result<(), TestCaseError> {
    let (graph, values) = setup(source);
    let plan = match plan {
        CheckpointPlan::Named(names) => CheckpointPlan::Named(
            names
                .iter()
                .filter(|n| graph.find(n).is_some())
                .cloned()
                .collect(),
        ),
        other => other.clone(),
    };
    let checkpoints = plan.resolve(&graph).unwrap();
    let mut plain = Stepper::new(graph.clone(), values.clone(), Mode::Reverse).unwrap();
    let mut kept = Stepper::with_checkpoints(
        graph.clone(),
        values.clone(),
        Mode::Reverse,
        Some(checkpoints.clone()),
    )
    .unwrap();
    // Memory: never above plain for the automatic plans (named checkpoints are kept as
    // named, whatever they cost); recompute steps are the only extra steps.
    let plain_memory: MemoryReport = plain.memory(8);
    let kept_memory = kept.memory(8);
    prop_assert!(
        matches!(plan, CheckpointPlan::Named(_)) || kept_memory.peak() <= plain_memory.peak(),
        "peak {} > plain {} with {plan}\n{source}",
        kept_memory.peak(),
        plain_memory.peak()
    );
    prop_assert_eq!(kept.len(), plain.len() + kept_memory.recomputes());
    // Undo through any step is exact, and seek lands where stepping does.
    let at = at % (kept.len() + 1);
    kept.seek(at);
    let before = format!("{kept:?}");
    if kept.step().is_some() {
        kept.step_back();
    }
    prop_assert_eq!(format!("{kept:?}"), before);
    let mut stepped =
        Stepper::with_checkpoints(graph.clone(), values, Mode::Reverse, Some(checkpoints)).unwrap();
    for _ in 0..at {
        stepped.step();
    }
    // (Debug text: a visit's record holds NaN for an operand its rule does not read and
    // the plan discarded, and NaN is not equal to itself.)
    prop_assert_eq!(format!("{stepped:?}"), format!("{kept:?}"));
    // Every recompute step produces the value the forward pass had.
    plain.run_to_end();
    kept.run_to_end();
    for record in kept
        .history()
        .iter()
        .filter(|r| r.phase == Phase::Recompute)
    {
        prop_assert_eq!(
            bits(Some(record.result_value())),
            bits(plain.value(record.node))
        );
    }
    same_gradients(&graph, &plain, &kept)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn scalar_programs(source in scalar_program(), plan in plan(), at in 0usize..200) {
        check(&source, &plan, at)?;
    }

    #[test]
    fn tensor_programs(source in tensor_program(), plan in plan(), at in 0usize..200) {
        check(&source, &plan, at)?;
    }
}
