//! The training loop over any [`Backend`]: each step feeds the next minibatch, zeroes the
//! gradients (unless told not to, to show what forgetting does), runs forward and
//! backward (several micro-batches accumulate with `+=` before one update), and lets the
//! optimizer update the parameters.

use super::clip::{GradientNorm, clip_factor, global_norm};
use super::metrics::{accuracy, argmax_rows};
use super::scaler::{GradScaler, Outcome};
use crate::backend::optimizer::UpdateRule;
use crate::backend::{Backend, BackendError, Quantity};
use crate::data::dataset::DatasetError;
use crate::data::table::Table;
use crate::data::{DataSpec, Split};
use crate::graph::{Graph, NodeId, Role};
use crate::op::Op;
use crate::precision::Precision;
use thiserror::Error;

#[derive(Clone, Debug, PartialEq, Error)]
pub enum TrainError {
    #[error(transparent)]
    Backend(#[from] BackendError),
    #[error("the program has no parameters to train; mark them with `W = param(…)`")]
    NoParameters,
    #[error("the loss `{name}` must be a single number, but it has shape {}", crate::tensor::shape_text(.shape))]
    LossNotScalar { name: String, shape: Vec<usize> },
    #[error("`{first}` and `{second}` draw from different datasets; give them the same arguments")]
    MixedData { first: String, second: String },
    #[error(transparent)]
    Dataset(#[from] DatasetError),
    #[error("clipping reads the gradients' norm back, so a clipped step must be awaited")]
    ClipNeedsRead,
}

/// How a training run updates: the rule, the step size, and how gradients are handled.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TrainConfig {
    pub rule: UpdateRule,
    pub learning_rate: f64,
    /// Micro-batches whose gradients accumulate (and are averaged) before each update.
    pub accumulate: usize,
    /// Whether gradients are zeroed before each step (forgetting is a classic bug).
    pub zero_grads: bool,
    /// Clip the parameters' gradients to this global norm before each update.
    pub clip_norm: Option<f64>,
}

impl TrainConfig {
    pub fn new(rule: UpdateRule, learning_rate: f64) -> TrainConfig {
        TrainConfig {
            rule,
            learning_rate,
            accumulate: 1,
            zero_grads: true,
            clip_norm: None,
        }
    }
}

/// Where a program's minibatches come from.
struct DataFeed {
    spec: DataSpec,
    split: Split,
    features: Vec<NodeId>,
    labels: Vec<NodeId>,
    epoch: u64,
    batches: Vec<Vec<usize>>,
    next: usize,
}

impl DataFeed {
    /// The data inputs of `graph`, which must all share one dataset.
    fn of(graph: &Graph) -> Result<Option<DataFeed>, TrainError> {
        let mut feed: Option<(DataSpec, String)> = None;
        let (mut features, mut labels) = (Vec::new(), Vec::new());
        for id in graph.inputs() {
            let node = graph.node(id);
            let Some(spec) = node.role.data() else {
                continue;
            };
            match &feed {
                Some((first, first_name)) if first != spec => {
                    return Err(TrainError::MixedData {
                        first: first_name.clone(),
                        second: node.name.clone(),
                    });
                }
                Some(_) => {}
                None => feed = Some((spec.clone(), node.name.clone())),
            }
            match node.role {
                Role::Features(_) => features.push(id),
                _ => labels.push(id),
            }
        }
        let Some((spec, _)) = feed else {
            return Ok(None);
        };
        let split = spec.load()?;
        let batches = spec.batches(split.train.rows(), 0);
        Ok(Some(DataFeed {
            spec,
            split,
            features,
            labels,
            epoch: 0,
            batches,
            next: 0,
        }))
    }

    /// The next minibatch's point indices, starting a new shuffled epoch when one ends.
    fn next_batch(&mut self) -> Vec<usize> {
        if self.next >= self.batches.len() {
            self.epoch += 1;
            self.batches = self.spec.batches(self.split.train.rows(), self.epoch);
            self.next = 0;
        }
        let batch = self.batches.get(self.next).cloned().unwrap_or_default();
        self.next += 1;
        batch
    }

