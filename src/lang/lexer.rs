//! Lexer: turns source text into tokens with byte spans. Never panics.

use super::error::ParseError;
use super::span::Span;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TokenKind {
    Number(f64),
    Ident,
    Plus,
    Minus,
    Star,
    Slash,
    Caret,
    At,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Equals,
    Greater,
    Less,
    GreaterEqual,
    LessEqual,
    /// `'`, naming a function's own derivative: `f'(x) = …`.
    Prime,
    /// `+=`: a change in place, `a += 1` (PyTorch's `a.add_(1)`).
    PlusEquals,
    /// A newline or `;`: ends a statement.
    Separator,
    Eof,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Token {
    pub kind: TokenKind,
    pub span: Span,
}

impl TokenKind {
    /// How the token reads in an error message.
    pub fn describe(self) -> &'static str {
        match self {
            TokenKind::Number(_) => "a number",
            TokenKind::Ident => "a name",
            TokenKind::Plus => "`+`",
            TokenKind::Minus => "`-`",
            TokenKind::Star => "`*`",
            TokenKind::Slash => "`/`",
            TokenKind::Caret => "`^`",
            TokenKind::At => "`@`",
            TokenKind::LParen => "`(`",
            TokenKind::RParen => "`)`",
            TokenKind::LBracket => "`[`",
            TokenKind::RBracket => "`]`",
            TokenKind::Comma => "`,`",
            TokenKind::Equals => "`=`",
            TokenKind::Greater => "`>`",
            TokenKind::Less => "`<`",
            TokenKind::GreaterEqual => "`>=`",
            TokenKind::LessEqual => "`<=`",
            TokenKind::Prime => "`'`",
            TokenKind::PlusEquals => "`+=`",
            TokenKind::Separator => "the end of the line",
            TokenKind::Eof => "the end of the program",
        }
    }
}

/// Split `source` into tokens, ending with one `Eof` token. `#` starts a comment.
pub fn tokenize(source: &str) -> Result<Vec<Token>, ParseError> {
    let bytes = source.as_bytes();
    let mut tokens = Vec::new();
    let mut pos = 0;
    while pos < bytes.len() {
        let start = pos;
        let byte = bytes[pos];
        let single = match byte {
            b' ' | b'\t' | b'\r' => {
                pos += 1;
                continue;
            }
            b'#' => {
                pos = source[pos..].find('\n').map_or(bytes.len(), |i| pos + i);
                continue;
            }
            b'\n' | b';' => Some(TokenKind::Separator),
            b'+' if bytes.get(pos + 1) == Some(&b'=') => {
                pos += 1;
                Some(TokenKind::PlusEquals)
            }
            b'+' => Some(TokenKind::Plus),
            b'-' => Some(TokenKind::Minus),
            b'/' => Some(TokenKind::Slash),
            b'^' => Some(TokenKind::Caret),
            b'@' => Some(TokenKind::At),
            b'(' => Some(TokenKind::LParen),
            b')' => Some(TokenKind::RParen),
            b'[' => Some(TokenKind::LBracket),
            b']' => Some(TokenKind::RBracket),
            b',' => Some(TokenKind::Comma),
            b'=' if bytes.get(pos + 1) == Some(&b'=') => {
                return Err(
                    ParseError::new("`==` is not an operator", Span::new(pos, pos + 2))
                        .with_hint("compare with `<=` and `>=`, or `>` and `<`"),
                );
            }
            b'=' => Some(TokenKind::Equals),
            b'>' | b'<' if bytes.get(pos + 1) == Some(&b'=') => {
                pos += 1;
                Some(if byte == b'>' {
                    TokenKind::GreaterEqual
                } else {
                    TokenKind::LessEqual
                })
            }
            b'>' => Some(TokenKind::Greater),
            b'\'' => Some(TokenKind::Prime),
            b'<' => Some(TokenKind::Less),
            b'*' if bytes.get(pos + 1) == Some(&b'*') => {
                return Err(
                    ParseError::new("`**` is not an operator", Span::new(pos, pos + 2))
                        .with_hint("write powers with `^`, as in `x^2`"),
                );
            }
            b'*' => Some(TokenKind::Star),
            _ => None,
        };
        // Typographic operators, as found in text copied from explanations or papers.
        let single = single.or_else(|| {
            let ch = source[pos..].chars().next()?;
            let kind = match ch {
                '−' => TokenKind::Minus,
                '·' | '×' | '⋅' => TokenKind::Star,
                '≥' => TokenKind::GreaterEqual,
                '≤' => TokenKind::LessEqual,
                _ => return None,
            };
            pos += ch.len_utf8() - 1;
            Some(kind)
        });
        if let Some(kind) = single {
            pos += 1;
            tokens.push(Token {
                kind,
                span: Span::new(start, pos),
            });
        } else if byte.is_ascii_digit()
            || (byte == b'.' && bytes.get(pos + 1).is_some_and(u8::is_ascii_digit))
        {
            pos = scan_number(bytes, pos);
            let span = Span::new(start, pos);
            tokens.push(Token {
                kind: TokenKind::Number(parse_number(source, span)?),
                span,
            });
        } else if byte.is_ascii_alphabetic() || byte == b'_' {
            while pos < bytes.len() && (bytes[pos].is_ascii_alphanumeric() || bytes[pos] == b'_') {
                pos += 1;
            }
            tokens.push(Token {
                kind: TokenKind::Ident,
                span: Span::new(start, pos),
            });
        } else {
            return Err(unexpected_character(source, pos));
        }
    }
    tokens.push(Token {
        kind: TokenKind::Eof,
        span: Span::new(bytes.len(), bytes.len()),
    });
    Ok(tokens)
}

