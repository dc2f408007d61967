//! Own data edited: clicks, drags, removals, CSVs (class names, 5,000 rows kept by the
//! page, mistakes at their line and column) and the programs written to read them.

use super::*;
use crate::playground::panel::{Action, edit};
use crate::program::compile;

fn form_program() -> (String, Graph) {
    let source = write_program(&Form::default());
    let graph = compile(&source).unwrap();
    (source, graph)
}

#[test]
fn a_click_adds_a_point_and_the_program_reads_one_more_row() {
    let (source, graph) = form_program();
    let own = apply(
        None,
        &Edit::Add {
            at: [0.5, 2.0],
            class: 1,
        },
    )
    .unwrap();
    assert_eq!(own.table.rows(), 13);
    assert_eq!(own.table.row(12), [0.5, 2.0]);
    let program = program_with(&source, Some(&graph), &own);
    assert!(program.contains("X = features(own, 11, 11)"), "{program}");
    let graph = compile(&program).unwrap();
    assert_eq!(crate::data::own::read(&program).unwrap().unwrap(), own);
    // One more point: one more row the program reads, the model unchanged.
    let more = apply(
        Some(own),
        &Edit::Add {
            at: [-2.0, 1.0],
            class: 2,
        },
    )
    .unwrap();
    let next = program_with(&program, Some(&graph), &more);
    assert!(next.contains("features(own, 12, 11)"), "{next}");
    assert!(
        next.contains("W3 = param(randn([16, 3], 3)"),
        "a third class: {next}"
    );
    compile(&next).unwrap();
}

#[test]
fn points_move_and_go_and_the_picture_maps_back() {
    let own = start();
    let moved = apply(
        Some(own.clone()),
        &Edit::Move {
            row: 2,
            at: [2.0, -2.0],
        },
    )
    .unwrap();
    assert_eq!(moved.table.row(2), [2.0, -2.0]);
    let removed = apply(Some(moved), &Edit::Remove { row: 0 }).unwrap();
    assert_eq!(removed.table.rows(), 11);
    assert_eq!(removed.table.row(1), [2.0, -2.0]);
    let grid = grid(&points(&removed).unwrap().points, 8);
    assert!(grid.min[0] <= -3.0 && grid.max[1] >= 3.0);
    for p in [[0.0, 0.0], [2.0, -2.0], [-2.9, 1.5]] {
        let (x, y) = grid.to_picture(p, 240.0);
        let back = from_picture(&grid, x, y, 240.0);
        assert!((back[0] - p[0]).abs() < 1e-9 && (back[1] - p[1]).abs() < 1e-9);
    }
    let at = grid.to_picture([2.0, -2.0], 240.0);
    let drawn = points(&removed).unwrap().points;
    assert_eq!(hit(&drawn, &grid, 240.0, (at.0 + 3.0, at.1), 8.0), Some(1));
    assert_eq!(hit(&drawn, &grid, 240.0, (at.0 + 30.0, at.1), 8.0), None);
    assert!(apply(Some(removed.clone()), &Edit::Remove { row: 99 }).is_err());
    assert!(apply(Some(removed), &Edit::TestShare(0.8)).is_err());
}

#[test]
fn a_pasted_csv_becomes_the_rows_and_its_errors_name_line_and_column() {
    let text = "petal length,petal width,species\n1.4,0.2,setosa\n4.7,1.4,versicolor\n1.3,0.2,setosa\n4.5,1.5,versicolor\n5.9,2.1,virginica\n";
    assert_eq!(
        header_columns(text),
        ["petal length", "petal width", "species"]
    );
    let csv = |text: &str, task| Edit::Csv {
        text: text.into(),
        label: "species".into(),
        task,
    };
    let own = apply(None, &csv(text, Task::Classification)).unwrap();
    assert_eq!(own.table.feature_names, ["petal_length", "petal_width"]);
    assert_eq!(own.table.targets, [0.0, 1.0, 0.0, 1.0, 2.0]);
    let (source, graph) = form_program();
    let program = program_with(&source, Some(&graph), &own);
    assert!(
        program.contains("# own data: petal_length petal_width -> class, 3 classes"),
        "{program}"
    );
    assert!(
        program.contains("W3 = param(randn([16, 3], 3)"),
        "{program}"
    );
    compile(&program).unwrap();
    let bad = text.replace("4.7,1.4", "4.7,x1.4");
    let error = apply(None, &csv(&bad, Task::Classification)).unwrap_err();
    assert!(error.starts_with("line 3, column 5:"), "{error}");
    let regression = apply(None, &csv(text, Task::Regression)).unwrap_err();
    assert!(
        regression.contains("line 2") && regression.contains("not a number"),
        "{regression}"
    );
}