    /// Pass over `drawn` minibatches from the start, as if [`DataFeed::next_batch`] had
    /// been called that many times.
    fn skip_from_start(&mut self, drawn: u64) {
        let per_epoch = self.spec.batches(self.split.train.rows(), 0).len() as u64;
        let (epoch, next) = match (drawn, per_epoch) {
            (0, _) | (_, 0) => (0, 0),
            // A new epoch starts when a batch is drawn after the last one of the epoch.
            (drawn, per_epoch) => ((drawn - 1) / per_epoch, (drawn - 1) % per_epoch + 1),
        };
        self.epoch = epoch;
        self.batches = self.spec.batches(self.split.train.rows(), epoch);
        self.next = usize::try_from(next).unwrap_or(usize::MAX);
    }

    fn write<B: Backend>(&self, backend: &mut B, indices: &[usize]) -> Result<(), TrainError> {
        self.write_rows(backend, &self.split.train, indices)
    }

    /// Write the rows `indices` of `table` to the program's data inputs.
    fn write_rows<B: Backend>(
        &self,
        backend: &mut B,
        table: &Table,
        indices: &[usize],
    ) -> Result<(), TrainError> {
        let (features, labels) = table.batch(indices);
        for &id in &self.features {
            backend.write(id, &features)?;
        }
        for &id in &self.labels {
            backend.write(id, &labels)?;
        }
        Ok(())
    }
}

/// A training run: a backend holding the graph, the data feed and the step count.
pub struct Trainer<B: Backend> {
    backend: B,
    graph: Graph,
    config: TrainConfig,
    data: Option<DataFeed>,
    steps: u64,
    /// The last clipped step's gradient norm, before and after.
    last_norm: Option<GradientNorm>,
    /// Losses of logged steps read at once, for a backend that keeps no log.
    unlogged: Vec<f64>,
}

impl<B: Backend> Trainer<B> {
    /// Load `graph` into `backend` for training with `config`.
    pub fn new(
        mut backend: B,
        graph: Graph,
        config: TrainConfig,
    ) -> Result<Trainer<B>, TrainError> {
        if graph.params().next().is_none() {
            return Err(TrainError::NoParameters);
        }
        let output = graph.node(graph.output());
        if !output.is_scalar() {
            return Err(TrainError::LossNotScalar {
                name: output.name.clone(),
                shape: output.shape.clone(),
            });
        }
        backend.load(&graph)?;
        let data = DataFeed::of(&graph)?;
        Ok(Trainer {
            backend,
            graph,
            config,
            data,
            steps: 0,
            last_norm: None,
            unlogged: Vec::new(),
        })
    }

    pub fn backend(&mut self) -> &mut B {
        &mut self.backend
    }

    pub fn graph(&self) -> &Graph {
        &self.graph
    }

    pub fn config(&self) -> TrainConfig {
        self.config
    }

    pub fn set_config(&mut self, config: TrainConfig) {
        self.config = config;
    }

    /// How many updates have been made.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Go on as if `steps` updates had run since the start (with the current
    /// micro-batch count): the step count and the next minibatch are theirs, nothing is
    /// computed. A run continued on another backend uses this, then writes the
    /// parameters it carried over.
    pub fn fast_forward(&mut self, steps: u64) {
        if let Some(data) = &mut self.data {
            data.skip_from_start(steps.saturating_mul(self.config.accumulate.max(1) as u64));
        }
        self.steps = steps;
    }

    /// Where the minibatches are: the epoch and the next batch in it (None without data).
    pub fn feed_position(&self) -> Option<(u64, usize)> {
        self.data.as_ref().map(|data| (data.epoch, data.next))
    }

