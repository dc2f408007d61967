//! Datasets: the built-in 2-D sets ([`dataset`]), the real ones that ship with the app
//! ([`shipped`]), tables read from CSV ([`csv`], [`table`]) and, as program inputs, a
//! `DataSpec` naming a dataset and its minibatch size (`X = features(moons, 256, 64)`),
//! with its training rows and its held-out test rows as [`Split`].

pub mod csv;
pub mod dataset;
pub mod own;
pub mod provided;
pub mod shipped;
pub mod table;

use crate::rng::SplitMix64;
use crate::tensor::Tensor;
use dataset::{DATASET_NAMES, Dataset, DatasetError};
use serde::{Deserialize, Serialize};
use table::Table;

/// The share of a shipped dataset's rows held out for testing.
pub const TEST_SHARE: f64 = 0.2;
/// The seed of the shuffle that picks a shipped dataset's test rows (the same for every
/// program, so every run is tested on the same rows).
pub const SPLIT_SEED: u64 = 0;
/// What a built-in 2-D set's test points' seed differs from its training points' by.
const TEST_SEED_SALT: u64 = 0x7e57_7e57;

/// A dataset's training rows and its held-out test rows.
#[derive(Clone, Debug, PartialEq)]
pub struct Split {
    pub train: Table,
    pub test: Table,
}

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

    /// Whether `name` is a built-in or a shipped dataset.
    pub fn is_dataset(name: &str) -> bool {
        DATASET_NAMES.contains(&name) || shipped::find(name).is_some() || name == own::OWN
    }

    /// The training rows and the held-out test rows.
    ///
    /// A built-in 2-D set's training rows are its `points` points; its test rows a quarter
    /// as many (at least one) drawn from another seed. A shipped set is shuffled by
    /// [`SPLIT_SEED`] and its last [`TEST_SHARE`] held out; every feature is standardized
    /// with the mean and standard deviation of all its training rows, and the first
    /// `points` training rows are used.
    pub fn load(&self) -> Result<Split, DatasetError> {
        if self.dataset == own::OWN {
            return own_split(self.points);
        }
        let Some(shipped) = shipped::find(&self.dataset) else {
            let test_points = (self.points / 4).max(1);
            let test = Dataset::by_name(
                &self.dataset,
                test_points,
                NOISE,
                self.seed ^ TEST_SEED_SALT,
            )?;
            return Ok(Split {
                train: Table::from_points(&self.generate()?),
                test: Table::from_points(&test),
            });
        };
        shipped_split(shipped, self.points)
    }

    /// The features and labels of epoch 0's first minibatch: the inputs' values when a
    /// program is compiled. For a built-in set this draws no test points.
    pub fn first_batch(&self) -> Result<(Tensor, Tensor), DatasetError> {
        // In the browser a shipped set's or own data's first batch is zeros of its width:
        // the app's modules then carry no split, and training writes the real rows.
        #[cfg(target_arch = "wasm32")]
        {
            if let Some(width) = self.placeholder_width() {
                return Ok(placeholder(self.batch, width));
            }
            if self.dataset == own::OWN {
                return Err(DatasetError::NoOwnData);
            }
        }
        #[cfg(not(target_arch = "wasm32"))]
        if self.dataset == own::OWN || shipped::find(&self.dataset).is_some() {
            let split = self.load()?;
            let first = self.batches(split.train.rows(), 0);
            return Ok(split.train.batch(first.first().map_or(&[], Vec::as_slice)));
        }
        let dataset = self.generate()?;
        let first = self.epoch(&dataset, 0);
        Ok(batch_tensors(
            &dataset,
            first.first().map_or(&[], Vec::as_slice),
        ))
    }

    /// The features and labels of epoch 0's first `count` minibatches (fewer if it has
    /// fewer full ones): gradient accumulation's micro-batches, the first being
    /// [`DataSpec::first_batch`].
    pub fn first_batches(&self, count: usize) -> Result<Vec<(Tensor, Tensor)>, DatasetError> {
        if let Some(shipped) = shipped::find(&self.dataset) {
            let split = shipped_split(shipped, self.points)?;
            let order = self.batches(split.train.rows(), 0);
            return Ok(order
                .iter()
                .take(count)
                .map(|rows| split.train.batch(rows))
                .collect());
        }
        let dataset = self.generate()?;
        let order = self.epoch(&dataset, 0);
        Ok(order
            .iter()
            .take(count)
            .map(|rows| batch_tensors(&dataset, rows))
            .collect())
    }

    /// The features' width of a first batch of zeros: a shipped set's documented one, or
    /// own data's (provided, else declared by its header).
    #[cfg(target_arch = "wasm32")]
    fn placeholder_width(&self) -> Option<usize> {
        if self.dataset == own::OWN {
            return provided::get(own::OWN)
                .map(|t| t.width())
                .or_else(own::declared_width);
        }
        shipped::find(&self.dataset).map(|s| s.features)
    }

    /// A shipped dataset's held-out test rows as its files hold them (not standardized),
    /// in the order of [`DataSpec::load`]'s test rows: what pictures of them show. None
    /// for a built-in set.
    pub fn raw_test(&self) -> Result<Option<Table>, DatasetError> {
        let Some(shipped) = shipped::find(&self.dataset) else {
            return Ok(None);
        };
        Ok(Some(
            shipped_table(shipped)?.split(TEST_SHARE, SPLIT_SEED).1,
        ))
    }

    /// The full minibatches of epoch `epoch` over `rows` rows: the same order as
    /// [`DataSpec::epoch`] over a dataset of that many points.
    pub fn batches(&self, rows: usize, epoch: u64) -> Vec<Vec<usize>> {
        let mut order: Vec<usize> = (0..rows).collect();
        SplitMix64::new(self.seed.wrapping_add(epoch)).shuffle(&mut order);
        order
            .chunks(self.batch.max(1))
            .filter(|batch| batch.len() == self.batch)
            .map(<[usize]>::to_vec)
            .collect()
    }
}

