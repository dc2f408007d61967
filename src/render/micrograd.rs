//! A scalar program as a tiny autograd engine in plain Python, in the style the seeds
//! build by hand (§1.4.9): a `Value` class holding a number, its gradient, the Values it
//! was computed from and a closure that passes its gradient back to them with `+=`, and a
//! `backward` that walks them in reverse topological order. Every node is one line tagged
//! `# node NAME`, so a view can link lines to nodes; the script prints each input's
//! gradient as the PyTorch export does. Domain errors give NaN or ±∞, as in the app.

use super::python::{CodeLine, comment_text, number, python_name};
use crate::engine::scalar_program::{self, ScalarProgramError};
use crate::graph::{Graph, Node, NodeId};
use crate::op::{Leaf, Op};
use crate::tensor::Tensor;

/// The engine every script starts with.
const ENGINE: &str = r#"import math
import sys


def _cancel(total, a, b):
    """A sum that cancels to a few units in the last place is 0, as in backprop-viz:
    0.5*1 - 0.3*2 + 0.1 is 0 there, which decides the side of a relu or abs kink."""
    if total != 0.0 and abs(total) <= 4.0 * sys.float_info.epsilon * max(abs(a), abs(b)):
        return 0.0
    return total


def _div(a, b):
    try:
        return a / b
    except ZeroDivisionError:
        if a != a or a == 0.0:
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)


def _pow(a, b):
    try:
        result = a ** b
    except (ZeroDivisionError, OverflowError):
        return math.inf
    return math.nan if isinstance(result, complex) else result


def _call(f, x):
    try:
        return f(x)
    except ValueError:
        return math.nan
    except OverflowError:
        return math.inf


def _log(x):
    return -math.inf if x == 0.0 else _call(math.log, x)


def _sigmoid(x):
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _step(x):
    return math.nan if x != x else (1.0 if x > 0.0 else 0.0)


def _sign(x):
    return math.nan if x != x else (0.0 if x == 0.0 else math.copysign(1.0, x))


def _cdf(x):
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


class Value:
    """A number that remembers what it was computed from and how to pass a gradient back."""

    def __init__(self, data, parents=()):
        self.data = data
        self.grad = 0.0
        self.parents = parents
        self.pass_back = lambda: None

    def _made(self, data, parents, locals_of):
        """A new Value from `parents`; `locals_of(out)` gives d out / d parent for each."""
        out = Value(data, parents)

        def pass_back():
            for parent, local in zip(parents, locals_of(out)):
                parent.grad += local * out.grad

        out.pass_back = pass_back
        return out

    def __add__(self, other):
        return self._made(_cancel(self.data + other.data, self.data, other.data),
                          (self, other), lambda out: (1.0, 1.0))

    def __sub__(self, other):
        return self._made(_cancel(self.data - other.data, self.data, other.data),
                          (self, other), lambda out: (1.0, -1.0))

    def __mul__(self, other):
        return self._made(self.data * other.data, (self, other),
                          lambda out: (other.data, self.data))

    def __truediv__(self, other):
        return self._made(_div(self.data, other.data), (self, other),
                          lambda out: (_div(1.0, other.data),
                                       -_div(self.data, other.data ** 2)))

    def __neg__(self):
        return self._made(-self.data, (self,), lambda out: (-1.0,))

    def __pow__(self, other):
        if isinstance(other, Value):
            return self._made(_pow(self.data, other.data), (self, other),
                              lambda out: (other.data * _pow(self.data, other.data - 1.0),
                                           out.data * _log(self.data)))
        return self._made(_pow(self.data, other), (self,),
                          lambda out: (other * _pow(self.data, other - 1.0),))

    def copy(self):
        return self._made(self.data, (self,), lambda out: (1.0,))

    def exp(self):
        return self._made(_call(math.exp, self.data), (self,), lambda out: (out.data,))

    def log(self):
        return self._made(_log(self.data), (self,), lambda out: (_div(1.0, self.data),))

    def sqrt(self):
        return self._made(_call(math.sqrt, self.data), (self,),
                          lambda out: (_div(1.0, 2.0 * out.data),))

    def sin(self):
        return self._made(_call(math.sin, self.data), (self,),
                          lambda out: (_call(math.cos, self.data),))

    def cos(self):
        return self._made(_call(math.cos, self.data), (self,),
                          lambda out: (-_call(math.sin, self.data),))

    def tanh(self):
        return self._made(math.tanh(self.data), (self,), lambda out: (1.0 - out.data ** 2,))

    def sigmoid(self):
        return self._made(_sigmoid(self.data), (self,),
                          lambda out: (out.data * (1.0 - out.data),))

    def relu(self):
        x = self.data
        return self._made(x if x != x or x > 0.0 else 0.0, (self,), lambda out: (_step(x),))

    def abs(self):
        return self._made(abs(self.data), (self,), lambda out: (_sign(self.data),))

    def gelu(self):
        x = self.data
        density = math.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)
        return self._made(x * _cdf(x), (self,), lambda out: (_cdf(x) + x * density,))

    def backward(self):
        """Every Value this one depends on, parents before children, then the gradients
        passed back in reverse: a node's gradient is complete before it passes it on."""
        order, seen, stack = [], set(), [(self, False)]
        while stack:
            value, parents_done = stack.pop()
            if parents_done:
                order.append(value)
            elif id(value) not in seen:
                seen.add(id(value))
                stack.append((value, True))
                stack.extend((parent, False) for parent in value.parents)
        self.grad = 1.0
        for value in reversed(order):
            value.pass_back()
