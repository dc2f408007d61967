//! Notations for math text: plain Unicode (`x̄1 += ∂v4/∂x1 · v̄4`), LaTeX
//! (`\bar{x}_{1} \mathrel{+}= \frac{\partial v_{4}}{\partial x_{1}} \cdot \bar{v}_{4}`) and
//! MathML Core fragments for the browser. Every symbol and every join is written here, so
//! the rest of `render` works in any notation.

mod mathml;

pub use mathml::{math_block, math_inline};

use crate::number::format_number;
use crate::tensor::Tensor;

/// The most elements a tensor may have to be written out in full.
pub const MAX_SHOWN_ELEMENTS: usize = 24;

/// The widest a LaTeX matrix is written as it is, in characters of its widest cell per
/// column plus two between columns (about 240 pt); a wider one is written transposed.
const LATEX_MATRIX_CHARACTERS: usize = 48;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notation {
    Plain,
    Latex,
    /// The content of a `<math>` element (see [`math_block`]), with all text escaped.
    MathMl,
}

/// The infix operators and relations that join rendered pieces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operator {
    Plus,
    Minus,
    Times,
    /// The elementwise product `⊙`.
    Hadamard,
    Equals,
    PlusEquals,
    Greater,
    Less,
    GreaterEqual,
    LessEqual,
}

impl Notation {
    /// A variable name: `x1` stays `x1` in plain text and becomes `x_{1}` in LaTeX.
    pub fn var(self, name: &str) -> String {
        match self {
            Notation::Plain => name.to_string(),
            Notation::Latex => latex_name(name, None),
            Notation::MathMl => mathml::name(name, None),
        }
    }

    /// The adjoint of a node: `x̄1`, `\bar{x}_{1}`.
    pub fn adjoint(self, name: &str) -> String {
        match self {
            Notation::Plain => plain_accented(name, '\u{304}'),
            Notation::Latex => latex_name(name, Some(("bar", "overline"))),
            Notation::MathMl => mathml::name(name, Some('¯')),
        }
    }

    /// The tangent of a node in forward mode: `ẋ1`, `\dot{x}_{1}`.
    pub fn tangent(self, name: &str) -> String {
        match self {
            Notation::Plain => plain_accented(name, '\u{307}'),
            Notation::Latex => latex_name(name, Some(("dot", "dot"))),
            Notation::MathMl => mathml::name(name, Some('˙')),
        }
    }

    /// The partial derivative of one node by another, given their names: `∂v4/∂x1`.
    pub fn partial(self, of: &str, by: &str) -> String {
        match self {
            Notation::Plain => format!("∂{of}/∂{by}"),
            Notation::Latex => {
                format!(
                    "\\frac{{\\partial {}}}{{\\partial {}}}",
                    self.var(of),
                    self.var(by)
                )
            }
            Notation::MathMl => mathml::partial(&self.var(of), &self.var(by)),
        }
    }

    /// A number, with a typographic minus (U+2212) like the operators around it.
    pub fn number(self, x: f64) -> String {
        let text = format_number(x);
        match self {
            Notation::Plain => text.replace('-', "−"),
            Notation::Latex => text
                .replace('∞', "\\infty")
                .replace("NaN", "\\mathrm{NaN}")
                .replace('e', "\\mathrm{e}"),
            Notation::MathMl => mathml::number(&text),
        }
    }

    /// Whether [`Notation::number`] writes `x` as a product (`1.5 × 10⁻⁷`), so that it
    /// needs parentheses as the base of a power.
    pub fn writes_as_product(self, x: f64) -> bool {
        self == Notation::MathMl && format_number(x).contains('e')
    }

