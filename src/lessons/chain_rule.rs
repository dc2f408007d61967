//! The chain rule multiplied, for a program of one scalar input: each computed node that
//! depends on the input, its local derivative by each such operand (the op table's formula
//! at the current point) and the running product of local derivatives from the input to it
//! (`dv/dx`; where two paths meet the chain rule adds their products). The last running
//! product is the gradient, which is also computed by reverse mode for comparison. Each
//! node's curve is its value against its operand, the other operands held where they are,
//! so the tangent's slope at the current point is the local derivative.

use crate::engine::record::Mode;
use crate::engine::scalar_program::{self, ScalarProgramError};
use crate::engine::stepper::Stepper;
use crate::graph::{Graph, NodeId};
use crate::render::formula::{Expr, formula, op_expression};
use crate::render::notation::Notation;
use crate::tensor::Tensor;
use thiserror::Error;

#[derive(Clone, Debug, PartialEq, Error)]
pub enum ChainError {
    #[error(transparent)]
    Scalar(#[from] ScalarProgramError),
    #[error(
        "the chain rule view takes a program with one scalar input, and this one has {count}{}",
        if *.count == 0 { String::new() } else { format!(" ({})", .names.join(", ")) }
    )]
    Inputs { count: usize, names: Vec<String> },
    #[error("the output does not depend on `{input}`, so there is no chain to follow")]
    Constant { input: String },
}

/// One operand's part in a node's chain rule.
#[derive(Clone, Debug, PartialEq)]
pub struct Local {
    pub operand: NodeId,
    pub name: String,
    /// The operand's value at the current point.
    pub at: f64,
    /// `∂node/∂operand` as the op table writes it: `cos(v1)`, `2·x`.
    pub formula: String,
    /// Its value at the current point.
    pub derivative: f64,
}

/// One computed node depending on the input.
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    pub node: NodeId,
    pub name: String,
    /// The node's rule over its operands' names: `x²`, `sin(v1)`.
    pub rule: String,
    pub value: f64,
    /// Its operands that depend on the input (one in a chain, more where paths meet).
    pub locals: Vec<Local>,
    /// `d node / d input`: the running product of local derivatives.
    pub running: f64,
}

/// The whole chain at one point.
#[derive(Clone, Debug, PartialEq)]
pub struct Chain {
    pub input: NodeId,
    pub input_name: String,
    pub x: f64,
    /// In program order; the output's link is last.
    pub links: Vec<Link>,
    pub output: f64,
    /// The output's running product: `dL/dx` by the chain rule.
    pub product: f64,
    /// `dL/dx` from a reverse-mode pass, for comparison.
    pub gradient: f64,
    /// Every link has one operand depending on the input: the running value is a plain
    /// product of local derivatives.
    pub is_chain: bool,
}

/// The scalar input of `graph` when it has exactly one.
pub fn single_input(graph: &Graph) -> Result<(NodeId, String), ChainError> {
    scalar_program::check(graph)?;
    let inputs: Vec<NodeId> = graph.inputs().collect();
    match inputs.as_slice() {
        [one] => Ok((*one, graph.node(*one).name.clone())),
        _ => Err(ChainError::Inputs {
            count: inputs.len(),
            names: inputs
                .iter()
                .map(|&id| graph.node(id).name.clone())
                .collect(),
        }),
    }
}

/// The chain of `graph` (one scalar input) at input value `x`.
pub fn chain(graph: &Graph, x: f64) -> Result<Chain, ChainError> {
    let (input, input_name) = single_input(graph)?;
    let values: Vec<f64> = graph
        .evaluate(&[Tensor::scalar(x)])
        .iter()
        .map(|v| v.item().unwrap_or(f64::NAN))
        .collect();
    // d node / d input, for the nodes that depend on the input.
    let mut running: Vec<Option<f64>> = vec![None; graph.len()];
    running[input.0] = Some(1.0);
    let mut links = Vec::new();
    let mut is_chain = true;
    for id in graph.ids() {
        let node = graph.node(id);
        if node.op.is_leaf() {
            continue;
        }
        let varying: Vec<usize> = (0..node.inputs.len())
            .filter(|&i| running[node.inputs[i].0].is_some())
            .collect();
        if varying.is_empty() {
            continue;
        }
        let args: Vec<f64> = node.inputs.iter().map(|i| values[i.0]).collect();
        let names: Vec<Expr> = node
            .inputs
            .iter()
            .map(|i| Expr::name(&graph.node(*i).name, Notation::Plain))
            .collect();
        let out_name = Expr::name(&node.name, Notation::Plain);
        let rules = node.op.local_derivatives();
        let mut total = 0.0;
        let mut locals = Vec::new();
        for &i in &varying {
            let operand = node.inputs[i];
            let (text, derivative) = match rules.get(i) {
                Some(rule) => (
                    formula(rule, &names, &out_name, Notation::Plain).into_text(),
                    rule.eval(&args, values[id.0]),
                ),
                None => ("?".to_string(), f64::NAN),
            };
            total += derivative * running[operand.0].unwrap_or(f64::NAN);
            locals.push(Local {
                operand,
                name: graph.node(operand).name.clone(),
                at: values[operand.0],
                formula: text,
                derivative,
            });
        }
        is_chain &= locals.len() == 1;
        running[id.0] = Some(total);
        links.push(Link {
            node: id,
            name: node.name.clone(),
            rule: op_expression(node.op, &names, Notation::Plain).into_text(),
            value: values[id.0],
            locals,
            running: total,
        });
    }
    let output = graph.output();
    let Some(product) = running[output.0] else {
        return Err(ChainError::Constant { input: input_name });
    };
    // Links that do not lead to the output are not part of its chain.
    let reaches = reaches_output(graph);
    links.retain(|link| reaches[link.node.0]);
    Ok(Chain {
        input,
        input_name,
        x,
        links,
        output: values[output.0],
        product,
        gradient: reverse_gradient(graph, x),
        is_chain,
    })
}

