//! The program as the playground module sees it: the app's text, and the graph of its
//! last version that compiled (as the app's editor keeps the last valid graph on screen
//! while a mistake is being fixed).

use crate::graph::Graph;
use crate::program::compile;

#[derive(Clone, Debug, Default)]
pub struct Source {
    text: String,
    graph: Option<Graph>,
}

impl Source {
    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn graph(&self) -> Option<&Graph> {
        self.graph.as_ref()
    }

    /// Take the app's text, compiling it; false when it is the text already held. Text
    /// that does not compile keeps the last graph.
    pub fn set(&mut self, text: &str) -> bool {
        if text == self.text {
            return false;
        }
        self.text = text.to_string();
        if let Ok(graph) = compile(text) {
            self.graph = Some(graph);
        }
        true
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

#[cfg(test)]
mod tests {
    use super::*;

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
