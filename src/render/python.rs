//! What the two Python renderings share (the program as a tiny `Value` engine,
//! [`super::micrograd`], and as a PyTorch script, [`super::pytorch`]): a script's line with
//! the node it computes, names Python accepts, numbers and comments as Python reads them.

use crate::graph::{Node, NodeId};

/// One line of the script and the node it computes, if any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeLine {
    pub text: String,
    pub node: Option<NodeId>,
}

/// A line of the program as the text of a Python comment: Python ends a line at `\r` (and
/// `\x0c` or `\x0b` may confuse editors), which `str::lines` keeps, so a program line
/// `# \rimport os` would otherwise become code. Control characters are written escaped.
pub fn comment_text(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    for c in line.chars() {
        if (c.is_control() && c != '\t') || matches!(c, '\u{2028}' | '\u{2029}') {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// A name Python accepts: primes become `_p`, anything else odd an underscore.
pub fn python_name(node: &Node) -> String {
    let mut name: String = node
        .name
        .chars()
        .map(|c| match c {
            '′' => 'p',
            c if c.is_ascii_alphanumeric() || c == '_' => c,
            _ => '_',
        })
        .collect();
    if name.chars().next().is_none_or(|c| c.is_ascii_digit()) {
        name.insert(0, '_');
    }
    name
}

/// A number as a Python literal, NaN and ±∞ by name.
pub fn number(x: f64) -> String {
    if x.is_nan() {
        "float('nan')".into()
    } else if x.is_infinite() {
        if x > 0.0 {
            "float('inf')"
        } else {
            "float('-inf')"
        }
        .into()
    } else {
        format!("{x:?}")
    }
}
