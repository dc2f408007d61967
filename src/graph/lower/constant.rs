//! Constant expressions folded while lowering: numbers, tensor literals, `zeros`, `ones`,
//! `randn`, `glorot`, `he`, and elementwise arithmetic or functions of those
//! (`randn([2, 16], 1) * 0.5`).
//!
//! Folding is planned before it runs: [`plan`] works out a constant's shape and the
//! operations computing it takes from the expression alone, computing only values of a few
//! numbers (shape arguments, seeds) on the way, so [`Folding::evaluate`] refuses an
//! expression over the work budget before any large tensor is made.

use super::{LowerError, MAX_GRAPH_ELEMENTS};
use crate::graph::cost::{FUNCTION_FLOPS, STEP_BUDGET, elements, node_flops};
use crate::lang::{BinaryOp, Expr, ExprKind, Span, infix};
use crate::op::Op;
use crate::tensor::init::Init;
use crate::tensor::{MAX_RANK, Nested, Tensor, TensorError, element_count, ops};

/// Functions whose value is fixed when the program is read.
pub(super) const CONSTRUCTORS: [&str; 5] = ["zeros", "ones", "randn", "glorot", "he"];

/// Operations counted per number `randn` draws: one elementary function's worth (a
/// Box–Muller draw is a logarithm, a square root and a sine or cosine per two numbers).
const RANDN_FLOPS: u64 = FUNCTION_FLOPS;

/// Planning computes the values of constants of at most this many numbers (shapes have at
/// most [`MAX_RANK`]), so it never does more than a few operations per expression node.
const KNOWN_ELEMENTS: u64 = MAX_RANK as u64;

/// Whether `expr` is a constructor call such as `randn([2, 3], 1)`.
pub(super) fn is_constructor(expr: &Expr) -> bool {
    matches!(&expr.kind, ExprKind::Call { name, .. } if CONSTRUCTORS.contains(&name.as_str()))
}

/// The work spent folding a program's constants, held to [`STEP_BUDGET`].
#[derive(Clone, Debug, Default)]
pub(super) struct Folding {
    /// Operations the constants folded so far took.
    pub spent: u64,
    /// Numbers in the values folded so far, which the graph keeps.
    kept: u64,
    /// The costliest constant folded so far: its operations and the expression.
    pub costliest: Option<(u64, String, Span)>,
}

impl Folding {
    /// The value of a constant expression, or why it is not one. Refused before anything
    /// is computed when it would take the constants past the work budget, or the numbers
    /// kept past [`MAX_GRAPH_ELEMENTS`].
    pub fn evaluate(&mut self, expr: &Expr) -> Result<Tensor, LowerError> {
        let planned = plan(expr)?;
        let kept = self.kept.saturating_add(elements(&planned.shape));
        if kept > MAX_GRAPH_ELEMENTS as u64 {
            return Err(LowerError::TooManyElements { span: expr.span });
        }
        self.kept = kept;
        let spent = self.spent.saturating_add(planned.flops);
        if spent > STEP_BUDGET {
            return Err(LowerError::TooMuchWork {
                needed: spent,
                partial: true,
                what: infix(expr),
                alone: planned.flops,
                span: expr.span,
            });
        }
        self.spent = spent;
        if self.costliest.as_ref().is_none_or(|c| planned.flops > c.0) {
            self.costliest = Some((planned.flops, infix(expr), expr.span));
        }
        match planned.value {
            Some(value) => Ok(value),
            None => compute(expr),
        }
    }

    /// A whole number of at least 0 (a seed, a size), written as a constant.
    pub fn whole_number(&mut self, expr: &Expr, what: &str) -> Result<u64, LowerError> {
        self.number(expr)
            .and_then(whole)
            .ok_or_else(|| LowerError::BadArgument {
                message: format!("{what} is a whole number of at least 0"),
                span: expr.span,
            })
    }

    /// An integer axis, possibly negative (counted from the end), as a constant.
    pub fn axis_number(&mut self, expr: &Expr) -> Result<i64, LowerError> {
        match self.number(expr) {
            Some(x) if x.fract() == 0.0 && x.abs() < 1e9 => Ok(x as i64),
            _ => Err(LowerError::BadArgument {
                message: "the axis is a whole number, such as 0, 1 or -1".into(),
                span: expr.span,
            }),
        }
    }

    /// The single number a constant expression stands for; `None` for anything else
    /// (found by planning, so a large tensor is never made just to be refused).
    fn number(&mut self, expr: &Expr) -> Option<f64> {
        let planned = plan(expr).ok().filter(|p| p.shape.is_empty())?;
        self.spent = self.spent.saturating_add(planned.flops);
        planned.value.and_then(scalar)
    }
}

/// What folding a constant expression makes, and the operations that takes.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Plan {
    pub shape: Vec<usize>,
    pub flops: u64,
    /// The value itself when it is known already: a literal, or at most
    /// [`KNOWN_ELEMENTS`] numbers computed from known values.
    pub value: Option<Tensor>,
}

