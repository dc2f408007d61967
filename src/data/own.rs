//! Your own data, written into the program itself so the editor, the link and every
//! module that compiles the program see the same rows: a header comment and rows
//! comments,
//!
//! ```text
//! # own data: x y -> class, 2 classes: cat dog, test 0.25
//! # own rows: -0.5 0.3 0; 0.8 -0.1 1; …
//! ```
//!
//! read by [`read`] (every mistake an error at its line and column) and written by
//! [`write`]. A program reads the rows as `features(own, points, batch)` /
//! `labels(own, points, batch)`. The rows are used as they are (not standardized); the
//! last `test` share of them, shuffled by [`super::SPLIT_SEED`], is held out. The
//! header ([`header`]) names the classes when they have names. More than [`MAX_ROWS`]
//! rows are not written: the page keeps them ([`held`]) and the header names its key,
//! so a link to the program leaves them out and says so when it is opened.

pub mod header;
pub mod held;

use super::table::{Table, Task};
use crate::lang::Span;
use std::fmt::Write;
use std::sync::Arc;
use thiserror::Error;

/// The dataset name programs use for the rows of the page: `features(own, …)`.
pub const OWN: &str = "own";
/// The most rows the program (and so its link) holds; more are kept by the page.
pub const MAX_ROWS: usize = 1000;
/// The most rows own data may have, kept by the page (the CSV reader's own limit).
pub const MAX_KEPT_ROWS: usize = 100_000;
/// The most feature columns own data may have.
pub const MAX_FEATURES: usize = 64;
/// The most classes own data may have.
pub const MAX_CLASSES: usize = 100;
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

impl Own {
    /// Whether the page keeps the rows rather than the program (more than [`MAX_ROWS`]).
    pub fn kept_by_page(&self) -> bool {
        self.table.rows() > MAX_ROWS
    }
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
    /// The rows a link left out of the last program compiled with its rows, if it did.
    static LEFT_OUT: std::cell::Cell<Option<usize>> = const { std::cell::Cell::new(None) };
}

/// Note that the program compiled last names `rows` rows this page does not hold (or
/// that it does not), for [`noted_left_out`].
pub fn note_left_out(rows: Option<usize>) {
    LEFT_OUT.with(|l| l.set(rows));
}

/// The rows [`note_left_out`] noted: why a program over own data has no rows to train.
pub fn noted_left_out() -> Option<usize> {
    LEFT_OUT.with(std::cell::Cell::get)
}

/// The text of `source`'s `# own data:` header after the marker, if it has one.
fn header_text(source: &str) -> Option<&str> {
    source
        .lines()
        .find_map(|line| line.trim_start().strip_prefix(HEADER))
}

/// Note how many features `source`'s own-data header names (or that it has none), for
/// [`declared_width`]: compiling in a module that does not read the rows.
pub fn declare(source: &str) {
    let width = header_text(source).and_then(|header| {
        let (names, _) = header.split_once("->")?;
        Some(names.split_whitespace().count())
    });
    DECLARED.with(|d| d.set(width));
}

/// The width [`declare`] noted: the features' width of a placeholder first batch.
pub fn declared_width() -> Option<usize> {
    DECLARED.with(std::cell::Cell::get)
}

/// How many rows of `source`'s own data the page keeps, out of the program's text (and
/// so out of its link): None when the program holds its rows or has none.
pub fn kept_rows(source: &str) -> Option<usize> {
    header_text(source).and_then(header::kept_rows)
}

/// [`kept_rows`] when this page does not hold them: a link opened without its rows.
pub fn left_out(source: &str) -> Option<usize> {
    let kept = header::read(0, header_text(source)?.trim()).ok()?.kept?;
    held::get(kept.key).is_none().then_some(kept.rows)
}

/// The rows `source`'s header says the page keeps, with how they are read, if this page
/// (this thread) holds them: what a worker is sent so that it holds them too.
pub fn held_table(source: &str) -> Option<(Arc<Table>, Task)> {
    let header = header::read(0, header_text(source)?.trim()).ok()?;
    Some((held::get(header.kept?.key)?, header.task))
}

/// What a reader is told when the page does not hold the `rows` rows a program names.
pub fn left_out_message(rows: usize) -> String {
    format!("this {}", left_out_tail(rows))
}

/// [`left_out_message`] as a sentence of its own.
pub fn left_out_sentence(rows: usize) -> String {
    format!("This {}.", left_out_tail(rows))
}

fn left_out_tail(rows: usize) -> String {
    format!(
        "program's {} rows of own data stayed in the page they were loaded in (a link holds up to {} rows): paste or upload the CSV again to train it",
        grouped(rows),
        grouped(MAX_ROWS)
    )
}

