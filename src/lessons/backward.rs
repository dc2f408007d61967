//! What the "Backward graph" view draws from [`crate::engine::second_order`]: the backward
//! pass as a graph laid out by [`crate::layout`] (forward nodes, then the local
//! derivatives, their products with the adjoints and the adjoints' sums), stepped through
//! in the order it was built, and the direction a Hessian–vector product is taken along,
//! read from text.

use crate::engine::inputs::parse_assignments;
use crate::engine::second_order::BackwardGraph;
use crate::graph::{Graph, NodeId};
use crate::layout::labels::label_width;
use crate::layout::{NodeSize, layout};
use crate::render::formula::{Expr, op_expression};
use crate::render::notation::Notation;
use crate::render::svg::draw as svg;
use crate::render::svg::picture::short_number;
use std::fmt::Write;

/// The most nodes drawn; larger backward graphs are counted, not drawn.
pub const MAX_DRAWN: usize = 400;

/// The backward pass's computed nodes, in the order the pass computes them.
pub fn steps(backward: &BackwardGraph) -> Vec<NodeId> {
    backward
        .graph
        .ids()
        .skip(backward.forward_len)
        .filter(|&id| !backward.graph.node(id).op.is_leaf())
        .collect()
}

/// What a step computes, as text: `x̄ = ∂y/∂x·ȳ`, `t5 = x²`.
pub fn step_text(graph: &Graph, id: NodeId) -> String {
    let node = graph.node(id);
    let args: Vec<Expr> = node
        .inputs
        .iter()
        .map(|i| Expr::name(&graph.node(*i).name, Notation::Plain))
        .collect();
    format!(
        "{} = {}",
        node.name,
        op_expression(node.op, &args, Notation::Plain).into_text()
    )
}

/// How a node of the drawing looks at the current step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Look {
    /// A node of the forward pass (computed before the backward pass starts).
    Forward,
    /// A constant the backward pass uses (the seed 1, numbers in local derivatives).
    Constant,
    /// A backward node already computed.
    Done,
    /// The backward node the current step computes.
    Current,
    /// A backward node still to come.
    Pending,
}

/// Each node's look when `cursor` backward steps have been taken (the current one is the
/// `cursor`-th, counting from 1; 0: none yet).
pub fn looks(backward: &BackwardGraph, cursor: usize) -> Vec<Look> {
    let order = steps(backward);
    let mut looks: Vec<Look> = backward
        .graph
        .ids()
        .map(|id| {
            let node = backward.graph.node(id);
            if id.0 < backward.forward_len {
                Look::Forward
            } else if node.op.is_leaf() {
                Look::Constant
            } else {
                Look::Pending
            }
        })
        .collect();
    for (k, id) in order.iter().enumerate() {
        if k + 1 < cursor {
            looks[id.0] = Look::Done;
        } else if k + 1 == cursor {
            looks[id.0] = Look::Current;
        }
    }
    looks
}

fn class(look: Look) -> &'static str {
    match look {
        Look::Forward => "bg-node forward",
        Look::Constant => "bg-node constant",
        Look::Done => "bg-node done",
        Look::Current => "bg-node current",
        Look::Pending => "bg-node pending",
    }
}

/// The backward graph as SVG markup, values shown where computed; `None` when it has more
/// than [`MAX_DRAWN`] nodes.
pub fn drawing(backward: &BackwardGraph, values: &[f64], cursor: usize) -> Option<String> {
    let graph = &backward.graph;
    if graph.len() > MAX_DRAWN {
        return None;
    }
    let looks = looks(backward, cursor);
    let labels: Vec<(String, String)> = graph
        .ids()
        .map(|id| {
            let value = match looks[id.0] {
                Look::Pending => "?".to_string(),
                _ => short_number(values.get(id.0).copied().unwrap_or(f64::NAN)),
            };
            (graph.node(id).name.clone(), value)
        })
        .collect();
    let sizes: Vec<NodeSize> = labels
        .iter()
        .map(|(name, value)| NodeSize {
            width: label_width(name.chars().count().max(value.chars().count())).max(36.0),
            height: 36.0,
        })
        .collect();
    // The last adjoint computed goes last, so the drawing reads from the forward pass on
    // the left to the gradients on the right.
    let last = steps(backward).last().copied().unwrap_or(graph.output());
    let laid = layout(&backward.with_output(last), &sizes);
    let mut out = String::new();
    for edge in &laid.edges {
        let mut d = String::new();
        for (k, p) in edge.points.iter().enumerate() {
            let _ = write!(d, "{}{:.1},{:.1}", if k == 0 { "M" } else { "L" }, p.x, p.y);
        }
        let kind = if edge.to.0 >= backward.forward_len {
            "bg-edge backward"
        } else {
            "bg-edge"
        };
        let _ = write!(out, "<path class=\"{kind}\" d=\"{d}\"/>");
    }
    for id in graph.ids() {
        let (c, s) = (laid.nodes[id.0], sizes[id.0]);
        let _ = write!(
            out,
            "<g class=\"{}\" data-bg-node=\"{}\">",
            class(looks[id.0]),
            id.0
        );
        svg::rect(
            &mut out,
            "bg-box",
            c.x - s.width / 2.0,
            c.y - s.height / 2.0,
            s.width,
            s.height,
            "",
        );
        let (name, value) = &labels[id.0];
        svg::text(&mut out, "bg-name", c.x, c.y - 3.0, Some("middle"), name);
        svg::text(&mut out, "bg-value", c.x, c.y + 12.0, Some("middle"), value);
        out.push_str("</g>");
    }
    Some(format!(
        "<svg class=\"bg-graph\" width=\"{w:.0}\" height=\"{h:.0}\" viewBox=\"0 0 {w:.0} {h:.0}\" role=\"img\" aria-label=\"The backward pass as a graph\">{out}</svg>",
        w = laid.width,
        h = laid.height
    ))
}

