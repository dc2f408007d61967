//! The real datasets that ship with the app (`www/data/`, from scikit-learn's wheel): their
//! documented shapes and class counts, and their files' text read into [`Table`]s.
//!
//! The files are fetched on demand by the app and never compiled into its wasm; natively
//! [`files`] embeds them for the CLI and the tests.

#[cfg(not(target_arch = "wasm32"))]
pub mod files;

use super::csv::{self, CsvError, Field, LIMITS, Position};
use super::table::Table;

/// A shipped dataset as its documentation describes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shipped {
    /// Its name in programs: `features(digits, …)`.
    pub name: &'static str,
    pub rows: usize,
    pub features: usize,
    /// Rows per class, in class-id order; empty for a regression set.
    pub class_counts: &'static [usize],
    /// Its files under `www/data/` (the targets second, where they are apart).
    pub files: &'static [&'static str],
}

/// Every shipped dataset, in the order they are listed to people.
pub const SHIPPED: [Shipped; 5] = [
    Shipped {
        name: "iris",
        rows: 150,
        features: 4,
        class_counts: &[50, 50, 50],
        files: &["iris.csv"],
    },
    Shipped {
        name: "wine",
        rows: 178,
        features: 13,
        class_counts: &[59, 71, 48],
        files: &["wine_data.csv"],
    },
    Shipped {
        name: "breast_cancer",
        rows: 569,
        features: 30,
        class_counts: &[212, 357],
        files: &["breast_cancer.csv"],
    },
    Shipped {
        name: "digits",
        rows: 1797,
        features: 64,
        class_counts: &[178, 182, 177, 183, 181, 182, 181, 179, 174, 180],
        files: &["digits.csv.gz"],
    },
    Shipped {
        name: "diabetes",
        rows: 442,
        features: 10,
        class_counts: &[],
        files: &["diabetes_data_raw.csv.gz", "diabetes_target.csv.gz"],
    },
];

/// The diabetes set's columns, as its description names them.
const DIABETES_COLUMNS: [&str; 10] = [
    "age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6",
];

/// The shipped dataset called `name`.
pub fn find(name: &str) -> Option<&'static Shipped> {
    SHIPPED.iter().find(|shipped| shipped.name == name)
}

impl Shipped {
    pub fn is_regression(&self) -> bool {
        self.class_counts.is_empty()
    }

    /// The table in `texts` (one per file, decompressed), checked against the documented
    /// shape.
    pub fn parse(&self, texts: &[&str]) -> Result<Table, CsvError> {
        let table = match (self.name, texts) {
            ("digits", [text]) => labelled_rows(text, self.features, digit_names(), None)?,
            ("diabetes", [data, target]) => diabetes(data, target)?,
            (_, [text]) => with_count_header(text)?,
            _ => return Err(format_error("one text per file", 1)),
        };
        if table.rows() != self.rows || table.width() != self.features {
            return Err(format_error(
                &format!(
                    "{} rows of {} features, but `{}` has {} of {}",
                    table.rows(),
                    table.width(),
                    self.name,
                    self.rows,
                    self.features
                ),
                1,
            ));
        }
        Ok(table)
    }
}

fn format_error(message: &str, line: usize) -> CsvError {
    CsvError::Format {
        message: message.to_owned(),
        at: Position { line, column: 1 },
    }
}

/// `row,column` of each of the 64 pixels of an 8×8 digit.
fn digit_names() -> Vec<String> {
    (0..64)
        .map(|i| format!("pixel {},{}", i / 8, i % 8))
        .collect()
}

/// scikit-learn's format: a first line `rows,features,class names…`, then rows of the
/// features and the class id.
fn with_count_header(text: &str) -> Result<Table, CsvError> {
    let records = csv::records(text, ',', LIMITS)?;
    let (header, _) = records.split_first().ok_or(CsvError::Empty)?;
    let count = |index: usize, what: &str| -> Result<usize, CsvError> {
        let field = header.get(index).ok_or_else(|| format_error(what, 1))?;
        field
            .text
            .trim()
            .parse()
            .map_err(|_| format_error(&format!("{what} is not a whole number"), 1))
    };
    let rows = count(0, "the number of rows")?;
    let features = count(1, "the number of features")?;
    let class_names: Vec<String> = header
        .iter()
        .skip(2)
        .map(|field| field.text.trim().to_owned())
        .collect();
    let names = (1..=features).map(|i| format!("x{i}")).collect();
    let table = labelled_rows(text, features, names, Some(class_names))?;
    if table.rows() != rows {
        return Err(format_error(
            &format!(
                "the header says {rows} rows, but there are {}",
                table.rows()
            ),
            1,
        ));
    }
    Ok(table)
}

