//! The export menu (in the app's step controls and in embeds with full controls): the graph
//! at this step as SVG or PNG, the whole derivation as Markdown or LaTeX, the program as a
//! PyTorch script, and the share link. The texts come from [`crate::export`]: an embed
//! renders them in its own module ([`Renderer`]); the app, whose first load should not
//! carry the renderers, loads the embed module the first time it exports ([`module`]).
//! Saving them (Blob URLs, a canvas for the PNG, the clipboard) is in [`files`]. Nothing
//! leaves the page.

mod files;
mod module;

pub use files::prefers_dark;

use super::state::AppState;
use crate::export::{Format, share_link};
use leptos::prelude::*;
use std::sync::Arc;

/// The app page's address, for share links made inside an embed (which lives on another
/// page); without it the page's own address is used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppAddress(pub String);

/// Renders an export's text (dark colours or not) where the renderers are at hand.
#[derive(Clone)]
pub struct Renderer(pub Arc<dyn Fn(Format, bool) -> Result<String, String> + Send + Sync>);

const PNG_FILE: &str = "backprop-graph.png";

/// The download buttons as fixed markup (no data in it): far less code in the app's
/// bundle than one typed element and handler each. `data-export` names the format.
const DOWNLOADS: &str = concat!(
    r#"<button type="button" data-export="svg">Download SVG</button>"#,
    r#"<button type="button" data-export="png">Download PNG</button>"#,
    r#"<button type="button" data-export="markdown">Download Markdown</button>"#,
    r#"<button type="button" data-export="latex">Download LaTeX</button>"#,
    r#"<button type="button" data-export="pytorch">Download PyTorch script</button>"#,
);

/// What the menu says after an action.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Status {
    Idle,
    Working,
    Done(String),
    Failed(String),
}

#[component]
pub fn ExportMenu() -> impl IntoView {
    let state = AppState::get();
    let address = use_context::<AppAddress>().map_or_else(files::page_address, |a| a.0);
    let address = StoredValue::new(address);
    let renderer = StoredValue::new(use_context::<Renderer>());
    let status = RwSignal::new(Status::Idle);
    let menu = NodeRef::<leptos::html::Details>::new();
    let link = move || address.with_value(|base| state.session.with(|s| share_link(s, base)));
    // The text of `format` for the view as it is now.
    let render = move |format: Format| {
        let dark = menu.get_untracked().is_some_and(|m| files::is_dark(&m));
        let fragment = state.session.with_untracked(|s| s.to_url().to_fragment());
        async move {
            match renderer.get_value() {
                Some(renderer) => (renderer.0)(format, dark),
                None => module::render(&fragment, format, dark).await,
            }
            .map_err(|why| format!("Nothing to export: {why}"))
        }
    };
    let save = move |format: Format| {
        status.set(Status::Working);
        let text = render(format);
        leptos::task::spawn_local(async move {
            let saved = match text.await {
                Ok(text) => files::download(format.file_name(), format.mime_type(), &text),
                Err(why) => Err(why),
            };
            status.set(match saved {
                Ok(()) => Status::Done(format!("Saved {}", format.file_name())),
                Err(why) => Status::Failed(why),
            });
        });
    };
    let save_png = move || {
        status.set(Status::Working);
        let svg = render(Format::Svg);
        leptos::task::spawn_local(async move {
            let saved = match svg.await {
                Ok(svg) => files::download_png(&svg, PNG_FILE).await,
                Err(why) => Err(why),
            };
            status.set(match saved {
                Ok(()) => Status::Done(format!("Saved {PNG_FILE}")),
                Err(why) => Status::Failed(why),
            });
        });
    };
    // One listener for the download buttons (static markup, see DOWNLOADS).
    let download = move |event: leptos::ev::MouseEvent| match files::action_of(&event).as_deref() {
        Some("png") => save_png(),
        Some(name) => {
            if let Ok(format) = Format::from_name(name) {
                save(format);
            }
        }
        None => {}
    };
    let copy = move |_| {
        let text = link();
        leptos::task::spawn_local(async move {
            status.set(if files::copy_text(&text).await {
                Status::Done("Link copied".into())
            } else {
                Status::Failed("Copy failed: select the link above and copy it".into())
            });
        });
    };
    let message = move || match status.get() {
        Status::Idle => String::new(),
        Status::Working => "Preparing…".into(),
        Status::Done(text) | Status::Failed(text) => text,
    };
    view! {
        <details class="export" node_ref=menu>
            <summary>"Export"</summary>
            <div class="export-menu" role="group" aria-label="Export">
                <div class="export-downloads" inner_html=DOWNLOADS on:click=download></div>
                <label class="share">
                    <span>"Share link"</span>
                    <input
                        type="url"
                        readonly
                        aria-label="Share link"
                        prop:value=link
                        on:focus=|ev| files::select_all(&ev)
                    />
                </label>
                <button on:click=copy>"Copy share link"</button>
                <p
                    class="export-status"
                    class:failed=move || matches!(status.get(), Status::Failed(_))
                    role="status"
                >
                    {message}
                </p>
            </div>
        </details>
    }
}
