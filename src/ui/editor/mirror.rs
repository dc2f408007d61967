//! The editor's mirror drawn line by line: one block per line of the program, a block
//! replaced only when its line's text or mark changed. A step that moves the mark redraws
//! the one or two lines it leaves and enters, and the browser lays out only those (the
//! whole text laid out again cost a long program most of each step). Drawn by hand rather
//! than as a keyed list: lines only ever change in place.

use crate::lang::span::{Span, marked_lines};
use web_sys::{Document, Element};

/// One line of the mirror: its text around the mark, the mark if it falls on this line,
/// and whether the mark is an error's (underlined) or a node's (shaded).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    before: String,
    marked: Option<String>,
    after: String,
    is_error: bool,
}

/// The mirror's lines for `source` with `mark` (its span, and whether it is an error's).
/// An error at an empty span is marked on a space, so its underline shows.
pub fn lines(source: &str, mark: Option<(Span, bool)>) -> Vec<Line> {
    let is_error = mark.is_some_and(|(_, is_error)| is_error);
    marked_lines(source, mark.map(|(span, _)| span))
        .into_iter()
        .map(|line| Line {
            before: line.before.to_string(),
            marked: line.marked.map(|m| match m {
                "" if is_error => " ".to_string(),
                m => m.to_string(),
            }),
            after: line.after.to_string(),
            is_error: is_error && line.marked.is_some(),
        })
        .collect()
}

/// Bring `mirror`'s blocks, drawn for `drawn`, to `lines`.
pub fn draw(mirror: &Element, drawn: &[Line], lines: &[Line]) {
    let Some(document) = mirror.owner_document() else {
        return;
    };
    let mut child = mirror.first_element_child();
    for (index, line) in lines.iter().enumerate() {
        let next = child.as_ref().and_then(Element::next_element_sibling);
        if child.is_none() || drawn.get(index) != Some(line) {
            match (&child, block(&document, line)) {
                (Some(old), Some(new)) => {
                    let _ = old.replace_with_with_node_1(&new);
                }
                (None, Some(new)) => {
                    let _ = mirror.append_with_node_1(&new);
                }
                (_, None) => {}
            }
        }
        child = next;
    }
    while let Some(gone) = child {
        child = gone.next_element_sibling();
        gone.remove();
    }
}

/// A line's block: its text, with the mark in a `<mark data-error-span>` or
/// `<mark data-node-span>`; an empty line holds a space, so it keeps a line's height.
fn block(document: &Document, line: &Line) -> Option<Element> {
    let div = document.create_element("div").ok()?;
    match &line.marked {
        Some(marked) => {
            let mark = document.create_element("mark").ok()?;
            let kind = if line.is_error {
                "data-error-span"
            } else {
                "data-node-span"
            };
            mark.set_attribute(kind, "").ok()?;
            mark.set_text_content(Some(marked));
            div.append_with_str_1(&line.before).ok()?;
            div.append_with_node_1(&mark).ok()?;
            div.append_with_str_1(&line.after).ok()?;
        }
        None if line.before.is_empty() => div.set_text_content(Some(" ")),
        None => div.set_text_content(Some(&line.before)),
    }
    Some(div)
}
