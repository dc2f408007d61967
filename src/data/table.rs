//! A table of examples: numeric features row by row and one target each (a class id or a
//! number), read from CSV with a header and a label column chosen by name, cut into
//! minibatch tensors, split into training and test rows, standardized.

use super::csv::{self, CsvError, Field, Limits};
use super::dataset::Dataset;
use crate::rng::SplitMix64;
use crate::tensor::Tensor;

/// The most classes a label column may make.
pub const MAX_CLASSES: usize = 1_000;
/// The most characters a class name may have.
pub const MAX_CLASS_NAME: usize = 32;

/// What the label column holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Task {
    /// Class names or integers, numbered `0..classes` in sorted order.
    Classification,
    /// A number to fit (`mse`).
    Regression,
}

/// Examples with `width` features each.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// One name per feature column.
    pub feature_names: Vec<String>,
    /// Row-major `[rows, width]`.
    pub features: Vec<f64>,
    /// One per row: the class id (as a number) or the regression target.
    pub targets: Vec<f64>,
    /// The classes' names in id order; empty for regression.
    pub class_names: Vec<String>,
}

impl Table {
    pub fn width(&self) -> usize {
        self.feature_names.len()
    }

    pub fn rows(&self) -> usize {
        self.targets.len()
    }

    /// How many classes (0 for regression).
    pub fn classes(&self) -> usize {
        self.class_names.len()
    }

    /// How many rows have each class: `counts[class]`.
    pub fn class_counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.classes()];
        for &target in &self.targets {
            if let Some(count) = counts.get_mut(target as usize) {
                *count += 1;
            }
        }
        counts
    }

    /// Row `row`'s features.
    pub fn row(&self, row: usize) -> &[f64] {
        let width = self.width();
        self.features
            .get(row * width..(row + 1) * width)
            .unwrap_or(&[])
    }

    /// The 2-D points of a built-in dataset as a table (classes named by their ids).
    pub fn from_points(dataset: &Dataset) -> Table {
        Table {
            feature_names: vec!["x".into(), "y".into()],
            features: dataset.features(),
            targets: dataset.labels.iter().map(|&label| label as f64).collect(),
            class_names: (0..dataset.classes)
                .map(|class| class.to_string())
                .collect(),
        }
    }

    /// The features `[n, width]` and the targets `[n]` of the rows at `indices`.
    pub fn batch(&self, indices: &[usize]) -> (Tensor, Tensor) {
        let features = indices
            .iter()
            .flat_map(|&i| self.row(i).iter().copied())
            .collect();
        let targets = indices
            .iter()
            .map(|&i| self.targets.get(i).copied().unwrap_or(0.0))
            .collect();
        (
            Tensor::from_parts(vec![indices.len(), self.width()], features),
            Tensor::from_parts(vec![indices.len()], targets),
        )
    }

    /// The rows at `indices`, in that order.
    pub fn select(&self, indices: &[usize]) -> Table {
        Table {
            features: indices
                .iter()
                .flat_map(|&i| self.row(i).iter().copied())
                .collect(),
            targets: indices
                .iter()
                .filter_map(|&i| self.targets.get(i).copied())
                .collect(),
            ..self.clone_names()
        }
    }

    fn clone_names(&self) -> Table {
        Table {
            feature_names: self.feature_names.clone(),
            features: Vec::new(),
            targets: Vec::new(),
            class_names: self.class_names.clone(),
        }
    }

    /// A held-out split: the rows shuffled by `seed`, the last `test_share` of them (rounded
    /// down, at least 1 when there are 2 rows or more) the test set, the rest for training.
    pub fn split(&self, test_share: f64, seed: u64) -> (Table, Table) {
        let rows = self.rows();
        let mut order: Vec<usize> = (0..rows).collect();
        SplitMix64::new(seed).shuffle(&mut order);
        let test = ((rows as f64 * test_share) as usize).clamp(usize::from(rows >= 2), rows / 2);
        let (train, held_out) = order.split_at(rows - test);
        (self.select(train), self.select(held_out))
    }

    /// Each feature's mean and standard deviation over the rows (a standard deviation of
    /// 0 is given as 1, so a constant column becomes 0).
    pub fn moments(&self) -> Vec<(f64, f64)> {
        let (width, rows) = (self.width(), self.rows().max(1) as f64);
        (0..width)
            .map(|column| {
                let values = || self.features.iter().skip(column).step_by(width.max(1));
                let mean = values().sum::<f64>() / rows;
                let variance = values().map(|v| (v - mean).powi(2)).sum::<f64>() / rows;
                let deviation = variance.sqrt();
                (mean, if deviation > 0.0 { deviation } else { 1.0 })
            })
            .collect()
    }

    /// Every feature shifted and scaled by `moments` (from [`Table::moments`]).
    pub fn standardized(&self, moments: &[(f64, f64)]) -> Table {
        let width = self.width().max(1);
        let features = self
            .features
            .iter()
            .enumerate()
            .map(|(i, &value)| {
                let (mean, deviation) = moments.get(i % width).copied().unwrap_or((0.0, 1.0));
                (value - mean) / deviation
            })
            .collect();
        Table {
            features,
            targets: self.targets.clone(),
            ..self.clone_names()
        }
    }
}