/// `rows` rows of three features and a species, in three clusters.
fn iris_like(rows: usize) -> String {
    let mut text = String::from("sepal,petal length,petal width,species\n");
    for r in 0..rows {
        let (k, wobble) = (r % 3, (r * 7 % 11) as f64 / 20.0);
        let name = ["setosa", "versicolor", "Iris virginica"][k];
        let centre = k as f64 * 2.0 - 2.0;
        text.push_str(&format!(
            "{:.3},{:.3},{:.3},{name}\n",
            centre + wobble,
            -centre + wobble / 2.0,
            wobble - 0.25
        ));
    }
    text
}

#[test]
fn a_csv_of_5000_rows_is_kept_by_the_page_and_trains_with_its_class_names() {
    use crate::backend::{block_on, cpu::CpuBackend};
    let own = apply(
        None,
        &Edit::Csv {
            text: iris_like(5000),
            label: "species".into(),
            task: Task::Classification,
        },
    )
    .unwrap();
    assert_eq!(own.table.rows(), 5000);
    assert_eq!(
        own.table.class_names,
        ["Iris_virginica", "setosa", "versicolor"],
        "sorted, a space made `_`"
    );
    let (source, graph) = form_program();
    let program = program_with(&source, Some(&graph), &own);
    assert!(
        program.contains("# own data: sepal petal_length petal_width -> class, 3 classes: Iris_virginica setosa versicolor, test 0.2, 5000 rows kept by the page #"),
        "{program}"
    );
    assert!(!program.contains("# own rows:") && program.len() < 2000);
    assert!(program.contains("X = features(own, 4000, 64)"), "{program}");
    assert_eq!(own::read(&program).unwrap().unwrap(), own);
    // It trains: the loss falls.
    let graph = compile(&program).unwrap();
    let training = crate::playground::form::read_training(&program);
    let mut run = crate::playground::run::Run::new(CpuBackend::new(), graph, &training).unwrap();
    let first = block_on(run.step()).unwrap();
    let mut last = first;
    for _ in 0..100 {
        last = block_on(run.step()).unwrap();
    }
    assert!(last < first / 2.0, "{first} → {last}");
    // Names are carried by the data the report reads.
    let split = crate::data::DataSpec {
        dataset: OWN.into(),
        points: 4000,
        batch: 10,
        seed: 0,
    }
    .load()
    .unwrap();
    assert_eq!(split.test.class_names, own.table.class_names);
    assert_eq!(split.test.rows(), 1000);
    // A mistake deep in a long CSV is said at its line and column.
    let text = iris_like(5000);
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let line = lines[4000].clone();
    lines[4000] = line.replacen(',', ",x", 1);
    let bad = lines.join("\n");
    let error = apply(
        None,
        &Edit::Csv {
            text: bad,
            label: "species".into(),
            task: Task::Classification,
        },
    )
    .unwrap_err();
    let column = line.find(',').unwrap() + 2;
    assert!(
        error.starts_with(&format!("line 4001, column {column}: `x")),
        "{error}"
    );
}

#[test]
fn class_names_become_header_words_within_limits() {
    let csv = |text: String| {
        apply(
            None,
            &Edit::Csv {
                text,
                label: "kind".into(),
                task: Task::Classification,
            },
        )
    };
    let rows = |names: &[&str]| -> String {
        let mut text = String::from("x,kind\n");
        for (i, name) in names.iter().cycle().take(8).enumerate() {
            text.push_str(&format!("{i},{name}\n"));
        }
        text
    };
    let own = csv(rows(&["a;b", "c d", "\"e,f\"", "<g>"])).unwrap();
    assert_eq!(own.table.class_names, ["<g>", "a_b", "c_d", "e_f"]);
    let error = csv(rows(&["a b", "a_b"])).unwrap_err();
    assert_eq!(
        error,
        "the classes `a b` and `a_b` would both be written `a_b`"
    );
    let many: String = (0..=own::MAX_CLASSES)
        .map(|k| format!("{k},c{k}\n"))
        .collect();
    let error = csv(format!("x,kind\n{many}")).unwrap_err();
    assert_eq!(
        error,
        format!(
            "line {}, column {}: the label `c100` makes more than 100 classes",
            102, 5
        )
    );
    // A click's new class never takes a name in use.
    let mut numbered = start();
    numbered.table.class_names = vec!["2".into(), "1".into()];
    let more = apply(
        Some(numbered),
        &Edit::Add {
            at: [0.0, 0.0],
            class: 2,
        },
    )
    .unwrap();
    assert_eq!(more.table.class_names, ["2", "1", "class_2"]);
}

