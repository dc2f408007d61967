//! Built-in 2-D classification datasets (xor, circles, moons, spiral), generated from a
//! seed so the same seed gives the same points everywhere, and seeded minibatches.
//!
//! Labels are dealt round-robin (point `i` has class `i % classes`), so every class has
//! `n / classes` points, give or take one. Without noise every point lies in
//! `[-1.5, 1.5]²`; `noise` is the standard deviation of Gaussian noise added to each
//! coordinate, in the same units.

use crate::rng::SplitMix64;
use std::f64::consts::{PI, TAU};
use thiserror::Error;

/// The names [`Dataset::by_name`] accepts, in the order they are listed to people.
pub const DATASET_NAMES: [&str; 4] = ["xor", "circles", "moons", "spiral"];

/// Arms of the spiral that [`Dataset::by_name`] and [`Dataset::spiral`] build.
pub const DEFAULT_SPIRAL_ARMS: usize = 2;

/// How far the points reach from the origin (before noise) along each axis.
const EXTENT: f64 = 1.5;

/// Labelled points in the plane.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    /// One `[x, y]` per example.
    pub points: Vec<[f64; 2]>,
    /// The class of each point, in `0..classes`; as long as `points`.
    pub labels: Vec<usize>,
    /// How many classes there are.
    pub classes: usize,
}

#[derive(Clone, Debug, PartialEq, Error)]
pub enum DatasetError {
    #[error("unknown dataset `{name}`; the datasets are {}", DATASET_NAMES.join(", "))]
    UnknownName { name: String },
    #[error("noise must be a finite number of at least 0, found {noise}")]
    InvalidNoise { noise: f64 },
    #[error("`{name}` has {available} training rows; ask for at most that many points")]
    TooManyPoints { name: String, available: usize },
    #[error("the program has no own data: the playground writes it as `# own data:` comments")]
    NoOwnData,
    /// Own data the page does not hold (`message` says so, from `data::own`).
    #[error("{message}")]
    LeftOut { rows: usize, message: String },
    #[error("the `{name}` dataset is not loaded here yet")]
    NotLoaded { name: String },
    #[error("the `{name}` dataset's files are damaged: {message}")]
    Damaged { name: String, message: String },
}

impl Dataset {
    /// The dataset called `name` (one of [`DATASET_NAMES`], ignoring case and surrounding
    /// spaces) with `n_points` points.
    pub fn by_name(
        name: &str,
        n_points: usize,
        noise: f64,
        seed: u64,
    ) -> Result<Dataset, DatasetError> {
        if !noise.is_finite() || noise < 0.0 {
            return Err(DatasetError::InvalidNoise { noise });
        }
        let generate = match name.trim().to_ascii_lowercase().as_str() {
            "xor" => Dataset::xor,
            "circles" => Dataset::circles,
            "moons" => Dataset::moons,
            "spiral" => Dataset::spiral,
            _ => {
                return Err(DatasetError::UnknownName {
                    name: name.to_owned(),
                });
            }
        };
        Ok(generate(n_points, noise, seed))
    }

    /// Two classes in the four quadrants: class 0 where `x` and `y` share a sign, class 1
    /// where they differ. A small gap keeps points off the axes.
    pub fn xor(n_points: usize, noise: f64, seed: u64) -> Dataset {
        const GAP: f64 = 0.05 * EXTENT;
        let mut rng = SplitMix64::new(seed);
        Dataset::generate(n_points, 2, |label, _| {
            let x_magnitude = rng.uniform_in(GAP, EXTENT);
            let y_magnitude = rng.uniform_in(GAP, EXTENT);
            let x_sign = if rng.uniform() < 0.5 { -1.0 } else { 1.0 };
            let y_sign = if label == 0 { x_sign } else { -x_sign };
            let point = [x_sign * x_magnitude, y_sign * y_magnitude];
            with_noise(point, noise, &mut rng)
        })
    }