/// Read CSV `text` with a header row: every column but `label` is a numeric feature;
/// `label` holds the target for `task`. Errors name the line and column.
pub fn read_csv(text: &str, label: &str, task: Task, limits: Limits) -> Result<Table, CsvError> {
    read_csv_within(text, label, task, limits, MAX_CLASSES)
}

/// [`read_csv`] with at most `max_classes` classes (a label making more is an error at
/// its line and column).
pub fn read_csv_within(
    text: &str,
    label: &str,
    task: Task,
    limits: Limits,
    max_classes: usize,
) -> Result<Table, CsvError> {
    let records = csv::records(text, ',', limits)?;
    let (header, rows) = records.split_first().ok_or(CsvError::Empty)?;
    let names = column_names(header)?;
    let label_column = names
        .iter()
        .position(|name| name == label.trim())
        .ok_or_else(|| CsvError::NoLabelColumn {
            label: label.trim().to_owned(),
            columns: names.clone(),
        })?;
    if rows.is_empty() {
        return Err(CsvError::NoRows);
    }
    let mut features = Vec::with_capacity(rows.len() * names.len().saturating_sub(1));
    let mut labels = Vec::with_capacity(rows.len());
    for row in rows {
        if row.len() != names.len() {
            return Err(CsvError::FieldCount {
                line: row.first().map_or(1, |field| field.at.line),
                expected: names.len(),
                found: row.len(),
            });
        }
        for (column, field) in row.iter().enumerate() {
            if column == label_column {
                labels.push(field);
            } else {
                features.push(csv::number(field, &names[column])?);
            }
        }
    }
    let (targets, class_names) = match task {
        Task::Regression => (
            labels
                .iter()
                .map(|field| csv::number(field, &names[label_column]))
                .collect::<Result<Vec<f64>, CsvError>>()?,
            Vec::new(),
        ),
        Task::Classification => classes(&labels, max_classes.min(MAX_CLASSES))?,
    };
    let mut feature_names = names;
    feature_names.remove(label_column);
    Ok(Table {
        feature_names,
        features,
        targets,
        class_names,
    })
}

/// The header's names, trimmed; each must be there and differ from the others.
fn column_names(header: &[Field]) -> Result<Vec<String>, CsvError> {
    let mut names: Vec<String> = Vec::with_capacity(header.len());
    for field in header {
        let name = field.text.trim();
        if name.is_empty() {
            return Err(CsvError::UnnamedColumn { at: field.at });
        }
        if names.iter().any(|seen| seen == name) {
            return Err(CsvError::DuplicateColumn {
                name: name.to_owned(),
                at: field.at,
            });
        }
        names.push(name.to_owned());
    }
    Ok(names)
}

