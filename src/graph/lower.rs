//! Lowering: AST to [`Graph`]. Inputs come first, in order of first appearance; every
//! variable is one node however often it is read; bindings name their node. Every node's
//! shape is worked out here, so a shape error points at the expression that caused it.

mod constant;
mod function;
mod in_place;

use super::cost::{STEP_BUDGET, format_flops};
use super::{CustomSite, Graph, Node, NodeId, Role};
use crate::data::{DataSpec, MAX_POINTS};
use crate::lang::{BinaryOp, Expr, ExprKind, Program, Span, Statement, infix};
use crate::op::{Kind, Leaf, Op};
use crate::tensor::{Tensor, TensorError, ops};
use constant::Folding;
use function::UserFunction;
use std::collections::HashMap;
use thiserror::Error;

/// Most nodes a graph may have.
pub const MAX_NODES: usize = 10_000;
/// Most user functions open at once, one calling the next: each is expanded inside the
/// other, so this bounds how deep lowering recurses.
pub const MAX_CALL_DEPTH: usize = 64;
/// Most numbers all of a graph's values may hold together (64 MiB of `f64`).
pub const MAX_GRAPH_ELEMENTS: usize = 1 << 23;

/// Calls that are not ops: constructors, parameters and data.
const SPECIAL_FORMS: [&str; 8] = [
    "zeros", "ones", "randn", "glorot", "he", "param", "features", "labels",
];

#[derive(Clone, Debug, PartialEq, Error)]
pub enum LowerError {
    #[error("unknown function `{name}`")]
    UnknownFunction {
        name: String,
        span: Span,
        suggestion: Option<String>,
    },
    #[error("`{name}` takes {expected} argument{}, found {found}", if .expected == "1" { "" } else { "s" })]
    WrongArity {
        name: String,
        span: Span,
        expected: String,
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
    /// An op refused the shapes (or a literal its rows): `@: [3,2] @ [3] — …`.
    #[error("{error}")]
    Shape { error: Box<TensorError>, span: Span },
    #[error("{what} is not a constant")]
    NotConstant { what: String, span: Span },
    #[error("{message}")]
    BadArgument { message: String, span: Span },
    /// `a += …` after a backward rule saved `a`: PyTorch's version-counter error.
    #[error(
        "`{name}` is changed in place, but the backward pass needs its old value: `{saved_by}` saved it"
    )]
    InPlace {
        name: String,
        saved_by: String,
        span: Span,
    },
    #[error("`{what}(…)` must be the whole value of a binding")]
    NeedsName { what: &'static str, span: Span },
    #[error("unknown dataset `{name}`")]
    UnknownDataset { name: String, span: Span },
    /// `max(x, 0)` written for the larger of two values: `max` reduces one tensor.
    #[error(
        "`max(a, axis)` is the largest element of `a` along an axis, not the larger of two values"
    )]
    MaxOfTwo { span: Span },
    #[error("the program is too large: more than {MAX_NODES} nodes")]
    TooManyNodes { span: Span },
    #[error("the program's tensors hold more than {MAX_GRAPH_ELEMENTS} numbers in all")]
    TooManyElements { span: Span },
    /// Over the work budget ([`STEP_BUDGET`]); the span is the costliest expression's.
    #[error(
        "this program needs {} {} floating-point operations; the limit is {} — `{what}` alone needs {}",
        about(*.partial),
        format_flops(*.needed),
        format_flops(STEP_BUDGET),
        format_flops(*.alone)
    )]
    TooMuchWork {
        /// The work counted (all of it, or when `partial` the constants folded so far).
        needed: u64,
        partial: bool,
        /// The costliest expression, as written.
        what: String,
        alone: u64,
        span: Span,
    },
}

