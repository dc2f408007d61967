//! Backend throughput: matrix products (GFLOP/s) and MLP training steps per second on the
//! CPU reference backend (f64), the baseline the GPU backend is measured against.
//!
//! Run with `cargo bench --bench backends` (add `-- --quick` for a short run).

use backprop_viz::graph::Graph;
use backprop_viz::program::compile;
use backprop_viz::tensor::cpu::CpuBackend;
use backprop_viz::tensor::{Backend, Tensor, matmul};
use backprop_viz::train::{TrainConfig, Trainer, UpdateRule};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Repeat `work` until `budget` has passed (at least once); the mean seconds per call.
fn seconds_per_call(budget: Duration, mut work: impl FnMut()) -> f64 {
    let start = Instant::now();
    let mut calls = 0u32;
    while calls == 0 || start.elapsed() < budget {
        work();
        calls += 1;
    }
    start.elapsed().as_secs_f64() / f64::from(calls)
}

fn matmul_gflops(n: usize, budget: Duration) -> f64 {
    let a = Tensor::randn(&[n, n], 1).expect("a benchmark matrix fits");
    let b = Tensor::randn(&[n, n], 2).expect("a benchmark matrix fits");
    let seconds = seconds_per_call(budget, || {
        black_box(matmul::forward(&[&a, &b]).expect("square matrices multiply"));
    });
    2.0 * (n as f64).powi(3) / seconds / 1e9
}

/// An MLP with the given layer widths as a program, trained on random data of one class.
fn mlp(widths: &[usize], batch: usize) -> Graph {
    let mut lines = vec![
        format!("X = randn([{batch}, {}], 7)", widths[0]),
        format!("y = zeros([{batch}])"),
    ];
    let mut previous = "X".to_string();
    for (layer, pair) in widths.windows(2).enumerate() {
        let (inputs, outputs) = (pair[0], pair[1]);
        let scale = (2.0 / inputs as f64).sqrt();
        lines.push(format!(
            "W{layer} = param(randn([{inputs}, {outputs}], {layer}) * {scale})"
        ));
        lines.push(format!("b{layer} = param(zeros([{outputs}]))"));
        let pre = format!("{previous} @ W{layer} + b{layer}");
        previous = format!("h{layer}");
        let last = layer + 2 == widths.len();
        lines.push(if last {
            format!("{previous} = {pre}")
        } else {
            format!("{previous} = relu({pre})")
        });
    }
    lines.push(format!("L = cross_entropy({previous}, y)"));
    compile(&lines.join("\n")).expect("the benchmark MLP compiles")
}

fn train_steps_per_second<B: Backend>(backend: B, graph: Graph, budget: Duration) -> f64 {
    let config = TrainConfig::new(UpdateRule::Sgd, 0.01);
    let mut trainer = Trainer::new(backend, graph, config).expect("the benchmark MLP trains");
    let seconds = seconds_per_call(budget, || {
        trainer.step_quietly().expect("a training step runs");
    });
    1.0 / seconds
}

fn main() {
    let quick = std::env::args().any(|arg| arg == "--quick");
    let budget = Duration::from_millis(if quick { 200 } else { 1500 });
    println!("CPU backend (f64, one thread)");
    println!("matmul n×n @ n×n");
    for n in [128, 256, 512, 1024] {
        println!("  n = {n:>4}: {:>7.2} GFLOP/s", matmul_gflops(n, budget));
    }
    println!("MLP training steps per second (forward + backward + SGD update)");
    for (name, widths) in [
        ("2-256-256-2", vec![2, 256, 256, 2]),
        ("784-256-10", vec![784, 256, 10]),
    ] {
        for batch in [256, 1024] {
            let rate = train_steps_per_second(CpuBackend::new(), mlp(&widths, batch), budget);
            println!("  {name:<12} batch {batch:>4}: {rate:>8.1} steps/s");
        }
    }
}
