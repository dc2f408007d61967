//! Coordinates: one column per layer, vertical positions that centre each node on its
//! neighbours and keep long edges straight, and the edge paths.
//!
//! Vertical placement minimises the weighted sum of squared edge slopes subject to the
//! order and spacing within each layer. It solves one layer at a time exactly (an
//! isotonic regression, pool-adjacent-violators) and sweeps down and up; then each long
//! edge is pulled onto one straight line where its neighbours leave room.

use super::order::Ordering;
use super::rank::Virtual;
use super::{
    CHANNEL_GAP, EDGE_GAP, EdgePath, LANE_GAP, LAYER_GAP, Layout, MARGIN, MAX_LANES, NODE_GAP,
    NodeSize, PORT_GAP, Point, sort_keyed,
};

/// Total placement work (virtual nodes + hops, summed over sweeps).
const PLACE_WORK: usize = 500_000;
const MAX_ROUNDS: usize = 40;

/// Vertical offsets of each route's ends from the centres of its source and target.
struct Ports {
    out: Vec<f64>,
    into: Vec<f64>,
}

pub(super) fn place(v: &Virtual, ord: &Ordering, sizes: &[NodeSize]) -> Layout {
    let size = v.layer.len();
    let half: Vec<f64> = (0..size)
        .map(|n| sizes.get(n).map_or(0.0, |s| s.height / 2.0))
        .collect();
    let ports = ports(v, ord, sizes);
    let (hop_out, hop_into) = hop_ports(v, &ports);
    let slope = Slope {
        v,
        out: &hop_out,
        into: &hop_into,
    };

    let mut y = stacked(v, ord, &half);
    let rounds = (PLACE_WORK / (size + v.hops.len()).max(1)).clamp(4, MAX_ROUNDS);
    for round in 0..rounds {
        for l in sweep(v.layer_count, round % 2 == 0) {
            let layer = &ord.layers[l];
            let (desired, weight): (Vec<f64>, Vec<f64>) =
                layer.iter().map(|&n| slope.desired(n, &y)).unzip();
            let gaps: Vec<f64> = layer
                .windows(2)
                .map(|w| separation(v, &half, w[0], w[1]))
                .collect();
            for (&n, placed) in layer.iter().zip(isotonic(&desired, &weight, &gaps)) {
                y[n] = placed;
            }
        }
    }
    straighten(v, ord, &half, &ports, &mut y);
    for round in 0..2 {
        for l in sweep(v.layer_count, round % 2 == 0) {
            recentre(v, ord, &half, &slope, l, &mut y);
        }
    }
    geometry(v, sizes, &half, &ports, &y)
}

/// Layer indices top down or bottom up.
fn sweep(layers: usize, down: bool) -> impl Iterator<Item = usize> {
    (0..layers).map(move |i| if down { i } else { layers - 1 - i })
}

/// Spread the routes leaving (entering) each node over its right (left) side, in the
/// order of their other ends, so edges that meet at a node neither cross nor overlap.
fn ports(v: &Virtual, ord: &Ordering, sizes: &[NodeSize]) -> Ports {
    // (position of the other end, input index) packed into one key, with the route.
    let key = |other: usize, input_index: usize| {
        (other.min(u32::MAX as usize) as u64) << 32 | (input_index.min(u32::MAX as usize) as u64)
    };
    let mut leaving: Vec<Vec<(u64, usize)>> = vec![Vec::new(); v.real];
    let mut entering: Vec<Vec<(u64, usize)>> = vec![Vec::new(); v.real];
    for (r, route) in v.routes.iter().enumerate() {
        let (next, prev) = if route.detour {
            (usize::MAX, usize::MAX) // detours leave and enter at the bottom
        } else {
            (
                ord.pos[route.path[1]],
                ord.pos[route.path[route.path.len() - 2]],
            )
        };
        leaving[route.from.0].push((key(next, route.input_index), r));
        entering[route.to.0].push((key(prev, route.input_index), r));
    }
    let mut ports = Ports {
        out: vec![0.0; v.routes.len()],
        into: vec![0.0; v.routes.len()],
    };
    for n in 0..v.real {
        let height = sizes.get(n).map_or(0.0, |s| s.height);
        spread(&mut leaving[n], height, &mut ports.out);
        spread(&mut entering[n], height, &mut ports.into);
    }
    ports
}

fn spread(routes: &mut [(u64, usize)], height: f64, offsets: &mut [f64]) {
    sort_keyed(routes);
    let m = routes.len();
    if m < 2 {
        return;
    }
    let step = PORT_GAP.min(height * 0.8 / (m - 1) as f64);
    for (j, &(_, r)) in routes.iter().enumerate() {
        offsets[r] = (j as f64 - (m - 1) as f64 / 2.0) * step;
    }
}

