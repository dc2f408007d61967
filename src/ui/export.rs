//! The export menu (in the app's step controls and in embeds with full controls): the graph
//! at this step as SVG or PNG, the whole derivation as Markdown or LaTeX, the program as a
//! PyTorch script, and the share link. Making and saving a file is an [`Exporter`]'s job:
//! an embed renders and saves in its own module; the app, whose first load should carry
//! neither the renderers nor the saving, hands the view to the embed module, imported the
//! first time it exports ([`module`]), which does both. Nothing leaves the page.

mod files;
mod module;

pub use files::{export as export_file, prefers_dark};

use super::state::AppState;
use crate::export::share_link;
use leptos::prelude::*;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// The app page's address, for share links made inside an embed (which lives on another
/// page); without it the page's own address is used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppAddress(pub String);

/// A saved export's file name, or why there is none.
pub type Saved = Pin<Box<dyn Future<Output = Result<String, String>>>>;

/// Makes the export a menu button names (dark colours or not) and saves it, where the
/// renderers are at hand (an embed). Without one, the menu asks the embed module.
#[derive(Clone)]
pub struct Exporter(pub Arc<dyn Fn(String, bool) -> Saved + Send + Sync>);

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
    let exporter = StoredValue::new(use_context::<Exporter>());
    let status = RwSignal::new(Status::Idle);
    let menu = NodeRef::<leptos::html::Details>::new();
    // The share link is made while the menu is open, not at every step behind it.
    let open = RwSignal::new(false);
    let link = move || {
        if !open.get() {
            return String::new();
        }
        address.with_value(|base| state.session.with(|s| share_link(s, base)))
    };
    // Make and save the export the button `name` stands for, for the view as it is now.
    let save = move |name: String| {
        status.set(Status::Working);
        let dark = menu.get_untracked().is_some_and(|m| files::is_dark(&m));
        let fragment = state.session.with_untracked(|s| s.to_url().to_fragment());
        leptos::task::spawn_local(async move {
            let saved = match exporter.get_value() {
                Some(exporter) => (exporter.0)(name, dark).await,
                None => module::export(&fragment, &name, dark).await,
            };
            status.set(match saved {
                Ok(file) => Status::Done(format!("Saved {file}")),
                Err(why) => Status::Failed(why),
            });
        });
    };
    // One listener for the download buttons (static markup, see DOWNLOADS).
    let download = move |event: leptos::ev::MouseEvent| {
        if let Some(name) = files::action_of(&event) {
            save(name);
        }
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
        <details
            class="export"
            node_ref=menu
            on:toggle=move |_| open.set(menu.get_untracked().is_some_and(|m| m.open()))
        >
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
