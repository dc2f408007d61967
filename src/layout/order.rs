//! Crossing reduction: the order of the nodes within each layer.
//!
//! Start from a depth-first order from the output (operands top to bottom), then sweep
//! the layers up and down sorting by barycenter, with adjacent swaps (transposition)
//! while they remove crossings; keep the best order seen. The work is capped by graph
//! size so huge graphs stay fast.

use super::rank::Virtual;
use super::{float_key, sort_keyed};

/// Sweep work per search (virtual nodes + hops, summed over sweeps).
const SWEEP_WORK: usize = 200_000;
/// Transposition after every sweep on graphs up to this size (virtual nodes + hops),
/// once at the end up to `TRANSPOSE_LIMIT`, never beyond.
const TRANSPOSE_EVERY_SWEEP: usize = 4_000;
const TRANSPOSE_LIMIT: usize = 100_000;
const MAX_SWEEPS: usize = 24;
/// Up to this size (virtual nodes + hops) the inputs are also let free in a second
/// search, kept if it crosses less; beyond, the inputs stay in their order.
const SECOND_SEARCH_LIMIT: usize = 20_000;
/// Sweeps without improvement before stopping.
const PATIENCE: usize = 4;

#[derive(Clone, Debug)]
pub(super) struct Ordering {
    pub layers: Vec<Vec<usize>>,
    /// Position of each virtual node within its layer.
    pub pos: Vec<usize>,
}

impl Ordering {
    pub(super) fn from_layers(layers: Vec<Vec<usize>>, size: usize) -> Ordering {
        let mut pos = vec![0; size];
        for layer in &layers {
            for (i, &v) in layer.iter().enumerate() {
                pos[v] = i;
            }
        }
        Ordering { layers, pos }
    }

    fn set_layer(&mut self, l: usize, layer: Vec<usize>) {
        for (i, &v) in layer.iter().enumerate() {
            self.pos[v] = i;
        }
        self.layers[l] = layer;
    }
}

/// Order every layer. `pinned` marks the inputs: they stay in id order in the first
/// layer unless letting them move gives fewer crossings.
pub(super) fn order(v: &Virtual, pinned: &[bool]) -> Ordering {
    let free_start = initial(v);
    let mut kept_start = free_start.clone();
    if let Some(first) = kept_start.layers.first() {
        let layer = repin(first.clone(), pinned);
        kept_start.set_layer(0, layer);
    }
    let (kept, kept_crossings) = search(v, kept_start, Some(pinned));
    if kept_crossings == 0 || v.layer.len() + v.hops.len() > SECOND_SEARCH_LIMIT {
        return kept;
    }
    let (free, free_crossings) = search(v, free_start, None);
    if free_crossings < kept_crossings {
        free
    } else {
        kept
    }
}

/// Sweeps from `start`; the best ordering found and its crossings. With `pinned`, the
/// pinned nodes of the first layer keep their id order.
fn search(v: &Virtual, start: Ordering, pinned: Option<&[bool]>) -> (Ordering, usize) {
    let mut current = start;
    let work = v.layer.len() + v.hops.len();
    let every_sweep = work <= TRANSPOSE_EVERY_SWEEP;
    if every_sweep {
        transpose(v, &mut current, pinned);
    }
    let mut best = current.clone();
    let mut best_crossings = crossings(v, &best);
    let sweeps = (SWEEP_WORK / work.max(1)).clamp(2, MAX_SWEEPS);
    let mut stale = 0;
    for sweep in 0..sweeps {
        if best_crossings == 0 || stale >= PATIENCE {
            break;
        }
        let down = sweep % 2 == 1;
        let layers: Vec<usize> = if down {
            (1..v.layer_count).collect()
        } else {
            (0..v.layer_count.saturating_sub(1)).rev().collect()
        };
        for l in layers {
            reorder(v, &mut current, l, down);
            if l == 0
                && let Some(pinned) = pinned
            {
                let layer = repin(current.layers[0].clone(), pinned);
                current.set_layer(0, layer);
            }
        }
        if every_sweep {
            transpose(v, &mut current, pinned);
        }
        let c = crossings(v, &current);
        if c < best_crossings {
            best = current.clone();
            best_crossings = c;
            stale = 0;
        } else {
            stale += 1;
        }
    }
    if !every_sweep && work <= TRANSPOSE_LIMIT && best_crossings > 0 {
        // Each swap removes crossings, so this only improves `best`.
        transpose(v, &mut best, pinned);
        best_crossings = crossings(v, &best);
    }
    (best, best_crossings)
}

