//! What an embed tells its page after each change of step: where it is (the counter the
//! controls show), the last step taken as the JSON trace writes it, and the view as an
//! app-link fragment.

use crate::engine::{Phase, Stepper};
use crate::render::json::{StepReport, step_report};
use crate::session::Session;
use serde::Serialize;

/// The counter as the step controls show it: "forward 2 / 4", "backward 1 / 4".
pub fn counter_text(stepper: Option<&Stepper>) -> String {
    stepper.map_or_else(
        || "no program".to_string(),
        |stepper| stepper.progress().to_string(),
    )
}

/// The detail of an embed's `step` event.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StepEvent {
    /// Steps taken (0 before the first).
    pub step: usize,
    /// Steps in the whole run.
    pub steps: usize,
    /// The phase the counter is in.
    pub phase: Phase,
    /// "backward 2 / 4".
    pub counter: String,
    /// The last step taken, as in `backprop trace --format json`'s `steps`; null at step 0.
    pub record: Option<StepReport>,
    /// The view as an app-link fragment (`program=…&at=…&mode=…&step=…`).
    pub fragment: String,
}

impl StepEvent {
    /// The event for `session`'s current step; None while it has no program.
    pub fn of(session: &Session) -> Option<StepEvent> {
        let stepper = session.stepper()?;
        Some(StepEvent {
            step: stepper.cursor(),
            steps: stepper.len(),
            phase: stepper.progress().phase,
            counter: counter_text(Some(stepper)),
            record: stepper
                .history()
                .last()
                .map(|record| step_report(stepper.graph(), record)),
            fragment: session.to_url().to_fragment(),
        })
    }

    /// As JSON, for the page's script.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "null".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_event_carries_the_step_as_the_trace_writes_it() {
        let mut session = Session::new("x1 = 3; x2 = 4; (x1 + x2) * x1");
        let start = StepEvent::of(&session).unwrap();
        assert_eq!(
            (start.step, start.steps, start.counter.as_str()),
            (0, 8, "forward 0 / 4")
        );
        assert_eq!(start.record, None);
        session.seek(6);
        let event = StepEvent::of(&session).unwrap();
        assert_eq!(event.counter, "backward 2 / 4");
        let json: serde_json::Value = serde_json::from_str(&event.to_json()).unwrap();
        assert_eq!(json["step"], 6);
        assert_eq!(json["phase"], "backward");
        assert_eq!(json["record"]["node"], "v3");
        assert_eq!(json["record"]["updates"][0]["target"], "x1");
        assert_eq!(json["record"]["updates"][0]["result"], 10.0);
        assert!(
            json["fragment"].as_str().unwrap().ends_with("&step=6"),
            "{json}"
        );
        assert_eq!(StepEvent::of(&Session::new("(")), None);
        assert_eq!(counter_text(None), "no program");
    }
}
