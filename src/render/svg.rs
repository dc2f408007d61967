//! The graph at the stepper's current step as a standalone SVG document (the SVG and PNG
//! exports): boxes with values and adjoints, labelled edges, the step highlighted, and a
//! caption. The labels it shares with the live graph view are in [`labels`].
//!
//! The document uses presentation attributes rather than a stylesheet, so drawing tools
//! and document converters show it as the page does; every piece of text is XML-escaped.

use crate::engine::{Mode, Stepper};
use crate::graph::{Graph, NodeId};
use crate::layout::labels::{Area, label_width, place_labels};
use crate::layout::{EdgePath, NodeSize, Point, layout};
pub use crate::render::markup::escape_markup as escape;
use crate::render::{Notation, step_text};
use crate::tensor::Tensor;
use std::fmt::Write;

pub mod draw;
pub mod heatmap;
mod labels;
pub mod line_chart;
pub mod picture;

pub use labels::{
    CUT_DASHES, derivative_line, derivative_total, edge_is_cut, edge_path, exact, midpoint,
    nonfinite_nodes, op_label, shown,
};

/// The colours of a picture (the app's light and dark themes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Palette {
    pub background: &'static str,
    pub surface: &'static str,
    pub leaf: &'static str,
    pub text: &'static str,
    pub muted: &'static str,
    pub border: &'static str,
    pub forward: &'static str,
    pub current: &'static str,
    pub backward: &'static str,
    pub tape: &'static str,
    pub danger: &'static str,
}

impl Palette {
    pub const LIGHT: Palette = Palette {
        background: "#f7f7f5",
        surface: "#ffffff",
        leaf: "#f0f1f3",
        text: "#1b1d20",
        muted: "#5b6169",
        border: "#d7d9dc",
        forward: "#1f5fd6",
        current: "#e3ecfd",
        backward: "#c2410c",
        tape: "#7c3aed",
        danger: "#b91c1c",
    };
    pub const DARK: Palette = Palette {
        background: "#141518",
        surface: "#1d1f23",
        leaf: "#25282d",
        text: "#e7e7e4",
        muted: "#a3a8ae",
        border: "#34373c",
        forward: "#8ab0ff",
        current: "#1e2a44",
        backward: "#fb923c",
        tape: "#b794f6",
        danger: "#f87171",
    };
}

const SANS: &str = "'Source Sans 3', system-ui, sans-serif";
const MONO: &str = "'Source Code Pro', ui-monospace, monospace";
/// Widths of one character of the name (15 px, bold) and of the values (13 px).
const NAME_CHAR: f64 = 9.4;
const VALUE_CHAR: f64 = 7.9;
const PADDING: f64 = 12.0;
/// From a label's middle down to its text's baseline (12 px text).
const LABEL_BASELINE: f64 = 4.0;
const HEADER: f64 = 30.0;
const LINE: f64 = 18.0;
/// Room under the drawing for the step caption.
const CAPTION: f64 = 34.0;

/// What a node's box says below its header: one (class, text) per line.
fn node_lines(stepper: &Stepper, id: NodeId) -> Vec<(LineKind, String)> {
    let node = stepper.graph().node(id);
    let mut lines = Vec::new();
    if node.shape.is_empty() {
        if let Some(value) = stepper.value(id) {
            lines.push((LineKind::Value, format!("= {}", shown(value))));
        }
        if let Some(line) = derivative_line(stepper, id) {
            lines.push((LineKind::Derivative, line));
        }
        return lines;
    }
    let reverse = stepper.mode() == Mode::Reverse;
    let derivative = if reverse {
        stepper.adjoint(id)
    } else {
        stepper.tangent(id).cloned()
    };
    let label = if reverse {
        Notation::Plain.adjoint(&node.name)
    } else {
        Notation::Plain.tangent(&node.name)
    };
    if let Some(value) = stepper.value(id) {
        tensor_lines(value, "=", LineKind::Value, &mut lines);
    }
    if let Some(derivative) = derivative {
        lines.push((LineKind::Derivative, format!("{label} =")));
        tensor_lines(&derivative, "", LineKind::Derivative, &mut lines);
    }
    lines
}

