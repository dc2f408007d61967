//! The playground's datasets: which ones the form offers (the built-in 2-D sets and the
//! shipped classification sets), each one's input width, classes and training rows,
//! which files the page fetches for a shipped set, and the pictures of a trained
//! classifier on held-out rows ([`pictures`]: confusion matrix, misclassified digits, the
//! first layer's weights as 8×8 images; [`mistaken_rows`]: own data's misclassified
//! rows; [`surface`]: a two-feature regression's fitted surface), and editing the page's
//! own data ([`own_edit`]).

pub mod mistaken_rows;
pub mod own_edit;
pub mod own_panel;
pub mod pictures;
pub mod surface;

use crate::data::dataset::{DATASET_NAMES, Dataset};
use crate::data::own::{self, OWN};
use crate::data::provided;
use crate::data::shipped::{self, SHIPPED, Shipped};
use crate::data::training_rows;
use crate::graph::Graph;

/// The datasets the form offers: the built-in 2-D sets, the shipped classification sets
/// (a regression set is not a classifier's), and the page's own data.
pub fn choices() -> Vec<&'static str> {
    DATASET_NAMES
        .into_iter()
        .chain(
            SHIPPED
                .iter()
                .filter(|s| !s.is_regression())
                .map(|s| s.name),
        )
        .chain([OWN])
        .collect()
}

/// How many features each row of `dataset` has (2 for a built-in set; own data's as
/// compiling the program provided it).
pub fn input_width(dataset: &str) -> usize {
    if dataset == OWN {
        return provided::get(OWN).map_or(2, |t| t.width());
    }
    shipped::find(dataset).map_or(2, |s| s.features)
}

/// How many classes `dataset` has.
pub fn classes(dataset: &str) -> usize {
    if dataset == OWN {
        return provided::get(OWN).map_or(2, |t| t.classes().max(2));
    }
    match shipped::find(dataset) {
        Some(s) => s.class_counts.len(),
        None => Dataset::by_name(dataset, 4, 0.0, 0).map_or(2, |d| d.classes),
    }
}

/// The points a program the form writes takes from `dataset`: every training row of a
/// shipped set or of own data, `built_in` (the form's current count) of a built-in one.
pub fn points(dataset: &str, built_in: usize) -> usize {
    if dataset == OWN {
        return provided::get_split(OWN)
            .map_or(built_in, |(t, share)| own::train_rows(t.rows(), share));
    }
    shipped::find(dataset).map_or(built_in, training_rows)
}

/// The shipped dataset a graph's data inputs read, if any (its files are fetched before
/// it trains in the page).
pub fn shipped_of(graph: &Graph) -> Option<&'static Shipped> {
    graph
        .inputs()
        .find_map(|id| graph.node(id).role.data())
        .and_then(|spec| shipped::find(&spec.dataset))
}

/// Whether graphs `a` and `b` are the same model and differ at most in what their own
/// data inputs read (the rows changed: their point counts and first batch): a run of
/// `a` can go on with `b`'s data.
pub fn same_but_data(a: &Graph, b: &Graph) -> bool {
    let own_data = |node: &crate::graph::Node| node.role.data().is_some_and(|s| s.dataset == OWN);
    // Spans move as the own-data comments above the code grow or shrink.
    a.len() == b.len()
        && a.nodes().iter().zip(b.nodes()).all(|(x, y)| {
            let same_place = x.name == y.name
                && x.op == y.op
                && x.inputs == y.inputs
                && x.shape == y.shape
                && x.binding == y.binding;
            if own_data(x) && own_data(y) {
                same_place && std::mem::discriminant(&x.role) == std::mem::discriminant(&y.role)
            } else {
                same_place && x.value == y.value && x.role == y.role
            }
        })
}

/// Where the page finds `shipped`'s files (relative to the page), and whether each is
/// gzipped (the browser decompresses it).
pub fn file_urls(shipped: &Shipped) -> Vec<(String, bool)> {
    shipped
        .files
        .iter()
        .map(|file| (format!("data/{file}"), file.ends_with(".gz")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::compile;

    #[test]
    fn the_form_offers_the_built_in_and_the_shipped_classification_sets() {
        assert_eq!(
            choices(),
            [
                "xor",
                "circles",
                "moons",
                "spiral",
                "iris",
                "wine",
                "breast_cancer",
                "digits",
                "own"
            ]
        );
        assert_eq!((input_width("digits"), classes("digits")), (64, 10));
        assert_eq!((input_width("iris"), classes("iris")), (4, 3));
        assert_eq!((input_width("moons"), classes("moons")), (2, 2));
        assert_eq!(points("digits", 256), 1438);
        assert_eq!(points("moons", 256), 256);
    }

    #[test]
    fn a_graph_on_changed_own_rows_is_the_same_model() {
        use super::own_edit::{Edit, apply, program_with, start};
        let moons = crate::playground::form::write_program(&Default::default());
        let source = program_with(&moons, Some(&compile(&moons).unwrap()), &start());
        let graph = compile(&source).unwrap();
        let more = apply(
            Some(start()),
            &Edit::Add {
                at: [0.0, 2.0],
                class: 1,
            },
        )
        .unwrap();
        let changed = program_with(&source, Some(&graph), &more);
        let other = compile(&changed).unwrap();
        assert!(graph != other && same_but_data(&graph, &other));
        // Another model is not the same, nor is another dataset.
        let scaled = compile(&changed.replace("* 0.35", "* 0.3")).unwrap();
        assert!(!same_but_data(&other, &scaled));
        assert!(!same_but_data(&graph, &compile(&moons).unwrap()));
        // A third class changes the output layer.
        let third = apply(
            Some(more),
            &Edit::Add {
                at: [0.0, -2.0],
                class: 2,
            },
        )
        .unwrap();
        let three = compile(&program_with(&changed, Some(&other), &third)).unwrap();
        assert!(!same_but_data(&other, &three));
    }

    #[test]
    fn a_shipped_sets_files_are_fetched_from_the_data_folder() {
        let diabetes = shipped::find("diabetes").expect("diabetes");
        assert_eq!(
            file_urls(diabetes),
            [
                ("data/diabetes_data_raw.csv.gz".to_string(), true),
                ("data/diabetes_target.csv.gz".to_string(), true)
            ]
        );
        let iris = shipped::find("iris").expect("iris");
        assert_eq!(file_urls(iris), [("data/iris.csv".to_string(), false)]);
    }

    #[test]
    fn the_shipped_set_of_a_program_is_found_from_its_data_inputs() {
        let moons = "X = features(moons, 64, 8)\ny = labels(moons, 64, 8)\nW = param(zeros([2, 2]))\nL = cross_entropy(X @ W, y)";
        assert_eq!(shipped_of(&compile(moons).expect("moons")), None);
        let iris = "X = features(iris, 120, 10)\ny = labels(iris, 120, 10)\nW = param(zeros([4, 3]))\nL = cross_entropy(X @ W, y)";
        let graph = compile(iris).expect("iris");
        assert_eq!(shipped_of(&graph).map(|s| s.name), Some("iris"));
    }
}
