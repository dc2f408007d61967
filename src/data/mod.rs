//! Datasets: the built-in 2-D sets ([`dataset`]) and, as program inputs, a `DataSpec` naming a built-in dataset and its minibatch
//! size (`X = features(moons, 256, 64)`), and turns batches of points into tensors.

pub mod dataset;

use crate::tensor::Tensor;
use dataset::{DATASET_NAMES, Dataset, DatasetError};
use serde::{Deserialize, Serialize};

/// The noise every built-in dataset is generated with (standard deviation per coordinate).
pub const NOISE: f64 = 0.1;
/// The most points a dataset may have.
pub const MAX_POINTS: usize = 100_000;

/// A built-in dataset and how it is cut into minibatches.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataSpec {
    /// One of [`DATASET_NAMES`].
    pub dataset: String,
    /// How many points the dataset has.
    pub points: usize,
    /// How many points each minibatch takes (at most `points`).
    pub batch: usize,
    /// The seed of the points and of the shuffles.
    pub seed: u64,
}

impl DataSpec {
    /// The points, generated from the seed.
    pub fn generate(&self) -> Result<Dataset, DatasetError> {
        Dataset::by_name(&self.dataset, self.points, NOISE, self.seed)
    }

    /// The full minibatches of epoch `epoch` (a smaller last batch is dropped, so every
    /// batch has the shape the graph was built for).
    pub fn epoch(&self, dataset: &Dataset, epoch: u64) -> Vec<Vec<usize>> {
        dataset
            .minibatches(self.batch, self.seed.wrapping_add(epoch))
            .filter(|batch| batch.len() == self.batch)
            .collect()
    }

    /// Whether `name` is a built-in dataset.
    pub fn is_dataset(name: &str) -> bool {
        DATASET_NAMES.contains(&name)
    }
}

/// The features `[batch, 2]` and the labels `[batch]` of the points at `indices`.
pub fn batch_tensors(dataset: &Dataset, indices: &[usize]) -> (Tensor, Tensor) {
    let features = indices
        .iter()
        .flat_map(|&i| dataset.points[i])
        .collect::<Vec<f64>>();
    let labels = indices
        .iter()
        .map(|&i| dataset.labels[i] as f64)
        .collect::<Vec<f64>>();
    (
        Tensor::from_parts(vec![indices.len(), 2], features),
        Tensor::from_parts(vec![indices.len()], labels),
    )
}
