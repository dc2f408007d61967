//! The app's side of the playground, in the app's bundle: the card that opens it, the
//! element the playground module is loaded into on demand (the first time a program has
//! parameters; meanwhile it says it is loading, and if loading fails it says why and
//! offers another try), the messages to and from the module, and the banner over the step
//! controls after "step into a training step" (the session keeps what the step is, so a
//! link to it shows the banner too).

use super::super::hooks;
use super::super::module_status::module_status;
use super::super::state::AppState;
use crate::playground::form::{Form, write_program};
use crate::playground::loading::{ModuleLoad, Wording};
use crate::playground::message::{FromPlayground, HostUpdate, load_step, unpack};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(inline_js = "
export function app_link(replaceProgram, stepInto, status) {
  return { replaceProgram, stepInto, status };
}
export async function load_playground(host, link, attempt) {
  const url = new URL('playground.js', document.baseURI);
  if (attempt > 1) url.searchParams.set('attempt', String(attempt));
  const module = await import(url.href);
  await module.default();
  return module.mount(host, link);
}")]
extern "C" {
    /// The mounted playground module (its `Playground` export).
    type PlaygroundModule;

    /// The object the module answers through: one typed call per kind of
    /// [`FromPlayground`] (the module's `AppLink`).
    fn app_link(replace_program: &JsValue, step_into: &JsValue, status: &JsValue) -> JsValue;

    /// Import `playground.js` next to the page, start it and mount it into `host`;
    /// it answers through `link`.
    #[wasm_bindgen(catch)]
    async fn load_playground(
        host: &web_sys::HtmlElement,
        link: &JsValue,
        attempt: u32,
    ) -> Result<JsValue, JsValue>;

    /// Hand the module a [`HostUpdate`] as JSON.
    #[wasm_bindgen(method, catch)]
    fn receive(this: &PlaygroundModule, message: &str) -> Result<(), JsValue>;
}

/// How the host speaks of the module.
const WHAT: &Wording = &Wording {
    loading: "Loading the training playground…",
    failed: "The training playground could not be loaded",
};

/// The app's state of the playground.
#[derive(Clone, Copy)]
pub struct HostState {
    load: RwSignal<ModuleLoad>,
    attempts: StoredValue<u32>,
    module: StoredValue<Option<PlaygroundModule>, LocalStorage>,
}

impl HostState {
    /// Move the loading state on by `step`; whether to start loading now.
    fn advance(&self, step: fn(&mut ModuleLoad) -> bool) -> bool {
        self.load.try_maybe_update(|load| {
            let start = step(load);
            (start, start)
        }) == Some(true)
    }
}

/// Whether the program has parameters to train.
fn trainable(app: AppState) -> bool {
    app.session
        .with(|s| s.graph().is_some_and(|g| g.params().next().is_some()))
}

/// The playground's host state, which keeps the module told of the program and the theme
/// once it is there.
pub fn start(app: AppState) -> HostState {
    let host = HostState {
        load: RwSignal::new(ModuleLoad::Idle),
        attempts: StoredValue::new(0),
        module: StoredValue::new_local(None),
    };
    // A memo, so stepping (which changes the session) sends nothing.
    let program = Memo::new(move |_| app.session.with(|s| s.source().to_string()));
    Effect::new(move |_| {
        let update = HostUpdate {
            program: program.get(),
            dark: app.dark.get(),
        };
        if host.load.with(|load| *load == ModuleLoad::Ready) {
            send(host, &update);
        }
    });
    host
}

fn send(host: HostState, update: &HostUpdate) {
    let text = update.to_json();
    host.module.with_value(|module| {
        if let Some(module) = module
            && let Err(error) = module.receive(&text)
        {
            leptos::logging::error!(
                "the playground refused the program: {}",
                hooks::error_text(&error)
            );
        }
    });
}

/// Carry out a message from the module.
fn on_message(app: AppState, message: FromPlayground) {
    match message {
        FromPlayground::ReplaceProgram { program } => app.replace_program(&program),
        FromPlayground::StepInto {
            program,
            inputs,
            description,
        } => {
            app.playing.set(false);
            let loaded = app
                .session
                .try_update(|s| load_step(s, &program, inputs, &description))
                .unwrap_or(false);
            if loaded {
                hooks::scroll_to_steps();
            }
        }
        FromPlayground::Status { training } => {
            if training {
                app.playing.set(false);
            }
        }
    }
}

/// The link the module answers through: each call becomes a [`FromPlayground`].
fn link(app: AppState) -> JsValue {
    let replace = Closure::<dyn Fn(String)>::new(move |program| {
        on_message(app, FromPlayground::ReplaceProgram { program });
    });
    let step_into = Closure::<dyn Fn(String, String, Vec<u32>, Vec<f64>)>::new(
        move |program, description, shapes: Vec<u32>, data: Vec<f64>| match unpack(&shapes, &data) {
            Ok(inputs) => on_message(
                app,
                FromPlayground::StepInto {
                    program,
                    inputs,
                    description,
                },
            ),
            Err(error) => leptos::logging::error!("{error}"),
        },
    );
    let status = Closure::<dyn Fn(bool)>::new(move |training| {
        on_message(app, FromPlayground::Status { training });
    });
    app_link(
        &replace.into_js_value(),
        &step_into.into_js_value(),
        &status.into_js_value(),
    )
}

/// Load the module and mount it into `element`.
fn load(app: AppState, host: HostState, element: web_sys::HtmlElement) {
    host.attempts.update_value(|n| *n += 1);
    let attempt = host.attempts.get_value();
    let link = link(app);
    leptos::task::spawn_local(async move {
        let result = load_playground(&element, &link, attempt).await;
        let result = match result {
            Ok(module) => {
                host.module.set_value(Some(module.unchecked_into()));
                Ok(())
            }
            Err(error) => Err(hooks::error_text(&error)),
        };
        host.load.update(|load| load.finish(result));
    });
}

/// The card that opens the playground from any program.
#[component]
pub fn OpenPlayground() -> impl IntoView {
    let app = AppState::get();
    view! {
        <section class="open-playground" hidden=move || trainable(app)>
            <h2 class="panel-title">"Training playground"</h2>
            <p class="muted small">"Train a small network on a 2-D dataset, watch the loss fall and the decision regions form, then step into any training step."</p>
            <button on:click=move |_| app.replace_program(&write_program(&Form::default()))>
                "Open the training playground"
            </button>
        </section>
    }
}

/// Where the playground module is mounted, loaded the first time a program has
/// parameters; hidden while the program has none.
#[component]
pub fn PlaygroundHost(host: HostState) -> impl IntoView {
    let app = AppState::get();
    let shown = Memo::new(move |_| trainable(app));
    let mount_point = NodeRef::<leptos::html::Div>::new();
    let start = move || {
        if let Some(element) = mount_point.get_untracked() {
            load(app, host, element.into());
        }
    };
    Effect::new(move |_| {
        if shown.get() && mount_point.get().is_some() && host.advance(ModuleLoad::want) {
            start();
        }
    });
    let retry = move || {
        if host.advance(ModuleLoad::retry) {
            start();
        }
    };
    view! {
        <div
            class="playground-host"
            hidden=move || !shown.get()
            data-playground=move || host.load.with(ModuleLoad::name)
        >
            {module_status(host.load, WHAT, "playground-status", retry)}
            <div class="playground-mount" node_ref=mount_point></div>
        </div>
    }
}

/// Which training step the stepper walks, while it does (after "step into", or opened
/// from a link to one).
#[component]
pub fn SteppingBanner() -> impl IntoView {
    let app = AppState::get();
    let text = Memo::new(move |_| app.session.with(|s| s.about().map(str::to_string)));
    let text = move || text.get();
    view! {
        {move || text().map(|t| view! {
            <p class="stepping-banner" role="status" data-stepping-into="">
                "Stepping through " {t} "."
            </p>
        })}
    }
}