#[test]
fn clicks_stop_at_the_rows_a_link_holds() {
    let mut own = start();
    own.table.features = vec![0.0; 2 * MAX_ROWS];
    own.table.targets = vec![0.0; MAX_ROWS];
    let error = apply(
        Some(own),
        &Edit::Add {
            at: [1.0, 1.0],
            class: 0,
        },
    )
    .unwrap_err();
    assert_eq!(
        error,
        "clicks stop at 1,000 points, which the link holds; a CSV may bring more, kept by the page"
    );
}

#[test]
fn the_form_switches_to_own_data_and_keeps_it_through_model_edits() {
    let (source, graph) = form_program();
    let program = edit(&source, Some(&graph), &Action::Dataset(OWN.into()))
        .unwrap()
        .unwrap();
    assert_eq!(own::read(&program).unwrap().unwrap(), start());
    assert!(program.contains("X = features(own, 10, 10)"), "{program}");
    let graph = compile(&program).unwrap();
    let narrow = edit(&program, Some(&graph), &Action::Widths("8".into()))
        .unwrap()
        .unwrap();
    assert_eq!(own::read(&narrow).unwrap().unwrap(), start());
    assert!(narrow.contains("W1 = param(randn([2, 8], 1)"), "{narrow}");
    let graph = compile(&narrow).unwrap();
    let moons = edit(&narrow, Some(&graph), &Action::Dataset("moons".into()))
        .unwrap()
        .unwrap();
    assert_eq!(own::read(&moons).unwrap(), None);
    assert!(moons.contains("features(moons, 256, 10)"), "{moons}");
}

#[test]
fn a_regression_csv_writes_a_network_fitting_a_number() {
    let text = "x,y\n0,0\n0.5,0.25\n1,1\n1.5,2.25\n2,4\n-1,1\n-2,4\n";
    let own = apply(
        None,
        &Edit::Csv {
            text: text.into(),
            label: "y".into(),
            task: Task::Regression,
        },
    )
    .unwrap();
    assert_eq!(own.table.targets, [0.0, 0.25, 1.0, 2.25, 4.0, 1.0, 4.0]);
    let (source, graph) = form_program();
    let program = program_with(&source, Some(&graph), &own);
    assert!(
        program.contains("# own data: x -> target, regression, test 0.2"),
        "{program}"
    );
    assert!(program.contains("W1 = param(he([1, 16], 1))"), "{program}");
    assert!(
        program.contains("prediction = sum(h2 @ W3 + b3, 1)\nL = mse(prediction, y)"),
        "{program}"
    );
    let graph = compile(&program).unwrap();
    // It trains: the loss falls.
    use crate::backend::{block_on, cpu::CpuBackend};
    let training = crate::playground::form::read_training(&program);
    let mut run = crate::playground::run::Run::new(CpuBackend::new(), graph, &training).unwrap();
    let first = block_on(run.step()).unwrap();
    let mut last = first;
    for _ in 0..200 {
        last = block_on(run.step()).unwrap();
    }
    assert!(last < first / 4.0, "{first} → {last}");
    // Another point keeps the model (the form cannot describe it) and follows the count.
    let more = apply(
        Some(own),
        &Edit::Csv {
            text: format!("{text}3,9\n"),
            label: "y".into(),
            task: Task::Regression,
        },
    )
    .unwrap();
    let next = program_with(&program, compile(&program).ok().as_ref(), &more);
    assert!(
        next.contains("features(own, 7, 6)") && next.contains("L = mse(prediction, y)"),
        "{next}"
    );
}

#[test]
fn a_program_beyond_the_form_keeps_its_model_and_follows_the_row_count() {
    let own = start();
    let source = "X = features(own, 10, 8)\ny = labels(own, 10, 8, 3)\nW = param(zeros([2, 2]))\nL = cross_entropy(X @ W, y)";
    let more = apply(
        Some(own),
        &Edit::Add {
            at: [0.0, 0.0],
            class: 0,
        },
    )
    .unwrap();
    let program = program_with(source, None, &more);
    assert!(
        program.contains("X = features(own, 11, 8)\ny = labels(own, 11, 8, 3)"),
        "{program}"
    );
    compile(&program).unwrap();
}
