//! The program language: lexer, Pratt parser, AST and parse errors with byte spans.
//!
//! A program is bindings plus a final expression (`u = W*x; v = u + b; y = v^2`) or a
//! bare expression (`(x1+x2)*x1`), separated by newlines or `;`, with `#` comments.

pub mod ast;
pub mod error;
pub mod infix;
pub mod lexer;
pub mod parser;
pub mod span;

pub use ast::{BinaryOp, Expr, ExprKind, Program, Statement};
pub use error::ParseError;
pub use infix::infix;
pub use parser::{Limits, parse, parse_with_limits};
pub use span::Span;
