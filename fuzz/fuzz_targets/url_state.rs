//! An app link's fragment through `UrlState::from_fragment`, and what it reads written back.

#![no_main]

use backprop_viz::url_state::UrlState;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(fragment) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(state) = UrlState::from_fragment(fragment) {
        let again = UrlState::from_fragment(&state.to_fragment());
        assert!(again.is_ok(), "a fragment written from {state:?} does not read back");
    }
});
