//! Pratt parser: tokens to a [`Program`], with depth and size limits and helpful errors.
//!
//! Binding powers, loosest first: the comparisons `> < >= <=` (so `x + 1 > y` compares
//! sums), then `+ -`, then `* / @`, then unary minus, then `^` (right associative, so
//! `-x^2` is `-(x^2)` and `2^3^2` is `2^(3^2)`).
//!
//! Statements: `name = expr` bindings, `f(a, b) = expr` function definitions and
//! `f'(a) = expr` custom derivatives, `name += expr` changes in place, and a final bare
//! expression.

use super::ast::{BinaryOp, Expr, ExprKind, Program, Statement};
use super::error::ParseError;
use super::lexer::{Token, TokenKind, tokenize};
use super::span::Span;

/// Bounds on what the parser accepts; exceeding any of them is an error, never a crash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Longest accepted source, in bytes.
    pub max_source_bytes: usize,
    /// Deepest accepted nesting of expressions (parentheses, operators, calls).
    pub max_depth: usize,
    /// Most expression nodes in one program.
    pub max_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_source_bytes: 256 * 1024,
            max_depth: 256,
            max_nodes: 20_000,
        }
    }
}

const PREFIX_MINUS_BP: u8 = 7;

/// Left and right binding power of an infix operator token.
fn infix_binding_power(kind: TokenKind) -> Option<(BinaryOp, u8, u8)> {
    Some(match kind {
        TokenKind::Greater => (BinaryOp::Greater, 1, 2),
        TokenKind::Less => (BinaryOp::Less, 1, 2),
        TokenKind::GreaterEqual => (BinaryOp::GreaterEqual, 1, 2),
        TokenKind::LessEqual => (BinaryOp::LessEqual, 1, 2),
        TokenKind::Plus => (BinaryOp::Add, 3, 4),
        TokenKind::Minus => (BinaryOp::Sub, 3, 4),
        TokenKind::Star => (BinaryOp::Mul, 5, 6),
        TokenKind::Slash => (BinaryOp::Div, 5, 6),
        TokenKind::At => (BinaryOp::MatMul, 5, 6),
        TokenKind::Caret => (BinaryOp::Pow, 10, 9),
        _ => return None,
    })
}

/// Parse a program with the default [`Limits`].
pub fn parse(source: &str) -> Result<Program, ParseError> {
    parse_with_limits(source, Limits::default())
}

pub fn parse_with_limits(source: &str, limits: Limits) -> Result<Program, ParseError> {
    if source.len() > limits.max_source_bytes {
        let span = Span::new(limits.max_source_bytes, source.len());
        return Err(ParseError::new(
            format!(
                "the program is too long: {} bytes, the limit is {}",
                source.len(),
                limits.max_source_bytes
            ),
            span,
        ));
    }
    let tokens = tokenize(source)?;
    Parser {
        source,
        tokens,
        pos: 0,
        depth: 0,
        nesting: 0,
        node_count: 0,
        limits,
    }
    .program()
}

struct Parser<'s> {
    source: &'s str,
    tokens: Vec<Token>,
    pos: usize,
    /// Current expression nesting, bounded by `limits.max_depth`.
    depth: usize,
    /// Open brackets and parentheses: inside them, line breaks do not end a statement.
    nesting: usize,
    node_count: usize,
    limits: Limits,
}