/// The same layer with its pinned nodes, in the slots they occupy, put in id order.
fn repin(layer: Vec<usize>, pinned: &[bool]) -> Vec<usize> {
    let is_pinned = |n: usize| pinned.get(n).copied().unwrap_or(false);
    let mut ids: Vec<(u64, usize)> = (layer.iter().copied())
        .filter(|&n| is_pinned(n))
        .map(|n| (n as u64, n))
        .collect();
    sort_keyed(&mut ids);
    let mut ids = ids.into_iter();
    layer
        .into_iter()
        .map(|n| {
            if is_pinned(n) {
                ids.next().map_or(n, |(_, id)| id)
            } else {
                n
            }
        })
        .collect()
}

/// Depth-first post-order from the sinks (the output first), visiting inputs in operand
/// order; a dummy sorts just after the source of its edge.
fn initial(v: &Virtual) -> Ordering {
    const UNSEEN: usize = usize::MAX;
    const OPEN: usize = usize::MAX - 1;
    let size = v.layer.len();
    let mut key = vec![UNSEEN; size];
    let mut next = 0;
    let mut stack: Vec<(usize, usize)> = Vec::new();
    // Real sinks, latest (the output) first; then anything left, in id order.
    let sinks = (0..v.real).rev().filter(|&n| v.outs[n].is_empty());
    for root in sinks.chain(0..v.real) {
        if key[root] != UNSEEN {
            continue;
        }
        key[root] = OPEN;
        stack.push((root, 0));
        while let Some((n, i)) = stack.pop() {
            if let Some(&h) = v.ins[n].get(i) {
                stack.push((n, i + 1));
                let from = v.hops[h].from;
                if key[from] == UNSEEN {
                    key[from] = OPEN;
                    stack.push((from, 0));
                }
            } else {
                key[n] = next;
                next += 2;
            }
        }
    }
    for route in &v.routes {
        let source = key[route.from.0];
        for &d in &route.path[1..route.path.len() - 1] {
            key[d] = source + 1;
        }
    }
    let mut keyed = vec![Vec::new(); v.layer_count];
    for n in 0..size {
        keyed[v.layer[n]].push((key[n] as u64, n));
    }
    let layers = keyed
        .into_iter()
        .map(|mut layer| {
            sort_keyed(&mut layer);
            layer.into_iter().map(|(_, n)| n).collect()
        })
        .collect();
    Ordering::from_layers(layers, size)
}

/// Sort layer `l` by the barycenter of its neighbours in the layer above (`down`) or
/// below. Going up, a consumer's inputs lean towards operand order. Nodes without such
/// neighbours keep their place.
fn reorder(v: &Virtual, ord: &mut Ordering, l: usize, down: bool) {
    let mut keyed: Vec<(u64, usize)> = ord.layers[l]
        .iter()
        .enumerate()
        .map(|(i, &n)| {
            let hops = if down { &v.ins[n] } else { &v.outs[n] };
            if hops.is_empty() {
                return (float_key(i as f64), i);
            }
            let sum: f64 = hops
                .iter()
                .map(|&h| {
                    let hop = &v.hops[h];
                    if down {
                        ord.pos[hop.from] as f64
                    } else {
                        let inputs = v.ins[hop.to].len().max(1) as f64;
                        let lean = ((hop.input_index as f64 + 0.5) / inputs - 0.5) * 0.5;
                        ord.pos[hop.to] as f64 + if v.is_dummy(hop.to) { 0.0 } else { lean }
                    }
                })
                .sum();
            (float_key(sum / hops.len() as f64), i)
        })
        .collect();
    sort_keyed(&mut keyed);
    let layer = keyed.into_iter().map(|(_, i)| ord.layers[l][i]).collect();
    ord.set_layer(l, layer);
}

