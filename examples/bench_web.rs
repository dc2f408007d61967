//! The WebGPU side of the browser benchmark (`bench/web`, `make bench-web`): matrix
//! products and MLP training steps on the wgpu backend, exported to the page as promises,
//! plus what the page needs to run the same work on TensorFlow.js (the initial weights,
//! the minibatches in training order) and the CPU reference's losses to check both
//! against. Built for wasm32 outside Trunk by `.ci/bench-web.sh`; empty on other targets.
//!
//! The digits workload trains on scikit-learn's digits, which the page fetches and hands
//! over as text (the wasm build embeds no dataset): its program takes each minibatch as
//! plain leaves written before every step.
#![cfg(target_arch = "wasm32")]

use backprop_viz::backend::cpu::CpuBackend;
use backprop_viz::backend::gpu::{GpuBackend, GpuContext, GpuTensor};
use backprop_viz::backend::{Backend, block_on};
use backprop_viz::data::table::Table;
use backprop_viz::data::{DataSpec, SPLIT_SEED, TEST_SHARE, batch_tensors, shipped};
use backprop_viz::examples;
use backprop_viz::graph::{Graph, NodeId};
use backprop_viz::program::compile;
use backprop_viz::tensor::Tensor;
use backprop_viz::train::{OptimizerKind, TrainConfig, Trainer, UpdateRule};
use js_sys::{Array, Float32Array, Float64Array, Int32Array, Object, Promise, Reflect};
use std::cell::RefCell;
use std::fmt::Display;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

/// The wider MLP: 2-256-256-2 on 1024 moons points in minibatches of 256.
const WIDE_MLP: &str = "X = features(moons, 1024, 256)
y = labels(moons, 1024, 256)
W1 = param(randn([2, 256], 1) * 1.0)
b1 = param(zeros([256]))
W2 = param(randn([256, 256], 2) * 0.088)
b2 = param(zeros([256]))
W3 = param(randn([256, 2], 3) * 0.088)
b3 = param(zeros([2]))
h1 = relu(X @ W1 + b1)
h2 = relu(h1 @ W2 + b2)
logits = h2 @ W3 + b3
L = cross_entropy(logits, y)";

/// The digits MLP, 64-128-10, in minibatches of 128 of the 1,438 training images
/// (standardized): `X` and `y` are leaves the benchmark overwrites with each minibatch.
const DIGITS_MLP: &str = "X = randn([128, 64], 7)
y = zeros([128])
W1 = param(he([64, 128], 1))
b1 = param(zeros([128]))
W2 = param(glorot([128, 10], 2))
b2 = param(zeros([10]))
h = relu(X @ W1 + b1)
logits = h @ W2 + b2
L = cross_entropy(logits, y)";

/// The seed of the digits minibatches' order.
const DIGITS_SEED: u64 = 1;

fn js_error(error: impl Display) -> JsValue {
    JsError::new(&error.to_string()).into()
}

fn set(object: &Object, key: &str, value: impl Into<JsValue>) -> Result<(), JsValue> {
    Reflect::set(object, &key.into(), &value.into()).map(|_| ())
}

fn f32_array(values: impl IntoIterator<Item = f64>) -> Float32Array {
    let values: Vec<f32> = values.into_iter().map(|value| value as f32).collect();
    Float32Array::from(&values[..])
}

/// The adapter's name as the browser reports it, e.g. "google swiftshader".
fn adapter_name(context: &GpuContext) -> String {
    context.adapter_info().name.clone()
}

/// `lhs @ rhs` for two n×n matrices, repeated on one WebGPU device.
#[wasm_bindgen]
pub struct MatmulBench {
    context: Rc<GpuContext>,
    operands: Rc<[GpuTensor; 3]>,
}

/// A device with `lhs` and `rhs` (row-major, n×n each) uploaded.
#[wasm_bindgen(js_name = openMatmul)]
pub async fn open_matmul(n: usize, lhs: Vec<f32>, rhs: Vec<f32>) -> Result<MatmulBench, JsValue> {
    let context = GpuContext::new().await.map_err(js_error)?;
    let operands = [
        context.upload_f32(&[n, n], &lhs).map_err(js_error)?,
        context.upload_f32(&[n, n], &rhs).map_err(js_error)?,
        context.tensor(&[n, n]).map_err(js_error)?,
    ];
    Ok(MatmulBench {
        context: Rc::new(context),
        operands: Rc::new(operands),
    })
}

