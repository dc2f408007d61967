//! The lesson views beside the stepper (the seeds' chain rule multiplied, four ways to a
//! derivative, code beside the graph, predict-then-reveal, the backward pass as a graph, the
//! tape's memory), as plain data: which views there are, their names and link slugs, and
//! how the view module follows the app's link without recompiling at every step. The Code
//! and Quiz views' own logic is in [`code`] and [`quiz`].

pub mod code;
pub mod quiz;

pub mod memory;

pub mod backward;
pub mod chain_rule;
pub mod four_ways;
pub mod plot;

use crate::url_state::UrlState;

/// One view of the lessons module.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lesson {
    ChainRule,
    FourWays,
    Code,
    Quiz,
    BackwardGraph,
    Memory,
}

impl Lesson {
    /// Every view, in the order of the tabs.
    pub const ALL: [Lesson; 6] = [
        Lesson::ChainRule,
        Lesson::FourWays,
        Lesson::Code,
        Lesson::Quiz,
        Lesson::BackwardGraph,
        Lesson::Memory,
    ];

    /// The tab's name.
    pub fn name(self) -> &'static str {
        match self {
            Lesson::ChainRule => "Chain rule",
            Lesson::FourWays => "Four ways",
            Lesson::Code => "Code",
            Lesson::Quiz => "Quiz",
            Lesson::BackwardGraph => "Backward graph",
            Lesson::Memory => "Memory",
        }
    }

    /// The view's name in attributes and messages (`data-lesson`, the module's `show`).
    pub fn slug(self) -> &'static str {
        match self {
            Lesson::ChainRule => "chain-rule",
            Lesson::FourWays => "four-ways",
            Lesson::Code => "code",
            Lesson::Quiz => "quiz",
            Lesson::BackwardGraph => "backward-graph",
            Lesson::Memory => "memory",
        }
    }

    /// The view a slug names.
    pub fn from_slug(slug: &str) -> Option<Lesson> {
        Lesson::ALL.into_iter().find(|lesson| lesson.slug() == slug)
    }
}

/// What the module must do to follow a new link from the app.
#[derive(Clone, Debug, PartialEq)]
pub enum Follow {
    /// The same view (but perhaps the quiz's score, which the module reads as it is): nothing.
    Nothing,
    /// The same program, inputs and mode at another step: seek there.
    Seek(usize),
    /// Anything else: rebuild the session from the link.
    Rebuild(Box<UrlState>),
}

/// How to go from the link the module follows (`current`, if any) to `next`: a step alone
/// is a seek, so stepping a large program does not recompile it in the module; the quiz's
/// score is no part of the view's build.
pub fn follow(current: Option<&UrlState>, next: UrlState) -> Follow {
    match current {
        Some(now)
            if UrlState {
                step: now.step,
                quiz: now.quiz,
                ..next.clone()
            } == *now =>
        {
            if now.step == next.step {
                Follow::Nothing
            } else {
                Follow::Seek(next.step)
            }
        }
        _ => Follow::Rebuild(Box::new(next)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::url_state::ModeChoice;

    fn link(program: &str, step: usize) -> UrlState {
        UrlState {
            program: program.into(),
            inputs: vec![("x1".into(), 2.0)],
            mode: ModeChoice::Reverse,
            step,
            tensors: vec![],
            about: None,
            setup: Default::default(),
            quiz: None,
            storage: Default::default(),
        }
    }

    #[test]
    fn slugs_name_every_view_once() {
        for lesson in Lesson::ALL {
            assert_eq!(Lesson::from_slug(lesson.slug()), Some(lesson));
        }
        assert_eq!(Lesson::from_slug("Chain rule"), None);
        let mut names: Vec<_> = Lesson::ALL.iter().map(|l| l.name()).collect();
        names.dedup();
        assert_eq!(names.len(), Lesson::ALL.len());
    }

    #[test]
    fn a_step_alone_is_a_seek() {
        let now = link("x1^2", 1);
        assert_eq!(follow(Some(&now), link("x1^2", 1)), Follow::Nothing);
        assert_eq!(follow(Some(&now), link("x1^2", 2)), Follow::Seek(2));
        assert_eq!(
            follow(Some(&now), link("x1^3", 2)),
            Follow::Rebuild(Box::new(link("x1^3", 2)))
        );
        let mut other_input = link("x1^2", 1);
        other_input.inputs[0].1 = 3.0;
        assert_eq!(
            follow(Some(&now), other_input.clone()),
            Follow::Rebuild(Box::new(other_input))
        );
        // A quiz's score alone is nothing to rebuild; with a step, a seek.
        let mut scored = link("x1^2", 1);
        scored.quiz = Some(crate::url_state::QuizScore { right: 1, asked: 1 });
        assert_eq!(follow(Some(&now), scored.clone()), Follow::Nothing);
        scored.step = 2;
        assert_eq!(follow(Some(&now), scored), Follow::Seek(2));
        assert_eq!(
            follow(None, link("x1^2", 0)),
            Follow::Rebuild(Box::new(link("x1^2", 0)))
        );
    }
}