    /// Go on from `steps` updates with the minibatches at `position`
    /// ([`Trainer::feed_position`]): a run moved elsewhere draws the batches it would have.
    pub fn resume_at(&mut self, steps: u64, position: Option<(u64, usize)>) {
        self.steps = steps;
        if let (Some(data), Some((epoch, next))) = (&mut self.data, position) {
            data.epoch = epoch;
            data.batches = data.spec.batches(data.split.train.rows(), epoch);
            data.next = next;
        }
    }

    /// Go on with the same model on changed data: `graph` is the trainer's graph but for
    /// its data inputs (their dataset's rows changed, so their point counts and first
    /// batch may too). The parameters, the optimizer's state and the step count stay;
    /// minibatches start a new epoch over the new rows.
    pub fn replace_data(&mut self, graph: Graph) -> Result<(), TrainError> {
        self.data = DataFeed::of(&graph)?;
        self.graph = graph;
        Ok(())
    }

    /// One update without reading anything back: every micro-batch's forward and
    /// backward, then the optimizer. A GPU backend can queue several of these. A config
    /// that clips cannot (the norm must be read): [`TrainError::ClipNeedsRead`].
    pub fn step_quietly(&mut self) -> Result<(), TrainError> {
        if self.config.clip_norm.is_some() {
            return Err(TrainError::ClipNeedsRead);
        }
        self.gradients()?;
        self.apply_update()
    }

    /// Zero the gradients (unless told not to), then every micro-batch's forward and
    /// backward, averaged when there are several.
    fn gradients(&mut self) -> Result<(), TrainError> {
        let micro_batches = self.micro_batches()?;
        if micro_batches > 1 {
            self.backend.scale_grads(1.0 / micro_batches as f64)?;
        }
        Ok(())
    }

    /// Zero the gradients (unless told not to), then every micro-batch's forward and
    /// backward, their gradients summed; how many there were.
    fn micro_batches(&mut self) -> Result<usize, TrainError> {
        if self.config.zero_grads {
            self.backend.zero_grads()?;
        }
        let micro_batches = self.config.accumulate.max(1);
        for _ in 0..micro_batches {
            if let Some(data) = &mut self.data {
                let batch = data.next_batch();
                data.write(&mut self.backend, &batch)?;
            }
            self.backend.forward()?;
            self.backend.backward()?;
        }
        Ok(micro_batches)
    }

    fn apply_update(&mut self) -> Result<(), TrainError> {
        self.backend
            .update(self.config.rule, self.config.learning_rate)?;
        self.steps += 1;
        Ok(())
    }

    /// One update with numbers stored in `precision` and the loss scaled by `scaler`: the
    /// backward pass starts from the scale instead of 1; if a parameter's gradient then
    /// holds ∞ or NaN the update is skipped (a dynamic scale backs off), else the
    /// gradients are divided by the scale (and averaged over the micro-batches) before it.
    /// Returns the last micro-batch's loss and whether the update was made.
    pub async fn step_scaled(
        &mut self,
        precision: Precision,
        scaler: &mut GradScaler,
    ) -> Result<(f64, Outcome), TrainError> {
        let scale = scaler.scale();
        self.backend.set_storage(precision, scale)?;
        let micro_batches = self.micro_batches()?;
        let mut finite = true;
        for param in self.graph.params().collect::<Vec<_>>() {
            let gradient = self.backend.read(param, Quantity::Gradient).await?;
            finite &= gradient.data().iter().all(|g| g.is_finite());
        }
        let outcome = scaler.update(finite);
        if outcome == Outcome::Applied {
            self.backend
                .scale_grads(1.0 / (micro_batches as f64 * scale))?;
            self.backend
                .update(self.config.rule, self.config.learning_rate)?;
        }
        self.steps += 1;
        Ok((self.loss().await?, outcome))
    }