#[wasm_bindgen]
impl MatmulBench {
    pub fn adapter(&self) -> String {
        adapter_name(&self.context)
    }

    /// `repeats` products recorded into one submission, then the product read back:
    /// resolves to it (a `Float32Array`, row-major) once the GPU is done.
    pub fn run(&self, repeats: u32) -> Promise {
        let (context, operands) = (Rc::clone(&self.context), Rc::clone(&self.operands));
        future_to_promise(async move {
            let [lhs, rhs, product] = &*operands;
            let mut recorder = context.recorder().map_err(js_error)?;
            for _ in 0..repeats {
                recorder.matmul(lhs, rhs, product).map_err(js_error)?;
            }
            let readback = product.read_back(&mut recorder).map_err(js_error)?;
            recorder.submit().map_err(js_error)?;
            let data = readback.data().await.map_err(js_error)?;
            Ok(Float32Array::from(&data[..]).into())
        })
    }
}

/// Minibatches written into a program's leaves before each step (the digits workload).
#[derive(Clone)]
struct Feed {
    x: NodeId,
    y: NodeId,
    rows: Table,
    batch: usize,
}

impl Feed {
    /// The digits' training rows, standardized, from the text of `digits.csv`.
    fn digits(graph: &Graph, text: &str) -> Result<Feed, JsValue> {
        let digits = shipped::find("digits").ok_or_else(|| js_error("no digits dataset"))?;
        let table = digits.parse(&[text]).map_err(js_error)?;
        let (train, _) = table.split(TEST_SHARE, SPLIT_SEED);
        let rows = train.standardized(&train.moments());
        let find = |name: &str| {
            graph
                .find(name)
                .ok_or_else(|| js_error(format!("the digits program has no {name}")))
        };
        let x = find("X")?;
        Ok(Feed {
            x,
            y: find("y")?,
            batch: graph.node(x).shape[0],
            rows,
        })
    }

    /// The minibatch of step `step` (0-based): epochs of shuffled full minibatches.
    fn batch(&self, step: usize) -> (Tensor, Tensor) {
        let per_epoch = self.rows.rows() / self.batch;
        let epoch = step / per_epoch.max(1);
        let mut order: Vec<usize> = (0..self.rows.rows()).collect();
        backprop_viz::rng::SplitMix64::new(DIGITS_SEED.wrapping_add(epoch as u64))
            .shuffle(&mut order);
        let start = (step % per_epoch.max(1)) * self.batch;
        self.rows.batch(&order[start..start + self.batch])
    }

    /// Write step `step`'s minibatch into `backend`.
    fn write(&self, backend: &mut impl Backend, step: usize) -> Result<(), JsValue> {
        let (x, y) = self.batch(step);
        backend.write(self.x, &x).map_err(js_error)?;
        backend.write(self.y, &y).map_err(js_error)
    }
}

/// An MLP program trained with Adam on the WebGPU backend, from its initial weights.
#[wasm_bindgen]
pub struct TrainingBench {
    graph: Graph,
    config: TrainConfig,
    adapter: String,
    feed: Option<Rc<Feed>>,
    /// Taken out while a `train` promise runs (nothing borrows across an await).
    run: Rc<RefCell<Option<Trainer<GpuBackend>>>>,
}

/// The program of workload `name`: `moons` (the moons-mlp example, 2-16-16-2, batch 64),
/// `wide` (2-256-256-2, batch 256) or `digits` (64-128-10, batch 128).
fn workload(name: &str) -> Result<String, JsValue> {
    match name {
        "moons" => examples::find("moons-mlp")
            .map(|example| example.source.to_owned())
            .ok_or_else(|| js_error("the moons-mlp example is missing")),
        "wide" => Ok(WIDE_MLP.to_owned()),
        "digits" => Ok(DIGITS_MLP.to_owned()),
        other => Err(js_error(format!("no workload called {other:?}"))),
    }
}

