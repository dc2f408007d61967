//! Lowering: AST to [`Graph`]. Inputs come first, in order of first appearance; every
//! variable is one node however often it is read; bindings name their node.

use super::{Graph, Node, NodeId, Op};
use crate::lang::{BinaryOp, Expr, ExprKind, Program, Span, Statement};
use std::collections::HashMap;
use thiserror::Error;

/// Most nodes a graph may have.
pub const MAX_NODES: usize = 10_000;

/// Functions that take tensors; known names, so they get a precise message.
const TENSOR_FUNCTIONS: [&str; 13] = [
    "sum",
    "mean",
    "max",
    "softmax",
    "log_softmax",
    "cross_entropy",
    "mse",
    "zeros",
    "ones",
    "randn",
    "transpose",
    "param",
    "matmul",
];

#[derive(Clone, Debug, PartialEq, Error)]
pub enum LowerError {
    #[error("unknown function `{name}`")]
    UnknownFunction {
        name: String,
        span: Span,
        suggestion: Option<String>,
    },
    #[error("`{name}` takes {expected} argument, found {found}")]
    WrongArity {
        name: String,
        span: Span,
        expected: usize,
        found: usize,
    },
    #[error("`{name}` is already defined")]
    Redefined {
        name: String,
        span: Span,
        first: Span,
    },
    #[error("`{name}` is used before it is defined")]
    UsedBeforeDefinition { name: String, span: Span },
    #[error("`{name}` is defined in terms of itself")]
    SelfReference { name: String, span: Span },
    #[error("`{name}` is a function, not a variable")]
    FunctionName { name: String, span: Span },
    #[error("{what} are not supported in scalar programs yet")]
    Unsupported { what: &'static str, span: Span },
    #[error("the program is too large: more than {MAX_NODES} nodes")]
    TooManyNodes { span: Span },
}

impl LowerError {
    pub fn span(&self) -> Span {
        match self {
            LowerError::UnknownFunction { span, .. }
            | LowerError::WrongArity { span, .. }
            | LowerError::Redefined { span, .. }
            | LowerError::UsedBeforeDefinition { span, .. }
            | LowerError::SelfReference { span, .. }
            | LowerError::FunctionName { span, .. }
            | LowerError::Unsupported { span, .. }
            | LowerError::TooManyNodes { span } => *span,
        }
    }

