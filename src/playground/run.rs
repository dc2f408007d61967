//! A training run for the playground: a [`Trainer`] over any backend, the loss of every
//! step, training in chunks bounded by a time budget (so the page can render between
//! them), accuracy, the model's predictions on a grid (the decision boundary), the
//! inputs of the next training step for the stepper ("step into a training step"),
//! checkpoints: the parameters read back, from which a run goes on on another backend,
//! and a stop ("stop at step N") that no chunk passes.

use super::boundary::Grid;
use super::form::Training;
use super::pace;
use crate::backend::{Backend, Quantity};
use crate::data::DataSpec;
use crate::data::dataset::Dataset;
use crate::data::table::Table;
use crate::graph::{Graph, NodeId, Role};
use crate::op::Op;
use crate::tensor::Tensor;
use crate::train::{Predictions, TrainConfig, TrainError, Trainer, UpdateRule};

/// The most steps one chunk takes, however fast they are.
pub const MAX_CHUNK_STEPS: usize = 2000;

/// The training settings as the trainer takes them.
pub fn config(training: &Training) -> TrainConfig {
    let mut config = TrainConfig::new(
        UpdateRule::default_for(training.optimizer),
        training.learning_rate,
    );
    config.zero_grads = training.zero_grads;
    config.clip_norm = training.numerics.clip_norm;
    config
}

/// A program's dataset, its inputs and its classifier's logits.
struct Data {
    spec: DataSpec,
    /// A built-in 2-D set's points (drawn under the decision regions).
    dataset: Option<Dataset>,
    /// The training rows the minibatches come from.
    train: Table,
    features: Vec<NodeId>,
    /// The input of `cross_entropy(logits, labels)`, for predictions.
    logits: Option<NodeId>,
}

impl Data {
    fn of(graph: &Graph) -> Option<Data> {
        let spec = graph
            .inputs()
            .find_map(|id| graph.node(id).role.data().cloned())?;
        let train = spec.load().ok()?.train;
        let dataset = spec
            .generate()
            .ok()
            .or_else(|| super::data::own_edit::provided_points(&spec));
        let features = graph
            .inputs()
            .filter(|&id| matches!(graph.node(id).role, Role::Features(_)))
            .collect();
        let logits = graph
            .nodes()
            .iter()
            .find(|node| node.op == Op::CrossEntropy)
            .map(|node| node.inputs[0]);
        Some(Data {
            spec,
            dataset,
            train,
            features,
            logits,
        })
    }
}

/// What a chunk of training did.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Chunk {
    pub steps: usize,
    /// Whether it stopped because the loss stopped being a finite number.
    pub diverged: bool,
    /// Whether the run is at its stop ([`Run::set_stop`]) after the chunk.
    pub stopped: bool,
}

/// The parameters of a run after `steps` updates: enough to go on from there.
#[derive(Clone, Debug, PartialEq)]
pub struct Checkpoint {
    pub steps: u64,
    pub params: Vec<(NodeId, Tensor)>,
}

pub struct Run<B: Backend> {
    trainer: Trainer<B>,
    /// Each loss this run read back, after the step it belongs to (every step's, unless
    /// steps were queued together): (step number from 1, loss).
    losses: Vec<(u64, f64)>,
    data: Option<Data>,
    /// The step count chunks stop at.
    stop: Option<u64>,
    /// Precision, loss scaling, clipping and what they did ([`options`]).
    options: options::Options,
}

impl<B: Backend> Run<B> {
    /// Load `graph` into `backend` to train it with `training`.
    pub fn new(mut backend: B, graph: Graph, training: &Training) -> Result<Run<B>, TrainError> {
        let data = Data::of(&graph);
        let options = options::Options::new(&mut backend, training);
        let trainer = Trainer::new(backend, graph, config(training))?;
        Ok(Run {
            trainer,
            losses: Vec::new(),
            data,
            stop: None,
            options,
        })
    }

    /// A run of `graph` on `backend` that goes on from `checkpoint` (taken from a run of
    /// the same graph): its step count, its next minibatch and its parameters are the
    /// checkpoint's. The optimizer's state (momentum, Adam's moments) starts afresh.
    pub fn resume(
        backend: B,
        graph: Graph,
        training: &Training,
        checkpoint: &Checkpoint,
    ) -> Result<Run<B>, TrainError> {
        let mut run = Run::new(backend, graph, training)?;
        run.trainer.fast_forward(checkpoint.steps);
        for (id, value) in &checkpoint.params {
            run.backend().write(*id, value)?;
        }
        Ok(run)
    }

