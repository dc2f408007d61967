//! The embeddable viewer as plain data, tested natively: its configuration read from a web
//! component's attributes or an embed page's URL fragment ([`config`]), and the record its
//! `step` event carries ([`event`]), and a compact embed's caption ([`caption`]). The view
//! itself is `ui::embed` (wasm only).

pub mod caption;
pub mod config;
pub mod event;

pub use config::{ConfigError, Controls, EmbedConfig, Layout, StepTarget, Theme, ViewOptions};
pub use event::{StepEvent, counter_text};