/// A fresh WebGPU training run of workload `name` (see [`workload`]) with Adam at
/// `learning_rate`; `data` is the text of the dataset's file where the workload needs
/// one (`digits.csv` for `digits`).
#[wasm_bindgen(js_name = openTraining)]
pub async fn open_training(
    name: String,
    learning_rate: f64,
    data: Option<String>,
) -> Result<TrainingBench, JsValue> {
    let graph = compile(&workload(&name)?).map_err(js_error)?;
    let feed = match (name.as_str(), data) {
        ("digits", Some(text)) => Some(Rc::new(Feed::digits(&graph, &text)?)),
        ("digits", None) => return Err(js_error("the digits workload needs digits.csv")),
        _ => None,
    };
    let config = TrainConfig::new(UpdateRule::default_for(OptimizerKind::Adam), learning_rate);
    let backend = GpuBackend::acquire().await.map_err(js_error)?;
    let adapter = adapter_name(backend.context());
    let trainer = Trainer::new(backend, graph.clone(), config).map_err(js_error)?;
    Ok(TrainingBench {
        graph,
        config,
        adapter,
        feed,
        run: Rc::new(RefCell::new(Some(trainer))),
    })
}

impl TrainingBench {
    /// The program's dataset input (features and labels share it).
    fn data_spec(&self) -> Result<&DataSpec, JsValue> {
        self.graph
            .inputs()
            .find_map(|id| self.graph.node(id).role.data())
            .ok_or_else(|| js_error("the program has no dataset input"))
    }

    fn take_run(&self) -> Result<Trainer<GpuBackend>, JsValue> {
        self.run
            .borrow_mut()
            .take()
            .ok_or_else(|| js_error("a training run is already in progress"))
    }
}

#[wasm_bindgen]
impl TrainingBench {
    pub fn adapter(&self) -> String {
        self.adapter.clone()
    }

    /// Adam's `{beta1, beta2, epsilon, learningRate}`.
    pub fn optimizer(&self) -> Result<Object, JsValue> {
        let UpdateRule::Adam {
            beta1,
            beta2,
            epsilon,
        } = self.config.rule
        else {
            return Err(js_error("the benchmark trains with Adam"));
        };
        let object = Object::new();
        set(&object, "beta1", beta1)?;
        set(&object, "beta2", beta2)?;
        set(&object, "epsilon", epsilon)?;
        set(&object, "learningRate", self.config.learning_rate)?;
        Ok(object)
    }

    /// The parameters in program order: `{name, shape, values}` (values a row-major
    /// `Float32Array` of the initial weights).
    pub fn parameters(&self) -> Result<Array, JsValue> {
        let parameters = Array::new();
        for id in self.graph.params() {
            let node = self.graph.node(id);
            let value = node.value.clone().unwrap_or_else(|| node.nan());
            let entry = Object::new();
            set(&entry, "name", node.name.as_str())?;
            let shape: Array = node.shape.iter().map(|&dim| JsValue::from(dim)).collect();
            set(&entry, "shape", shape)?;
            set(&entry, "values", f32_array(value.data().iter().copied()))?;
            parameters.push(&entry);
        }
        Ok(parameters)
    }