impl Parser<'_> {
    fn program(mut self) -> Result<Program, ParseError> {
        let mut statements = Vec::new();
        loop {
            while self.peek().kind == TokenKind::Separator {
                self.pos += 1;
            }
            if self.peek().kind == TokenKind::Eof {
                break;
            }
            statements.push(self.statement()?);
            let next = self.peek();
            match next.kind {
                TokenKind::Separator | TokenKind::Eof => {}
                _ => return Err(self.unexpected_after_expression(statements.last(), next)),
            }
        }
        if statements.is_empty() {
            return Err(
                ParseError::new("the program is empty", Span::new(0, self.source.len()))
                    .with_hint("write an expression such as `(x1 + x2) * x1`"),
            );
        }
        if let Some(Statement::Function { name_span, .. } | Statement::Update { name_span, .. }) =
            statements.last()
        {
            return Err(ParseError::new(
                "the last line is the output, not a function definition or a change in place",
                *name_span,
            )
            .with_hint("end with the expression the program computes"));
        }
        if let Some(Statement::Expr(expr)) = statements[..statements.len() - 1]
            .iter()
            .find(|s| matches!(s, Statement::Expr(_)))
        {
            return Err(ParseError::new(
                "only the last line may be a bare expression; earlier lines must be bindings",
                expr.span,
            )
            .with_hint("give it a name, as in `a = …`, or remove it"));
        }
        Ok(Program { statements })
    }

    fn statement(&mut self) -> Result<Statement, ParseError> {
        let first = self.peek();
        if let Some((params, equals)) = self.definition_head() {
            return self.definition(first, params, equals);
        }
        if first.kind == TokenKind::Ident && self.peek_at(1).kind == TokenKind::PlusEquals {
            self.pos += 2;
            self.skip_newlines();
            let value = self.expr(0)?;
            return Ok(Statement::Update {
                name: first.span.text(self.source).to_string(),
                name_span: first.span,
                value,
            });
        }
        if first.kind == TokenKind::Ident && self.peek_at(1).kind == TokenKind::Equals {
            self.pos += 2;
            self.skip_newlines();
            let value = self.expr(0)?;
            return Ok(Statement::Binding {
                name: first.span.text(self.source).to_string(),
                name_span: first.span,
                value,
            });
        }
        Ok(Statement::Expr(self.expr(0)?))
    }

    /// At `name(a, b) =` or `name'(a) =`: the parameters' tokens and how far ahead the `=`
    /// is; `None` elsewhere.
    fn definition_head(&self) -> Option<(Vec<Token>, usize)> {
        if self.peek().kind != TokenKind::Ident {
            return None;
        }
        let mut ahead = 1;
        if self.peek_at(ahead).kind == TokenKind::Prime {
            ahead += 1;
        }
        if self.peek_at(ahead).kind != TokenKind::LParen {
            return None;
        }
        ahead += 1;
        let mut params = Vec::new();
        while self.peek_at(ahead).kind == TokenKind::Ident {
            params.push(self.peek_at(ahead));
            ahead += 1;
            match self.peek_at(ahead).kind {
                TokenKind::Comma => ahead += 1,
                _ => break,
            }
        }
        let closes = self.peek_at(ahead).kind == TokenKind::RParen;
        (closes && self.peek_at(ahead + 1).kind == TokenKind::Equals).then_some((params, ahead + 1))
    }

    /// `name(params) = body` or `name'(param) = body`, its head already recognised.
    fn definition(
        &mut self,
        name: Token,
        params: Vec<Token>,
        equals: usize,
    ) -> Result<Statement, ParseError> {
        let derivative = self.peek_at(1).kind == TokenKind::Prime;
        self.pos += equals + 1;
        let params: Vec<(String, Span)> = params
            .iter()
            .map(|token| (token.span.text(self.source).to_string(), token.span))
            .collect();
        let repeated = params
            .iter()
            .enumerate()
            .find(|(i, param)| params[..*i].iter().any(|p| p.0 == param.0));
        if let Some((_, (repeated, span))) = repeated {
            return Err(ParseError::new(
                format!("the parameter `{repeated}` is listed twice"),
                *span,
            ));
        }
        self.skip_newlines();
        let body = self.expr(0)?;
        Ok(Statement::Function {
            name: name.span.text(self.source).to_string(),
            name_span: name.span,
            params,
            derivative,
            body,
        })
    }

    fn expr(&mut self, min_bp: u8) -> Result<Expr, ParseError> {
        self.depth += 1;
        if self.depth > self.limits.max_depth {
            return Err(self.too_deep(self.peek().span));
        }
        let result = self.expr_inner(min_bp);
        self.depth -= 1;
        result
    }

    fn expr_inner(&mut self, min_bp: u8) -> Result<Expr, ParseError> {
        let mut lhs = self.prefix()?;
        loop {
            if self.nesting > 0 {
                self.skip_newlines();
            }
            let op_token = self.peek();
            let Some((op, left_bp, right_bp)) = infix_binding_power(op_token.kind) else {
                break;
            };
            if left_bp < min_bp {
                break;
            }
            self.pos += 1;
            let line_ended = self.skip_newlines();
            self.expect_right_operand(op_token, line_ended)?;
            let rhs = self.expr(right_bp)?;
            let span = lhs.span.to(rhs.span);
            lhs = self.node(
                ExprKind::Binary {
                    op,
                    lhs: Box::new(lhs),
                    rhs: Box::new(rhs),
                },
                span,
            )?;
        }
        Ok(lhs)
    }

    fn prefix(&mut self) -> Result<Expr, ParseError> {
        let token = self.advance();
        match token.kind {
            TokenKind::Number(value) => self.node(ExprKind::Number(value), token.span),
            TokenKind::Ident if self.peek().kind == TokenKind::LParen => self.call(token),
            TokenKind::Ident => {
                let name = token.span.text(self.source).to_string();
                self.node(ExprKind::Var(name), token.span)
            }
            TokenKind::Minus => {
                self.skip_newlines();
                let operand = self.expr(PREFIX_MINUS_BP)?;
                let span = token.span.to(operand.span);
                self.node(ExprKind::Neg(Box::new(operand)), span)
            }
            TokenKind::LParen => {
                self.nesting += 1;
                self.skip_newlines();
                let inner = self.expr(0)?;
                let close = self.expect_closing(token, TokenKind::RParen, Some(&inner))?;
                let span = token.span.to(close);
                Ok(Expr { span, ..inner })
            }
            TokenKind::LBracket => {
                let (items, close) = self.list(token, TokenKind::RBracket)?;
                if items.is_empty() {
                    return Err(ParseError::new(
                        "a tensor literal needs at least one element",
                        token.span.to(close),
                    ));
                }
                self.node(ExprKind::Tensor(items), token.span.to(close))
            }
            TokenKind::Plus => Err(ParseError::new("unary `+` is not supported", token.span)
                .with_hint("remove the `+`")),
            _ => Err(self.expected_expression(token)),
        }
    }

    fn call(&mut self, name: Token) -> Result<Expr, ParseError> {
        let open = self.advance();
        let (args, close) = self.list(open, TokenKind::RParen)?;
        self.node(
            ExprKind::Call {
                name: name.span.text(self.source).to_string(),
                name_span: name.span,
                args,
            },
            name.span.to(close),
        )
    }

    /// Comma-separated expressions after `open`, up to `close_kind`; returns them and the
    /// closing token's span. A trailing comma is allowed.
    fn list(
        &mut self,
        open: Token,
        close_kind: TokenKind,
    ) -> Result<(Vec<Expr>, Span), ParseError> {
        self.nesting += 1;
        let mut items = Vec::new();
        loop {
            self.skip_newlines();
            if self.peek().kind == close_kind {
                break;
            }
            items.push(self.expr(0)?);
            self.skip_newlines();
            if self.peek().kind == TokenKind::Comma {
                self.pos += 1;
            } else {
                break;
            }
        }
        let close = self.expect_closing(open, close_kind, items.last())?;
        Ok((items, close))
    }

    /// Consume the closer matching `open`, or explain what is unbalanced.
    fn expect_closing(
        &mut self,
        open: Token,
        close_kind: TokenKind,
        last: Option<&Expr>,
    ) -> Result<Span, ParseError> {
        self.skip_newlines();
        let token = self.peek();
        if token.kind == close_kind {
            self.pos += 1;
            self.nesting -= 1;
            return Ok(token.span);
        }
        let (open_text, close_text) = if close_kind == TokenKind::RParen {
            ("(", ")")
        } else {
            ("[", "]")
        };
        match token.kind {
            TokenKind::Eof | TokenKind::Separator => Err(ParseError::new(
                format!("this `{open_text}` is never closed"),
                open.span,
            )
            .with_hint(format!("add a `{close_text}`"))),
            TokenKind::Ident | TokenKind::Number(_) | TokenKind::LParen if last.is_some() => {
                Err(self.unexpected_after_expression_expr(last, token))
            }
            TokenKind::RParen | TokenKind::RBracket => Err(ParseError::new(
                format!(
                    "`{open_text}` is closed by `{}`",
                    token.span.text(self.source)
                ),
                token.span,
            )
            .with_hint(format!("close it with `{close_text}`"))),
            _ => Err(ParseError::new(
                format!(
                    "expected `,` or `{close_text}`, found {}",
                    token.kind.describe()
                ),
                token.span,
            )),
        }
    }

    fn node(&mut self, kind: ExprKind, span: Span) -> Result<Expr, ParseError> {
        let height = Expr::height_of(&kind);
        if height > self.limits.max_depth {
            return Err(self.too_deep(span));
        }
        self.node_count += 1;
        if self.node_count > self.limits.max_nodes {
            return Err(ParseError::new(
                format!(
                    "the program is too large (more than {} terms)",
                    self.limits.max_nodes
                ),
                span,
            ));
        }
        Ok(Expr { kind, span, height })
    }

    /// An operator that ends a line continues the expression on the next one, unless
    /// nothing follows or the next line starts a binding: then the operator is what is
    /// wrong, and the error points at it rather than at the next line.
    fn expect_right_operand(&self, op: Token, line_ended: bool) -> Result<(), ParseError> {
        let next = self.peek();
        let binding_follows =
            next.kind == TokenKind::Ident && self.peek_at(1).kind == TokenKind::Equals;
        if line_ended && (next.kind == TokenKind::Eof || binding_follows) {
            let text = op.span.text(self.source);
            return Err(ParseError::new(
                format!("`{text}` has nothing after it on its line"),
                op.span,
            )
            .with_hint(format!(
                "finish the expression after `{text}`, or remove the `{text}`"
            )));
        }
        Ok(())
    }

    fn too_deep(&self, span: Span) -> ParseError {
        ParseError::new(
            format!(
                "the expression is nested too deeply (more than {} levels)",
                self.limits.max_depth
            ),
            span,
        )
        .with_hint("split it into bindings such as `a = …` on separate lines")
    }

    fn expected_expression(&self, token: Token) -> ParseError {
        let found = token.kind.describe();
        let error = ParseError::new(format!("expected an expression, found {found}"), token.span);
        match token.kind {
            TokenKind::RParen => error.with_hint("this `)` has no matching `(`"),
            TokenKind::Eof | TokenKind::Separator => {
                error.with_hint("the expression is incomplete")
            }
            TokenKind::Equals => error.with_hint("a binding is written `name = expression`"),
            _ => error,
        }
    }

    fn unexpected_after_expression(&self, last: Option<&Statement>, token: Token) -> ParseError {
        self.unexpected_after_expression_expr(last.map(Statement::value), token)
    }

    /// A token that cannot follow a complete expression: explain, with a hint for the common
    /// cases (a missing `*`, a stray `)`, a misplaced `=`).
    fn unexpected_after_expression_expr(&self, last: Option<&Expr>, token: Token) -> ParseError {
        match token.kind {
            TokenKind::Ident | TokenKind::Number(_) | TokenKind::LParen | TokenKind::LBracket => {
                let left = last.map_or("", |expr| {
                    let text = expr.span.text(self.source);
                    if text.len() <= 24 { text } else { "…" }
                });
                let right = match token.kind {
                    TokenKind::Ident | TokenKind::Number(_) => token.span.text(self.source),
                    _ => "(…)",
                };
                ParseError::new(
                    format!("expected an operator before {}", token.kind.describe()),
                    token.span,
                )
                .with_hint(format!("did you mean `{left} * {right}`?"))
            }
            TokenKind::RParen | TokenKind::RBracket => ParseError::new(
                format!("unmatched `{}`", token.span.text(self.source)),
                token.span,
            )
            .with_hint("remove it, or add the opening bracket it closes"),
            TokenKind::Equals => ParseError::new(
                "`=` must follow a single name at the start of a line",
                token.span,
            )
            .with_hint("a binding is written `name = expression`"),
            _ => ParseError::new(format!("unexpected {}", token.kind.describe()), token.span),
        }
    }

    fn peek(&self) -> Token {
        self.peek_at(0)
    }

    fn peek_at(&self, ahead: usize) -> Token {
        let last = self.tokens.len() - 1;
        self.tokens[(self.pos + ahead).min(last)]
    }

    fn advance(&mut self) -> Token {
        let token = self.peek();
        if token.kind != TokenKind::Eof {
            self.pos += 1;
        }
        token
    }

    /// Line breaks inside brackets, or after an operator, continue the expression.
    /// Skip line breaks; whether there were any.
    fn skip_newlines(&mut self) -> bool {
        let start = self.pos;
        while self.peek().kind == TokenKind::Separator && self.peek().span.text(self.source) == "\n"
        {
            self.pos += 1;
        }
        self.pos > start
    }
}

#[cfg(test)]
mod tests;
