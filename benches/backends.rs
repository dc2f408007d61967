//! Backend throughput, side by side in one run: matrix products (GFLOP/s) and MLP training
//! steps per second on the CPU reference backend (f64, one thread) and on the GPU backend
//! (f32, wgpu), with their ratios, and how many dispatches and submissions one training
//! step takes on the GPU.
//!
//! Run with `cargo bench --bench backends` (add `-- --quick` for a short run). Without a
//! GPU adapter only the CPU column is printed, with the reason.

use backprop_viz::backend::Backend;
use backprop_viz::backend::block_on;
use backprop_viz::backend::cpu::CpuBackend;
use backprop_viz::backend::gpu::{GpuBackend, GpuContext, GpuError, GpuTensor};
use backprop_viz::graph::Graph;
use backprop_viz::program::compile;
use backprop_viz::tensor::{Tensor, matmul};
use backprop_viz::train::{TrainConfig, Trainer, UpdateRule};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Repeat `work` until `budget` has passed (at least twice, the first call untimed); the
/// mean seconds per call.
fn seconds_per_call(budget: Duration, mut work: impl FnMut()) -> f64 {
    work();
    let start = Instant::now();
    let mut calls = 0u32;
    while calls == 0 || start.elapsed() < budget {
        work();
        calls += 1;
    }
    start.elapsed().as_secs_f64() / f64::from(calls)
}

fn flops(n: usize) -> f64 {
    2.0 * (n as f64).powi(3)
}

fn cpu_matmul_gflops(n: usize, budget: Duration) -> f64 {
    let a = Tensor::randn(&[n, n], 1).expect("a benchmark matrix fits");
    let b = Tensor::randn(&[n, n], 2).expect("a benchmark matrix fits");
    let seconds = seconds_per_call(budget, || {
        black_box(matmul::forward(&[&a, &b]).expect("square matrices multiply"));
    });
    flops(n) / seconds / 1e9
}

/// `repeats` products recorded into one submission, then a one-element readback to wait
/// for them.
fn gpu_products(
    context: &GpuContext,
    [a, b, c, done]: [&GpuTensor; 4],
    repeats: usize,
) -> Result<(), GpuError> {
    let mut recorder = context.recorder()?;
    for _ in 0..repeats {
        recorder.matmul(a, b, c)?;
    }
    recorder.fill(done, 1.0)?;
    let readback = done.read_back(&mut recorder)?;
    recorder.submit()?;
    block_on(readback.data()).map(|_| ())
}

fn gpu_matmul_gflops(context: &GpuContext, n: usize, budget: Duration) -> Result<f64, GpuError> {
    let a = context.upload(&Tensor::randn(&[n, n], 1)?)?;
    let b = context.upload(&Tensor::randn(&[n, n], 2)?)?;
    let (c, done) = (context.tensor(&[n, n])?, context.tensor(&[])?);
    let repeats = (512 / n).max(1);
    let mut failure = None;
    let seconds = seconds_per_call(budget, || {
        if let Err(error) = gpu_products(context, [&a, &b, &c, &done], repeats) {
            failure.get_or_insert(error);
        }
    });
    match failure {
        Some(error) => Err(error),
        None => Ok(flops(n) * repeats as f64 / seconds / 1e9),
    }
}

/// An MLP with the given layer widths as a program, trained on random data of one class,
/// or why the language refuses it (a step over its work limit).
fn mlp(widths: &[usize], batch: usize) -> Result<Graph, String> {
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
    compile(&lines.join("\n")).map_err(|error| error.to_string())
}

fn trainer<B: Backend>(backend: B, graph: Graph) -> Trainer<B> {
    let config = TrainConfig::new(UpdateRule::Sgd, 0.01);
    Trainer::new(backend, graph, config).expect("the benchmark MLP trains")
}

/// Steps per second with the loss read back after every `per_read` steps (the GPU
/// submits once per read; the CPU is ready at once).
fn steps_per_second<B: Backend>(run: &mut Trainer<B>, per_read: usize, budget: Duration) -> f64 {
    let seconds = seconds_per_call(budget, || {
        for _ in 0..per_read {
            run.step_quietly().expect("a training step runs");
        }
        black_box(block_on(run.loss()).expect("the loss"));
    });
    per_read as f64 / seconds
}

