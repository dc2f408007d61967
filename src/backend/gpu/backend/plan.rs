//! The plan of a loaded graph, worked out once at load: the GPU kernel family of every
//! node, which nodes receive an adjoint, and, in the order the backward pass visits them,
//! where each node sends its contributions — into a computed input's adjoint (overwriting
//! it with the first contribution, adding the rest) or straight into a leaf's gradient.
//!
//! One contribution needs no work at all: through `+`, the left side of `−` or a copy, a
//! computed operand of the output's shape that nothing else reads has exactly the
//! output's adjoint, so it shares that buffer (`owner`) instead of receiving a copy — the
//! `X @ W` under every `X @ W + b` that is not fused.
//!
//! Dense layers (`act(x @ w + b)`, found by [`fuse::layers`]) run as one node each way:
//! the layer's last node gets [`Kernel::Dense`] with `x`, `w` and `b` as its operands, and
//! the product and sum inside it get [`Kernel::Inside`]. Pure data: no device needed.

use super::super::{Activation, BinaryOp, ElementwiseKernel, UnaryOp, Write};
use super::fuse::{self, Layer};
use crate::graph::{Graph, NodeId};
use crate::op::{Axis, Kind, Loss, Matrix, Normalization, Op, Reduction};
use crate::tensor::reduce::Over;

/// How a node is computed on the GPU.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Kernel {
    /// An input, a constant or a literal: its buffer holds its value.
    Leaf,
    Unary(UnaryOp),
    Binary(BinaryOp),
    /// `where(c, a, b)`.
    Select,
    MatMul,
    Transpose,
    Sum(Over),
    Mean(Over),
    Max(Over),
    ArgMax(Over),
    Softmax,
    LogSoftmax,
    LayerNorm,
    CrossEntropy,
    Mse,
    /// `act(x @ w + b)` in one kernel each way; its operands are `[x, w, b]`.
    Dense(Activation),
    /// Computed inside a later node's [`Kernel::Dense`] and not stored, unless read.
    Inside,
}

impl Kernel {
    /// The kernel of `op` on its own, unfused.
    pub(crate) fn of(op: Op) -> Kernel {
        let over = |axis: Axis| axis.map_or(Over::All, Over::Axis);
        match op.kind() {
            Kind::Leaf(_) => Kernel::Leaf,
            Kind::Elementwise(_) => match ElementwiseKernel::of(op) {
                Some(ElementwiseKernel::Unary(unary)) => Kernel::Unary(unary),
                Some(ElementwiseKernel::Binary(binary)) => Kernel::Binary(binary),
                Some(ElementwiseKernel::Select) => Kernel::Select,
                // Every elementwise op has a kernel (tested), so this is never reached.
                None => Kernel::Leaf,
            },
            Kind::Reduction(Reduction::Sum, axis) => Kernel::Sum(over(axis)),
            Kind::Reduction(Reduction::Mean, axis) => Kernel::Mean(over(axis)),
            Kind::Reduction(Reduction::Max, axis) => Kernel::Max(over(axis)),
            Kind::Reduction(Reduction::ArgMax, axis) => Kernel::ArgMax(over(axis)),
            Kind::Matrix(Matrix::Product) => Kernel::MatMul,
            Kind::Matrix(Matrix::Transpose) => Kernel::Transpose,
            Kind::Normalization(Normalization::Softmax) => Kernel::Softmax,
            Kind::Normalization(Normalization::LogSoftmax) => Kernel::LogSoftmax,
            Kind::Normalization(Normalization::LayerNorm) => Kernel::LayerNorm,
            Kind::Loss(Loss::CrossEntropy) => Kernel::CrossEntropy,
            Kind::Loss(Loss::Mse) => Kernel::Mse,
        }
    }
}

/// Where one backward contribution goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    /// A computed input's adjoint, overwritten by its first contribution.
    Adjoint(NodeId, Write),
    /// An input leaf's gradient, which accumulates across backward passes.
    Gradient(NodeId),
    /// Nothing flows (the labels of `cross_entropy`, the condition of `where`, anything
    /// through `detach`, a step, a comparison or `argmax` get a zero gradient) but the
    /// computed input's adjoint must exist: it is set to zero when this is its first
    /// contribution.
    ZeroAdjoint(NodeId, Write),
}

