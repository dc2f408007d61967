//! A network's layers and how large their signals are: a layer is a product `h @ W` with
//! a parameter matrix `W`, followed by what only it feeds (`+ b` with a parameter `b`, an
//! activation, copies); its output is the last of those. For each layer the root mean
//! square of its output (the activations of the latest minibatch) and of `∂L/∂W` (the
//! gradient its weights were updated with) show, layer by layer, whether the signal keeps
//! its size going forward and backward or vanishes or explodes with depth.

use crate::graph::{Graph, NodeId, Role};
use crate::op::Op;

/// One dense layer of a program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layer {
    /// The output's name (`h1`, `logits`).
    pub name: String,
    pub weight: NodeId,
    pub output: NodeId,
}

/// The sizes of one layer's signals.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LayerSize {
    /// RMS of the layer's output over the minibatch.
    pub activation: f64,
    /// RMS of the weights' gradient.
    pub gradient: f64,
}

/// Every layer's sizes after one step.
#[derive(Clone, Debug, PartialEq)]
pub struct Profile {
    /// The updates made when it was taken.
    pub step: u64,
    pub layers: Vec<LayerSize>,
}

/// `√(mean x²)`: NaN when any value is not finite, 0 for no values.
pub fn rms(values: &[f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    (values.iter().map(|x| x * x).sum::<f64>() / values.len() as f64).sqrt()
}

/// Whether `op` passes a layer's signal on, element by element, as an activation does.
fn is_activation(op: Op) -> bool {
    matches!(
        op,
        Op::Relu | Op::Tanh | Op::Sigmoid | Op::Gelu | Op::Identity | Op::Abs
    )
}

/// The program's layers in the order they compute.
pub fn layers(graph: &Graph) -> Vec<Layer> {
    let nodes = graph.nodes();
    let mut consumers: Vec<Vec<NodeId>> = vec![Vec::new(); nodes.len()];
    for id in graph.ids() {
        for input in &graph.node(id).inputs {
            consumers[input.0].push(id);
        }
    }
    let is_param = |id: NodeId| graph.node(id).role == Role::Param;
    let mut found = Vec::new();
    for id in graph.ids() {
        let node = graph.node(id);
        if node.op != Op::MatMul {
            continue;
        }
        let weight = node.inputs[1];
        if !is_param(weight) || graph.node(weight).shape.len() != 2 {
            continue;
        }
        let mut output = id;
        while let [next] = consumers[output.0].as_slice() {
            let consumer = graph.node(*next);
            let bias = consumer.op == Op::Add
                && consumer
                    .inputs
                    .iter()
                    .any(|&other| other != output && is_param(other));
            if !(bias || is_activation(consumer.op)) {
                break;
            }
            output = *next;
        }
        found.push(Layer {
            name: graph.node(output).name.clone(),
            weight,
            output,
        });
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::compile;

    #[test]
    fn the_form_networks_layers() {
        let graph = compile(
            "X = features(moons, 64, 8)
y = labels(moons, 64, 8)
W1 = param(he([2, 4], 1))
b1 = param(zeros([4]))
W2 = param(he([4, 4], 2))
b2 = param(zeros([4]))
W3 = param(glorot([4, 2], 3))
b3 = param(zeros([2]))
h1 = relu(X @ W1 + b1)
h2 = relu(b2 + h1 @ W2)
logits = h2 @ W3 + b3
L = cross_entropy(logits, y)",
        )
        .unwrap();
        let found = layers(&graph);
        let names: Vec<&str> = found.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["h1", "h2", "logits"]);
        let weights: Vec<&str> = found
            .iter()
            .map(|l| graph.node(l.weight).name.as_str())
            .collect();
        assert_eq!(weights, ["W1", "W2", "W3"]);
    }

    #[test]
    fn a_layer_ends_where_its_output_is_shared_or_not_a_layer_op() {
        let graph = compile(
            "X = randn([4, 3], 1)
W = param(randn([3, 3], 2))
h = relu(X @ W)
L = mean(h * h) + sum(h)",
        )
        .unwrap();
        let found = layers(&graph);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].name, "h");
        // A product with a constant matrix is not a layer.
        let graph = compile("X = randn([2, 2], 1)\nw = param(1)\nL = sum(X @ X) * w").unwrap();
        assert!(layers(&graph).is_empty());
    }

    #[test]
    fn rms_by_hand() {
        // √((9 + 16 + 0 + 0) / 4) = √6.25 = 2.5
        assert_eq!(rms(&[3.0, -4.0, 0.0, 0.0]), 2.5);
        assert_eq!(rms(&[]), 0.0);
        assert!(rms(&[1.0, f64::NAN]).is_nan());
        assert!(rms(&[1.0, f64::INFINITY]).is_infinite());
    }
}