/// A tensor one row per line while its values fit, else its shape and range.
fn tensor_lines(value: &Tensor, lead: &str, kind: LineKind, lines: &mut Vec<(LineKind, String)>) {
    let lead = if lead.is_empty() {
        String::new()
    } else {
        format!("{lead} ")
    };
    if Notation::shows_values(value) && value.rank() == 2 {
        let columns = value.shape()[1].max(1);
        for (i, row) in value.data().chunks(columns).enumerate() {
            let numbers: Vec<String> = row.iter().map(|&x| Notation::Plain.number(x)).collect();
            let prefix = if i == 0 { lead.as_str() } else { "  " };
            lines.push((kind, format!("{prefix}[{}]", numbers.join(", "))));
        }
    } else if Notation::shows_values(value) {
        lines.push((kind, format!("{lead}{}", Notation::Plain.tensor(value))));
    } else {
        let (low, high) = value
            .data()
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
                (lo.min(x), hi.max(x))
            });
        lines.push((kind, format!("{lead}{}", Notation::Plain.tensor(value))));
        lines.push((
            kind,
            format!(
                "  min {} · max {}",
                Notation::Plain.number(low),
                Notation::Plain.number(high)
            ),
        ));
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LineKind {
    Value,
    Derivative,
}

fn node_size(graph: &Graph, id: NodeId, lines: &[(LineKind, String)], tape: bool) -> NodeSize {
    let node = graph.node(id);
    let header = NAME_CHAR * node.name.chars().count() as f64
        + VALUE_CHAR * (op_label(node.op).chars().count() + 3) as f64;
    let body = lines
        .iter()
        .map(|(_, text)| VALUE_CHAR * text.chars().count() as f64)
        .fold(0.0, f64::max);
    NodeSize {
        width: (header.max(body) + 2.0 * PADDING).clamp(110.0, 640.0),
        // The "tape" mark gets a line of its own, under the values.
        height: HEADER + LINE * (lines.len().max(1) + usize::from(tape)) as f64 + PADDING,
    }
}

/// Where the stepper is, in words: "backward 2 / 4: x̄1 += ∂v3/∂x1 · v̄3 = 1 · 3 = 3".
fn caption(stepper: &Stepper) -> String {
    let position = stepper.progress().to_string();
    match stepper.history().last() {
        Some(record) => {
            let text = step_text(stepper.graph(), record, Notation::Plain);
            format!("{position}: {}", text.substituted())
        }
        None => format!("{position}: before the first step"),
    }
}

