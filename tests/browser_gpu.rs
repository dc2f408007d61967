//! The GPU backend in the browser: WebGPU in headless Chromium (`--enable-unsafe-webgpu`
//! gives a SwiftShader adapter on a machine without a GPU; see webdriver.json and
//! .ci/browser-tests.sh). The seeds' 2-3-1 network and the moons MLP run and train on the
//! WebGPU backend (the moons MLP's losses also logged on the GPU and read back together),
//! as do dense layers chained and 130 wide and a product 131 wide, and are compared with
//! the CPU reference, within the parity tests' tolerance (absolute 1e-4, relative 1e-3;
//! tests/backend_parity). Without an adapter these tests FAIL: the browser tests must not
//! pass with the GPU quietly missing. On the host this file compiles to an empty test
//! binary.
#![cfg(target_arch = "wasm32")]

use backprop_viz::backend::cpu::CpuBackend;
use backprop_viz::backend::gpu::GpuBackend;
use backprop_viz::backend::{Backend, Quantity};
use backprop_viz::graph::Graph;
use backprop_viz::program::compile;
use backprop_viz::tensor::Tensor;
use backprop_viz::train::{OptimizerKind, TrainConfig, Trainer, UpdateRule};
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const TINY_RELU: &str = include_str!("../www/examples/06-tiny-relu-network.bp");
const MOONS_MLP: &str = include_str!("../www/examples/07-moons-mlp.bp");

const ABSOLUTE: f64 = 1e-4;
const RELATIVE: f64 = 1e-3;

fn close(got: f64, expected: f64) -> bool {
    (got - expected).abs() <= ABSOLUTE + RELATIVE * expected.abs()
}

fn assert_tensor(label: &str, got: &Tensor, expected: &Tensor) {
    assert_eq!(got.shape(), expected.shape(), "{label}: shape");
    for (index, (&g, &e)) in got.data().iter().zip(expected.data()).enumerate() {
        assert!(close(g, e), "{label}: element {index} is {g}, expected {e}");
    }
}

/// The WebGPU backend, or a failure saying why there is none.
async fn webgpu() -> GpuBackend {
    match GpuBackend::acquire().await {
        Ok(backend) => backend,
        Err(error) => panic!(
            "WebGPU unavailable: {error}. Chromium needs --enable-unsafe-webgpu \
             (webdriver.json) for its SwiftShader adapter"
        ),
    }
}

fn program(source: &str) -> Graph {
    compile(source).expect("the example compiles")
}

#[wasm_bindgen_test]
async fn an_adapter_is_found_and_named() {
    let backend = webgpu().await;
    let name = backend.name();
    console_log!("WebGPU backend: {name}");
    assert!(name.starts_with("GPU (f32): "), "{name}");
    assert!(backend.lost().is_none());
}

#[wasm_bindgen_test]
async fn the_tiny_relu_network_matches_the_cpu_and_the_seeds() {
    let graph = program(TINY_RELU);
    let mut gpu = webgpu().await;
    let mut cpu = CpuBackend::new();
    gpu.load(&graph).expect("load");
    cpu.load(&graph).expect("load");
    gpu.forward().expect("forward");
    gpu.backward().expect("backward");
    cpu.forward().expect("forward");
    cpu.backward().expect("backward");
    let loss = gpu.read(graph.output(), Quantity::Value).await.expect("L");
    let loss = loss.item().expect("a scalar");
    assert!(close(loss, 0.6498), "L = {loss}");
    for id in graph.inputs() {
        let name = &graph.node(id).name;
        let got = gpu.read(id, Quantity::Gradient).await.expect("a gradient");
        let expected = cpu.read(id, Quantity::Gradient).await.expect("a gradient");
        assert_tensor(&format!("gradient of {name}"), &got, &expected);
    }
    let w2 = graph.find("W2").expect("W2");
    let w2 = gpu.read(w2, Quantity::Gradient).await.expect("∂W2");
    let seeds = Tensor::from_vec(vec![1, 3], vec![0.0, -1.824, -0.912]).expect("∂W2");
    assert_tensor("∂L/∂W2", &w2, &seeds);

    // Train it: ten SGD steps, losses as on the CPU.
    let config = TrainConfig::new(UpdateRule::Sgd, 0.1);
    let mut gpu_run = Trainer::new(gpu, graph.clone(), config).expect("trains");
    let mut cpu_run = Trainer::new(cpu, graph, config).expect("trains");
    for step in 0..10 {
        let got = gpu_run.step().await.expect("a step");
        let expected = cpu_run.step().await.expect("a step");
        assert!(close(got, expected), "step {step}: {got} vs {expected}");
    }
}

