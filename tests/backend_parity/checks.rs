//! The checks of one backend's graph execution against the f64 CPU reference: the seeds'
//! 2-3-1 network, a graph with every op, gradient accumulation, queued writes, errors.

use super::Tolerance;
use backprop_viz::backend::block_on;
use backprop_viz::backend::cpu::CpuBackend;
use backprop_viz::backend::{Backend, BackendError, Quantity};
use backprop_viz::graph::{Graph, NodeId};
use backprop_viz::program::compile;
use backprop_viz::tensor::{Tensor, TensorError};
use backprop_viz::train::UpdateRule;

const TINY_RELU: &str = include_str!("../../www/examples/06-tiny-relu-network.bp");

/// Every op of the language, forward and backward, with broadcasting, all four matmul
/// forms, reductions over everything and along each axis, both losses, the selections
/// (`where`, comparisons, `step`, `argmax`), `detach` and `layer_norm`.
const EVERY_OP: &str = "\
A = param(randn([3, 4], 1))
B = param(randn([4, 5], 2))
v = param(randn([4], 3))
P = param(abs(randn([3, 4], 4)) + 0.5)
T = randn([3, 5], 5)
y = [0, 4, 2]
C = A @ B
u = A @ v
w = v @ B
s = v @ v
D = transpose(C) + u
E = exp(A) + log(P) - sqrt(P) * sin(A) / (cos(A) + 2)
F = tanh(C) + sigmoid(C) - relu(C) * abs(C) + w
G = -(P ^ A) + A ^ 3
H = E
M = max(C) + sum(max(C, 0)) + mean(max(D, 1))
R = sum(C, 0) * w + sum(mean(C, 1) * u)
S = softmax(C) * T + transpose(log_softmax(D))
I = sum(P, 1) @ A
K = where(C > 0, C, 0.1 * C) + detach(C) * step(C - 0.5) + layer_norm(C) * T
J = (A <= v) * A + (A >= 0) * P + (A < 1) + where(v > 0, A, 2)
N = sum(argmax(C, 1) * u) + argmax(C)
L = sum(H * G) + sum(F) / 10 + s * mean(D) + M + sum(S) + cross_entropy(C, y) + mse(C, T) + mean(R) + sum(I) + sum(K) + sum(J) + N
";

fn value<B: Backend>(backend: &mut B, node: NodeId) -> Tensor {
    block_on(backend.read(node, Quantity::Value)).expect("a value")
}

fn gradient<B: Backend>(backend: &mut B, node: NodeId) -> Tensor {
    block_on(backend.read(node, Quantity::Gradient)).expect("a gradient")
}

fn node(graph: &Graph, name: &str) -> NodeId {
    graph.find(name).unwrap_or_else(|| panic!("no node {name}"))
}

/// Load `source` into `backend` and into the reference, and run both passes on both.
fn both<B: Backend>(backend: &mut B, source: &str) -> (Graph, CpuBackend) {
    let graph = compile(source).expect("the program compiles");
    let mut reference = CpuBackend::new();
    for runner in [backend as &mut dyn FnBackend, &mut reference] {
        runner.run(&graph);
    }
    (graph, reference)
}

/// Load, forward and backward through a `dyn`-friendly door.
trait FnBackend {
    fn run(&mut self, graph: &Graph);
    /// Forward and backward once more, without zeroing the gradients.
    fn run_again(&mut self);
}

impl<B: Backend> FnBackend for B {
    fn run(&mut self, graph: &Graph) {
        self.load(graph).expect("load");
        self.run_again();
    }

    fn run_again(&mut self) {
        self.forward().expect("forward");
        self.backward().expect("backward");
    }
}

