//! The playground's controls: the form, the training buttons with the speed, the stop and
//! the backend switch, and the loss chart's scale, drawn from [`crate::playground::panel`]'s markup and read back through one delegated
//! handler per container (each control by its `name`).

use super::state::PlaygroundState;
use crate::playground::chart::Scale;
use crate::playground::form::{read_form, read_training};
use crate::playground::pace::{Speed, parse_stop};
use crate::playground::panel::{self, Action};
use crate::ui::hooks;
use leptos::prelude::*;

/// Carry out what a control asks for.
fn dispatch(ps: PlaygroundState, name: &str, action: Action, invalid: RwSignal<Option<String>>) {
    match action {
        Action::Train => ps.toggle(),
        Action::TrainOneStep => ps.step_once(),
        Action::Restart => ps.restart(),
        Action::StepInto => ps.step_into(),
        Action::Backend(choice) => ps.choose(choice),
        Action::Speed(value) => {
            if let Some(speed) = Speed::parse(&value) {
                ps.set_speed(speed);
            }
        }
        Action::Stop(text) => match parse_stop(&text) {
            Ok(stop) => {
                invalid.set(None);
                ps.set_stop(stop);
            }
            Err(_) => invalid.set(Some(name.to_string())),
        },
        Action::Scale(value) => {
            if let Some(scale) = Scale::parse(&value) {
                ps.scale.set(scale);
            }
        }
        form_action => {
            let edited = ps.host.source.with_untracked(|s| {
                panel::edit(s.text(), s.graph(), &form_action).map(|r| {
                    let unchanged = r.as_deref().is_ok_and(|text| text == s.text());
                    (r, unchanged)
                })
            });
            match edited {
                Some((Ok(text), unchanged)) => {
                    invalid.set(None);
                    if !unchanged {
                        ps.replace_program(&text);
                    }
                }
                Some((Err(()), _)) => invalid.set(Some(name.to_string())),
                None => {}
            }
        }
    }
}

/// Handle an event from inside a markup container.
fn on_event(
    ps: PlaygroundState,
    ev: &web_sys::Event,
    invalid: RwSignal<Option<String>>,
    clicks: bool,
) {
    let Some(hooks::Control {
        name,
        value,
        checked,
        is_button,
    }) = hooks::control_of(ev)
    else {
        return;
    };
    // Buttons act on clicks; fields, boxes and radios when their change is committed.
    if is_button != clicks {
        return;
    }
    if let Some(action) = Action::of(&name, &value, checked) {
        dispatch(ps, &name, action, invalid);
    }
}

/// Training buttons, speed and stop, backend badge and switch.
#[component]
pub fn TrainControls() -> impl IntoView {
    let ps = PlaygroundState::get();
    let invalid = RwSignal::new(None::<String>);
    let node = NodeRef::<leptos::html::Div>::new();
    let markup = move || {
        let (watch, field) = (ps.watch.get(), invalid.get());
        ps.backend.with(|status| {
            panel::controls_markup(
                ps.training.get(),
                ps.choice.get(),
                status,
                &watch,
                field.as_deref(),
            )
        })
    };
    hooks::render_markup(node, markup);
    view! {
        <div
            class="controls-markup"
            node_ref=node
            on:click=move |ev| on_event(ps, &ev, invalid, true)
            on:change=move |ev| on_event(ps, &ev, invalid, false)
        ></div>
    }
}

/// The model and training form.
#[component]
pub fn ModelForm() -> impl IntoView {
    let ps = PlaygroundState::get();
    let invalid = RwSignal::new(None::<String>);
    let node = NodeRef::<leptos::html::Form>::new();
    let markup = move || {
        let field = invalid.get();
        ps.host.source.with(|s| {
            let training = read_training(s.text());
            let form = s
                .graph()
                .map(|g| read_form(g, s.text()).map_err(|e| e.to_string()));
            match form {
                Some(Ok(form)) => panel::form_markup(Ok(&form), &training, field.as_deref()),
                Some(Err(reason)) => panel::form_markup(Err(&reason), &training, field.as_deref()),
                None => String::new(),
            }
        })
    };
    hooks::render_markup(node, markup);
    view! {
        <form
            class="model-form"
            node_ref=node
            on:submit=|ev| ev.prevent_default()
            on:change=move |ev| on_event(ps, &ev, invalid, false)
        ></form>
    }
}

/// The loss chart's scale switch: automatic (saying what it chooses, `auto_log`), linear
/// or log.
#[component]
pub fn ScaleSwitch(#[prop(into)] auto_log: Signal<bool>) -> impl IntoView {
    let ps = PlaygroundState::get();
    let invalid = RwSignal::new(None::<String>);
    let node = NodeRef::<leptos::html::Div>::new();
    hooks::render_markup(node, move || {
        panel::scale_markup(ps.scale.get(), auto_log.get())
    });
    view! {
        <div
            class="scale-markup"
            node_ref=node
            on:change=move |ev| on_event(ps, &ev, invalid, false)
        ></div>
    }
}
