//! Your own data in the playground: the panel ([`crate::playground::data::own_panel`]'s
//! markup, read back by control names), the plot's clicks and drags (a click adds a
//! point of the chosen class, a drag moves one, shift-click or remove mode removes one),
//! a CSV pasted or uploaded. Every change rewrites the program's own-data comments
//! ([`crate::playground::data::own_edit`]), which the app's editor and link then hold;
//! a run of the same model goes on training on the changed rows.

use super::state::PlaygroundState;
use crate::data::own::{self, OWN, Own};
use crate::data::table::Task;
use crate::playground::boundary::PICTURE;
use crate::playground::data::own_edit::{
    self, Edit, apply, from_picture, header_columns, hit, program_with,
};
use crate::playground::data::own_panel::markup;
use crate::ui::hooks;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// How near a point a press must be to take it (picture units).
const REACH: f64 = 8.0;
/// How far a point must be dragged to move (picture units).
const MOVE: f64 = 2.0;

/// The own data of the program in the editor (None when it has none or it is wrong).
fn current(ps: PlaygroundState) -> Option<Own> {
    ps.host
        .source
        .with_untracked(|s| own::read(s.text()).ok().flatten())
}

/// Whether the program reads own data.
fn reads_own(ps: PlaygroundState) -> bool {
    ps.host.source.with(|s| {
        s.text().contains("# own data:")
            || s.graph().is_some_and(|g| {
                g.inputs()
                    .any(|id| g.node(id).role.data().is_some_and(|d| d.dataset == OWN))
            })
    })
}

/// Change the own data by `edit` and the program with it; an error is shown in the panel.
pub fn edit(ps: PlaygroundState, edit: Edit) {
    let (text, graph) = ps
        .host
        .source
        .with_untracked(|s| (s.text().to_owned(), s.graph().cloned()));
    match apply(current(ps), &edit) {
        Ok(own) => {
            ps.own.panel.update(|p| p.error = None);
            let program = program_with(&text, graph.as_ref(), &own);
            if program != text {
                ps.replace_program(&program);
            } else if own::noted_left_out().is_some() {
                // The rows a link left out, loaded again: the same text now has them.
                ps.host
                    .source
                    .update(crate::playground::source::Source::reload);
                super::jobs::submit(ps, super::state::Job::Follow);
            }
        }
        Err(error) => ps.own.panel.update(|p| p.error = Some(error)),
    }
}

/// Where a pointer event is on the boundary picture, in picture units.
fn picture_position(ev: &web_sys::PointerEvent) -> Option<(f64, f64)> {
    let svg = ev.current_target()?.dyn_into::<web_sys::Element>().ok()?;
    let rect = svg.get_bounding_client_rect();
    if rect.width() <= 0.0 || rect.height() <= 0.0 {
        return None;
    }
    Some((
        (f64::from(ev.client_x()) - rect.left()) / rect.width() * PICTURE,
        (f64::from(ev.client_y()) - rect.top()) / rect.height() * PICTURE,
    ))
}

/// A press on the plot: remove (shift or remove mode), start a drag, or add a point.
pub fn pointer_down(ps: PlaygroundState, ev: web_sys::PointerEvent) {
    let Some(own) = current(ps).filter(own_edit::is_plane) else {
        return;
    };
    let (Some(at), Some(grid)) = (
        picture_position(&ev),
        ps.scatter.with_untracked(|s| s.as_ref().map(|s| s.grid)),
    ) else {
        return;
    };
    ev.prevent_default();
    let points = own_edit::points(&own).map(|d| d.points).unwrap_or_default();
    let near = hit(&points, &grid, PICTURE, at, REACH);
    let removing = ev.shift_key() || ps.own.panel.with_untracked(|p| p.remove);
    match (near, removing) {
        (Some(row), true) => edit(ps, Edit::Remove { row }),
        (None, true) => {}
        (Some(row), false) => {
            ps.own.drag.set_value(Some((row, at)));
            if let Some(target) = ev
                .current_target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            {
                let _ = target.set_pointer_capture(ev.pointer_id());
            }
        }
        (None, false) => {
            let class = ps.own.panel.with_untracked(|p| p.class);
            edit(
                ps,
                Edit::Add {
                    at: from_picture(&grid, at.0, at.1, PICTURE),
                    class,
                },
            );
        }
    }
}

