//! The abstract syntax tree: statements and expressions, each with its source span.

use super::span::Span;
use std::fmt;

/// A whole program: statements in source order. The last one is the output.
#[derive(Clone, Debug, PartialEq)]
pub struct Program {
    pub statements: Vec<Statement>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Statement {
    /// `name = value`
    Binding {
        name: String,
        name_span: Span,
        value: Expr,
    },
    /// A bare expression (allowed only as the last statement).
    Expr(Expr),
    /// `name(a, b) = body`: a function, expanded where it is called; or, with
    /// `derivative`, `name'(a) = body`: the derivative a one-argument function's backward
    /// pass uses instead of its own (a custom derivative, checked by the gradient check).
    Function {
        name: String,
        name_span: Span,
        params: Vec<(String, Span)>,
        derivative: bool,
        body: Expr,
    },
    /// `name += value`: a change in place of a computed value (PyTorch's `add_`), refused
    /// when a backward rule saved the old value (PyTorch's version counter).
    Update {
        name: String,
        name_span: Span,
        value: Expr,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
    /// Levels of nesting, 1 for a leaf. The parser bounds it, so every recursive walk
    /// over the tree (lowering, dropping) is bounded too.
    pub height: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Number(f64),
    Var(String),
    Neg(Box<Expr>),
    Binary {
        op: BinaryOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    Call {
        name: String,
        name_span: Span,
        args: Vec<Expr>,
    },
    /// `[a, b, …]`; nested lists make matrices.
    Tensor(Vec<Expr>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    MatMul,
    Greater,
    Less,
    GreaterEqual,
    LessEqual,
}

impl BinaryOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Pow => "^",
            BinaryOp::MatMul => "@",
            BinaryOp::Greater => ">",
            BinaryOp::Less => "<",
            BinaryOp::GreaterEqual => ">=",
            BinaryOp::LessEqual => "<=",
        }
    }
}

impl Statement {
    pub fn value(&self) -> &Expr {
        match self {
            Statement::Binding { value, .. }
            | Statement::Expr(value)
            | Statement::Update { value, .. }
            | Statement::Function { body: value, .. } => value,
        }
    }
}

impl Expr {
    /// The height a node of this kind gets from its children.
    pub fn height_of(kind: &ExprKind) -> usize {
        let children = match kind {
            ExprKind::Number(_) | ExprKind::Var(_) => 0,
            ExprKind::Neg(inner) => inner.height,
            ExprKind::Binary { lhs, rhs, .. } => lhs.height.max(rhs.height),
            ExprKind::Call { args: items, .. } | ExprKind::Tensor(items) => {
                items.iter().map(|item| item.height).max().unwrap_or(0)
            }
        };
        children + 1
    }

    /// A literal whose value is known without inputs: a number, a negated number, or a
    /// tensor literal made of those. A binding to one of these declares an input.
    pub fn is_constant(&self) -> bool {
        match &self.kind {
            ExprKind::Number(_) => true,
            ExprKind::Neg(inner) => matches!(inner.kind, ExprKind::Number(_)),
            ExprKind::Tensor(items) => items.iter().all(Expr::is_constant),
            _ => false,
        }
    }
}

/// S-expression form, used by tests to show how a program was grouped.
impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExprKind::Number(n) => write!(f, "{n}"),
            ExprKind::Var(name) => write!(f, "{name}"),
            ExprKind::Neg(inner) => write!(f, "(neg {inner})"),
            ExprKind::Binary { op, lhs, rhs } => write!(f, "({} {lhs} {rhs})", op.symbol()),
            ExprKind::Call { name, args, .. } => {
                write!(f, "({name}")?;
                args.iter().try_for_each(|arg| write!(f, " {arg}"))?;
                write!(f, ")")
            }
            ExprKind::Tensor(items) => {
                write!(f, "[")?;
                for (i, item) in items.iter().enumerate() {
                    write!(f, "{}{item}", if i == 0 { "" } else { " " })?;
                }
                write!(f, "]")
            }
        }
    }
}
