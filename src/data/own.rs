//! Your own data, written into the program itself so the editor, the link and every
//! module that compiles the program see the same rows: a header comment and rows
//! comments,
//!
//! ```text
//! # own data: x y -> class, 2 classes, test 0.25
//! # own rows: -0.5 0.3 0; 0.8 -0.1 1; …
//! ```
//!
//! read by [`read`] (every mistake an error at its line and column) and written by
//! [`write`]. A program reads the rows as `features(own, points, batch)` /
//! `labels(own, points, batch)`. The rows are used as they are (not standardized); the
//! last `test` share of them, shuffled by [`super::SPLIT_SEED`], is held out.

use super::table::{MAX_CLASSES, Table, Task};
use crate::lang::Span;
use crate::number::format_number;
use std::fmt::Write;
use thiserror::Error;

/// The dataset name programs use for the rows of the page: `features(own, …)`.
pub const OWN: &str = "own";
/// The most rows own data may have: they live in the program's text and its link.
pub const MAX_ROWS: usize = 1000;
/// The most feature columns own data may have.
pub const MAX_FEATURES: usize = 64;
/// The held-out share when the header gives none.
pub const DEFAULT_TEST: f64 = 0.2;
/// The largest held-out share (at least half the rows train).
pub const MAX_TEST: f64 = 0.5;

const HEADER: &str = "# own data:";
const ROWS: &str = "# own rows:";
/// Rows per `# own rows:` line as [`write`] wraps them.
const ROWS_PER_LINE: usize = 8;

/// Rows from the page: a table, what its target is, and the share held out.
#[derive(Clone, Debug, PartialEq)]
pub struct Own {
    pub table: Table,
    pub task: Task,
    pub test_share: f64,
}

/// A mistake in the own-data comments, at a span of the program.
#[derive(Clone, Debug, PartialEq, Error)]
#[error("{message}")]
pub struct OwnError {
    pub message: String,
    pub span: Span,
}

thread_local! {
    /// The feature count the last program compiled without its rows declared.
    static DECLARED: std::cell::Cell<Option<usize>> = const { std::cell::Cell::new(None) };
}

/// Note how many features `source`'s own-data header names (or that it has none), for
/// [`declared_width`]: compiling in a module that does not read the rows.
pub fn declare(source: &str) {
    let width = source.lines().find_map(|line| {
        let (names, _) = line.trim_start().strip_prefix(HEADER)?.split_once("->")?;
        Some(names.split_whitespace().count())
    });
    DECLARED.with(|d| d.set(width));
}

/// The width [`declare`] noted: the features' width of a placeholder first batch.
pub fn declared_width() -> Option<usize> {
    DECLARED.with(std::cell::Cell::get)
}

/// The own data in `source`'s comments, if it has a `# own data:` header.
pub fn read(source: &str) -> Result<Option<Own>, OwnError> {
    let mut header: Option<(usize, &str)> = None;
    let mut rows_text: Vec<(usize, &str)> = Vec::new();
    let mut offset = 0;
    for line in source.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let start = offset + (line.len() - trimmed.len());
        if let Some(rest) = trimmed.strip_prefix(HEADER) {
            if header.is_some() {
                return Err(error("a second `# own data:` header", start, trimmed));
            }
            header = Some(tidy(start + HEADER.len(), rest));
        } else if let Some(rest) = trimmed.strip_prefix(ROWS) {
            rows_text.push(tidy(start + ROWS.len(), rest));
        }
        offset += line.len();
    }
    let Some((at, header)) = header else {
        return match rows_text.first() {
            Some(&(at, text)) => Err(error(
                "`# own rows:` without a `# own data:` header",
                at,
                text,
            )),
            None => Ok(None),
        };
    };
    let (names, target, task, classes, test_share) = read_header(at, header)?;
    let width = names.len();
    let (mut features, mut targets) = (Vec::new(), Vec::new());
    for (at, text) in rows_text {
        let mut row_at = at;
        for row in text.split(';') {
            let numbers: Vec<(usize, &str)> = words(row_at, row).collect();
            row_at += row.len() + 1;
            if numbers.is_empty() {
                continue;
            }
            if numbers.len() != width + 1 {
                let (start, _) = numbers[0];
                let end = numbers.last().map_or(start, |&(s, w)| s + w.len());
                return Err(OwnError {
                    message: format!(
                        "a row has {} numbers; each row has {} features and a {target}",
                        numbers.len(),
                        width
                    ),
                    span: Span::new(start, end),
                });
            }
            for &(start, word) in &numbers {
                let value = word
                    .parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite())
                    .ok_or_else(|| error(&format!("`{word}` is not a number"), start, word))?;
                features.push(value);
            }
            let (start, word) = numbers[width];
            let value = features.pop().unwrap_or(0.0);
            if task == Task::Classification
                && (value.fract() != 0.0 || value < 0.0 || value >= classes as f64)
            {
                return Err(error(
                    &format!("the class `{word}` is not one of 0 to {}", classes - 1),
                    start,
                    word,
                ));
            }
            targets.push(value);
            if targets.len() > MAX_ROWS {
                return Err(error(
                    &format!("own data holds at most {MAX_ROWS} rows in the program"),
                    start,
                    word,
                ));
            }
        }
    }
    if targets.len() < 2 {
        return Err(error("own data needs at least 2 rows", at, header));
    }
    let class_names = match task {
        Task::Classification => (0..classes).map(|k| k.to_string()).collect(),
        Task::Regression => Vec::new(),
    };
    Ok(Some(Own {
        table: Table {
            feature_names: names,
            features,
            targets,
            class_names,
        },
        task,
        test_share,
    }))
}

