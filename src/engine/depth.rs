//! Adjoint magnitudes by depth, to see gradients vanish or explode: each node's distance
//! from the output (the longest path, so a layer's nodes line up) and the size of its
//! adjoint (|x̄| for a number, the norm ‖x̄‖ for a tensor).

use crate::graph::{Graph, NodeId};
use crate::tensor::Tensor;

/// Every node's depth: the most edges on a path from it to the output (0 for the output;
/// None for nodes the output does not read).
pub fn depths(graph: &Graph) -> Vec<Option<usize>> {
    let mut depth: Vec<Option<usize>> = vec![None; graph.len()];
    if graph.is_empty() {
        return depth;
    }
    depth[graph.output().0] = Some(0);
    // Inputs have smaller ids than their consumers: one reverse walk suffices.
    for id in graph.ids().rev() {
        let Some(d) = depth[id.0] else {
            continue;
        };
        for input in &graph.node(id).inputs {
            let slot = &mut depth[input.0];
            *slot = Some(slot.map_or(d + 1, |old| old.max(d + 1)));
        }
    }
    depth
}

/// One node's adjoint size at its depth.
#[derive(Clone, Debug, PartialEq)]
pub struct DepthPoint {
    pub depth: usize,
    pub name: String,
    pub magnitude: f64,
}

/// The size of each adjoint known so far, by depth (constants have none).
pub fn profile<A: AsRef<Tensor>>(
    graph: &Graph,
    adjoint: impl Fn(NodeId) -> Option<A>,
) -> Vec<DepthPoint> {
    let depth = depths(graph);
    let mut points: Vec<DepthPoint> = graph
        .ids()
        .filter(|&id| !graph.node(id).op.is_constant())
        .filter_map(|id| {
            let d = depth[id.0]?;
            let value = adjoint(id)?;
            let magnitude = value
                .as_ref()
                .data()
                .iter()
                .map(|x| x * x)
                .sum::<f64>()
                .sqrt();
            Some(DepthPoint {
                depth: d,
                name: graph.node(id).name.clone(),
                magnitude,
            })
        })
        .collect();
    points.sort_by_key(|p| p.depth);
    points
}

/// Whether a plot of the profile says something: a chain deep enough, with adjoints
/// known at several depths.
pub fn worth_plotting(points: &[DepthPoint]) -> bool {
    let mut seen: Vec<usize> = points.iter().map(|p| p.depth).collect();
    seen.dedup();
    seen.len() >= 4
}

/// How much the adjoint shrinks (< 1) or grows (> 1) per depth step, on average from the
/// shallowest to the deepest known non-zero adjoint.
pub fn factor_per_depth(points: &[DepthPoint]) -> Option<f64> {
    let nonzero: Vec<&DepthPoint> = points
        .iter()
        .filter(|p| p.magnitude > 0.0 && p.magnitude.is_finite())
        .collect();
    let (first, last) = (nonzero.first()?, nonzero.last()?);
    let span = last.depth.checked_sub(first.depth).filter(|&s| s > 0)?;
    Some((last.magnitude / first.magnitude).powf(1.0 / span as f64))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Mode, Stepper, inputs};
    use crate::examples;
    use crate::program::compile;

    fn stepped(slug: &str) -> Stepper {
        let example = examples::all()
            .into_iter()
            .find(|e| e.slug == slug)
            .unwrap();
        let graph = compile(example.program).unwrap();
        let values = inputs::resolve(&graph, &[], Some(1.0)).unwrap();
        let mut stepper = Stepper::new(graph, values, Mode::Reverse).unwrap();
        stepper.run_to_end();
        stepper
    }

    #[test]
    fn depth_is_the_longest_path_to_the_output() {
        let graph = compile("(x1 + x2) * x1").unwrap();
        let d = depths(&graph);
        // x1 x2 v3 v4: x1 reaches v4 directly and through v3.
        assert_eq!(d, vec![Some(2), Some(2), Some(1), Some(0)]);
    }

    #[test]
    fn the_sigmoid_chain_vanishes() {
        let stepper = stepped("vanishing-sigmoid");
        let points = profile(stepper.graph(), |id| stepper.adjoint(id));
        assert!(worth_plotting(&points));
        assert_eq!(points[0].magnitude, 1.0, "the output's adjoint is 1");
        let x = points.iter().find(|p| p.name == "x").unwrap();
        assert!(x.magnitude < 1e-4, "{x:?}");
        assert!(factor_per_depth(&points).unwrap() < 0.6);
    }

    #[test]
    fn the_repeated_weight_explodes() {
        let stepper = stepped("exploding-product");
        let points = profile(stepper.graph(), |id| stepper.adjoint(id));
        let x = points.iter().find(|p| p.name == "x").unwrap();
        assert_eq!(x.magnitude, 6561.0);
        assert!(factor_per_depth(&points).unwrap() > 1.5);
    }
}
