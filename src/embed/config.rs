//! An embed's configuration, read from query-string text: a `<backprop-graph>`'s attributes
//! (`program`, `at`, `mode`, `step`, `controls`, `theme`, `layout`, `autoplay`, `quiz`) or an embed page's URL
//! fragment, which is the app's link format ([`crate::url_state`]) plus the same options.
//! Everything is data: the program goes through the parser, and whatever cannot be read is
//! reported in words while the rest still applies.

use crate::engine::{Mode, Phase, Stepper};
use crate::session::Session;
use crate::url_state::{UrlError, UrlState};
use thiserror::Error;

/// Which step controls an embed shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Controls {
    /// None: the host page steps it through the JS API (or the keyboard, when focused).
    None,
    /// Reset, Step back, Step forward and the counter.
    #[default]
    Minimal,
    /// The app's controls (play, speed, jumps) and the export menu.
    Full,
}

/// An embed's colours: fixed, or following the reader's system.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Theme {
    Light,
    Dark,
    #[default]
    Auto,
}

impl Theme {
    /// The value of the embed root's `data-theme`.
    pub fn name(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
            Theme::Auto => "auto",
        }
    }
}

/// How much an embed shows around its graph.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Layout {
    /// The controls, the graph and the explanation panel (the history folded).
    #[default]
    Full,
    /// The controls and the graph, the current step as one caption line: for slides.
    Compact,
}

impl Layout {
    /// The value of the embed root's `data-layout`.
    pub fn name(self) -> &'static str {
        match self {
            Layout::Full => "full",
            Layout::Compact => "compact",
        }
    }
}

/// Where an embed starts: `5` (steps taken, as in app links), `forward:2`,
/// `backward:2` (all forward steps, then two backward ones) or `end`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepTarget {
    Taken(usize),
    Forward(usize),
    Backward(usize),
    End,
}

impl Default for StepTarget {
    fn default() -> StepTarget {
        StepTarget::Taken(0)
    }
}

/// How an embed looks, apart from what it shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ViewOptions {
    pub controls: Controls,
    pub theme: Theme,
    pub layout: Layout,
    /// Start playing at once (off unless asked for).
    pub autoplay: bool,
    /// Predict, then reveal: the quiz under the graph (off unless asked for).
    pub quiz: bool,
}

/// Something in an embed's configuration that could not be used.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum ConfigError {
    #[error("{0}")]
    Link(#[from] UrlError),
    #[error("`step` must be a number, `forward:K`, `backward:K` or `end`, not `{0}`")]
    Step(String),
    #[error("`step` is `{0}`, but forward mode has no backward pass")]
    NoBackwardPass(String),
    #[error("`controls` must be `none`, `minimal` or `full`, not `{0}`")]
    Controls(String),
    #[error("`theme` must be `light`, `dark` or `auto`, not `{0}`")]
    Theme(String),
    #[error("`layout` must be `full` or `compact`, not `{0}`")]
    Layout(String),
    #[error("`autoplay` must be empty, `true` or `false`, not `{0}`")]
    Autoplay(String),
    #[error("`quiz` must be empty, `true` or `false`, not `{0}`")]
    Quiz(String),
    #[error("`at` names `{name}`, which is not an input of the program (its inputs: {inputs})")]
    UnknownInput { name: String, inputs: String },
}

/// Everything an embed is told.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EmbedConfig {
    /// The program, its input values and mode, as in an app link; None without a program.
    pub link: Option<UrlState>,
    pub step: StepTarget,
    pub options: ViewOptions,
    /// What could not be read (defaults apply instead).
    pub problems: Vec<ConfigError>,
}

/// User text quoted in a message: on one line, and cut short.
fn quoted(text: &str) -> String {
    const MAX: usize = 60;
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if flat.chars().count() > MAX {
        flat.chars().take(MAX).chain(['…']).collect()
    } else {
        flat
    }
}

