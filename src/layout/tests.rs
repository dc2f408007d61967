use super::order::{Ordering, crossings, order};
use super::rank::{Virtual, layers};
use super::*;
use crate::program::compile;

fn graph(source: &str) -> Graph {
    match compile(source) {
        Ok(g) => g,
        Err(e) => panic!("{source}: {e}"),
    }
}

/// Boxes sized by their names, like the UI does.
fn sizes(g: &Graph) -> Vec<NodeSize> {
    g.nodes()
        .iter()
        .map(|n| NodeSize {
            width: 16.0 + 7.5 * n.name.chars().count() as f64,
            height: 26.0,
        })
        .collect()
}

fn lay(g: &Graph) -> Layout {
    layout(g, &sizes(g))
}

fn id(g: &Graph, name: &str) -> NodeId {
    g.find(name).unwrap_or_else(|| panic!("no node {name}"))
}

fn edge(l: &Layout, from: NodeId, to: NodeId) -> &EdgePath {
    l.edges
        .iter()
        .find(|e| e.from == from && e.to == to)
        .unwrap_or_else(|| panic!("no edge {from:?} -> {to:?}"))
}

/// Box of node `n` as (left, top, right, bottom).
fn rect(l: &Layout, s: &[NodeSize], n: usize) -> (f64, f64, f64, f64) {
    let (c, size) = (l.nodes[n], s[n]);
    (
        c.x - size.width / 2.0,
        c.y - size.height / 2.0,
        c.x + size.width / 2.0,
        c.y + size.height / 2.0,
    )
}

/// Does segment a–b enter the interior of `r`? (Liang–Barsky clipping.)
fn enters(a: Point, b: Point, r: (f64, f64, f64, f64)) -> bool {
    let eps = 1e-6;
    let (l, t, rt, bm) = (r.0 + eps, r.1 + eps, r.2 - eps, r.3 - eps);
    if l >= rt || t >= bm {
        return false;
    }
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    for (p, q) in [
        (-dx, a.x - l),
        (dx, rt - a.x),
        (-dy, a.y - t),
        (dy, bm - a.y),
    ] {
        if p == 0.0 {
            if q <= 0.0 {
                return false;
            }
        } else {
            let u = q / p;
            if p < 0.0 {
                lo = lo.max(u);
            } else {
                hi = hi.min(u);
            }
        }
    }
    lo < hi
}

fn segments(e: &EdgePath) -> impl Iterator<Item = (Point, Point)> + '_ {
    e.points.windows(2).map(|w| (w[0], w[1]))
}

/// Proper crossings between segments of different edges.
fn geometric_crossings(l: &Layout) -> usize {
    fn orient(a: Point, b: Point, c: Point) -> f64 {
        (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x)
    }
    let mut count = 0;
    for (i, e) in l.edges.iter().enumerate() {
        for f in &l.edges[i + 1..] {
            for (a, b) in segments(e) {
                for (c, d) in segments(f) {
                    let (o1, o2) = (orient(a, b, c), orient(a, b, d));
                    let (o3, o4) = (orient(c, d, a), orient(c, d, b));
                    if o1 * o2 < -1e-9 && o3 * o4 < -1e-9 {
                        count += 1;
                    }
                }
            }
        }
    }
    count
}

