//! The one line a compact embed says about its current step: the node and the step's
//! rule with numbers (`v3 = x1 + x2 = 3 + 4 = 7`), or how to start.

use crate::render::{Notation, step_text};
use crate::session::Session;

/// Said before the first step.
pub const START: &str = "Press → or Step forward to evaluate the graph one node at a time.";

/// The caption for `session`'s current step, in plain Unicode (parts joined by `; `).
pub fn caption(session: &Session) -> String {
    let Some(stepper) = session.stepper() else {
        return String::new();
    };
    let Some(record) = stepper.history().last() else {
        return START.to_string();
    };
    let text = step_text(stepper.graph(), record, Notation::Plain);
    let parts: Vec<String> = text.parts.iter().map(|p| p.equation.to_string()).collect();
    parts.join(Notation::Plain.separator())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_caption_follows_the_steps() {
        let mut session = Session::new("x1 = 3\nx2 = 4\n(x1 + x2) * x1");
        assert_eq!(caption(&session), START);
        session.seek(3);
        assert_eq!(caption(&session), "v3 = x1 + x2 = 3 + 4 = 7");
        session.seek(5);
        assert!(
            caption(&session).starts_with("v̄4 = 1; "),
            "{}",
            caption(&session)
        );
        assert_eq!(caption(&Session::new("")), "");
    }
}