/// The rows of the page ([`own`]): the provided table's held-out share (shuffled by
/// [`SPLIT_SEED`]) for testing, `points` of the rest for training, as they are.
fn own_split(points: usize) -> Result<Split, DatasetError> {
    let (table, share) =
        provided::get_split(own::OWN).ok_or_else(|| match own::noted_left_out() {
            Some(rows) => DatasetError::LeftOut {
                rows,
                message: own::left_out_message(rows),
            },
            None => DatasetError::NoOwnData,
        })?;
    let (train, test) = table.split(share, SPLIT_SEED);
    if points > train.rows() {
        return Err(DatasetError::TooManyPoints {
            name: own::OWN.to_owned(),
            available: train.rows(),
        });
    }
    let used: Vec<usize> = (0..points).collect();
    Ok(Split {
        train: train.select(&used),
        test,
    })
}

/// How many training rows a shipped dataset has (its rows less the held-out
/// [`TEST_SHARE`]): the most points `features(name, points, batch)` may ask for.
pub fn training_rows(shipped: &shipped::Shipped) -> usize {
    shipped.rows - ((shipped.rows as f64 * TEST_SHARE) as usize).clamp(1, shipped.rows / 2)
}

/// A shipped dataset's split (see [`DataSpec::load`]) with `points` training rows.
fn shipped_split(shipped: &shipped::Shipped, points: usize) -> Result<Split, DatasetError> {
    let table = shipped_table(shipped)?;
    let (train, test) = table.split(TEST_SHARE, SPLIT_SEED);
    if points > train.rows() {
        return Err(DatasetError::TooManyPoints {
            name: shipped.name.to_owned(),
            available: train.rows(),
        });
    }
    let moments = train.moments();
    let used: Vec<usize> = (0..points).collect();
    Ok(Split {
        train: train.select(&used).standardized(&moments),
        test: test.standardized(&moments),
    })
}

/// A shipped dataset's table: natively from its embedded files.
#[cfg(not(target_arch = "wasm32"))]
fn shipped_table(shipped: &shipped::Shipped) -> Result<Table, DatasetError> {
    shipped::files::load(shipped).map_err(|message| DatasetError::Damaged {
        name: shipped.name.to_owned(),
        message,
    })
}

/// In the browser the playground fetches a shipped dataset's files on demand and
/// provides its table ([`provided`]); until then it is `NotLoaded`, and the app's first
/// load carries none of the files.
#[cfg(target_arch = "wasm32")]
fn shipped_table(shipped: &shipped::Shipped) -> Result<Table, DatasetError> {
    provided::get(shipped.name)
        .map(|table| Table::clone(&table))
        .ok_or_else(|| DatasetError::NotLoaded {
            name: shipped.name.to_owned(),
        })
}

/// What compiling a program over a shipped dataset takes as its first minibatch in the
/// browser: zeros of the documented shape (`[batch, features]`, `[batch]`), so the
/// program compiles, shows its graph and its shapes; training writes the real rows.
pub fn placeholder_batch(shipped: &shipped::Shipped, batch: usize) -> (Tensor, Tensor) {
    placeholder(batch, shipped.features)
}