type Header = (Vec<String>, String, Task, usize, f64);

/// `x y -> class, 2 classes, test 0.25` (or `…, regression, …`).
fn read_header(at: usize, text: &str) -> Result<Header, OwnError> {
    let mut parts = text.split(',');
    let columns = parts.next().unwrap_or("");
    let Some((names, target)) = columns.split_once("->") else {
        return Err(error(
            "the header names the columns: `x y -> class`",
            at,
            text,
        ));
    };
    let names: Vec<String> = names.split_whitespace().map(str::to_owned).collect();
    if names.is_empty() || names.len() > MAX_FEATURES {
        return Err(error(
            &format!("own data has 1 to {MAX_FEATURES} feature columns"),
            at,
            columns,
        ));
    }
    let target = target.trim().to_owned();
    let (mut task, mut classes, mut test) = (None, 0, DEFAULT_TEST);
    let mut part_at = at + columns.len() + 1;
    for part in parts {
        let word = part.trim();
        let start = part_at + (part.len() - part.trim_start().len());
        part_at += part.len() + 1;
        if word == "regression" {
            task = Some(Task::Regression);
        } else if let Some(n) = word
            .strip_suffix("classes")
            .and_then(|n| n.trim().parse::<usize>().ok())
        {
            if !(2..=MAX_CLASSES).contains(&n) {
                return Err(error(&format!("2 to {MAX_CLASSES} classes"), start, word));
            }
            (task, classes) = (Some(Task::Classification), n);
        } else if let Some(share) = word
            .strip_prefix("test")
            .and_then(|s| s.trim().parse::<f64>().ok())
        {
            if !(0.0..=MAX_TEST).contains(&share) {
                return Err(error(
                    &format!("the test share is between 0 and {MAX_TEST}"),
                    start,
                    word,
                ));
            }
            test = share;
        } else {
            return Err(error(
                &format!("`{word}` is not `N classes`, `regression` or `test F`"),
                start,
                word,
            ));
        }
    }
    let task = task.ok_or_else(|| error("say `N classes` or `regression`", at, text))?;
    Ok((names, target, task, classes, test))
}

/// `text` (at byte `at`) without surrounding spaces, and where it then starts.
fn tidy(at: usize, text: &str) -> (usize, &str) {
    let trimmed = text.trim_start();
    (at + text.len() - trimmed.len(), trimmed.trim_end())
}

/// The whitespace-separated words of `text` (starting at byte `at`) with their offsets.
fn words(at: usize, text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split_whitespace()
        .map(move |word| (at + (word.as_ptr() as usize - text.as_ptr() as usize), word))
}

fn error(message: &str, start: usize, text: &str) -> OwnError {
    OwnError {
        message: message.to_owned(),
        span: Span::new(start, start + text.len()),
    }
}

/// How many of `rows` rows train when `test_share` of them is held out (as
/// `Table::split` cuts them).
pub fn train_rows(rows: usize, test_share: f64) -> usize {
    rows - ((rows as f64 * test_share) as usize).clamp(usize::from(rows >= 2), rows / 2)
}