/// Swap neighbours while that removes crossings, a few passes at most.
fn transpose(v: &Virtual, ord: &mut Ordering, pinned: Option<&[bool]>) {
    let fixed = |l: usize, n: usize| l == 0 && pinned.and_then(|p| p.get(n)).copied() == Some(true);
    let mut a_side = Vec::new();
    let mut b_side = Vec::new();
    for _ in 0..8 {
        let mut improved = false;
        for l in 0..ord.layers.len() {
            for i in 1..ord.layers[l].len() {
                let (a, b) = (ord.layers[l][i - 1], ord.layers[l][i]);
                if fixed(l, a) && fixed(l, b) {
                    continue;
                }
                let mut keep = 0;
                let mut swap = 0;
                for up in [true, false] {
                    neighbours(v, ord, a, up, &mut a_side);
                    neighbours(v, ord, b, up, &mut b_side);
                    keep += pairs_above(&a_side, &b_side);
                    swap += pairs_above(&b_side, &a_side);
                }
                if swap < keep {
                    ord.layers[l].swap(i - 1, i);
                    ord.pos[a] = i;
                    ord.pos[b] = i - 1;
                    improved = true;
                }
            }
        }
        if !improved {
            break;
        }
    }
}

/// Sorted positions (with hop ids) of `n`'s neighbours in the layer above (`up`) or
/// below.
fn neighbours(v: &Virtual, ord: &Ordering, n: usize, up: bool, out: &mut Vec<(u64, usize)>) {
    out.clear();
    if up {
        out.extend((v.ins[n].iter()).map(|&h| (ord.pos[v.hops[h].from] as u64, h)));
    } else {
        out.extend((v.outs[n].iter()).map(|&h| (ord.pos[v.hops[h].to] as u64, h)));
    }
    sort_keyed(out);
}

/// Pairs (x in `first`, y in `second`) with x > y: the crossings between the edges of
/// two neighbouring nodes when `first`'s node comes first. Both slices are sorted.
fn pairs_above(first: &[(u64, usize)], second: &[(u64, usize)]) -> usize {
    (first.iter())
        .map(|&(x, _)| second.partition_point(|&(y, _)| y < x))
        .sum()
}

/// Edge crossings of the whole ordering. Edges that meet at a node do not cross: their
/// ports on the node follow the order of their other ends.
pub(super) fn crossings(v: &Virtual, ord: &Ordering) -> usize {
    let mut total = 0;
    let mut tree = Vec::new();
    let mut targets = Vec::new();
    for l in 1..ord.layers.len() {
        // Fenwick tree over positions in layer l.
        tree.clear();
        tree.resize(ord.layers[l].len() + 1, 0usize);
        let mut inserted = 0;
        for &u in &ord.layers[l - 1] {
            targets.clear();
            targets.extend((v.outs[u].iter()).map(|&h| (ord.pos[v.hops[h].to] as u64, h)));
            sort_keyed(&mut targets);
            for &(p, _) in &targets {
                let p = p as usize;
                let mut at_most = 0;
                let mut i = p + 1;
                while i > 0 {
                    at_most += tree[i];
                    i &= i - 1;
                }
                total += inserted - at_most;
            }
            for &(p, _) in &targets {
                let mut i = p as usize + 1;
                while i < tree.len() {
                    tree[i] += 1;
                    i += i & i.wrapping_neg();
                }
                inserted += 1;
            }
        }
    }
    total
}
