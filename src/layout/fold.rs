//! Folding: the nodes lowered for one binding drawn as one box. The graph view folds the
//! bindings of large programs (and any the reader folds), and the layout then places
//! boxes rather than nodes.

use super::{Dag, DagKind};
use crate::graph::{Graph, NodeId};
use crate::op::Op;
use std::ops::Range;

/// The nodes lowered for one binding (`h = relu(W @ x + b)`): a run of ids ending at the
/// bound node, which names the group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    pub name: String,
    pub nodes: Range<usize>,
}

impl Group {
    /// The bound node: what the rest of the program reads of the group.
    pub fn output(&self) -> NodeId {
        NodeId(self.nodes.end - 1)
    }

    pub fn contains(&self, id: NodeId) -> bool {
        self.nodes.contains(&id.0)
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }
}

/// The bindings that can fold, in program order: those lowered to more than one node.
/// A binding's nodes are those after the previous binding (or the inputs) up to its own.
pub fn groups(graph: &Graph) -> Vec<Group> {
    let mut groups = Vec::new();
    let mut start = 0;
    for id in graph.ids() {
        let node = graph.node(id);
        if node.op == Op::Input {
            start = id.0 + 1;
        } else if node.binding {
            if id.0 > start {
                groups.push(Group {
                    name: node.name.clone(),
                    nodes: start..id.0 + 1,
                });
            }
            start = id.0 + 1;
        }
    }
    groups
}

/// Graphs of more nodes than this start with every binding folded: a 3,000-node program
/// of 5-node bindings is drawn as 600 boxes, each of which the reader can unfold.
pub const FOLD_ABOVE: usize = 150;

/// Whether a graph starts with its bindings folded.
pub fn folds_by_default(graph: &Graph) -> bool {
    graph.len() > FOLD_ABOVE
}

/// What one box of a folded drawing shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Item {
    Node(NodeId),
    /// A folded group, by its index in [`groups`].
    Group(usize),
}

/// The graph edge an edge of the folded drawing stands for: the first one, where several
/// graph edges run between the same two boxes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Link {
    pub from: NodeId,
    pub to: NodeId,
    pub input_index: usize,
}

/// A graph with some groups folded: its boxes, the box each node is drawn in, and the
/// [`Dag`] of the boxes for the layout.
#[derive(Clone, Debug, PartialEq)]
pub struct Folded {
    /// In topological order: a folded group takes the place of its bound node.
    pub items: Vec<Item>,
    /// The box (index into `items`) each node is drawn in.
    pub item_of: Vec<usize>,
    pub dag: Dag,
    /// For each edge of `dag` (by box, then input), the graph edge it draws.
    pub links: Vec<Link>,
}

impl Folded {
    /// Whether box `item` is a folded group.
    pub fn is_group(&self, item: usize) -> bool {
        matches!(self.items.get(item), Some(Item::Group(_)))
    }
}