    /// The minibatches of the first `steps` training steps, in the order the trainer
    /// feeds them: `{batch, inputs, classes, features, labels}`, with `features` a
    /// `Float32Array` of `steps · batch · inputs` values and `labels` an `Int32Array` of
    /// `steps · batch`.
    pub fn minibatches(&self, steps: usize) -> Result<Object, JsValue> {
        let (mut features, mut labels) = (Vec::new(), Vec::new());
        let (batch, inputs, classes) = match &self.feed {
            Some(feed) => {
                for step in 0..steps {
                    let (x, y) = feed.batch(step);
                    features.extend_from_slice(x.data());
                    labels.extend(y.data().iter().map(|&label| label as i32));
                }
                (feed.batch, feed.rows.width(), feed.rows.classes())
            }
            None => {
                let spec = self.data_spec()?;
                let dataset = spec.generate().map_err(js_error)?;
                let mut epoch = 0;
                let mut batches = spec.epoch(&dataset, epoch).into_iter();
                for _ in 0..steps {
                    let indices = match batches.next() {
                        Some(indices) => indices,
                        None => {
                            epoch += 1;
                            batches = spec.epoch(&dataset, epoch).into_iter();
                            batches
                                .next()
                                .ok_or_else(|| js_error("an epoch without a full minibatch"))?
                        }
                    };
                    let (x, y): (Tensor, Tensor) = batch_tensors(&dataset, &indices);
                    features.extend_from_slice(x.data());
                    labels.extend(y.data().iter().map(|&label| label as i32));
                }
                (spec.batch, 2, dataset.classes)
            }
        };
        let object = Object::new();
        set(&object, "batch", batch)?;
        set(&object, "inputs", inputs)?;
        set(&object, "classes", classes)?;
        set(&object, "features", f32_array(features))?;
        set(&object, "labels", Int32Array::from(&labels[..]))?;
        Ok(object)
    }

    /// `steps` training steps (minibatch upload, forward, backward, Adam), each step's loss
    /// kept on the GPU and read back with the others after every `per_read` steps and
    /// after the last: resolves to every step's loss (a `Float64Array`).
    pub fn train(&self, steps: u32, per_read: u32) -> Promise {
        let slot = Rc::clone(&self.run);
        let taken = self.take_run();
        let feed = self.feed.clone();
        future_to_promise(async move {
            let mut run = taken?;
            let outcome = train(&mut run, feed.as_deref(), steps, per_read.max(1)).await;
            *slot.borrow_mut() = Some(run);
            Ok(Float64Array::from(&outcome?[..]).into())
        })
    }

    /// GPU work of `steps` more training steps, their losses logged and read back
    /// together: `{dispatches, submissions, readbacks}`.
    #[wasm_bindgen(js_name = workPerRead)]
    pub fn work_per_read(&self, steps: u32) -> Promise {
        let slot = Rc::clone(&self.run);
        let taken = self.take_run();
        let feed = self.feed.clone();
        future_to_promise(async move {
            let mut run = taken?;
            run.backend().context().reset_counters();
            let outcome = train(&mut run, feed.as_deref(), steps.max(1), steps.max(1)).await;
            let counters = run.backend().context().counters();
            *slot.borrow_mut() = Some(run);
            outcome?;
            let object = Object::new();
            set(&object, "dispatches", counters.dispatches as f64)?;
            set(&object, "submissions", counters.submissions as f64)?;
            set(&object, "readbacks", counters.readbacks as f64)?;
            Ok(object.into())
        })
    }

    /// The loss after each of the first `steps` steps of the same run on the CPU
    /// reference backend (f64), from the same initial weights and minibatches.
    #[wasm_bindgen(js_name = referenceLosses)]
    pub fn reference_losses(&self, steps: u32) -> Result<Float64Array, JsValue> {
        let mut run =
            Trainer::new(CpuBackend::new(), self.graph.clone(), self.config).map_err(js_error)?;
        let mut losses = Vec::new();
        for step in 0..steps as usize {
            if let Some(feed) = &self.feed {
                feed.write(run.backend(), step)?;
            }
            losses.push(block_on(run.step()).map_err(js_error)?);
        }
        Ok(Float64Array::from(&losses[..]))
    }
}

/// `steps` steps of `run` (each minibatch written first when `feed` gives them), their
/// losses logged and read back together after every `per_read` and after the last.
async fn train(
    run: &mut Trainer<GpuBackend>,
    feed: Option<&Feed>,
    steps: u32,
    per_read: u32,
) -> Result<Vec<f64>, JsValue> {
    let mut losses = Vec::new();
    for step in 1..=steps {
        if let Some(feed) = feed {
            let step = run.steps() as usize;
            feed.write(run.backend(), step)?;
        }
        run.step_logged().await.map_err(js_error)?;
        if step % per_read == 0 || step == steps {
            losses.extend(run.logged_losses().await.map_err(js_error)?);
        }
    }
    Ok(losses)
}
