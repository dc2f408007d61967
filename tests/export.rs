//! The export menu's files, natively: the SVG of the current step is well-formed XML with
//! every node, its value and its adjoint; the Markdown, LaTeX and PyTorch files equal what
//! `backprop trace --format markdown|latex|pytorch` prints for the same program and inputs.

use backprop_viz::examples;
use backprop_viz::export::{Format, document, share_link};
use backprop_viz::render::Notation;
use backprop_viz::render::svg::Palette;
use backprop_viz::session::Session;
use backprop_viz::url_state::UrlState;
use std::process::Command;

/// An element of a parsed XML document (enough XML for the SVG we write: elements,
/// attributes in double quotes, text, the five named entities and numeric ones).
#[derive(Debug)]
struct Element {
    name: String,
    attributes: Vec<(String, String)>,
    children: Vec<Child>,
}

#[derive(Debug)]
enum Child {
    Element(Element),
    Text(String),
}

impl Element {
    fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn descendants(&self) -> Vec<&Element> {
        let mut all = vec![];
        for child in &self.children {
            if let Child::Element(e) = child {
                all.push(e);
                all.extend(e.descendants());
            }
        }
        all
    }

    fn text(&self) -> String {
        self.children
            .iter()
            .map(|child| match child {
                Child::Text(t) => t.clone(),
                Child::Element(e) => e.text(),
            })
            .collect()
    }
}

/// Parse `xml` strictly: one root, every tag closed in order, quoted attributes, no stray
/// `<` or `&`. Errors say where.
fn parse_xml(xml: &str) -> Result<Element, String> {
    let mut stack: Vec<Element> = vec![Element {
        name: "#document".into(),
        attributes: vec![],
        children: vec![],
    }];
    let mut rest = xml;
    let at = |rest: &str| xml.len() - rest.len();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("</") {
            let end = after
                .find('>')
                .ok_or(format!("unclosed end tag at {}", at(rest)))?;
            let name = after[..end].trim();
            let open = stack.pop().ok_or("end tag without a start")?;
            if open.name != name || stack.is_empty() {
                return Err(format!("</{name}> closes <{}> at {}", open.name, at(rest)));
            }
            push(&mut stack, Child::Element(open));
            rest = &after[end + 1..];
        } else if let Some(after) = rest.strip_prefix('<') {
            let end = after
                .find('>')
                .ok_or(format!("unclosed tag at {}", at(rest)))?;
            let (inside, empty) = match after[..end].strip_suffix('/') {
                Some(inside) => (inside, true),
                None => (&after[..end], false),
            };
            let element = start_tag(inside).map_err(|e| format!("{e} at {}", at(rest)))?;
            if empty {
                push(&mut stack, Child::Element(element));
            } else {
                stack.push(element);
            }
            rest = &after[end + 1..];
        } else {
            let end = rest.find('<').unwrap_or(rest.len());
            let text = decode(&rest[..end]).map_err(|e| format!("{e} at {}", at(rest)))?;
            if stack.len() == 1 && !text.trim().is_empty() {
                return Err(format!("text outside the root at {}", at(rest)));
            }
            push(&mut stack, Child::Text(text));
            rest = &rest[end..];
        }
    }
    let document = stack
        .pop()
        .filter(|_| stack.is_empty())
        .ok_or("unclosed elements")?;
    let mut roots = document.children.into_iter().filter_map(|c| match c {
        Child::Element(e) => Some(e),
        Child::Text(_) => None,
    });
    match (roots.next(), roots.next()) {
        (Some(root), None) => Ok(root),
        _ => Err("not exactly one root element".into()),
    }
}

fn push(stack: &mut [Element], child: Child) {
    if let Some(parent) = stack.last_mut() {
        parent.children.push(child);
    }
}

fn start_tag(inside: &str) -> Result<Element, String> {
    let name_end = inside.find(char::is_whitespace).unwrap_or(inside.len());
    let name = &inside[..name_end];
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_alphanumeric() || ":-_".contains(c))
    {
        return Err(format!("bad element name {name:?}"));
    }
    let mut attributes = vec![];
    let mut rest = inside[name_end..].trim_start();
    while !rest.is_empty() {
        let eq = rest
            .find('=')
            .ok_or(format!("attribute without a value in <{name}>"))?;
        let key = rest[..eq].trim().to_string();
        let value = rest[eq + 1..]
            .strip_prefix('"')
            .ok_or(format!("unquoted attribute {key} in <{name}>"))?;
        let close = value.find('"').ok_or(format!("unclosed attribute {key}"))?;
        if attributes.iter().any(|(k, _)| *k == key) {
            return Err(format!("attribute {key} twice in <{name}>"));
        }
        attributes.push((key, decode(&value[..close])?));
        rest = value[close + 1..].trim_start();
    }
    Ok(Element {
        name: name.to_string(),
        attributes,
        children: vec![],
    })
}

