//! The training playground in the browser, in two parts. [`host`] is in the app's bundle:
//! the card that opens the playground, the element the playground module is mounted into
//! once a program has parameters (loaded on demand, with a loading state, and a failure
//! said), the banner over the stepper after "step into", and the app's end of the
//! messages. The rest is the playground module itself (the `playground` bin): the form,
//! Train / Pause / one step / restart, "step into" a training step, the backend badge and
//! switch (WebGPU, or the CPU), the live loss curve, the data scatter over the model's
//! decision regions, and the step, loss, accuracy, speed and frame time; the training
//! options' state and charts (precision, loss scale, underflows, gradient norms, layer
//! sizes).

pub mod host;

mod commands;
mod data;
mod hooks;
mod jobs;
mod offload;
mod options;
mod own_data;
mod panel;
mod state;
mod trainer;
mod view;

use crate::playground::message::{FromPlayground, HostUpdate, MessageError};
use leptos::prelude::*;
use state::Job;
use state::{Host, PlaygroundState};

pub use state::AppLink;

/// The playground mounted into the app's element, as the module's exports hold it.
#[derive(Clone, Copy)]
pub struct Mounted {
    ps: PlaygroundState,
}

/// Mount the playground into `element` for the rest of the page's life; it answers the
/// app through `to_app`.
pub fn mount(element: web_sys::HtmlElement, to_app: AppLink) -> Mounted {
    // Made outside the view's owner, so nothing disposes it: it lives as long as the page.
    let ps = PlaygroundState::new(Host::new(to_app));
    leptos::mount::mount_to(element, move || {
        provide_context(ps);
        start(ps);
        view! { <view::Playground /> }
    })
    .forget();
    Mounted { ps }
}

impl Mounted {
    /// A message from the app: its program and theme.
    pub fn receive(&self, text: &str) -> Result<(), MessageError> {
        let update = HostUpdate::from_json(text)?;
        let ps = self.ps;
        if ps.host.dark.get_untracked() != update.dark {
            ps.host.dark.set(update.dark);
        }
        let changed = ps.host.source.try_maybe_update(|s| {
            let changed = s.set(&update.program);
            (changed, changed)
        });
        if changed == Some(true) {
            jobs::submit(ps, Job::Follow);
        }
        Ok(())
    }
}

/// The drivers: training frames, the WebGPU probe, the app told when training starts or
/// stops, the boundary's colours following the theme.
fn start(ps: PlaygroundState) {
    jobs::drive_training(ps);
    jobs::probe_webgpu(ps);
    Effect::new(move |_| {
        let training = ps.training.get();
        ps.host.send(&FromPlayground::Status { training });
    });
    Effect::new(move |previous: Option<bool>| {
        let dark = ps.host.dark.get();
        if previous.is_some_and(|p| p != dark) && ps.boundary.get_untracked().is_some() {
            jobs::repaint(ps);
        }
        dark
    });
}