/// Rows of `features` numbers and a class id in `0..classes` (the header line skipped
/// when `class_names` are given; else the classes are the digits 0–9).
fn labelled_rows(
    text: &str,
    features: usize,
    feature_names: Vec<String>,
    class_names: Option<Vec<String>>,
) -> Result<Table, CsvError> {
    let records = csv::records(text, ',', LIMITS)?;
    let skip = usize::from(class_names.is_some());
    let class_names = class_names.unwrap_or_else(|| (0..10).map(|d| d.to_string()).collect());
    let mut table = Table {
        feature_names,
        features: Vec::new(),
        targets: Vec::new(),
        class_names,
    };
    for record in records.iter().skip(skip) {
        let (label, values) = split_label(record, features)?;
        for (field, name) in values.iter().zip(&table.feature_names) {
            table.features.push(csv::number(field, name)?);
        }
        let class = csv::number(label, "class")?;
        if class.fract() != 0.0 || class < 0.0 || class >= table.class_names.len() as f64 {
            return Err(CsvError::Format {
                message: format!("`{}` is not a class id", label.text.trim()),
                at: label.at,
            });
        }
        table.targets.push(class);
    }
    Ok(table)
}

/// A record's last field (the label) and the `features` before it.
fn split_label(record: &[Field], features: usize) -> Result<(&Field, &[Field]), CsvError> {
    match record.split_last() {
        Some((label, values)) if values.len() == features => Ok((label, values)),
        _ => Err(CsvError::FieldCount {
            line: record.first().map_or(1, |field| field.at.line),
            expected: features + 1,
            found: record.len(),
        }),
    }
}

/// The diabetes set: space-separated features, and the targets one per line apart.
fn diabetes(data: &str, target: &str) -> Result<Table, CsvError> {
    let feature_names: Vec<String> = DIABETES_COLUMNS.iter().map(|&n| n.to_owned()).collect();
    let mut features = Vec::new();
    for record in csv::records(data, ' ', LIMITS)? {
        if record.len() != feature_names.len() {
            return Err(CsvError::FieldCount {
                line: record.first().map_or(1, |field| field.at.line),
                expected: feature_names.len(),
                found: record.len(),
            });
        }
        for (field, name) in record.iter().zip(&feature_names) {
            features.push(csv::number(field, name)?);
        }
    }
    let mut targets = Vec::new();
    for record in csv::records(target, ' ', LIMITS)? {
        for field in &record {
            targets.push(csv::number(field, "target")?);
        }
    }
    if targets.len() * feature_names.len() != features.len() {
        return Err(format_error(
            &format!("{} targets for {} rows", targets.len(), features.len() / 10),
            1,
        ));
    }
    Ok(Table {
        feature_names,
        features,
        targets,
        class_names: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_count_header_names_the_classes() {
        let table = with_count_header("2,2,a,b\n1,2,1\n3,4.5,0\n").expect("reads");
        assert_eq!(table.class_names, vec!["a", "b"]);
        assert_eq!(table.features, vec![1.0, 2.0, 3.0, 4.5]);
        assert_eq!(table.targets, vec![1.0, 0.0]);
    }

    #[test]
    fn malformed_files_are_errors_with_a_line() {
        let error = |text| with_count_header(text).map_err(|e| e.to_string());
        assert_eq!(
            error("3,2,a,b\n1,2,1\n"),
            Err("line 1, column 1: the header says 3 rows, but there are 1".into())
        );
        assert_eq!(
            error("1,2,a,b\n1,2,2\n"),
            Err("line 2, column 5: `2` is not a class id".into())
        );
        assert_eq!(
            error("1,2,a,b\n1,1\n"),
            Err("line 2: 2 fields where 3 are expected".into())
        );
        assert_eq!(
            diabetes("1 2 3 4 5 6 7 8 9 10\n", "1\n2\n").map_err(|e| e.to_string()),
            Err("line 1, column 1: 2 targets for 1 rows".into())
        );
        assert!(SHIPPED[0].parse(&[]).is_err());
    }
}