fn decode(text: &str) -> Result<String, String> {
    if text.contains('<') {
        return Err("a raw < in text".into());
    }
    let mut out = String::new();
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let end = rest[amp..].find(';').ok_or("an unterminated entity")?;
        let entity = &rest[amp + 1..amp + end];
        let c = match entity {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            _ => entity
                .strip_prefix('#')
                .and_then(|n| n.parse::<u32>().ok())
                .and_then(char::from_u32)
                .ok_or(format!("unknown entity &{entity};"))?,
        };
        out.push(c);
        rest = &rest[amp + end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[test]
fn the_xml_reader_rejects_what_is_not_xml() {
    assert!(parse_xml("<svg><g a=\"1\">x &amp; y</g></svg>").is_ok());
    for bad in [
        "<svg><g></svg>",
        "<svg>a < b</svg>",
        "<svg a=1/>",
        "<svg>&nbsp;</svg>",
        "<a/><b/>",
        "<svg a=\"1\" a=\"2\"/>",
    ] {
        assert!(parse_xml(bad).is_err(), "{bad}");
    }
}

fn cli(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_backprop"))
        .args(args)
        .output()
        .expect("the CLI runs");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8")
}

/// The worked examples the export is checked on (every scalar seed, two tensor ones).
const EXAMPLES: [&str; 6] = [
    "two-paths",
    "linear-square",
    "squared-error",
    "sigmoid-neuron",
    "lin-relu-lin",
    "tiny-relu-network",
];

/// A number as the graph view shows it (with a real minus sign).
fn number(x: f64) -> String {
    Notation::Plain.number(x)
}

#[test]
fn the_svg_has_every_node_with_its_value_and_adjoint() {
    for slug in EXAMPLES {
        let example = examples::find(slug).unwrap();
        let mut session = Session::new(example.program);
        session.jump_to_backward_end();
        let svg = document(&session, Format::Svg, &Palette::LIGHT).unwrap();
        let root = parse_xml(&svg).unwrap_or_else(|e| panic!("{slug}: {e}\n{svg}"));
        assert_eq!(root.name, "svg");
        assert_eq!(root.attribute("xmlns"), Some("http://www.w3.org/2000/svg"));
        let stepper = session.stepper().unwrap();
        let graph = stepper.graph();
        let boxes: Vec<&Element> = root
            .descendants()
            .into_iter()
            .filter(|e| e.attribute("data-node").is_some())
            .collect();
        assert_eq!(boxes.len(), graph.len(), "{slug}");
        for id in graph.ids() {
            let node = graph.node(id);
            let element = boxes
                .iter()
                .find(|e| e.attribute("data-node") == Some(node.name.as_str()))
                .unwrap_or_else(|| panic!("{slug}: no box for {}", node.name));
            let text = element.text();
            assert!(text.contains(&node.name), "{slug}: {text}");
            let value = stepper.value(id).unwrap();
            if node.shape.is_empty() {
                let x = value.data()[0];
                assert_eq!(
                    element.attribute("data-value"),
                    Some(x.to_string().as_str())
                );
                assert!(text.contains(&format!("= {}", number(x))), "{slug}: {text}");
            } else {
                let first = number(value.data()[0]);
                assert!(
                    text.contains(&first),
                    "{slug}: {} lacks {first}: {text}",
                    node.name
                );
            }
            if let Some(adjoint) = stepper.adjoint(id).filter(|_| node.shape.is_empty()) {
                let bar = Notation::Plain.adjoint(&node.name);
                let shown = number(adjoint.data()[0]);
                assert!(
                    text.contains(&bar) && text.contains(&shown),
                    "{slug}: {} lacks {bar} = {shown}: {text}",
                    node.name
                );
            }
        }
    }
}

#[test]
fn the_svg_shows_the_current_step_only() {
    let mut session = Session::new("x1 = 3\nx2 = 4\n(x1 + x2) * x1");
    let at_start = parse_xml(&document(&session, Format::Svg, &Palette::DARK).unwrap()).unwrap();
    assert!(
        at_start
            .text()
            .contains("forward 0 / 4: before the first step")
    );
    assert!(!at_start.text().contains("= 21"));
    session.seek(4);
    let svg = parse_xml(&document(&session, Format::Svg, &Palette::DARK).unwrap()).unwrap();
    let text = svg.text();
    assert!(text.contains("= 21") && !text.contains("x̄1"), "{text}");
    assert!(text.contains("forward 4 / 4: v4 = 7 · 3 = 21"), "{text}");
}

#[test]
fn the_derivations_equal_the_cli_trace() {
    for slug in EXAMPLES {
        let program = examples::find(slug).unwrap().program;
        let mut session = Session::new(program);
        // The current step does not matter: the files cover the whole run.
        session.seek(2);
        for (format, name) in [
            (Format::Markdown, "markdown"),
            (Format::Latex, "latex"),
            (Format::Pytorch, "pytorch"),
        ] {
            let exported = document(&session, format, &Palette::LIGHT).unwrap();
            let printed = cli(&["trace", "--format", name, "--", program]);
            assert_eq!(exported, printed, "{slug} as {name}");
        }
    }
}

#[test]
fn changed_inputs_and_forward_mode_are_exported_as_the_cli_prints_them() {
    let program = "x1 = 3\nx2 = 4\n(x1 + x2) * x1";
    let link = "program=x1+%3D+3%0Ax2+%3D+4%0A%28x1+%2B+x2%29+*+x1&at=x1%3D-1.5%2Cx2%3D4&mode=forward%3Ax2&step=0";
    let session = Session::from_url(UrlState::from_fragment(link).unwrap());
    let markdown = document(&session, Format::Markdown, &Palette::LIGHT).unwrap();
    let printed = cli(&[
        "trace", "--format", "markdown", "--at", "x1=-1.5", "--mode", "forward", "--wrt", "x2",
        "--", program,
    ]);
    assert_eq!(markdown, printed);
    assert!(
        markdown.contains("Forward-mode differentiation"),
        "{markdown}"
    );
    let script = document(&session, Format::Pytorch, &Palette::LIGHT).unwrap();
    assert!(
        script.contains("x1 = torch.tensor(-1.5, dtype=torch.float64, requires_grad=True)"),
        "{script}"
    );
    let link = share_link(&session, "https://example.org/course/viz/");
    assert_eq!(
        UrlState::from_fragment(link.split_once('#').unwrap().1).unwrap(),
        session.to_url()
    );
}