/// "about" a whole count, "more than" one cut short.
fn about(partial: bool) -> &'static str {
    if partial { "more than" } else { "about" }
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
            | LowerError::Shape { span, .. }
            | LowerError::NotConstant { span, .. }
            | LowerError::BadArgument { span, .. }
            | LowerError::InPlace { span, .. }
            | LowerError::NeedsName { span, .. }
            | LowerError::UnknownDataset { span, .. }
            | LowerError::MaxOfTwo { span }
            | LowerError::TooManyNodes { span }
            | LowerError::TooManyElements { span }
            | LowerError::TooMuchWork { span, .. } => *span,
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
            LowerError::NotConstant { .. } => Some(
                "initial values are built from numbers, literals, zeros, ones, randn, glorot and he"
                    .into(),
            ),
            LowerError::InPlace { name, .. } => Some(format!(
                "bind a new value instead, `{name}2 = {name} + …`: the saved one stays as it was \
                 (PyTorch raises this error too, or where it cannot tell, computes a wrong gradient)"
            )),
            LowerError::NeedsName { what, .. } => {
                Some(format!("write it on a line of its own: `W = {what}(…)`"))
            }
            LowerError::UnknownDataset { .. } => Some(format!(
                "the datasets are {}, and the real ones {}",
                crate::data::dataset::DATASET_NAMES.join(", "),
                crate::data::shipped::SHIPPED.map(|shipped| shipped.name).join(", ")
            )),
            LowerError::MaxOfTwo { .. } => Some(
                "for max(x, 0) write `relu(x)`; for the larger of x and y, `relu(x - y) + y`"
                    .into(),
            ),
            LowerError::TooManyNodes { .. } | LowerError::TooManyElements { .. } => {
                Some("split the program into smaller ones".into())
            }
            LowerError::TooMuchWork { .. } => Some(
                "a forward and backward pass must take well under a second: use smaller tensors"
                    .into(),
            ),
            _ => None,
        }
    }
}

/// Lower a parsed program into a graph.
/// Programs whose forward and backward pass (with the constants folded to read them)
/// would take more than [`STEP_BUDGET`] floating-point operations are refused, pointing at
/// their costliest expression; folding is refused before it runs.
pub fn lower(program: &Program) -> Result<Graph, LowerError> {
    let bindings = collect_bindings(program)?;
    let mut lowerer = Lowerer {
        functions: function::collect_functions(program)?,
        ..Lowerer::default()
    };
    for input in collect_inputs(program, &bindings, &mut lowerer.folding)? {
        let id = lowerer.push_named(input.name, Op::Input, vec![], input.span, input.value)?;
        lowerer.nodes[id.0].role = input.role;
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
                lowerer.nodes[id.0].binding = true;
                lowerer.scope.insert(name.clone(), id);
                id
            }
            Statement::Expr(expr) => lowerer.expr(expr)?,
            // Expanded where called.
            Statement::Function { .. } => output,
            Statement::Update {
                name,
                name_span,
                value,
            } => lowerer.update(name, *name_span, value)?,
        };
    }
    let folding = lowerer.folding.clone();
    let custom = std::mem::take(&mut lowerer.custom);
    let graph = Graph::from_nodes(lowerer.finish_names(), output).with_custom_sites(custom);
    check_work(program, &graph, &folding)?;
    Ok(graph)
}

/// Refuse a graph whose forward and backward pass, with the constants folded for it, needs
/// more than [`STEP_BUDGET`] operations, at its costliest expression or constant.
fn check_work(program: &Program, graph: &Graph, folding: &Folding) -> Result<(), LowerError> {
    let cost = super::cost::cost(graph);
    let needed = cost.total.saturating_add(folding.spent);
    if needed <= STEP_BUDGET {
        return Ok(());
    }
    let costliest_node = cost.costliest().map(|id| {
        let node = graph.node(id);
        let what = find_expr(program, node.span).map_or_else(|| node.name.clone(), infix);
        (cost.nodes[id.0].total(), what, node.span)
    });
    let (alone, what, span) = costliest_node
        .into_iter()
        .chain(folding.costliest.clone())
        .max_by_key(|(flops, ..)| *flops)
        .unwrap_or((needed, String::new(), Span::new(0, 0)));
    Err(LowerError::TooMuchWork {
        needed,
        partial: false,
        what,
        alone,
        span,
    })
}

