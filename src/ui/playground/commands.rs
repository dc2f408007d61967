//! The user's commands to the playground: each changes what it must in the
//! [`PlaygroundState`] and queues its job (see [`super::jobs`]).

use super::jobs;
use super::state::{Job, PlaygroundState};
use crate::playground::backend::BackendChoice;
use crate::playground::message::FromPlayground;
use crate::playground::meter::Meter;
use crate::playground::pace::Pacer;
use crate::playground::source::Source;
use leptos::prelude::*;

impl PlaygroundState {
    /// Start or pause training. A pause refreshes the picture and reads the parameters
    /// back, so a lost GPU later resumes from exactly there. Training does not start at
    /// or past its stop; while the editor's program does not compile it trains the last
    /// valid version, and says so.
    pub fn toggle(&self) {
        if self.training.get_untracked() {
            self.training.set(false);
            jobs::submit(*self, Job::Evaluate);
            return;
        }
        let steps = self.stats.with_untracked(|s| s.steps);
        if let Some(stop) = self
            .watch
            .with_untracked(|w| w.stop)
            .filter(|&s| steps >= s)
        {
            self.message.set(Some(format!(
                "Training stops at step {stop}: raise “Stop at step” or clear it to train on."
            )));
            return;
        }
        self.message.set(self.notice());
        self.frames.update_value(Meter::clear);
        self.rate.update_value(Meter::clear);
        self.pacer.update_value(Pacer::restart);
        self.loop_id.update_value(|id| *id += 1);
        self.training.set(true);
    }

    /// What training does while the editor's program does not compile (it trains the
    /// last valid version), in words; None while it compiles.
    pub fn notice(&self) -> Option<String> {
        self.host.source.with_untracked(Source::notice)
    }

    /// Say [`PlaygroundState::notice`], if there is something to say.
    fn say_notice(&self) {
        if let Some(notice) = self.notice() {
            self.message.set(Some(notice));
        }
    }

    /// Train one step, then show it.
    pub fn step_once(&self) {
        self.training.set(false);
        self.say_notice();
        jobs::submit(*self, Job::Step);
    }

    /// Back to the program's initial parameters.
    pub fn restart(&self) {
        self.training.set(false);
        jobs::submit(*self, Job::Restart);
    }

    /// Hand the next training step to the app's stepper.
    pub fn step_into(&self) {
        self.training.set(false);
        self.say_notice();
        jobs::submit(*self, Job::StepInto);
    }

    /// Go on training the same model on `choice`.
    pub fn choose(&self, choice: BackendChoice) {
        if self.choice.get_untracked() != choice {
            self.choice.set(choice);
            jobs::submit(*self, Job::Switch(choice));
        }
    }

    /// The form wrote `text`: follow it here at once, and have the app's editor take it.
    pub fn replace_program(&self, text: &str) {
        let changed = self.host.source.try_maybe_update(|s| {
            let changed = s.set(text);
            (changed, changed)
        });
        if changed == Some(true) {
            jobs::submit(*self, Job::Follow);
        }
        self.host.send(&FromPlayground::ReplaceProgram {
            program: text.to_string(),
        });
    }
}
