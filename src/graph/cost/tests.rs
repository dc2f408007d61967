//! Work estimates counted by hand, and (ignored by default) the timing behind the budget.

use super::*;
use crate::program::compile;

fn cost_of(source: &str) -> Cost {
    cost(&compile(source).unwrap_or_else(|e| panic!("{source:?}: {e}")))
}

fn totals(cost: &Cost) -> Vec<u64> {
    cost.nodes.iter().map(|flops| flops.total()).collect()
}

#[test]
fn the_seed_example_costs_ten() {
    // x1, x2 are leaves; v3 = x1 + x2 and v4 = v3 · x1 each take 1 forward and
    // 2 · 2 backward (a local derivative and a product for each of two operands).
    let cost = cost_of("(x1+x2)*x1");
    assert_eq!(totals(&cost), [0, 0, 5, 5]);
    assert_eq!(cost.total, 10);
    assert_eq!(cost.costliest(), Some(NodeId(3)), "the last of equals");
}

#[test]
fn a_matrix_product_costs_two_and_four_per_term() {
    // [2, 3] @ [3, 4]: 24 terms, 48 forward and 96 backward; the sum reads 8 numbers
    // forward and writes 8 back.
    let cost = cost_of("A = ones([2, 3]); B = ones([3, 4]); sum(A @ B)");
    let product = compile("A = ones([2, 3]); B = ones([3, 4]); sum(A @ B)")
        .unwrap()
        .find("v3")
        .unwrap();
    assert_eq!(
        cost.nodes[product.0],
        Flops {
            forward: 48,
            backward: 96
        }
    );
    assert_eq!(cost.total, 144 + 16);
    assert_eq!(cost.costliest(), Some(product));
}

#[test]
fn vectors_are_one_row_or_one_column() {
    // [3, 2] @ [2]: 6 terms; [2] @ [2, 3]: 6 terms; [2] @ [2]: 2 terms.
    let flops = |a: &[usize], b: &[usize], out: &[usize]| node_flops(Op::MatMul, &[a, b], out);
    assert_eq!(flops(&[3, 2], &[2], &[3]).total(), 36);
    assert_eq!(flops(&[2], &[2, 3], &[3]).total(), 36);
    assert_eq!(flops(&[2], &[2], &[]).total(), 12);
}

#[test]
fn other_kinds_by_their_conventions() {
    let flops = |op: Op, inputs: &[&[usize]], out: &[usize]| {
        let f = node_flops(op, inputs, out);
        (f.forward, f.backward)
    };
    // Broadcasting [2, 3] + [3]: 6 outputs, two operands whose derivative is 1.
    assert_eq!(flops(Op::Add, &[&[2, 3], &[3]], &[2, 3]), (6, 24));
    // relu′ is the indicator 1[a > 0]: 1 operation, then 2.
    assert_eq!(flops(Op::Relu, &[&[5]], &[5]), (5, 15));
    // exp costs 10; its derivative is its output: 0, then 2.
    assert_eq!(flops(Op::Exp, &[&[5]], &[5]), (50, 10));
    // a/b: 1 forward; 1/b is 1, −a/b² is a negation, a division and a square (2).
    assert_eq!(flops(Op::Div, &[&[5], &[5]], &[5]), (5, 5 * (3 + 6)));
    // a^b: 10 forward; b·a^(b−1) is 12, out·ln(a) is 11.
    assert_eq!(flops(Op::Pow, &[&[1], &[1]], &[1]), (10, 14 + 13));
    // x^0.5 is a function call, x^3 two multiplications; 3x² is a product and a square.
    assert_eq!(flops(Op::PowConst(0.5), &[&[1]], &[1]).0, 10);
    assert_eq!(flops(Op::PowConst(3.0), &[&[1]], &[1]), (2, 3 + 2));
    assert_eq!(flops(Op::Mean(Some(0)), &[&[4, 5]], &[5]), (20, 20));
    assert_eq!(flops(Op::Transpose, &[&[4, 5]], &[5, 4]), (20, 20));
    assert_eq!(flops(Op::Softmax, &[&[4, 5]], &[4, 5]), (280, 280));
    assert_eq!(flops(Op::CrossEntropy, &[&[4, 5], &[4]], &[]), (280, 280));
    assert_eq!(flops(Op::Mse, &[&[4], &[4]], &[]), (12, 16));
    assert_eq!(flops(Op::Input, &[], &[1000]), (0, 0));
    assert_eq!(flops(Op::Literal, &[], &[1000]), (0, 0));
}

