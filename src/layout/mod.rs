//! The graph view's layout: a pure function from a graph and box sizes to positions.
//!
//! Layered left to right (Sugiyama style), in three steps:
//! 1. [`rank`]: each node's layer is its topological depth (inputs in layer 0, the
//!    output last, constants just before their consumer); edges longer than one layer
//!    are cut by dummy nodes.
//! 2. [`order`]: the order within each layer, reducing edge crossings.
//! 3. [`place`]: columns, vertical positions (nodes centred on their neighbours, long
//!    edges straight) and edge paths whose bend points go around the nodes.
//!
//! The result depends only on the graph and the sizes: the same input always gives the
//! same layout.

pub mod fold;
pub mod labels;
mod order;
mod place;
mod rank;
#[cfg(test)]
mod tests;

use crate::graph::{Graph, NodeId};
use crate::op::Op;

/// Size of a node box in SVG user units.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NodeSize {
    pub width: f64,
    pub height: f64,
}

/// A point in SVG user units (y grows downwards).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

/// The drawn path of one input of one node: from the right side of the input's box to
/// the left side of the consumer's box, through bend points.
#[derive(Clone, Debug, PartialEq)]
pub struct EdgePath {
    pub from: NodeId,
    pub to: NodeId,
    /// Which input of `to` this edge is (`x*x` has two edges from `x`, 0 and 1).
    pub input_index: usize,
    /// At least two points: the first on `from`'s box, the last on `to`'s box.
    pub points: Vec<Point>,
}

/// Where everything goes.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    /// Box centres, indexed by `NodeId.0`.
    pub nodes: Vec<Point>,
    /// One path per (input → consumer) pair: for each node in id order, for each input.
    pub edges: Vec<EdgePath>,
    /// The drawing's extent, margins included; everything lies in `0..width × 0..height`.
    pub width: f64,
    pub height: f64,
}

/// Empty space around the drawing.
const MARGIN: f64 = 16.0;
/// Horizontal space between columns, where edges bend.
const LAYER_GAP: f64 = 120.0;
/// Vertical space between two boxes of a column.
const NODE_GAP: f64 = 28.0;
/// Vertical space between an edge passing through a column and its neighbours.
const EDGE_GAP: f64 = 10.0;
/// Vertical distance between the ends of edges meeting at one side of a box.
const PORT_GAP: f64 = 8.0;
/// At most this many dummy nodes; longer edges beyond it take a detour below.
const DUMMY_BUDGET: usize = 20_000;
/// Detours: space below the drawing, and between their lanes.
const CHANNEL_GAP: f64 = 24.0;
const LANE_GAP: f64 = 6.0;
const MAX_LANES: usize = 32;
/// For missing sizes; sizes are clamped to `0..=MAX_SIZE`.
const DEFAULT_SIZE: NodeSize = NodeSize {
    width: 48.0,
    height: 28.0,
};
const MAX_SIZE: f64 = 100_000.0;

/// What the layout needs of a graph: each node's inputs in operand order (all of them
/// smaller than the node), which nodes are inputs and constants, and the output. A
/// graph gives one per node ([`Dag::of`]); a folded graph one per box ([`fold`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Dag {
    pub inputs: Vec<Vec<usize>>,
    pub kinds: Vec<DagKind>,
    pub output: usize,
}

/// How the layout treats a node: inputs stay in the first column in their order,
/// constants go just before their first consumer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DagKind {
    Input,
    Constant,
    Computed,
}

impl Dag {
    pub fn of(graph: &Graph) -> Dag {
        let nodes = graph.nodes();
        Dag {
            inputs: nodes
                .iter()
                .map(|n| n.inputs.iter().map(|i| i.0).collect())
                .collect(),
            kinds: nodes.iter().map(|n| DagKind::of(n.op)).collect(),
            output: graph.output().0,
        }
    }

    pub fn len(&self) -> usize {
        self.inputs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.inputs.is_empty()
    }
}

impl DagKind {
    pub fn of(op: Op) -> DagKind {
        if op == Op::Input {
            DagKind::Input
        } else if matches!(op, Op::Const(_)) {
            DagKind::Constant
        } else {
            DagKind::Computed
        }
    }
}

/// Lay `graph` out left to right; `sizes[i]` is the size of node `i`'s box. Missing or
/// invalid sizes are replaced by a default.
pub fn layout(graph: &Graph, sizes: &[NodeSize]) -> Layout {
    layout_dag(&Dag::of(graph), sizes)
}

/// Lay any [`Dag`] out (node ids in the result are the DAG's indices).
pub fn layout_dag(dag: &Dag, sizes: &[NodeSize]) -> Layout {
    let sizes: Vec<NodeSize> = (0..dag.len())
        .map(|i| match sizes.get(i) {
            Some(s) => NodeSize {
                width: clean(s.width, DEFAULT_SIZE.width),
                height: clean(s.height, DEFAULT_SIZE.height),
            },
            None => DEFAULT_SIZE,
        })
        .collect();
    let virt = rank::Virtual::build(dag, rank::layers(dag), DUMMY_BUDGET);
    let inputs: Vec<bool> = dag.kinds.iter().map(|&k| k == DagKind::Input).collect();
    let ordering = order::order(&virt, &inputs);
    place::place(&virt, &ordering, &sizes)
}

/// Sort `(key, index)` pairs: one small heapsort shared by every step (the keys are
/// unique, so the result is the same as a stable sort's), instead of one instance of
/// the standard sorts per call site, which costs kilobytes of wasm each.
fn sort_keyed(items: &mut [(u64, usize)]) {
    fn sift_down(items: &mut [(u64, usize)], mut root: usize, end: usize) {
        loop {
            let mut child = 2 * root + 1;
            if child >= end {
                return;
            }
            if child + 1 < end && items[child] < items[child + 1] {
                child += 1;
            }
            if items[root] >= items[child] {
                return;
            }
            items.swap(root, child);
            root = child;
        }
    }
    let n = items.len();
    for root in (0..n / 2).rev() {
        sift_down(items, root, n);
    }
    for end in (1..n).rev() {
        items.swap(0, end);
        sift_down(items, 0, end);
    }
}

/// A sort key for `x` that orders like `f64::total_cmp`.
fn float_key(x: f64) -> u64 {
    let bits = x.to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | 1 << 63
    }
}

fn clean(length: f64, default: f64) -> f64 {
    if length.is_finite() {
        length.clamp(0.0, MAX_SIZE)
    } else {
        default
    }
}