#[wasm_bindgen_test]
async fn the_moons_mlp_trains_as_on_the_cpu() {
    let graph = program(MOONS_MLP);
    let config = TrainConfig::new(UpdateRule::default_for(OptimizerKind::Adam), 0.02);
    let mut gpu = Trainer::new(webgpu().await, graph.clone(), config).expect("trains");
    let mut cpu = Trainer::new(CpuBackend::new(), graph, config).expect("trains");
    for step in 0..5 {
        let got = gpu.step().await.expect("a step");
        let expected = cpu.step().await.expect("a step");
        assert!(close(got, expected), "step {step}: {got} vs {expected}");
    }
    // Twenty steps queued into one submission, then one read.
    for _ in 0..20 {
        gpu.step_quietly().expect("a quiet step");
        cpu.step_quietly().expect("a quiet step");
    }
    let (got, expected) = (
        gpu.loss().await.expect("loss"),
        cpu.loss().await.expect("loss"),
    );
    assert!(close(got, expected), "after 25 steps: {got} vs {expected}");
    let w1 = gpu.graph().find("W1").expect("W1");
    let got = gpu.backend().read(w1, Quantity::Value).await.expect("W1");
    let expected = cpu.backend().read(w1, Quantity::Value).await.expect("W1");
    assert_tensor("W1 after 25 steps", &got, &expected);
    let counters = gpu.backend().context().counters();
    assert!(counters.submissions > 0 && counters.dispatches > 0);
}

/// Dense layers chained so each writes the earlier one's δ, 130 wide (the forward's wide
/// blocks), and a product 131 wide (the register-blocked product's wide blocks): every
/// value and gradient as on the CPU, after one backward pass and after a second added
/// to it.
#[wasm_bindgen_test]
async fn wide_and_chained_layers_match_the_cpu() {
    const CHAINED: &str = "
X = param(randn([7, 13], 11))
W1 = param(randn([13, 130], 12) * 0.3)
b1 = param(randn([130], 13))
h1 = tanh(X @ W1 + b1)
W2 = param(randn([130, 9], 14) * 0.3)
b2 = param(randn([9], 15))
h2 = sigmoid(h1 @ W2 + b2)
W3 = param(randn([9, 5], 16))
b3 = param(randn([5], 17))
h3 = relu(h2 @ W3 + b3)
L = sum(h3 * h3)";
    const PRODUCT: &str = "
A = param(randn([9, 17], 21))
B = param(randn([17, 131], 22) * 0.5)
Z = A @ B
L = sum(Z * Z)";
    for source in [CHAINED, PRODUCT] {
        let graph = program(source);
        let mut gpu = webgpu().await;
        let mut cpu = CpuBackend::new();
        gpu.load(&graph).expect("load");
        cpu.load(&graph).expect("load");
        gpu.forward().expect("forward");
        cpu.forward().expect("forward");
        for pass in 1..=2 {
            gpu.backward().expect("backward");
            cpu.backward().expect("backward");
            for id in graph.inputs() {
                let name = &graph.node(id).name;
                let got = gpu.read(id, Quantity::Gradient).await.expect("a gradient");
                let expected = cpu.read(id, Quantity::Gradient).await.expect("a gradient");
                assert_tensor(&format!("∂{name} after {pass} passes"), &got, &expected);
            }
        }
        for id in graph.ids() {
            let name = &graph.node(id).name;
            let got = gpu.read(id, Quantity::Value).await.expect("a value");
            let expected = cpu.read(id, Quantity::Value).await.expect("a value");
            assert_tensor(&format!("value of {name}"), &got, &expected);
        }
    }
}

/// Steps whose losses stay on the GPU: twelve of them read back at once (one readback),
/// each as the CPU's loss of that step.
#[wasm_bindgen_test]
async fn logged_losses_are_read_back_together_as_on_the_cpu() {
    let graph = program(MOONS_MLP);
    let config = TrainConfig::new(UpdateRule::default_for(OptimizerKind::Adam), 0.02);
    let mut gpu = Trainer::new(webgpu().await, graph.clone(), config).expect("trains");
    let mut cpu = Trainer::new(CpuBackend::new(), graph, config).expect("trains");
    gpu.step().await.expect("a first step");
    cpu.step().await.expect("a first step");
    gpu.backend().context().reset_counters();
    for _ in 0..12 {
        gpu.step_logged().await.expect("a logged step");
    }
    let got = gpu.logged_losses().await.expect("the logged losses");
    let counters = gpu.backend().context().counters();
    assert_eq!((counters.submissions, counters.readbacks), (1, 1));
    assert_eq!(got.len(), 12);
    for (step, got) in got.into_iter().enumerate() {
        let expected = cpu.step().await.expect("a step");
        assert!(
            close(got, expected),
            "logged step {step}: {got} vs {expected}"
        );
    }
}