pub fn tiny_relu_network<B: Backend>(mut backend: B, tolerance: Tolerance) {
    let (graph, _) = both(&mut backend, TINY_RELU);
    // The seeds print rounded decimals; in f64 they are exact up to binary rounding.
    let tolerance = tolerance.at_least(1e-12);
    let loss = value(&mut backend, graph.output());
    tolerance.assert_number("L", loss.item().expect("a scalar"), 0.6498);
    let w2 = gradient(&mut backend, node(&graph, "W2"));
    let expected_w2 = Tensor::from_vec(vec![1, 3], vec![0.0, -1.824, -0.912]).expect("W2");
    tolerance.assert_tensor("∂L/∂W2", &w2, &expected_w2);
    let w1 = gradient(&mut backend, node(&graph, "W1"));
    let expected_w1 =
        Tensor::from_vec(vec![3, 2], vec![0.0, 0.0, 0.570, 1.140, -0.798, -1.596]).expect("W1");
    tolerance.assert_tensor("∂L/∂W1", &w1, &expected_w1);
    // The dead neuron's row is exactly zero: relu′ is 0 at (and below) its kink.
    assert_eq!(&w1.data()[..2], &[0.0, 0.0], "the dead neuron's row");
}

pub fn every_op<B: Backend>(mut backend: B, tolerance: Tolerance) {
    let (graph, mut reference) = both(&mut backend, EVERY_OP);
    for id in graph.ids() {
        let name = &graph.node(id).name;
        let expected = value(&mut reference, id);
        tolerance.assert_tensor(
            &format!("value of {name}"),
            &value(&mut backend, id),
            &expected,
        );
    }
    for id in graph.inputs() {
        let name = &graph.node(id).name;
        let expected = gradient(&mut reference, id);
        let got = gradient(&mut backend, id);
        tolerance.assert_tensor(&format!("gradient of {name}"), &got, &expected);
    }
}

/// Dense layers the GPU fuses (`act(x @ w + b)`, one kernel each way) on sizes that fill
/// no block: every activation, a bias as a row and on the left, a layer whose sum is read
/// twice (fused up to the sum), and a product with no bias (not fused).
const DENSE: &str = "
X = param(randn([7, 13], 11))
W1 = param(randn([13, 5], 12) * 0.5)
b1 = param(randn([5], 13))
h1 = tanh(X @ W1 + b1)
W2 = param(randn([5, 3], 14))
b2 = param(randn([1, 3], 15))
h2 = sigmoid(b2 + h1 @ W2)
W3 = param(randn([3, 6], 16))
b3 = param(randn([6], 17))
h3 = relu(h2 @ W3 + b3)
W4 = param(randn([6, 2], 18))
b4 = param(randn([2], 19))
z4 = h3 @ W4 + b4
V = param(randn([2, 3], 20))
L = sum(z4 * z4) + sum(relu(z4)) + sum(z4 @ V)
";

/// [`DENSE`]: every value (the products and sums inside a fused layer included) and every
/// gradient, after one backward pass and after a second one added to it.
pub fn dense_layers<B: Backend>(mut backend: B, tolerance: Tolerance) {
    let (graph, mut reference) = both(&mut backend, DENSE);
    for id in graph.ids() {
        let name = &graph.node(id).name;
        let expected = value(&mut reference, id);
        tolerance.assert_tensor(
            &format!("value of {name}"),
            &value(&mut backend, id),
            &expected,
        );
    }
    for pass in 1..=2 {
        for id in graph.inputs() {
            let name = &graph.node(id).name;
            let expected = gradient(&mut reference, id);
            let got = gradient(&mut backend, id);
            tolerance.assert_tensor(
                &format!("gradient of {name} after {pass} passes"),
                &got,
                &expected,
            );
        }
        backend.run_again();
        reference.run_again();
    }
}

/// Graphs at the edges of the backward pass: the output is a leaf, a node nothing reads, a
/// variable read twice by one op, labels computed by the graph, copies and sums passing
/// their adjoint through, a product with its own transpose, no parameters at all.
const UNUSUAL: [&str; 7] = [
    "w = param(2); w",
    "w = param([1, 2]); a = w * 3; b = w + 1; sum(b)",
    "x = param([1, -2]); sum(x * x)",
    "z = param([[1, 2, 0]]); t = [2] * 1; cross_entropy(z, t)",
    "a = param([1, 2]); b = a; c = b + [1, 1]; d = c - a; sum(d * c)",
    "w = param([[1, 2], [3, 4]]); sum(transpose(w) @ w - w)",
    "sum([1, 2] * 3)",
];