/// The contributions of one node's backward rule, one per operand that receives one.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Visit {
    pub(crate) node: NodeId,
    /// `(operand position, target)`, in operand order.
    pub(crate) sends: Vec<(usize, Target)>,
}

/// A leaf holding class labels: its values are checked as the CPU checks them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct LabelUse {
    pub(crate) leaf: NodeId,
    /// The `cross_entropy` node that reads them (named in errors, as on the CPU).
    pub(crate) loss: NodeId,
    pub(crate) classes: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Plan {
    pub(crate) kernels: Vec<Kernel>,
    /// What each node's kernel reads: its inputs, or `[x, w, b]` for a dense layer.
    pub(crate) operands: Vec<Vec<NodeId>>,
    /// The fused layers; [`Plan::layer_inside`] finds the one computing a node inside.
    pub(crate) layers: Vec<Layer>,
    /// Computed nodes other than the output that receive an adjoint in a buffer of their
    /// own.
    pub(crate) has_adjoint: Vec<bool>,
    /// Whose adjoint buffer holds each node's adjoint: its own, or the one of the node it
    /// passes through unchanged (the output's is the seed).
    pub(crate) owner: Vec<NodeId>,
    /// Input leaves whose gradient some backward contribution reaches.
    pub(crate) gradient_reached: Vec<bool>,
    /// The computed nodes that receive an adjoint, in the backward order (highest id first).
    pub(crate) visits: Vec<Visit>,
    /// Whether the output is an input leaf (its gradient gets the seed itself).
    pub(crate) output_is_input: bool,
    pub(crate) labels: Vec<LabelUse>,
    /// Dense layers with an activation whose adjoint arrives as their δ (already times
    /// the activation's derivative): their output is read only by another dense layer,
    /// whose backward kernel applies the derivative as it writes the adjoint, so theirs
    /// runs without the activation ([`Plan::delta_activation`]).
    pub(crate) delta_ready: Vec<bool>,
}

impl Plan {
    pub(crate) fn new(graph: &Graph) -> Plan {
        let nodes = graph.nodes();
        let output = graph.output();
        let mut kernels: Vec<Kernel> = nodes.iter().map(|node| Kernel::of(node.op)).collect();
        let mut operands: Vec<Vec<NodeId>> = nodes.iter().map(|node| node.inputs.clone()).collect();
        let layers = fuse::layers(graph);
        for layer in &layers {
            for inside in &layer.inside {
                kernels[inside.0] = Kernel::Inside;
            }
            kernels[layer.output.0] = Kernel::Dense(layer.activation);
            operands[layer.output.0] = vec![layer.x, layer.w, layer.b];
        }
        let mut receives = vec![false; nodes.len()];
        receives[output.0] = true;
        let mut has_adjoint = vec![false; nodes.len()];
        let mut gradient_reached = vec![false; nodes.len()];
        let mut owner: Vec<NodeId> = graph.ids().collect();
        let mut reads = vec![0usize; nodes.len()];
        for input in nodes.iter().flat_map(|node| &node.inputs) {
            reads[input.0] += 1;
        }
        let mut visits = Vec::new();
        for id in graph.ids().rev() {
            let node = graph.node(id);
            if !receives[id.0] || node.op.is_leaf() {
                continue;
            }
            let dense = matches!(kernels[id.0], Kernel::Dense(_));
            let mut sends = Vec::new();
            for (position, &input) in operands[id.0].iter().enumerate() {
                let source = graph.node(input);
                if source.op.is_constant() {
                    continue;
                }
                // Class labels, the condition of `where`, and whatever goes into a
                // selection or `detach`: nothing flows back.
                let labels = !dense && !node.op.passes_gradient_to(position);
                let passes_through = !dense
                    && (matches!(node.op, Op::Add | Op::Identity)
                        || (node.op == Op::Sub && position == 0));
                if passes_through
                    && !source.op.is_leaf()
                    && reads[input.0] == 1
                    && source.shape == node.shape
                {
                    owner[input.0] = owner[id.0];
                    receives[input.0] = true;
                    continue;
                }
                let target = if source.op.is_leaf() {
                    if labels {
                        // A zero added to a gradient changes nothing.
                        continue;
                    }
                    gradient_reached[input.0] = true;
                    Target::Gradient(input)
                } else {
                    let write = if receives[input.0] {
                        Write::Accumulate
                    } else {
                        Write::Overwrite
                    };
                    has_adjoint[input.0] = true;
                    if labels {
                        Target::ZeroAdjoint(input, write)
                    } else {
                        Target::Adjoint(input, write)
                    }
                };
                receives[input.0] = true;
                sends.push((position, target));
            }
            visits.push(Visit { node: id, sends });
        }
        let delta_ready = delta_ready(&kernels, &operands, &owner, &visits);
        let output_is_input = graph.node(output).op == Op::Input;
        if output_is_input {
            gradient_reached[output.0] = true;
        }
        let labels = nodes
            .iter()
            .enumerate()
            .filter(|(_, node)| node.op == Op::CrossEntropy)
            .filter_map(|(id, node)| {
                let (&logits, &leaf) = (node.inputs.first()?, node.inputs.get(1)?);
                let classes = *graph.node(logits).shape.get(1)?;
                graph.node(leaf).op.is_leaf().then_some(LabelUse {
                    leaf,
                    loss: NodeId(id),
                    classes,
                })
            })
            .collect();
        Plan {
            kernels,
            operands,
            layers,
            has_adjoint,
            owner,
            gradient_reached,
            visits,
            output_is_input,
            labels,
            delta_ready,
        }
    }
}

