//! The view's state in a URL fragment: program, input values, mode and step, so a link
//! restores exactly what its sender saw. `#program=…&at=x1%3D3%2Cx2%3D4&mode=reverse&step=5`
//! Tensor inputs whose values are not the program's own (a training step loaded from the
//! playground: its parameters and minibatch) follow as `tensors=W%3A2x2%3A0.5+-1+2+0.25`
//! (name, shape, values; `;` between tensors) with `about=` saying what they are.
//! A view stepped otherwise than one plain pass (gradient accumulation, `no_grad`, a
//! precision) adds `steps=micro-batches+4%2C+zero_grad…` ([`Setup`]'s words).
//! A quiz in progress (predict, then reveal) adds its score: `quiz=3%2F5` (3 right of 5 asked).
//! How the stepper keeps and stores numbers follows when it is not the plain f64 run:
//! `checkpoint=every:3` (or `sqrt`, or names `h5,h10`), `precision=f16`,
//! `loss-scale=1024` (or `dynamic`).

use crate::engine::checkpoint::CheckpointPlan;
use crate::engine::inputs::{InputError, parse_assignments};
use crate::engine::setup::{Setup, SetupError};
use crate::precision::Precision;
use crate::tensor::{MAX_RANK, Tensor};
use crate::train::scaler::LossScaling;
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
    /// Tensor inputs' values by name, where they are not the program's own.
    pub tensors: Vec<(String, Tensor)>,
    /// What those values are, in words ("training step 6: the parameters after 5 updates…").
    pub about: Option<String>,
    /// How the program is stepped (one plain pass by default).
    pub setup: Setup,
    /// The quiz, while it is on: its score so far.
    pub quiz: Option<QuizScore>,
    /// Checkpoints, precision and loss scaling (the plain f64 run by default).
    pub storage: Storage,
}

/// A quiz's score over the pass: questions answered right at the first try, of those asked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QuizScore {
    pub right: u32,
    pub asked: u32,
}

impl QuizScore {
    /// `3/5`, as the link writes it.
    pub fn encode(self) -> String {
        format!("{}/{}", self.right, self.asked)
    }

    /// `3/5`; None unless both are counts and no more are right than asked.
    pub fn decode(text: &str) -> Option<QuizScore> {
        let (right, asked) = text.split_once('/')?;
        let score = QuizScore {
            right: right.parse().ok()?,
            asked: asked.parse().ok()?,
        };
        (score.right <= score.asked).then_some(score)
    }
}

