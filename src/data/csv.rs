//! CSV text as records of fields, each field with its line and column, within limits
//! (bytes, rows, columns); quoted fields (`"a, b"`, `""` for a quote) may hold the
//! delimiter or a line break. [`super::table`] turns records into numbers.

use thiserror::Error;

/// How much CSV text is read at most.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub bytes: usize,
    /// Records, the header included.
    pub rows: usize,
    pub columns: usize,
}

/// The limits on data pasted or uploaded by a person: 4 MiB, 100,000 rows, 1,024 columns.
pub const LIMITS: Limits = Limits {
    bytes: 4 << 20,
    rows: 100_000,
    columns: 1_024,
};

/// Where a field starts: line and column (in characters), both from 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl std::fmt::Display for Position {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// One field's text (quotes removed) and where it starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    pub text: String,
    pub at: Position,
}

/// Everything that can be wrong with CSV text; each carries where.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum CsvError {
    #[error("the text is {bytes} bytes; the limit is {limit}")]
    TooManyBytes { bytes: usize, limit: usize },
    #[error("{at}: more than {limit} rows, the most that can be read")]
    TooManyRows { at: Position, limit: usize },
    #[error("{at}: more than {limit} columns, the most that can be read")]
    TooManyColumns { at: Position, limit: usize },
    #[error("{at}: a quoted field is never closed")]
    UnclosedQuote { at: Position },
    #[error("{at}: a quote inside an unquoted field; quote the whole field and double the quote")]
    StrayQuote { at: Position },
    #[error("{at}: text after a closing quote; quote the whole field")]
    AfterQuote { at: Position },
    #[error("there is no data: the text is empty")]
    Empty,
    #[error("line {line}: {found} fields where {expected} are expected")]
    FieldCount {
        line: usize,
        expected: usize,
        found: usize,
    },
    #[error("{at}: a column has no name")]
    UnnamedColumn { at: Position },
    #[error("{at}: the column `{name}` is named twice")]
    DuplicateColumn { name: String, at: Position },
    #[error("line 1: there is no column `{label}`; the columns are {}", .columns.join(", "))]
    NoLabelColumn { label: String, columns: Vec<String> },
    #[error("{at}: `{text}` in column `{column}` is not a number")]
    NotANumber {
        text: String,
        column: String,
        at: Position,
    },
    #[error("{at}: `{text}` in column `{column}` is not a finite number")]
    NotFinite {
        text: String,
        column: String,
        at: Position,
    },
    #[error("there are no rows of data after the header")]
    NoRows,
    #[error("{at}: the label `{text}` makes more than {limit} classes")]
    TooManyClasses {
        text: String,
        limit: usize,
        at: Position,
    },
    #[error("{at}: {message}")]
    Format { message: String, at: Position },
}

impl CsvError {
    /// Where the error is, when it is at one field.
    pub fn position(&self) -> Option<Position> {
        match self {
            CsvError::TooManyRows { at, .. }
            | CsvError::TooManyColumns { at, .. }
            | CsvError::UnclosedQuote { at }
            | CsvError::StrayQuote { at }
            | CsvError::AfterQuote { at }
            | CsvError::UnnamedColumn { at }
            | CsvError::DuplicateColumn { at, .. }
            | CsvError::NotANumber { at, .. }
            | CsvError::NotFinite { at, .. }
            | CsvError::TooManyClasses { at, .. }
            | CsvError::Format { at, .. } => Some(*at),
            CsvError::FieldCount { line, .. } => Some(Position {
                line: *line,
                column: 1,
            }),
            CsvError::NoLabelColumn { .. } => Some(Position { line: 1, column: 1 }),
            CsvError::TooManyBytes { .. } | CsvError::Empty | CsvError::NoRows => None,
        }
    }
}

/// The records of `text`, split at `delimiter` (`,`, or ` ` for space-separated files,
/// where runs of spaces separate once). A byte-order mark is skipped, `\r\n` ends a line
/// like `\n`, blank lines are skipped, and fields keep their surrounding spaces but for
/// space-separated text.
pub fn records(text: &str, delimiter: char, limits: Limits) -> Result<Vec<Vec<Field>>, CsvError> {
    if text.len() > limits.bytes {
        return Err(CsvError::TooManyBytes {
            bytes: text.len(),
            limit: limits.bytes,
        });
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = Reader {
        delimiter,
        limits,
        line: 1,
        column: 1,
        records: Vec::new(),
        record: Vec::new(),
        field: None,
        quoted: Quote::No,
        next: Position { line: 1, column: 1 },
    };
    for ch in text.chars() {
        reader.push(ch)?;
    }
    reader.finish()?;
    if reader.records.is_empty() {
        return Err(CsvError::Empty);
    }
    Ok(reader.records)
}

/// Where the reader is inside a quoted field.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Quote {
    No,
    Inside,
    /// A quote was read inside: the field ends here, or it is the first of `""`.
    MaybeClosed,
    Closed,
}

