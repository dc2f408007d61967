//! Saving exports in the browser without a request: text as a Blob URL the browser
//! downloads, the SVG drawn on a canvas for the PNG, the share link on the clipboard; and
//! which colours the page shows (for the picture's palette).

use crate::export::Format;
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Blob, BlobPropertyBag, CanvasRenderingContext2d, Element, HtmlAnchorElement, HtmlCanvasElement,
    HtmlImageElement, HtmlInputElement, Url,
};

/// How long a download's Blob URL stays valid (the browser has started by then).
const KEEP_URL: std::time::Duration = std::time::Duration::from_secs(30);
/// The PNG is drawn at twice the SVG's size, within what canvases allow everywhere.
const PNG_SCALE: f64 = 2.0;
const MAX_SIDE: f64 = 16_384.0;
const MAX_PIXELS: f64 = 64.0e6;
const PNG_FILE: &str = "backprop-graph.png";

fn reason(error: JsValue) -> String {
    js_sys::Reflect::get(&error, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "the browser refused".into())
}

/// The page's address without its fragment.
pub fn page_address() -> String {
    let href = window().location().href().unwrap_or_default();
    href.split('#').next().unwrap_or_default().to_string()
}

/// Whether `element` shows the dark theme: its nearest `data-theme`, else the system's.
pub fn is_dark(element: &Element) -> bool {
    let theme = element
        .closest("[data-theme]")
        .ok()
        .flatten()
        .and_then(|e| e.get_attribute("data-theme"));
    match theme.as_deref() {
        Some("dark") => true,
        Some("light") => false,
        _ => prefers_dark(),
    }
}

/// Whether the reader's system asks for dark colours.
pub fn prefers_dark() -> bool {
    window()
        .match_media("(prefers-color-scheme: dark)")
        .ok()
        .flatten()
        .is_some_and(|m| m.matches())
}

fn text_blob(text: &str, mime: &str) -> Result<Blob, String> {
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    Blob::new_with_str_sequence_and_options(&parts, &options).map_err(reason)
}

/// Let the browser save `blob` as `name`.
fn save(blob: &Blob, name: &str) -> Result<(), String> {
    let url = Url::create_object_url_with_blob(blob).map_err(reason)?;
    let link: HtmlAnchorElement = document()
        .create_element("a")
        .map_err(reason)?
        .unchecked_into();
    link.set_href(&url);
    link.set_download(name);
    link.click();
    set_timeout(
        move || {
            let _ = Url::revoke_object_url(&url);
        },
        KEEP_URL,
    );
    Ok(())
}

/// Make and save the export a menu button names (`svg`, `png`, `markdown`, `latex`,
/// `pytorch`), its texts from `render`; the saved file's name. The PNG is the SVG drawn
/// on a canvas.
pub async fn export(
    name: &str,
    render: impl Fn(Format) -> Result<String, String>,
) -> Result<&'static str, String> {
    let render = |format| render(format).map_err(|why| format!("Nothing to export: {why}"));
    if name == "png" {
        let svg = render(Format::Svg)?;
        download_png(&svg, PNG_FILE).await?;
        return Ok(PNG_FILE);
    }
    let format = Format::from_name(name).map_err(|e| e.to_string())?;
    download(format.file_name(), format.mime_type(), &render(format)?)?;
    Ok(format.file_name())
}

/// Save `text` as the file `name`.
fn download(name: &str, mime: &str, text: &str) -> Result<(), String> {
    save(&text_blob(text, mime)?, name)
}

/// Draw `svg` on a canvas and save it as the PNG file `name`.
async fn download_png(svg: &str, name: &str) -> Result<(), String> {
    let source =
        Url::create_object_url_with_blob(&text_blob(svg, "image/svg+xml")?).map_err(reason)?;
    let drawn = draw(&source).await;
    let _ = Url::revoke_object_url(&source);
    let canvas = drawn?;
    let blob = JsFuture::from(js_sys::Promise::new(&mut |resolve, reject| {
        if let Err(error) = canvas.to_blob_with_type(&resolve, "image/png") {
            let _ = reject.call1(&JsValue::NULL, &error);
        }
    }))
    .await
    .map_err(reason)?;
    let blob: Blob = blob
        .dyn_into()
        .map_err(|_| "the browser could not encode the PNG".to_string())?;
    save(&blob, name)
}

async fn draw(source: &str) -> Result<HtmlCanvasElement, String> {
    let image = HtmlImageElement::new().map_err(reason)?;
    image.set_src(source);
    JsFuture::from(image.decode()).await.map_err(reason)?;
    let (width, height) = (
        f64::from(image.natural_width().max(1)),
        f64::from(image.natural_height().max(1)),
    );
    let scale = PNG_SCALE
        .min(MAX_SIDE / width.max(height))
        .min((MAX_PIXELS / (width * height)).sqrt());
    let canvas: HtmlCanvasElement = document()
        .create_element("canvas")
        .map_err(reason)?
        .unchecked_into();
    canvas.set_width((width * scale).round().max(1.0) as u32);
    canvas.set_height((height * scale).round().max(1.0) as u32);
    let context: CanvasRenderingContext2d = canvas
        .get_context("2d")
        .map_err(reason)?
        .ok_or("the browser has no 2D canvas")?
        .unchecked_into();
    context.scale(scale, scale).map_err(reason)?;
    context
        .draw_image_with_html_image_element(&image, 0.0, 0.0)
        .map_err(reason)?;
    Ok(canvas)
}

/// Put `text` on the clipboard; whether it worked.
pub async fn copy_text(text: &str) -> bool {
    let promise = window().navigator().clipboard().write_text(text);
    JsFuture::from(promise).await.is_ok()
}

/// The `data-export` of the button a click came from, if any.
pub fn action_of(event: &web_sys::MouseEvent) -> Option<String> {
    event
        .target()?
        .dyn_into::<Element>()
        .ok()?
        .closest("[data-export]")
        .ok()??
        .get_attribute("data-export")
}

/// Select the whole text of the input an event came from (the share link, to copy it).
pub fn select_all(event: &web_sys::FocusEvent) {
    if let Some(input) = event
        .target()
        .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
    {
        input.select();
    }
}