/// GPU work for one training step of `graph`: (dispatches, submissions).
fn gpu_work_per_step(run: &mut Trainer<GpuBackend>) -> (u64, u64) {
    run.backend().context().reset_counters();
    block_on(run.step()).expect("a training step runs");
    let counters = run.backend().context().counters();
    (counters.dispatches, counters.submissions)
}

fn ratio(gpu: Option<f64>, cpu: f64) -> String {
    gpu.map_or("—".into(), |gpu| format!("{:.2}×", gpu / cpu))
}

fn number(value: Option<f64>, width: usize, precision: usize) -> String {
    value.map_or(format!("{:>width$}", "—"), |value| {
        format!("{value:>width$.precision$}")
    })
}

fn main() {
    let quick = std::env::args().any(|arg| arg == "--quick");
    let budget = Duration::from_millis(if quick { 200 } else { 1500 });
    let context = match block_on(GpuContext::new()) {
        Ok(context) => {
            context.warm_up();
            println!("GPU: {} (f32)", context.name());
            Some(context)
        }
        Err(error) => {
            println!("GPU: unavailable ({error}); CPU figures only");
            None
        }
    };
    println!("CPU: the reference backend (f64, one thread)\n");

    println!("matmul n×n @ n×n, GFLOP/s");
    println!("      n        CPU        GPU   GPU/CPU");
    for n in [256, 512, 1024, 2048] {
        let cpu = cpu_matmul_gflops(n, budget);
        let gpu = context.as_ref().map(|context| {
            gpu_matmul_gflops(context, n, budget).unwrap_or_else(|error| panic!("n = {n}: {error}"))
        });
        println!(
            "  {n:>5} {cpu:>10.2} {} {:>9}",
            number(gpu, 10, 2),
            ratio(gpu, cpu)
        );
    }

    println!("\nMLP training steps per second (forward + backward + SGD update)");
    println!("  GPU 1/read: the loss read back after every step, one submission each;");
    println!("  GPU 8/read: eight steps queued into one submission. GPU/CPU takes the better.");
    println!(
        "  model        batch       CPU   GPU 1/read  GPU 8/read   GPU/CPU   dispatches/step  submissions/step"
    );
    let gpu_available = context.is_some();
    drop(context);
    for (name, widths, batches) in [
        ("2-16-16-2", vec![2, 16, 16, 2], &[64][..]),
        ("2-256-256-2", vec![2, 256, 256, 2], &[256, 1024][..]),
        ("784-256-10", vec![784, 256, 10], &[256, 1024][..]),
    ] {
        for &batch in batches {
            let graph = match mlp(&widths, batch) {
                Ok(graph) => graph,
                Err(error) => {
                    println!("  {name:<12} {batch:>5}   not run: {error}");
                    continue;
                }
            };
            let mut cpu_run = trainer(CpuBackend::new(), graph.clone());
            let cpu = steps_per_second(&mut cpu_run, 1, budget);
            let mut gpu = None;
            if gpu_available {
                let backend = block_on(GpuBackend::acquire()).expect("the adapter found above");
                backend.context().warm_up();
                let mut run = trainer(backend, graph);
                let (dispatches, submissions) = gpu_work_per_step(&mut run);
                let each = steps_per_second(&mut run, 1, budget);
                let eight = steps_per_second(&mut run, 8, budget);
                gpu = Some((each, eight, dispatches, submissions));
            }
            let best = gpu.map(|(each, eight, ..)| each.max(eight));
            println!(
                "  {name:<12} {batch:>5} {cpu:>9.1} {} {} {:>9} {} {}",
                number(gpu.map(|g| g.0), 12, 1),
                number(gpu.map(|g| g.1), 11, 1),
                ratio(best, cpu),
                number(gpu.map(|g| g.2 as f64), 17, 0),
                number(gpu.map(|g| g.3 as f64), 17, 0),
            );
        }
    }
}