/// Everything the UI relies on.
fn check(g: &Graph, s: &[NodeSize], l: &Layout) {
    let eps = 1e-6;
    assert_eq!(l.nodes.len(), g.len());
    let expected: Vec<(NodeId, NodeId, usize)> = g
        .ids()
        .flat_map(|to| {
            g.node(to)
                .inputs
                .iter()
                .enumerate()
                .map(move |(k, &from)| (from, to, k))
        })
        .collect();
    let actual: Vec<(NodeId, NodeId, usize)> = l
        .edges
        .iter()
        .map(|e| (e.from, e.to, e.input_index))
        .collect();
    assert_eq!(actual, expected, "one edge per input, in graph order");
    assert!(l.width.is_finite() && l.height.is_finite());

    for n in 0..g.len() {
        let (left, top, right, bottom) = rect(l, s, n);
        assert!(
            left >= MARGIN - eps && top >= MARGIN - eps,
            "node {n} in the margin"
        );
        assert!(right <= l.width - MARGIN + eps && bottom <= l.height - MARGIN + eps);
        for m in n + 1..g.len() {
            let o = rect(l, s, m);
            let apart =
                right <= o.0 + eps || o.2 <= left + eps || bottom <= o.1 + eps || o.3 <= top + eps;
            assert!(apart, "boxes {n} and {m} overlap");
        }
    }
    for e in &l.edges {
        let (from, to) = (e.from.0, e.to.0);
        assert!(l.nodes[to].x > l.nodes[from].x, "consumer right of input");
        assert!(e.points.len() >= 2);
        let (first, last) = (e.points[0], e.points[e.points.len() - 1]);
        let (_, top, right, bottom) = rect(l, s, from);
        assert!(
            (first.x - right).abs() < eps,
            "edge starts on the source's right side"
        );
        assert!(top - eps <= first.y && first.y <= bottom + eps);
        let (left, top, _, bottom) = rect(l, s, to);
        assert!(
            (last.x - left).abs() < eps,
            "edge ends on the target's left side"
        );
        assert!(top - eps <= last.y && last.y <= bottom + eps);
        for p in &e.points {
            assert!(p.x.is_finite() && p.y.is_finite());
            assert!((0.0..=l.width).contains(&p.x) && (0.0..=l.height).contains(&p.y));
        }
        for (a, b) in segments(e) {
            assert!(b.x >= a.x - eps, "edges run left to right");
            for n in 0..g.len() {
                assert!(
                    !enters(a, b, rect(l, s, n)),
                    "edge {from} -> {to} passes through node {n}"
                );
            }
        }
    }
}

/// A random program: a few inputs, then `bindings` random bindings over earlier names,
/// with constants, unary functions and dead code; the last binding is the output.
fn random_program(seed: u64, bindings: usize) -> String {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = move |bound: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % bound.max(1) as u64) as usize
    };
    let inputs = 1 + next(4);
    let mut names: Vec<String> = (0..inputs).map(|i| format!("x{i}")).collect();
    let mut source: String = names.iter().map(|n| format!("{n} = 1.5\n")).collect();
    for t in 0..bindings {
        // Mostly recent names, sometimes any.
        let pick = |next: &mut dyn FnMut(usize) -> usize| {
            let k = if next(3) == 0 {
                next(names.len())
            } else {
                names.len() - 1 - next(names.len().min(4))
            };
            names[k].clone()
        };
        let a = pick(&mut next);
        let b = pick(&mut next);
        let op = ["+", "-", "*", "/"][next(4)];
        let expr = match next(6) {
            0 => format!("sin({a})"),
            1 => format!("{a} {op} 2"),
            2 => format!("({a} {op} {b}) * 3"),
            _ => format!("{a} {op} {b}"),
        };
        source.push_str(&format!("t{t} = {expr}\n"));
        names.push(format!("t{t}"));
    }
    source
}

/// A random program whose graph has at least `nodes` nodes (bounded search).
fn program_of_at_least(nodes: usize, seed: u64) -> String {
    let mut bindings = nodes / 2;
    for attempt in 0..64 {
        let source = random_program(seed + attempt, bindings);
        if compile(&source).is_ok_and(|g| g.len() >= nodes) {
            return source;
        }
        bindings += nodes / 16 + 1;
    }
    panic!("no program with {nodes} nodes");
}

#[test]
fn seed_example_is_layered_without_crossings() {
    let g = graph("(x1+x2)*x1");
    let [x1, x2, v3, v4] = ["x1", "x2", "v3", "v4"].map(|n| id(&g, n));
    let layer = layers(&Dag::of(&g));
    assert_eq!(
        [x1, x2, v3, v4].map(|n| layer[n.0]),
        [0, 0, 1, 2],
        "x1, x2 | v3 | v4"
    );
    let s = sizes(&g);
    let l = layout(&g, &s);
    check(&g, &s, &l);
    assert_eq!(l.nodes[x1.0].x, l.nodes[x2.0].x);
    assert!(l.nodes[x1.0].y < l.nodes[x2.0].y, "inputs in id order");
    assert_eq!(geometric_crossings(&l), 0);

    let long = edge(&l, x1, v4);
    assert!(long.points.len() > 2, "the long edge has bend points");
    let around = segments(long).all(|(a, b)| !enters(a, b, rect(&l, &s, v3.0)));
    assert!(around, "x1 -> v4 goes around v3");
    let v3_column = (rect(&l, &s, v3.0).0, rect(&l, &s, v3.0).2);
    let passing = long
        .points
        .iter()
        .find(|p| p.x >= v3_column.0 && p.x <= v3_column.1);
    let passing = passing.unwrap_or_else(|| panic!("no bend point in v3's column"));
    assert!(passing.y < rect(&l, &s, v3.0).1, "above v3, on x1's side");
}

