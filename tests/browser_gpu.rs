//! The GPU backend in the browser: WebGPU in headless Chromium (`--enable-unsafe-webgpu`
//! gives a SwiftShader adapter on a machine without a GPU; see webdriver.json and
//! .ci/browser-tests.sh). The seeds' 2-3-1 network and the moons MLP run and train on the
//! WebGPU backend and are compared with the CPU reference, within the parity tests'
//! tolerance (absolute 1e-4, relative 1e-3; tests/backend_parity). Without an adapter
//! these tests FAIL: the browser tests must not pass with the GPU quietly missing.
//! On the host this file compiles to an empty test binary.
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
