//! Text made safe inside XML, SVG, MathML and HTML, as content or attribute values.

/// `text` with the markup characters escaped; characters XML 1.0 does not allow even
/// escaped (control characters other than tab and newlines) become U+FFFD.
pub fn escape_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape_markup;

    #[test]
    fn markup_characters_and_forbidden_controls_are_escaped() {
        assert_eq!(
            escape_markup(r#"<img src=x onerror="a('&')">"#),
            "&lt;img src=x onerror=&quot;a(&#39;&amp;&#39;)&quot;&gt;"
        );
        assert_eq!(escape_markup("a\u{1}b\tc\nd"), "a\u{fffd}b\tc\nd");
        assert_eq!(escape_markup("∂L/∂x₁ = 7"), "∂L/∂x₁ = 7");
    }
}