/// The header and rows comments for `own` (numbers as people read them).
pub fn write(own: &Own) -> String {
    let table = &own.table;
    let kind = match own.task {
        Task::Classification => format!("{} classes", table.classes()),
        Task::Regression => "regression".into(),
    };
    let target = match own.task {
        Task::Classification => "class",
        Task::Regression => "target",
    };
    let mut out = format!(
        "{HEADER} {} -> {target}, {kind}, test {}",
        table.feature_names.join(" "),
        format_number(own.test_share)
    );
    let rows: Vec<String> = (0..table.rows())
        .map(|r| {
            let mut row: Vec<String> = table.row(r).iter().map(|&v| short(v)).collect();
            row.push(short(table.targets[r]));
            row.join(" ")
        })
        .collect();
    for line in rows.chunks(ROWS_PER_LINE) {
        let _ = write!(out, "\n{ROWS} {}", line.join("; "));
    }
    out
}

/// A number as the shortest text that reads back as the same number.
fn short(v: f64) -> String {
    v.to_string()
}

/// `source` with its own-data comments replaced by `own`'s (or put after the leading
/// comments when it has none); every other line as it was.
pub fn with_own(source: &str, own: &Own) -> String {
    let block = write(own);
    let is_own = |l: &&str| {
        let t = l.trim_start();
        t.starts_with(HEADER) || t.starts_with(ROWS)
    };
    let lines: Vec<&str> = source.lines().collect();
    let at = lines.iter().position(is_own).unwrap_or_else(|| {
        lines
            .iter()
            .position(|l| !l.trim_start().starts_with('#'))
            .unwrap_or(lines.len())
    });
    let mut out: Vec<&str> = lines[..at].iter().copied().filter(|l| !is_own(l)).collect();
    out.push(&block);
    out.extend(lines[at..].iter().copied().filter(|l| !is_own(l)));
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROGRAM: &str = "# title\n# own data: x y -> class, 2 classes, test 0.25\n# own rows: 0 0 0; 1 0.5 1\n# own rows: -1 2 1; 3 -4 0\nX = features(own, 3, 2)\n";

    #[test]
    fn the_comments_hold_the_rows() {
        let own = read(PROGRAM).unwrap().unwrap();
        assert_eq!(own.task, Task::Classification);
        assert_eq!(own.test_share, 0.25);
        assert_eq!(own.table.feature_names, ["x", "y"]);
        assert_eq!(
            own.table.features,
            [0.0, 0.0, 1.0, 0.5, -1.0, 2.0, 3.0, -4.0]
        );
        assert_eq!(own.table.targets, [0.0, 1.0, 1.0, 0.0]);
        assert_eq!(own.table.classes(), 2);
        assert_eq!(read("X = 1").unwrap(), None);
    }

    #[test]
    fn a_header_declares_the_width_without_reading_rows() {
        declare(PROGRAM);
        assert_eq!(declared_width(), Some(2));
        declare("# own data: a b c -> y, regression\n# own rows: whatever");
        assert_eq!(declared_width(), Some(3));
        declare("x = 1");
        assert_eq!(declared_width(), None);
    }

    #[test]
    fn writing_and_reading_give_the_same_rows() {
        let own = read(PROGRAM).unwrap().unwrap();
        let text = with_own("# title\nX = features(own, 3, 2)", &own);
        assert_eq!(read(&text).unwrap().unwrap(), own);
        assert_eq!(text.lines().next(), Some("# title"));
        assert_eq!(text.lines().last(), Some("X = features(own, 3, 2)"));
        // Replacing keeps one block, where it was.
        let mut fewer = own.clone();
        fewer.table = fewer.table.select(&[0, 1]);
        let replaced = with_own(&text, &fewer);
        assert_eq!(replaced.matches(HEADER).count(), 1);
        assert_eq!(read(&replaced).unwrap().unwrap().table.rows(), 2);
        // Many rows wrap, a regression writes its numbers.
        let regression = Own {
            table: Table {
                feature_names: vec!["x".into()],
                features: (0..20).map(|i| i as f64 / 3.0).collect(),
                targets: (0..20).map(|i| (i as f64).sin()).collect(),
                class_names: Vec::new(),
            },
            task: Task::Regression,
            test_share: 0.1,
        };
        let written = write(&regression);
        assert_eq!(written.matches(ROWS).count(), 3);
        let back = read(&written).unwrap().unwrap();
        assert_eq!(back.task, Task::Regression);
        assert_eq!(back, regression, "every number exactly");
    }

    #[test]
    fn mistakes_point_at_their_text() {
        let cases = [
            (
                "# own data: x y -> class, 2 classes\n# own rows: 0 0 0; 1 zz 1",
                "zz",
                "`zz` is not a number",
            ),
            (
                "# own data: x y -> class, 2 classes\n# own rows: 0 0 0; 1 1 2",
                "2",
                "the class `2` is not one of 0 to 1",
            ),
            (
                "# own data: x y -> class, 2 classes\n# own rows: 0 0 0; 1 1",
                "1 1",
                "a row has 2 numbers",
            ),
            (
                "# own data: x y -> class, 2 kinds\n# own rows: 0 0 0; 1 1 1",
                "2 kinds",
                "`2 kinds` is not",
            ),
            (
                "# own data: x y -> class, 2 classes, test 0.9\n# own rows: 0 0 0; 1 1 1",
                "test 0.9",
                "the test share",
            ),
            (
                "# own rows: 0 0 0",
                "0 0 0",
                "`# own rows:` without a `# own data:` header",
            ),
        ];
        for (source, at, message) in cases {
            let error = read(source).unwrap_err();
            assert!(error.message.starts_with(message), "{source}: {error}");
            assert_eq!(&source[error.span.start..error.span.end], at, "{source}");
        }
        let many: String = (0..=MAX_ROWS)
            .map(|i| format!("# own rows: {i} {}\n", i % 2))
            .collect();
        let error = read(&format!("# own data: x -> class, 2 classes\n{many}")).unwrap_err();
        assert!(error.message.contains("at most 1000 rows"), "{error}");
    }
}