/// The graph at `stepper`'s current step as an SVG document in `palette`'s colours: boxes
/// with each node's value and adjoint (or tangent), local derivatives on the edges, the
/// current step's node and edges highlighted, the tape marked, and a caption saying where
/// the stepper is. Each node is a `<g data-node data-value>` (the exact value, as in the
/// app's view).
pub fn graph_document(stepper: &Stepper, palette: &Palette) -> String {
    let graph = stepper.graph();
    let lines: Vec<Vec<(LineKind, String)>> =
        graph.ids().map(|id| node_lines(stepper, id)).collect();
    let tape = stepper.tape();
    let sizes: Vec<NodeSize> = graph
        .ids()
        .map(|id| {
            let on_tape = tape.get(id.0).copied().unwrap_or(false);
            node_size(graph, id, &lines[id.0], on_tape)
        })
        .collect();
    let mut places = layout(graph, &sizes);
    let labels: Vec<Option<String>> = places
        .edges
        .iter()
        .map(|edge| edge_label_text(stepper, edge))
        .collect();
    let widths: Vec<Option<f64>> = labels
        .iter()
        .map(|label| Some(label_width(label.as_ref()?.chars().count())))
        .collect();
    let areas = place_labels(&mut places, &sizes, &widths);
    let caption = caption(stepper);
    let width = places
        .width
        .max(VALUE_CHAR * caption.chars().count() as f64 + 2.0 * PADDING);
    let height = places.height + CAPTION;
    let current = stepper.history().last().map(|r| r.node);
    let backward = stepper.in_backward();
    let nonfinite = nonfinite_nodes(stepper);
    let p = palette;

    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" \
         viewBox=\"0 0 {width:.1} {height:.1}\" font-family=\"{SANS}\" role=\"img\" \
         aria-label=\"{}\">",
        escape(&format!("Computation graph, {caption}"))
    );
    let _ = writeln!(out, "<title>{}</title>", escape(&caption));
    let _ = writeln!(
        out,
        "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" \
         markerUnits=\"userSpaceOnUse\" markerWidth=\"11\" markerHeight=\"11\" \
         orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"{}\"/></marker></defs>",
        p.muted
    );
    let _ = writeln!(
        out,
        "<rect width=\"100%\" height=\"100%\" fill=\"{}\"/>",
        p.background
    );

    out.push_str("<g class=\"edges\">\n");
    for edge in &places.edges {
        let active = current == Some(edge.to);
        let colour = match (active, backward) {
            (true, true) => p.backward,
            (true, false) => p.forward,
            _ => p.muted,
        };
        let (start, end) = if backward {
            (" marker-start=\"url(#arrow)\"", "")
        } else {
            ("", " marker-end=\"url(#arrow)\"")
        };
        let dashes = if edge_is_cut(graph, edge.to, edge.input_index) {
            format!(" stroke-dasharray=\"{CUT_DASHES}\" data-cut=\"true\"")
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "<path data-edge=\"{}\" d=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"{}\"{dashes}{start}{end}/>",
            escape(&format!(
                "{}->{}",
                graph.node(edge.from).name,
                graph.node(edge.to).name
            )),
            edge_path(&edge.points),
            if active { "3" } else { "1.5" }
        );
    }
    out.push_str("</g>\n<g class=\"nodes\">\n");
    for id in graph.ids() {
        let flags = NodeFlags {
            current: current == Some(id),
            tape: tape.get(id.0).copied().unwrap_or(false),
            nonfinite: nonfinite.get(id.0).copied().unwrap_or(false),
            output: id == graph.output(),
        };
        node_markup(
            &mut out,
            stepper,
            id,
            places.nodes[id.0],
            sizes[id.0],
            &lines[id.0],
            flags,
            p,
        );
    }
    out.push_str("</g>\n<g class=\"edge-labels\">\n");
    for ((edge, label), area) in places.edges.iter().zip(&labels).zip(&areas) {
        let (Some(text), Some(area)) = (label, area) else {
            continue;
        };
        let active = current == Some(edge.to);
        edge_label(&mut out, text, area, active, backward, p);
    }
    out.push_str("</g>\n");
    let _ = writeln!(
        out,
        "<text x=\"{PADDING:.1}\" y=\"{:.1}\" font-family=\"{MONO}\" font-size=\"13\" fill=\"{}\">{}</text>",
        height - CAPTION / 2.0 + 4.0,
        p.text,
        escape(&caption)
    );
    out.push_str("</svg>\n");
    out
}

#[derive(Clone, Copy)]
struct NodeFlags {
    current: bool,
    tape: bool,
    nonfinite: bool,
    output: bool,
}

