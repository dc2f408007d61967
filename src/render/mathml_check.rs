//! A strict well-formedness check for MathML in tests: one `math` root, balanced tags,
//! quoted attributes, only known entities, text only inside token elements, and only
//! MathML Core element names.

use super::notation::math_block;

const ELEMENTS: [&str; 26] = [
    "math",
    "mrow",
    "mi",
    "mn",
    "mo",
    "ms",
    "mtext",
    "mspace",
    "mfrac",
    "msqrt",
    "mroot",
    "msub",
    "msup",
    "msubsup",
    "munder",
    "mover",
    "munderover",
    "mmultiscripts",
    "mprescripts",
    "mtable",
    "mtr",
    "mtd",
    "mpadded",
    "mphantom",
    "mstyle",
    "semantics",
];

const TOKENS: [&str; 5] = ["mi", "mn", "mo", "ms", "mtext"];

const ATTRIBUTES: [&str; 3] = ["accent", "display", "mathvariant"];

/// Panics with the reason unless `fragment`, wrapped in `<math>`, is well-formed MathML.
pub fn assert_mathml(fragment: &str) {
    if let Err(reason) = check(&math_block(fragment)) {
        panic!("{reason} in {fragment:?}");
    }
}

fn check(document: &str) -> Result<(), String> {
    let mut open: Vec<&str> = Vec::new();
    let mut roots = 0;
    let mut rest = document;
    while !rest.is_empty() {
        let text_end = rest.find('<').unwrap_or(rest.len());
        check_text(&rest[..text_end], open.last().copied())?;
        rest = &rest[text_end..];
        if rest.is_empty() {
            break;
        }
        let tag_end = rest.find('>').ok_or("unclosed tag")?;
        let tag = &rest[1..tag_end];
        rest = &rest[tag_end + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            match open.pop() {
                Some(top) if top == name => {}
                top => return Err(format!("</{name}> closes {top:?}")),
            }
            continue;
        }
        let (tag, empty) = match tag.strip_suffix('/') {
            Some(tag) => (tag, true),
            None => (tag, false),
        };
        let name_end = tag.find(char::is_whitespace).unwrap_or(tag.len());
        let name = &tag[..name_end];
        if !ELEMENTS.contains(&name) {
            return Err(format!("<{name}> is not a MathML element"));
        }
        check_attributes(&tag[name_end..])?;
        if open.is_empty() {
            roots += 1;
        }
        if !empty {
            open.push(name);
        }
    }
    match (open.last(), roots) {
        (Some(name), _) => Err(format!("<{name}> is never closed")),
        (None, 1) => Ok(()),
        (None, n) => Err(format!("{n} root elements")),
    }
}

fn check_attributes(mut rest: &str) -> Result<(), String> {
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            return Ok(());
        }
        let (name, value) = rest
            .split_once("=\"")
            .ok_or_else(|| format!("unquoted attribute in {rest:?}"))?;
        if !ATTRIBUTES.contains(&name) {
            return Err(format!("unexpected attribute {name:?}"));
        }
        let (value, after) = value
            .split_once('"')
            .ok_or_else(|| format!("unterminated attribute {name:?}"))?;
        check_characters(value)?;
        rest = after;
    }
}

fn check_text(text: &str, parent: Option<&str>) -> Result<(), String> {
    if text.trim().is_empty() {
        return Ok(());
    }
    match parent {
        Some(parent) if TOKENS.contains(&parent) => check_characters(text),
        parent => Err(format!("text {text:?} directly inside {parent:?}")),
    }
}

/// No raw markup characters; every `&` starts a known entity.
fn check_characters(text: &str) -> Result<(), String> {
    if text.contains(['<', '>', '"']) {
        return Err(format!("unescaped markup character in {text:?}"));
    }
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        let after = &rest[amp + 1..];
        let end = after.find(';').ok_or("unterminated entity")?;
        let entity = &after[..end];
        let known = matches!(entity, "amp" | "lt" | "gt" | "quot" | "apos")
            || entity
                .strip_prefix('#')
                .is_some_and(|code| !code.is_empty() && code.chars().all(|c| c.is_ascii_digit()));
        if !known {
            return Err(format!("unknown entity &{entity};"));
        }
        rest = &after[end + 1..];
    }
    Ok(())
}

#[test]
fn the_check_rejects_what_it_should() {
    let valid = "<msub><mi>x</mi><mn>1</mn></msub>";
    assert_eq!(check(&math_block(valid)), Ok(()));
    for invalid in [
        "<mi>x</mn>",
        "<mi>x",
        "<script>alert(1)</script>",
        "<mi>a<b</mi>",
        "<mi>a & b</mi>",
        "<mrow>x</mrow>",
        "<mi onclick=\"f()\">x</mi>",
        "<mi mathvariant=normal>x</mi>",
    ] {
        assert!(check(&math_block(invalid)).is_err(), "{invalid}");
    }
    assert!(check("<math></math><math></math>").is_err());
}
