//! The "Quiz" view: the shared quiz ([`crate::ui::quiz`]) on the app's view, moving the
//! app on (and keeping its score in the app's link) through the lessons' link.

use super::state::LessonsState;
use crate::session::Session;
use crate::ui::quiz::{QuizLink, QuizPanel};
use leptos::prelude::*;

#[component]
pub fn Quiz() -> impl IntoView {
    let ls = LessonsState::get();
    let link = QuizLink {
        session: ls.session.into(),
        // A step alone is a seek; a new score goes with its step in one change.
        go: Callback::new(move |(cursor, score)| {
            if ls.session.with_untracked(Session::quiz) == score {
                ls.seek(cursor);
            } else {
                ls.quiz(cursor, score);
            }
        }),
    };
    view! {
        <h2 class="panel-title">"Quiz: predict, then reveal"</h2>
        <QuizPanel link optional=true />
    }
}