struct Reader {
    delimiter: char,
    limits: Limits,
    line: usize,
    column: usize,
    records: Vec<Vec<Field>>,
    record: Vec<Field>,
    field: Option<Field>,
    quoted: Quote,
    /// Where the next field starts (an empty field is there).
    next: Position,
}

impl Reader {
    fn at(&self) -> Position {
        Position {
            line: self.line,
            column: self.column,
        }
    }

    fn push(&mut self, ch: char) -> Result<(), CsvError> {
        let at = self.at();
        if ch == '\n' {
            self.line += 1;
            self.column = 1;
        } else {
            self.column += 1;
        }
        match self.quoted {
            Quote::Inside => {
                if ch == '"' {
                    self.quoted = Quote::MaybeClosed;
                } else {
                    self.text(ch, at);
                }
                return Ok(());
            }
            Quote::MaybeClosed if ch == '"' => {
                self.quoted = Quote::Inside;
                self.text('"', at);
                return Ok(());
            }
            Quote::MaybeClosed => self.quoted = Quote::Closed,
            Quote::No | Quote::Closed => {}
        }
        let spaces = self.delimiter == ' ';
        match ch {
            '\r' => Ok(()),
            '\n' => self.end_record(),
            _ if ch == self.delimiter => {
                if spaces && self.field.is_none() {
                    return Ok(());
                }
                self.end_field()
            }
            '"' => match &self.field {
                Some(field) if self.quoted == Quote::No && field.text.trim().is_empty() => {
                    self.field = Some(Field {
                        text: String::new(),
                        at,
                    });
                    self.quoted = Quote::Inside;
                    Ok(())
                }
                None => {
                    self.field = Some(Field {
                        text: String::new(),
                        at,
                    });
                    self.quoted = Quote::Inside;
                    Ok(())
                }
                Some(_) => Err(match self.quoted {
                    Quote::Closed => CsvError::AfterQuote { at },
                    Quote::No | Quote::Inside | Quote::MaybeClosed => CsvError::StrayQuote { at },
                }),
            },
            _ if self.quoted == Quote::Closed => {
                if ch == ' ' || ch == '\t' {
                    Ok(())
                } else {
                    Err(CsvError::AfterQuote { at })
                }
            }
            _ => {
                self.text(ch, at);
                Ok(())
            }
        }
    }

    fn text(&mut self, ch: char, at: Position) {
        self.field
            .get_or_insert_with(|| Field {
                text: String::new(),
                at,
            })
            .text
            .push(ch);
    }

    /// The field ends (an empty one where it would have started).
    fn end_field(&mut self) -> Result<(), CsvError> {
        let field = self.field.take().unwrap_or(Field {
            text: String::new(),
            at: self.next,
        });
        self.next = self.at();
        if self.record.len() >= self.limits.columns {
            return Err(CsvError::TooManyColumns {
                at: field.at,
                limit: self.limits.columns,
            });
        }
        self.record.push(field);
        self.quoted = Quote::No;
        Ok(())
    }

    fn end_record(&mut self) -> Result<(), CsvError> {
        let blank = self.record.is_empty()
            && self
                .field
                .as_ref()
                .is_none_or(|field| self.quoted == Quote::No && field.text.trim().is_empty());
        if blank {
            self.field = None;
            self.next = self.at();
            return Ok(());
        }
        let last_line = Position {
            line: self.line - 1,
            column: 1,
        };
        if self.field.is_some() || self.delimiter != ' ' {
            self.end_field()?;
        }
        self.next = self.at();
        if self.records.len() >= self.limits.rows {
            let at = self.record.first().map_or(last_line, |field| field.at);
            return Err(CsvError::TooManyRows {
                at,
                limit: self.limits.rows,
            });
        }
        self.records.push(std::mem::take(&mut self.record));
        Ok(())
    }

    fn finish(&mut self) -> Result<(), CsvError> {
        match self.quoted {
            Quote::Inside => {
                let at = self.field.as_ref().map_or(self.at(), |field| field.at);
                Err(CsvError::UnclosedQuote { at })
            }
            Quote::No | Quote::MaybeClosed | Quote::Closed => {
                if self.quoted == Quote::MaybeClosed {
                    self.quoted = Quote::Closed;
                }
                // As if the text ended with a line break.
                self.line += 1;
                self.end_record()
            }
        }
    }
}

