//! The playground's real datasets in the page: a shipped dataset's files fetched on
//! demand (`data/…` beside the page; gzipped ones decompressed by the browser's
//! `DecompressionStream`), read into a table and provided to the data layer before a
//! run of a program over it is built; and, after training, the classifier on the
//! held-out rows (for own data with its misclassified rows, by the classes' names), or a regression's fitted curve or surface, as markup
//! ([`crate::playground::data::pictures`], [`crate::playground::data::surface`]).

use super::hooks;
use super::state::{CHUNK_MS, GRID};
use crate::data::provided;
use crate::data::shipped::Shipped;
use crate::graph::Graph;
use crate::playground::backend::BackendChoice;
use crate::playground::backend::TrainingBackend;
use crate::playground::boundary::{Grid, PICTURE};
use crate::playground::data::mistaken_rows;
use crate::playground::data::pictures::{
    confusion, confusion_markup, mistakes, mistakes_markup, weights_markup,
};
use crate::playground::data::surface::surface_markup;
use crate::playground::data::{file_urls, shipped_of};
use crate::playground::run::Run;
use crate::train::TrainError;
use crate::ui::hooks::now_ms;
use js_sys::{Array, Function, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// The name of the shipped dataset `graph` reads, when its files are still to be fetched.
pub fn to_load(graph: &Graph) -> Option<&'static str> {
    shipped_of(graph)
        .map(|s| s.name)
        .filter(|name| !provided::has(name))
}

/// Make sure the shipped dataset `graph` reads (if any) is provided: fetch, decompress
/// and read its files the first time. `Err` says in words what failed.
pub async fn ensure_loaded(graph: &Graph) -> Result<(), String> {
    let Some(shipped) = shipped_of(graph) else {
        return Ok(());
    };
    if provided::has(shipped.name) {
        return Ok(());
    }
    let table = fetch_table(shipped).await?;
    provided::provide(shipped.name, table);
    Ok(())
}

async fn fetch_table(shipped: &Shipped) -> Result<crate::data::table::Table, String> {
    let mut texts = Vec::new();
    for (url, gzipped) in file_urls(shipped) {
        let text = fetch_text(&url, gzipped).await.map_err(|why| {
            format!(
                "The `{}` dataset could not be loaded from {url}: {why}",
                shipped.name
            )
        })?;
        texts.push(text);
    }
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    shipped.parse(&texts).map_err(|error| {
        format!(
            "The `{}` dataset's files are damaged: {error}",
            shipped.name
        )
    })
}

fn js_error(value: JsValue) -> String {
    value
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| value.as_string())
        .unwrap_or_else(|| "the browser refused".into())
}

/// The text at `url` (relative to the page), gunzipped when `gzipped`.
async fn fetch_text(url: &str, gzipped: bool) -> Result<String, String> {
    let window = web_sys::window().ok_or("no window")?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(js_error)?
        .dyn_into()
        .map_err(js_error)?;
    if !response.ok() {
        return Err(format!("HTTP {}", response.status()));
    }
    let response = if gzipped {
        let body = response.body().ok_or("an empty response")?;
        let constructor: Function = Reflect::get(&js_sys::global(), &"DecompressionStream".into())
            .map_err(js_error)?
            .dyn_into()
            .map_err(|_| "this browser cannot decompress gzip (no DecompressionStream)")?;
        let gunzip =
            Reflect::construct(&constructor, &Array::of1(&"gzip".into())).map_err(js_error)?;
        let pipe: Function = Reflect::get(&body, &"pipeThrough".into())
            .map_err(js_error)?
            .dyn_into()
            .map_err(|_| "streams cannot be piped here")?;
        let stream: web_sys::ReadableStream = pipe
            .call1(&body, &gunzip)
            .map_err(js_error)?
            .dyn_into()
            .map_err(js_error)?;
        web_sys::Response::new_with_opt_readable_stream(Some(&stream)).map_err(js_error)?
    } else {
        response
    };
    JsFuture::from(response.text().map_err(js_error)?)
        .await
        .map_err(js_error)?
        .as_string()
        .ok_or_else(|| "not text".into())
}

