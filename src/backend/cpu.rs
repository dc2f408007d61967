//! The CPU reference backend: the whole graph in f64, op by op, with the same forward
//! rules and vector-Jacobian products the stepper shows ([`super::ops`]). Every other
//! backend is tested against it. With [`Backend::set_storage`] it stores values and
//! adjoints in f32, f16 or bf16 (rounded where stored) and scales the loss.

use super::optimizer::{Optimizer, UpdateRule};
use super::{Backend, BackendError, Quantity};
use crate::graph::{Graph, Node, NodeId, Role};
use crate::op::Op;
use crate::precision::Precision;
use crate::tensor::{Tensor, ops};
use std::borrow::Cow;
use std::future::{Future, ready};

#[derive(Clone, Debug)]
pub struct CpuBackend {
    graph: Option<Graph>,
    /// Leaves' values as loaded or written; computed nodes' values after `forward`.
    values: Vec<Option<Tensor>>,
    /// Each leaf's accumulated gradient.
    grads: Vec<Option<Tensor>>,
    optimizer: Option<Optimizer>,
    precision: Precision,
    loss_scale: f64,
    /// Adjoint numbers the last backward pass computed as nonzero and stored as 0.
    underflows: u64,
}

impl Default for CpuBackend {
    fn default() -> CpuBackend {
        CpuBackend {
            graph: None,
            values: Vec::new(),
            grads: Vec::new(),
            optimizer: None,
            precision: Precision::F64,
            loss_scale: 1.0,
            underflows: 0,
        }
    }
}

impl CpuBackend {
    pub fn new() -> CpuBackend {
        CpuBackend::default()
    }

    fn graph(&self) -> Result<&Graph, BackendError> {
        self.graph.as_ref().ok_or(BackendError::NotLoaded)
    }

    fn check_node(&self, node: NodeId) -> Result<&crate::graph::Node, BackendError> {
        self.graph()?
            .nodes()
            .get(node.0)
            .ok_or(BackendError::UnknownNode { node })
    }

    /// A tensor as this backend stores it.
    fn store(&self, tensor: Tensor) -> Tensor {
        match self.precision {
            Precision::F64 => tensor,
            precision => tensor.map(|x| precision.round(x)),
        }
    }

    /// A computed adjoint as this backend stores it, counting into `lost` the nonzero
    /// numbers stored as 0.
    fn store_counting(&self, tensor: Tensor, lost: &mut u64) -> Tensor {
        if self.precision == Precision::F64 {
            return tensor;
        }
        let stored = self.store(tensor.clone());
        *lost += tensor
            .data()
            .iter()
            .zip(stored.data())
            .filter(|&(&computed, &kept)| computed != 0.0 && kept == 0.0)
            .count() as u64;
        stored
    }

    /// The value an op reads: a leaf's (the f64 master copy) rounded to the storage
    /// precision, a computed node's as stored.
    fn operand(&self, graph: &Graph, node: NodeId) -> Option<Cow<'_, Tensor>> {
        let value = self.values.get(node.0)?.as_ref()?;
        let leaf = graph.nodes().get(node.0)?.op.is_leaf();
        Some(if leaf && self.precision != Precision::F64 {
            Cow::Owned(self.store(value.clone()))
        } else {
            Cow::Borrowed(value)
        })
    }

    /// A node's value, without the future (the CPU has it at once).
    pub fn value(&self, node: NodeId) -> Result<&Tensor, BackendError> {
        self.check_node(node)?;
        self.values[node.0]
            .as_ref()
            .ok_or(BackendError::NotComputed {
                node,
                what: "value",
            })
    }

    /// A leaf's accumulated gradient, without the future.
    pub fn gradient(&self, node: NodeId) -> Result<&Tensor, BackendError> {
        self.check_node(node)?;
        self.grads[node.0]
            .as_ref()
            .ok_or(BackendError::NotComputed {
                node,
                what: "gradient",
            })
    }
}