#[test]
fn crossing_reduction_untangles_a_naive_order() {
    let g = graph("x1 = 1\nx2 = 2\nx3 = 3\na = sin(x3)\nb = x1 * x2\nc = a - b");
    let v = Virtual::build(&Dag::of(&g), layers(&Dag::of(&g)), DUMMY_BUDGET);
    let mut by_id = vec![Vec::new(); v.layer_count];
    for n in 0..v.layer.len() {
        by_id[v.layer[n]].push(n);
    }
    let naive = Ordering::from_layers(by_id, v.layer.len());
    assert_eq!(
        crossings(&v, &naive),
        2,
        "sin(x3) above x1 * x2 crosses twice"
    );

    let pinned: Vec<bool> = g.nodes().iter().map(|n| n.op == Op::Input).collect();
    assert_eq!(crossings(&v, &order(&v, &pinned)), 0);
    let l = lay(&g);
    check(&g, &sizes(&g), &l);
    assert_eq!(geometric_crossings(&l), 0);
    let [x1, x2, x3] = ["x1", "x2", "x3"].map(|n| l.nodes[id(&g, n).0].y);
    assert!(x1 < x2 && x2 < x3, "inputs stay in id order");
}

#[test]
fn duplicate_edges_get_distinct_paths() {
    // x * x twice: once next to x, once (the output, in the last layer) far from it.
    for source in ["x * x", "x = 1\nb = sin(sin(sin(x)))\np = x * x"] {
        let g = graph(source);
        let s = sizes(&g);
        let l = layout(&g, &s);
        check(&g, &s, &l);
        let x = id(&g, "x");
        let product = g.output();
        let pair: Vec<&EdgePath> = l
            .edges
            .iter()
            .filter(|e| e.from == x && e.to == product)
            .collect();
        assert_eq!(pair.len(), 2, "{source}");
        assert_eq!([pair[0].input_index, pair[1].input_index], [0, 1]);
        let (a, b) = (&pair[0].points, &pair[1].points);
        assert_eq!(a.len(), b.len());
        for (p, q) in a.iter().zip(b) {
            assert!(
                (p.y - q.y).abs() >= PORT_GAP / 2.0,
                "{source}: paths overlap"
            );
        }
        assert_eq!(geometric_crossings(&l), 0, "{source}");
    }
}

#[test]
fn constants_sit_next_to_their_consumer() {
    let g = graph("y = sin(sin(x)) * 3");
    let l = lay(&g);
    check(&g, &sizes(&g), &l);
    let layer = layers(&Dag::of(&g));
    let three = id(&g, "3");
    assert_eq!(layer[three.0] + 1, layer[g.output().0]);
    assert_eq!(layer[id(&g, "x").0], 0);
    let short = edge(&l, three, g.output());
    assert!(
        short.points.len() <= 4,
        "no bend points: {:?}",
        short.points
    );
}

#[test]
fn output_is_in_the_last_layer() {
    let g = graph("x = 1\nb = sin(sin(sin(x)))\np = x * x");
    let layer = layers(&Dag::of(&g));
    assert_eq!(
        layer[g.output().0],
        layer.iter().copied().max().unwrap_or(0)
    );
}

#[test]
fn random_programs_lay_out_cleanly() {
    let mut compiled = 0;
    for seed in 0..150 {
        let source = random_program(seed, 1 + (seed as usize % 25));
        let Ok(g) = compile(&source) else { continue };
        compiled += 1;
        let s = sizes(&g);
        check(&g, &s, &layout(&g, &s));
    }
    assert!(compiled > 100, "only {compiled} programs compiled");
}

#[test]
fn two_hundred_nodes_lay_out_cleanly() {
    let g = graph(&program_of_at_least(200, 1000));
    assert!(g.len() >= 200);
    let s = sizes(&g);
    check(&g, &s, &layout(&g, &s));
}