    /// The operator alone: `+`, `\cdot`, `<mo>=</mo>`.
    pub fn operator(self, operator: Operator) -> &'static str {
        match (self, operator) {
            (Notation::MathMl, _) => mathml::operator(operator),
            (_, Operator::Plus) => "+",
            (Notation::Plain, Operator::Minus) => "−",
            (_, Operator::Minus) => "-",
            (Notation::Plain, Operator::Times) => "·",
            (_, Operator::Times) => "\\cdot",
            (Notation::Plain, Operator::Hadamard) => "⊙",
            (_, Operator::Hadamard) => "\\odot",
            (_, Operator::Equals) => "=",
            (Notation::Plain, Operator::PlusEquals) => "+=",
            (_, Operator::PlusEquals) => "\\mathrel{+}=",
            (_, Operator::Greater) => ">",
            (_, Operator::Less) => "<",
            (Notation::Plain, Operator::GreaterEqual) => "≥",
            (_, Operator::GreaterEqual) => "\\geq",
            (Notation::Plain, Operator::LessEqual) => "≤",
            (_, Operator::LessEqual) => "\\leq",
        }
    }

    /// `left operator right`: `7 · 3`, `x̄1 += 7`.
    pub fn infix(self, left: &str, operator: Operator, right: &str) -> String {
        let symbol = self.operator(operator);
        match self {
            Notation::Plain | Notation::Latex => format!("{left} {symbol} {right}"),
            Notation::MathMl => format!("{left}{symbol}{right}"),
        }
    }

    /// A unary minus: `−a`.
    pub fn negative(self, operand: &str) -> String {
        match self {
            Notation::Plain | Notation::Latex => {
                format!("{}{operand}", self.operator(Operator::Minus))
            }
            Notation::MathMl => mathml::negative(operand),
        }
    }

    /// Between the assignments of one step: `v̄4 = 1; v̄3 += …`.
    pub fn separator(self) -> &'static str {
        match self {
            Notation::Plain | Notation::Latex => "; ",
            Notation::MathMl => mathml::SEPARATOR,
        }
    }

    pub fn parens(self, inner: &str) -> String {
        match self {
            Notation::Plain => format!("({inner})"),
            Notation::Latex => format!("\\left({inner}\\right)"),
            Notation::MathMl => mathml::parens(inner),
        }
    }

    pub fn power(self, base: &str, exponent: &str) -> String {
        match self {
            Notation::Plain => match superscript(exponent) {
                Some(sup) => format!("{base}{sup}"),
                None => format!("{base}^{exponent}"),
            },
            Notation::Latex => format!("{base}^{{{exponent}}}"),
            Notation::MathMl => mathml::power(base, exponent),
        }
    }

    /// Whether exponents are set apart (raised), so they never need parentheses.
    pub fn raises_exponents(self) -> bool {
        self != Notation::Plain
    }

    pub fn fraction(self, numerator: &str, denominator: &str) -> String {
        match self {
            Notation::Plain => format!("{numerator}/{denominator}"),
            Notation::Latex => format!("\\frac{{{numerator}}}{{{denominator}}}"),
            Notation::MathMl => mathml::fraction(numerator, denominator),
        }
    }

    /// Whether fractions are stacked (numerator over denominator), so they bind like an
    /// atom; on one line (`a/b`) they bind like a product.
    pub fn stacks_fractions(self) -> bool {
        self != Notation::Plain
    }

    pub fn call(self, function: &str, argument: &str) -> String {
        match self {
            Notation::Plain => format!("{function}({argument})"),
            Notation::Latex => {
                let name = match function {
                    "exp" | "log" | "ln" | "sin" | "cos" | "tanh" => format!("\\{function}"),
                    "sqrt" => return format!("\\sqrt{{{argument}}}"),
                    "abs" => return format!("\\left|{argument}\\right|"),
                    "Φ" => "\\Phi".to_string(),
                    "φ" => "\\phi".to_string(),
                    _ => format!("\\operatorname{{{}}}", escape_latex(function)),
                };
                format!("{name}\\left({argument}\\right)")
            }
            Notation::MathMl => mathml::call(function, argument),
        }
    }

    /// A tensor's values: a scalar as a number, a small vector or matrix in brackets,
    /// a larger tensor by its shape (`tensor 64×16`).
    pub fn tensor(self, value: &Tensor) -> String {
        if value.rank() == 0 {
            return self.number(value.data()[0]);
        }
        if value.len() > MAX_SHOWN_ELEMENTS || value.rank() > 2 || value.is_empty() {
            let dims: Vec<String> = value.shape().iter().map(usize::to_string).collect();
            return self.text(&format!("tensor {}", dims.join("×")));
        }
        let columns = value.shape()[value.rank() - 1];
        let rows: Vec<Vec<String>> = value
            .data()
            .chunks(columns)
            .map(|row| row.iter().map(|&x| self.number(x)).collect())
            .collect();
        match self {
            Notation::Plain => {
                let lines: Vec<String> = rows
                    .iter()
                    .map(|row| format!("[{}]", row.join(", ")))
                    .collect();
                if value.rank() == 1 {
                    lines.concat()
                } else {
                    format!("[{}]", lines.join(", "))
                }
            }
            Notation::Latex => latex_matrix(&rows, value.rank()),
            Notation::MathMl => mathml::matrix(&rows),
        }
    }

    /// Whether [`Notation::tensor`] writes the values out (not just the shape).
    pub fn shows_values(value: &Tensor) -> bool {
        value.len() <= MAX_SHOWN_ELEMENTS && value.rank() <= 2
    }

    /// Words inside a formula: `tensor 64×16`.
    pub fn text(self, words: &str) -> String {
        match self {
            Notation::Plain => words.to_string(),
            Notation::Latex => format!("\\text{{{}}}", escape_latex(words)),
            Notation::MathMl => mathml::text(words),
        }
    }

    /// Arguments of a call: `a, b`.
    pub fn list(self, items: &[String]) -> String {
        match self {
            Notation::Plain | Notation::Latex => items.join(", "),
            Notation::MathMl => items.join(&mathml::comma()),
        }
    }

    /// A matrix transposed: `xᵀ`, `x^{\top}`.
    pub fn transposed(self, base: &str) -> String {
        match self {
            Notation::Plain => format!("{base}ᵀ"),
            Notation::Latex => format!("{base}^{{\\top}}"),
            Notation::MathMl => mathml::transposed(base),
        }
    }

    /// The indicator `1[x > 0]`.
    pub fn positive(self, argument: &str) -> String {
        match self {
            Notation::Plain => format!("1[{argument} > 0]"),
            Notation::Latex => format!("\\mathbf{{1}}\\left[{argument} > 0\\right]"),
            Notation::MathMl => mathml::positive(argument),
        }
    }
}