    /// The parameters as they are now, read back from the backend.
    pub async fn checkpoint(&mut self) -> Result<Checkpoint, TrainError> {
        let ids: Vec<NodeId> = self.graph().params().collect();
        let mut params = Vec::with_capacity(ids.len());
        for id in ids {
            params.push((id, self.backend().read(id, Quantity::Value).await?));
        }
        Ok(Checkpoint {
            steps: self.steps(),
            params,
        })
    }

    pub fn graph(&self) -> &Graph {
        self.trainer.graph()
    }

    pub fn backend(&mut self) -> &mut B {
        self.trainer.backend()
    }

    /// Change the optimizer, learning rate or gradient zeroing from the next step on. A
    /// new kind of optimizer starts with fresh state.
    pub fn set_training(&mut self, training: &Training) {
        self.trainer.set_config(config(training));
        self.options.set(self.trainer.backend(), training.numerics);
    }

    /// Updates made so far.
    pub fn steps(&self) -> u64 {
        self.trainer.steps()
    }

    /// Stop training at `stop` steps: no chunk ([`Run::train_for`], [`Run::train_queued`],
    /// [`Run::train_steps`]) goes past it, and at it they take no step. A single
    /// [`Run::step`] is not held back. None: no stop.
    pub fn set_stop(&mut self, stop: Option<u64>) {
        self.stop = stop;
    }

    pub fn stop(&self) -> Option<u64> {
        self.stop
    }

    /// Whether the run has reached its stop.
    pub fn at_stop(&self) -> bool {
        self.stop.is_some_and(|stop| self.steps() >= stop)
    }

    /// At most `wanted` steps (and [`MAX_CHUNK_STEPS`]), as many as the stop leaves.
    fn room(&self, wanted: usize) -> usize {
        let left = pace::steps_left(self.stop, self.steps()).unwrap_or(u64::MAX);
        wanted
            .min(MAX_CHUNK_STEPS)
            .min(usize::try_from(left).unwrap_or(usize::MAX))
    }

    /// The chunk that took `steps`, and whether the last loss was not finite.
    fn chunk(&self, steps: usize, diverged: bool) -> Chunk {
        Chunk {
            steps,
            diverged,
            stopped: self.at_stop(),
        }
    }

    /// Each loss this run read back (before its step's update), with its step number
    /// from 1: every step's, unless steps were queued together ([`Run::train_queued`]).
    pub fn losses(&self) -> &[(u64, f64)] {
        &self.losses
    }

    /// The points and labels the model learns, when the program reads a dataset.
    pub fn dataset(&self) -> Option<&Dataset> {
        self.data.as_ref().and_then(|d| d.dataset.as_ref())
    }

    /// One update; its loss. The layers' sizes are measured after it.
    pub async fn step(&mut self) -> Result<f64, TrainError> {
        let loss = self.step_alone().await?;
        self.measure_layers().await?;
        Ok(loss)
    }

    /// One update (guarded when numeric options are chosen); its loss.
    async fn step_alone(&mut self) -> Result<f64, TrainError> {
        let loss = if self.guarded() {
            self.step_guarded().await?
        } else {
            self.trainer.step().await?
        };
        self.losses.push((self.trainer.steps(), loss));
        Ok(loss)
    }

    /// `steps` updates (at least one, at most [`MAX_CHUNK_STEPS`], none past the stop)
    /// queued together, so a GPU runs them in one submission, each loss kept in its log on
    /// the device and all of them read back at once (every step's loss is on the curve).
    /// Stops there when the last loss is NaN or ±∞.
    pub async fn train_queued(&mut self, steps: usize) -> Result<Chunk, TrainError> {
        let steps = self.room(steps.max(1));
        if steps == 0 {
            return Ok(self.chunk(0, false));
        }
        if self.guarded() {
            // Each guarded step reads its gradients back: one by one.
            return self.train_steps(steps).await;
        }
        for _ in 0..steps {
            self.trainer.step_logged().await?;
        }
        let logged = self.trainer.logged_losses().await?;
        let first = self.trainer.steps() + 1 - logged.len() as u64;
        self.losses.extend((first..).zip(logged.iter().copied()));
        self.measure_layers().await?;
        let last = logged.last().copied().unwrap_or(f64::NAN);
        Ok(self.chunk(steps, !last.is_finite()))
    }

    /// `steps` updates one by one, each loss read back (at most [`MAX_CHUNK_STEPS`],
    /// none past the stop); stops early when the loss becomes NaN or ±∞.
    pub async fn train_steps(&mut self, steps: usize) -> Result<Chunk, TrainError> {
        let steps = self.room(steps);
        for taken in 1..=steps {
            if !self.step_alone().await?.is_finite() {
                self.measure_layers().await?;
                return Ok(self.chunk(taken, true));
            }
        }
        if steps > 0 {
            self.measure_layers().await?;
        }
        Ok(self.chunk(steps, false))
    }