    /// One update, returning the loss of its last micro-batch (before the update). With
    /// `clip_norm`, the gradients are scaled down to that global norm first (see
    /// [`super::clip`]) and [`Trainer::last_norm`] says by how much.
    pub async fn step(&mut self) -> Result<f64, TrainError> {
        match self.config.clip_norm {
            None => self.step_quietly()?,
            Some(cap) => {
                self.gradients()?;
                let before = self.gradient_norm().await?;
                let after = match clip_factor(before, cap) {
                    Some(factor) => {
                        self.backend.scale_grads(factor)?;
                        self.gradient_norm().await?
                    }
                    None => before,
                };
                self.last_norm = Some(GradientNorm { before, after });
                self.apply_update()?;
            }
        }
        self.loss().await
    }

    /// One update whose loss stays where it was computed (a GPU backend copies it into a
    /// log on the device, nothing is read back) until [`Trainer::logged_losses`] reads
    /// every logged step's loss at once. A backend without a log has its loss read here
    /// instead; a config that clips reads the gradients' norm here either way.
    pub async fn step_logged(&mut self) -> Result<(), TrainError> {
        let read = match self.config.clip_norm {
            None => {
                self.step_quietly()?;
                None
            }
            Some(_) => Some(self.step().await?),
        };
        if self.backend.log_output()? {
            return Ok(());
        }
        let loss = match read {
            Some(loss) => loss,
            None => self.loss().await?,
        };
        self.unlogged.push(loss);
        Ok(())
    }

    /// The loss of every [`Trainer::step_logged`] since the last call, oldest first.
    pub async fn logged_losses(&mut self) -> Result<Vec<f64>, TrainError> {
        let mut losses = std::mem::take(&mut self.unlogged);
        losses.extend(self.backend.read_log().await?);
        Ok(losses)
    }

    /// The global norm of the parameters' gradients as they are now.
    pub async fn gradient_norm(&mut self) -> Result<f64, TrainError> {
        let params: Vec<NodeId> = self.graph.params().collect();
        let mut gradients = Vec::with_capacity(params.len());
        for id in params {
            gradients.push(self.backend.read(id, Quantity::Gradient).await?);
        }
        Ok(global_norm(&gradients))
    }

    /// The last clipped step's gradient norm before and after clipping.
    pub fn last_norm(&self) -> Option<GradientNorm> {
        self.last_norm
    }

    /// The loss the last forward pass computed.
    pub async fn loss(&mut self) -> Result<f64, TrainError> {
        let output = self.graph.output();
        let loss = self.backend.read(output, Quantity::Value).await?;
        Ok(loss.item().unwrap_or(f64::NAN))
    }

    /// The share of the dataset's points (in full minibatches) whose largest logit is
    /// their label, for a program with a `cross_entropy` loss over a dataset. It runs
    /// forward passes, so [`Trainer::loss`] afterwards is the last evaluated batch's.
    pub async fn accuracy(&mut self) -> Result<Option<f64>, TrainError> {
        let Some(data) = &self.data else {
            return Ok(None);
        };
        let batches = data.spec.batches(data.split.train.rows(), 0);
        self.score(false, batches, usize::MAX).await
    }

    /// The share of the held-out test rows classified right (see [`DataSpec::load`]), for a
    /// program with a `cross_entropy` loss over a dataset. Every test row counts once: the
    /// last minibatch is filled up with rows from the start, whose predictions are not
    /// counted again. Like [`Trainer::accuracy`] it runs forward passes.
    pub async fn test_accuracy(&mut self) -> Result<Option<f64>, TrainError> {
        let Some(data) = &self.data else {
            return Ok(None);
        };
        let (rows, batch) = (data.split.test.rows(), data.spec.batch.max(1));
        let batches = (0..rows.div_ceil(batch))
            .map(|k| (k * batch..(k + 1) * batch).map(|i| i % rows).collect())
            .collect();
        self.score(true, batches, rows).await
    }

    /// Each held-out test row's predicted class and its label, in row order, for a
    /// classifier over a dataset (what a confusion matrix counts). It runs forward passes.
    pub async fn test_predictions(&mut self) -> Result<Option<Predictions>, TrainError> {
        let Some(data) = &self.data else {
            return Ok(None);
        };
        let (rows, batch) = (data.split.test.rows(), data.spec.batch.max(1));
        let batches = (0..rows.div_ceil(batch))
            .map(|k| (k * batch..(k + 1) * batch).map(|i| i % rows).collect())
            .collect();
        self.predictions(true, batches, rows).await
    }