/// The shape and cost of a constant expression, found without computing it, or why it is
/// not one (the same error computing it would give).
pub(super) fn plan(expr: &Expr) -> Result<Plan, LowerError> {
    let span = expr.span;
    match &expr.kind {
        ExprKind::Number(n) => Ok(Plan {
            shape: Vec::new(),
            flops: 0,
            value: Some(Tensor::scalar(*n)),
        }),
        ExprKind::Neg(inner) => apply_plan(Op::Neg, &[plan(inner)?], span),
        ExprKind::Tensor(_) => {
            let mut flops = 0;
            let value = Tensor::from_nested(&entries(expr, &mut flops)?)
                .map_err(|error| shape_error(error, span))?;
            Ok(Plan {
                shape: value.shape().to_vec(),
                flops,
                value: Some(value),
            })
        }
        ExprKind::Binary { op, lhs, rhs } => {
            let op = binary_op(*op, span)?;
            apply_plan(op, &[plan(lhs)?, plan(rhs)?], span)
        }
        ExprKind::Call {
            name,
            name_span,
            args,
        } => {
            if CONSTRUCTORS.contains(&name.as_str()) {
                let (shape, seed) = constructor_arguments(name, args, span)?;
                let count = element_count(&shape)
                    .map_err(|error| shape_error(error, name_span.to(span)))?;
                let per_number = if draws(name) { RANDN_FLOPS } else { 1 };
                let flops = (count as u64).saturating_mul(per_number);
                let value = if count as u64 <= KNOWN_ELEMENTS {
                    Some(make(name, &shape, seed, *name_span, span)?)
                } else {
                    None
                };
                return Ok(Plan {
                    shape,
                    flops,
                    value,
                });
            }
            match Op::function(name) {
                Some(op) if op.is_elementwise() && args.len() == 1 => {
                    apply_plan(op, &[plan(&args[0])?], span)
                }
                _ => Err(not_constant(&format!("`{name}(…)`"), span)),
            }
        }
        ExprKind::Var(name) => Err(not_constant(&format!("the variable `{name}`"), span)),
    }
}

/// The plan of `op` applied to planned operands: their work, then its forward pass; the
/// value too when the operands' are known and it is small.
fn apply_plan(op: Op, args: &[Plan], span: Span) -> Result<Plan, LowerError> {
    let shapes: Vec<&[usize]> = args.iter().map(|arg| &arg.shape[..]).collect();
    let shape = ops::output_shape(op, &shapes).map_err(|error| shape_error(error, span))?;
    let own = node_flops(op, &shapes, &shape).forward;
    let flops = args
        .iter()
        .fold(own, |sum, arg| sum.saturating_add(arg.flops));
    let known: Option<Vec<Tensor>> = if elements(&shape) <= KNOWN_ELEMENTS {
        args.iter().map(|arg| arg.value.clone()).collect()
    } else {
        None
    };
    let value = match known {
        Some(known) => Some(apply(op, &known, span)?),
        None => None,
    };
    Ok(Plan {
        shape,
        flops,
        value,
    })
}

/// A literal's rows with every entry planned: each must be a single number, whose value
/// planning then knows.
fn entries(expr: &Expr, flops: &mut u64) -> Result<Nested, LowerError> {
    if let ExprKind::Tensor(items) = &expr.kind {
        return items
            .iter()
            .map(|item| entries(item, flops))
            .collect::<Result<_, _>>()
            .map(Nested::Row);
    }
    let entry = plan(expr)?;
    *flops = flops.saturating_add(entry.flops).saturating_add(1);
    entry
        .value
        .filter(|_| entry.shape.is_empty())
        .and_then(scalar)
        .map(Nested::Number)
        .ok_or_else(|| not_a_number_entry(expr.span))
}

/// The value of a constant expression that [`plan`] accepted (it computes only what
/// planning did not know: large tensors, within the budget).
fn compute(expr: &Expr) -> Result<Tensor, LowerError> {
    let span = expr.span;
    match &expr.kind {
        ExprKind::Number(n) => Ok(Tensor::scalar(*n)),
        ExprKind::Neg(inner) => apply(Op::Neg, &[compute(inner)?], span),
        ExprKind::Tensor(_) => plan(expr)?.value.ok_or_else(|| not_a_number_entry(span)),
        ExprKind::Binary { op, lhs, rhs } => {
            let op = binary_op(*op, span)?;
            apply(op, &[compute(lhs)?, compute(rhs)?], span)
        }
        ExprKind::Call {
            name,
            name_span,
            args,
        } => {
            if CONSTRUCTORS.contains(&name.as_str()) {
                return construct(name, *name_span, args, span);
            }
            match Op::function(name) {
                Some(op) if op.is_elementwise() && args.len() == 1 => {
                    apply(op, &[compute(&args[0])?], span)
                }
                _ => Err(not_constant(&format!("`{name}(…)`"), span)),
            }
        }
        ExprKind::Var(name) => Err(not_constant(&format!("the variable `{name}`"), span)),
    }
}