/// Class ids for the labels: the distinct labels sorted (as numbers when all are
/// integers, else as text), numbered from 0; at most `limit` of them, each name at most
/// [`MAX_CLASS_NAME`] characters.
fn classes(labels: &[&Field], limit: usize) -> Result<(Vec<f64>, Vec<String>), CsvError> {
    let texts: Vec<&str> = labels.iter().map(|field| field.text.trim()).collect();
    let mut distinct: Vec<&str> = Vec::new();
    for (field, &text) in labels.iter().zip(&texts) {
        if !distinct.contains(&text) {
            if distinct.len() == limit {
                return Err(CsvError::TooManyClasses {
                    text: text.to_owned(),
                    limit,
                    at: field.at,
                });
            }
            if text.chars().count() > MAX_CLASS_NAME {
                return Err(CsvError::Format {
                    message: format!(
                        "the class name `{}…` is longer than {MAX_CLASS_NAME} characters",
                        text.chars().take(MAX_CLASS_NAME).collect::<String>()
                    ),
                    at: field.at,
                });
            }
            distinct.push(text);
        }
    }
    let integers: Option<Vec<i64>> = distinct.iter().map(|text| text.parse().ok()).collect();
    match integers {
        Some(mut numbers) => {
            numbers.sort_unstable();
            numbers.dedup();
            let ids = texts
                .iter()
                .map(|text| {
                    let value: i64 = text.parse().unwrap_or(0);
                    numbers.binary_search(&value).unwrap_or(0) as f64
                })
                .collect();
            Ok((ids, numbers.iter().map(i64::to_string).collect()))
        }
        None => {
            distinct.sort_unstable();
            let ids = texts
                .iter()
                .map(|text| distinct.binary_search(text).unwrap_or(0) as f64)
                .collect();
            Ok((ids, distinct.iter().map(|&name| name.to_owned()).collect()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::csv::{LIMITS, Position};
    use super::*;

    fn read(text: &str, label: &str, task: Task) -> Result<Table, String> {
        read_csv(text, label, task, LIMITS).map_err(|error| error.to_string())
    }

    #[test]
    fn reads_features_and_class_names() {
        let table = read(
            "petal,species,sepal\n1.5,setosa,2\n3,virginica,4.25\n5,setosa,-6\n",
            "species",
            Task::Classification,
        )
        .expect("reads");
        assert_eq!(table.feature_names, vec!["petal", "sepal"]);
        assert_eq!(table.features, vec![1.5, 2.0, 3.0, 4.25, 5.0, -6.0]);
        assert_eq!(table.targets, vec![0.0, 1.0, 0.0]);
        assert_eq!(table.class_names, vec!["setosa", "virginica"]);
        assert_eq!(table.class_counts(), vec![2, 1]);
        assert_eq!((table.rows(), table.width()), (3, 2));
    }

    #[test]
    fn integer_labels_sort_as_numbers_and_regression_keeps_the_values() {
        let text = "x,y\n0,10\n1,2\n2,10\n3,9\n";
        let classes = read(text, "y", Task::Classification).expect("reads");
        assert_eq!(classes.class_names, vec!["2", "9", "10"]);
        assert_eq!(classes.targets, vec![2.0, 0.0, 2.0, 1.0]);
        let fit = read(text, "y", Task::Regression).expect("reads");
        assert_eq!(fit.targets, vec![10.0, 2.0, 10.0, 9.0]);
        assert!(fit.class_names.is_empty());
    }

    #[test]
    fn each_error_says_where() {
        let cases = [
            (
                "a,b\n1,2\n",
                "c",
                "line 1: there is no column `c`; the columns are a, b",
            ),
            ("a,,b\n", "a", "line 1, column 3: a column has no name"),
            (
                "a,b,a\n",
                "b",
                "line 1, column 5: the column `a` is named twice",
            ),
            ("a,b\n", "b", "there are no rows of data after the header"),
            (
                "a,b\n1,2\n3\n",
                "b",
                "line 3: 1 fields where 2 are expected",
            ),
            (
                "a,b\n1,x\n1,two\n",
                "b",
                "line 2, column 3: `x` in column `b` is not a number",
            ),
            (
                "a,b\n1,2\n 7e999,3\n",
                "b",
                "line 3, column 1: `7e999` in column `a` is not a finite number",
            ),
        ];
        for (text, label, message) in cases {
            let task = if text.contains("two") {
                Task::Regression
            } else {
                Task::Classification
            };
            assert_eq!(read(text, label, task), Err(message.to_owned()), "{text:?}");
        }
    }

    #[test]
    fn too_many_classes_is_an_error_at_the_first_one_over() {
        let mut text = String::from("x,y\n");
        for i in 0..=MAX_CLASSES {
            text.push_str(&format!("1,c{i}\n"));
        }
        let error = read_csv(&text, "y", Task::Classification, LIMITS).expect_err("too many");
        assert_eq!(
            error.position(),
            Some(Position {
                line: MAX_CLASSES + 2,
                column: 3
            })
        );
    }

    #[test]
    fn a_class_limit_and_a_long_class_name_are_errors_at_their_field() {
        let text = "x,kind\n1,a\n2,b\n3,a\n4,c\n";
        let error = read_csv_within(text, "kind", Task::Classification, LIMITS, 2)
            .expect_err("three classes");
        assert_eq!(
            error.to_string(),
            "line 5, column 3: the label `c` makes more than 2 classes"
        );
        let long = "n".repeat(MAX_CLASS_NAME + 1);
        let error = read(
            &format!("x,kind\n1,a\n2,{long}\n"),
            "kind",
            Task::Classification,
        )
        .expect_err("too long");
        assert!(
            error.starts_with("line 3, column 3: the class name `nnnn")
                && error.ends_with("…` is longer than 32 characters"),
            "{error}"
        );
        let fits = read(
            &format!("x,kind\n1,a\n2,{}\n", &long[1..]),
            "kind",
            Task::Classification,
        )
        .expect("32 characters fit");
        assert_eq!(fits.class_names, ["a", &long[1..]]);
    }

    #[test]
    fn batches_split_and_standardize() {
        let table = read(
            "a,b,y\n1,10,0\n2,20,1\n3,30,0\n4,40,1\n5,50,0\n",
            "y",
            Task::Classification,
        )
        .expect("reads");
        let (x, y) = table.batch(&[4, 1]);
        assert_eq!(x.shape(), [2, 2]);
        assert_eq!(x.data(), [5.0, 50.0, 2.0, 20.0]);
        assert_eq!(y.data(), [0.0, 1.0]);

        let (train, test) = table.split(0.2, 7);
        assert_eq!((train.rows(), test.rows()), (4, 1));
        let mut all: Vec<f64> = train
            .features
            .iter()
            .chain(&test.features)
            .copied()
            .collect();
        all.sort_by(f64::total_cmp);
        assert_eq!(all, [1.0, 2.0, 3.0, 4.0, 5.0, 10.0, 20.0, 30.0, 40.0, 50.0]);
        assert_eq!(table.split(0.2, 7), (train, test));

        let moments = table.moments();
        assert_eq!(moments[0], (3.0, 2f64.sqrt()));
        let scaled = table.standardized(&moments);
        assert_eq!(scaled.row(2), [0.0, 0.0]);
        assert!((scaled.row(4)[1] - 2f64.sqrt()).abs() < 1e-12);
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(64))]

            #[test]
            fn odd_text_is_an_error_or_a_table_never_a_panic(
                text in "[a-c0-9,\"\n\r .e-]{0,80}"
            ) {
                let headed = format!("a,b\n{text}");
                for text in [&text, &headed] {
                    for task in [Task::Classification, Task::Regression] {
                        if let Ok(table) = read_csv(text, "a", task, LIMITS) {
                            prop_assert_eq!(table.features.len(), table.rows() * table.width());
                            prop_assert!(table.targets.iter().all(|t| t.is_finite()));
                        }
                    }
                }
            }

            #[test]
            fn a_written_table_reads_back(
                rows in proptest::collection::vec(
                    (proptest::collection::vec(-1e6f64..1e6, 3), 0usize..4),
                    1..20,
                )
            ) {
                let mut text = String::from("x1,\"class, named\",x2,x3\n");
                for (values, class) in &rows {
                    text.push_str(&format!(
                        "{},\"c{class}\",{},{}\n",
                        values[0], values[1], values[2]
                    ));
                }
                let table = read_csv(&text, "class, named", Task::Classification, LIMITS)
                    .map_err(|error| TestCaseError::fail(error.to_string()))?;
                let features: Vec<f64> = rows.iter().flat_map(|(v, _)| v.clone()).collect();
                prop_assert_eq!(&table.features, &features);
                let mut names: Vec<String> =
                    rows.iter().map(|(_, class)| format!("c{class}")).collect();
                names.sort();
                names.dedup();
                prop_assert_eq!(&table.class_names, &names);
                for ((_, class), target) in rows.iter().zip(&table.targets) {
                    prop_assert_eq!(&table.class_names[*target as usize], &format!("c{class}"));
                }
            }
        }
    }
}
