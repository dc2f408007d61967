//! An embed's attributes (as the query the element builds from them) through
//! `EmbedConfig::from_query`, then the session they describe, compiled and stepped to
//! their step.

#![no_main]

use backprop_viz::embed::config::EmbedConfig;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(query) = std::str::from_utf8(data) else {
        return;
    };
    let config = EmbedConfig::from_query(query);
    let (session, _problems) = config.session();
    let _ = session.gradients();
});