/// Each of [`UNUSUAL`]: two backward passes (accumulating), every value and gradient.
pub fn unusual_graphs<B: Backend>(mut backend: B, tolerance: Tolerance) {
    for source in UNUSUAL {
        let graph = compile(source).unwrap_or_else(|error| panic!("{source}: {error}"));
        let mut reference = CpuBackend::new();
        for runner in [&mut backend as &mut dyn FnBackend, &mut reference] {
            runner.run(&graph);
            runner.run_again();
        }
        for id in graph.ids() {
            let label = format!("{source}: value of {}", graph.node(id).name);
            let expected = value(&mut reference, id);
            tolerance.assert_tensor(&label, &value(&mut backend, id), &expected);
        }
        for id in graph.inputs() {
            let label = format!("{source}: gradient of {}", graph.node(id).name);
            let expected = gradient(&mut reference, id);
            tolerance.assert_tensor(&label, &gradient(&mut backend, id), &expected);
        }
    }
}

/// Gradients add up over backward passes until zeroed; scaling and SGD act on them.
pub fn accumulation<B: Backend>(mut backend: B) {
    let graph = compile("w = param(3); x = 2; w * x").expect("compiles");
    let (w, x) = (node(&graph, "w"), node(&graph, "x"));
    backend.load(&graph).expect("load");
    let item = |backend: &mut B, node, quantity| {
        block_on(backend.read(node, quantity))
            .expect("read")
            .item()
            .expect("a scalar")
    };
    assert_eq!(item(&mut backend, w, Quantity::Gradient), 0.0);
    for _ in 0..3 {
        backend.forward().expect("forward");
        backend.backward().expect("backward");
    }
    assert_eq!(item(&mut backend, w, Quantity::Gradient), 6.0);
    assert_eq!(item(&mut backend, x, Quantity::Gradient), 9.0);
    backend.scale_grads(0.5).expect("scale");
    assert_eq!(item(&mut backend, w, Quantity::Gradient), 3.0);
    backend.zero_grads().expect("zero");
    assert_eq!(item(&mut backend, w, Quantity::Gradient), 0.0);
    // Zeroed, then one pass: the gradient of that pass alone, for every input.
    backend.backward().expect("backward");
    assert_eq!(item(&mut backend, w, Quantity::Gradient), 2.0);
    assert_eq!(item(&mut backend, x, Quantity::Gradient), 3.0);
    // Zeroed and not recomputed: an update sees zeros and SGD moves nothing.
    backend.zero_grads().expect("zero");
    backend.update(UpdateRule::Sgd, 0.5).expect("update");
    assert_eq!(item(&mut backend, w, Quantity::Value), 3.0);
    backend.backward().expect("backward");
    backend.update(UpdateRule::Sgd, 0.5).expect("update");
    assert_eq!(item(&mut backend, w, Quantity::Value), 2.0);
    assert_eq!(
        item(&mut backend, x, Quantity::Value),
        2.0,
        "inputs do not move"
    );
    // Values and gradients come back after the update: w·x = 2·2.
    backend.forward().expect("forward");
    assert_eq!(item(&mut backend, graph.output(), Quantity::Value), 4.0);
    // Loading again starts from the program's values with zero gradients.
    backend.load(&graph).expect("reload");
    assert_eq!(item(&mut backend, w, Quantity::Value), 3.0);
    assert_eq!(item(&mut backend, w, Quantity::Gradient), 0.0);
}