/// The test accuracy and the pictures of the run's classifier on its held-out rows:
/// the confusion matrix and, for the digits, the misclassified images and the first
/// layer's weights. None when the program has no classifier over a shipped dataset.
pub async fn report(
    run: &mut Run<TrainingBackend>,
) -> Result<Option<(Option<f64>, String)>, TrainError> {
    let Some(spec) = run.data_spec().cloned() else {
        return Ok(None);
    };
    if spec.dataset == crate::data::own::OWN {
        return own_report(run).await;
    }
    let Some(shipped) = crate::data::shipped::find(&spec.dataset) else {
        return Ok(None);
    };
    let Some(predictions) = run.test_predictions().await? else {
        return Ok(None);
    };
    let classes = shipped.class_counts.len();
    let names: Vec<String> = match provided::get(shipped.name) {
        Some(table) => table.class_names.clone(),
        None => (0..classes).map(|k| k.to_string()).collect(),
    };
    let counts = confusion(&predictions.predicted, &predictions.labels, classes);
    let correct = (0..classes).map(|k| counts[k][k]).sum::<usize>();
    let total = predictions.labels.len();
    let accuracy = (total > 0).then(|| correct as f64 / total as f64);
    let mut markup = confusion_markup(&counts, &names);
    if shipped.name == "digits" {
        if let Ok(Some(raw)) = spec.raw_test() {
            let found = mistakes(&predictions.predicted, &predictions.labels);
            markup.push_str(&mistakes_markup(&found, &raw.features, total));
        }
        if let Some(weights) = run.first_weights().await?
            && let [64, units] = weights.shape()
        {
            markup.push_str(&weights_markup(weights.data(), *units));
        }
    }
    Ok(Some((accuracy, markup)))
}

/// Own data: a classifier's confusion matrix on the held-out rows, or a regression's
/// held-out mean squared error with its fitted curve (one feature) or surface (two).
async fn own_report(
    run: &mut Run<TrainingBackend>,
) -> Result<Option<(Option<f64>, String)>, TrainError> {
    let Some(table) = provided::get(crate::data::own::OWN) else {
        return Ok(None);
    };
    if table.classes() > 0 {
        let Some(predictions) = run.test_predictions().await? else {
            return Ok(None);
        };
        let counts = confusion(&predictions.predicted, &predictions.labels, table.classes());
        let correct = (0..table.classes()).map(|k| counts[k][k]).sum::<usize>();
        let total = predictions.labels.len();
        let accuracy = (total > 0).then(|| correct as f64 / total as f64);
        let mut markup = confusion_markup(&counts, &table.class_names);
        if let Some(Ok(split)) = run.data_spec().map(|spec| spec.load()) {
            let found = mistakes(&predictions.predicted, &predictions.labels);
            markup.push_str(&mistaken_rows::markup(&found, &split.test, total));
        }
        return Ok(Some((accuracy, markup)));
    }
    let mse = run.test_mse().await?;
    let note = format!(
        "<p class=\"fit-note\" data-test-mse=\"{}\">Mean squared error on the held-out rows: {}</p>",
        mse.map(|m| m.to_string()).unwrap_or_default(),
        mse.map(crate::number::format_number)
            .unwrap_or_else(|| "—".into())
    );
    if table.width() == 2 {
        return Ok(Some((None, surface_report(run, &table, note).await?)));
    }
    if table.width() != 1 {
        return Ok(Some((None, note)));
    }
    let xs: Vec<f64> = table.features.clone();
    let (lo, hi) = xs
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
            (a.min(x), b.max(x))
        });
    let grid: Vec<Vec<f64>> = (0..=80)
        .map(|i| vec![lo + (hi - lo) * i as f64 / 80.0])
        .collect();
    let Some(values) = run.predict_values(&grid).await? else {
        return Ok(Some((None, note)));
    };
    let curve: Vec<(f64, f64)> = grid.iter().map(|r| r[0]).zip(values).collect();
    let points: Vec<(f64, f64)> = xs
        .iter()
        .copied()
        .zip(table.targets.iter().copied())
        .collect();
    let mut markup = crate::playground::data::pictures::fit_markup(
        &points,
        &curve,
        crate::playground::boundary::PICTURE,
    );
    markup.push_str(&note);
    Ok(Some((None, markup)))
}

/// A regression of two features: the model's predictions on the decision boundary's
/// grid (a few forward passes at a time, the page getting a frame every [`CHUNK_MS`] on
/// the CPU, as for the boundary) drawn as its fitted surface under the rows, then `note`.
async fn surface_report(
    run: &mut Run<TrainingBackend>,
    table: &crate::data::table::Table,
    note: String,
) -> Result<String, TrainError> {
    let points: Vec<[f64; 2]> = table.features.chunks(2).map(|r| [r[0], r[1]]).collect();
    let grid = Grid::around(&points, GRID);
    let rows: Vec<Vec<f64>> = grid.points().iter().map(|p| p.to_vec()).collect();
    let part = run.data_spec().map_or(64, |s| s.batch.max(1)) * 4;
    let mut values = Vec::with_capacity(rows.len());
    let mut since = now_ms();
    for chunk in rows.chunks(part) {
        let Some(predicted) = run.predict_values(chunk).await? else {
            return Ok(note);
        };
        values.extend(predicted);
        if run.backend().kind() == BackendChoice::Cpu && now_ms() - since >= CHUNK_MS {
            hooks::next_frame().await;
            since = now_ms();
        }
    }
    let mut markup = surface_markup(&grid, &values, &points, &table.targets, PICTURE);
    markup.push_str(&note);
    Ok(markup)
}
