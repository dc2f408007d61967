//! What the "Four ways" view draws from [`crate::engine::four_ways`]: expression swell (the
//! symbolic derivative's size as a tree for each prefix of the program, against the shared
//! graph's node count) and the finite-difference sweep as a log-log plot of error against
//! h, with the best h of each difference marked.

use super::plot::{Frame, Scale, document, finite_bounds};
use crate::engine::four_ways::{FourWaysError, Sweep, symbolic};
use crate::engine::scalar_program;
use crate::graph::{Graph, NodeId};

/// The most prefixes measured for the swell plot (taken evenly through the program).
pub const MAX_PREFIXES: usize = 40;

/// The sizes of one prefix of the program: its output is the node `node`.
#[derive(Clone, Debug, PartialEq)]
pub struct Swell {
    pub node: NodeId,
    pub name: String,
    /// Computed nodes in the prefix: the shared graph, each computed once.
    pub graph_nodes: usize,
    /// The prefix's value as an expression tree over the inputs.
    pub value_size: u64,
    /// Its derivatives by every input, as trees, added up (saturating).
    pub derivative_size: u64,
}

/// [`Swell`] for the program's prefixes ending at its computed nodes (at most
/// [`MAX_PREFIXES`], evenly spread, the whole program last).
pub fn swell(graph: &Graph) -> Result<Vec<Swell>, FourWaysError> {
    scalar_program::check(graph)?;
    let computed: Vec<NodeId> = graph
        .ids()
        .filter(|&id| !graph.node(id).op.is_leaf())
        .collect();
    let picked: Vec<NodeId> = if computed.len() <= MAX_PREFIXES {
        computed.clone()
    } else {
        (1..=MAX_PREFIXES)
            .map(|k| computed[k * computed.len() / MAX_PREFIXES - 1])
            .collect()
    };
    let mut out = Vec::new();
    for id in picked {
        let prefix = Graph::from_nodes(graph.nodes()[..=id.0].to_vec(), id);
        let expressions = symbolic::differentiate(&prefix)?;
        let derivative_size = expressions
            .derivatives
            .iter()
            .flatten()
            .fold(0u64, |sum, &d| {
                sum.saturating_add(expressions.arena.tree_size(d))
            });
        out.push(Swell {
            node: id,
            name: graph.node(id).name.clone(),
            graph_nodes: computed.iter().filter(|c| c.0 <= id.0).count(),
            value_size: expressions.arena.tree_size(expressions.output),
            derivative_size: derivative_size.max(1),
        });
    }
    Ok(out)
}

/// The swell plot: the derivative's tree size and the graph's node count against the
/// prefix's node count, sizes in powers of ten.
pub fn swell_chart(swell: &[Swell], width: f64, height: f64) -> String {
    let log = |n: u64| (n.max(1) as f64).log10();
    let derivative: Vec<(f64, f64)> = swell
        .iter()
        .map(|s| (s.graph_nodes as f64, log(s.derivative_size)))
        .collect();
    let nodes: Vec<(f64, f64)> = swell
        .iter()
        .map(|s| (s.graph_nodes as f64, log(s.graph_nodes as u64)))
        .collect();
    let x = finite_bounds(derivative.iter().map(|p| p.0));
    let (_, y_hi) = finite_bounds(derivative.iter().chain(&nodes).map(|p| p.1));
    let frame = Frame::new(
        (x.0.min(1.0), x.1),
        (0.0, y_hi.max(1.0)),
        (Scale::Linear, Scale::Log),
        width,
        height,
    );
    let mut body = frame.axes("computed nodes in the program", "size");
    body.push_str(&frame.curve(&nodes, "lp-line shared"));
    body.push_str(&frame.curve(&derivative, "lp-line derivative"));
    for &(x, y) in &derivative {
        body.push_str(&frame.dot(x, y, "lp-dot derivative"));
    }
    document(
        width,
        height,
        "lesson-plot swell-plot",
        "The symbolic derivative's size as a tree against the program's computed nodes",
        &body,
    )
}