    /// Two classes: class 0 fills a disc around the origin, class 1 a ring around it.
    pub fn circles(n_points: usize, noise: f64, seed: u64) -> Dataset {
        const INNER_DISC_RADIUS: f64 = 0.4 * EXTENT;
        const RING_INNER_RADIUS: f64 = 0.6 * EXTENT;
        const RING_OUTER_RADIUS: f64 = EXTENT;
        let mut rng = SplitMix64::new(seed);
        Dataset::generate(n_points, 2, |label, _| {
            let radius = if label == 0 {
                rng.uniform_in(0.0, INNER_DISC_RADIUS)
            } else {
                rng.uniform_in(RING_INNER_RADIUS, RING_OUTER_RADIUS)
            };
            let angle = rng.uniform_in(0.0, TAU);
            let point = [radius * angle.cos(), radius * angle.sin()];
            with_noise(point, noise, &mut rng)
        })
    }

    /// Two interleaved half circles of radius 1: class 0 arches up, class 1 hangs down and
    /// is shifted right, both centred on the origin.
    pub fn moons(n_points: usize, noise: f64, seed: u64) -> Dataset {
        // The two moons together span x ∈ [-1, 2] and y ∈ [-0.5, 1]; this centres them.
        const CENTRE: [f64; 2] = [0.5, 0.25];
        let mut rng = SplitMix64::new(seed);
        Dataset::generate(n_points, 2, |label, _| {
            let angle = rng.uniform_in(0.0, PI);
            let point = if label == 0 {
                [angle.cos(), angle.sin()]
            } else {
                [1.0 - angle.cos(), 0.5 - angle.sin()]
            };
            let centred = [point[0] - CENTRE[0], point[1] - CENTRE[1]];
            with_noise(centred, noise, &mut rng)
        })
    }

    /// A spiral with [`DEFAULT_SPIRAL_ARMS`] arms, one class per arm.
    pub fn spiral(n_points: usize, noise: f64, seed: u64) -> Dataset {
        Dataset::spiral_with_arms(n_points, noise, seed, DEFAULT_SPIRAL_ARMS)
    }

    /// A spiral with `arms` arms (at least 1), one class per arm. Each arm starts at the
    /// origin and winds outwards for just under one turn, the arms evenly rotated.
    pub fn spiral_with_arms(n_points: usize, noise: f64, seed: u64, arms: usize) -> Dataset {
        const TURNS: f64 = 0.9;
        let arms = arms.max(1);
        let points_per_arm = n_points.div_ceil(arms).max(1);
        let mut rng = SplitMix64::new(seed);
        Dataset::generate(n_points, arms, |label, index| {
            // How far along its arm this point is, from 0 (centre) to 1 (tip).
            let along = (index / arms) as f64 / points_per_arm as f64;
            let radius = EXTENT * along;
            let angle = TAU * (label as f64 / arms as f64 + TURNS * along);
            let point = [radius * angle.cos(), radius * angle.sin()];
            with_noise(point, noise, &mut rng)
        })
    }

    /// How many points there are.
    pub fn len(&self) -> usize {
        self.points.len()
    }

    /// Whether there are no points.
    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// How many points have each class: `counts[class]`.
    pub fn class_counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.classes];
        for &label in &self.labels {
            if let Some(count) = counts.get_mut(label) {
                *count += 1;
            }
        }
        counts
    }

    /// The points as one row-major `[len, 2]` buffer, ready to become an input tensor.
    pub fn features(&self) -> Vec<f64> {
        self.points.iter().flatten().copied().collect()
    }

    /// One epoch of minibatches: the indices `0..len` in an order shuffled by `epoch_seed`,
    /// cut into batches of `batch_size` (the last one may be smaller). Every index appears
    /// exactly once. A `batch_size` of 0 is treated as 1.
    pub fn minibatches(
        &self,
        batch_size: usize,
        epoch_seed: u64,
    ) -> impl Iterator<Item = Vec<usize>> + use<> {
        let mut order: Vec<usize> = (0..self.len()).collect();
        SplitMix64::new(epoch_seed).shuffle(&mut order);
        let batches: Vec<Vec<usize>> = order
            .chunks(batch_size.max(1))
            .map(<[usize]>::to_vec)
            .collect();
        batches.into_iter()
    }

    /// Builds `n_points` points with round-robin labels; `point_for(label, index)` draws one.
    fn generate(
        n_points: usize,
        classes: usize,
        mut point_for: impl FnMut(usize, usize) -> [f64; 2],
    ) -> Dataset {
        let labels: Vec<usize> = (0..n_points).map(|index| index % classes).collect();
        let points = labels
            .iter()
            .enumerate()
            .map(|(index, &label)| point_for(label, index))
            .collect();
        Dataset {
            points,
            labels,
            classes,
        }
    }
}

