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
}