/// `field` as a finite number (surrounding spaces allowed); `column` names it in errors.
pub fn number(field: &Field, column: &str) -> Result<f64, CsvError> {
    let text = field.text.trim();
    let value: f64 = text.parse().map_err(|_| CsvError::NotANumber {
        text: text.to_owned(),
        column: column.to_owned(),
        at: field.at,
    })?;
    if value.is_finite() {
        Ok(value)
    } else {
        Err(CsvError::NotFinite {
            text: text.to_owned(),
            column: column.to_owned(),
            at: field.at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str, delimiter: char) -> Vec<Vec<String>> {
        records(text, delimiter, LIMITS)
            .unwrap_or_else(|error| panic!("{error}"))
            .into_iter()
            .map(|record| record.into_iter().map(|field| field.text).collect())
            .collect()
    }

    fn error(text: &str, limits: Limits) -> CsvError {
        records(text, ',', limits).expect_err("an error")
    }

    #[test]
    fn splits_fields_and_lines() {
        assert_eq!(
            texts("a,b\r\n1,2\n\n3,\n", ','),
            vec![vec!["a", "b"], vec!["1", "2"], vec!["3", ""]]
        );
        assert_eq!(texts("\u{feff}x\n4", ','), vec![vec!["x"], vec!["4"]]);
        assert_eq!(
            texts("59 2  32.1\n 48 1 21.6 \n", ' '),
            vec![vec!["59", "2", "32.1"], vec!["48", "1", "21.6"]]
        );
    }

    #[test]
    fn quoted_fields_hold_delimiters_quotes_and_line_breaks() {
        assert_eq!(
            texts("\"a, b\",\"say \"\"hi\"\"\"\n\"two\nlines\" ,x", ','),
            vec![vec!["a, b", "say \"hi\""], vec!["two\nlines", "x"]]
        );
    }

    #[test]
    fn fields_know_their_line_and_column() {
        let records = records("a,bb,c\n1,22,\"3\"\n", ',', LIMITS).expect("reads");
        let at = |r: usize, f: usize| records[r][f].at;
        assert_eq!(at(0, 0), Position { line: 1, column: 1 });
        assert_eq!(at(0, 2), Position { line: 1, column: 6 });
        assert_eq!(at(1, 1), Position { line: 2, column: 3 });
        assert_eq!(at(1, 2), Position { line: 2, column: 6 });
    }

    #[test]
    fn quote_errors_point_at_the_quote() {
        assert_eq!(
            error("a,b\n1,\"2\n", LIMITS),
            CsvError::UnclosedQuote {
                at: Position { line: 2, column: 3 }
            }
        );
        assert_eq!(
            error("a,b\n1,2\"\n", LIMITS),
            CsvError::StrayQuote {
                at: Position { line: 2, column: 4 }
            }
        );
        assert_eq!(
            error("a,\"b\"c\n", LIMITS),
            CsvError::AfterQuote {
                at: Position { line: 1, column: 6 }
            }
        );
    }

    #[test]
    fn limits_are_errors_with_a_position() {
        let small = Limits {
            bytes: 20,
            rows: 2,
            columns: 2,
        };
        assert_eq!(
            error("a,b\n1,2\n3,4\n", small),
            CsvError::TooManyRows {
                at: Position { line: 3, column: 1 },
                limit: 2
            }
        );
        assert_eq!(
            error("a,b,c\n", small),
            CsvError::TooManyColumns {
                at: Position { line: 1, column: 5 },
                limit: 2
            }
        );
        assert_eq!(
            error(&"1,".repeat(11), small),
            CsvError::TooManyBytes {
                bytes: 22,
                limit: 20
            }
        );
        assert_eq!(
            error("a,b,c\n", small).to_string(),
            "line 1, column 5: more than 2 columns, the most that can be read"
        );
        assert_eq!(error("\n \n", LIMITS), CsvError::Empty);
    }

    #[test]
    fn numbers_must_be_finite() {
        let field = |text: &str| Field {
            text: text.into(),
            at: Position { line: 4, column: 2 },
        };
        assert_eq!(number(&field(" -1.5e2 "), "x"), Ok(-150.0));
        assert_eq!(
            number(&field("abc"), "x").map_err(|e| e.to_string()),
            Err("line 4, column 2: `abc` in column `x` is not a number".into())
        );
        assert!(matches!(
            number(&field("inf"), "x"),
            Err(CsvError::NotFinite { .. })
        ));
        assert!(matches!(
            number(&field("NaN"), "x"),
            Err(CsvError::NotFinite { .. })
        ));
    }

    #[test]
    fn never_panics_on_odd_text() {
        for text in [
            "\"",
            "\"\"",
            ",",
            "\n\n",
            "\"a\"\"",
            "é,\"ü\n",
            "a\r",
            "\u{feff}",
        ] {
            let _ = records(text, ',', LIMITS);
            let _ = records(text, ' ', LIMITS);
        }
    }
}