impl EmbedConfig {
    /// Read `program=…&at=…&mode=…&step=…&controls=…&theme=…&layout=…&autoplay&quiz` (a leading `#` or
    /// `?` is ignored). Unknown keys are ignored, as in app links.
    pub fn from_query(query: &str) -> EmbedConfig {
        let query = query.trim_start_matches(['#', '?']);
        let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let value = |key: &str| {
            pairs
                .iter()
                .rev()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.trim())
        };
        let mut problems = Vec::new();
        let link = read_link(&pairs, &mut problems);
        let step = match value("step") {
            None | Some("") => StepTarget::default(),
            Some(text) => parse_step(text).unwrap_or_else(|| {
                problems.push(ConfigError::Step(quoted(text)));
                StepTarget::default()
            }),
        };
        let mut options = ViewOptions::default();
        if let Some(text) = value("controls") {
            match text.to_ascii_lowercase().as_str() {
                "none" => options.controls = Controls::None,
                "minimal" | "" => options.controls = Controls::Minimal,
                "full" => options.controls = Controls::Full,
                _ => problems.push(ConfigError::Controls(quoted(text))),
            }
        }
        if let Some(text) = value("theme") {
            match text.to_ascii_lowercase().as_str() {
                "light" => options.theme = Theme::Light,
                "dark" => options.theme = Theme::Dark,
                "auto" | "" => options.theme = Theme::Auto,
                _ => problems.push(ConfigError::Theme(quoted(text))),
            }
        }
        if let Some(text) = value("layout") {
            match text.to_ascii_lowercase().as_str() {
                "full" | "" => options.layout = Layout::Full,
                "compact" => options.layout = Layout::Compact,
                _ => problems.push(ConfigError::Layout(quoted(text))),
            }
        }
        if let Some(text) = value("autoplay") {
            match text.to_ascii_lowercase().as_str() {
                "" | "true" | "1" | "autoplay" => options.autoplay = true,
                "false" | "0" => options.autoplay = false,
                _ => problems.push(ConfigError::Autoplay(quoted(text))),
            }
        }
        if let Some(text) = value("quiz") {
            match switch(text) {
                Some(on) => options.quiz = on,
                None => problems.push(ConfigError::Quiz(quoted(text))),
            }
        }
        EmbedConfig {
            link,
            step,
            options,
            problems,
        }
    }

    /// The session this configuration describes, at its step, and what did not fit the
    /// program (an `at` name it does not have, a backward step in forward mode). Without
    /// a program the session is empty; a program that does not compile keeps its error.
    pub fn session(&self) -> (Session, Vec<ConfigError>) {
        let Some(link) = &self.link else {
            return (Session::new(""), vec![]);
        };
        let mut session = Session::from_url(UrlState {
            step: 0,
            ..link.clone()
        });
        let mut problems = Vec::new();
        if let Some(stepper) = session.stepper() {
            let graph = stepper.graph();
            let names: Vec<String> = graph
                .inputs()
                .map(|id| graph.node(id).name.clone())
                .collect();
            for (name, _) in &link.inputs {
                if !names.contains(name) {
                    problems.push(ConfigError::UnknownInput {
                        name: quoted(name),
                        inputs: names.join(", "),
                    });
                }
            }
            match self.step.cursor(stepper) {
                Ok(cursor) => session.seek(cursor),
                Err(problem) => problems.push(problem),
            }
        }
        (session, problems)
    }
}

/// A switch attribute: present (empty, `true`, `1` or its own name) or `false`/`0`.
fn switch(text: &str) -> Option<bool> {
    match text.to_ascii_lowercase().as_str() {
        "" | "true" | "1" | "quiz" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

/// The app-link part (program, at, mode) through the app's own reader; a bad `at` or
/// `mode` is reported and left out, so the program still shows.
fn read_link(pairs: &[(String, String)], problems: &mut Vec<ConfigError>) -> Option<UrlState> {
    let mut keys = vec![
        "program",
        "at",
        "mode",
        "steps",
        "checkpoint",
        "precision",
        "loss-scale",
    ];
    loop {
        let mut fragment = form_urlencoded::Serializer::new(String::new());
        for (key, value) in pairs.iter().filter(|(k, _)| keys.contains(&k.as_str())) {
            fragment.append_pair(key, value);
        }
        let error = match UrlState::from_fragment(&fragment.finish()) {
            Ok(state) => return Some(state),
            Err(error) => error,
        };
        let culprit = match &error {
            UrlError::Inputs(_) => "at",
            UrlError::Mode(_) => "mode",
            UrlError::Setup(_) => "steps",
            UrlError::Storage { key, .. } => key,
            // Embeds read no step or tensor values from the app's link format.
            UrlError::MissingProgram
            | UrlError::Step(_)
            | UrlError::Tensors(_)
            | UrlError::Quiz(_) => "program",
        };
        problems.push(error.into());
        if culprit == "program" {
            return None;
        }
        keys.retain(|k| *k != culprit);
    }
}

fn parse_step(text: &str) -> Option<StepTarget> {
    let count = |n: &str| n.trim().parse::<usize>().ok();
    if text.eq_ignore_ascii_case("end") {
        return Some(StepTarget::End);
    }
    match text.split_once(':') {
        None => count(text).map(StepTarget::Taken),
        Some((phase, n)) if phase.trim().eq_ignore_ascii_case("forward") => {
            count(n).map(StepTarget::Forward)
        }
        Some((phase, n)) if phase.trim().eq_ignore_ascii_case("backward") => {
            count(n).map(StepTarget::Backward)
        }
        Some(_) => None,
    }
}

impl StepTarget {
    /// How many steps `stepper` takes to get here; counts beyond a phase stop at its end,
    /// as links beyond the last step do.
    pub fn cursor(self, stepper: &Stepper) -> Result<usize, ConfigError> {
        let forward = stepper
            .schedule()
            .iter()
            .filter(|(phase, _)| *phase == Phase::Forward)
            .count();
        match self {
            StepTarget::Taken(n) => Ok(n.min(stepper.len())),
            StepTarget::Forward(k) => Ok(k.min(forward)),
            StepTarget::Backward(k) if stepper.mode() == Mode::Reverse => {
                Ok((forward + k).min(stepper.len()))
            }
            StepTarget::Backward(k) => Err(ConfigError::NoBackwardPass(format!("backward:{k}"))),
            StepTarget::End => Ok(stepper.len()),
        }
    }
}

#[cfg(test)]
mod tests;
