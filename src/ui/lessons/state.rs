//! The lessons module's state: the app's view as a [`Session`] rebuilt from the app's link
//! (a step alone is a seek, see [`crate::lessons::follow`]), the open view, the theme, the
//! node the app highlights, and the way back to the app. A costly seek waits for a worker
//! as the app's does (see `session::seeking`).

use crate::lessons::{Follow, Lesson, follow};
use crate::session::Session;
use crate::ui::hooks::seek_worker::SeekProgress;
use crate::url_state::{QuizScore, UrlState};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// The app's end of the messages (made by the app's lessons host).
    pub type AppLink;

    #[wasm_bindgen(method)]
    fn seek(this: &AppLink, cursor: u32);

    #[wasm_bindgen(method)]
    fn open(this: &AppLink, fragment: &str);

    #[wasm_bindgen(method)]
    fn highlight(this: &AppLink, node: i32);

    #[wasm_bindgen(method, js_name = setInput)]
    fn set_input(this: &AppLink, name: &str, value: f64);

    #[wasm_bindgen(method)]
    fn quiz(this: &AppLink, cursor: u32, score: &str);
}

#[derive(Clone, Copy)]
pub struct LessonsState {
    /// The app's view: program, inputs, mode and step.
    pub session: RwSignal<Session>,
    /// The link `session` was last built or moved from.
    link: StoredValue<Option<UrlState>>,
    pub lesson: RwSignal<Lesson>,
    pub dark: RwSignal<bool>,
    /// The graph node the app highlights (hovered or focused there, or here).
    pub highlight: RwSignal<Option<usize>>,
    /// The graph node last pressed in the app (set at every press).
    pub pressed: RwSignal<Option<usize>>,
    /// A seek of `session` a worker is computing, while one is.
    pub seeking: RwSignal<Option<SeekProgress>>,
    to_app: StoredValue<AppLink, LocalStorage>,
}

impl LessonsState {
    pub fn new(to_app: AppLink) -> LessonsState {
        LessonsState {
            session: RwSignal::new(Session::new("")),
            link: StoredValue::new(None),
            lesson: RwSignal::new(Lesson::ChainRule),
            dark: RwSignal::new(false),
            highlight: RwSignal::new(None),
            pressed: RwSignal::new(None),
            seeking: RwSignal::new(None),
            to_app: StoredValue::new_local(to_app),
        }
    }

    /// The state provided around the lessons' views.
    pub fn get() -> LessonsState {
        expect_context::<LessonsState>()
    }

    /// Follow the app's link.
    pub fn follow(&self, fragment: &str) -> Result<(), String> {
        let next = UrlState::from_fragment(fragment).map_err(|error| error.to_string())?;
        match self
            .link
            .with_value(|now| follow(now.as_ref(), next.clone()))
        {
            Follow::Nothing => {}
            Follow::Seek(step) => self.session.update(|s| s.seek(step)),
            Follow::Rebuild(state) => self.session.set(Session::from_url(*state)),
        }
        if self.session.with_untracked(Session::quiz) != next.quiz {
            self.session.update(|s| s.set_quiz(next.quiz));
        }
        self.link.set_value(Some(next));
        Ok(())
    }

    /// Ask the app to go to step `cursor` (its link then comes back here).
    pub fn seek(&self, cursor: usize) {
        let cursor = u32::try_from(cursor).unwrap_or(u32::MAX);
        self.to_app.with_value(|app| app.seek(cursor));
    }

    /// Ask the app to open the view `state` describes (another program, inputs, mode or
    /// step), as a new history entry.
    pub fn open(&self, state: &UrlState) {
        let fragment = state.to_fragment();
        self.to_app.with_value(|app| app.open(&fragment));
    }

    /// Set the scalar input `name` to `value` in the app (its view then comes back here).
    pub fn set_input(&self, name: &str, value: f64) {
        self.to_app.with_value(|app| app.set_input(name, value));
    }

    /// Ask the app to go to step `cursor` with the quiz's score `score` (None: the quiz
    /// off), in one change of its view.
    pub fn quiz(&self, cursor: usize, score: Option<QuizScore>) {
        let cursor = u32::try_from(cursor).unwrap_or(u32::MAX);
        let score = score.map(QuizScore::encode).unwrap_or_default();
        self.to_app.with_value(|app| app.quiz(cursor, &score));
    }

    /// Highlight `node` in the app's graph and editor (None: nothing).
    pub fn highlight(&self, node: Option<usize>) {
        let node = node.and_then(|n| i32::try_from(n).ok()).unwrap_or(-1);
        self.to_app.with_value(|app| app.highlight(node));
    }
}