"#;

/// The script's lines for a scalar `graph` with `inputs` (one per input node, in order).
pub fn lines(
    graph: &Graph,
    inputs: &[Tensor],
    source: &str,
) -> Result<Vec<CodeLine>, ScalarProgramError> {
    scalar_program::check(graph)?;
    let plain = |text: String| CodeLine { text, node: None };
    let mut lines = vec![plain(
        "# Generated by backprop-viz: the program as a tiny autograd engine in plain Python."
            .into(),
    )];
    lines.extend(
        source
            .lines()
            .map(|l| plain(format!("#   {}", comment_text(l)))),
    );
    lines.extend(ENGINE.lines().map(|l| plain(l.to_string())));
    lines.push(plain(String::new()));
    lines.push(plain(String::new()));
    let names: Vec<String> = graph.nodes().iter().map(python_name).collect();
    let mut next_input = inputs.iter();
    for (id, node) in graph.nodes().iter().enumerate() {
        let name = &names[id];
        let expression = match node.op.leaf() {
            Some(Leaf::Input) => {
                let value = next_input.next().or(node.value.as_ref());
                let x = value.and_then(Tensor::item).unwrap_or(f64::NAN);
                format!("Value({})", number(x))
            }
            Some(Leaf::Number(_) | Leaf::Literal) => continue,
            None => expression(node, graph, &names),
        };
        lines.push(CodeLine {
            text: format!("{name} = {expression}  # node {}", node.name),
            node: Some(NodeId(id)),
        });
    }
    let output = &names[graph.output().0];
    lines.push(plain(String::new()));
    lines.push(plain(format!("{output}.backward()")));
    lines.push(plain(format!("print(\"{output} =\", {output}.data)")));
    for id in graph.inputs() {
        let name = &names[id.0];
        lines.push(plain(format!(
            "print(\"d{output}/d{name} =\", {name}.grad)"
        )));
    }
    Ok(lines)
}

/// The whole script as text.
pub fn script(
    graph: &Graph,
    inputs: &[Tensor],
    source: &str,
) -> Result<String, ScalarProgramError> {
    let lines = lines(graph, inputs, source)?;
    Ok(lines
        .iter()
        .map(|l| l.text.as_str())
        .collect::<Vec<_>>()
        .join("\n")
        + "\n")
}

/// A constant inline as a Value, anything else by its variable.
fn operand(graph: &Graph, id: NodeId, names: &[String]) -> String {
    let node = graph.node(id);
    match node.op.leaf() {
        Some(Leaf::Number(c)) => format!("Value({})", number(c)),
        Some(Leaf::Literal) => {
            let c = node
                .value
                .as_ref()
                .and_then(Tensor::item)
                .unwrap_or(f64::NAN);
            format!("Value({})", number(c))
        }
        Some(Leaf::Input) | None => names[id.0].clone(),
    }
}