    /// Steps until `budget_ms` (by `clock`, in ms) has passed, at least one, at most
    /// [`MAX_CHUNK_STEPS`], none past the stop; stops early when the loss becomes NaN
    /// or ±∞.
    pub async fn train_for(
        &mut self,
        budget_ms: f64,
        clock: &dyn Fn() -> f64,
    ) -> Result<Chunk, TrainError> {
        let start = clock();
        let most = self.room(MAX_CHUNK_STEPS);
        let mut steps = 0;
        while steps < most {
            let loss = self.step_alone().await?;
            steps += 1;
            if !loss.is_finite() {
                self.measure_layers().await?;
                return Ok(self.chunk(steps, true));
            }
            if clock() - start >= budget_ms {
                break;
            }
        }
        if steps > 0 {
            self.measure_layers().await?;
        }
        Ok(self.chunk(steps, false))
    }

    /// The training accuracy over the dataset, for a classifier.
    pub async fn accuracy(&mut self) -> Result<Option<f64>, TrainError> {
        self.trainer.accuracy().await
    }

    /// Go on training on changed data: `graph` is this run's graph but for its data
    /// inputs ([`super::data::same_but_data`]); the parameters and the step count stay.
    pub fn replace_data(&mut self, graph: Graph) -> Result<(), TrainError> {
        self.trainer.replace_data(graph)?;
        self.data = Data::of(self.trainer.graph());
        Ok(())
    }

    /// The accuracy on the dataset's held-out test rows, for a classifier.
    pub async fn test_accuracy(&mut self) -> Result<Option<f64>, TrainError> {
        self.trainer.test_accuracy().await
    }

    /// Each held-out test row's predicted class and label, for a classifier.
    pub async fn test_predictions(&mut self) -> Result<Option<Predictions>, TrainError> {
        self.trainer.test_predictions().await
    }

    /// The mean squared error on the held-out test rows, for a regression.
    pub async fn test_mse(&mut self) -> Result<Option<f64>, TrainError> {
        self.trainer.test_mse().await
    }

    /// A regression's prediction (the first input of its `mse`) for each of `rows`
    /// (each as wide as the features), a minibatch at a time. None without an `mse` over
    /// a dataset.
    pub async fn predict_values(
        &mut self,
        rows: &[Vec<f64>],
    ) -> Result<Option<Vec<f64>>, TrainError> {
        let Some(data) = &self.data else {
            return Ok(None);
        };
        let graph = self.trainer.graph();
        let Some(prediction) = graph
            .nodes()
            .iter()
            .find(|n| n.op == Op::Mse)
            .map(|n| n.inputs[0])
        else {
            return Ok(None);
        };
        let (features, batch, width) = (
            data.features.clone(),
            data.spec.batch.max(1),
            data.train.width(),
        );
        let mut values = Vec::with_capacity(rows.len());
        for chunk in rows.chunks(batch) {
            let mut flat: Vec<f64> = chunk
                .iter()
                .flat_map(|r| r.iter().copied().chain(std::iter::repeat(0.0)).take(width))
                .collect();
            flat.resize(batch * width, 0.0);
            let tensor = Tensor::from_parts(vec![batch, width], flat);
            let backend = self.trainer.backend();
            for &id in &features {
                backend.write(id, &tensor)?;
            }
            backend.forward()?;
            let predicted = backend.read(prediction, Quantity::Value).await?;
            values.extend(predicted.data().iter().take(chunk.len()));
        }
        Ok(Some(values))
    }

    /// The program's dataset, when it reads one.
    pub fn data_spec(&self) -> Option<&DataSpec> {
        self.data.as_ref().map(|d| &d.spec)
    }

    /// The first layer's weights: the parameter that multiplies the features
    /// (`X @ W1`), as it is now, with its shape `[features, units]`.
    pub async fn first_weights(&mut self) -> Result<Option<Tensor>, TrainError> {
        let Some(data) = &self.data else {
            return Ok(None);
        };
        let graph = self.trainer.graph();
        let through = |mut id: NodeId| {
            while graph.node(id).op == Op::Identity {
                id = graph.node(id).inputs[0];
            }
            id
        };
        let weight = graph.nodes().iter().find_map(|node| {
            let reads_features =
                node.op == Op::MatMul && data.features.contains(&through(node.inputs[0]));
            let weight = node.inputs.get(1).map(|&w| through(w))?;
            (reads_features && graph.node(weight).role == Role::Param).then_some(weight)
        });
        match weight {
            Some(id) => Ok(Some(
                self.trainer.backend().read(id, Quantity::Value).await?,
            )),
            None => Ok(None),
        }
    }

    /// The model's prediction at every point of `grid` (row by row): the most likely
    /// class and its probability. None without a dataset and a classifier.
    pub async fn predict(&mut self, grid: &Grid) -> Result<Option<Vec<(usize, f64)>>, TrainError> {
        self.predict_points(&grid.points()).await
    }

