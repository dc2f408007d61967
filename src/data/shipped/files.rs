//! The shipped datasets' files embedded for native builds (the CLI and the tests; the app
//! fetches them instead), gunzipped, read once and kept.

use super::{SHIPPED, Shipped};
use crate::data::table::Table;
use flate2::read::GzDecoder;
use std::io::Read;
use std::sync::OnceLock;

/// Each file's bytes, by name.
const FILES: [(&str, &[u8]); 6] = [
    ("iris.csv", include_bytes!("../../../www/data/iris.csv")),
    (
        "wine_data.csv",
        include_bytes!("../../../www/data/wine_data.csv"),
    ),
    (
        "breast_cancer.csv",
        include_bytes!("../../../www/data/breast_cancer.csv"),
    ),
    (
        "digits.csv.gz",
        include_bytes!("../../../www/data/digits.csv.gz"),
    ),
    (
        "diabetes_data_raw.csv.gz",
        include_bytes!("../../../www/data/diabetes_data_raw.csv.gz"),
    ),
    (
        "diabetes_target.csv.gz",
        include_bytes!("../../../www/data/diabetes_target.csv.gz"),
    ),
];

/// The most bytes a file may decompress to.
const MAX_TEXT: u64 = 4 << 20;

static TABLES: [OnceLock<Result<Table, String>>; SHIPPED.len()] =
    [const { OnceLock::new() }; SHIPPED.len()];

/// The table of `shipped`, read on first use; an error is a damaged file, in words.
pub fn load(shipped: &Shipped) -> Result<Table, String> {
    let index = SHIPPED
        .iter()
        .position(|s| s.name == shipped.name)
        .ok_or_else(|| format!("`{}` is not a shipped dataset", shipped.name))?;
    TABLES[index].get_or_init(|| read(shipped)).clone()
}

fn read(shipped: &Shipped) -> Result<Table, String> {
    let texts = shipped
        .files
        .iter()
        .map(|&file| text(file))
        .collect::<Result<Vec<String>, String>>()?;
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    shipped
        .parse(&texts)
        .map_err(|error| format!("{}: {error}", shipped.files.join(" + ")))
}

/// A file's text, gunzipped when its name ends in `.gz`.
fn text(file: &str) -> Result<String, String> {
    let bytes = FILES
        .iter()
        .find(|(name, _)| *name == file)
        .map(|(_, bytes)| *bytes)
        .ok_or_else(|| format!("no file {file}"))?;
    let mut text = String::new();
    let result = if file.ends_with(".gz") {
        GzDecoder::new(bytes)
            .take(MAX_TEXT)
            .read_to_string(&mut text)
    } else {
        bytes.take(MAX_TEXT).read_to_string(&mut text)
    };
    result.map_err(|error| format!("{file}: {error}"))?;
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_dataset_loads_with_its_documented_shape_and_class_counts() {
        for shipped in &SHIPPED {
            let table = load(shipped).unwrap_or_else(|error| panic!("{error}"));
            assert_eq!(table.rows(), shipped.rows, "{}", shipped.name);
            assert_eq!(table.width(), shipped.features, "{}", shipped.name);
            assert_eq!(
                table.class_counts(),
                shipped.class_counts,
                "{}",
                shipped.name
            );
            assert_eq!(table.features.len(), shipped.rows * shipped.features);
        }
    }

    #[test]
    fn the_files_hold_what_their_descriptions_say() {
        let iris = load(&SHIPPED[0]).expect("iris");
        assert_eq!(iris.class_names, ["setosa", "versicolor", "virginica"]);
        assert_eq!(iris.row(0), [5.1, 3.5, 1.4, 0.2]);
        let cancer = load(&SHIPPED[2]).expect("breast_cancer");
        assert_eq!(cancer.class_names, ["malignant", "benign"]);
        let digits = load(&SHIPPED[3]).expect("digits");
        // Integer pixels in 0..=16, the first image a zero.
        assert!(
            digits
                .features
                .iter()
                .all(|&p| p.fract() == 0.0 && (0.0..=16.0).contains(&p))
        );
        assert_eq!(digits.targets[0], 0.0);
        assert_eq!(
            &digits.row(0)[..8],
            [0.0, 0.0, 5.0, 13.0, 9.0, 1.0, 0.0, 0.0]
        );
        let diabetes = load(&SHIPPED[4]).expect("diabetes");
        assert_eq!(
            diabetes.row(0),
            [59.0, 2.0, 32.1, 101.0, 157.0, 93.2, 38.0, 4.0, 4.8598, 87.0]
        );
        assert_eq!(&diabetes.targets[..3], [151.0, 75.0, 141.0]);
        assert!(diabetes.class_names.is_empty());
    }
}