fn expression(node: &Node, graph: &Graph, names: &[String]) -> String {
    let arg = |i: usize| {
        node.inputs.get(i).map_or_else(
            || "Value(math.nan)".to_string(),
            |&id| operand(graph, id, names),
        )
    };
    match node.op {
        Op::Add => format!("{} + {}", arg(0), arg(1)),
        Op::Sub => format!("{} - {}", arg(0), arg(1)),
        Op::Mul => format!("{} * {}", arg(0), arg(1)),
        Op::Div => format!("{} / {}", arg(0), arg(1)),
        Op::Pow => format!("{} ** {}", arg(0), arg(1)),
        Op::PowConst(n) => format!("{} ** {}", arg(0), number(n)),
        Op::Neg => format!("-{}", arg(0)),
        Op::Identity => format!("{}.copy()", arg(0)),
        Op::Exp
        | Op::Log
        | Op::Sqrt
        | Op::Sin
        | Op::Cos
        | Op::Tanh
        | Op::Sigmoid
        | Op::Relu
        | Op::Abs
        | Op::Gelu => format!("{}.{}()", arg(0), node.op.name()),
        // Refused by the scalar check before any line is written.
        Op::Input
        | Op::Const(_)
        | Op::Literal
        | Op::MatMul
        | Op::Transpose
        | Op::Sum(_)
        | Op::Mean(_)
        | Op::Max(_)
        | Op::Softmax
        | Op::LogSoftmax
        | Op::CrossEntropy
        | Op::Detach
        | Op::Step
        | Op::Greater
        | Op::Less
        | Op::GreaterEqual
        | Op::LessEqual
        | Op::Where
        | Op::ArgMax(_)
        | Op::LayerNorm
        | Op::Mse => "Value(math.nan)".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::compile;

    fn script_of(source: &str, values: &[f64]) -> (Graph, Vec<CodeLine>) {
        let graph = compile(source).unwrap();
        let inputs: Vec<Tensor> = values.iter().map(|&v| Tensor::scalar(v)).collect();
        let lines = lines(&graph, &inputs, source).unwrap();
        (graph, lines)
    }

    #[test]
    fn every_node_is_one_tagged_line() {
        let (graph, lines) = script_of("(x1+x2)*x1", &[3.0, 4.0]);
        let tagged: Vec<(&str, &str)> = lines
            .iter()
            .filter_map(|l| {
                l.node
                    .map(|id| (l.text.as_str(), graph.node(id).name.as_str()))
            })
            .collect();
        assert_eq!(
            tagged,
            [
                ("x1 = Value(3.0)  # node x1", "x1"),
                ("x2 = Value(4.0)  # node x2", "x2"),
                ("v3 = x1 + x2  # node v3", "v3"),
                ("v4 = v3 * x1  # node v4", "v4"),
            ]
        );
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert!(texts.contains(&"v4.backward()"));
        assert!(texts.contains(&"print(\"dv4/dx2 =\", x2.grad)"));
    }

    #[test]
    fn constants_inline_and_calls_as_methods() {
        let (_, lines) = script_of("a = sigmoid(w*x + 0.5); a^2 + relu(-a)", &[1.0, 2.0]);
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        for expected in [
            "v4 = v3 + Value(0.5)  # node v4",
            "a = v4.sigmoid()  # node a",
            "v6 = a ** 2.0  # node v6",
            "v7 = -a  # node v7",
            "v8 = v7.relu()  # node v8",
        ] {
            assert!(texts.contains(&expected), "{expected} in {texts:#?}");
        }
    }

    #[test]
    fn tensor_programs_are_refused() {
        let graph = compile("W = [[1, 2]]; sum(W @ [3, 4])").unwrap();
        let inputs = crate::engine::inputs::resolve(&graph, &[], None).unwrap();
        assert!(script(&graph, &inputs, "").is_err());
    }
}