/// What a training run keeps besides the parameters, for moving it elsewhere exactly.
impl CpuBackend {
    /// The optimizer and what it remembers (None before the first update).
    pub fn optimizer(&self) -> Option<&Optimizer> {
        self.optimizer.as_ref()
    }

    pub fn set_optimizer(&mut self, optimizer: Option<Optimizer>) {
        self.optimizer = optimizer;
    }

    /// Each leaf's accumulated gradient, by node.
    pub fn gradients(&self) -> Vec<(NodeId, Tensor)> {
        (self.grads.iter().enumerate())
            .filter_map(|(id, grad)| Some((NodeId(id), grad.clone()?)))
            .collect()
    }

    /// Set a leaf's accumulated gradient (its shape must be the leaf's).
    pub fn set_gradient(&mut self, node: NodeId, gradient: Tensor) -> Result<(), BackendError> {
        let target = self.check_node(node)?;
        if gradient.shape() != target.shape {
            return Err(BackendError::ShapeChanged {
                node,
                expected: target.shape.clone(),
                found: gradient.shape().to_vec(),
            });
        }
        match self.grads.get_mut(node.0) {
            Some(grad @ Some(_)) => *grad = Some(gradient),
            _ => return Err(BackendError::NotALeaf { node }),
        }
        Ok(())
    }

    /// The storage precision and loss scale ([`Backend::set_storage`]).
    pub fn storage(&self) -> (Precision, f64) {
        (self.precision, self.loss_scale)
    }
}

/// The all-zero tensor of a node's shape.
fn zeros_like(value: &Tensor) -> Tensor {
    value.map(|_| 0.0)
}

impl Backend for CpuBackend {
    fn name(&self) -> String {
        format!("CPU ({})", self.precision)
    }

    fn set_storage(&mut self, precision: Precision, loss_scale: f64) -> Result<(), BackendError> {
        if !(loss_scale.is_finite() && loss_scale > 0.0) {
            return Err(BackendError::Device(format!(
                "the loss scale must be a positive finite number, found {loss_scale}"
            )));
        }
        self.precision = precision;
        self.loss_scale = loss_scale;
        Ok(())
    }

    fn underflows(&self) -> Option<u64> {
        Some(self.underflows)
    }

    fn load(&mut self, graph: &Graph) -> Result<(), BackendError> {
        self.values = graph.nodes().iter().map(Node::leaf_value).collect();
        self.grads = graph
            .nodes()
            .iter()
            .map(|node| (node.op == Op::Input).then(|| zeros_like(&node.nan())))
            .collect();
        self.graph = Some(graph.clone());
        self.optimizer = None;
        Ok(())
    }

    fn write(&mut self, node: NodeId, value: &Tensor) -> Result<(), BackendError> {
        let target = self.check_node(node)?;
        if !target.op.is_leaf() {
            return Err(BackendError::NotALeaf { node });
        }
        if value.shape() != target.shape {
            return Err(BackendError::ShapeChanged {
                node,
                expected: target.shape.clone(),
                found: value.shape().to_vec(),
            });
        }
        self.values[node.0] = Some(value.clone());
        Ok(())
    }

    fn forward(&mut self) -> Result<(), BackendError> {
        let graph = self.graph.take().ok_or(BackendError::NotLoaded)?;
        let result = (|| {
            for (id, node) in graph.nodes().iter().enumerate() {
                if node.op.is_leaf() {
                    continue;
                }
                let operands: Vec<_> = node
                    .inputs
                    .iter()
                    .map(|input| self.operand(&graph, *input))
                    .collect::<Option<_>>()
                    .ok_or(BackendError::NotComputed {
                        node: NodeId(id),
                        what: "operand",
                    })?;
                let args: Vec<&Tensor> = operands.iter().map(|a| a.as_ref()).collect();
                let value = ops::forward(node.op, &args).map_err(|error| BackendError::Tensor {
                    node: NodeId(id),
                    error,
                })?;
                let value = self.store(value);
                self.values[id] = Some(value);
            }
            Ok(())
        })();
        self.graph = Some(graph);
        result
    }