#[cfg(test)]
mod program_tests {
    //! Own data as a program reads it: compiled, trained on, and carried by a link.
    use super::*;
    use crate::data::DataSpec;
    use crate::program::compile;
    use crate::url_state::{ModeChoice, UrlState};

    fn program(rows: usize) -> String {
        let table = Table {
            feature_names: vec!["x".into(), "y".into()],
            features: (0..rows * 2)
                .map(|i| ((i * 37 % 19) as f64 - 9.0) / 4.0)
                .collect(),
            targets: (0..rows).map(|r| (r % 3) as f64).collect(),
            class_names: (0..3).map(|k| k.to_string()).collect(),
        };
        let own = Own {
            table,
            task: Task::Classification,
            test_share: 0.25,
        };
        let train = rows - rows / 4;
        with_own(
            &format!(
                "X = features(own, {train}, 4)\ny = labels(own, {train}, 4)\nW = param(zeros([2, 3]))\nL = cross_entropy(X @ W, y)"
            ),
            &own,
        )
    }

    #[test]
    fn compiling_provides_the_rows_and_the_split() {
        let source = program(40);
        let graph = compile(&source).unwrap();
        let x = graph.node(graph.find("X").unwrap());
        assert_eq!(x.shape, [4, 2]);
        let spec = x.role.data().unwrap().clone();
        let split = spec.load().unwrap();
        assert_eq!((split.train.rows(), split.test.rows()), (30, 10));
        let own = read(&source).unwrap().unwrap();
        let mut all: Vec<f64> = split
            .train
            .targets
            .iter()
            .chain(&split.test.targets)
            .copied()
            .collect();
        let mut expected = own.table.targets.clone();
        all.sort_by(f64::total_cmp);
        expected.sort_by(f64::total_cmp);
        assert_eq!(all, expected, "every row once");
        // A program without own data has none.
        compile("x = 1").unwrap();
        assert_eq!(
            spec.load(),
            Err(crate::data::dataset::DatasetError::NoOwnData)
        );
        let error = compile("X = features(own, 3, 2)").unwrap_err();
        assert!(error.to_string().contains("no own data"), "{error}");
        // A mistake in the rows is the program's, at its place.
        let bad = source.replacen("# own rows: ", "# own rows: 1 q 0; ", 1);
        let error = compile(&bad).unwrap_err();
        assert_eq!(&bad[error.span().start..error.span().end], "q");
        assert!(DataSpec::is_dataset(OWN));
    }

    #[test]
    fn own_data_goes_through_a_link_and_back() {
        let source = program(MAX_ROWS);
        let state = UrlState {
            program: source.clone(),
            inputs: Vec::new(),
            mode: ModeChoice::Reverse,
            step: 0,
            tensors: Vec::new(),
            about: None,
            setup: Default::default(),
            quiz: None,
            storage: Default::default(),
        };
        let back = UrlState::from_fragment(&state.to_fragment()).unwrap();
        assert_eq!(back.program, source);
        let before = read(&source).unwrap().unwrap();
        compile(&back.program).unwrap();
        assert_eq!(read(&back.program).unwrap().unwrap(), before);
        assert_eq!(before.table.rows(), MAX_ROWS);
        // The largest own data fits the parser's limit on a program's size.
        assert!(source.len() < 64 * 1024, "{} bytes", source.len());
    }
}
