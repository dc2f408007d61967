//! Notations for math text: plain Unicode (`x̄1 += ∂v4/∂x1 · v̄4`) and LaTeX
//! (`\bar{x}_{1} \mathrel{+}= \frac{\partial v_{4}}{\partial x_{1}} \cdot \bar{v}_{4}`).

use crate::number::format_number;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notation {
    Plain,
    Latex,
}

impl Notation {
    /// A variable name: `x1` stays `x1` in plain text and becomes `x_{1}` in LaTeX.
    pub fn var(self, name: &str) -> String {
        match self {
            Notation::Plain => name.to_string(),
            Notation::Latex => latex_name(name, None),
        }
    }

    /// The adjoint of a node: `x̄1`, `\bar{x}_{1}`.
    pub fn adjoint(self, name: &str) -> String {
        self.accented(name, '\u{304}', "bar", "overline")
    }

    /// The tangent of a node in forward mode: `ẋ1`, `\dot{x}_{1}`.
    pub fn tangent(self, name: &str) -> String {
        self.accented(name, '\u{307}', "dot", "dot")
    }

    fn accented(self, name: &str, combining: char, short: &str, long: &str) -> String {
        match self {
            Notation::Plain => {
                let mut chars = name.chars();
                let first = chars.next().map(String::from).unwrap_or_default();
                format!("{first}{combining}{}", chars.as_str())
            }
            Notation::Latex => latex_name(name, Some((short, long))),
        }
    }

    /// `∂v4/∂x1`
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
        }
    }

    /// A number as an operand: negative ones in parentheses, `3 · (-2)`.
    pub fn operand(self, x: f64) -> String {
        let text = self.number(x);
        if is_negative(&text) {
            self.parens(&text)
        } else {
            text
        }
    }

    pub fn parens(self, inner: &str) -> String {
        match self {
            Notation::Plain => format!("({inner})"),
            Notation::Latex => format!("\\left({inner}\\right)"),
        }
    }

    pub fn times(self) -> &'static str {
        match self {
            Notation::Plain => " · ",
            Notation::Latex => " \\cdot ",
        }
    }

    pub fn minus(self) -> &'static str {
        match self {
            Notation::Plain => "−",
            Notation::Latex => "-",
        }
    }

    pub fn plus_equals(self) -> &'static str {
        match self {
            Notation::Plain => " += ",
            Notation::Latex => " \\mathrel{+}= ",
        }
    }

    pub fn power(self, base: &str, exponent: &str) -> String {
        match self {
            Notation::Plain => match superscript(exponent) {
                Some(sup) => format!("{base}{sup}"),
                None => format!("{base}^{exponent}"),
            },
            Notation::Latex => format!("{base}^{{{exponent}}}"),
        }
    }

    pub fn fraction(self, numerator: &str, denominator: &str) -> String {
        match self {
            Notation::Plain => format!("{numerator}/{denominator}"),
            Notation::Latex => format!("\\frac{{{numerator}}}{{{denominator}}}"),
        }
    }

    pub fn call(self, function: &str, argument: &str) -> String {
        match self {
            Notation::Plain => format!("{function}({argument})"),
            Notation::Latex => {
                let name = match function {
                    "exp" | "log" | "ln" | "sin" | "cos" | "tanh" => format!("\\{function}"),
                    "sqrt" => return format!("\\sqrt{{{argument}}}"),
                    "abs" => return format!("\\left|{argument}\\right|"),
                    _ => format!("\\operatorname{{{function}}}"),
                };
                format!("{name}\\left({argument}\\right)")
            }
        }
    }

    /// The indicator `1[x > 0]`.
    pub fn positive(self, argument: &str) -> String {
        match self {
            Notation::Plain => format!("1[{argument} > 0]"),
            Notation::Latex => format!("\\mathbf{{1}}\\left[{argument} > 0\\right]"),
        }
    }
}

/// Whether rendered text starts with a minus sign, ASCII or typographic.
pub fn is_negative(text: &str) -> bool {
    text.starts_with(['-', '−'])
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
        assert_eq!(Plain.operand(-2.0), "(−2)");
        assert_eq!(Plain.number(-1.5e-7), "−1.5e−7");
        assert_eq!(Plain.power("v", "2"), "v²");
        assert_eq!(Plain.power("v", "0.5"), "v^0.5");
        assert_eq!(Latex.number(f64::INFINITY), "\\infty");
        assert_eq!(Latex.number(1.5e-7), "1.5\\mathrm{e}-7");
    }
}