/// The expression written at `span`, if any.
fn find_expr(program: &Program, span: Span) -> Option<&Expr> {
    fn within(expr: &Expr, span: Span) -> Option<&Expr> {
        if expr.span == span {
            return Some(expr);
        }
        match &expr.kind {
            ExprKind::Number(_) | ExprKind::Var(_) => None,
            ExprKind::Neg(inner) => within(inner, span),
            ExprKind::Binary { lhs, rhs, .. } => within(lhs, span).or_else(|| within(rhs, span)),
            ExprKind::Call { args: items, .. } | ExprKind::Tensor(items) => {
                items.iter().find_map(|item| within(item, span))
            }
        }
    }
    program
        .statements
        .iter()
        .find_map(|statement| within(statement.value(), span))
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

fn is_function(name: &str) -> bool {
    Op::function(name).is_some() || SPECIAL_FORMS.contains(&name)
}

fn check_not_function(name: &str, span: Span) -> Result<(), LowerError> {
    if is_function(name) {
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
    value: Option<Tensor>,
    role: Role,
}

/// Whether a binding's value makes the bound name an input (a leaf with a default):
/// numbers, literals, constructors, parameters and data.
fn is_leaf_binding(value: &Expr) -> bool {
    value.is_constant()
        || constant::is_constructor(value)
        || matches!(&value.kind, ExprKind::Call { name, .. }
            if matches!(name.as_str(), "param" | "features" | "labels"))
}

/// Inputs in source order: bindings to constants, and free variables at their first use.
fn collect_inputs(
    program: &Program,
    bindings: &HashMap<&str, (usize, Span)>,
    folding: &mut Folding,
) -> Result<Vec<InputDecl>, LowerError> {
    let mut inputs: Vec<InputDecl> = Vec::new();
    for (index, statement) in program.statements.iter().enumerate() {
        match statement {
            // A function's body reads only its parameters (checked with the definition).
            Statement::Function { .. } => {}
            Statement::Binding {
                name,
                name_span,
                value,
            } if is_leaf_binding(value) => {
                let (value, role) = leaf_value(value, folding)?;
                inputs.push(InputDecl {
                    name: name.clone(),
                    span: *name_span,
                    value: Some(value),
                    role,
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
                            value: None,
                            role: Role::Value,
                        }),
                    }
                }
            }
        }
    }
    Ok(inputs)
}

/// The default value and role of a leaf binding (see [`is_leaf_binding`]).
fn leaf_value(value: &Expr, folding: &mut Folding) -> Result<(Tensor, Role), LowerError> {
    let ExprKind::Call { name, args, .. } = &value.kind else {
        return Ok((folding.evaluate(value)?, Role::Value));
    };
    let arity = |expected: &str, allowed: std::ops::RangeInclusive<usize>| {
        if allowed.contains(&args.len()) {
            Ok(())
        } else {
            Err(LowerError::WrongArity {
                name: name.clone(),
                span: value.span,
                expected: expected.into(),
                found: args.len(),
            })
        }
    };
    match name.as_str() {
        "param" => {
            arity("1", 1..=1)?;
            Ok((folding.evaluate(&args[0])?, Role::Param))
        }
        "features" | "labels" => {
            arity("3 or 4", 3..=4)?;
            let spec = data_spec(args, folding)?;
            let (features, labels) =
                spec.first_batch()
                    .map_err(|error| LowerError::BadArgument {
                        message: error.to_string(),
                        span: value.span,
                    })?;
            Ok(if name == "features" {
                (features, Role::Features(spec))
            } else {
                (labels, Role::Labels(spec))
            })
        }
        _ => Ok((folding.evaluate(value)?, Role::Value)),
    }
}

/// `features(moons, points, batch[, seed])`'s arguments (or a shipped dataset's).
fn data_spec(args: &[Expr], folding: &mut Folding) -> Result<DataSpec, LowerError> {
    let dataset = match &args[0].kind {
        ExprKind::Var(name) if DataSpec::is_dataset(name) => name.clone(),
        _ => {
            return Err(LowerError::UnknownDataset {
                name: args[0].to_string(),
                span: args[0].span,
            });
        }
    };
    let mut count = |expr: &Expr, what: &str| -> Result<usize, LowerError> {
        let n = folding.whole_number(expr, what)?;
        usize::try_from(n)
            .ok()
            .filter(|&n| (1..=MAX_POINTS).contains(&n))
            .ok_or_else(|| LowerError::BadArgument {
                message: format!("{what} is between 1 and {MAX_POINTS}"),
                span: expr.span,
            })
    };
    let points = count(&args[1], "the number of points")?;
    let batch = count(&args[2], "the batch size")?;
    if batch > points {
        return Err(LowerError::BadArgument {
            message: format!("a batch of {batch} is more than the {points} points"),
            span: args[2].span,
        });
    }
    let seed = match args.get(3) {
        Some(seed) => folding.whole_number(seed, "the seed")?,
        None => 0,
    };
    Ok(DataSpec {
        dataset,
        points,
        batch,
        seed,
    })
}