/// For each node, whether the output reads it (directly or through other nodes).
fn reaches_output(graph: &Graph) -> Vec<bool> {
    let mut reaches = vec![false; graph.len()];
    reaches[graph.output().0] = true;
    for id in graph.ids().rev() {
        if reaches[id.0] {
            for input in &graph.node(id).inputs {
                reaches[input.0] = true;
            }
        }
    }
    reaches
}

/// `dL/dx` by a whole reverse-mode pass of the stepper.
fn reverse_gradient(graph: &Graph, x: f64) -> f64 {
    let Ok(mut stepper) = Stepper::new(graph.clone(), vec![Tensor::scalar(x)], Mode::Reverse)
    else {
        return f64::NAN;
    };
    stepper.run_to_end();
    stepper
        .gradients()
        .into_iter()
        .next()
        .and_then(|(_, g)| g.and_then(|g| g.item()))
        .unwrap_or(f64::NAN)
}

/// `count` points of `link`'s value against its `local`-th operand over `[lo, hi]`, the
/// other operands held at their current values.
pub fn local_curve(
    graph: &Graph,
    chain: &Chain,
    link: &Link,
    local: &Local,
    (lo, hi): (f64, f64),
    count: usize,
) -> Vec<(f64, f64)> {
    let node = graph.node(link.node);
    let values: Vec<f64> = graph
        .evaluate(&[Tensor::scalar(chain.x)])
        .iter()
        .map(|v| v.item().unwrap_or(f64::NAN))
        .collect();
    let mut args: Vec<f64> = node.inputs.iter().map(|i| values[i.0]).collect();
    samples(lo, hi, count)
        .map(|u| {
            for (slot, id) in node.inputs.iter().enumerate() {
                if *id == local.operand {
                    args[slot] = u;
                }
            }
            (u, node.op.apply(&args))
        })
        .collect()
}

/// `count` points of the output against the input over `[lo, hi]`.
pub fn output_curve(graph: &Graph, (lo, hi): (f64, f64), count: usize) -> Vec<(f64, f64)> {
    samples(lo, hi, count)
        .map(|x| {
            let y = graph.evaluate(&[Tensor::scalar(x)])[graph.output().0]
                .item()
                .unwrap_or(f64::NAN);
            (x, y)
        })
        .collect()
}

fn samples(lo: f64, hi: f64, count: usize) -> impl Iterator<Item = f64> {
    let n = count.max(2);
    (0..n).map(move |k| lo + (hi - lo) * k as f64 / (n - 1) as f64)
}

/// The window a curve is drawn over around the point `at`: wide enough to see its shape,
/// scaled with the point's size.
pub fn window(at: f64) -> (f64, f64) {
    let half = if at.is_finite() {
        (at.abs() * 0.75).max(2.0)
    } else {
        2.0
    };
    let centre = if at.is_finite() { at } else { 0.0 };
    (centre - half, centre + half)
}

/// The slider's range for the input at `x`: at least −3 … 3, widened to hold `x`.
pub fn slider_range(x: f64) -> (f64, f64) {
    if !x.is_finite() {
        return (-3.0, 3.0);
    }
    ((x.floor() - 1.0).min(-3.0), (x.ceil() + 1.0).max(3.0))
}

