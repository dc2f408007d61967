//! Byte ranges into the source text, carried by tokens, AST nodes and errors.

use serde::{Deserialize, Serialize};

/// A half-open byte range `start..end` into the program source.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// The smallest span covering both `self` and `other`.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    pub fn len(self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// The source text under this span, or "" if it does not fall on char boundaries.
    pub fn text(self, source: &str) -> &str {
        source.get(self.start..self.end).unwrap_or("")
    }
}

/// Where a byte offset sits in the source: 1-based line and column, plus the line's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineInfo<'a> {
    pub line: usize,
    pub column: usize,
    pub line_text: &'a str,
    /// Byte offset at which `line_text` starts.
    pub line_start: usize,
}

/// Locate `offset` in `source` (clamped to the source length and to a char boundary).
pub fn locate(source: &str, offset: usize) -> LineInfo<'_> {
    let mut offset = offset.min(source.len());
    while !source.is_char_boundary(offset) {
        offset -= 1;
    }
    let line_start = source[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = source[offset..]
        .find('\n')
        .map_or(source.len(), |i| offset + i);
    LineInfo {
        line: source[..offset].matches('\n').count() + 1,
        column: source[line_start..offset].chars().count() + 1,
        line_text: &source[line_start..line_end],
        line_start,
    }
}

/// One line of a source and the part of it a span covers: `before`, then `marked` (absent
/// when the span misses the line; empty where an empty span sits), then `after`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MarkedLine<'a> {
    pub before: &'a str,
    pub marked: Option<&'a str>,
    pub after: &'a str,
}

/// `source` line by line (split at `\n`, so a final newline gives a last empty line), with
/// `span`'s part marked in each line it covers. A span that covers no character of any
/// line (empty, or only a line break) is marked empty where it starts. Offsets are clamped
/// to the source and to char boundaries.
pub fn marked_lines(source: &str, span: Option<Span>) -> Vec<MarkedLine<'_>> {
    let clamp = |offset: usize| {
        let mut offset = offset.min(source.len());
        while !source.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    };
    let span = span.map(|s| {
        let start = clamp(s.start);
        Span::new(start, clamp(s.end).max(start))
    });
    let mut lines = Vec::new();
    let mut line_start = 0;
    for text in source.split('\n') {
        let line_end = line_start + text.len();
        let part = span.and_then(|s| {
            let (from, to) = (s.start.max(line_start), s.end.min(line_end));
            (from < to).then(|| (from - line_start, to - line_start))
        });
        lines.push(match part {
            Some((from, to)) => MarkedLine {
                before: &text[..from],
                marked: Some(&text[from..to]),
                after: &text[to..],
            },
            None => MarkedLine {
                before: text,
                marked: None,
                after: "",
            },
        });
        line_start = line_end + 1;
    }
    if let Some(span) = span.filter(|_| lines.iter().all(|l| l.marked.is_none())) {
        let info = locate(source, span.start);
        let line = info.line - 1;
        let at = span.start - info.line_start;
        let text = info.line_text;
        lines[line] = MarkedLine {
            before: &text[..at],
            marked: Some(""),
            after: &text[at..],
        };
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locate_finds_line_and_column() {
        let src = "a = 1\nb = a*é + 2\n";
        let info = locate(src, src.find('+').unwrap());
        assert_eq!(info.line, 2);
        assert_eq!(info.column, 9);
        assert_eq!(info.line_text, "b = a*é + 2");
    }

    #[test]
    fn locate_clamps_out_of_range_offsets() {
        let info = locate("x", 99);
        assert_eq!((info.line, info.column), (1, 2));
    }

    fn marks(source: &str, span: Span) -> Vec<(String, Option<String>, String)> {
        marked_lines(source, Some(span))
            .into_iter()
            .map(|l| (l.before.into(), l.marked.map(Into::into), l.after.into()))
            .collect()
    }

    #[test]
    fn marked_lines_split_a_span_over_the_lines_it_covers() {
        let src = "a = x * y\nb = (a +\n  a)\n";
        let start = src.find("(a").unwrap();
        let end = src.find("a)").unwrap() + 2;
        let lines = marks(src, Span::new(start, end));
        assert_eq!(lines.len(), 4, "a final newline gives a last empty line");
        assert_eq!(lines[0], ("a = x * y".into(), None, "".into()));
        assert_eq!(lines[1], ("b = ".into(), Some("(a +".into()), "".into()));
        assert_eq!(lines[2], ("".into(), Some("  a)".into()), "".into()));
        assert_eq!(lines[3], ("".into(), None, "".into()));
        // The lines put back together are the source, whatever the span.
        for (start, end) in [(0, 0), (3, 9), (9, 10), (5, 40), (26, 26)] {
            let joined = marked_lines(src, Some(Span::new(start, end)))
                .iter()
                .map(|l| format!("{}{}{}", l.before, l.marked.unwrap_or(""), l.after))
                .collect::<Vec<_>>()
                .join("\n");
            assert_eq!(joined, src);
        }
    }

    #[test]
    fn an_empty_span_or_a_line_break_is_marked_empty_where_it_starts() {
        let src = "x = 1\ny";
        assert_eq!(
            marks(src, Span::new(5, 5))[0],
            ("x = 1".into(), Some("".into()), "".into())
        );
        assert_eq!(
            marks(src, Span::new(5, 6))[0],
            ("x = 1".into(), Some("".into()), "".into())
        );
        assert_eq!(
            marks(src, Span::new(99, 120))[1],
            ("y".into(), Some("".into()), "".into())
        );
        assert!(marked_lines(src, None).iter().all(|l| l.marked.is_none()));
        // Offsets inside a character are moved back to its start.
        let src = "é + 1";
        assert_eq!(marks(src, Span::new(1, 1))[0].1, Some("".into()));
        assert_eq!(
            marks(src, Span::new(1, 2))[0],
            ("".into(), Some("é".into()), " + 1".into())
        );
    }
}