    pub fn hint(&self) -> Option<String> {
        match self {
            LowerError::UnknownFunction { suggestion, .. } => suggestion.clone(),
            LowerError::Redefined { name, .. } => Some(format!(
                "each name is bound once; pick a new name for this `{name}`"
            )),
            LowerError::UsedBeforeDefinition { name, .. } => {
                Some(format!("move the line `{name} = …` above this one"))
            }
            LowerError::FunctionName { name, .. } => {
                Some(format!("call it as `{name}(…)`, or pick another name"))
            }
            LowerError::TooManyNodes { .. } => Some("split the program into smaller ones".into()),
            _ => None,
        }
    }
}

/// Lower a parsed program into a graph.
pub fn lower(program: &Program) -> Result<Graph, LowerError> {
    let bindings = collect_bindings(program)?;
    let mut lowerer = Lowerer::default();
    for input in collect_inputs(program, &bindings)? {
        lowerer.push_named(input.name, Op::Input, vec![], input.span, input.default)?;
    }
    let mut output = NodeId(0);
    for statement in &program.statements {
        output = match statement {
            Statement::Binding { name, .. } if lowerer.scope.contains_key(name) => {
                lowerer.scope[name]
            }
            Statement::Binding {
                name,
                name_span,
                value,
            } => {
                let first_new = lowerer.nodes.len();
                let id = lowerer.expr(value)?;
                let id = if id.0 >= first_new && !lowerer.nodes[id.0].op.is_leaf() {
                    lowerer.nodes[id.0].name = name.clone();
                    lowerer.user_named[id.0] = true;
                    id
                } else {
                    lowerer.push_named(name.clone(), Op::Identity, vec![id], *name_span, None)?
                };
                lowerer.scope.insert(name.clone(), id);
                id
            }
            Statement::Expr(expr) => lowerer.expr(expr)?,
        };
    }
    Ok(Graph::from_nodes(lowerer.finish_names(), output))
}

/// Binding names with the index of their statement, rejecting duplicates and function names.
fn collect_bindings(program: &Program) -> Result<HashMap<&str, (usize, Span)>, LowerError> {
    let mut bindings: HashMap<&str, (usize, Span)> = HashMap::new();
    for (index, statement) in program.statements.iter().enumerate() {
        if let Statement::Binding {
            name, name_span, ..
        } = statement
        {
            check_not_function(name, *name_span)?;
            if let Some(&(_, first)) = bindings.get(name.as_str()) {
                return Err(LowerError::Redefined {
                    name: name.clone(),
                    span: *name_span,
                    first,
                });
            }
            bindings.insert(name, (index, *name_span));
        }
    }
    Ok(bindings)
}

fn check_not_function(name: &str, span: Span) -> Result<(), LowerError> {
    if Op::function(name).is_some() || TENSOR_FUNCTIONS.contains(&name) {
        return Err(LowerError::FunctionName {
            name: name.to_string(),
            span,
        });
    }
    Ok(())
}

struct InputDecl {
    name: String,
    span: Span,
    default: Option<f64>,
}

/// Inputs in source order: bindings to constants, and free variables at their first use.
fn collect_inputs(
    program: &Program,
    bindings: &HashMap<&str, (usize, Span)>,
) -> Result<Vec<InputDecl>, LowerError> {
    let mut inputs: Vec<InputDecl> = Vec::new();
    for (index, statement) in program.statements.iter().enumerate() {
        match statement {
            Statement::Binding {
                name,
                name_span,
                value,
            } if value.is_constant() => {
                let default = constant_value(value)?;
                inputs.push(InputDecl {
                    name: name.clone(),
                    span: *name_span,
                    default: Some(default),
                });
            }
            _ => {
                let mut uses = Vec::new();
                variables(statement.value(), &mut uses);
                for (name, span) in uses {
                    check_not_function(name, span)?;
                    match bindings.get(name) {
                        Some(&(at, _)) if at == index => {
                            return Err(LowerError::SelfReference {
                                name: name.to_string(),
                                span,
                            });
                        }
                        Some(&(at, _)) if at > index => {
                            return Err(LowerError::UsedBeforeDefinition {
                                name: name.to_string(),
                                span,
                            });
                        }
                        Some(_) => {}
                        None if inputs.iter().any(|input| input.name == name) => {}
                        None => inputs.push(InputDecl {
                            name: name.to_string(),
                            span,
                            default: None,
                        }),
                    }
                }
            }
        }
    }
    Ok(inputs)
}

/// The value of a constant expression (see [`Expr::is_constant`]).
fn constant_value(expr: &Expr) -> Result<f64, LowerError> {
    match &expr.kind {
        ExprKind::Number(n) => Ok(*n),
        ExprKind::Neg(inner) => constant_value(inner).map(|n| -n),
        _ => Err(LowerError::Unsupported {
            what: "tensor literals",
            span: expr.span,
        }),
    }
}

/// Every variable read in `expr`, left to right.
fn variables<'e>(expr: &'e Expr, out: &mut Vec<(&'e str, Span)>) {
    match &expr.kind {
        ExprKind::Var(name) => out.push((name, expr.span)),
        ExprKind::Number(_) => {}
        ExprKind::Neg(inner) => variables(inner, out),
        ExprKind::Binary { lhs, rhs, .. } => {
            variables(lhs, out);
            variables(rhs, out);
        }
        ExprKind::Call { args: items, .. } | ExprKind::Tensor(items) => {
            items.iter().for_each(|item| variables(item, out));
        }
    }
}

#[derive(Default)]
struct Lowerer {
    nodes: Vec<Node>,
    user_named: Vec<bool>,
    scope: HashMap<String, NodeId>,
}

impl Lowerer {
    fn push(&mut self, op: Op, inputs: Vec<NodeId>, span: Span) -> Result<NodeId, LowerError> {
        if self.nodes.len() >= MAX_NODES {
            return Err(LowerError::TooManyNodes { span });
        }
        self.nodes.push(Node {
            name: String::new(),
            op,
            inputs,
            span,
            default: None,
        });
        self.user_named.push(false);
        Ok(NodeId(self.nodes.len() - 1))
    }

    fn push_named(
        &mut self,
        name: String,
        op: Op,
        inputs: Vec<NodeId>,
        span: Span,
        default: Option<f64>,
    ) -> Result<NodeId, LowerError> {
        let id = self.push(op, inputs, span)?;
        self.scope.insert(name.clone(), id);
        let node = &mut self.nodes[id.0];
        node.name = name;
        node.default = default;
        self.user_named[id.0] = true;
        Ok(id)
    }