    /// The mean squared error over the held-out test rows, for a program with an `mse`
    /// loss over a dataset (a regression): every test row counted once, as in
    /// [`Trainer::test_accuracy`]. It runs forward passes.
    pub async fn test_mse(&mut self) -> Result<Option<f64>, TrainError> {
        let Some(mse) = self.graph.nodes().iter().find(|node| node.op == Op::Mse) else {
            return Ok(None);
        };
        let (prediction, target) = (mse.inputs[0], mse.inputs[1]);
        let Some(data) = &self.data else {
            return Ok(None);
        };
        let (rows, batch) = (data.split.test.rows(), data.spec.batch.max(1));
        let (mut sum, mut count) = (0.0, 0);
        for k in 0..rows.div_ceil(batch) {
            let indices: Vec<usize> = (k * batch..(k + 1) * batch).map(|i| i % rows).collect();
            if let Some(data) = &self.data {
                data.write_rows(&mut self.backend, &data.split.test, &indices)?;
            }
            self.backend.forward()?;
            let predicted = self.backend.read(prediction, Quantity::Value).await?;
            let known = self.backend.read(target, Quantity::Value).await?;
            let per_row = predicted.data().len() / batch;
            let counted = rows.saturating_sub(k * batch).min(batch) * per_row;
            for (p, t) in predicted.data().iter().zip(known.data()).take(counted) {
                sum += (p - t) * (p - t);
                count += 1;
            }
        }
        Ok((count > 0).then(|| sum / count as f64))
    }

    /// The accuracy over the rows of `batches` (of the test rows when `test`), counting the
    /// first `count` rows of the batches only.
    async fn score(
        &mut self,
        test: bool,
        batches: Vec<Vec<usize>>,
        count: usize,
    ) -> Result<Option<f64>, TrainError> {
        Ok(self
            .predictions(test, batches, count)
            .await?
            .and_then(|p| accuracy(&p.predicted, &p.labels).ok()))
    }

    /// The predicted classes and the labels of the rows of `batches` (see
    /// [`Trainer::score`]); None without a cross-entropy loss.
    async fn predictions(
        &mut self,
        test: bool,
        batches: Vec<Vec<usize>>,
        count: usize,
    ) -> Result<Option<Predictions>, TrainError> {
        let Some(cross_entropy) = self
            .graph
            .nodes()
            .iter()
            .find(|node| node.op == Op::CrossEntropy)
        else {
            return Ok(None);
        };
        let (logits, labels) = (cross_entropy.inputs[0], cross_entropy.inputs[1]);
        let classes = self.graph.node(logits).shape.last().copied().unwrap_or(1);
        let (mut predicted, mut truth) = (Vec::new(), Vec::new());
        for batch in &batches {
            if let Some(data) = &self.data {
                let table = if test {
                    &data.split.test
                } else {
                    &data.split.train
                };
                data.write_rows(&mut self.backend, table, batch)?;
            }
            self.backend.forward()?;
            let scores = self.backend.read(logits, Quantity::Value).await?;
            let known = self.backend.read(labels, Quantity::Value).await?;
            let rows = argmax_rows(scores.data(), classes)
                .into_iter()
                .zip(known.data().iter().map(|&label| label as usize));
            for (guess, label) in rows.take(count.saturating_sub(predicted.len())) {
                predicted.push(guess);
                truth.push(label);
            }
        }
        Ok(Some(Predictions {
            predicted,
            labels: truth,
        }))
    }
}

mod guarded;
pub use guarded::StepReport;

/// A classifier's predicted class for each row, and the row's label.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Predictions {
    pub predicted: Vec<usize>,
    pub labels: Vec<usize>,
}

#[cfg(test)]
mod tests;
