//! The training playground as plain data, tested natively (no Leptos, no web APIs): the
//! form that writes a program and reads it back ([`form`]), the training run over any
//! [`Backend`](crate::backend::Backend) in chunks that yield to rendering, with
//! checkpoints to go on from on another backend ([`run`]), the backends it can use and
//! the fallback from a lost GPU ([`backend`]), the pictures' geometry: the loss curve ([`chart`]), the decision boundary
//! ([`boundary`]) and the data scatter under it ([`scatter`]); the training options beyond the optimizer: precision, loss scaling,
//! clipping, initialisation and the layers' sizes ([`options`]); whether an edited program is still the same model
//! ([`model`]); frame-time and steps-per-second meters
//! ([`meter`]) and how training is paced ([`pace`]). The playground UI is a module the
//! app loads on demand: the messages between the two ([`message`]), the app's side of
//! loading it ([`loading`]) and the program as the module sees it ([`source`]). Which
//! datasets the form offers and a classifier's pictures on held-out rows: [`data`].

pub mod backend;
pub mod boundary;
pub mod chart;
pub mod data;
pub mod form;
pub mod loading;
pub mod message;
pub mod meter;
pub mod model;
pub mod options;
pub mod pace;
pub mod panel;
pub mod relay;
pub mod run;
pub mod scatter;
pub mod source;