    fn backward(&mut self) -> Result<(), BackendError> {
        let graph = self.graph()?;
        let output = graph.output();
        let mut adjoints: Vec<Option<Tensor>> = vec![None; graph.len()];
        let scale = self.loss_scale;
        let mut lost = 0;
        let seed = self.store_counting(self.value(output)?.map(|_| scale), &mut lost);
        adjoints[output.0] = Some(seed);
        for id in graph.ids().rev() {
            let node = graph.node(id);
            let Some(adjoint) = adjoints[id.0].take() else {
                continue;
            };
            if node.op.is_leaf() {
                adjoints[id.0] = Some(adjoint);
                continue;
            }
            let operands: Vec<_> = node
                .inputs
                .iter()
                .map(|input| self.operand(graph, *input))
                .collect::<Option<_>>()
                .ok_or(BackendError::NotComputed {
                    node: id,
                    what: "operand",
                })?;
            let args: Vec<&Tensor> = operands.iter().map(|a| a.as_ref()).collect();
            let value = self.value(id)?;
            let gradients = ops::vjp(node.op, &args, value, &adjoint)
                .map_err(|error| BackendError::Tensor { node: id, error })?;
            for (input, gradient) in node.inputs.iter().zip(gradients) {
                if graph.node(*input).op.is_constant() {
                    continue;
                }
                let gradient = self.store_counting(gradient, &mut lost);
                adjoints[input.0] = Some(match adjoints[input.0].take() {
                    Some(sum) => self.store_counting(add(&sum, &gradient), &mut lost),
                    None => gradient,
                });
            }
        }
        self.underflows = lost;
        for (grad, adjoint) in self.grads.iter_mut().zip(adjoints) {
            if let (Some(grad), Some(adjoint)) = (grad.as_mut(), adjoint) {
                *grad = add(grad, &adjoint);
            }
        }
        Ok(())
    }

    fn zero_grads(&mut self) -> Result<(), BackendError> {
        for grad in self.grads.iter_mut().flatten() {
            *grad = zeros_like(grad);
        }
        Ok(())
    }

    fn scale_grads(&mut self, factor: f64) -> Result<(), BackendError> {
        for grad in self.grads.iter_mut().flatten() {
            *grad = grad.map(|g| g * factor);
        }
        Ok(())
    }

    fn update(&mut self, rule: UpdateRule, learning_rate: f64) -> Result<(), BackendError> {
        let graph = self.graph.as_ref().ok_or(BackendError::NotLoaded)?;
        let optimizer = self
            .optimizer
            .get_or_insert_with(|| Optimizer::new(rule, learning_rate));
        if optimizer.rule() != rule {
            *optimizer = Optimizer::new(rule, learning_rate);
        }
        optimizer.set_learning_rate(learning_rate);
        for id in graph.ids().filter(|&id| graph.node(id).role == Role::Param) {
            let (Some(value), Some(grad)) = (&self.values[id.0], &self.grads[id.0]) else {
                continue;
            };
            let mut params = value.data().to_vec();
            optimizer
                .step(id.0, &mut params, grad.data())
                .map_err(|error| BackendError::Device(error.to_string()))?;
            self.values[id.0] = Some(Tensor::from_parts(value.shape().to_vec(), params));
        }
        Ok(())
    }

    fn read(
        &mut self,
        node: NodeId,
        quantity: Quantity,
    ) -> impl Future<Output = Result<Tensor, BackendError>> {
        let result = match quantity {
            Quantity::Value => self.value(node),
            Quantity::Gradient => self.gradient(node),
        };
        ready(result.cloned())
    }
}

