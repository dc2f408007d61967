//! What the graph view and the exported picture both write: op names, values as a box
//! shows them (and their exact text for the view's test hooks), adjoint and tangent lines,
//! which nodes hold NaN or ±∞, and the curves, label points and cuts of edges.

use crate::engine::{Mode, Stepper};
use crate::graph::{Graph, NodeId};
use crate::layout::Point;
use crate::number::format_number;
use crate::op::{Infix, Op, Syntax};
use crate::render::Notation;
use crate::render::json::Values;
use crate::tensor::Tensor;
use std::fmt::Write;

/// How an op is labelled in its box.
pub fn op_label(op: Op) -> String {
    match op.syntax() {
        Syntax::Leaf if matches!(op, Op::Const(_)) => "constant".into(),
        Syntax::Leaf => op.name().into(),
        Syntax::Copy => "copy".into(),
        Syntax::Negation => "negate".into(),
        Syntax::PowerOf(n) => format!("^{}", format_number(n)),
        Syntax::Infix(Infix::Plus) => "+".into(),
        Syntax::Infix(Infix::Minus) => "−".into(),
        Syntax::Infix(Infix::Times) => "×".into(),
        Syntax::Infix(Infix::Over) => "÷".into(),
        Syntax::Infix(Infix::Power) => "^".into(),
        Syntax::Infix(Infix::Greater) => ">".into(),
        Syntax::Infix(Infix::Less) => "<".into(),
        Syntax::Infix(Infix::GreaterEqual) => "≥".into(),
        Syntax::Infix(Infix::LessEqual) => "≤".into(),
        Syntax::Infix(Infix::MatMul) | Syntax::Call(_) => op.name().into(),
    }
}

/// A value as a box shows it: a number, a few values, or a tensor's shape.
pub fn shown(value: &Tensor) -> String {
    if value.rank() == 0 || value.len() <= 4 {
        return Notation::Plain.tensor(value);
    }
    let dims: Vec<String> = value.shape().iter().map(usize::to_string).collect();
    format!("tensor {}", dims.join("×"))
}

/// The most elements a tensor's exact text spells out: beyond, writing them (a
/// 250 × 250 matrix is over a megabyte of text) would cost a step more than its work.
pub const EXACT_ELEMENTS: usize = 4096;

/// The full-precision text behind a displayed value: Rust's `{}` of an `f64` for a
/// number, nested JSON arrays for a tensor of at most [`EXACT_ELEMENTS`] (a larger one is
/// its shape, `tensor 250×250`), empty while unknown.
pub fn exact(value: Option<&Tensor>) -> String {
    match value {
        None => String::new(),
        Some(v) if v.rank() == 0 => v.data()[0].to_string(),
        Some(v) if v.len() > EXACT_ELEMENTS => shown(v),
        Some(v) => serde_json::to_string(&Values::of(v)).unwrap_or_default(),
    }
}

/// "x̄1 = 10" or the tangent "ẋ1 = 1", without the adjoint's terms; None while unknown.
pub fn derivative_total(stepper: &Stepper, id: NodeId) -> Option<String> {
    let name = &stepper.graph().node(id).name;
    match stepper.mode() {
        Mode::Forward { .. } => stepper
            .tangent(id)
            .map(|t| format!("{} = {}", Notation::Plain.tangent(name), shown(t))),
        Mode::Reverse => stepper
            .adjoint(id)
            .map(|a| format!("{} = {}", Notation::Plain.adjoint(name), shown(&a))),
    }
}

/// "x̄1 = 7 + 3 = 10", "x̄1 = 10", or the tangent "ẋ1 = 1"; None while unknown.
pub fn derivative_line(stepper: &Stepper, id: NodeId) -> Option<String> {
    let name = &stepper.graph().node(id).name;
    match stepper.mode() {
        Mode::Forward { .. } => derivative_total(stepper, id),
        Mode::Reverse => {
            let adjoint = stepper.adjoint(id)?;
            let parts = stepper.contributions(id);
            let bar = Notation::Plain.adjoint(name);
            if parts.len() < 2 {
                return derivative_total(stepper, id);
            }
            let terms: Vec<String> = parts.iter().take(3).map(|c| shown(c)).collect();
            let more = if parts.len() > 3 { " + …" } else { "" };
            Some(format!(
                "{bar} = {}{more} = {}",
                terms.join(" + "),
                shown(&adjoint)
            ))
        }
    }
}

/// Which nodes hold a NaN or ±∞ in their value, adjoint or tangent so far.
pub fn nonfinite_nodes(stepper: &Stepper) -> Vec<bool> {
    let bad = |v: &Tensor| v.data().iter().any(|x| !x.is_finite());
    stepper
        .graph()
        .ids()
        .map(|id| {
            stepper.value(id).is_some_and(|v| bad(v))
                || stepper.adjoint(id).is_some_and(|v| bad(&v))
                || stepper.tangent(id).is_some_and(|v| bad(v))
        })
        .collect()
}

/// The dash pattern of a cut edge: one whose consumer sends its input no gradient
/// (`detach`, a step, a comparison, `argmax`, the condition of `where`, class labels), so
/// the backward pass stops there.
pub const CUT_DASHES: &str = "5 4";

/// Whether the edge from input `input_index` of `to` is cut (see [`CUT_DASHES`]).
pub fn edge_is_cut(graph: &Graph, to: NodeId, input_index: usize) -> bool {
    !graph.node(to).op.passes_gradient_to(input_index)
}

/// A smooth path through an edge's points, leaving and entering horizontally.
pub fn edge_path(points: &[Point]) -> String {
    let Some(first) = points.first() else {
        return String::new();
    };
    let mut d = format!("M{:.1},{:.1}", first.x, first.y);
    for pair in points.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        let bend = (b.x - a.x) / 2.0;
        let _ = write!(
            d,
            " C{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}",
            a.x + bend,
            a.y,
            b.x - bend,
            b.y,
            b.x,
            b.y
        );
    }
    d
}

/// Where an edge's label goes: the middle point, or between the two middle ones.
pub fn midpoint(points: &[Point]) -> Point {
    match points.len() {
        0 => Point { x: 0.0, y: 0.0 },
        n if n % 2 == 1 => points[n / 2],
        n => {
            let (a, b) = (points[n / 2 - 1], points[n / 2]);
            Point {
                x: (a.x + b.x) / 2.0,
                y: (a.y + b.y) / 2.0,
            }
        }
    }
}