/// Every variable read in `expr`, left to right (a dataset's name is not a variable).
fn variables<'e>(expr: &'e Expr, out: &mut Vec<(&'e str, Span)>) {
    match &expr.kind {
        ExprKind::Var(name) => out.push((name, expr.span)),
        ExprKind::Number(_) => {}
        ExprKind::Neg(inner) => variables(inner, out),
        ExprKind::Binary { lhs, rhs, .. } => {
            variables(lhs, out);
            variables(rhs, out);
        }
        ExprKind::Call { name, args, .. } if name == "features" || name == "labels" => {
            args.iter().skip(1).for_each(|item| variables(item, out));
        }
        ExprKind::Call { args: items, .. } | ExprKind::Tensor(items) => {
            items.iter().for_each(|item| variables(item, out));
        }
    }
}

#[derive(Default)]
struct Lowerer {
    nodes: Vec<Node>,
    shapes: Vec<Vec<usize>>,
    elements: usize,
    user_named: Vec<bool>,
    scope: HashMap<String, NodeId>,
    folding: Folding,
    functions: HashMap<String, UserFunction>,
    /// The user functions being expanded, innermost last (a call of one of them again
    /// would never end).
    expanding: Vec<String>,
    custom: Vec<CustomSite>,
}

impl Lowerer {
    /// Add a node, working out its shape from its inputs' (a leaf's from its value).
    fn push_valued(
        &mut self,
        op: Op,
        inputs: Vec<NodeId>,
        span: Span,
        value: Option<Tensor>,
    ) -> Result<NodeId, LowerError> {
        if self.nodes.len() >= MAX_NODES {
            return Err(LowerError::TooManyNodes { span });
        }
        let shape = match &value {
            Some(value) => value.shape().to_vec(),
            None if op.is_leaf() => Vec::new(),
            None => {
                let shapes: Vec<&[usize]> = inputs.iter().map(|i| &self.shapes[i.0][..]).collect();
                ops::output_shape(op, &shapes).map_err(|error| LowerError::Shape {
                    error: Box::new(error),
                    span,
                })?
            }
        };
        self.elements += shape.iter().product::<usize>();
        if self.elements > MAX_GRAPH_ELEMENTS {
            return Err(LowerError::TooManyElements { span });
        }
        self.nodes.push(Node {
            name: String::new(),
            op,
            inputs,
            span,
            value,
            role: Role::Value,
            shape: shape.clone(),
            binding: false,
        });
        self.shapes.push(shape);
        self.user_named.push(false);
        Ok(NodeId(self.nodes.len() - 1))
    }

    fn push(&mut self, op: Op, inputs: Vec<NodeId>, span: Span) -> Result<NodeId, LowerError> {
        self.push_valued(op, inputs, span, None)
    }

    fn push_named(
        &mut self,
        name: String,
        op: Op,
        inputs: Vec<NodeId>,
        span: Span,
        value: Option<Tensor>,
    ) -> Result<NodeId, LowerError> {
        let id = self.push_valued(op, inputs, span, value)?;
        self.scope.insert(name.clone(), id);
        self.nodes[id.0].name = name;
        self.user_named[id.0] = true;
        Ok(id)
    }