#[test]
fn long_edges_beyond_the_budget_take_a_detour() {
    // Every step reads x0: the edges from x0 span 1, 2, …, 300 layers.
    let mut source = String::from("x0 = 1\nt0 = x0 * x0\n");
    for t in 1..300 {
        source.push_str(&format!("t{t} = t{} * x0\n", t - 1));
    }
    let g = graph(&source);
    let s = sizes(&g);
    let l = layout(&g, &s);
    check(&g, &s, &l);
    let detours = l.edges.iter().filter(|e| e.points.len() == 6).count();
    assert!(detours > 0 && detours < 200, "{detours} detours");
}

#[test]
fn same_graph_same_layout() {
    for seed in 0..20 {
        let Ok(g) = compile(&random_program(seed, 40)) else {
            continue;
        };
        assert_eq!(lay(&g), lay(&g.clone()));
    }
}

#[test]
fn bad_sizes_do_not_break_the_layout() {
    let g = graph("(x1+x2)*x1");
    let odd = [
        NodeSize {
            width: f64::NAN,
            height: -3.0,
        },
        NodeSize {
            width: f64::INFINITY,
            height: 0.0,
        },
    ];
    let l = layout(&g, &odd);
    assert_eq!(l.nodes.len(), 4);
    assert!(l.nodes.iter().all(|p| p.x.is_finite() && p.y.is_finite()));
    let single = graph("x");
    let l = layout(&single, &[]);
    assert_eq!(l.nodes.len(), 1);
    assert!(l.edges.is_empty());
    assert!(l.width >= DEFAULT_SIZE.width + 2.0 * MARGIN);
}

#[test]
fn sort_keyed_sorts_like_the_standard_sort() {
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    for len in [0, 1, 2, 3, 10, 100, 1000] {
        let mut items: Vec<(u64, usize)> = (0..len)
            .map(|i| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state % 50, i)
            })
            .collect();
        let mut expected = items.clone();
        expected.sort();
        sort_keyed(&mut items);
        assert_eq!(items, expected);
    }
    let floats = [-2.5, -0.0, 0.0, 1e-300, 0.25, 3.0, f64::INFINITY];
    assert!(floats.windows(2).all(|w| float_key(w[0]) < float_key(w[1])));
}

/// `cargo test --release --lib layout::tests::timing -- --ignored --nocapture`
#[test]
#[ignore]
fn timing() {
    for nodes in [200, 1000, 9000] {
        let g = graph(&program_of_at_least(nodes, 7));
        let s = sizes(&g);
        let start = std::time::Instant::now();
        let l = layout(&g, &s);
        let elapsed = start.elapsed();
        println!(
            "{} nodes, {} edges: {elapsed:?}, {} crossings",
            g.len(),
            l.edges.len(),
            geometric_crossings_if_small(&l)
        );
    }
}

fn geometric_crossings_if_small(l: &Layout) -> String {
    if l.edges.len() <= 3000 {
        geometric_crossings(l).to_string()
    } else {
        "(not counted)".into()
    }
}

/// The bench's chain of bindings, folded and not:
/// `cargo test --release --lib layout::tests::chain_timing -- --ignored --nocapture`
#[test]
#[ignore]
fn chain_timing() {
    for count in [60, 200, 600] {
        let mut source = String::from("a0 = x * y\na1 = sin(a0) + x\n");
        for i in 2..count {
            source += &format!("a{i} = tanh(a{} * 0.5 + a{} * y)\n", i - 1, i - 2);
        }
        source += &format!("a{} + a{}", count - 1, count / 2);
        let g = graph(&source);
        let groups = fold::groups(&g);
        for folded in [false, true] {
            let f = fold::fold(&g, &groups, &vec![folded; groups.len()]);
            let sizes = vec![
                NodeSize {
                    width: 200.0,
                    height: 72.0
                };
                f.items.len()
            ];
            let start = std::time::Instant::now();
            let l = layout_dag(&f.dag, &sizes);
            println!(
                "{} nodes, folded {folded}: {} boxes, {} edges: {:?}",
                g.len(),
                f.items.len(),
                l.edges.len(),
                start.elapsed()
            );
        }
    }
}
