//! The lesson views beside the stepper, in two parts. [`host`] is in the app's bundle: the
//! tabs under the graph ("Chain rule", "Four ways", "Code", "Quiz", "Backward graph",
//! "Memory"), the panel the lessons module is mounted into the first time a tab is opened
//! (loaded on demand, with a loading state and a failure said), and the app's end of the
//! messages: the app's link, theme and highlighted node go to the module at every change;
//! the module asks the app to seek a step, open a link or highlight a node. The rest is the
//! `lessons` bin's own wasm module: [`state`] (what the app sent, as a session the views
//! read) and one module per view.

pub mod host;

mod backward_graph;
mod chain_rule;
mod code;
mod four_ways;
mod memory;
mod quiz;
mod state;

use crate::lessons::Lesson;
use leptos::prelude::*;
use state::LessonsState;

pub use state::AppLink;

/// The lessons mounted into the app's panel, as the module's exports hold it.
#[derive(Clone, Copy)]
pub struct Mounted {
    ls: LessonsState,
}

/// Mount the lessons into `element` for the rest of the page's life, showing `lesson`; they
/// answer the app through `to_app`.
pub fn mount(element: web_sys::HtmlElement, to_app: AppLink, lesson: &str) -> Mounted {
    // Long seeks of the module's sessions go to a worker, as the app's do.
    crate::session::seeking::offer_worker();
    // Made outside the view's owner, so nothing disposes it: it lives as long as the page.
    let ls = LessonsState::new(to_app);
    let mounted = Mounted { ls };
    mounted.show(lesson);
    leptos::mount::mount_to(element, move || {
        provide_context(ls);
        crate::ui::hooks::seek_worker::offload_seeks(ls.session, ls.seeking);
        view! { <Lessons /> }
    })
    .forget();
    mounted
}

impl Mounted {
    /// The app's view changed: its link (a URL fragment), theme and highlighted node (`-1`
    /// for none). A link that cannot be read is refused with the reason.
    pub fn update(&self, fragment: &str, dark: bool, highlight: i32) -> Result<(), String> {
        self.ls.follow(fragment)?;
        if self.ls.dark.get_untracked() != dark {
            self.ls.dark.set(dark);
        }
        let highlight = usize::try_from(highlight).ok();
        if self.ls.highlight.get_untracked() != highlight {
            self.ls.highlight.set(highlight);
        }
        Ok(())
    }

    /// The app's graph node `node` was pressed: the views that pick nodes hear it.
    pub fn press(&self, node: usize) {
        self.ls.pressed.set(Some(node));
    }

    /// Show the view named `slug` (unknown names are ignored).
    pub fn show(&self, slug: &str) {
        if let Some(lesson) = Lesson::from_slug(slug)
            && self.ls.lesson.get_untracked() != lesson
        {
            self.ls.lesson.set(lesson);
        }
    }
}

/// The view the app's tab asks for.
#[component]
fn Lessons() -> impl IntoView {
    let ls = LessonsState::get();
    move || {
        let lesson = ls.lesson.get();
        let view = match lesson {
            Lesson::ChainRule => view! { <chain_rule::ChainRule /> }.into_any(),
            Lesson::FourWays => view! { <four_ways::FourWays /> }.into_any(),
            Lesson::Code => view! { <code::Code /> }.into_any(),
            Lesson::Quiz => view! { <quiz::Quiz /> }.into_any(),
            Lesson::BackwardGraph => view! { <backward_graph::BackwardGraph /> }.into_any(),
            Lesson::Memory => view! { <memory::Memory /> }.into_any(),
        };
        // The step the view follows, for tests and styles.
        let step = move || ls.session.with(|s| s.stepper().map_or(0, |st| st.cursor()));
        view! { <div class="lesson" data-lesson-view=lesson.slug() data-step=step>{view}</div> }
    }
}