/// Which dense layers' adjoints can arrive as δ (see [`Plan::delta_ready`]): a layer with
/// an activation whose only contribution is the overwrite of its own adjoint buffer by
/// the backward of a dense layer reading it as `x`.
fn delta_ready(
    kernels: &[Kernel],
    operands: &[Vec<NodeId>],
    owner: &[NodeId],
    visits: &[Visit],
) -> Vec<bool> {
    let mut contributions = vec![0usize; kernels.len()];
    let mut from_dense_x = vec![false; kernels.len()];
    for visit in visits {
        for &(position, target) in &visit.sends {
            let (Target::Adjoint(node, write) | Target::ZeroAdjoint(node, write)) = target else {
                continue;
            };
            contributions[node.0] += 1;
            let dense = matches!(kernels[visit.node.0], Kernel::Dense(_));
            if dense
                && position == 0
                && write == Write::Overwrite
                && matches!(target, Target::Adjoint(..))
                && operands[visit.node.0].first() == Some(&node)
            {
                from_dense_x[node.0] = true;
            }
        }
    }
    (0..kernels.len())
        .map(|id| {
            let activated = matches!(kernels[id], Kernel::Dense(act) if act != Activation::None);
            activated && owner[id] == NodeId(id) && contributions[id] == 1 && from_dense_x[id]
        })
        .collect()
}

impl Plan {
    /// The activation whose derivative a dense layer's backward applies to its upstream
    /// to form its δ: its own, unless its adjoint already arrives as δ.
    pub(crate) fn delta_activation(&self, node: NodeId, activation: Activation) -> Activation {
        if self.delta_ready.get(node.0).copied().unwrap_or(false) {
            Activation::None
        } else {
            activation
        }
    }

    /// The activation of the layer computing `input`, when its δ is written by the layer
    /// reading it (see [`Plan::delta_ready`]); `None` otherwise.
    pub(crate) fn input_activation(&self, input: NodeId) -> Activation {
        match self.kernels.get(input.0) {
            Some(&Kernel::Dense(activation)) if self.delta_ready[input.0] => activation,
            _ => Activation::None,
        }
    }