/// Fold the groups `folded` marks (indices into `groups`; missing entries are unfolded).
pub fn fold(graph: &Graph, groups: &[Group], folded: &[bool]) -> Folded {
    let mut group_of: Vec<Option<usize>> = vec![None; graph.len()];
    for (index, group) in groups.iter().enumerate() {
        if folded.get(index).copied().unwrap_or(false) && group.nodes.end <= graph.len() {
            group_of[group.nodes.clone()].fill(Some(index));
        }
    }
    let mut items = Vec::new();
    let mut item_of = vec![usize::MAX; graph.len()];
    for id in graph.ids() {
        match group_of[id.0] {
            Some(g) if groups[g].output() == id => {
                item_of[groups[g].nodes.clone()].fill(items.len());
                items.push(Item::Group(g));
            }
            Some(_) => {}
            None => {
                item_of[id.0] = items.len();
                items.push(Item::Node(id));
            }
        }
    }
    let mut dag = Dag {
        inputs: Vec::with_capacity(items.len()),
        kinds: Vec::with_capacity(items.len()),
        output: item_of.get(graph.output().0).copied().unwrap_or(0),
    };
    let mut links = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let (members, kind) = match *item {
            Item::Node(id) => (id.0..id.0 + 1, DagKind::of(graph.node(id).op)),
            Item::Group(g) => (groups[g].nodes.clone(), DagKind::Computed),
        };
        let mut inputs = Vec::new();
        for to in members.map(NodeId) {
            for (input_index, &from) in graph.node(to).inputs.iter().enumerate() {
                let source = item_of[from.0];
                // A box's edges into a group are drawn once; a node's (x·x) each.
                let repeat = matches!(item, Item::Group(_)) && inputs.contains(&source);
                if source == index || repeat {
                    continue;
                }
                inputs.push(source);
                links.push(Link {
                    from,
                    to,
                    input_index,
                });
            }
        }
        dag.inputs.push(inputs);
        dag.kinds.push(kind);
    }
    Folded {
        items,
        item_of,
        dag,
        links,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::compile;

    const CHAIN: &str = "a = x * y\nb = sin(a) + x * 2\nc = b\nd = tanh(b * a)\nd + c";

    #[test]
    fn groups_are_the_bindings_of_more_than_one_node() {
        let graph = compile(CHAIN).unwrap();
        let found: Vec<(String, usize, &str)> = groups(&graph)
            .into_iter()
            .map(|g| {
                (
                    g.name.clone(),
                    g.len(),
                    graph.node(g.output()).name.as_str(),
                )
            })
            .collect();
        // `a` is one node and `c` an identity: neither folds. `b` is sin, 2, ×, +.
        let want = [("b".to_string(), 4, "b"), ("d".to_string(), 2, "d")];
        assert_eq!(found, want);
    }

    #[test]
    fn nothing_folded_is_the_graph_itself() {
        let graph = compile(CHAIN).unwrap();
        let folded = fold(&graph, &groups(&graph), &[]);
        assert_eq!(folded.dag, Dag::of(&graph));
        assert_eq!(folded.item_of, (0..graph.len()).collect::<Vec<_>>());
        let edges: Vec<Link> = graph
            .ids()
            .flat_map(|to| {
                graph
                    .node(to)
                    .inputs
                    .iter()
                    .enumerate()
                    .map(move |(k, &from)| Link {
                        from,
                        to,
                        input_index: k,
                    })
            })
            .collect();
        assert_eq!(folded.links, edges);
    }

    /// Every graph edge between two boxes is drawn, once per pair of boxes into a group;
    /// none inside a box; the boxes stay in topological order.
    #[test]
    fn folded_boxes_keep_every_edge_between_them() {
        let source = (2..40).fold(String::from("a0 = x * y\na1 = sin(a0) + x\n"), |s, i| {
            s + &format!("a{i} = tanh(a{} * 0.5 + a{} * y)\n", i - 1, i - 2)
        }) + "a39 + a20";
        let graph = compile(&source).unwrap();
        let all = groups(&graph);
        for pattern in [
            vec![true; all.len()],
            (0..all.len()).map(|i| i % 3 == 0).collect(),
        ] {
            let folded = fold(&graph, &all, &pattern);
            let expected_items = graph.len()
                - (all.iter().zip(&pattern))
                    .filter(|(_, f)| **f)
                    .map(|(g, _)| g.len() - 1)
                    .sum::<usize>();
            assert_eq!(folded.items.len(), expected_items);
            let mut pairs = Vec::new();
            for (to_item, inputs) in folded.dag.inputs.iter().enumerate() {
                for &from_item in inputs {
                    assert!(from_item < to_item, "topological");
                    pairs.push((from_item, to_item));
                }
            }
            assert_eq!(pairs.len(), folded.links.len());
            for (link, &(from_item, to_item)) in folded.links.iter().zip(&pairs) {
                assert_eq!(folded.item_of[link.from.0], from_item);
                assert_eq!(folded.item_of[link.to.0], to_item);
            }
            for to in graph.ids() {
                for &from in &graph.node(to).inputs {
                    let (a, b) = (folded.item_of[from.0], folded.item_of[to.0]);
                    assert!(
                        a == b || pairs.contains(&(a, b)),
                        "edge {from:?}→{to:?} lost"
                    );
                }
            }
            let out = folded.item_of[graph.output().0];
            assert_eq!(folded.dag.output, out);
            let layout = super::super::layout_dag(&folded.dag, &[]);
            assert_eq!(layout.nodes.len(), folded.items.len());
        }
    }
}