/// Port offsets per hop: only a route's first and last hops touch real nodes.
fn hop_ports(v: &Virtual, ports: &Ports) -> (Vec<f64>, Vec<f64>) {
    let mut out = vec![0.0; v.hops.len()];
    let mut into = vec![0.0; v.hops.len()];
    for (r, route) in v.routes.iter().enumerate() {
        if let (Some(&first), Some(&last)) = (route.hops.first(), route.hops.last()) {
            out[first] = ports.out[r];
            into[last] = ports.into[r];
        }
    }
    (out, into)
}

struct Slope<'a> {
    v: &'a Virtual,
    out: &'a [f64],
    into: &'a [f64],
}

impl Slope<'_> {
    /// Where `n` would make its hops level (weighted mean), and the total weight.
    /// Hops between dummies weigh most, so long edges stay straight.
    fn desired(&self, n: usize, y: &[f64]) -> (f64, f64) {
        let v = self.v;
        let weight = |h: usize| {
            let hop = &v.hops[h];
            match (v.is_dummy(hop.from), v.is_dummy(hop.to)) {
                (true, true) => 4.0,
                (false, false) => 1.0,
                _ => 2.0,
            }
        };
        let mut total = 0.0;
        let mut sum = 0.0;
        for &h in &v.ins[n] {
            let w = weight(h);
            total += w;
            sum += w * (y[v.hops[h].from] + self.out[h] - self.into[h]);
        }
        for &h in &v.outs[n] {
            let w = weight(h);
            total += w;
            sum += w * (y[v.hops[h].to] + self.into[h] - self.out[h]);
        }
        if total > 0.0 {
            (sum / total, total)
        } else {
            (y[n], 1e-3)
        }
    }
}

/// Least distance between the centres of `a` and `b`, neighbours in a layer.
fn separation(v: &Virtual, half: &[f64], a: usize, b: usize) -> f64 {
    let gap = if v.is_dummy(a) || v.is_dummy(b) {
        EDGE_GAP
    } else {
        NODE_GAP
    };
    half[a] + half[b] + gap
}

/// Each layer packed top down and centred on 0.
fn stacked(v: &Virtual, ord: &Ordering, half: &[f64]) -> Vec<f64> {
    let mut y = vec![0.0; v.layer.len()];
    for layer in &ord.layers {
        let mut at = 0.0;
        for (i, &n) in layer.iter().enumerate() {
            if i > 0 {
                at += separation(v, half, layer[i - 1], n);
            }
            y[n] = at;
        }
        for &n in layer {
            y[n] -= at / 2.0;
        }
    }
    y
}

/// Positions closest to `desired` (weighted least squares) keeping consecutive entries
/// at least `gaps` apart: pool adjacent violators on `desired - cumulative gaps`.
fn isotonic(desired: &[f64], weight: &[f64], gaps: &[f64]) -> Vec<f64> {
    let mut offset = Vec::with_capacity(desired.len());
    let mut at = 0.0;
    for i in 0..desired.len() {
        if i > 0 {
            at += gaps.get(i - 1).copied().unwrap_or(0.0);
        }
        offset.push(at);
    }
    // Blocks of (weight, weighted sum, length) with increasing means.
    let mut blocks: Vec<(f64, f64, usize)> = Vec::new();
    for i in 0..desired.len() {
        let mut block = (weight[i], weight[i] * (desired[i] - offset[i]), 1);
        while let Some(&(w, s, len)) = blocks.last() {
            if s / w < block.1 / block.0 {
                break;
            }
            block = (block.0 + w, block.1 + s, block.2 + len);
            blocks.pop();
        }
        blocks.push(block);
    }
    let mut placed = Vec::with_capacity(desired.len());
    for (w, s, len) in blocks {
        for _ in 0..len {
            placed.push(s / w + offset[placed.len()]);
        }
    }
    placed
}

/// Room for `n` between its neighbours in the layer.
fn room(v: &Virtual, ord: &Ordering, half: &[f64], y: &[f64], n: usize) -> (f64, f64) {
    let layer = &ord.layers[v.layer[n]];
    let p = ord.pos[n];
    let low = match p.checked_sub(1).map(|q| layer[q]) {
        Some(a) => y[a] + separation(v, half, a, n),
        None => f64::NEG_INFINITY,
    };
    let high = match layer.get(p + 1) {
        Some(&b) => y[b] - separation(v, half, n, b),
        None => f64::INFINITY,
    };
    (low, high)
}

