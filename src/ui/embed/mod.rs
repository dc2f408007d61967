//! The embeddable viewer (wasm only): the app's graph, step controls and explanation
//! mounted into a host element, each mount with its own reactive state, so a page can hold
//! several. Configured by [`EmbedConfig`] text (a web component's attributes or an embed
//! page's URL fragment); reports every change of step to a callback as [`StepEvent`] JSON.
//! It never touches the page's URL, its theme or window-wide keys.

mod view;

pub use super::export::export_file;
use super::export::{AppAddress, Exporter, prefers_dark};
use super::hooks;
use super::state::AppState;
use crate::embed::{ConfigError, EmbedConfig, StepEvent, Theme, ViewOptions};
use crate::export::{self, Format};
use crate::render::svg::Palette;
use crate::session::Session;
use leptos::mount::mount_to;
use leptos::prelude::*;
use leptos::tachys::view::any_view::AnyViewState;
use std::cell::Cell;
use std::rc::Rc;
use std::sync::Arc;
use web_sys::HtmlElement;

/// One mounted viewer. Dropping it unmounts the view and frees its state.
pub struct Mount {
    // Held for its drop, which unmounts the view; fields drop in order, so the view goes
    // before the state it reads.
    _view: leptos::mount::UnmountHandle<AnyViewState>,
    state: AppState,
    options: RwSignal<ViewOptions>,
    problems: RwSignal<Vec<String>>,
    config: StoredValue<EmbedConfig>,
    /// Counts new sessions (a new program, inputs or mode), so a new session at the same
    /// step still reports a step event.
    generation: RwSignal<u64>,
    /// Sends the `step` event of a step not reported yet.
    report: Rc<dyn Fn()>,
    _owner: Owner,
}

/// What a configuration could not do, in words, beside the program's own error.
fn messages(config: &EmbedConfig, fit: &[ConfigError], session: &Session) -> Vec<String> {
    let mut all: Vec<String> = config
        .problems
        .iter()
        .chain(fit)
        .map(ToString::to_string)
        .collect();
    if let Some(error) = session.error() {
        let hint = error.hint().map(|h| format!(" ({h})")).unwrap_or_default();
        all.push(format!("The program does not compile: {error}{hint}"));
    }
    all
}

impl Mount {
    /// Mount a viewer configured by `query` into `host` (its content is replaced).
    /// `app_address` is the app page's URL, for share links; `on_step` receives the JSON
    /// of a [`StepEvent`] after each change of step.
    pub fn new(
        host: HtmlElement,
        query: &str,
        app_address: String,
        on_step: impl Fn(String) + 'static,
    ) -> Mount {
        host.set_text_content(None);
        let config = EmbedConfig::from_query(query);
        let (session, fit) = config.session();
        let owner = Owner::new();
        let (state, options, problems, stored, generation) = owner.with(|| {
            let problems = RwSignal::new(messages(&config, &fit, &session));
            let state = AppState::new(session);
            state.playing.set(config.options.autoplay);
            (
                state,
                RwSignal::new(config.options),
                problems,
                StoredValue::new(config),
                RwSignal::new(0),
            )
        });
        let report = owner.with(|| reporter(state, generation, on_step));
        let view = owner.with(|| {
            let report = Rc::clone(&report);
            mount_to(host, move || {
                provide_context(state);
                provide_context(AppAddress(app_address));
                provide_context(Exporter(Arc::new(move |name, dark| {
                    Box::pin(async move {
                        export_file(&name, |format| render(state, format, dark))
                            .await
                            .map(str::to_string)
                    })
                })));
                hooks::drive_playback(state);
                let report = Rc::clone(&report);
                Effect::new(move |_| {
                    state.session.track();
                    generation.track();
                    report();
                });
                leptos::view! { <view::EmbedView options problems /> }.into_any()
            })
        });
        Mount {
            _view: view,
            state,
            options,
            problems,
            config: stored,
            generation,
            report,
            _owner: owner,
        }
    }

    /// Apply a new configuration: a new program, inputs or mode start a new session; a new
    /// step moves there; the options apply as they are.
    pub fn configure(&self, query: &str) {
        let config = EmbedConfig::from_query(query);
        let before = self.config.get_value();
        let (session, fit) = config.session();
        self.problems.set(messages(&config, &fit, &session));
        if config.link != before.link {
            self.state.playing.set(false);
            self.state.session.set(session);
            self.generation.update(|g| *g += 1);
        } else if config.step != before.step
            && let Some(cursor) = session.stepper().map(|s| s.cursor())
        {
            self.state.seek(cursor);
        }
        if config.options.autoplay != before.options.autoplay {
            self.state.playing.set(config.options.autoplay);
        }
        self.options.set(config.options);
        self.config.set_value(config);
        (self.report)();
    }

    /// Take the next step; false at the end (or without a program).
    pub fn step_forward(&self) -> bool {
        let stepped = self
            .state
            .session
            .try_update(|s| s.step_forward().is_some())
            .unwrap_or(false);
        (self.report)();
        stepped
    }

    /// Undo the last step; false at the start.
    pub fn step_back(&self) -> bool {
        self.state.playing.set(false);
        let stepped = self
            .state
            .session
            .try_update(|s| s.step_back().is_some())
            .unwrap_or(false);
        (self.report)();
        stepped
    }

    pub fn reset(&self) {
        self.state.reset();
        (self.report)();
    }

    /// Go to `steps` steps taken (beyond the end: the end).
    pub fn seek(&self, steps: usize) {
        self.state.seek(steps);
        (self.report)();
    }

    /// The current step as [`StepEvent`] JSON (`null` without a program).
    pub fn state_json(&self) -> String {
        self.state
            .session
            .try_with_untracked(|s| StepEvent::of(s).map(|e| e.to_json()))
            .flatten()
            .unwrap_or_else(|| "null".into())
    }

    /// An export's text: `svg`, `markdown`, `latex` or `pytorch` (the picture in the
    /// embed's theme).
    pub fn export(&self, format: &str) -> Result<String, String> {
        let format = Format::from_name(format).map_err(|e| e.to_string())?;
        let dark = match self.options.get_untracked().theme {
            Theme::Dark => true,
            Theme::Light => false,
            Theme::Auto => prefers_dark(),
        };
        render(self.state, format, dark)
    }
}

/// The text of `format` for the view `state` shows.
fn render(state: AppState, format: Format, dark: bool) -> Result<String, String> {
    let palette = if dark { Palette::DARK } else { Palette::LIGHT };
    state
        .session
        .try_with_untracked(|s| export::document(s, format, &palette))
        .ok_or_else(|| "the embed is gone".to_string())?
        .map_err(|e| e.to_string())
}

/// A function that calls `on_step` with the step's event when the step or the session
/// changed since the last report (not for the first view). The element's methods call it
/// right after they act, so three `stepForward()` in a row send three events; the controls'
/// changes reach it through an effect, which finds them already reported or not.
fn reporter(
    state: AppState,
    generation: RwSignal<u64>,
    on_step: impl Fn(String) + 'static,
) -> Rc<dyn Fn()> {
    let now = move || {
        state.session.try_with_untracked(|s| {
            (
                generation.get_untracked(),
                s.revision(),
                s.stepper().map_or(0, |stepper| stepper.cursor()),
            )
        })
    };
    let last = Cell::new(now());
    Rc::new(move || {
        let current = now();
        if current.is_some() && current != last.get() {
            last.set(current);
            if let Some(event) = state.session.with_untracked(StepEvent::of) {
                on_step(event.to_json());
            }
        }
    })
}
