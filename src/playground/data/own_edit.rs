//! Editing the page's own data ([`crate::data::own`]) from the playground: a point added
//! where the plot is clicked, one moved or removed, the held-out share changed, a CSV
//! pasted or uploaded with its label column chosen; and the program rewritten to read
//! the changed rows (`features(own, points, batch)` follows the row count).

use crate::data::DataSpec;
use crate::data::csv::LIMITS;
use crate::data::dataset::Dataset;
use crate::data::own::{self, DEFAULT_TEST, MAX_ROWS, MAX_TEST, OWN, Own, grouped};
use crate::data::provided;
use crate::data::table::{Table, Task, read_csv_within};
use crate::graph::Graph;
use crate::playground::boundary::Grid;
use crate::playground::form::{Form, read_form, write_program};

/// A change to the own data.
#[derive(Clone, Debug, PartialEq)]
pub enum Edit {
    /// A point of `class` at `at` (data coordinates).
    Add {
        at: [f64; 2],
        class: usize,
    },
    /// Row `row` moved to `at`.
    Move {
        row: usize,
        at: [f64; 2],
    },
    Remove {
        row: usize,
    },
    /// The share of rows held out for testing.
    TestShare(f64),
    /// CSV text with a header; `label` names the target column.
    Csv {
        text: String,
        label: String,
        task: Task,
    },
}

/// The own data a playground starts from: two small clusters of two classes.
pub fn start() -> Own {
    let mut features = Vec::new();
    let mut targets = Vec::new();
    let ring = [
        [0.5, 0.0],
        [0.25, 0.4],
        [-0.25, 0.4],
        [-0.5, 0.0],
        [-0.25, -0.4],
        [0.25, -0.4],
    ];
    for (class, centre) in [(0.0, [-1.0, -0.5]), (1.0, [1.0, 0.5])] {
        for offset in ring {
            features.extend([round(centre[0] + offset[0]), round(centre[1] + offset[1])]);
            targets.push(class);
        }
    }
    Own {
        table: Table {
            feature_names: vec!["x".into(), "y".into()],
            features,
            targets,
            class_names: vec!["0".into(), "1".into()],
        },
        task: Task::Classification,
        test_share: DEFAULT_TEST,
    }
}

/// How many of `own`'s rows train (the rest are held out), as `Table::split` cuts them.
pub fn train_rows(own: &Own) -> usize {
    own::train_rows(own.table.rows(), own.test_share)
}

/// Whether points of `own` can be drawn, clicked and dragged: two features, classes.
pub fn is_plane(own: &Own) -> bool {
    own.table.width() == 2 && own.task == Task::Classification
}

/// Every row of two-feature classification data as points to draw.
pub fn points(own: &Own) -> Option<Dataset> {
    is_plane(own).then(|| Dataset {
        points: (0..own.table.rows())
            .map(|r| [own.table.row(r)[0], own.table.row(r)[1]])
            .collect(),
        labels: own.table.targets.iter().map(|&t| t as usize).collect(),
        classes: own.table.classes(),
    })
}

/// The points of the own data compiling provided, when `spec` reads it and they can be
/// drawn.
pub fn provided_points(spec: &DataSpec) -> Option<Dataset> {
    if spec.dataset != OWN {
        return None;
    }
    let (table, test_share) = provided::get_split(OWN)?;
    let task = if table.classes() > 0 {
        Task::Classification
    } else {
        Task::Regression
    };
    points(&Own {
        table: Table::clone(&table),
        task,
        test_share,
    })
}

/// The plot's square for own points: at least −3…3 on both axes, so a click does not
/// move the picture under the pointer.
pub fn grid(points: &[[f64; 2]], n: usize) -> Grid {
    let mut all = points.to_vec();
    all.extend([[-3.0, -3.0], [3.0, 3.0]]);
    Grid::around(&all, n)
}

/// The data point at picture position `(x, y)` of a `size` picture of `grid`.
pub fn from_picture(grid: &Grid, x: f64, y: f64, size: f64) -> [f64; 2] {
    [
        grid.min[0] + x / size * (grid.max[0] - grid.min[0]),
        grid.max[1] - y / size * (grid.max[1] - grid.min[1]),
    ]
}