#[allow(clippy::too_many_arguments)]
fn node_markup(
    out: &mut String,
    stepper: &Stepper,
    id: NodeId,
    centre: Point,
    size: NodeSize,
    lines: &[(LineKind, String)],
    flags: NodeFlags,
    p: &Palette,
) {
    let node = stepper.graph().node(id);
    let (x, y) = (centre.x - size.width / 2.0, centre.y - size.height / 2.0);
    let fill = if flags.current {
        p.current
    } else if node.op.is_leaf() {
        p.leaf
    } else {
        p.surface
    };
    let (stroke, stroke_width) = if flags.nonfinite {
        (p.danger, 2.5)
    } else if flags.current {
        (p.forward, 3.0)
    } else if flags.tape {
        (p.tape, 1.5)
    } else if flags.output {
        (p.text, 1.5)
    } else {
        (p.border, 1.5)
    };
    let dash = if flags.tape && !flags.current {
        " stroke-dasharray=\"6 4\""
    } else {
        ""
    };
    let derivative = match stepper.mode() {
        Mode::Reverse => stepper.adjoint(id),
        Mode::Forward { .. } => stepper.tangent(id).cloned(),
    };
    let _ = writeln!(
        out,
        "<g data-node=\"{}\" data-value=\"{}\" data-derivative=\"{}\" transform=\"translate({x:.1},{y:.1})\">",
        escape(&node.name),
        escape(&exact(stepper.value(id).map(|v| &**v))),
        escape(&exact(derivative.as_deref())),
    );
    let _ = writeln!(
        out,
        "<rect width=\"{:.1}\" height=\"{:.1}\" rx=\"10\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"{stroke_width}\"{dash}/>",
        size.width, size.height
    );
    let _ = writeln!(
        out,
        "<text x=\"{PADDING:.1}\" y=\"21\" font-family=\"{MONO}\" font-size=\"15\" font-weight=\"600\" fill=\"{}\">{}</text>",
        p.text,
        escape(&node.name)
    );
    let _ = writeln!(
        out,
        "<text x=\"{:.1}\" y=\"21\" font-size=\"12\" text-anchor=\"end\" fill=\"{}\">{}</text>",
        size.width - PADDING,
        p.muted,
        escape(&op_label(node.op))
    );
    for (i, (kind, text)) in lines.iter().enumerate() {
        let colour = match (flags.nonfinite, kind) {
            (true, _) => p.danger,
            (false, LineKind::Value) => p.text,
            (false, LineKind::Derivative) => p.backward,
        };
        let _ = writeln!(
            out,
            "<text x=\"{PADDING:.1}\" y=\"{:.1}\" font-family=\"{MONO}\" font-size=\"13\" fill=\"{colour}\" xml:space=\"preserve\">{}</text>",
            HEADER + 13.0 + LINE * i as f64,
            escape(text)
        );
    }
    if flags.tape {
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" font-weight=\"600\" text-anchor=\"end\" fill=\"{}\">tape</text>",
            size.width - PADDING,
            size.height - 8.0,
            p.tape
        );
    }
    out.push_str("</g>\n");
}

/// "∂v4/∂x1 = 7": an edge's local derivative, once its consumer's value is known.
fn edge_label_text(stepper: &Stepper, edge: &EdgePath) -> Option<String> {
    let local = stepper.local_derivative(edge.to, edge.input_index)?;
    let graph = stepper.graph();
    let partial = Notation::Plain.partial(&graph.node(edge.to).name, &graph.node(edge.from).name);
    Some(format!("{partial} = {}", shown(&local)))
}

/// A label on its background, which hides the edge under it.
fn edge_label(
    out: &mut String,
    text: &str,
    area: &Area,
    active: bool,
    backward: bool,
    p: &Palette,
) {
    let (colour, weight) = match (active, backward) {
        (true, true) => (p.backward, " font-weight=\"600\""),
        (true, false) => (p.forward, " font-weight=\"600\""),
        _ => (p.text, ""),
    };
    let (x, y) = (area.centre.x, area.centre.y);
    let _ = writeln!(
        out,
        "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"3\" fill=\"{}\"/>\
         <text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-family=\"{MONO}\" font-size=\"12\" fill=\"{colour}\"{weight}>{}</text>",
        x - area.width / 2.0,
        y - area.height / 2.0,
        area.width,
        area.height,
        p.background,
        y + LABEL_BASELINE,
        escape(text)
    );
}

#[cfg(test)]
mod tests;