fn binary_op(op: BinaryOp, span: Span) -> Result<Op, LowerError> {
    Ok(match op {
        BinaryOp::Add => Op::Add,
        BinaryOp::Sub => Op::Sub,
        BinaryOp::Mul => Op::Mul,
        BinaryOp::Div => Op::Div,
        BinaryOp::Pow => Op::Pow,
        BinaryOp::Greater => Op::Greater,
        BinaryOp::Less => Op::Less,
        BinaryOp::GreaterEqual => Op::GreaterEqual,
        BinaryOp::LessEqual => Op::LessEqual,
        BinaryOp::MatMul => return Err(not_constant("a matrix product", span)),
    })
}

fn apply(op: Op, args: &[Tensor], span: Span) -> Result<Tensor, LowerError> {
    let refs: Vec<&Tensor> = args.iter().collect();
    ops::forward(op, &refs).map_err(|error| shape_error(error, span))
}

fn shape_error(error: TensorError, span: Span) -> LowerError {
    LowerError::Shape {
        error: Box::new(error),
        span,
    }
}

fn not_constant(what: &str, span: Span) -> LowerError {
    LowerError::NotConstant {
        what: what.to_string(),
        span,
    }
}

fn not_a_number_entry(span: Span) -> LowerError {
    LowerError::BadArgument {
        message: "entries of a tensor literal are numbers or rows of numbers".into(),
        span,
    }
}

/// A constructor's shape and seed (0 unless given), after checking how many it has.
fn constructor_arguments(
    name: &str,
    args: &[Expr],
    span: Span,
) -> Result<(Vec<usize>, u64), LowerError> {
    let (expected, allowed) = if draws(name) {
        ("1 or 2", 1..=2)
    } else {
        ("1", 1..=1)
    };
    if !allowed.contains(&args.len()) {
        return Err(LowerError::WrongArity {
            name: name.to_string(),
            span,
            expected: expected.into(),
            found: args.len(),
        });
    }
    let shape = shape_argument(name, &args[0])?;
    let seed = match args.get(1) {
        Some(seed) => small_whole_number(seed, &format!("the seed of `{name}`"))?,
        None => 0,
    };
    if Init::from_name(name).is_some() && shape.len() != 2 {
        return Err(LowerError::BadArgument {
            message: format!(
                "`{name}` scales by the fans of a matrix: give its shape as [fan_in, fan_out]"
            ),
            span: args[0].span,
        });
    }
    Ok((shape, seed))
}

/// Whether the constructor draws random numbers (and so takes a seed).
fn draws(name: &str) -> bool {
    name == "randn" || Init::from_name(name).is_some()
}

/// `zeros(shape)`, `ones(shape)`, `randn(shape, seed)`, `glorot(shape, seed)`,
/// `he(shape, seed)`.
fn construct(name: &str, name_span: Span, args: &[Expr], span: Span) -> Result<Tensor, LowerError> {
    let (shape, seed) = constructor_arguments(name, args, span)?;
    make(name, &shape, seed, name_span, span)
}

fn make(
    name: &str,
    shape: &[usize],
    seed: u64,
    name_span: Span,
    span: Span,
) -> Result<Tensor, LowerError> {
    let made = match (name, Init::from_name(name)) {
        (_, Some(init)) => init.matrix(shape, seed),
        ("zeros", None) => Tensor::zeros(shape),
        ("ones", None) => Tensor::ones(shape),
        _ => Tensor::randn(shape, seed),
    };
    made.map_err(|error| shape_error(error, name_span.to(span)))
}

/// A shape written as `[2, 3]` (or a single number for one dimension), known once
/// planned (a longer list is not a shape).
fn shape_argument(function: &str, expr: &Expr) -> Result<Vec<usize>, LowerError> {
    let bad = || LowerError::BadArgument {
        message: format!("the shape of `{function}` is a list of whole numbers, such as [2, 3]"),
        span: expr.span,
    };
    let planned = plan(expr).map_err(|_| bad())?;
    if planned.shape.len() > 1 {
        return Err(bad());
    }
    let value = planned.value.ok_or_else(bad)?;
    value
        .data()
        .iter()
        .map(|&dim| {
            whole(dim)
                .and_then(|d| usize::try_from(d).ok())
                .ok_or_else(bad)
        })
        .collect()
}

/// A whole number (a seed) inside a constant, known once planned; its cost is counted
/// with the constant's.
fn small_whole_number(expr: &Expr, what: &str) -> Result<u64, LowerError> {
    plan(expr)
        .ok()
        .filter(|p| p.shape.is_empty())
        .and_then(|p| p.value)
        .and_then(scalar)
        .and_then(whole)
        .ok_or_else(|| LowerError::BadArgument {
            message: format!("{what} is a whole number of at least 0"),
            span: expr.span,
        })
}

/// The number a rank-0 tensor holds.
fn scalar(value: Tensor) -> Option<f64> {
    value.item().filter(|_| value.rank() == 0)
}

fn whole(x: f64) -> Option<u64> {
    (x.fract() == 0.0 && (0.0..9.0e15).contains(&x)).then_some(x as u64)
}