/// The row of the point nearest `(x, y)` in picture units, within `reach` of it.
pub fn hit(
    points: &[[f64; 2]],
    grid: &Grid,
    size: f64,
    (x, y): (f64, f64),
    reach: f64,
) -> Option<usize> {
    points
        .iter()
        .enumerate()
        .map(|(row, &p)| {
            let (px, py) = grid.to_picture(p, size);
            (row, (px - x).hypot(py - y))
        })
        .filter(|&(_, d)| d <= reach)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(row, _)| row)
}

/// `own` after `edit`; `Err` says why not in words (a CSV error names its line and
/// column).
pub fn apply(own: Option<Own>, edit: &Edit) -> Result<Own, String> {
    let mut own = own.unwrap_or_else(start);
    let table = &mut own.table;
    match edit {
        Edit::Add { at, class } => {
            let at = &at.map(round);
            if table.rows() == MAX_ROWS {
                return Err(format!(
                    "clicks stop at {} points, which the link holds; a CSV may bring more, kept by the page",
                    grouped(MAX_ROWS)
                ));
            }
            if table.width() != 2 || own.task != Task::Classification {
                return Err("points can be added to two-feature classes only".into());
            }
            table.features.extend(at);
            table.targets.push(*class as f64);
            while table.class_names.len() <= *class {
                let name = new_class_name(&table.class_names);
                table.class_names.push(name);
            }
        }
        Edit::Move { row, at } => {
            let at = &at.map(round);
            let width = table.width();
            if width != 2 || *row >= table.rows() {
                return Err("no such point".into());
            }
            table.features[row * 2..row * 2 + 2].copy_from_slice(at);
        }
        Edit::Remove { row } => {
            if *row >= table.rows() {
                return Err("no such point".into());
            }
            if table.rows() <= 4 {
                return Err("own data keeps at least 4 points".into());
            }
            let width = table.width();
            table.features.drain(row * width..(row + 1) * width);
            table.targets.remove(*row);
        }
        Edit::TestShare(share) => {
            if !(0.0..=MAX_TEST).contains(share) {
                return Err(format!("the test share is between 0 and {MAX_TEST}"));
            }
            own.test_share = *share;
        }
        Edit::Csv { text, label, task } => {
            let table = read_csv_within(text, label, *task, LIMITS, own::MAX_CLASSES)
                .map_err(|e| e.to_string())?;
            if table.rows() < 4 {
                return Err("own data needs at least 4 rows".into());
            }
            if table.width() > own::MAX_FEATURES {
                return Err(format!(
                    "own data has at most {} feature columns",
                    own::MAX_FEATURES
                ));
            }
            own = Own {
                table: Table {
                    feature_names: table.feature_names.iter().map(|n| column_name(n)).collect(),
                    class_names: class_words(&table.class_names)?,
                    ..table
                },
                task: *task,
                test_share: own.test_share,
            };
        }
    }
    Ok(own)
}

