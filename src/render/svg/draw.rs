//! SVG markup as text, for pictures drawn in one piece (tensor cells, charts, the decision
//! boundary): far less code in the wasm bundle than one reactive element per cell. Every
//! piece of text that reaches the markup goes through [`escape`].

pub use crate::render::markup::escape_markup as escape;
use std::fmt::Write;

/// Append `<text class="…" x y [anchor]>text</text>`.
pub fn text(out: &mut String, class: &str, x: f64, y: f64, anchor: Option<&str>, content: &str) {
    let anchor = anchor
        .map(|a| format!(" text-anchor=\"{a}\""))
        .unwrap_or_default();
    let _ = write!(
        out,
        "<text class=\"{class}\" x=\"{x:.1}\" y=\"{y:.1}\"{anchor}>{}</text>",
        escape(content)
    );
}

/// Append a rectangle with a class and an optional inline style.
pub fn rect(out: &mut String, class: &str, x: f64, y: f64, w: f64, h: f64, style: &str) {
    let style = if style.is_empty() {
        String::new()
    } else {
        format!(" style=\"{style}\"")
    };
    let _ = write!(
        out,
        "<rect class=\"{class}\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\"{style}/>"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_text_stays_text() {
        assert_eq!(escape("<script>&\"'"), "&lt;script&gt;&amp;&quot;&#39;");
        let mut out = String::new();
        text(&mut out, "t", 1.0, 2.0, Some("end"), "a<b");
        assert_eq!(
            out,
            "<text class=\"t\" x=\"1.0\" y=\"2.0\" text-anchor=\"end\">a&lt;b</text>"
        );
        let mut out = String::new();
        rect(&mut out, "r", 0.0, 0.0, 2.0, 3.0, "");
        assert_eq!(
            out,
            "<rect class=\"r\" x=\"0.0\" y=\"0.0\" width=\"2.0\" height=\"3.0\"/>"
        );
    }
}