/// `v` to six significant digits, trailing zeros dropped: how the view shows its numbers,
/// so two numbers that print alike agree to that precision.
pub fn shown(v: f64) -> String {
    if v == 0.0 {
        return "0".to_string();
    }
    if !v.is_finite() {
        return crate::number::format_number(v);
    }
    let magnitude = v.abs().log10().floor();
    if !(-4.0..6.0).contains(&magnitude) {
        return format!("{v:.5e}");
    }
    let decimals = (5.0 - magnitude).max(0.0) as usize;
    let text = format!("{v:.decimals$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    };
    if text == "-0" { "0".to_string() } else { text }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::compile;

    fn chain_of(source: &str, x: f64) -> Chain {
        chain(&compile(source).unwrap(), x).unwrap()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1.0)
    }

    #[test]
    fn sin_of_a_square_multiplies_two_locals() {
        let c = chain_of("sin(x^2)", 1.3);
        assert!(c.is_chain);
        assert_eq!(c.links.len(), 2);
        assert_eq!(c.links[0].locals[0].derivative, 2.0 * 1.3);
        assert!(close(c.links[1].locals[0].derivative, (1.3f64 * 1.3).cos()));
        let analytic = 2.0 * 1.3 * (1.3f64 * 1.3).cos();
        assert!(close(c.product, analytic), "{} {analytic}", c.product);
        assert!(close(c.gradient, analytic));
        assert!(close(c.output, (1.3f64 * 1.3).sin()));
        assert_eq!(
            c.links[1].locals[0].formula,
            format!("cos({})", c.links[0].name)
        );
    }

    #[test]
    fn the_seeds_programs_agree_with_reverse_mode_and_calculus() {
        let t = |x: f64| (x.sin()).exp() * x.cos();
        let c = chain_of("exp(sin(x))", 0.7);
        assert!(close(c.product, t(0.7)) && close(c.gradient, t(0.7)));
        let s = |z: f64| 1.0 / (1.0 + (-z).exp());
        let x = -0.4f64;
        let z = 3.0 * x.tanh();
        let analytic = s(z) * (1.0 - s(z)) * 3.0 * (1.0 - x.tanh().powi(2));
        let c = chain_of("sigmoid(3*tanh(x))", x);
        assert!(c.is_chain);
        assert_eq!(c.links.len(), 3);
        assert!(close(c.product, analytic), "{} {analytic}", c.product);
        assert!(close(c.gradient, analytic));
        // Running products: each is the previous one times the link's local derivative.
        let mut product = 1.0;
        for link in &c.links {
            product *= link.locals[0].derivative;
            assert!(close(link.running, product));
        }
    }

    #[test]
    fn paths_that_meet_add_their_products() {
        let c = chain_of("x*sin(x)", 2.0);
        assert!(!c.is_chain);
        let analytic = 2f64.sin() + 2.0 * 2f64.cos();
        assert!(close(c.product, analytic) && close(c.gradient, analytic));
        assert_eq!(c.links.last().unwrap().locals.len(), 2);
    }

    #[test]
    fn other_programs_are_refused_in_words() {
        let graph = compile("x*y").unwrap();
        assert_eq!(
            chain(&graph, 1.0).unwrap_err().to_string(),
            "the chain rule view takes a program with one scalar input, and this one has 2 (x, y)"
        );
        let graph = compile("W = [1, 2]; sum(W * x)").unwrap();
        assert!(matches!(chain(&graph, 1.0), Err(ChainError::Scalar(_))));
    }

    #[test]
    fn numbers_show_six_significant_digits() {
        assert_eq!(shown(1.23456789), "1.23457");
        assert_eq!(shown(-0.000123456789), "-0.000123457");
        assert_eq!(shown(12.0), "12");
        assert_eq!(shown(123456.7), "123457");
        assert_eq!(shown(1.5e-7), "1.50000e-7");
        assert_eq!(shown(0.0), "0");
        assert_eq!(shown(-1e-30 * 0.0), "0");
        // Numbers equal to 1e-12 print alike.
        assert_eq!(shown(0.1 + 0.2), shown(0.3));
    }

    #[test]
    fn curves_hold_the_other_operands() {
        let graph = compile("3*tanh(x)").unwrap();
        let c = chain(&graph, 0.5).unwrap();
        let mul = c.links.last().unwrap();
        let curve = local_curve(&graph, &c, mul, &mul.locals[0], (-1.0, 1.0), 3);
        assert_eq!(curve, vec![(-1.0, -3.0), (0.0, 0.0), (1.0, 3.0)]);
        let out = output_curve(&graph, (0.0, 1.0), 2);
        assert_eq!(out[0], (0.0, 0.0));
        assert!(close(out[1].1, 3.0 * 1f64.tanh()));
        assert_eq!(window(0.1), (-1.9, 2.1));
        assert_eq!(window(8.0), (2.0, 14.0));
        assert_eq!(slider_range(0.5), (-3.0, 3.0));
        assert_eq!(slider_range(4.2), (-3.0, 6.0));
    }
}
