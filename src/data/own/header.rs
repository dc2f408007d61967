//! The `# own data:` header: the feature columns, what the target is (`N classes`, with
//! the classes' names when they are not their numbers, or `regression`), the held-out
//! share, and, for more rows than a program holds, the page's key to them:
//!
//! ```text
//! # own data: petal_length petal_width -> class, 3 classes: setosa versicolor virginica, test 0.2
//! # own data: x y -> class, 2 classes, test 0.2, 5000 rows kept by the page #3f9a0c1e
//! ```

use super::{DEFAULT_TEST, MAX_CLASSES, MAX_FEATURES, MAX_TEST, OwnError, error, words};
use crate::data::table::{MAX_CLASS_NAME, Task};
use crate::lang::Span;

/// What the phrase of rows kept by the page says between its count and its key.
const KEPT: &str = " rows kept by the page #";

/// A header read: the columns, the target, the classes' names and the held-out share.
#[derive(Clone, Debug, PartialEq)]
pub struct Header {
    pub names: Vec<String>,
    /// What the target column is called in the header (`class`, `target`).
    pub target: String,
    pub task: Task,
    /// The classes' names in id order (their numbers when the header names none); empty
    /// for a regression.
    pub class_names: Vec<String>,
    pub test_share: f64,
    /// Rows kept by the page rather than written in the program.
    pub kept: Option<Kept>,
}

/// The rows of own data the page keeps: how many, the key it keeps them under, and the
/// span of the phrase saying so.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Kept {
    pub rows: usize,
    pub key: u32,
    pub span: Span,
}

/// The header's text after `# own data:`, starting at byte `at` of the program.
pub fn read(at: usize, text: &str) -> Result<Header, OwnError> {
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
    let mut header = Header {
        names,
        target: target.trim().to_owned(),
        task: Task::Regression,
        class_names: Vec::new(),
        test_share: DEFAULT_TEST,
        kept: None,
    };
    let mut task = None;
    let mut part_at = at + columns.len() + 1;
    for part in parts {
        let word = part.trim();
        let start = part_at + (part.len() - part.trim_start().len());
        part_at += part.len() + 1;
        let (count, named) = match word.split_once(':') {
            Some((count, named)) => (count, Some(named)),
            None => (word, None),
        };
        if word == "regression" {
            task = Some(Task::Regression);
        } else if let Some(n) = count
            .strip_suffix("classes")
            .and_then(|n| n.trim().parse::<usize>().ok())
        {
            if !(2..=MAX_CLASSES).contains(&n) {
                return Err(error(&format!("2 to {MAX_CLASSES} classes"), start, word));
            }
            let names_at = start + count.len() + 1;
            header.class_names = class_names(n, names_at, named.unwrap_or(""), start, word)?;
            task = Some(Task::Classification);
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
            header.test_share = share;
        } else if let Some(kept) = read_kept(start, word) {
            header.kept = Some(kept);
        } else {
            return Err(error(
                &format!("`{word}` is not `N classes`, `regression`, `test F` or `N{KEPT}KEY`"),
                start,
                word,
            ));
        }
    }
    header.task = task.ok_or_else(|| error("say `N classes` or `regression`", at, text))?;
    Ok(header)
}

/// `5000 rows kept by the page #3f9a0c1e` (at byte `at`).
fn read_kept(at: usize, word: &str) -> Option<Kept> {
    let (rows, key) = word.split_once(KEPT)?;
    Some(Kept {
        rows: rows.trim().parse().ok()?,
        key: u32::from_str_radix(key.trim(), 16).ok()?,
        span: Span::new(at, at + word.len()),
    })
}

/// The names after `N classes:` (`named`, at byte `at`), or the classes' numbers when
/// none are given.
fn class_names(
    n: usize,
    at: usize,
    named: &str,
    start: usize,
    word: &str,
) -> Result<Vec<String>, OwnError> {
    let given: Vec<(usize, &str)> = words(at, named).collect();
    if given.is_empty() {
        return Ok((0..n).map(|k| k.to_string()).collect());
    }
    if given.len() != n {
        return Err(error(
            &format!("{n} classes need {n} names; {} are given", given.len()),
            start,
            word,
        ));
    }
    let mut names: Vec<String> = Vec::with_capacity(n);
    for (at, name) in given {
        if name.chars().count() > MAX_CLASS_NAME {
            return Err(error(
                &format!("a class name has at most {MAX_CLASS_NAME} characters"),
                at,
                name,
            ));
        }
        if names.iter().any(|seen| seen == name) {
            return Err(error(
                &format!("the class name `{name}` is given twice"),
                at,
                name,
            ));
        }
        names.push(name.to_owned());
    }
    Ok(names)
}

/// Whether `names` are just the classes' numbers, which the header need not write.
fn numbered(names: &[String]) -> bool {
    names
        .iter()
        .enumerate()
        .all(|(k, name)| *name == k.to_string())
}

/// The header's text (after `# own data:`) for `header`.
pub fn write(header: &Header) -> String {
    let kind = match header.task {
        Task::Classification if numbered(&header.class_names) => {
            format!("{} classes", header.class_names.len())
        }
        Task::Classification => format!(
            "{} classes: {}",
            header.class_names.len(),
            header.class_names.join(" ")
        ),
        Task::Regression => "regression".into(),
    };
    let mut out = format!(
        "{} -> {}, {kind}, test {}",
        header.names.join(" "),
        header.target,
        crate::number::format_number(header.test_share)
    );
    if let Some(kept) = header.kept {
        out.push_str(&format!(", {}{KEPT}{:08x}", kept.rows, kept.key));
    }
    out
}

/// The number of rows `text` (a header's text after `# own data:`) says the page keeps.
pub fn kept_rows(text: &str) -> Option<usize> {
    text.split(',')
        .find_map(|part| read_kept(0, part.trim()))
        .map(|kept| kept.rows)
}