/// The direction of a Hessian–vector product from `x=1, y=-2` (inputs not named take 0).
pub fn direction(graph: &Graph, text: &str) -> Result<Vec<f64>, String> {
    let given = parse_assignments(text).map_err(|e| e.to_string())?;
    let names: Vec<String> = graph
        .inputs()
        .map(|id| graph.node(id).name.clone())
        .collect();
    if let Some((name, _)) = given.iter().find(|(n, _)| !names.contains(n)) {
        return Err(format!(
            "the program has no input named `{name}` (its inputs: {})",
            names.join(", ")
        ));
    }
    if let Some((name, _)) = given.iter().find(|(_, v)| !v.is_finite()) {
        return Err(format!("the direction's `{name}` must be a finite number"));
    }
    Ok(names
        .iter()
        .map(|n| given.iter().find(|(g, _)| g == n).map_or(0.0, |(_, v)| *v))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::second_order::{backward_graph, second_order};
    use crate::program::compile;
    use crate::tensor::Tensor;

    fn backward_of(source: &str, x: &[f64]) -> BackwardGraph {
        let inputs: Vec<Tensor> = x.iter().map(|&v| Tensor::scalar(v)).collect();
        backward_graph(&compile(source).unwrap(), &inputs).unwrap()
    }

    #[test]
    fn the_cube_steps_to_its_gradient_and_differentiates_to_twelve() {
        let graph = compile("x^3").unwrap();
        let b = backward_of("x^3", &[2.0]);
        let order = steps(&b);
        assert!(!order.is_empty());
        // The last step computes x̄, the gradient 3·x² = 12; its derivative 6x = 12 too.
        assert_eq!(*order.last().unwrap(), b.gradients[0]);
        let values: Vec<f64> = b
            .graph
            .evaluate(&[Tensor::scalar(2.0)])
            .iter()
            .map(|v| v.item().unwrap())
            .collect();
        assert_eq!(values[b.gradients[0].0], 12.0);
        let second = second_order(&graph, &[Tensor::scalar(2.0)]).unwrap();
        assert_eq!(second.hessian, vec![vec![12.0]]);
        assert!(step_text(&b.graph, b.gradients[0]).starts_with("x̄ = "));
    }

    #[test]
    fn looks_follow_the_cursor() {
        let b = backward_of("sin(x^2)", &[1.0]);
        let order = steps(&b);
        let at = |cursor: usize| looks(&b, cursor);
        assert!(order.iter().all(|id| at(0)[id.0] == Look::Pending));
        let two = at(2);
        assert_eq!(two[order[0].0], Look::Done);
        assert_eq!(two[order[1].0], Look::Current);
        assert!(order[2..].iter().all(|id| two[id.0] == Look::Pending));
        let end = at(order.len() + 1);
        assert!(order.iter().all(|id| end[id.0] == Look::Done));
        assert!((0..b.forward_len).all(|i| end[i] == Look::Forward));
    }

    #[test]
    fn the_drawing_hides_values_still_to_come() {
        let b = backward_of("x^3", &[2.0]);
        let values: Vec<f64> = b
            .graph
            .evaluate(&[Tensor::scalar(2.0)])
            .iter()
            .map(|v| v.item().unwrap())
            .collect();
        let n = steps(&b).len();
        let start = drawing(&b, &values, 0).unwrap();
        let end = drawing(&b, &values, n).unwrap();
        assert_eq!(start.matches("<g ").count(), b.graph.len());
        assert_eq!(start.matches(">?<").count(), n);
        assert_eq!(end.matches(">?<").count(), 0);
        assert!(end.contains(">12<"), "{end}");
        assert_eq!(end.matches("bg-node current").count(), 1);
        // Too large to draw: counted instead.
        let long = (0..150).fold("x".to_string(), |e, _| format!("sin({e})"));
        let big = backward_of(&long, &[0.5]);
        assert!(drawing(&big, &[], 0).is_none());
    }

    #[test]
    fn a_direction_reads_names_and_defaults_to_zero() {
        let graph = compile("x*y^2").unwrap();
        assert_eq!(direction(&graph, "y=1"), Ok(vec![0.0, 1.0]));
        assert_eq!(direction(&graph, "x = 2, y=-1"), Ok(vec![2.0, -1.0]));
        assert_eq!(
            direction(&graph, "z=1").unwrap_err(),
            "the program has no input named `z` (its inputs: x, y)"
        );
        assert!(direction(&graph, "x").is_err());
        assert!(direction(&graph, "x=nan").is_err());
    }
}