/// A clicked coordinate to 3 decimals, which the program writes briefly.
fn round(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

/// A column name as one word of the `# own data:` header.
fn column_name(name: &str) -> String {
    let word: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if word.is_empty() { "_".into() } else { word }
}

/// Class names as words of the `# own data:` header (spaces, commas and semicolons
/// become `_`); two names that would become the same are an error.
fn class_words(names: &[String]) -> Result<Vec<String>, String> {
    let mut words: Vec<String> = Vec::with_capacity(names.len());
    for (name, word) in names.iter().zip(names.iter().map(|n| class_word(n))) {
        if let Some(k) = words.iter().position(|w| *w == word) {
            return Err(format!(
                "the classes `{}` and `{name}` would both be written `{word}`",
                names[k]
            ));
        }
        words.push(word);
    }
    Ok(words)
}

/// `name` with whatever would end a word of the header (white space, commas, semicolons,
/// control characters) made `_`.
fn class_word(name: &str) -> String {
    let word: String = name
        .chars()
        .map(|c| {
            if c.is_whitespace() || c.is_control() || c == ',' || c == ';' {
                '_'
            } else {
                c
            }
        })
        .collect();
    if word.is_empty() { "_".into() } else { word }
}

/// A name for a class added by a click: its number, unless a class already has that name.
fn new_class_name(names: &[String]) -> String {
    let k = names.len();
    [k.to_string(), format!("class_{k}")]
        .into_iter()
        .find(|name| !names.contains(name))
        .unwrap_or_else(|| format!("class_{k}_{}", names.len() + 1))
}

/// The columns of CSV text's header row, for the label column's choice.
pub fn header_columns(text: &str) -> Vec<String> {
    let first = text.lines().next().unwrap_or("");
    first
        .split(',')
        .map(|name| name.trim().trim_matches('"').to_owned())
        .filter(|name| !name.is_empty())
        .collect()
}

/// `source` (compiled as `graph`) reading `own`: the form's model on the `own` dataset
/// when the form can describe the program, else the program with its own-data comments
/// and its `own` point counts replaced.
pub fn program_with(source: &str, graph: Option<&Graph>, own: &Own) -> String {
    // The form's widths and classes are the rows' own.
    provided::provide_split(OWN, own.table.clone(), own.test_share);
    let points = train_rows(own);
    let form = graph.and_then(|graph| read_form(graph, source).ok());
    let program = match form {
        Some(mut form) => {
            form.dataset = OWN.into();
            form.points = points;
            form.batch = form.batch.min(points);
            match own.task {
                Task::Classification => write_program(&form),
                Task::Regression => regression_program(&form, own.table.width()),
            }
        }
        None => with_points(source, points),
    };
    own::with_own(&program, own)
}

/// The program of `form` (a form edit of `source`, compiled as `graph`), keeping
/// `source`'s own data; a form switched to `own` without any starts from [`start`].
pub fn keep_own(source: &str, graph: Option<&Graph>, form: &Form) -> String {
    match own::read(source) {
        Ok(Some(data)) if form.dataset == OWN => own::with_own(&write_program(form), &data),
        _ if form.dataset == OWN => program_with(source, graph, &start()),
        _ => write_program(form),
    }
}

/// The form's layers fitting a number: the last layer one unit wide, summed over its one
/// column to a value per row, and the mean squared error (`width` features in).
pub fn regression_program(form: &Form, width: usize) -> String {
    let activation = form.activation.name();
    let init = match form.activation {
        crate::playground::form::Activation::Relu => "he",
        _ => "glorot",
    };
    let mut sizes = vec![width];
    sizes.extend(&form.hidden);
    sizes.push(1);
    let names: Vec<String> = sizes.iter().map(usize::to_string).collect();
    let data = format!("own, {}, {}", form.points, form.batch);
    let mut lines = vec![
        format!(
            "# Playground: a {} {activation} network fitting own data (regression)",
            names.join("-")
        ),
        crate::playground::form::training_line(&form.training),
        format!("X = features({data})"),
        format!("y = labels({data})"),
    ];
    let layers = sizes.len() - 1;
    for (k, pair) in sizes.windows(2).enumerate() {
        let n = k + 1;
        let init = if n == layers { "glorot" } else { init };
        lines.push(format!(
            "W{n} = param({init}([{}, {}], {n}))",
            pair[0], pair[1]
        ));
        lines.push(format!("b{n} = param(zeros([{}]))", pair[1]));
    }
    let mut previous = "X".to_string();
    for k in 1..layers {
        lines.push(format!("h{k} = {activation}({previous} @ W{k} + b{k})"));
        previous = format!("h{k}");
    }
    lines.push(format!(
        "prediction = sum({previous} @ W{layers} + b{layers}, 1)"
    ));
    lines.push("L = mse(prediction, y)".into());
    lines.join("\n")
}

/// `features(own, N, B)` and `labels(own, N, B)` with `N` set to `points` (and `B` at
/// most that).
fn with_points(source: &str, points: usize) -> String {
    let mut out = String::with_capacity(source.len());
    let mut rest = source;
    while let Some(at) = rest.find("(own,") {
        let (head, tail) = rest.split_at(at + "(own,".len());
        out.push_str(head);
        let end = tail.find(')').unwrap_or(tail.len());
        let args: Vec<&str> = tail[..end].split(',').collect();
        match args.as_slice() {
            [_, batch, more @ ..] => {
                let batch = batch
                    .trim()
                    .parse::<usize>()
                    .map_or(points, |b| b.min(points));
                out.push_str(&format!(" {points}, {batch}"));
                for arg in more {
                    out.push(',');
                    out.push_str(arg);
                }
            }
            _ => out.push_str(&tail[..end]),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests;