/// What the share link's note says of `rows` rows the page keeps.
pub fn link_note(rows: usize) -> String {
    format!(
        "This link leaves out your {} rows of own data (a link holds up to {}); its reader is asked to paste or upload the CSV.",
        grouped(rows),
        grouped(MAX_ROWS)
    )
}

/// `n` with its thousands grouped by commas: 5,000.
pub fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The own data in `source`'s comments, if it has a `# own data:` header.
pub fn read(source: &str) -> Result<Option<Own>, OwnError> {
    let mut found: Option<(usize, &str)> = None;
    let mut rows_text: Vec<(usize, &str)> = Vec::new();
    let mut offset = 0;
    for line in source.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let start = offset + (line.len() - trimmed.len());
        if let Some(rest) = trimmed.strip_prefix(HEADER) {
            if found.is_some() {
                return Err(error("a second `# own data:` header", start, trimmed));
            }
            found = Some(tidy(start + HEADER.len(), rest));
        } else if let Some(rest) = trimmed.strip_prefix(ROWS) {
            rows_text.push(tidy(start + ROWS.len(), rest));
        }
        offset += line.len();
    }
    let Some((at, text)) = found else {
        return match rows_text.first() {
            Some(&(at, text)) => Err(error(
                "`# own rows:` without a `# own data:` header",
                at,
                text,
            )),
            None => Ok(None),
        };
    };
    let header = header::read(at, text)?;
    let (features, targets) = match header.kept {
        Some(kept) => {
            if let Some(&(at, text)) = rows_text.first() {
                return Err(error(
                    "rows kept by the page are not also written in the program",
                    at,
                    text,
                ));
            }
            let table = held::get(kept.key)
                .filter(|t| t.rows() == kept.rows && t.width() == header.names.len())
                .ok_or_else(|| OwnError {
                    message: left_out_message(kept.rows),
                    span: kept.span,
                })?;
            check_classes(&table.targets, &header, at, text)?;
            (table.features.clone(), table.targets.clone())
        }
        None => read_rows(&header, &rows_text)?,
    };
    if targets.len() < 2 {
        return Err(error("own data needs at least 2 rows", at, text));
    }
    Ok(Some(Own {
        table: Table {
            feature_names: header.names,
            features,
            targets,
            class_names: header.class_names,
        },
        task: header.task,
        test_share: header.test_share,
    }))
}

/// Every class id of rows kept by the page names one of the header's classes.
fn check_classes(
    targets: &[f64],
    header: &header::Header,
    at: usize,
    text: &str,
) -> Result<(), OwnError> {
    let classes = header.class_names.len() as f64;
    if header.task == Task::Classification && targets.iter().any(|&t| t >= classes) {
        return Err(error(
            "the rows kept by the page have more classes than the header names",
            at,
            text,
        ));
    }
    Ok(())
}

/// The numbers of the `# own rows:` comments: features row by row and the targets.
fn read_rows(
    header: &header::Header,
    rows_text: &[(usize, &str)],
) -> Result<(Vec<f64>, Vec<f64>), OwnError> {
    let (width, classes, target) = (header.names.len(), header.class_names.len(), &header.target);
    let (mut features, mut targets) = (Vec::new(), Vec::new());
    for &(at, text) in rows_text {
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
            if header.task == Task::Classification
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
                    &format!(
                        "own data holds at most {MAX_ROWS} rows in the program (the page keeps more)"
                    ),
                    start,
                    word,
                ));
            }
        }
    }
    Ok((features, targets))
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

/// The header and rows comments for `own` (numbers as people read them); rows kept by
/// the page ([`Own::kept_by_page`]) are named by their key instead of written.
pub fn write(own: &Own) -> String {
    let table = &own.table;
    let target = match own.task {
        Task::Classification => "class",
        Task::Regression => "target",
    };
    let kept = own.kept_by_page().then(|| header::Kept {
        rows: table.rows(),
        key: held::key(table, own.task),
        span: Span::new(0, 0),
    });
    let mut out = format!(
        "{HEADER} {}",
        header::write(&header::Header {
            names: table.feature_names.clone(),
            target: target.into(),
            task: own.task,
            class_names: table.class_names.clone(),
            test_share: own.test_share,
            kept,
        })
    );
    if kept.is_some() {
        return out;
    }
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
/// comments when it has none); every other line as it was. Rows the page keeps are
/// handed to it ([`held::hold`]) here, so the text never names rows it does not hold.
pub fn with_own(source: &str, own: &Own) -> String {
    if own.kept_by_page() {
        held::hold(&own.table, own.task);
    }
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
mod tests;