/// A vector or matrix as a `bmatrix`; one too wide for a page as its transpose: a vector as
/// a column, a matrix as its transposed `bmatrix` with `^{\top}` (braced, so that it can
/// itself be transposed).
fn latex_matrix(rows: &[Vec<String>], rank: usize) -> String {
    let bmatrix = |rows: &[Vec<String>]| {
        let lines: Vec<String> = rows.iter().map(|row| row.join(" & ")).collect();
        format!("\\begin{{bmatrix}}{}\\end{{bmatrix}}", lines.join(" \\\\ "))
    };
    let columns = rows.first().map_or(0, Vec::len);
    let transposed: Vec<Vec<String>> = (0..columns)
        .map(|j| rows.iter().filter_map(|row| row.get(j).cloned()).collect())
        .collect();
    // Characters of the widest cell of each column, plus the gaps: the matrix as written
    // has the columns `transposed` lists, turned it has the columns `rows` lists.
    let width = |columns: &[Vec<String>]| -> usize {
        columns
            .iter()
            .map(|column| column.iter().map(|c| c.chars().count()).max().unwrap_or(0) + 2)
            .sum()
    };
    let written = width(&transposed);
    if written <= LATEX_MATRIX_CHARACTERS || width(rows) >= written {
        return bmatrix(rows);
    }
    if rank == 1 {
        bmatrix(&transposed)
    } else {
        format!("{{{}^{{\\top}}}}", bmatrix(&transposed))
    }
}

/// A combining accent on the first letter: `x̄1`.
fn plain_accented(name: &str, combining: char) -> String {
    let mut chars = name.chars();
    let first = chars.next().map(String::from).unwrap_or_default();
    format!("{first}{combining}{}", chars.as_str())
}

