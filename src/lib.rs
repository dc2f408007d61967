//! backprop-viz: step through forward and reverse-mode automatic differentiation.
//!
//! One pipeline, one way: source text is parsed ([`lang`]) into an AST, lowered into a
//! [`graph::Graph`] (an arena of nodes in topological order), and executed one step at a
//! time by the [`engine`] stepper, whose step records the [`render`] module turns into
//! plain text, Markdown, LaTeX or JSON. The browser UI (`ui`, wasm only) and the
//! `backprop` CLI are thin views over the same core.

pub mod backend;
#[cfg(not(target_arch = "wasm32"))]
pub mod cli;
pub mod data;
pub mod embed;
pub mod engine;
pub mod examples;
pub mod export;
pub mod graph;
pub mod lang;
pub mod layout;
pub mod lessons;
pub mod list_window;
pub mod number;
pub mod op;
pub mod playground;
pub mod precision;
pub mod program;
pub mod render;
pub mod rng;
pub mod session;
pub mod tensor;
pub mod train;
pub mod url_state;
pub mod viewport;
pub mod wire;

#[cfg(target_arch = "wasm32")]
pub mod ui;
