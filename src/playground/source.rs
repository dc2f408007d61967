//! The program as the playground module sees it: the app's text, the graph of its last
//! version that compiled (as the app's editor keeps the last valid graph on screen while
//! a mistake is being fixed), and what is wrong with the text while it does not compile,
//! so the playground can say that it trains the last valid version.

use crate::graph::Graph;
use crate::lang::span::locate;
use crate::program::{ProgramError, compile_with_rows};

#[derive(Clone, Debug, Default)]
pub struct Source {
    text: String,
    graph: Option<Graph>,
    /// Why the text does not compile, in words with its line and column.
    problem: Option<String>,
}

impl Source {
    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn graph(&self) -> Option<&Graph> {
        self.graph.as_ref()
    }

    /// Take the app's text, compiling it; false when it is the text already held. Text
    /// that does not compile keeps the last graph and says why ([`Source::problem`]).
    pub fn set(&mut self, text: &str) -> bool {
        if text == self.text {
            return false;
        }
        self.text = text.to_string();
        // The playground trains on own data's rows, so it reads them.
        match compile_with_rows(text) {
            Ok(graph) => {
                self.graph = Some(graph);
                self.problem = None;
            }
            Err(error) => self.problem = Some(describe(text, &error)),
        }
        true
    }

    /// Compile the text held again: what it names may have changed outside it (own data
    /// rows a link left out, loaded since into the page).
    pub fn reload(&mut self) {
        let text = std::mem::take(&mut self.text);
        self.set(&text);
    }

    /// Why the text does not compile, while it does not: "does not parse (line 3,
    /// column 5: …)" or "is not valid (line …: …)".
    pub fn problem(&self) -> Option<&str> {
        self.problem.as_deref()
    }

    /// What training does while the text does not compile, in words: it trains the last
    /// valid version (the graph the app shows), and says so. None while the text compiles.
    pub fn notice(&self) -> Option<String> {
        let problem = self.problem()?;
        let then = if self.graph.is_some() {
            "training uses the last valid version"
        } else {
            "there is nothing to train until it does"
        };
        Some(format!("The program in the editor {problem}; {then}."))
    }

    /// Whether the program has parameters to train.
    pub fn trainable(&self) -> bool {
        self.graph
            .as_ref()
            .is_some_and(|g| g.params().next().is_some())
    }

    /// Whether the program reads a dataset.
    pub fn has_data(&self) -> bool {
        self.graph
            .as_ref()
            .is_some_and(|g| g.inputs().any(|id| g.node(id).role.data().is_some()))
    }
}

/// A compile error in words, with where it is.
fn describe(text: &str, error: &ProgramError) -> String {
    let at = locate(text, error.span().start);
    let what = match error {
        ProgramError::Parse(_) => "does not parse",
        ProgramError::Lower(_) => "is not valid",
    };
    format!("{what} (line {}, column {}: {error})", at.line, at.column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_program_that_does_not_parse_says_where() {
        let mut source = Source::default();
        assert!(source.set("w = param(2)\nL = (w - 1)^2"));
        assert_eq!((source.problem(), source.notice()), (None, None));
        source.set("w = param(2)\nx = 3\nL = (w - ) ^ 2");
        let notice = source.notice().unwrap();
        assert!(
            notice.starts_with("The program in the editor does not parse (line 3, column "),
            "{notice}"
        );
        assert!(
            notice.ends_with("); training uses the last valid version."),
            "{notice}"
        );
        // Parses, but a shape does not fit: not valid.
        source.set("w = param(zeros([2]))\nL = sum(w + zeros([3]))");
        let notice = source.notice().unwrap();
        assert!(
            notice.starts_with("The program in the editor is not valid (line 2, column "),
            "{notice}"
        );
        // Fixed: nothing to say.
        source.set("w = param(2)\nL = (w - 3)^2");
        assert_eq!(source.notice(), None);
        // Never valid: nothing trains.
        let mut fresh = Source::default();
        fresh.set("L = (");
        assert!(
            fresh
                .notice()
                .unwrap()
                .ends_with("there is nothing to train until it does.")
        );
    }

    #[test]
    fn a_mistake_keeps_the_last_graph() {
        let mut source = Source::default();
        assert!(!source.trainable() && source.graph().is_none());
        assert!(source.set("w = param(2)\nL = (w - 1)^2"));
        assert!(source.trainable() && !source.has_data());
        let graph = source.graph().cloned();
        assert!(!source.set("w = param(2)\nL = (w - 1)^2"), "the same text");
        assert!(source.set("w = param(2)\nL = (w - "));
        assert_eq!(source.text(), "w = param(2)\nL = (w - ");
        assert_eq!(source.graph().cloned(), graph);
        assert!(source.set("X = features(moons, 256, 64)\nW = param(zeros([2, 2]))\nsum(X @ W)"));
        assert!(source.has_data());
        assert!(source.set("(x1 + x2) * x1"));
        assert!(!source.trainable());
    }
}