/// Several steps queued before one read, each with its own minibatch: every step must see
/// its own data (a GPU backend copies each write into place inside the recording).
pub fn queued_writes<B: Backend>(mut backend: B, tolerance: Tolerance) {
    let source = "x = [1, 2]\nw = param([0.5, -0.5])\nL = sum(w * x)^2";
    let graph = compile(source).expect("compiles");
    let (x, w) = (node(&graph, "x"), node(&graph, "w"));
    let mut reference = CpuBackend::new();
    backend.load(&graph).expect("load");
    reference.load(&graph).expect("load");
    for step in 0..4 {
        let batch = Tensor::from_vec(vec![2], vec![f64::from(step) - 1.0, 0.5 * f64::from(step)])
            .expect("a batch");
        for runner in [&mut backend as &mut dyn Steps, &mut reference] {
            runner.step(x, &batch);
        }
    }
    for (label, node, quantity) in [
        ("w", w, Quantity::Value),
        ("∂L/∂w", w, Quantity::Gradient),
        ("L", graph.output(), Quantity::Value),
        ("x", x, Quantity::Value),
    ] {
        let expected = block_on(reference.read(node, quantity)).expect("reference");
        let got = block_on(backend.read(node, quantity)).expect("read");
        tolerance.assert_tensor(label, &got, &expected);
    }
}

/// One training step on a written minibatch, through a `dyn`-friendly door.
trait Steps {
    fn step(&mut self, x: NodeId, batch: &Tensor);
}

impl<B: Backend> Steps for B {
    fn step(&mut self, x: NodeId, batch: &Tensor) {
        self.write(x, batch).expect("write");
        self.zero_grads().expect("zero");
        self.forward().expect("forward");
        self.backward().expect("backward");
        self.update(UpdateRule::Momentum { momentum: 0.9 }, 0.1)
            .expect("update");
    }
}

pub fn errors<B: Backend>(mut backend: B) {
    assert_eq!(backend.forward(), Err(BackendError::NotLoaded));
    let graph =
        compile("z = param([[1, 2, 3], [0, 1, 0]])\ny = [2, 0]\nh = z * 2\ncross_entropy(h, y)")
            .expect("compiles");
    let (z, y, h) = (node(&graph, "z"), node(&graph, "y"), node(&graph, "h"));
    backend.load(&graph).expect("load");
    assert!(matches!(
        block_on(backend.read(h, Quantity::Value)),
        Err(BackendError::NotComputed { what: "value", .. })
    ));
    assert!(matches!(
        backend.backward(),
        Err(BackendError::NotComputed { .. })
    ));
    assert!(matches!(
        block_on(backend.read(h, Quantity::Gradient)),
        Err(BackendError::NotComputed {
            what: "gradient",
            ..
        })
    ));
    assert!(matches!(
        backend.write(z, &Tensor::scalar(1.0)),
        Err(BackendError::ShapeChanged { .. })
    ));
    assert!(matches!(
        backend.write(h, &Tensor::zeros(&[2, 3]).expect("zeros")),
        Err(BackendError::NotALeaf { .. })
    ));
    assert!(matches!(
        backend.write(NodeId(99), &Tensor::scalar(1.0)),
        Err(BackendError::UnknownNode { .. })
    ));
    assert!(matches!(
        block_on(backend.read(NodeId(99), Quantity::Value)),
        Err(BackendError::UnknownNode { .. })
    ));
    // Labels outside 0..3 are refused by the loss, naming the loss's node.
    let bad = Tensor::from_vec(vec![2], vec![1.0, 3.0]).expect("labels");
    let written = backend.write(y, &bad).and_then(|()| backend.forward());
    match written {
        Err(BackendError::Tensor { node, error }) => {
            assert_eq!(node, graph.output());
            assert!(matches!(
                error,
                TensorError::LabelOutOfRange { index: 1, .. }
            ));
        }
        other => panic!("bad labels gave {other:?}"),
    }
    let fraction = Tensor::from_vec(vec![2], vec![0.5, 1.0]).expect("labels");
    assert!(matches!(
        backend.write(y, &fraction).and_then(|()| backend.forward()),
        Err(BackendError::Tensor {
            error: TensorError::LabelNotInteger { index: 0, .. },
            ..
        })
    ));
    // Good labels again: it runs.
    let good = Tensor::from_vec(vec![2], vec![1.0, 2.0]).expect("labels");
    backend.write(y, &good).expect("write");
    backend.forward().expect("forward");
    backend.backward().expect("backward");
    let loss = value(&mut backend, graph.output())
        .item()
        .expect("a scalar");
    assert!(loss.is_finite() && loss > 0.0, "loss {loss}");
}
