//! MathML Core fragments: the content of a `<math>` element. Every piece of text goes
//! through [`escape`] inside a token element (`mi`, `mn`, `mo`), so no name or number can
//! become markup when the fragment is inserted as HTML.

use super::{Operator, split_index};
use crate::render::markup::escape_markup as escape;

/// A fragment as a displayed formula on its own line.
pub fn math_block(fragment: &str) -> String {
    format!("<math display=\"block\">{fragment}</math>")
}

/// A fragment as a formula within a line of text.
pub fn math_inline(fragment: &str) -> String {
    format!("<math>{fragment}</math>")
}

pub(super) const SEPARATOR: &str = "<mo>;</mo>";

fn token(tag: &str, text: &str) -> String {
    format!("<{tag}>{}</{tag}>", escape(text))
}

fn mi(text: &str) -> String {
    token("mi", text)
}

fn mn(text: &str) -> String {
    token("mn", text)
}

fn mo(text: &str) -> String {
    token("mo", text)
}

fn row(content: &str) -> String {
    format!("<mrow>{content}</mrow>")
}

/// `content` as one element, for the places that take exactly one child (the parts of
/// `mfrac`, `msup`, …): as it is when it already is one, in an `mrow` otherwise.
fn single(content: &str) -> String {
    if is_one_element(content) {
        content.to_string()
    } else {
        row(content)
    }
}

/// Whether `fragment` is a single element rather than a row of several. Text is always
/// escaped, so every `<` opens or closes a tag.
fn is_one_element(fragment: &str) -> bool {
    if !fragment.starts_with('<') {
        return false;
    }
    let mut depth = 0usize;
    let mut rest = fragment;
    while let Some(open) = rest.find('<') {
        if depth == 0 && open > 0 {
            return false;
        }
        let Some(length) = rest[open..].find('>') else {
            return false;
        };
        let tag = &rest[open + 1..open + length];
        rest = &rest[open + length + 1..];
        if tag.starts_with('/') {
            depth = depth.saturating_sub(1);
        } else if !tag.ends_with('/') {
            depth += 1;
        }
        if depth == 0 {
            return rest.is_empty();
        }
    }
    false
}

/// `x1` → `<msub><mi>x</mi><mn>1</mn></msub>`, with an accent over the stem and trailing
/// primes as a superscript.
pub(super) fn name(name: &str, accent: Option<char>) -> String {
    let unprimed = name.trim_end_matches('′');
    let primes = &name[unprimed.len()..];
    let (stem, index) = split_index(unprimed);
    let mut base = mi(stem);
    if let Some(accent) = accent {
        base = format!(
            "<mover accent=\"true\">{base}{}</mover>",
            mo(&accent.to_string())
        );
    }
    let index = index.map(|index| {
        if index.chars().all(|c| c.is_ascii_digit()) {
            mn(index)
        } else {
            mi(index)
        }
    });
    match (index, primes.is_empty()) {
        (None, true) => base,
        (Some(index), true) => format!("<msub>{base}{index}</msub>"),
        (None, false) => format!("<msup>{base}{}</msup>", mo(primes)),
        (Some(index), false) => format!("<msubsup>{base}{index}{}</msubsup>", mo(primes)),
    }
}

/// A number as formatted for people (`3`, `-2`, `1.5e-7`, `NaN`, `-∞`).
pub(super) fn number(text: &str) -> String {
    let (below_zero, magnitude) = match text.strip_prefix('-') {
        Some(magnitude) => (true, magnitude),
        None => (false, text),
    };
    let body = match magnitude {
        "NaN" => format!("<mi mathvariant=\"normal\">{}</mi>", escape("NaN")),
        "∞" => mi("∞"),
        _ => match magnitude.split_once('e') {
            Some((mantissa, exponent)) => format!(
                "{}{}<msup>{}{}</msup>",
                mn(mantissa),
                mo("×"),
                mn("10"),
                mn(&exponent.replace('-', "−"))
            ),
            None => mn(magnitude),
        },
    };
    if below_zero {
        negative(&body)
    } else {
        single(&body)
    }
}

/// A unary minus and its operand, as one row.
pub(super) fn negative(operand: &str) -> String {
    row(&format!("{}{operand}", mo("−")))
}

pub(super) fn operator(operator: Operator) -> &'static str {
    match operator {
        Operator::Plus => "<mo>+</mo>",
        Operator::Minus => "<mo>−</mo>",
        Operator::Times => "<mo>·</mo>",
        Operator::Hadamard => "<mo>⊙</mo>",
        Operator::Equals => "<mo>=</mo>",
        Operator::PlusEquals => "<mo>+=</mo>",
        Operator::Greater => "<mo>&gt;</mo>",
        Operator::Less => "<mo>&lt;</mo>",
        Operator::GreaterEqual => "<mo>≥</mo>",
        Operator::LessEqual => "<mo>≤</mo>",
    }
}

/// `∂of/∂by` as a fraction, from the rendered names.
pub(super) fn partial(of: &str, by: &str) -> String {
    let d = mo("∂");
    format!(
        "<mfrac>{}{}</mfrac>",
        row(&format!("{d}{of}")),
        row(&format!("{d}{by}"))
    )
}

pub(super) fn parens(inner: &str) -> String {
    row(&format!("{}{inner}{}", mo("("), mo(")")))
}

pub(super) fn power(base: &str, exponent: &str) -> String {
    format!("<msup>{}{}</msup>", single(base), single(exponent))
}

pub(super) fn fraction(numerator: &str, denominator: &str) -> String {
    format!(
        "<mfrac>{}{}</mfrac>",
        single(numerator),
        single(denominator)
    )
}

/// `relu(x)` as `<mi>relu</mi><mo>⁡</mo>` (function application) and the parenthesized
/// argument; `sqrt` as a radical and `abs` between bars.
pub(super) fn call(function: &str, argument: &str) -> String {
    match function {
        "sqrt" => format!("<msqrt>{argument}</msqrt>"),
        "abs" => row(&format!("{}{argument}{}", mo("|"), mo("|"))),
        _ => format!("{}{}{}", mi(function), mo("\u{2061}"), parens(argument)),
    }
}

/// A matrix (or a row vector, one row) between brackets, from rendered entries.
pub(super) fn matrix(rows: &[Vec<String>]) -> String {
    let body: String = rows
        .iter()
        .map(|row| {
            let cells: String = row
                .iter()
                .map(|cell| format!("<mtd>{cell}</mtd>"))
                .collect();
            format!("<mtr>{cells}</mtr>")
        })
        .collect();
    row(&format!("{}<mtable>{body}</mtable>{}", mo("["), mo("]")))
}

/// Words inside a formula.
pub(super) fn text(words: &str) -> String {
    token("mtext", words)
}

pub(super) fn comma() -> String {
    mo(",")
}

pub(super) fn transposed(base: &str) -> String {
    power(base, &mi("T"))
}

/// The indicator `𝟙[x > 0]`.
pub(super) fn positive(argument: &str) -> String {
    format!(
        "{}{}",
        mn("𝟙"),
        row(&format!(
            "{}{argument}{}{}{}",
            mo("["),
            mo(">"),
            mn("0"),
            mo("]")
        ))
    )
}

#[cfg(test)]
mod tests;
