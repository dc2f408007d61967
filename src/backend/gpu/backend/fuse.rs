//! Dense layers found in a graph, to run fused (ops/dense.rs): a product `x @ w` of two
//! matrices, read only by an add of a bias broadcast over its rows (shape `[cols]` or
//! `[1, cols]`, either side of the `+`), and that sum read only by a relu, tanh or
//! sigmoid — or by anything else, when the layer ends at the sum. The product and the sum
//! inside a layer are read by nothing else and are not the output, so their values are
//! needed only if someone asks (see `record::materialize`). `x`, `w` and `b` are three
//! different nodes (their gradients are written by one dispatch). Pure data.

use super::super::Activation;
use crate::graph::{Graph, NodeId};
use crate::op::Op;

/// One fused layer: `output = act(x @ w + b)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Layer {
    pub(crate) x: NodeId,
    pub(crate) w: NodeId,
    pub(crate) b: NodeId,
    pub(crate) activation: Activation,
    /// The nodes computed inside the layer's kernel, in id order: the product, and the
    /// sum when an activation follows it.
    pub(crate) inside: Vec<NodeId>,
    /// The node whose value the layer's kernel writes.
    pub(crate) output: NodeId,
}

/// Every dense layer of `graph`, in id order.
pub(crate) fn layers(graph: &Graph) -> Vec<Layer> {
    let nodes = graph.nodes();
    // The one node reading each node, when exactly one read does.
    let mut reads = vec![0usize; nodes.len()];
    let mut reader: Vec<Option<NodeId>> = vec![None; nodes.len()];
    for (id, node) in nodes.iter().enumerate() {
        for input in &node.inputs {
            reads[input.0] += 1;
            reader[input.0] = Some(NodeId(id));
        }
    }
    let only_reader = |id: NodeId| {
        (reads[id.0] == 1 && id != graph.output())
            .then_some(reader[id.0])
            .flatten()
    };
    let mut found = Vec::new();
    for id in graph.ids() {
        let product = graph.node(id);
        let (&[x, w], Op::MatMul) = (product.inputs.as_slice(), product.op) else {
            continue;
        };
        let (&[rows, inner], &[_, cols]) = (
            graph.node(x).shape.as_slice(),
            graph.node(w).shape.as_slice(),
        ) else {
            continue;
        };
        if rows == 0 || inner == 0 || cols == 0 {
            continue;
        }
        let Some(sum) = only_reader(id) else { continue };
        let add = graph.node(sum);
        let b = match (add.op, add.inputs.as_slice()) {
            (Op::Add, &[left, right]) if left == id => right,
            (Op::Add, &[left, right]) if right == id => left,
            _ => continue,
        };
        let bias_shape = graph.node(b).shape.as_slice();
        if add.shape != product.shape || (bias_shape != [cols] && bias_shape != [1, cols]) {
            continue;
        }
        if x == w || b == x || b == w {
            continue;
        }
        let activated = only_reader(sum).and_then(|next| {
            let activation = Activation::of(graph.node(next).op)?;
            Some((next, activation))
        });
        let layer = match activated {
            Some((output, activation)) => Layer {
                x,
                w,
                b,
                activation,
                inside: vec![id, sum],
                output,
            },
            None => Layer {
                x,
                w,
                b,
                activation: Activation::None,
                inside: vec![id],
                output: sum,
            },
        };
        found.push(layer);
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::compile;

    fn layers_of(source: &str) -> (Graph, Vec<Layer>) {
        let graph = compile(source).expect("compiles");
        let found = layers(&graph);
        (graph, found)
    }

    #[test]
    fn the_moons_mlp_is_three_layers() {
        let (graph, found) = layers_of(include_str!("../../../../www/examples/07-moons-mlp.bp"));
        let node = |name: &str| graph.find(name).expect(name);
        let summary: Vec<(NodeId, NodeId, NodeId, Activation)> = found
            .iter()
            .map(|layer| (layer.x, layer.w, layer.b, layer.activation))
            .collect();
        assert_eq!(
            summary,
            [
                (node("X"), node("W1"), node("b1"), Activation::Relu),
                (node("h1"), node("W2"), node("b2"), Activation::Relu),
                (node("h2"), node("W3"), node("b3"), Activation::None),
            ]
        );
        assert_eq!(found[2].output, node("logits"));
        assert_eq!(found[0].output, node("h1"));
        assert_eq!(found[0].inside.len(), 2);
    }

    #[test]
    fn the_bias_may_come_first_and_be_a_row() {
        let (graph, found) = layers_of(
            "x = [[1, 2], [3, 4], [5, 6]]\nW = param([[1, 2, 3], [4, 5, 6]])\nb = param([[1, 2, 3]])\nsum(sigmoid(b + x @ W))",
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].b, graph.find("b").unwrap());
        assert_eq!(found[0].activation, Activation::Sigmoid);
    }

    #[test]
    fn what_else_reads_the_inside_or_is_not_a_bias_stays_unfused() {
        // The product read twice.
        let (_, found) = layers_of(
            "x = param([[1, 2]])\nW = param([[1], [2]])\nb = param([3])\nz = x @ W\nsum(z + b) + sum(z)",
        );
        assert!(found.is_empty());
        // The sum read twice: the layer ends at the sum, the activation stays apart.
        let (graph, found) = layers_of(
            "x = param([[1, 2]])\nW = param([[1], [2]])\nb = param([3])\nz = x @ W + b\nsum(relu(z)) + sum(z)",
        );
        assert_eq!(found.len(), 1);
        assert_eq!(
            (found[0].activation, found[0].output),
            (Activation::None, graph.find("z").unwrap())
        );
        // A full-size addend is not a bias.
        let (_, found) = layers_of(
            "x = param([[1, 2], [3, 4]])\nW = param([[1, 2], [3, 4]])\nc = param([[1, 2], [3, 4]])\nsum(tanh(x @ W + c))",
        );
        assert!(found.is_empty());
        // A vector operand, a product that is the output, a bias that is an operand.
        assert!(
            layers_of("x = param([1, 2])\nW = param([[1], [2]])\nb = param([3])\nsum(x @ W + b)")
                .1
                .is_empty()
        );
        assert!(
            layers_of("x = param([[1, 2]])\nW = param([[1], [2]])\nx @ W")
                .1
                .is_empty()
        );
        assert!(
            layers_of("x = param([[1, 2]])\nW = param([[1, 2], [3, 4]])\nsum(x @ W + x)")
                .1
                .is_empty()
        );
        // An activation the kernel does not have ends the layer at the sum.
        let (_, found) = layers_of(
            "x = param([[1, 2]])\nW = param([[1], [2]])\nb = param([3])\nsum(exp(x @ W + b))",
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].activation, Activation::None);
    }
}