    fn expr(&mut self, expr: &Expr) -> Result<NodeId, LowerError> {
        let span = expr.span;
        match &expr.kind {
            ExprKind::Number(_) | ExprKind::Neg(_) if expr.is_constant() => {
                let value = constant_value(expr)?;
                self.push(Op::Const(value), vec![], span)
            }
            ExprKind::Var(name) => {
                self.scope
                    .get(name)
                    .copied()
                    .ok_or_else(|| LowerError::UsedBeforeDefinition {
                        name: name.clone(),
                        span,
                    })
            }
            ExprKind::Neg(inner) => {
                let a = self.expr(inner)?;
                self.push(Op::Neg, vec![a], span)
            }
            ExprKind::Binary {
                op: BinaryOp::MatMul,
                ..
            } => Err(LowerError::Unsupported {
                what: "matrix products (`@`)",
                span,
            }),
            ExprKind::Binary {
                op: BinaryOp::Pow,
                lhs,
                rhs,
            } if rhs.is_constant() => {
                let exponent = constant_value(rhs)?;
                let a = self.expr(lhs)?;
                self.push(Op::PowConst(exponent), vec![a], span)
            }
            ExprKind::Binary { op, lhs, rhs } => {
                let a = self.expr(lhs)?;
                let b = self.expr(rhs)?;
                let op = match op {
                    BinaryOp::Add => Op::Add,
                    BinaryOp::Sub => Op::Sub,
                    BinaryOp::Mul => Op::Mul,
                    BinaryOp::Div => Op::Div,
                    BinaryOp::Pow | BinaryOp::MatMul => Op::Pow,
                };
                self.push(op, vec![a, b], span)
            }
            ExprKind::Call {
                name,
                name_span,
                args,
            } => self.call(name, *name_span, args, span),
            ExprKind::Number(_) | ExprKind::Tensor(_) => Err(LowerError::Unsupported {
                what: "tensor literals",
                span,
            }),
        }
    }

    fn call(
        &mut self,
        name: &str,
        name_span: Span,
        args: &[Expr],
        span: Span,
    ) -> Result<NodeId, LowerError> {
        let Some(op) = Op::function(name) else {
            if TENSOR_FUNCTIONS.contains(&name) {
                return Err(LowerError::Unsupported {
                    what: "tensor functions",
                    span: name_span,
                });
            }
            return Err(LowerError::UnknownFunction {
                name: name.to_string(),
                span: name_span,
                suggestion: suggest_function(name),
            });
        };
        if args.len() != op.arity() {
            return Err(LowerError::WrongArity {
                name: name.to_string(),
                span,
                expected: op.arity(),
                found: args.len(),
            });
        }
        let a = self.expr(&args[0])?;
        self.push(op, vec![a], span)
    }

    /// Number the unnamed nodes `v{k}`, where k counts non-constant nodes from 1, and
    /// name constants by their value. A number already taken by a user name gets a prime.
    fn finish_names(mut self) -> Vec<Node> {
        let mut ordinal = 0;
        for id in 0..self.nodes.len() {
            let node = &self.nodes[id];
            if let Op::Const(value) = node.op {
                self.nodes[id].name = value.to_string();
                continue;
            }
            ordinal += 1;
            if self.user_named[id] {
                continue;
            }
            let mut name = format!("v{ordinal}");
            while self.scope.contains_key(&name) {
                name.push('′');
            }
            self.nodes[id].name = name;
        }
        self.nodes
    }
}

/// "did you mean …?" for a misspelt or foreign function name.
fn suggest_function(name: &str) -> Option<String> {
    let alias = match name {
        "ln" => Some("log"),
        "logistic" | "sigma" => Some("sigmoid"),
        _ => None,
    };
    if let Some(known) = alias {
        return Some(format!("did you mean `{known}`?"));
    }
    if name == "pow" {
        return Some("write powers with `^`, as in `a^b`".into());
    }
    let (best, distance) = op_names()
        .map(|known| (known, strsim::damerau_levenshtein(name, known)))
        .min_by_key(|&(_, d)| d)?;
    if distance <= 2 && distance < name.len() {
        Some(format!("did you mean `{best}`?"))
    } else {
        let all: Vec<&str> = op_names().collect();
        Some(format!("the functions are {}", all.join(", ")))
    }
}

fn op_names() -> impl Iterator<Item = &'static str> {
    super::op::FUNCTIONS.iter().map(|(name, _)| *name)
}

#[cfg(test)]
mod tests;