    /// The fused layer that computes `node` inside its kernel, if one does.
    pub(crate) fn layer_inside(&self, node: NodeId) -> Option<&Layer> {
        self.layers
            .iter()
            .find(|layer| layer.inside.contains(&node))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::compile;

    fn plan_of(source: &str) -> (Graph, Plan) {
        let graph = compile(source).unwrap();
        let plan = Plan::new(&graph);
        (graph, plan)
    }

    #[test]
    fn a_variable_read_twice_gets_one_overwrite_then_an_add() {
        let (graph, plan) = plan_of("w = param(3); u = w * 2; v = u * u; v + u");
        let u = graph.find("u").unwrap();
        let w = graph.find("w").unwrap();
        let writes: Vec<Write> = plan
            .visits
            .iter()
            .flat_map(|visit| &visit.sends)
            .filter_map(|(_, target)| match target {
                Target::Adjoint(node, write) if *node == u => Some(*write),
                _ => None,
            })
            .collect();
        assert_eq!(
            writes,
            [Write::Overwrite, Write::Accumulate, Write::Accumulate]
        );
        assert!(plan.has_adjoint[u.0]);
        assert!(plan.gradient_reached[w.0]);
        // The constant 2 receives nothing.
        let two = graph.ids().find(|&id| graph.node(id).op == Op::Const(2.0));
        assert!(two.is_some_and(|two| !plan.gradient_reached[two.0]));
    }

    #[test]
    fn a_product_under_a_bias_shares_the_sums_adjoint() {
        let (graph, plan) = plan_of(
            "x = [[1, 2], [3, 4]]\nW = param([[1], [2]])\nb = param([[3], [4]])\nz = x @ W + b\nh = relu(z)\nsum(h * 2)",
        );
        // (`b` is not a bias over rows, so this is no dense layer.)
        assert!(plan.layers.is_empty());
        let z = graph.find("z").unwrap();
        let product = graph.node(z).inputs[0];
        assert_eq!(plan.owner[product.0], z);
        assert!(!plan.has_adjoint[product.0] && plan.has_adjoint[z.0]);
        // The sum sends only to the bias; the product's visit reads z's adjoint.
        let visit = plan.visits.iter().find(|visit| visit.node == z).unwrap();
        assert_eq!(visit.sends.len(), 1);
        assert!(plan.visits.iter().any(|visit| visit.node == product));
        // Read twice, or through a broadcast, a node keeps its own adjoint.
        let (graph, plan) =
            plan_of("w = param([1, 2]); a = w * 2; b = a + a; c = a * 3; sum(b + c)");
        let a = graph.find("a").unwrap();
        assert_eq!(plan.owner[a.0], a);
        let (graph, plan) = plan_of("w = param([1, 2]); a = sum(w * 2); sum(w * 3 + a)");
        let a = graph.find("a").unwrap();
        assert_eq!(plan.owner[a.0], a);
    }

    #[test]
    fn a_dense_layer_is_one_visit_to_its_three_operands() {
        let (graph, plan) = plan_of(
            "x = [[1, 2]]\nW = param([[1], [2]])\nb = param([3])\nz = x @ W + b\nh = relu(z)\nsum(h * 2)",
        );
        let node = |name: &str| graph.find(name).unwrap();
        let (h, z) = (node("h"), node("z"));
        let product = graph.node(z).inputs[0];
        assert_eq!(plan.kernels[h.0], Kernel::Dense(Activation::Relu));
        assert_eq!(plan.kernels[z.0], Kernel::Inside);
        assert_eq!(plan.kernels[product.0], Kernel::Inside);
        assert_eq!(plan.operands[h.0], [node("x"), node("W"), node("b")]);
        assert!(plan.layer_inside(z).is_some_and(|layer| layer.output == h));
        // Nothing inside is visited; the layer's visit reaches all three operands.
        assert!(
            plan.visits
                .iter()
                .all(|visit| visit.node != z && visit.node != product)
        );
        let visit = plan.visits.iter().find(|visit| visit.node == h).unwrap();
        assert_eq!(
            visit.sends,
            [
                (0, Target::Gradient(node("x"))),
                (1, Target::Gradient(node("W"))),
                (2, Target::Gradient(node("b")))
            ]
        );
    }

    #[test]
    fn a_layer_read_only_by_the_next_gets_its_delta_from_it() {
        let (graph, plan) = plan_of(
            "x = [[1, 2]]\nW1 = param([[1, 2], [3, 4]])\nb1 = param([1, 2])\nW2 = param([[1], [2]])\nb2 = param([3])\nh = tanh(x @ W1 + b1)\nz = h @ W2 + b2\nsum(z * 2)",
        );
        let node = |name: &str| graph.find(name).unwrap();
        let (h, z) = (node("h"), node("z"));
        assert_eq!(plan.kernels[h.0], Kernel::Dense(Activation::Tanh));
        assert!(plan.delta_ready[h.0], "h's adjoint arrives as its δ");
        assert!(!plan.delta_ready[z.0], "no activation: nothing to fold");
        assert_eq!(plan.delta_activation(h, Activation::Tanh), Activation::None);
        assert_eq!(plan.input_activation(h), Activation::Tanh);
        assert_eq!(plan.delta_activation(z, Activation::None), Activation::None);
        assert_eq!(plan.input_activation(node("x")), Activation::None);
        // Read twice, its adjoint is a sum: each layer forms its own δ.
        let (graph, plan) = plan_of(
            "x = [[1, 2]]\nW1 = param([[1, 2], [3, 4]])\nb1 = param([1, 2])\nW2 = param([[1], [2]])\nb2 = param([3])\nh = relu(x @ W1 + b1)\nz = h @ W2 + b2\nsum(z * 2) + sum(h)",
        );
        let h = graph.find("h").unwrap();
        assert!(!plan.delta_ready[h.0]);
        assert_eq!(plan.delta_activation(h, Activation::Relu), Activation::Relu);
    }

    #[test]
    fn labels_get_nothing_and_are_checked() {
        let (graph, plan) = plan_of(
            "X = features(moons, 16, 8)\ny = labels(moons, 16, 8)\nW = param(zeros([2, 2]))\nL = cross_entropy(X @ W, y)",
        );
        let y = graph.find("y").unwrap();
        let x = graph.find("X").unwrap();
        assert!(!plan.gradient_reached[y.0]);
        assert!(plan.gradient_reached[x.0]);
        assert_eq!(plan.labels.len(), 1);
        assert_eq!((plan.labels[0].leaf, plan.labels[0].classes), (y, 2));
        assert_eq!(plan.labels[0].loss, graph.output());
    }

    #[test]
    fn computed_labels_get_a_zero_adjoint() {
        let (graph, plan) = plan_of("z = param([[1, 2]]); t = [0] * 1; cross_entropy(z, t)");
        let t = graph.find("t").unwrap();
        let sends: Vec<Target> = plan.visits[0].sends.iter().map(|(_, t)| *t).collect();
        assert!(sends.contains(&Target::ZeroAdjoint(t, Write::Overwrite)));
        assert!(plan.labels.is_empty());
    }

    #[test]
    fn nothing_is_sent_through_detach_or_to_a_condition() {
        let (graph, plan) =
            plan_of("w = param([1, -2]); a = w * 3; b = detach(a); c = where(w > 0, w, b); sum(c)");
        let (w, a) = (graph.find("w").unwrap(), graph.find("a").unwrap());
        let sends: Vec<Target> = plan
            .visits
            .iter()
            .flat_map(|visit| visit.sends.iter().map(|(_, target)| *target))
            .collect();
        assert!(sends.contains(&Target::ZeroAdjoint(a, Write::Overwrite)));
        assert!(sends.contains(&Target::Gradient(w)), "the chosen branch");
        let through_detach = sends
            .iter()
            .filter(|t| matches!(t, Target::Adjoint(n, _) if *n == a));
        assert_eq!(through_detach.count(), 0);
    }

    #[test]
    fn unreached_nodes_are_not_visited() {
        let (graph, plan) = plan_of("x = param(2); a = x * 3; b = x + 1; b");
        let a = graph.find("a").unwrap();
        assert!(!plan.has_adjoint[a.0]);
        assert!(plan.visits.iter().all(|visit| visit.node != a));
        let (_, leaf_output) = plan_of("w = param(2); w");
        assert!(leaf_output.output_is_input && leaf_output.visits.is_empty());
    }
}
