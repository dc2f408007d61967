//! Equations as rows of an `align*` that fit a page: a chain `lhs = a = b = c` too wide
//! for one line goes on one line per side, and a side still too wide breaks before its
//! top-level operators (`\cdot`, `\odot`, `+`, `-`), each continuation indented.

use super::width::latex_width;
use crate::render::Equation;

/// The width a displayed row may take: `\textwidth` of a default `article` page
/// (345 pt) less a safety margin.
pub const LINE_WIDTH: f64 = 320.0;
/// What `&`, a `\quad` and the gap between two equations side by side add.
const GAP: f64 = 20.0;

/// `equation` as `align*` rows (without the `\\` between them): one row when it fits.
pub fn rows(equation: &Equation) -> Vec<String> {
    let relation = equation.notation.operator(equation.relation.into());
    let chain = equation.chain();
    let lhs = &equation.lhs;
    let whole = format!("{lhs} &{relation} {}", equation.rhs());
    if latex_width(&whole) <= LINE_WIDTH {
        return vec![whole];
    }
    let room = LINE_WIDTH - latex_width(lhs) - GAP;
    let mut rows = Vec::new();
    for (index, side) in chain.iter().enumerate() {
        let symbol = if index == 0 { relation } else { "=" };
        for (line, piece) in break_side(side, room).into_iter().enumerate() {
            let start = if index == 0 && line == 0 {
                lhs.as_str()
            } else {
                ""
            };
            let joint = if line == 0 {
                format!("&{symbol} ")
            } else {
                "&\\quad ".to_string()
            };
            rows.push(format!("{start} {joint}{piece}").trim_start().to_string());
        }
    }
    rows
}

/// Whether two equations fit side by side on one row (`update, & total`).
pub fn fit_side_by_side(left: &str, right: &str) -> bool {
    latex_width(left) + latex_width(right) + GAP <= LINE_WIDTH
}

/// `side` in lines no wider than `room` where it can be broken: each line after the first
/// starts with the operator it was broken before.
fn break_side(side: &str, room: f64) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for piece in top_level_terms(side) {
        match lines.last_mut() {
            Some(line) if latex_width(&format!("{line} {piece}")) <= room => {
                line.push(' ');
                line.push_str(&piece);
            }
            _ => lines.push(piece),
        }
    }
    lines
}

/// The operators a side may be broken before.
const OPERATORS: [&str; 4] = [" \\cdot ", " \\odot ", " + ", " - "];

/// `a \cdot b + c` → `a`, `\cdot b`, `+ c`: the side split before each operator outside
/// braces and `\left…\right`.
fn top_level_terms(side: &str) -> Vec<String> {
    let mut terms = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    let mut at = 0;
    while at < side.len() {
        let rest = &side[at..];
        if rest.starts_with("\\left") || rest.starts_with("\\begin") {
            depth += 1;
        } else if rest.starts_with("\\right") || rest.starts_with("\\end") {
            depth -= 1;
        } else if rest.starts_with('{') {
            depth += 1;
        } else if rest.starts_with('}') {
            depth -= 1;
        } else if depth == 0
            && at > start
            && let Some(operator) = OPERATORS.iter().find(|op| rest.starts_with(**op))
        {
            terms.push(side[start..at].to_string());
            start = at + 1;
            at += operator.len();
            continue;
        }
        at += rest.chars().next().map_or(1, char::len_utf8);
    }
    terms.push(side[start..].to_string());
    terms
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::{Notation, Relation};

    fn wide(n: usize) -> String {
        let cells = vec!["0.693147"; n].join(" \\\\ ");
        format!("\\begin{{bmatrix}}{cells}\\end{{bmatrix}}")
    }

    #[test]
    fn a_short_equation_is_one_row() {
        let equation = Equation::new(Notation::Latex, "\\bar{x}_{1}", Relation::PlusEquals, "7")
            .with_symbolic("a \\cdot b")
            .with_numeric("7 \\cdot 1");
        assert_eq!(
            rows(&equation),
            ["\\bar{x}_{1} &\\mathrel{+}= a \\cdot b = 7 \\cdot 1 = 7"]
        );
    }

    #[test]
    fn a_long_chain_goes_one_side_a_row_and_long_sides_break_before_operators() {
        let row =
            "\\begin{bmatrix}0.693147 & -\\infty & 0.693147 & 0.693147 & 0.693147\\end{bmatrix}";
        let equation = Equation::new(Notation::Latex, "\\bar{p}", Relation::PlusEquals, row)
            .with_symbolic("\\frac{\\partial v_{5}}{\\partial p} \\odot \\bar{v}_{5}")
            .with_numeric(format!(
                "{row} \\odot {row} \\cdot \\left({row} + 1\\right)"
            ));
        let rows = rows(&equation);
        assert_eq!(
            rows[0],
            "\\bar{p} &\\mathrel{+}= \\frac{\\partial v_{5}}{\\partial p} \\odot \\bar{v}_{5}"
        );
        assert_eq!(rows[1], format!("&= {row}"));
        assert_eq!(rows[2], format!("&\\quad \\odot {row}"));
        assert_eq!(rows[3], format!("&\\quad \\cdot \\left({row} + 1\\right)"));
        assert_eq!(rows[4], format!("&= {row}"));
        for row in &rows {
            assert!(latex_width(row) <= LINE_WIDTH, "{row}");
        }
    }

    #[test]
    fn operators_inside_groups_do_not_split() {
        assert_eq!(
            top_level_terms("\\frac{a + b}{c} \\cdot \\left(d - e\\right) + f"),
            ["\\frac{a + b}{c}", "\\cdot \\left(d - e\\right)", "+ f"]
        );
        assert_eq!(top_level_terms("- a"), ["- a"]);
        assert!(fit_side_by_side("a = 1", "b = 2"));
        assert!(!fit_side_by_side(&wide(1), &"x + ".repeat(40)));
    }
}
