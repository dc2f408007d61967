//! The view's state in a URL fragment: program, input values, mode and step, so a link
//! restores exactly what its sender saw. `#program=…&at=x1%3D3%2Cx2%3D4&mode=reverse&step=5`

use crate::engine::inputs::{InputError, parse_assignments};
use thiserror::Error;

/// Which derivatives the view steps through, by input name (names survive program edits).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ModeChoice {
    Reverse,
    Forward { wrt: String },
}

#[derive(Clone, Debug, PartialEq)]
pub struct UrlState {
    pub program: String,
    /// Every input's value, by name.
    pub inputs: Vec<(String, f64)>,
    pub mode: ModeChoice,
    /// Steps taken.
    pub step: usize,
}

#[derive(Clone, Debug, PartialEq, Error)]
pub enum UrlError {
    #[error("the link has no program")]
    MissingProgram,
    #[error("the link's input values are not valid: {0}")]
    Inputs(#[from] InputError),
    #[error("the link's mode `{0}` is not `reverse` or `forward:<input>`")]
    Mode(String),
    #[error("the link's step `{0}` is not a number")]
    Step(String),
}

impl ModeChoice {
    fn encode(&self) -> String {
        match self {
            ModeChoice::Reverse => "reverse".into(),
            ModeChoice::Forward { wrt } => format!("forward:{wrt}"),
        }
    }

    fn decode(text: &str) -> Result<ModeChoice, UrlError> {
        match text.split_once(':') {
            None if text == "reverse" => Ok(ModeChoice::Reverse),
            Some(("forward", wrt)) if !wrt.is_empty() => Ok(ModeChoice::Forward {
                wrt: wrt.to_string(),
            }),
            _ => Err(UrlError::Mode(text.to_string())),
        }
    }
}

impl UrlState {
    /// The fragment, without the leading `#`.
    pub fn to_fragment(&self) -> String {
        let at: Vec<String> = self
            .inputs
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect();
        form_urlencoded::Serializer::new(String::new())
            .append_pair("program", &self.program)
            .append_pair("at", &at.join(","))
            .append_pair("mode", &self.mode.encode())
            .append_pair("step", &self.step.to_string())
            .finish()
    }

    /// Read a fragment (with or without its `#`). Unknown keys are ignored; a missing
    /// mode is reverse, a missing step is 0.
    pub fn from_fragment(fragment: &str) -> Result<UrlState, UrlError> {
        let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
        let mut state = UrlState {
            program: String::new(),
            inputs: vec![],
            mode: ModeChoice::Reverse,
            step: 0,
        };
        let mut has_program = false;
        for (key, value) in form_urlencoded::parse(fragment.as_bytes()) {
            match key.as_ref() {
                "program" => {
                    state.program = value.into_owned();
                    has_program = true;
                }
                "at" => state.inputs = parse_assignments(&value)?,
                "mode" => state.mode = ModeChoice::decode(&value)?,
                "step" => {
                    state.step = value
                        .parse()
                        .map_err(|_| UrlError::Step(value.into_owned()))?
                }
                _ => {}
            }
        }
        if has_program {
            Ok(state)
        } else {
            Err(UrlError::MissingProgram)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> UrlState {
        UrlState {
            program: "x1 = 3 # a & b\n(x1 + x2) * x1".into(),
            inputs: vec![("x1".into(), 3.0), ("x2".into(), -0.1)],
            mode: ModeChoice::Forward { wrt: "x1".into() },
            step: 5,
        }
    }

    #[test]
    fn round_trips_through_the_fragment() {
        let state = sample();
        let fragment = state.to_fragment();
        assert!(
            !fragment.contains([' ', '\n', '#', '&', '=']) || fragment.matches('&').count() == 3
        );
        assert_eq!(
            UrlState::from_fragment(&format!("#{fragment}")).unwrap(),
            state
        );
    }

    #[test]
    fn numbers_keep_full_precision_and_non_finite_values() {
        let mut state = sample();
        state.inputs = vec![("a".into(), 0.1 + 0.2), ("b".into(), f64::INFINITY)];
        let back = UrlState::from_fragment(&state.to_fragment()).unwrap();
        assert_eq!(back.inputs, state.inputs);
        state.inputs = vec![("c".into(), f64::NAN)];
        assert!(
            UrlState::from_fragment(&state.to_fragment())
                .unwrap()
                .inputs[0]
                .1
                .is_nan()
        );
    }

    #[test]
    fn defaults_and_errors() {
        let state = UrlState::from_fragment("program=x*2").unwrap();
        assert_eq!(
            (state.mode, state.step, state.inputs.len()),
            (ModeChoice::Reverse, 0, 0)
        );
        assert_eq!(
            UrlState::from_fragment("step=3"),
            Err(UrlError::MissingProgram)
        );
        assert_eq!(UrlState::from_fragment(""), Err(UrlError::MissingProgram));
        assert!(matches!(
            UrlState::from_fragment("program=x&mode=sideways"),
            Err(UrlError::Mode(_))
        ));
        assert!(matches!(
            UrlState::from_fragment("program=x&step=-1"),
            Err(UrlError::Step(_))
        ));
        assert!(matches!(
            UrlState::from_fragment("program=x&at=x%3Dabc"),
            Err(UrlError::Inputs(_))
        ));
    }

    #[test]
    fn markup_in_a_link_stays_text() {
        let state = UrlState::from_fragment("program=%3Cscript%3Ealert(1)%3C%2Fscript%3E").unwrap();
        assert_eq!(state.program, "<script>alert(1)</script>");
    }
}