    /// How many points one forward pass predicts (the minibatch size), when the run can
    /// predict at all.
    pub fn prediction_batch(&self) -> Option<usize> {
        let data = self.data.as_ref()?;
        data.logits.map(|_| data.spec.batch.max(1))
    }

    /// The model's prediction at each of `points`, in order (see [`Run::predict`]).
    pub async fn predict_points(
        &mut self,
        points: &[[f64; 2]],
    ) -> Result<Option<Vec<(usize, f64)>>, TrainError> {
        let Some(data) = &self.data else {
            return Ok(None);
        };
        let Some(logits) = data.logits else {
            return Ok(None);
        };
        let (features, batch) = (data.features.clone(), data.spec.batch.max(1));
        let mut predictions = Vec::with_capacity(points.len());
        for chunk in points.chunks(batch) {
            let mut values: Vec<f64> = chunk.iter().flatten().copied().collect();
            values.resize(batch * 2, 0.0);
            let tensor = Tensor::from_vec(vec![batch, 2], values).map_err(|error| {
                TrainError::Backend(crate::backend::BackendError::Tensor {
                    node: features.first().copied().unwrap_or(NodeId(0)),
                    error,
                })
            })?;
            let backend = self.trainer.backend();
            for &id in &features {
                backend.write(id, &tensor)?;
            }
            backend.forward()?;
            let scores = backend.read(logits, Quantity::Value).await?;
            let classes = scores.shape().last().copied().unwrap_or(1).max(1);
            predictions.extend(
                scores
                    .data()
                    .chunks(classes)
                    .take(chunk.len())
                    .map(most_likely),
            );
        }
        Ok(Some(predictions))
    }

    /// The point indices of the next step's (first) minibatch: the same ones the trainer
    /// will draw, epoch by epoch.
    pub fn next_batch(&self) -> Option<Vec<usize>> {
        let data = self.data.as_ref()?;
        let rows = data.train.rows();
        let per_epoch = data.spec.batches(rows, 0).len().max(1) as u64;
        let micro = self.trainer.steps() * self.trainer.config().accumulate.max(1) as u64;
        let batches = data.spec.batches(rows, micro / per_epoch);
        batches.get((micro % per_epoch) as usize).cloned()
    }

    /// Which step the next one is (from 1) and where its minibatch comes from, in words.
    pub fn next_step_text(&self) -> String {
        let step = self.trainer.steps() + 1;
        match &self.data {
            Some(data) => {
                let per_epoch = data.spec.batches(data.train.rows(), 0).len().max(1) as u64;
                let micro = self.trainer.steps() * self.trainer.config().accumulate.max(1) as u64;
                format!(
                    "training step {step}: the parameters after {} updates, minibatch {} of epoch {}",
                    step - 1,
                    micro % per_epoch + 1,
                    micro / per_epoch + 1
                )
            }
            None => format!(
                "training step {step}: the parameters after {} updates",
                step - 1
            ),
        }
    }

    /// Every input of the graph as the next training step sees it: the parameters as
    /// they are now, the next minibatch, and the program's values for the rest. Loaded
    /// into a stepper, its backward pass computes the gradients that step will use.
    pub async fn next_step_inputs(&mut self) -> Result<Vec<Tensor>, TrainError> {
        let batch = self
            .next_batch()
            .zip(self.data.as_ref())
            .map(|(indices, data)| data.train.batch(&indices));
        let inputs: Vec<NodeId> = self.trainer.graph().inputs().collect();
        let mut values = Vec::with_capacity(inputs.len());
        for id in inputs {
            let node = self.trainer.graph().node(id).clone();
            let value = match (&node.role, &batch) {
                (Role::Param, _) => self.trainer.backend().read(id, Quantity::Value).await?,
                (Role::Features(_), Some((features, _))) => features.clone(),
                (Role::Labels(_), Some((_, labels))) => labels.clone(),
                _ => node.value.clone().unwrap_or_else(|| node.nan()),
            };
            values.push(value);
        }
        Ok(values)
    }
}

/// The index of the largest score and its softmax probability.
fn most_likely(scores: &[f64]) -> (usize, f64) {
    let (best, top) =
        scores
            .iter()
            .copied()
            .enumerate()
            .fold((0, f64::NEG_INFINITY), |(bi, bv), (i, v)| {
                if v > bv { (i, v) } else { (bi, bv) }
            });
    if !top.is_finite() {
        return (best, f64::NAN);
    }
    let total: f64 = scores.iter().map(|s| (s - top).exp()).sum();
    (best, 1.0 / total)
}

mod options;
mod state;

pub use state::{OnCpu, RunState};

#[cfg(test)]
mod tests;