/// How the stepper keeps and stores numbers: which values the forward pass keeps (none
/// given: all), their precision, and what the output's adjoint is seeded with.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Storage {
    pub checkpoint: Option<CheckpointPlan>,
    pub precision: Precision,
    pub loss_scale: Option<LossScaling>,
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
    #[error("the link's tensor values are not valid: {0}")]
    Tensors(String),
    #[error("the link's stepping settings are not valid: {0}")]
    Setup(#[from] SetupError),
    #[error("the link's quiz score `{0}` is not K/N")]
    Quiz(String),
    /// `checkpoint`, `precision` or `loss-scale` (the key) could not be read.
    #[error("the link's `{key}` is not valid: {reason}")]
    Storage { key: &'static str, reason: String },
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
        let mut fragment = form_urlencoded::Serializer::new(String::new());
        fragment
            .append_pair("program", &self.program)
            .append_pair("at", &at.join(","))
            .append_pair("mode", &self.mode.encode())
            .append_pair("step", &self.step.to_string());
        if !self.setup.is_plain() {
            fragment.append_pair("steps", &self.setup.to_text());
        }
        if !self.tensors.is_empty() {
            fragment.append_pair("tensors", &encode_tensors(&self.tensors));
            if let Some(about) = &self.about {
                fragment.append_pair("about", about);
            }
        }
        if let Some(quiz) = self.quiz {
            fragment.append_pair("quiz", &quiz.encode());
        }
        let storage = &self.storage;
        if let Some(plan) = &storage.checkpoint {
            fragment.append_pair("checkpoint", &plan.to_string());
        }
        if storage.precision != Precision::F64 {
            fragment.append_pair("precision", storage.precision.name());
        }
        match storage.loss_scale {
            Some(LossScaling::Static(scale)) => {
                fragment.append_pair("loss-scale", &number_text(scale));
            }
            Some(LossScaling::Dynamic) => {
                fragment.append_pair("loss-scale", "dynamic");
            }
            None => {}
        }
        fragment.finish()
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
            tensors: vec![],
            about: None,
            setup: Setup::default(),
            quiz: None,
            storage: Storage::default(),
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
                "tensors" => state.tensors = decode_tensors(&value)?,
                "about" => state.about = Some(value.into_owned()),
                "steps" => state.setup = Setup::parse(&value)?,
                "quiz" => {
                    state.quiz = Some(
                        QuizScore::decode(&value).ok_or_else(|| UrlError::Quiz(short(&value)))?,
                    )
                }
                "checkpoint" => {
                    let plan = value.parse::<CheckpointPlan>();
                    state.storage.checkpoint = Some(plan.map_err(storage_error("checkpoint"))?);
                }
                "precision" => {
                    let precision = value.parse::<Precision>();
                    state.storage.precision = precision.map_err(storage_error("precision"))?;
                }
                "loss-scale" => {
                    let scaling = value.parse::<LossScaling>();
                    state.storage.loss_scale = Some(scaling.map_err(storage_error("loss-scale"))?);
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

/// The error of a storage key that could not be read.
fn storage_error<E: std::fmt::Display>(key: &'static str) -> impl Fn(E) -> UrlError {
    move |error| UrlError::Storage {
        key,
        reason: error.to_string(),
    }
}

/// A number as short as it can be written and read back exactly (`0.1`, `1e-20`, `inf`).
fn number_text(value: f64) -> String {
    let (plain, debug) = (format!("{value}"), format!("{value:?}"));
    if plain.len() <= debug.len() {
        plain
    } else {
        debug
    }
}

/// `name:2x3:v v v v v v`, tensors joined by `;` (a scalar has an empty shape).
fn encode_tensors(tensors: &[(String, Tensor)]) -> String {
    let encoded: Vec<String> = tensors
        .iter()
        .map(|(name, tensor)| {
            let shape: Vec<String> = tensor.shape().iter().map(usize::to_string).collect();
            let values: Vec<String> = tensor.data().iter().map(|&v| number_text(v)).collect();
            format!("{name}:{}:{}", shape.join("x"), values.join(" "))
        })
        .collect();
    encoded.join(";")
}

fn decode_tensors(text: &str) -> Result<Vec<(String, Tensor)>, UrlError> {
    let bad = |what: String| UrlError::Tensors(what);
    text.split(';')
        .filter(|part| !part.trim().is_empty())
        .map(|part| {
            let mut fields = part.splitn(3, ':');
            let (Some(name), Some(shape), Some(values)) =
                (fields.next(), fields.next(), fields.next())
            else {
                return Err(bad(format!("`{}` is not name:shape:values", short(part))));
            };
            let name = name.trim();
            if name.is_empty() {
                return Err(bad("a tensor without a name".into()));
            }
            let shape = shape
                .split('x')
                .filter(|d| !d.trim().is_empty())
                .map(|d| d.trim().parse::<usize>())
                .collect::<Result<Vec<usize>, _>>()
                .ok()
                .filter(|shape| shape.len() <= MAX_RANK)
                .ok_or_else(|| bad(format!("the shape of `{name}` is not valid")))?;
            let values = values
                .split_whitespace()
                .map(str::parse::<f64>)
                .collect::<Result<Vec<f64>, _>>()
                .map_err(|_| bad(format!("a value of `{name}` is not a number")))?;
            let tensor = Tensor::from_vec(shape, values)
                .map_err(|error| bad(format!("`{name}`: {error}")))?;
            Ok((name.to_string(), tensor))
        })
        .collect()
}

/// The start of `text`, for an error message.
fn short(text: &str) -> String {
    let start: String = text.chars().take(24).collect();
    if start.len() < text.len() {
        format!("{start}…")
    } else {
        start
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
            tensors: vec![],
            about: None,
            setup: Setup::default(),
            quiz: None,
            storage: Storage::default(),
        }
    }

    #[test]
    fn storage_goes_through_the_fragment_both_ways() {
        let mut state = sample();
        state.mode = ModeChoice::Reverse;
        // The plain run writes none of it.
        let plain = state.to_fragment();
        assert!(!plain.contains("checkpoint") && !plain.contains("precision"));
        assert!(!plain.contains("loss-scale"));
        for (storage, written) in [
            (
                Storage {
                    checkpoint: Some(CheckpointPlan::Every(3)),
                    precision: Precision::F16,
                    loss_scale: Some(LossScaling::Static(1024.0)),
                },
                "&checkpoint=every%3A3&precision=f16&loss-scale=1024",
            ),
            (
                Storage {
                    checkpoint: Some(CheckpointPlan::Sqrt),
                    precision: Precision::Bf16,
                    loss_scale: Some(LossScaling::Dynamic),
                },
                "&checkpoint=sqrt&precision=bf16&loss-scale=dynamic",
            ),
            (
                Storage {
                    checkpoint: Some(CheckpointPlan::Named(vec!["h5".into(), "h10".into()])),
                    precision: Precision::F32,
                    loss_scale: Some(LossScaling::Static(0.5)),
                },
                "&checkpoint=h5%2Ch10&precision=f32&loss-scale=0.5",
            ),
        ] {
            state.storage = storage;
            let fragment = state.to_fragment();
            assert!(fragment.ends_with(written), "{fragment}");
            assert_eq!(UrlState::from_fragment(&fragment).unwrap(), state);
        }
        // Read as people write them.
        let read = UrlState::from_fragment("program=x&checkpoint=every:2&loss-scale=65536")
            .unwrap()
            .storage;
        assert_eq!(read.checkpoint, Some(CheckpointPlan::Every(2)));
        assert_eq!(read.loss_scale, Some(LossScaling::Static(65536.0)));
        assert_eq!(read.precision, Precision::F64);
    }

    #[test]
    fn storage_that_cannot_be_read_is_refused_with_the_reason() {
        for (fragment, why) in [
            (
                "program=x&checkpoint=every%3A0",
                "`every:0` needs a whole number",
            ),
            (
                "program=x&checkpoint=",
                "expected `every:K`, `sqrt` or node names",
            ),
            ("program=x&precision=f8", "unknown precision `f8`"),
            (
                "program=x&loss-scale=-2",
                "positive number or `dynamic`, found `-2`",
            ),
            ("program=x&loss-scale=inf", "found `inf`"),
        ] {
            let error = UrlState::from_fragment(fragment).unwrap_err();
            assert!(matches!(error, UrlError::Storage { .. }), "{fragment}");
            assert!(error.to_string().contains(why), "{fragment}: {error}");
        }
    }

    #[test]
    fn a_quiz_goes_through_the_fragment_both_ways() {
        let mut state = sample();
        assert!(!state.to_fragment().contains("quiz"));
        state.quiz = Some(QuizScore { right: 1, asked: 2 });
        let fragment = state.to_fragment();
        assert!(fragment.ends_with("&quiz=1%2F2"), "{fragment}");
        assert_eq!(UrlState::from_fragment(&fragment).unwrap(), state);
        state.quiz = Some(QuizScore::default());
        let back = UrlState::from_fragment(&state.to_fragment()).unwrap();
        assert_eq!(back.quiz, Some(QuizScore { right: 0, asked: 0 }));
        // A link written by hand.
        let read = UrlState::from_fragment("program=x*2&quiz=3/5").unwrap();
        assert_eq!(read.quiz, Some(QuizScore { right: 3, asked: 5 }));
        for bad in ["3", "3/", "/5", "6/5", "-1/2", "1/2/3", "a/b", "<b>/1"] {
            let fragment = format!("program=x&quiz={}", bad.replace('/', "%2F"));
            let error = UrlState::from_fragment(&fragment).unwrap_err();
            assert_eq!(error, UrlError::Quiz(bad.into()), "{bad}");
        }
    }

    #[test]
    fn stepping_settings_go_through_the_fragment() {
        let mut state = sample();
        state.setup = Setup::parse("micro-batches 4, no zero_grad, lr 0.2, precision f16").unwrap();
        let fragment = state.to_fragment();
        assert!(fragment.contains("&steps=micro-batches+4"), "{fragment}");
        assert_eq!(UrlState::from_fragment(&fragment).unwrap(), state);
        assert!(!sample().to_fragment().contains("steps="));
        assert!(matches!(
            UrlState::from_fragment("program=x&steps=micro-batches+99"),
            Err(UrlError::Setup(_))
        ));
    }

    #[test]
    fn tensors_go_through_the_fragment_exactly() {
        let mut state = sample();
        state.tensors = vec![
            (
                "W1".into(),
                Tensor::from_vec(
                    vec![2, 3],
                    vec![0.1 + 0.2, -1e-20, 1e300, f64::INFINITY, -0.0, 7.0],
                )
                .unwrap(),
            ),
            (
                "b".into(),
                Tensor::from_vec(vec![2], vec![0.5, -2.0]).unwrap(),
            ),
            (
                "empty".into(),
                Tensor::from_vec(vec![0, 2], vec![]).unwrap(),
            ),
        ];
        state.about = Some("training step 6: the parameters after 5 updates".into());
        let fragment = state.to_fragment();
        assert!(
            fragment.contains("tensors=W1%3A2x3%3A0.30000000000000004+-1e-20+1e300+inf+-0+7%3B")
        );
        assert!(fragment.ends_with("&about=training+step+6%3A+the+parameters+after+5+updates"));
        let back = UrlState::from_fragment(&fragment).unwrap();
        assert_eq!(back, state);
        assert!(back.tensors[0].1.data()[4].is_sign_negative());
        // NaN survives too (though it equals nothing).
        state.tensors = vec![(
            "n".into(),
            Tensor::from_vec(vec![1], vec![f64::NAN]).unwrap(),
        )];
        let back = UrlState::from_fragment(&state.to_fragment()).unwrap();
        assert!(back.tensors[0].1.data()[0].is_nan());
        // Without tensors, no `about`: the link is the plain one.
        state.tensors = vec![];
        assert!(!state.to_fragment().contains("about"));
    }

    #[test]
    fn tensor_values_that_are_not_tensors_are_refused() {
        for (text, why) in [
            ("W", "`W` is not name:shape:values"),
            (":2:1 2", "a tensor without a name"),
            ("W:2xq:1 2", "the shape of `W` is not valid"),
            ("W:2:1 two", "a value of `W` is not a number"),
            ("W:2x2:1 2 3", "`W`: "),
        ] {
            let fragment = format!("program=x&tensors={}", text.replace(' ', "+"));
            let error = UrlState::from_fragment(&fragment).unwrap_err();
            assert!(
                error
                    .to_string()
                    .starts_with(&format!("the link's tensor values are not valid: {why}")),
                "{text}: {error}"
            );
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
            (
                state.mode,
                state.step,
                state.inputs.len(),
                state.tensors.len()
            ),
            (ModeChoice::Reverse, 0, 0, 0)
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