/// `point` moved by independent Gaussian noise of standard deviation `noise` per axis.
fn with_noise(point: [f64; 2], noise: f64, rng: &mut SplitMix64) -> [f64; 2] {
    if noise == 0.0 {
        return point;
    }
    [
        point[0] + noise * rng.gaussian(),
        point[1] + noise * rng.gaussian(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_datasets(n_points: usize, noise: f64, seed: u64) -> Vec<(&'static str, Dataset)> {
        DATASET_NAMES
            .iter()
            .map(|&name| {
                let dataset = Dataset::by_name(name, n_points, noise, seed)
                    .unwrap_or_else(|error| panic!("{name}: {error}"));
                (name, dataset)
            })
            .collect()
    }

    fn centroid(dataset: &Dataset, class: usize) -> [f64; 2] {
        let members: Vec<&[f64; 2]> = dataset
            .points
            .iter()
            .zip(&dataset.labels)
            .filter(|&(_, &label)| label == class)
            .map(|(point, _)| point)
            .collect();
        let count = members.len() as f64;
        [
            members.iter().map(|p| p[0]).sum::<f64>() / count,
            members.iter().map(|p| p[1]).sum::<f64>() / count,
        ]
    }

    fn radii(dataset: &Dataset, class: usize) -> Vec<f64> {
        dataset
            .points
            .iter()
            .zip(&dataset.labels)
            .filter(|&(_, &label)| label == class)
            .map(|(point, _)| point[0].hypot(point[1]))
            .collect()
    }

    #[test]
    fn same_seed_gives_identical_data_and_another_seed_different_data() {
        for ((name, first), (_, again)) in all_datasets(200, 0.1, 42)
            .into_iter()
            .zip(all_datasets(200, 0.1, 42))
        {
            assert_eq!(first, again, "{name}");
        }
        for ((name, first), (_, other)) in all_datasets(200, 0.1, 42)
            .into_iter()
            .zip(all_datasets(200, 0.1, 43))
        {
            assert_ne!(first.points, other.points, "{name}");
        }
    }

    #[test]
    fn datasets_have_the_requested_size_and_balanced_classes() {
        for n_points in [0, 1, 7, 100, 301] {
            for (name, dataset) in all_datasets(n_points, 0.05, 1) {
                assert_eq!(dataset.points.len(), n_points, "{name}");
                assert_eq!(dataset.labels.len(), n_points, "{name}");
                assert_eq!(dataset.classes, 2, "{name}");
                let counts = dataset.class_counts();
                assert_eq!(counts.iter().sum::<usize>(), n_points, "{name}");
                let spread = counts.iter().max().unwrap_or(&0) - counts.iter().min().unwrap_or(&0);
                assert!(spread <= 1, "{name}: {counts:?}");
            }
        }
    }

    #[test]
    fn spiral_has_one_class_per_arm() {
        let dataset = Dataset::spiral_with_arms(300, 0.0, 5, 3);
        assert_eq!(dataset.classes, 3);
        assert_eq!(dataset.class_counts(), vec![100, 100, 100]);
        assert_eq!(Dataset::spiral_with_arms(10, 0.0, 5, 0).classes, 1);
    }

    #[test]
    fn points_without_noise_lie_in_the_square_and_with_noise_near_it() {
        for (name, dataset) in all_datasets(500, 0.0, 9) {
            for point in &dataset.points {
                assert!(point.iter().all(|c| c.abs() <= EXTENT), "{name}: {point:?}");
            }
        }
        for (name, dataset) in all_datasets(500, 0.1, 9) {
            for point in &dataset.points {
                assert!(point.iter().all(|c| c.abs() <= 2.0), "{name}: {point:?}");
            }
        }
    }

    #[test]
    fn xor_classes_follow_the_sign_of_the_product() {
        let dataset = Dataset::xor(200, 0.0, 3);
        for (point, &label) in dataset.points.iter().zip(&dataset.labels) {
            let same_sign = point[0] * point[1] > 0.0;
            assert_eq!(label, usize::from(!same_sign), "{point:?}");
        }
    }

    #[test]
    fn circles_classes_separate_by_radius() {
        let dataset = Dataset::circles(400, 0.0, 4);
        let inner = radii(&dataset, 0);
        let outer = radii(&dataset, 1);
        let inner_max = inner.iter().copied().fold(0.0, f64::max);
        let outer_min = outer.iter().copied().fold(f64::INFINITY, f64::min);
        assert!(inner_max < outer_min, "{inner_max} ≥ {outer_min}");

        let noisy = Dataset::circles(400, 0.1, 4);
        let mean = |values: Vec<f64>| values.iter().sum::<f64>() / values.len() as f64;
        assert!(mean(radii(&noisy, 0)) + 0.5 < mean(radii(&noisy, 1)));
    }

    #[test]
    fn moons_centroids_differ_and_sit_either_side_of_the_origin() {
        let dataset = Dataset::moons(400, 0.1, 6);
        let upper = centroid(&dataset, 0);
        let lower = centroid(&dataset, 1);
        assert!(upper[0] < -0.3 && upper[1] > 0.2, "{upper:?}");
        assert!(lower[0] > 0.3 && lower[1] < -0.2, "{lower:?}");
    }

    #[test]
    fn spiral_arms_start_at_the_centre_and_reach_outwards() {
        let dataset = Dataset::spiral(400, 0.0, 8);
        for class in 0..2 {
            let arm = radii(&dataset, class);
            assert!(arm[0] < 0.01, "arm {class} starts at {}", arm[0]);
            assert!(arm.windows(2).all(|pair| pair[0] <= pair[1]));
            assert!(arm[arm.len() - 1] > 0.9 * EXTENT);
        }
        // The two arms are half a turn apart: opposite points at the same distance.
        let [first, second] = [dataset.points[2], dataset.points[3]];
        assert!((first[0] + second[0]).abs() < 1e-12 && (first[1] + second[1]).abs() < 1e-12);
    }

    #[test]
    fn by_name_ignores_case_and_lists_the_names_when_unknown() {
        assert_eq!(
            Dataset::by_name(" Moons ", 10, 0.0, 1),
            Ok(Dataset::moons(10, 0.0, 1))
        );
        let error = Dataset::by_name("spirals", 10, 0.0, 1).unwrap_err();
        assert_eq!(
            error.to_string(),
            "unknown dataset `spirals`; the datasets are xor, circles, moons, spiral"
        );
        for noise in [-0.1, f64::NAN, f64::INFINITY] {
            assert!(matches!(
                Dataset::by_name("xor", 10, noise, 1),
                Err(DatasetError::InvalidNoise { .. })
            ));
        }
    }

    #[test]
    fn features_are_the_points_row_by_row() {
        let dataset = Dataset::xor(3, 0.0, 2);
        let features = dataset.features();
        assert_eq!(features.len(), 6);
        assert_eq!(features[2..4], dataset.points[1]);
    }

    #[test]
    fn minibatches_cover_every_index_exactly_once_per_epoch() {
        let dataset = Dataset::moons(103, 0.1, 1);
        for batch_size in [1, 10, 103, 500] {
            let batches: Vec<Vec<usize>> = dataset.minibatches(batch_size, 11).collect();
            assert_eq!(batches.len(), 103usize.div_ceil(batch_size));
            assert!(batches.iter().all(|batch| batch.len() <= batch_size));
            let mut seen: Vec<usize> = batches.concat();
            seen.sort_unstable();
            assert_eq!(seen, (0..103).collect::<Vec<_>>());
        }
        let last = dataset.minibatches(10, 11).last().unwrap_or_default();
        assert_eq!(last.len(), 3);
    }

    #[test]
    fn minibatch_order_is_fixed_by_the_epoch_seed() {
        let dataset = Dataset::circles(50, 0.1, 1);
        let order = |seed| dataset.minibatches(8, seed).flatten().collect::<Vec<_>>();
        assert_eq!(order(1), order(1));
        assert_ne!(order(1), order(2));
        assert_ne!(order(1), (0..50).collect::<Vec<_>>());
        assert_eq!(dataset.minibatches(0, 1).count(), 50);
        assert_eq!(Dataset::xor(0, 0.0, 1).minibatches(4, 1).count(), 0);
    }
}