/// Zeros `[batch, width]` and `[batch]`.
fn placeholder(batch: usize, width: usize) -> (Tensor, Tensor) {
    (
        Tensor::from_parts(vec![batch, width], vec![0.0; batch * width]),
        Tensor::from_parts(vec![batch], vec![0.0; batch]),
    )
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

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(dataset: &str, points: usize, batch: usize) -> DataSpec {
        DataSpec {
            dataset: dataset.into(),
            points,
            batch,
            seed: 3,
        }
    }

    #[test]
    fn batches_over_rows_are_the_epochs_over_points() {
        let spec = spec("moons", 50, 8);
        let dataset = spec.generate().expect("moons");
        for epoch in 0..3 {
            assert_eq!(spec.batches(50, epoch), spec.epoch(&dataset, epoch));
        }
    }

    #[test]
    fn the_first_batch_is_epoch_zeros_first_of_the_training_rows() {
        for spec in [spec("moons", 100, 16), spec("wine", 100, 16)] {
            let split = spec.load().expect("loads");
            let first = spec.batches(split.train.rows(), 0);
            let (x, y) = spec.first_batch().expect("a batch");
            assert_eq!((x.clone(), y.clone()), split.train.batch(&first[0]));
            assert_eq!(x.shape(), [16, split.train.width()]);
            assert_eq!(y.shape(), [16]);
        }
    }

    #[test]
    fn a_built_in_set_is_tested_on_a_quarter_as_many_other_points() {
        let split = spec("circles", 200, 20).load().expect("circles");
        assert_eq!(
            split.train,
            Table::from_points(&spec("circles", 200, 20).generate().expect("circles"))
        );
        assert_eq!((split.test.rows(), split.test.width()), (50, 2));
        assert!(split.test.row(0) != split.train.row(0));
    }

    #[test]
    fn a_shipped_set_holds_out_a_fifth_standardized_by_the_training_rows() {
        let split = spec("digits", 1438, 64).load().expect("digits");
        assert_eq!((split.train.rows(), split.test.rows()), (1438, 359));
        for set in &shipped::SHIPPED {
            let rows = training_rows(set);
            assert_eq!(
                spec(set.name, rows, 10).load().map(|s| s.train.rows()),
                Ok(rows)
            );
        }
        assert_eq!((split.train.width(), split.test.width()), (64, 64));
        for column in split.train.moments() {
            assert!(column.0.abs() < 1e-9, "{column:?}");
        }
        // The same test rows for any number of training points.
        assert_eq!(
            spec("digits", 100, 10).load().expect("digits").test,
            split.test
        );
        assert_eq!(
            spec("iris", 121, 10).load().map(|_| ()),
            Err(DatasetError::TooManyPoints {
                name: "iris".into(),
                available: 120
            })
        );
        let diabetes = spec("diabetes", 300, 10).load().expect("diabetes");
        assert_eq!((diabetes.train.rows(), diabetes.test.rows()), (300, 88));
        assert_eq!(diabetes.train.classes(), 0);
        assert!(DataSpec::is_dataset("wine") && !DataSpec::is_dataset("mnist"));
    }

    #[test]
    fn the_raw_test_rows_are_the_test_rows_before_standardizing() {
        let spec = spec("digits", 1438, 64);
        let (split, raw) = (
            spec.load().expect("digits"),
            spec.raw_test().expect("digits"),
        );
        let raw = raw.expect("a shipped set");
        assert_eq!(raw.targets, split.test.targets);
        // Pixels are whole numbers from 0 to 16.
        assert!(
            raw.features
                .iter()
                .all(|&v| v.fract() == 0.0 && (0.0..=16.0).contains(&v))
        );
        assert_eq!(self::spec("moons", 10, 5).raw_test(), Ok(None));
    }

    #[test]
    fn a_placeholder_batch_has_the_documented_shape_and_holds_zeros() {
        let digits = shipped::find("digits").expect("digits");
        let (x, y) = placeholder_batch(digits, 32);
        assert_eq!((x.shape(), y.shape()), (&[32, 64][..], &[32][..]));
        assert!(x.data().iter().chain(y.data()).all(|&v| v == 0.0));
        // Loaded, the first batch is the real one, of the same shape.
        let (real, _) = spec("digits", 1438, 32).first_batch().expect("digits");
        assert_eq!(real.shape(), x.shape());
        assert!(real.data().iter().any(|&v| v != 0.0));
    }
}
