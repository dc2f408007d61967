//! An expression written back as a program would write it (`relu(X @ W1 + b1)`), with
//! parentheses only where the grammar needs them, cut short when long: how messages name
//! an expression.

use super::ast::{BinaryOp, Expr, ExprKind};

/// Longest text [`infix`] returns, in characters (an ellipsis ends a longer one).
pub const MAX_INFIX_CHARS: usize = 40;

/// `expr` in the language's own syntax, at most [`MAX_INFIX_CHARS`] characters.
pub fn infix(expr: &Expr) -> String {
    let mut text = String::new();
    write(expr, &mut text);
    if text.chars().count() > MAX_INFIX_CHARS {
        text = text
            .chars()
            .take(MAX_INFIX_CHARS - 1)
            .chain(['…'])
            .collect();
    }
    text
}

/// How tightly an expression binds: an operand binding more loosely than its place
/// needs is put in parentheses.
fn precedence(expr: &Expr) -> u8 {
    match &expr.kind {
        ExprKind::Binary { op, .. } => match op {
            BinaryOp::Greater | BinaryOp::Less | BinaryOp::GreaterEqual | BinaryOp::LessEqual => 1,
            BinaryOp::Add | BinaryOp::Sub => 3,
            BinaryOp::Mul | BinaryOp::Div | BinaryOp::MatMul => 5,
            BinaryOp::Pow => 10,
        },
        ExprKind::Neg(_) => 7,
        ExprKind::Number(n) if *n < 0.0 => 7,
        ExprKind::Number(_) | ExprKind::Var(_) | ExprKind::Call { .. } | ExprKind::Tensor(_) => 12,
    }
}

/// Stops adding once the text is past the longest shown, so a huge expression costs
/// little.
fn write(expr: &Expr, out: &mut String) {
    if out.len() > 4 * MAX_INFIX_CHARS {
        return;
    }
    match &expr.kind {
        ExprKind::Number(n) => out.push_str(&n.to_string()),
        ExprKind::Var(name) => out.push_str(name),
        ExprKind::Neg(inner) => {
            out.push('-');
            operand(inner, precedence(inner) < 10, out);
        }
        ExprKind::Binary { op, lhs, rhs } => {
            let own = precedence(expr);
            // `^` groups to the right, the others to the left.
            let (left_parens, right_parens) = match op {
                BinaryOp::Pow => (precedence(lhs) <= own, precedence(rhs) < own),
                _ => (precedence(lhs) < own, precedence(rhs) <= own),
            };
            operand(lhs, left_parens, out);
            match op {
                BinaryOp::Pow => out.push('^'),
                _ => out.push_str(&format!(" {} ", op.symbol())),
            }
            operand(rhs, right_parens, out);
        }
        ExprKind::Call { name, args, .. } => {
            out.push_str(name);
            list('(', args, ')', out);
        }
        ExprKind::Tensor(items) => list('[', items, ']', out),
    }
}

fn operand(expr: &Expr, parens: bool, out: &mut String) {
    if parens {
        out.push('(');
        write(expr, out);
        out.push(')');
    } else {
        write(expr, out);
    }
}

fn list(open: char, items: &[Expr], close: char, out: &mut String) {
    out.push(open);
    for (index, item) in items.iter().enumerate() {
        if index > 0 {
            out.push_str(", ");
        }
        write(item, out);
    }
    out.push(close);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::{Statement, parse};

    fn round(source: &str) -> String {
        let program = parse(source).unwrap();
        match program.statements.last().unwrap() {
            Statement::Expr(expr)
            | Statement::Binding { value: expr, .. }
            | Statement::Update { value: expr, .. }
            | Statement::Function { body: expr, .. } => infix(expr),
        }
    }

    #[test]
    fn writes_what_was_written_with_needed_parentheses_only() {
        for source in [
            "C @ B",
            "relu(X @ W1 + b1)",
            "(a + b) * c",
            "a - (b - c)",
            "a - b - c",
            "-x^2",
            "(-x)^2",
            "2^3^2",
            "(2^3)^2",
            "-(a * b)",
            "sum((y - t)^2)",
            "randn([2, 16], 1) * 0.7",
            "mean(x, -1)",
            "x + 1 > y * 2",
            "(a > b) * c",
            "where(x <= 0, x, 0)",
        ] {
            assert_eq!(round(source), source);
        }
    }

    #[test]
    fn rewritten_text_parses_to_the_same_tree() {
        for source in ["a/(b*c)", "x*-y", "2^-x", "((a))", "-(-x)"] {
            let text = round(source);
            assert_eq!(
                parse(&text).unwrap().statements[0].value().to_string(),
                parse(source).unwrap().statements[0].value().to_string(),
                "{source} → {text}"
            );
        }
    }

    #[test]
    fn long_expressions_are_cut() {
        let source = vec!["x"; 200].join(" + ");
        let text = round(&source);
        assert_eq!(text.chars().count(), MAX_INFIX_CHARS);
        assert!(text.ends_with('…'), "{text}");
    }
}
