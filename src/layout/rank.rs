//! Layers and the layered ("virtual") graph: every edge is cut into one-layer hops by
//! dummy nodes, so crossing reduction and placement only ever see adjacent layers.

use super::{Dag, DagKind, sort_keyed};
use crate::graph::NodeId;

/// The layer of each node: inputs and other leaves in layer 0, every computed node one
/// layer right of its deepest non-constant input (its topological depth), the output in
/// the last layer, and each constant just before its first consumer.
pub(super) fn layers(dag: &Dag) -> Vec<usize> {
    let is_const = |id: usize| dag.kinds[id] == DagKind::Constant;
    let n = dag.len();
    let mut layer = vec![0usize; n];
    for id in 0..n {
        if is_const(id) {
            continue;
        }
        layer[id] = dag.inputs[id]
            .iter()
            .map(|&input| if is_const(input) { 1 } else { layer[input] + 1 })
            .max()
            .unwrap_or(0);
    }
    if dag.output < n && !is_const(dag.output) {
        layer[dag.output] = layer.iter().copied().max().unwrap_or(0);
    }
    let mut first_consumer = vec![usize::MAX; n];
    for (inputs, &at) in dag.inputs.iter().zip(&layer) {
        for &input in inputs {
            first_consumer[input] = first_consumer[input].min(at);
        }
    }
    for id in (0..n).filter(|&id| is_const(id)) {
        layer[id] = match first_consumer[id] {
            usize::MAX => 0,
            first => first.saturating_sub(1),
        };
    }
    layer
}

/// A hop between adjacent layers of the virtual graph.
#[derive(Clone, Debug)]
pub(super) struct Hop {
    pub from: usize,
    pub to: usize,
    /// Which input of the original consumer this hop belongs to (orders ports).
    pub input_index: usize,
}

/// One original edge, with the virtual nodes it passes through.
#[derive(Clone, Debug)]
pub(super) struct Route {
    pub from: NodeId,
    pub to: NodeId,
    pub input_index: usize,
    /// Source, dummies (one per layer crossed), target.
    pub path: Vec<usize>,
    /// The hops along `path`, indices into [`Virtual::hops`].
    pub hops: Vec<usize>,
    /// Too long for the dummy budget: drawn around the whole picture instead.
    pub detour: bool,
}

/// The layered graph: real nodes keep their ids, dummies follow.
#[derive(Debug)]
pub(super) struct Virtual {
    pub real: usize,
    pub layer: Vec<usize>,
    pub layer_count: usize,
    pub hops: Vec<Hop>,
    /// Incoming and outgoing hops of each virtual node, in creation order (for a real
    /// node, incoming hops are in input order).
    pub ins: Vec<Vec<usize>>,
    pub outs: Vec<Vec<usize>>,
    /// One route per (input → consumer) pair, in graph order.
    pub routes: Vec<Route>,
}

impl Virtual {
    pub fn is_dummy(&self, v: usize) -> bool {
        v >= self.real
    }

    /// Cut long edges with dummies. If they would need more than `budget` dummies, the
    /// shortest edges get them and the longest ones become detours.
    pub fn build(dag: &Dag, layer: Vec<usize>, budget: usize) -> Virtual {
        let real = dag.len();
        let mut pairs = Vec::new();
        for id in 0..real {
            for (input_index, &input) in dag.inputs[id].iter().enumerate() {
                let span = layer[id].saturating_sub(layer[input] + 1);
                pairs.push((NodeId(input), NodeId(id), input_index, span));
            }
        }
        let mut detour = vec![false; pairs.len()];
        let total: usize = pairs.iter().fold(0, |sum, p| sum.saturating_add(p.3));
        if total > budget {
            let mut by_span: Vec<(u64, usize)> = (pairs.iter().enumerate())
                .map(|(e, p)| (p.3 as u64, e))
                .collect();
            sort_keyed(&mut by_span);
            let mut left = budget;
            for (_, e) in by_span {
                if pairs[e].3 <= left {
                    left -= pairs[e].3;
                } else {
                    detour[e] = true;
                }
            }
        }

        let layer_count = layer.iter().copied().max().map_or(0, |m| m + 1);
        let mut v = Virtual {
            real,
            layer,
            layer_count,
            hops: Vec::new(),
            ins: vec![Vec::new(); real],
            outs: vec![Vec::new(); real],
            routes: Vec::with_capacity(pairs.len()),
        };
        for (e, &(from, to, input_index, span)) in pairs.iter().enumerate() {
            let mut route = Route {
                from,
                to,
                input_index,
                path: vec![from.0],
                hops: Vec::new(),
                detour: detour[e],
            };
            if !route.detour {
                let mut last = from.0;
                for k in 0..span {
                    let dummy = v.layer.len();
                    v.layer.push(v.layer[from.0] + 1 + k);
                    v.ins.push(Vec::new());
                    v.outs.push(Vec::new());
                    route.hops.push(v.hop(last, dummy, input_index));
                    route.path.push(dummy);
                    last = dummy;
                }
                route.hops.push(v.hop(last, to.0, input_index));
            }
            route.path.push(to.0);
            v.routes.push(route);
        }
        v
    }

    fn hop(&mut self, from: usize, to: usize, input_index: usize) -> usize {
        let h = self.hops.len();
        self.hops.push(Hop {
            from,
            to,
            input_index,
        });
        self.outs[from].push(h);
        self.ins[to].push(h);
        h
    }
}
