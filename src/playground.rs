//! The training playground as plain data, tested natively (no Leptos, no web APIs): the
//! form that writes a program and reads it back ([`form`]), the training run over any
//! [`Backend`](crate::tensor::Backend) in chunks that yield to rendering ([`run`]), the
//! backends it can use ([`backend`]), and the pictures' geometry: tensors as colour maps
//! ([`heatmap`]), the loss curve ([`chart`]), the decision boundary ([`boundary`]) and
//! adjoint magnitudes by depth ([`depth`]); and frame-time and steps-per-second meters
//! ([`meter`]).

pub mod backend;
pub mod boundary;
pub mod chart;
pub mod depth;
pub mod form;
pub mod heatmap;
pub mod meter;
pub mod panel;
pub mod picture;
pub mod run;
pub mod svg;