/// The end of the number starting at `pos`: digits, an optional fraction, an optional exponent.
fn scan_number(bytes: &[u8], mut pos: usize) -> usize {
    let digits = |mut p: usize| {
        while p < bytes.len() && bytes[p].is_ascii_digit() {
            p += 1;
        }
        p
    };
    pos = digits(pos);
    if bytes.get(pos) == Some(&b'.') {
        pos = digits(pos + 1);
    }
    if matches!(bytes.get(pos), Some(b'e' | b'E')) {
        let after_sign = match bytes.get(pos + 1) {
            Some(b'+' | b'-') => pos + 2,
            _ => pos + 1,
        };
        if bytes.get(after_sign).is_some_and(u8::is_ascii_digit) {
            pos = digits(after_sign);
        }
    }
    pos
}

fn parse_number(source: &str, span: Span) -> Result<f64, ParseError> {
    let text = span.text(source);
    match text.parse::<f64>() {
        Ok(value) if value.is_finite() => Ok(value),
        Ok(_) => Err(ParseError::new(
            format!("the number `{text}` is too large"),
            span,
        )),
        Err(_) => Err(ParseError::new(format!("`{text}` is not a number"), span)),
    }
}

fn unexpected_character(source: &str, pos: usize) -> ParseError {
    let ch = source[pos..].chars().next().unwrap_or('?');
    let span = Span::new(pos, pos + ch.len_utf8());
    let error = ParseError::new(format!("unexpected character `{ch}`"), span);
    match ch {
        '–' => error.with_hint("write minus with `-`"),
        '÷' => error.with_hint("write division with `/`"),
        '²' => error.with_hint("write powers with `^`, as in `x^2`"),
        '{' | '}' => error.with_hint("group with parentheses `( )`"),
        _ => error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(source: &str) -> Vec<TokenKind> {
        tokenize(source)
            .unwrap()
            .into_iter()
            .map(|t| t.kind)
            .collect()
    }

    #[test]
    fn numbers_in_every_form() {
        use TokenKind::*;
        assert_eq!(
            kinds("3 0.5 1e-3 .25 2E+2"),
            vec![
                Number(3.0),
                Number(0.5),
                Number(1e-3),
                Number(0.25),
                Number(200.0),
                Eof
            ]
        );
    }

    #[test]
    fn comments_and_separators() {
        use TokenKind::*;
        assert_eq!(
            kinds("x = 3 # the input\ny; z"),
            vec![
                Ident,
                Equals,
                Number(3.0),
                Separator,
                Ident,
                Separator,
                Ident,
                Eof
            ]
        );
    }

    #[test]
    fn exponent_without_digits_stops_the_number() {
        use TokenKind::*;
        assert_eq!(kinds("2e"), vec![Number(2.0), Ident, Eof]);
    }

    #[test]
    fn typographic_operators_are_accepted() {
        use TokenKind::*;
        assert_eq!(
            kinds("a × b · c − d"),
            vec![Ident, Star, Ident, Star, Ident, Minus, Ident, Eof]
        );
        let minus = tokenize("a − b").unwrap()[1];
        assert_eq!(minus.span, Span::new(2, 5));
    }

    #[test]
    fn bad_characters_carry_span_and_hint() {
        let error = tokenize("a ÷ b").unwrap_err();
        assert_eq!(error.span, Span::new(2, 4));
        assert!(error.hint.unwrap().contains('/'));
        assert!(tokenize("2 ** 3").unwrap_err().hint.unwrap().contains('^'));
        assert!(tokenize("1e999").unwrap_err().message.contains("too large"));
    }
}