/// The elementwise sum of two tensors of one shape.
fn add(a: &Tensor, b: &Tensor) -> Tensor {
    a.zip_with(b, |x, y| x + y)
        .unwrap_or_else(|| a.map(|_| f64::NAN))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::block_on;
    use crate::engine::{Mode, Stepper};
    use crate::program::compile;

    const NETWORK: &str = "x = [1, 2]
W1 = param([[0.5, -0.3], [0.2, 0.8], [-0.4, 0.6]])
b1 = param([0.1, -0.2, 0.0])
W2 = param([[0.3, -0.5, 0.7]])
b2 = param([0.1])
t = [1]
h = relu(W1 @ x + b1)
y = W2 @ h + b2
L = 0.5 * sum((y - t)^2)";

    /// The backend's gradients are the stepper's adjoints after a full backward pass.
    #[test]
    fn gradients_match_the_stepper() {
        let graph = compile(NETWORK).unwrap();
        let mut backend = CpuBackend::new();
        backend.load(&graph).unwrap();
        backend.forward().unwrap();
        backend.backward().unwrap();
        let inputs: Vec<Tensor> = graph
            .inputs()
            .map(|id| graph.node(id).value.clone().unwrap())
            .collect();
        let mut stepper = Stepper::new(graph.clone(), inputs, Mode::Reverse).unwrap();
        stepper.run_to_end();
        for id in graph.inputs() {
            let expected = stepper.adjoint(id).unwrap();
            let got = block_on(backend.read(id, Quantity::Gradient)).unwrap();
            assert_eq!(&got, &*expected, "{}", graph.node(id).name);
        }
        let loss = block_on(backend.read(graph.output(), Quantity::Value)).unwrap();
        assert!((loss.item().unwrap() - 0.6498).abs() < 1e-12);
    }

    #[test]
    fn gradients_accumulate_until_zeroed() {
        let graph = compile("w = param(3); x = 2; w * x").unwrap();
        let w = graph.find("w").unwrap();
        let mut backend = CpuBackend::new();
        backend.load(&graph).unwrap();
        for _ in 0..3 {
            backend.forward().unwrap();
            backend.backward().unwrap();
        }
        assert_eq!(backend.gradient(w).unwrap().item(), Some(6.0));
        backend.scale_grads(1.0 / 3.0).unwrap();
        assert_eq!(backend.gradient(w).unwrap().item(), Some(2.0));
        backend.zero_grads().unwrap();
        assert_eq!(backend.gradient(w).unwrap().item(), Some(0.0));
    }

    #[test]
    fn sgd_moves_only_parameters() {
        let graph = compile("w = param(3); x = 2; w * x").unwrap();
        let (w, x) = (graph.find("w").unwrap(), graph.find("x").unwrap());
        let mut backend = CpuBackend::new();
        backend.load(&graph).unwrap();
        backend.forward().unwrap();
        backend.backward().unwrap();
        backend.update(UpdateRule::Sgd, 0.5).unwrap();
        assert_eq!(backend.value(w).unwrap().item(), Some(2.0));
        assert_eq!(backend.value(x).unwrap().item(), Some(2.0));
    }

    #[test]
    fn writes_are_checked() {
        let graph = compile("x = [1, 2]; y = x * 2").unwrap();
        let mut backend = CpuBackend::new();
        assert_eq!(backend.forward(), Err(BackendError::NotLoaded));
        backend.load(&graph).unwrap();
        let x = graph.find("x").unwrap();
        let y = graph.find("y").unwrap();
        assert!(matches!(
            backend.write(x, &Tensor::scalar(1.0)),
            Err(BackendError::ShapeChanged { .. })
        ));
        assert!(matches!(
            backend.write(y, &Tensor::zeros(&[2]).unwrap()),
            Err(BackendError::NotALeaf { .. })
        ));
        assert!(matches!(
            backend.write(NodeId(99), &Tensor::scalar(1.0)),
            Err(BackendError::UnknownNode { .. })
        ));
    }
}
