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

/// One path drawing every box (centre and size) as a closed rectangle: a whole graph's
/// boxes in one element, for a minimap.
pub fn boxes_path(centres: &[crate::layout::Point], sizes: &[crate::layout::NodeSize]) -> String {
    let mut out = String::new();
    for (c, s) in centres.iter().zip(sizes) {
        let _ = write!(
            out,
            "M{:.0} {:.0}h{:.0}v{:.0}h{:.0}z",
            c.x - s.width / 2.0,
            c.y - s.height / 2.0,
            s.width,
            s.height,
            -s.width
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boxes_path_closes_one_rectangle_per_box() {
        use crate::layout::{NodeSize, Point};
        let centres = [Point { x: 50.0, y: 20.0 }, Point { x: 200.0, y: 40.0 }];
        let sizes = [
            NodeSize {
                width: 100.0,
                height: 40.0,
            },
            NodeSize {
                width: 60.0,
                height: 20.0,
            },
        ];
        assert_eq!(
            boxes_path(&centres, &sizes),
            "M0 0h100v40h-100zM170 30h60v20h-60z"
        );
    }

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