    fn expr(&mut self, expr: &Expr) -> Result<NodeId, LowerError> {
        let span = expr.span;
        match &expr.kind {
            ExprKind::Number(n) => self.push(Op::Const(*n), vec![], span),
            ExprKind::Neg(_) if expr.is_constant() => {
                let value = self.folding.evaluate(expr)?;
                let number = value.item().unwrap_or(f64::NAN);
                self.push(Op::Const(number), vec![], span)
            }
            ExprKind::Tensor(_) => self.literal(expr),
            ExprKind::Call { .. } if constant::is_constructor(expr) => self.literal(expr),
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
                op: BinaryOp::Pow,
                lhs,
                rhs,
            } if rhs.is_constant() && !matches!(rhs.kind, ExprKind::Tensor(_)) => {
                let exponent = self.folding.evaluate(rhs)?.item().unwrap_or(f64::NAN);
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
                    BinaryOp::Pow => Op::Pow,
                    BinaryOp::Greater => Op::Greater,
                    BinaryOp::Less => Op::Less,
                    BinaryOp::GreaterEqual => Op::GreaterEqual,
                    BinaryOp::LessEqual => Op::LessEqual,
                    BinaryOp::MatMul => Op::MatMul,
                };
                self.push(op, vec![a, b], span)
            }
            ExprKind::Call {
                name,
                name_span,
                args,
            } => self.call(name, *name_span, args, span),
        }
    }

    /// A constant tensor inside an expression: a leaf holding its value.
    fn literal(&mut self, expr: &Expr) -> Result<NodeId, LowerError> {
        let value = self.folding.evaluate(expr)?;
        self.push_valued(Op::Literal, vec![], expr.span, Some(value))
    }

    fn call(
        &mut self,
        name: &str,
        name_span: Span,
        args: &[Expr],
        span: Span,
    ) -> Result<NodeId, LowerError> {
        if let Some(function) = self.functions.get(name).cloned() {
            return self.call_user(name, &function, args, span);
        }
        let Some(op) = Op::function(name) else {
            if let Some(&what) = SPECIAL_FORMS.iter().find(|&&form| form == name) {
                return Err(LowerError::NeedsName { what, span });
            }
            return Err(LowerError::UnknownFunction {
                name: name.to_string(),
                span: name_span,
                suggestion: suggest_function(name),
            });
        };
        let reduction = op.axis().is_some();
        let arity_ok = args.len() == op.arity() || (reduction && args.len() == 2);
        if !arity_ok {
            let expected = if reduction {
                "1 or 2".to_string()
            } else {
                op.arity().to_string()
            };
            return Err(LowerError::WrongArity {
                name: name.to_string(),
                span,
                expected,
                found: args.len(),
            });
        }
        let operands = match (reduction, args) {
            (true, [input, axis]) => {
                let a = self.expr(input)?;
                let rank = self.shapes[a.0].len();
                let axis_number = self.folding.axis_number(axis);
                if op == Op::Max(None) && (rank == 0 || axis_number.is_err()) {
                    return Err(LowerError::MaxOfTwo { span });
                }
                let axis = resolve_axis(axis_number?, rank, axis.span)?;
                return self.push(op.with_axis(Some(axis)), vec![a], span);
            }
            _ => args
                .iter()
                .map(|arg| self.expr(arg))
                .collect::<Result<Vec<NodeId>, LowerError>>()?,
        };
        self.push(op, operands, span)
    }

    /// A user function's call: its body expanded with its parameters bound to the
    /// arguments; with a custom derivative `g`, the result is
    /// `detach(value) + (a − detach(a)) · detach(g)`, which is the function's value forward
    /// (`a − a` is exactly 0) and sends back `upstream · g` to the argument `a`.
    fn call_user(
        &mut self,
        name: &str,
        function: &UserFunction,
        args: &[Expr],
        span: Span,
    ) -> Result<NodeId, LowerError> {
        if args.len() != function.params.len() {
            return Err(LowerError::WrongArity {
                name: name.to_string(),
                span,
                expected: function.params.len().to_string(),
                found: args.len(),
            });
        }
        if self.expanding.iter().any(|open| open == name) {
            return Err(LowerError::BadArgument {
                message: format!("`{name}` calls itself, which would never end"),
                span,
            });
        }
        if self.expanding.len() >= MAX_CALL_DEPTH {
            return Err(LowerError::BadArgument {
                message: format!("functions call each other more than {MAX_CALL_DEPTH} deep here"),
                span,
            });
        }
        let arguments = args
            .iter()
            .map(|arg| self.expr(arg))
            .collect::<Result<Vec<NodeId>, LowerError>>()?;
        self.expanding.push(name.to_string());
        let value = self.expand(&function.params, &function.body, &arguments);
        let result = match (&function.derivative, value) {
            (Some((param, body)), Ok(value)) => {
                let argument = arguments[0];
                self.expand(std::slice::from_ref(param), body, &arguments)
                    .and_then(|derivative| self.graft(name, argument, value, derivative, span))
            }
            (None, value) | (Some(_), value) => value,
        };
        self.expanding.pop();
        result
    }

    /// `body` lowered with `params` bound to `arguments` (and nothing else in scope).
    fn expand(
        &mut self,
        params: &[String],
        body: &Expr,
        arguments: &[NodeId],
    ) -> Result<NodeId, LowerError> {
        let local = params
            .iter()
            .cloned()
            .zip(arguments.iter().copied())
            .collect();
        let outer = std::mem::replace(&mut self.scope, local);
        let result = self.expr(body);
        self.scope = outer;
        result
    }

    /// The value of `value` with the gradient `upstream · derivative` for `argument`.
    fn graft(
        &mut self,
        name: &str,
        argument: NodeId,
        value: NodeId,
        derivative: NodeId,
        span: Span,
    ) -> Result<NodeId, LowerError> {
        let shape = self.shapes[argument.0].clone();
        if self.shapes[value.0] != shape {
            return Err(LowerError::BadArgument {
                message: format!(
                    "`{name}` has a custom derivative, so its value must have its argument's \
                     shape ({} here, not {})",
                    crate::tensor::shape_text(&shape),
                    crate::tensor::shape_text(&self.shapes[value.0])
                ),
                span,
            });
        }
        let frozen_value = self.push(Op::Detach, vec![value], span)?;
        let frozen_argument = self.push(Op::Detach, vec![argument], span)?;
        let zero = self.push(Op::Sub, vec![argument, frozen_argument], span)?;
        let frozen_derivative = self.push(Op::Detach, vec![derivative], span)?;
        let slope = self.push(Op::Mul, vec![zero, frozen_derivative], span)?;
        if self.shapes[slope.0] != shape {
            return Err(LowerError::BadArgument {
                message: format!(
                    "the derivative `{name}'` must have its argument's shape ({} here, not {})",
                    crate::tensor::shape_text(&shape),
                    crate::tensor::shape_text(&self.shapes[derivative.0])
                ),
                span,
            });
        }
        let result = self.push(Op::Add, vec![frozen_value, slope], span)?;
        self.custom.push(CustomSite {
            function: name.to_string(),
            argument,
            value,
            derivative,
            result,
        });
        Ok(result)
    }

    /// Number the unnamed nodes `v{k}`, where k counts non-constant nodes from 1, and
    /// name constants by their value. A number already taken by a user name gets a prime.
    fn finish_names(mut self) -> Vec<Node> {
        let mut ordinal = 0;
        for id in 0..self.nodes.len() {
            if let Some(name) = constant_name(&self.nodes[id]) {
                self.nodes[id].name = name;
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

/// An axis counted from the end when negative (`-1` is the last), checked against `rank`.
fn resolve_axis(axis: i64, rank: usize, span: Span) -> Result<usize, LowerError> {
    let resolved = if axis < 0 {
        i64::try_from(rank).unwrap_or(i64::MAX) + axis
    } else {
        axis
    };
    usize::try_from(resolved)
        .ok()
        .filter(|&a| a < rank)
        .ok_or_else(|| LowerError::BadArgument {
            message: format!("axis {axis} does not exist in a tensor with {rank} dimensions"),
            span,
        })
}

/// A constant's name: its number, or its literal written out while short.
fn constant_name(node: &Node) -> Option<String> {
    match node.op.kind() {
        Kind::Leaf(Leaf::Number(value)) => Some(value.to_string()),
        Kind::Leaf(Leaf::Literal) => node.value.as_ref().map(literal_name),
        Kind::Leaf(Leaf::Input)
        | Kind::Elementwise(_)
        | Kind::Reduction(..)
        | Kind::Matrix(_)
        | Kind::Normalization(_)
        | Kind::Loss(_) => None,
    }
}

/// A constant tensor's name: its numbers when there are few, its shape otherwise.
fn literal_name(value: &Tensor) -> String {
    if value.len() <= 4 && value.rank() <= 1 {
        let numbers: Vec<String> = value.data().iter().map(|x| x.to_string()).collect();
        format!("[{}]", numbers.join(", "))
    } else {
        crate::tensor::shape_text(value.shape())
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
        .map(|known| (known, strsim::osa_distance(name, known)))
        .min_by_key(|&(_, d)| d)?;
    if distance <= 2 && distance < name.len() {
        Some(format!("did you mean `{best}`?"))
    } else {
        let all: Vec<&str> = op_names().collect();
        Some(format!("the functions are {}", all.join(", ")))
    }
}

fn op_names() -> impl Iterator<Item = &'static str> {
    Op::function_names().chain(SPECIAL_FORMS)
}

#[cfg(test)]
mod tests;
