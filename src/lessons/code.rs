//! Code beside the graph: the program as a tiny autograd engine in plain Python (the seeds'
//! §1.4.9, [`crate::render::micrograd`]) or as PyTorch ([`crate::render::pytorch`]), as
//! numbered lines, each line that computes a node linked to it, with the `Value` engine
//! itself set apart so the program's own lines come first.

use crate::graph::{Graph, NodeId};
use crate::render::micrograd;
use crate::render::python::CodeLine;
use crate::render::pytorch;
use crate::tensor::Tensor;

/// Which Python the code view shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Language {
    /// The tiny `Value` engine, in plain Python.
    Micrograd,
    PyTorch,
}

impl Language {
    pub const ALL: [Language; 2] = [Language::Micrograd, Language::PyTorch];

    /// The switch's label.
    pub fn name(self) -> &'static str {
        match self {
            Language::Micrograd => "Plain Python (micrograd)",
            Language::PyTorch => "PyTorch",
        }
    }

    /// The name in attributes (`data-language`).
    pub fn slug(self) -> &'static str {
        match self {
            Language::Micrograd => "micrograd",
            Language::PyTorch => "pytorch",
        }
    }
}

/// One line as the view shows it: its number in the whole script (from 1), its text and
/// the node it computes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub number: usize,
    pub text: String,
    pub node: Option<NodeId>,
}

/// A script in two parts: the engine it defines (the micrograd `Value` class; empty for
/// PyTorch), shown folded, and the rest, the program's own lines among them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listing {
    pub engine: Vec<Line>,
    pub lines: Vec<Line>,
}

impl Listing {
    /// The line computing `node`, if the script has one (constants are written inline).
    pub fn line_of(&self, node: NodeId) -> Option<&Line> {
        self.lines.iter().find(|l| l.node == Some(node))
    }

    /// The whole script, as `python3` runs it.
    pub fn script(&self) -> String {
        let mut all: Vec<&Line> = self.engine.iter().chain(&self.lines).collect();
        all.sort_by_key(|l| l.number);
        all.iter()
            .map(|l| l.text.as_str())
            .collect::<Vec<_>>()
            .join("\n")
            + "\n"
    }
}

/// The script of `graph` with `inputs` in `language`; the plain-Python engine refuses
/// programs that are not scalar, saying why.
pub fn listing(
    graph: &Graph,
    inputs: &[Tensor],
    source: &str,
    language: Language,
) -> Result<Listing, String> {
    let lines: Vec<CodeLine> = match language {
        Language::Micrograd => {
            micrograd::lines(graph, inputs, source).map_err(|error| error.to_string())?
        }
        Language::PyTorch => pytorch::lines(graph, inputs, source),
    };
    let numbered: Vec<Line> = lines
        .into_iter()
        .enumerate()
        .map(|(index, l)| Line {
            number: index + 1,
            text: l.text,
            node: l.node,
        })
        .collect();
    // The engine runs from its first import to the program's first line.
    let engine = match language {
        Language::Micrograd => {
            let start = numbered.iter().position(|l| l.text.starts_with("import "));
            let end = numbered.iter().position(|l| l.node.is_some());
            start.zip(end).filter(|(s, e)| s < e)
        }
        Language::PyTorch => None,
    };
    Ok(match engine {
        Some((start, end)) => {
            let mut lines = numbered;
            let rest = lines.split_off(end);
            let engine = lines.split_off(start);
            lines.extend(rest);
            Listing { engine, lines }
        }
        None => Listing {
            engine: vec![],
            lines: numbered,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::inputs;
    use crate::program::compile;

    fn of(source: &str, language: Language) -> (Graph, Result<Listing, String>) {
        let graph = compile(source).unwrap();
        let values = inputs::resolve(&graph, &[], None).unwrap();
        let listing = listing(&graph, &values, source, language);
        (graph, listing)
    }

    #[test]
    fn every_computed_node_has_one_line_in_both_pythons() {
        let source = "x1 = 3; x2 = 4; a = sigmoid(x1 * 0.5) + x2; a * x1";
        for language in Language::ALL {
            let (graph, listing) = of(source, language);
            let listing = listing.unwrap();
            for (id, node) in graph.nodes().iter().enumerate() {
                let lines: Vec<&Line> = listing
                    .lines
                    .iter()
                    .filter(|l| l.node == Some(NodeId(id)))
                    .collect();
                let expected = usize::from(!node.op.is_constant());
                assert_eq!(lines.len(), expected, "{language:?} {}", node.name);
                if let Some(line) = lines.first() {
                    assert!(
                        line.text.starts_with(&format!("{} = ", node.name)),
                        "{}",
                        line.text
                    );
                    assert_eq!(listing.line_of(NodeId(id)), Some(*line));
                }
            }
            assert!(listing.engine.iter().all(|l| l.node.is_none()));
        }
    }

    #[test]
    fn the_engine_is_set_apart_and_the_script_stays_whole() {
        let source = "x1 = 1; x2 = 2; (x1+x2)*x1";
        let (graph, listing) = of(source, Language::Micrograd);
        let listing = listing.unwrap();
        assert_eq!(listing.engine[0].text, "import math");
        assert!(listing.engine.iter().any(|l| l.text == "class Value:"));
        // The program's lines follow its comment, numbered as in the whole script.
        assert!(
            listing.lines[0]
                .text
                .starts_with("# Generated by backprop-viz")
        );
        assert_eq!(listing.lines[1].text, "#   x1 = 1; x2 = 2; (x1+x2)*x1");
        assert_eq!(listing.lines[2].text, "x1 = Value(1.0)  # node x1");
        assert_eq!(listing.lines[2].number, listing.engine.len() + 3);
        let values = inputs::resolve(&graph, &[], None).unwrap();
        assert_eq!(
            listing.script(),
            micrograd::script(&graph, &values, source).unwrap()
        );
        let (graph, listing) = of(source, Language::PyTorch);
        let listing = listing.unwrap();
        assert!(listing.engine.is_empty());
        assert_eq!(listing.script(), pytorch::script(&graph, &values, source));
        assert!(
            listing
                .lines
                .iter()
                .enumerate()
                .all(|(i, l)| l.number == i + 1)
        );
    }

    #[test]
    fn tensor_programs_have_pytorch_only() {
        let source = "W = [[1, 2]]; sum(W @ [3, 4])";
        let (_, listing) = of(source, Language::Micrograd);
        assert!(listing.unwrap_err().contains("scalar"));
        let (_, listing) = of(source, Language::PyTorch);
        assert!(
            listing
                .unwrap()
                .lines
                .iter()
                .any(|l| l.text == "v4 = W @ v3" || l.text.contains(" @ "))
        );
    }
}
