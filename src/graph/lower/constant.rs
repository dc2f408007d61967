//! Constant expressions folded while lowering: numbers, tensor literals, `zeros`, `ones`,
//! `randn`, and elementwise arithmetic or functions of those (`randn([2, 16], 1) * 0.5`).

use super::LowerError;
use crate::lang::{BinaryOp, Expr, ExprKind, Span};
use crate::op::Op;
use crate::tensor::{Nested, Tensor, ops};

/// Functions whose value is fixed when the program is read.
pub(super) const CONSTRUCTORS: [&str; 3] = ["zeros", "ones", "randn"];

/// Whether `expr` is a constructor call such as `randn([2, 3], 1)`.
pub(super) fn is_constructor(expr: &Expr) -> bool {
    matches!(&expr.kind, ExprKind::Call { name, .. } if CONSTRUCTORS.contains(&name.as_str()))
}

/// The value of a constant expression, or why it is not one.
pub(super) fn evaluate(expr: &Expr) -> Result<Tensor, LowerError> {
    let span = expr.span;
    match &expr.kind {
        ExprKind::Number(n) => Ok(Tensor::scalar(*n)),
        ExprKind::Neg(inner) => apply(Op::Neg, &[evaluate(inner)?], span),
        ExprKind::Tensor(_) => {
            Tensor::from_nested(&nested(expr)?).map_err(|error| LowerError::Shape {
                error: Box::new(error),
                span,
            })
        }
        ExprKind::Binary { op, lhs, rhs } => {
            let op = match op {
                BinaryOp::Add => Op::Add,
                BinaryOp::Sub => Op::Sub,
                BinaryOp::Mul => Op::Mul,
                BinaryOp::Div => Op::Div,
                BinaryOp::Pow => Op::Pow,
                BinaryOp::MatMul => return Err(not_constant("a matrix product", span)),
            };
            apply(op, &[evaluate(lhs)?, evaluate(rhs)?], span)
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
                    apply(op, &[evaluate(&args[0])?], span)
                }
                _ => Err(not_constant(&format!("`{name}(…)`"), span)),
            }
        }
        ExprKind::Var(name) => Err(not_constant(&format!("the variable `{name}`"), span)),
    }
}

fn apply(op: Op, args: &[Tensor], span: Span) -> Result<Tensor, LowerError> {
    let refs: Vec<&Tensor> = args.iter().collect();
    ops::forward(op, &refs).map_err(|error| LowerError::Shape {
        error: Box::new(error),
        span,
    })
}

fn not_constant(what: &str, span: Span) -> LowerError {
    LowerError::NotConstant {
        what: what.to_string(),
        span,
    }
}

/// A literal's rows as written; each entry is a number or a constant scalar expression.
fn nested(expr: &Expr) -> Result<Nested, LowerError> {
    if let ExprKind::Tensor(items) = &expr.kind {
        return items
            .iter()
            .map(nested)
            .collect::<Result<_, _>>()
            .map(Nested::Row);
    }
    let value = evaluate(expr)?;
    value
        .item()
        .filter(|_| value.rank() == 0)
        .map(Nested::Number)
        .ok_or_else(|| LowerError::BadArgument {
            message: "entries of a tensor literal are numbers or rows of numbers".into(),
            span: expr.span,
        })
}

/// `zeros(shape)`, `ones(shape)`, `randn(shape, seed)`.
fn construct(name: &str, name_span: Span, args: &[Expr], span: Span) -> Result<Tensor, LowerError> {
    let (expected, allowed) = match name {
        "randn" => ("1 or 2", 1..=2),
        _ => ("1", 1..=1),
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
    let made = match name {
        "zeros" => Tensor::zeros(&shape),
        "ones" => Tensor::ones(&shape),
        _ => {
            let seed = match args.get(1) {
                Some(seed) => whole_number(seed, "the seed of `randn`")?,
                None => 0,
            };
            Tensor::randn(&shape, seed)
        }
    };
    made.map_err(|error| LowerError::Shape {
        error: Box::new(error),
        span: name_span.to(span),
    })
}

/// A shape written as `[2, 3]` (or a single number for one dimension).
pub(super) fn shape_argument(function: &str, expr: &Expr) -> Result<Vec<usize>, LowerError> {
    let bad = || LowerError::BadArgument {
        message: format!("the shape of `{function}` is a list of whole numbers, such as [2, 3]"),
        span: expr.span,
    };
    let value = evaluate(expr).map_err(|_| bad())?;
    if value.rank() > 1 {
        return Err(bad());
    }
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

/// A whole number of at least 0 (a seed, a size), written as a constant.
pub(super) fn whole_number(expr: &Expr, what: &str) -> Result<u64, LowerError> {
    evaluate(expr)
        .ok()
        .and_then(|value| value.item().filter(|_| value.rank() == 0))
        .and_then(whole)
        .ok_or_else(|| LowerError::BadArgument {
            message: format!("{what} is a whole number of at least 0"),
            span: expr.span,
        })
}

/// An integer axis, possibly negative (counted from the end), as a constant.
pub(super) fn axis_number(expr: &Expr) -> Result<i64, LowerError> {
    let bad = || LowerError::BadArgument {
        message: "the axis is a whole number, such as 0, 1 or -1".into(),
        span: expr.span,
    };
    let value = evaluate(expr).map_err(|_| bad())?;
    match value.item() {
        Some(x) if value.rank() == 0 && x.fract() == 0.0 && x.abs() < 1e9 => Ok(x as i64),
        _ => Err(bad()),
    }
}

fn whole(x: f64) -> Option<u64> {
    (x.fract() == 0.0 && (0.0..9.0e15).contains(&x)).then_some(x as u64)
}
