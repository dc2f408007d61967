//! The playground's training options beyond the optimizer, as plain data: how numbers are
//! stored, the loss scale and the gradient clip ([`numerics`], written into the program's
//! `# train:` line), how the weights start ([`init`], written into the program as
//! `randn(…) * s`, `glorot(…)` or `he(…)`), what a run records of them ([`record`]: each
//! step's gradient norm before and after clipping, the loss scaler's state, the gradients
//! that underflowed), the network's layers and the size of their activations and
//! gradients ([`layers`]), the two small charts that plot them ([`charts`]) and the form's controls for them
//! ([`controls`]), and what the view shows of them, as markup ([`view`]).

pub mod charts;
pub mod controls;
pub mod init;
pub mod layers;
pub mod numerics;
pub mod record;
pub mod view;