/// The end of a drag: the point moves where it was let go.
pub fn pointer_up(ps: PlaygroundState, ev: web_sys::PointerEvent) {
    let Some((row, from)) = ps.own.drag.try_update_value(Option::take).flatten() else {
        return;
    };
    let (Some(at), Some(grid)) = (
        picture_position(&ev),
        ps.scatter.with_untracked(|s| s.as_ref().map(|s| s.grid)),
    ) else {
        return;
    };
    if (at.0 - from.0).hypot(at.1 - from.1) >= MOVE {
        let at = [at.0.clamp(0.0, PICTURE), at.1.clamp(0.0, PICTURE)];
        edit(
            ps,
            Edit::Move {
                row,
                at: from_picture(&grid, at[0], at[1], PICTURE),
            },
        );
    }
}

/// Read an uploaded file's text into the CSV field.
fn upload(ps: PlaygroundState, ev: &web_sys::Event) {
    let Some(input) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
    else {
        return;
    };
    let file = js_sys::Reflect::get(&input, &"files".into())
        .ok()
        .and_then(|files| js_sys::Reflect::get(&files, &0.into()).ok())
        .filter(|file| !file.is_undefined() && !file.is_null());
    let Some(file) = file else {
        return;
    };
    let text = js_sys::Reflect::get(&file, &"text".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .and_then(|f| f.call0(&file).ok())
        .and_then(|p| p.dyn_into::<js_sys::Promise>().ok());
    if let Some(promise) = text {
        leptos::task::spawn_local(async move {
            let text = wasm_bindgen_futures::JsFuture::from(promise).await;
            match text.ok().and_then(|t| t.as_string()) {
                Some(text) => ps.own.panel.update(|p| {
                    p.csv = text;
                    p.label = None;
                    p.error = None;
                }),
                None => ps
                    .own
                    .panel
                    .update(|p| p.error = Some("the file could not be read".into())),
            }
        });
    }
}

fn on_event(ps: PlaygroundState, ev: &web_sys::Event, clicks: bool) {
    let Some(hooks::Control {
        name,
        value,
        checked,
        is_button,
    }) = hooks::control_of(ev)
    else {
        return;
    };
    if is_button != clicks {
        return;
    }
    let panel = ps.own.panel;
    match name.as_str() {
        "own_class" => panel.update(|p| p.class = value.parse().unwrap_or(0)),
        "own_remove" => panel.update(|p| p.remove = checked),
        "own_x" => panel.update(|p| p.x = value),
        "own_y" => panel.update(|p| p.y = value),
        "own_test" => match value.trim().parse::<f64>() {
            Ok(share) => edit(ps, Edit::TestShare(share)),
            Err(_) => panel.update(|p| p.error = Some(format!("`{value}` is not a share"))),
        },
        "own_csv" => panel.update(|p| {
            p.csv = value;
            p.label = None;
        }),
        "own_file" => upload(ps, ev),
        "own_label" => panel.update(|p| p.label = Some(value)),
        "own_task" => panel.update(|p| p.regression = value == "regression"),
        "own_add" => {
            let (x, y, class) = panel.with_untracked(|p| {
                (
                    p.x.trim().parse::<f64>(),
                    p.y.trim().parse::<f64>(),
                    p.class,
                )
            });
            match (x, y) {
                (Ok(x), Ok(y)) => edit(ps, Edit::Add { at: [x, y], class }),
                _ => panel
                    .update(|p| p.error = Some("type the new point's x and y as numbers".into())),
            }
        }
        "own_remove_last" => {
            if let Some(own) = current(ps) {
                edit(
                    ps,
                    Edit::Remove {
                        row: own.table.rows().saturating_sub(1),
                    },
                );
            }
        }
        "own_use" => {
            let (text, label, regression) = panel.with_untracked(|p| {
                let label = p
                    .label
                    .clone()
                    .or_else(|| header_columns(&p.csv).last().cloned());
                (p.csv.clone(), label.unwrap_or_default(), p.regression)
            });
            let task = if regression {
                Task::Regression
            } else {
                Task::Classification
            };
            edit(ps, Edit::Csv { text, label, task });
        }
        _ => {}
    }
}

/// The own-data panel, shown while the program reads own data.
#[component]
pub fn OwnData() -> impl IntoView {
    let ps = PlaygroundState::get();
    let node = NodeRef::<leptos::html::Div>::new();
    hooks::render_markup(node, move || {
        if !reads_own(ps) {
            return String::new();
        }
        let (own, left_out) = ps
            .host
            .source
            .with(|s| (own::read(s.text()).ok().flatten(), own::left_out(s.text())));
        ps.own
            .panel
            .with(|panel| markup(own.as_ref(), panel, &header_columns(&panel.csv), left_out))
    });
    view! {
        <div
            class="own-markup model-form"
            node_ref=node
            hidden=move || !reads_own(ps)
            on:click=move |ev| on_event(ps, &ev, true)
            on:change=move |ev| on_event(ps, &ev, false)
        ></div>
    }
}