/// The finite-difference plot: `log10 |error|` against `log10 h` for the forward and the
/// central difference, the best h of each marked.
pub fn finite_chart(sweep: &Sweep, width: f64, height: f64) -> String {
    let log = |v: f64| v.log10();
    let central: Vec<(f64, f64)> = sweep
        .samples
        .iter()
        .map(|s| (log(s.h), log(s.central_error)))
        .collect();
    let forward: Vec<(f64, f64)> = sweep
        .samples
        .iter()
        .map(|s| (log(s.h), log(s.forward_error)))
        .collect();
    let x = finite_bounds(central.iter().map(|p| p.0));
    let y = finite_bounds(central.iter().chain(&forward).map(|p| p.1));
    let frame = Frame::new(x, y, (Scale::Log, Scale::Log), width, height);
    let mut body = frame.axes("step h", "|error|");
    body.push_str(&frame.marker(log(sweep.best_central), "lp-best", "best central h"));
    body.push_str(&frame.curve(&forward, "lp-line forward"));
    body.push_str(&frame.curve(&central, "lp-line central"));
    for &(x, y) in forward.iter() {
        body.push_str(&frame.dot(x, y, "lp-dot forward"));
    }
    for &(x, y) in central.iter() {
        body.push_str(&frame.dot(x, y, "lp-dot central"));
    }
    document(
        width,
        height,
        "lesson-plot finite-plot",
        "Finite-difference error against the step h, both on log scales",
        &body,
    )
}

/// Where the sweep's error is smallest, and what it is there.
pub fn best(sweep: &Sweep) -> (f64, f64, f64) {
    let at = |h: f64| {
        sweep
            .samples
            .iter()
            .find(|s| s.h == h)
            .map_or((f64::NAN, f64::NAN), |s| (s.central, s.central_error))
    };
    let (value, error) = at(sweep.best_central);
    (sweep.best_central, value, error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::four_ways::finite;
    use crate::program::compile;
    use crate::tensor::Tensor;

    #[test]
    fn the_derivative_swells_faster_than_the_graph() {
        // Each sin multiplies the derivative by a cos of everything below it.
        let graph = compile("sin(sin(sin(sin(sin(x)))))").unwrap();
        let s = swell(&graph).unwrap();
        assert_eq!(s.len(), 5);
        assert_eq!(
            s.iter().map(|p| p.graph_nodes).collect::<Vec<_>>(),
            [1, 2, 3, 4, 5]
        );
        // d sin(x) = cos(x): 2 nodes; the product form is cos(v)·(previous) each time.
        // cos(x), cos(sin(x))·cos(x), … : each adds a cos of everything under it.
        assert_eq!(
            s.iter().map(|p| p.derivative_size).collect::<Vec<_>>(),
            [2, 6, 11, 17, 24]
        );
        assert_eq!(
            s.iter().map(|p| p.value_size).collect::<Vec<_>>(),
            [2, 3, 4, 5, 6]
        );
        // Quadratic growth against the graph's linear count.
        let last = s.last().unwrap();
        assert!(
            last.derivative_size as usize > 3 * last.graph_nodes,
            "{s:?}"
        );
        let whole = crate::engine::four_ways::four_ways(&graph, &[Tensor::scalar(0.3)]).unwrap();
        assert_eq!(last.derivative_size, whole.inputs[0].symbolic_size);
    }

    #[test]
    fn long_programs_measure_forty_prefixes_ending_with_the_whole() {
        let source = (0..100).fold("x".to_string(), |e, _| format!("tanh({e})"));
        let graph = compile(&source).unwrap();
        let s = swell(&graph).unwrap();
        assert_eq!(s.len(), MAX_PREFIXES);
        assert_eq!(s.last().unwrap().node, graph.output());
        assert_eq!(s.last().unwrap().graph_nodes, 100);
        assert!(s.windows(2).all(|w| w[0].graph_nodes < w[1].graph_nodes));
    }

    #[test]
    fn the_plots_mark_the_best_h_and_draw_both_differences() {
        let graph = compile("exp(x)").unwrap();
        let sweep = finite::sweep(&graph, &[Tensor::scalar(1.0)], 0, 1f64.exp());
        let svg = finite_chart(&sweep, 400.0, 220.0);
        assert!(svg.contains("lp-line forward") && svg.contains("lp-line central"));
        assert!(svg.contains("best central h"));
        assert_eq!(svg.matches("lp-dot central").count(), 15 - zeros(&sweep));
        let (h, value, error) = best(&sweep);
        assert_eq!(h, sweep.best_central);
        assert!((value - 1f64.exp()).abs() == error && error < 1e-9);
        let swell_svg = swell_chart(&swell(&compile("sin(x^2)").unwrap()).unwrap(), 300.0, 200.0);
        assert!(swell_svg.contains("lp-line derivative") && swell_svg.contains("<svg"));
    }

    fn zeros(sweep: &Sweep) -> usize {
        sweep
            .samples
            .iter()
            .filter(|s| s.central_error == 0.0)
            .count()
    }
}