/// `x1` → `x_{1}`, `b_2` → `b_{2}`, `lr` → `\mathit{lr}`, with an optional accent given as
/// (single-letter command, multi-letter command).
fn latex_name(name: &str, accent: Option<(&str, &str)>) -> String {
    let (stem, index) = split_index(name);
    let stem = escape_latex(stem);
    let single = stem.chars().count() == 1;
    let body = if single {
        stem
    } else {
        format!("\\mathit{{{stem}}}")
    };
    let body = match accent {
        Some((short, _)) if single => format!("\\{short}{{{body}}}"),
        Some((_, long)) => format!("\\{long}{{{body}}}"),
        None => body,
    };
    match index {
        Some(index) => format!("{body}_{{{}}}", escape_latex(index)),
        None => body,
    }
}

/// Split a trailing index off a name: `x1` → (`x`, `1`), `b_2` → (`b`, `2`), `W` → (`W`, none).
fn split_index(name: &str) -> (&str, Option<&str>) {
    if let Some((stem, index)) = name.split_once('_')
        && !stem.is_empty()
        && !index.is_empty()
    {
        return (stem, Some(index));
    }
    let stem = name.trim_end_matches(|c: char| c.is_ascii_digit() || c == '′');
    if stem.is_empty() || stem.len() == name.len() {
        (name, None)
    } else {
        (stem, Some(&name[stem.len()..]))
    }
}

fn escape_latex(text: &str) -> String {
    text.replace('_', "\\_").replace('′', "'")
}

fn superscript(exponent: &str) -> Option<String> {
    exponent
        .chars()
        .map(|c| match c {
            '0' => Some('⁰'),
            '1' => Some('¹'),
            '2' => Some('²'),
            '3' => Some('³'),
            '4' => Some('⁴'),
            '5' => Some('⁵'),
            '6' => Some('⁶'),
            '7' => Some('⁷'),
            '8' => Some('⁸'),
            '9' => Some('⁹'),
            '-' => Some('⁻'),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::Notation::{Latex, Plain};
    use super::Operator;

    #[test]
    fn plain_accents_sit_on_the_first_letter() {
        assert_eq!(Plain.adjoint("x1"), "x\u{304}1");
        assert_eq!(Plain.adjoint("v4"), "v̄4");
        assert_eq!(Plain.tangent("x1"), "x\u{307}1");
        assert_eq!(Plain.partial("v4", "x1"), "∂v4/∂x1");
    }

    #[test]
    fn latex_names_get_subscripts() {
        assert_eq!(Latex.var("x1"), "x_{1}");
        assert_eq!(Latex.var("b_2"), "b_{2}");
        assert_eq!(Latex.var("lr"), "\\mathit{lr}");
        assert_eq!(Latex.adjoint("v4"), "\\bar{v}_{4}");
        assert_eq!(Latex.adjoint("W1"), "\\bar{W}_{1}");
        assert_eq!(Latex.adjoint("lr"), "\\overline{\\mathit{lr}}");
        assert_eq!(Latex.var("v4′"), "v_{4'}");
    }

    #[test]
    fn numbers_and_powers() {
        assert_eq!(Plain.number(-1.5e-7), "−1.5e−7");
        assert_eq!(Plain.power("v", "2"), "v²");
        assert_eq!(Plain.power("v", "0.5"), "v^0.5");
        assert_eq!(Latex.number(f64::INFINITY), "\\infty");
        assert_eq!(Latex.number(1.5e-7), "1.5\\mathrm{e}-7");
    }

    #[test]
    fn operators_join_with_spaces_in_text() {
        assert_eq!(Plain.infix("7", Operator::Times, "3"), "7 · 3");
        assert_eq!(Latex.infix("a", Operator::Minus, "b"), "a - b");
        assert_eq!(
            Latex.infix("\\bar{x}", Operator::PlusEquals, "1"),
            "\\bar{x} \\mathrel{+}= 1"
        );
        assert_eq!(Plain.negative("a"), "−a");
    }
}
