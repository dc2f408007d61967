//! What the graph view draws of a graph: its boxes (nodes, and bindings folded into one
//! box), their sizes, the layout and where edge labels go. Plain data, computed when the
//! graph or its folding changes, never at a step.

use crate::graph::{Graph, NodeId};
use crate::layout::fold::{self, Folded, Group, Item};
use crate::layout::labels::{self, Area};
use crate::layout::{Layout, NodeSize, layout_dag};
use crate::render::Notation;
use crate::render::svg::op_label;
use crate::render::svg::picture;
use std::sync::Arc;

const NODE_HEIGHT: f64 = 72.0;
/// Room at the right of a foldable binding's header for its fold button.
pub const FOLD_BUTTON: f64 = 26.0;
/// Characters a number takes at most as a box writes it (`−0.619124`, `1.23457e-05`).
const NUMBER_CHARS: usize = 10;

/// A graph with its folding and layout. Equal when the graphs have the same structure
/// (names, ops, wiring) and the same boxes, so stepping, new input values or edits that
/// move text around do not lay the graph out or rebuild its elements again.
#[derive(Clone)]
pub struct Drawing {
    pub graph: Graph,
    pub groups: Arc<Vec<Group>>,
    pub folded: Arc<Folded>,
    pub layout: Arc<Layout>,
    /// By box (index into `folded.items`).
    pub sizes: Arc<Vec<NodeSize>>,
    /// Where each edge's label goes, by edge (see [`labels::place_labels`]).
    pub labels: Arc<Vec<Option<Area>>>,
}

impl PartialEq for Drawing {
    fn eq(&self, other: &Drawing) -> bool {
        let same_node = |(a, b): (&crate::graph::Node, &crate::graph::Node)| {
            a.name == b.name && a.op == b.op && a.inputs == b.inputs && a.shape == b.shape
        };
        self.graph.output() == other.graph.output()
            && self.graph.len() == other.graph.len()
            && self.folded.items == other.folded.items
            && self
                .graph
                .nodes()
                .iter()
                .zip(other.graph.nodes())
                .all(same_node)
    }
}

impl Drawing {
    /// Lay `graph` out, folding each foldable binding for which `folds` says so.
    pub fn new(graph: &Graph, folds: impl Fn(&Group) -> bool) -> Drawing {
        let groups = fold::groups(graph);
        let flags: Vec<bool> = groups.iter().map(&folds).collect();
        let folded = fold::fold(graph, &groups, &flags);
        // How many contributions each node's adjoint can receive: one per use.
        let mut uses = vec![0; graph.len()];
        for node in graph.nodes() {
            for input in &node.inputs {
                uses[input.0] += 1;
            }
        }
        let foldable = |id: NodeId| groups.iter().any(|g| g.output() == id);
        let sizes: Vec<NodeSize> = (folded.items.iter())
            .map(|item| match *item {
                Item::Node(id) => {
                    let mut size = node_size(graph, id, uses[id.0]);
                    if foldable(id) {
                        size.width += FOLD_BUTTON;
                    }
                    size
                }
                Item::Group(g) => group_size(graph, &groups[g]),
            })
            .collect();
        let mut layout = layout_dag(&folded.dag, &sizes);
        let widths: Vec<Option<f64>> = (folded.links.iter())
            .map(|link| {
                let drawn = |id: NodeId| !folded.is_group(folded.item_of[id.0]);
                (drawn(link.from) && drawn(link.to))
                    .then(|| label_room(graph, link.from, link.to))
                    .flatten()
            })
            .collect();
        let labels = labels::place_labels(&mut layout, &sizes, &widths);
        Drawing {
            graph: graph.clone(),
            groups: Arc::new(groups),
            folded: Arc::new(folded),
            layout: Arc::new(layout),
            sizes: Arc::new(sizes),
            labels: Arc::new(labels),
        }
    }

    /// The box node `id` is drawn in.
    pub fn item_of(&self, id: NodeId) -> Option<usize> {
        self.folded.item_of.get(id.0).copied()
    }

    /// The foldable group whose bound node is `id`.
    pub fn group_ending_at(&self, id: NodeId) -> Option<&Group> {
        self.groups.iter().find(|g| g.output() == id)
    }

    /// A box's name: its node's, or its binding's.
    pub fn item_name(&self, item: usize) -> &str {
        match self.folded.items[item] {
            Item::Node(id) => &self.graph.node(id).name,
            Item::Group(g) => &self.groups[g].name,
        }
    }
}

/// A box wide enough for its longest line: the header, the value, and the adjoint with up
/// to three contributions written out (`x̄1 = 7 + 3 = 10`) beside the "tape" mark, so no
/// text runs out of its box.
fn node_size(graph: &Graph, id: NodeId, uses: usize) -> NodeSize {
    let node = graph.node(id);
    let name = node.name.chars().count();
    let label = name + op_label(node.op).chars().count();
    if !node.shape.is_empty() {
        let (width, height) = picture::node_size(&node.shape, label + 4);
        return NodeSize { width, height };
    }
    let header = label + 6;
    let value = 2 + NUMBER_CHARS;
    let terms = uses.clamp(1, 3);
    let sum = if uses > 1 {
        terms * (NUMBER_CHARS + 3) + if uses > 3 { 4 } else { 0 } + 3
    } else {
        0
    };
    let derivative = name + 4 + sum + NUMBER_CHARS + 6;
    let text = header.max(value).max(derivative);
    NodeSize {
        width: (7.2 * text as f64 + 24.0).max(128.0),
        height: NODE_HEIGHT,
    }
}

/// What a folded group's box says in its header's right corner: `5 nodes`.
pub fn group_label(group: &Group) -> String {
    format!("{} nodes", group.len())
}

/// A folded group's box: as wide as its bound node's with one use (it shows the value and
/// the adjoint's total, a tensor's shape) with its node count and unfold button.
fn group_size(graph: &Graph, group: &Group) -> NodeSize {
    let output = graph.node(group.output());
    let name = group.name.chars().count();
    let header = name + group_label(group).chars().count() + 6;
    let lines = if output.shape.is_empty() {
        node_size(graph, group.output(), 1).width
    } else {
        7.2 * (name + 14 + picture::shape_badge(&output.shape).chars().count()) as f64 + 24.0
    };
    NodeSize {
        width: lines.max(7.2 * header as f64 + 24.0).max(128.0) + FOLD_BUTTON,
        height: NODE_HEIGHT,
    }
}

/// The widest an edge's label can be: elementwise consumers have one, `∂v3/∂x1 = −0.619124`
/// for a number, `∂q/∂p [2×3]` for a tensor (its values on hover).
fn label_room(graph: &Graph, from: NodeId, to: NodeId) -> Option<f64> {
    let to = graph.node(to);
    if !to.op.is_elementwise() {
        return None;
    }
    let partial = Notation::Plain
        .partial(&to.name, &graph.node(from).name)
        .chars()
        .count();
    let value = match to.shape.len() {
        0 => 3 + NUMBER_CHARS,
        _ => 1 + picture::shape_badge(&to.shape).chars().count(),
    };
    Some(labels::label_width(partial + value))
}
