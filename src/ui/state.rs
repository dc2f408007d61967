//! The app's reactive state: the [`Session`] in one signal, plus what only the view
//! needs (playing, speed, theme). Components get it from context and call its methods.

use super::hooks::browser as hooks;
use super::hooks::seek_worker::SeekProgress;
use crate::examples::Example;
use crate::session::Session;
use crate::url_state::{ModeChoice, UrlState};
use leptos::prelude::*;
use std::time::Duration;

#[derive(Clone, Copy)]
pub struct AppState {
    pub session: RwSignal<Session>,
    pub playing: RwSignal<bool>,
    /// Steps per second while playing.
    pub speed: RwSignal<f64>,
    pub dark: RwSignal<bool>,
    /// Presentation mode: the graph, the step controls and the explanation alone, large.
    pub presenting: RwSignal<bool>,
    /// The graph node highlighted across the views (hovered or focused in the graph, or
    /// pointed at in a lesson).
    pub highlight: RwSignal<Option<usize>>,
    /// The graph node last pressed (clicked, or Enter on its box): set at every press, so
    /// a lesson that picks nodes (the Memory view's checkpoints) hears each one.
    pub pressed: RwSignal<Option<usize>>,
    /// A seek a worker is computing (see `session::seeking`), while one is.
    pub seeking: RwSignal<Option<SeekProgress>>,
    /// When the last edit happened (ms since the epoch).
    last_edit_entry: StoredValue<f64>,
    /// The compile waiting for typing to pause.
    pending_compile: StoredValue<Option<TimeoutHandle>>,
}

/// How long typing must pause before the program is compiled again.
const COMPILE_DELAY: Duration = Duration::from_millis(90);

/// Edits closer together than this share one history entry.
const EDIT_ENTRY_GAP_MS: f64 = 2000.0;

impl AppState {
    pub fn new(session: Session) -> AppState {
        AppState {
            session: RwSignal::new(session),
            playing: RwSignal::new(false),
            speed: RwSignal::new(1.5),
            dark: RwSignal::new(false),
            presenting: RwSignal::new(false),
            highlight: RwSignal::new(None),
            pressed: RwSignal::new(None),
            seeking: RwSignal::new(None),
            last_edit_entry: StoredValue::new(0.0),
            pending_compile: StoredValue::new(None),
        }
    }

    /// The state provided by the app or the embed around this component; a component
    /// mounted outside them is a programming error, reported as such.
    pub fn get() -> AppState {
        expect_context::<AppState>()
    }

    pub fn step_forward(&self) {
        self.session.update(|s| {
            s.step_forward();
        });
    }

    pub fn step_back(&self) {
        self.playing.set(false);
        self.session.update(|s| {
            s.step_back();
        });
    }

    pub fn reset(&self) {
        self.playing.set(false);
        self.session.update(Session::reset);
    }

    pub fn seek(&self, cursor: usize) {
        self.playing.set(false);
        self.session.update(|s| s.seek(cursor));
    }

    pub fn jump_to_forward_end(&self) {
        self.playing.set(false);
        self.session.update(Session::jump_to_forward_end);
    }

    pub fn jump_to_backward_end(&self) {
        self.playing.set(false);
        self.session.update(Session::jump_to_backward_end);
    }

    /// Stop waiting for a seek's worker: the view stays where it is.
    pub fn cancel_seek(&self) {
        self.session.update(Session::cancel_seek);
    }

    pub fn toggle_playing(&self) {
        let done = self
            .session
            .with(|s| s.stepper().is_none_or(|stepper| stepper.is_done()));
        if done && !self.playing.get_untracked() {
            self.session.update(Session::reset);
        }
        self.playing.update(|playing| *playing = !*playing);
    }

    /// Load a worked example at step 0, as a new history entry.
    pub fn load_example(&self, example: &Example) {
        self.playing.set(false);
        self.as_new_entry(|s| {
            *s = Session::new(example.program);
            s.set_setup(example.setup);
        });
    }

    /// Apply `change` as a new history entry. The entry left behind first gets the view
    /// as it is now: the address bar catches up only after a pause, which may not have
    /// passed, and Back must return to what was on screen.
    fn as_new_entry(&self, change: impl FnOnce(&mut Session)) {
        self.session
            .with_untracked(|s| hooks::write_location(s, false));
        self.session.update(change);
        self.session
            .with_untracked(|s| hooks::write_location(s, true));
    }

    /// Open the view a link's fragment describes, as a new history entry (a link that
    /// cannot be read changes nothing).
    pub fn open_fragment(&self, fragment: &str) {
        if let Ok(link) = UrlState::from_fragment(fragment) {
            self.playing.set(false);
            self.as_new_entry(|s| *s = Session::from_url(link));
        }
    }

    /// Replace the program with `text` (written by the playground's form), as a new
    /// history entry.
    pub fn replace_program(&self, text: &str) {
        self.playing.set(false);
        self.as_new_entry(|s| s.set_source(text));
    }

    /// Replace the program text at once and compile it once typing pauses (a paste, a
    /// whole program at once, right away); a burst of typing becomes one history entry.
    pub fn edit_source(&self, text: &str, pasted: bool) {
        let now = js_sys::Date::now();
        let new_entry = now - self.last_edit_entry.get_value() > EDIT_ENTRY_GAP_MS;
        self.last_edit_entry.set_value(now);
        if new_entry {
            // The entry this edit leaves keeps the view as it was (see `as_new_entry`).
            self.session
                .with_untracked(|s| hooks::write_location(s, false));
        }
        self.session.update(|s| s.set_text(text));
        let state = *self;
        let delay = if pasted {
            Duration::ZERO
        } else {
            COMPILE_DELAY
        };
        // The timer may fire after the view is gone (unmounted): then it does nothing.
        hooks::debounce(self.pending_compile, delay, move || {
            if state.session.try_update(Session::compile).is_some() && new_entry {
                state
                    .session
                    .try_with_untracked(|s| hooks::write_location(s, true));
            }
        });
    }

    pub fn set_input(&self, name: &str, value: f64) {
        self.session.update(|s| s.set_input(name, value));
    }

    /// Set one element of a small tensor input (see [`Session::set_tensor_element`]).
    pub fn set_tensor_element(&self, name: &str, index: usize, value: f64) {
        self.session.update(|s| {
            s.set_tensor_element(name, index, value);
        });
    }

    /// Step the program another way (accumulation, zero_grad), as a new history entry.
    pub fn set_setup(&self, setup: crate::engine::setup::Setup) {
        self.playing.set(false);
        self.as_new_entry(|s| s.set_setup(setup));
    }

    pub fn set_mode(&self, mode: ModeChoice) {
        self.playing.set(false);
        self.session.update(|s| s.set_mode(mode));
    }
}