#[test]
fn huge_shapes_saturate_rather_than_overflow() {
    let big = usize::MAX / 2;
    let flops = node_flops(Op::MatMul, &[&[big, big], &[big, big]], &[big, big]);
    assert_eq!(flops.total(), u64::MAX);
}

#[test]
fn counts_are_written_for_people() {
    assert_eq!(format_flops(10), "10");
    assert_eq!(format_flops(200_000_000), "2.0e8");
    assert_eq!(format_flops(12_345_678_901), "1.2e10");
}

#[test]
fn every_example_fits_the_budget() {
    for example in crate::examples::all() {
        let cost = cost_of(example.source);
        assert!(
            cost.total <= STEP_BUDGET,
            "{}: {}",
            example.slug,
            cost.total
        );
    }
    // The largest, a minibatch of 64 through a 2-16-16-2 network, is far inside.
    assert!(cost_of(crate::examples::find("moons-mlp").unwrap().source).total < 1_000_000);
}

/// The measurement behind [`STEP_BUDGET`]: programs right at the budget, each stepped to
/// the end and run once on the CPU backend. Run on an optimized build:
/// `cargo test --release --lib graph::cost::tests::budget_timing -- --ignored --nocapture`.
#[test]
#[ignore = "a timing, not a test: run it with --release"]
fn budget_timing() {
    use crate::backend::cpu::CpuBackend;
    use crate::backend::{Backend, block_on};
    use crate::engine::inputs::resolve;
    use crate::engine::{Mode, Stepper};
    use std::time::Instant;

    let programs = [
        (
            "a matrix product",
            "A = randn([320, 320], 1); B = randn([320, 320], 2); sum(A @ B)",
        ),
        (
            "elementwise at the size limit",
            "x = randn([1290, 1290], 1); y = x ^ x; z = sigmoid(y) / x; sum(z)",
        ),
        (
            "softmax at the size limit",
            "x = randn([2048, 1024], 1); s = softmax(x); sum(mean(s * x, 1))",
        ),
        (
            "a wide MLP",
            "X = features(moons, 1024, 1024)\ny = labels(moons, 1024, 1024)\n\
             W1 = param(randn([2, 160], 1)); W2 = param(randn([160, 160], 2))\n\
             W3 = param(randn([160, 2], 3))\n\
             h = relu(relu(X @ W1) @ W2); cross_entropy(h @ W3, y)",
        ),
    ];
    for (what, source) in programs {
        let graph = compile(source).unwrap_or_else(|e| panic!("{what}: {e}"));
        let flops = cost(&graph).total;
        let inputs = resolve(&graph, &[], Some(1.0)).unwrap();
        let started = Instant::now();
        let mut stepper = Stepper::new(graph.clone(), inputs, Mode::Reverse).unwrap();
        stepper.run_to_end();
        let stepped = started.elapsed().as_secs_f64();
        let mut backend = CpuBackend::new();
        let started = Instant::now();
        backend.load(&graph).unwrap();
        backend.forward().unwrap();
        backend.backward().unwrap();
        let _ = block_on(backend.read(graph.output(), crate::backend::Quantity::Value));
        let ran = started.elapsed().as_secs_f64();
        println!(
            "{what}: {} flops ({:.0}% of the budget); stepper {stepped:.3} s \
             ({:.2} GFLOP/s), CPU backend {ran:.3} s",
            format_flops(flops),
            100.0 * flops as f64 / STEP_BUDGET as f64,
            flops as f64 / stepped / 1e9,
        );
    }
}