/// Put each long edge's dummies on horizontal lines where the layers leave room: as
/// few runs as possible (greedily, from the source), the first level with the source
/// port if it can, the last with the target port, each next one as close as it can.
fn straighten(v: &Virtual, ord: &Ordering, half: &[f64], ports: &Ports, y: &mut [f64]) {
    // Longest first.
    let mut long: Vec<(u64, usize)> = (v.routes.iter().enumerate())
        .filter(|(_, route)| route.path.len() > 2)
        .map(|(r, route)| (u64::MAX - route.path.len() as u64, r))
        .collect();
    sort_keyed(&mut long);
    for (_, r) in long {
        let route = &v.routes[r];
        let dummies = &route.path[1..route.path.len() - 1];
        let target = y[route.to.0] + ports.into[r];
        let mut level = y[route.from.0] + ports.out[r];
        let mut start = 0;
        while start < dummies.len() {
            // Every dummy has room for its current position, so runs are not empty.
            let (mut low, mut high) = room(v, ord, half, y, dummies[start]);
            let mut end = start + 1;
            while let Some(&d) = dummies.get(end) {
                let (l, h) = room(v, ord, half, y, d);
                if l.max(low) > h.min(high) {
                    break;
                }
                (low, high) = (l.max(low), h.min(high));
                end += 1;
            }
            let fits = |t: f64| low <= t && t <= high;
            level = if fits(level) {
                level
            } else if end == dummies.len() && fits(target) {
                target
            } else {
                level.max(low).min(high)
            };
            for &d in &dummies[start..end] {
                y[d] = level;
            }
            start = end;
        }
    }
}

/// Move real nodes of layer `l` towards the centre of their neighbours, within the room
/// their layer leaves.
fn recentre(v: &Virtual, ord: &Ordering, half: &[f64], slope: &Slope, l: usize, y: &mut [f64]) {
    for &n in &ord.layers[l] {
        if v.is_dummy(n) {
            continue;
        }
        let (desired, _) = slope.desired(n, y);
        let (low, high) = room(v, ord, half, y, n);
        if low <= high {
            y[n] = desired.max(low).min(high);
        }
    }
}

/// Columns, the shift to the margin, and the edge paths.
fn geometry(v: &Virtual, sizes: &[NodeSize], half: &[f64], ports: &Ports, y: &[f64]) -> Layout {
    let width = |n: usize| sizes.get(n).map_or(0.0, |s| s.width);
    let mut column = vec![0.0f64; v.layer_count];
    for n in 0..v.real {
        column[v.layer[n]] = column[v.layer[n]].max(width(n));
    }
    let mut left = Vec::with_capacity(v.layer_count);
    let mut at = MARGIN;
    for &w in &column {
        left.push(at);
        at += w + LAYER_GAP;
    }
    let right = |l: usize| left[l] + column[l];
    let total_width = at - LAYER_GAP + MARGIN;

    let top = (0..v.layer.len())
        .map(|n| y[n] - half[n])
        .fold(f64::INFINITY, f64::min);
    let shift = if top.is_finite() { MARGIN - top } else { 0.0 };
    let bottom = (0..v.layer.len())
        .map(|n| y[n] + half[n] + shift)
        .fold(MARGIN, f64::max);

    let nodes: Vec<Point> = (0..v.real)
        .map(|n| Point {
            x: left[v.layer[n]] + column[v.layer[n]] / 2.0,
            y: y[n] + shift,
        })
        .collect();
    let mut lowest = bottom;
    let mut detours = 0;
    let mut edges = Vec::with_capacity(v.routes.len());
    for (r, route) in v.routes.iter().enumerate() {
        let (s, t) = (route.from.0, route.to.0);
        let (ls, lt) = (v.layer[s], v.layer[t]);
        let start = Point {
            x: nodes[s].x + width(s) / 2.0,
            y: nodes[s].y + ports.out[r],
        };
        let end = Point {
            x: nodes[t].x - width(t) / 2.0,
            y: nodes[t].y + ports.into[r],
        };
        let mut points = vec![start];
        if route.detour {
            // Down the gap after the source, along a lane below everything, up the
            // gap before the target: no node is in the way.
            let lane = detours % MAX_LANES;
            detours += 1;
            let inset = LAYER_GAP * (0.25 + 0.5 * (lane as f64 + 0.5) / MAX_LANES as f64);
            let channel = bottom + CHANNEL_GAP + lane as f64 * LANE_GAP;
            lowest = lowest.max(channel);
            let (out_x, in_x) = (right(ls) + inset, left[lt] - inset);
            points.extend([
                Point {
                    x: out_x,
                    y: start.y,
                },
                Point {
                    x: out_x,
                    y: channel,
                },
                Point {
                    x: in_x,
                    y: channel,
                },
                Point { x: in_x, y: end.y },
            ]);
        } else {
            if right(ls) > start.x {
                points.push(Point {
                    x: right(ls),
                    y: start.y,
                });
            }
            for &d in &route.path[1..route.path.len() - 1] {
                let l = v.layer[d];
                let level = y[d] + shift;
                points.push(Point {
                    x: left[l],
                    y: level,
                });
                if column[l] > 0.0 {
                    points.push(Point {
                        x: right(l),
                        y: level,
                    });
                }
            }
            if left[lt] < end.x {
                points.push(Point {
                    x: left[lt],
                    y: end.y,
                });
            }
        }
        points.push(end);
        edges.push(EdgePath {
            from: route.from,
            to: route.to,
            input_index: route.input_index,
            points,
        });
    }
    Layout {
        nodes,
        edges,
        width: total_width.max(2.0 * MARGIN),
        height: lowest + MARGIN,
    }
}
