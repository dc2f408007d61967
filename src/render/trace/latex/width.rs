//! How wide a piece of the LaTeX we write sets in Computer Modern at 10 pt, estimated
//! from its structure (fractions as their wider part, matrices column by column, indices
//! smaller), a little generously, so the LaTeX trace can break what would not fit the page.

/// The estimated width of `latex` (math mode, text style), in points.
pub fn latex_width(latex: &str) -> f64 {
    let mut reader = Reader {
        chars: latex.chars().collect(),
        at: 0,
    };
    reader.sequence(None) * MARGIN
}

/// Estimates are raised by this factor, so that a borderline piece counts as too wide.
const MARGIN: f64 = 1.08;
/// Ordinary symbols (a relation or operator adds its spaces).
const DIGIT: f64 = 5.0;
const LOWER: f64 = 5.3;
const UPPER: f64 = 7.6;
const RELATION: f64 = 7.8 + 2.0 * 2.8;
const BINARY: f64 = 7.8 + 2.0 * 2.2;
const FENCE: f64 = 3.9;
/// Between two matrix columns (`\arraycolsep` on each side) and around the brackets.
const COLUMN_GAP: f64 = 10.0;
const BRACKETS: f64 = 2.0 * 5.0;
/// An index or exponent sets at 70 %.
const SCRIPT: f64 = 0.7;

struct Reader {
    chars: Vec<char>,
    at: usize,
}

impl Reader {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    /// Everything up to `end` (a closing brace) or the end of the text.
    fn sequence(&mut self, end: Option<char>) -> f64 {
        let mut width = 0.0;
        while let Some(c) = self.peek() {
            if Some(c) == end {
                self.at += 1;
                break;
            }
            width += self.item();
        }
        width
    }

    /// One symbol, group or command with its arguments.
    fn item(&mut self) -> f64 {
        let Some(c) = self.peek() else { return 0.0 };
        self.at += 1;
        match c {
            '{' => self.sequence(Some('}')),
            '}' => 0.0,
            '_' | '^' => self.item() * SCRIPT,
            '\\' => self.command(),
            c => symbol(c),
        }
    }

    /// A command's name (letters, or one other character).
    fn name(&mut self) -> String {
        let start = self.at;
        while self.peek().is_some_and(|c| c.is_ascii_alphabetic()) {
            self.at += 1;
        }
        if self.at == start && self.peek().is_some() {
            self.at += 1;
        }
        self.chars[start..self.at].iter().collect()
    }

    /// A `{…}` argument's raw text, braces balanced.
    fn raw_group(&mut self) -> String {
        if self.peek() != Some('{') {
            return String::new();
        }
        let start = self.at + 1;
        let mut depth = 0usize;
        while let Some(c) = self.peek() {
            self.at += 1;
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        return self.chars[start..self.at - 1].iter().collect();
                    }
                }
                '\\' => self.at += 1,
                _ => {}
            }
        }
        self.at = self.at.min(self.chars.len());
        self.chars[start.min(self.at)..self.at].iter().collect()
    }

    fn command(&mut self) -> f64 {
        let name = self.name();
        match name.as_str() {
            "frac" => {
                let numerator = self.item();
                let denominator = self.item();
                numerator.max(denominator) + 2.0
            }
            "left" | "right" => {
                self.item();
                FENCE
            }
            "begin" => {
                self.raw_group();
                self.matrix()
            }
            "end" => {
                self.raw_group();
                0.0
            }
            "text" => text_width(&self.raw_group()),
            "operatorname" => self.item() + 1.7,
            "sqrt" => self.item() + 8.3,
            "mathit" | "mathrm" | "mathbf" | "bar" | "dot" | "overline" | "mathrel" => self.item(),
            "cdot" | "odot" | "times" => BINARY,
            "partial" => 5.7,
            "infty" => 10.0,
            "top" => 7.8,
            "quad" => 10.0,
            "," => 1.7,
            ";" | ":" | " " => 2.8,
            "_" => 5.0,
            "exp" | "log" | "ln" | "sin" | "cos" | "tanh" => name.len() as f64 * DIGIT + 1.7,
            _ => UPPER,
        }
    }

    /// A matrix's body up to its `\end{…}`: the widest cell of each column, the gaps
    /// between columns and the brackets.
    fn matrix(&mut self) -> f64 {
        let mut columns: Vec<f64> = Vec::new();
        let mut column = 0;
        let mut cell = 0.0;
        while let Some(c) = self.peek() {
            if c == '&' {
                self.at += 1;
                set_max(&mut columns, column, cell);
                column += 1;
                cell = 0.0;
            } else if self.chars[self.at..].starts_with(&['\\', '\\']) {
                self.at += 2;
                set_max(&mut columns, column, cell);
                column = 0;
                cell = 0.0;
            } else if self.chars[self.at..].starts_with(&['\\', 'e', 'n', 'd', '{']) {
                break;
            } else {
                cell += self.item();
            }
        }
        set_max(&mut columns, column, cell);
        columns.iter().sum::<f64>() + COLUMN_GAP * columns.len().saturating_sub(1) as f64 + BRACKETS
    }
}

fn set_max(columns: &mut Vec<f64>, column: usize, width: f64) {
    if columns.len() <= column {
        columns.resize(column + 1, 0.0);
    }
    columns[column] = columns[column].max(width);
}

fn symbol(c: char) -> f64 {
    match c {
        '0'..='9' => DIGIT,
        'a'..='z' => LOWER,
        'A'..='Z' => UPPER,
        '=' | '<' | '>' => RELATION,
        '+' | '-' | '*' => BINARY,
        '.' => 2.8,
        ',' | ';' => 2.8 + 1.7,
        '(' | ')' | '[' | ']' | '|' => FENCE,
        ' ' | '\n' | '\t' => 0.0,
        _ => UPPER,
    }
}

/// Upright words in the text font.
fn text_width(words: &str) -> f64 {
    words
        .chars()
        .map(|c| match c {
            ' ' => 3.3,
            '\\' => 0.0,
            'A'..='Z' => 7.5,
            _ => 5.0,
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::latex_width;

    #[test]
    fn wider_pieces_measure_wider() {
        let x = latex_width("x_{1}");
        assert!(x > 5.0 && x < 12.0, "{x}");
        let fraction = latex_width("\\frac{\\partial v_{4}}{\\partial x_{1}}");
        assert!(fraction < latex_width("\\partial v_{4} \\partial x_{1}"));
        let row = latex_width("\\begin{bmatrix}1 & 2 & 3\\end{bmatrix}");
        let column = latex_width("\\begin{bmatrix}1 \\\\ 2 \\\\ 3\\end{bmatrix}");
        assert!(row > 2.0 * column, "{row} {column}");
        let sixteen = format!(
            "\\begin{{bmatrix}}{}\\end{{bmatrix}}",
            vec!["0.00191753"; 16].join(" & ")
        );
        assert!(latex_width(&sixteen) > 345.0);
    }

    #[test]
    fn broken_latex_is_measured_without_panicking() {
        for text in [
            "\\",
            "{",
            "}",
            "\\frac",
            "\\begin{bmatrix}1 &",
            "_",
            "\\text{a",
            "x^",
        ] {
            assert!(latex_width(text).is_finite());
        }
    }
}
