//! Component tests of the browser app, run in headless Chromium by wasm-bindgen-test-runner
//! (`make browser-test`, see .ci/browser-tests.sh). Each test mounts `backprop_viz::ui::App`
//! into a fresh `<div>` and checks the DOM described in tests/e2e/README.md ("The DOM contract
//! the browser tests rely on"). On the host this file compiles to an empty test binary.
#![cfg(target_arch = "wasm32")]

use std::any::Any;

use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Element, Event, EventInit, HtmlElement, HtmlTextAreaElement};

wasm_bindgen_test_configure!(run_in_browser);

/// How long a condition may take to become true after an action.
const TIMEOUT_MS: f64 = 3000.0;

/// Marks the containers the tests mount into, so a test can remove what an earlier,
/// failed test left behind.
const ROOT_ATTRIBUTE: &str = "data-browser-test-root";

/// The nodes of the default example `(x1 + x2) * x1`, in id order.
const DEFAULT_NODES: [&str; 4] = ["x1", "x2", "v3", "v4"];

// ---------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------

/// The app mounted into its own container; dropping it unmounts the app and removes the
/// container.
struct Mounted {
    root: HtmlElement,
    handle: Option<Box<dyn Any>>,
}

impl Drop for Mounted {
    fn drop(&mut self) {
        drop(self.handle.take());
        self.root.remove();
    }
}

fn document() -> web_sys::Document {
    web_sys::window()
        .expect("no window")
        .document()
        .expect("no document")
}

/// Mounts a fresh `App` at the default state: no URL fragment, a new `<div>` in `<body>`.
fn mount_app() -> Mounted {
    let doc = document();
    let leftovers = doc
        .query_selector_all(&format!("[{ROOT_ATTRIBUTE}]"))
        .expect("valid selector");
    for i in 0..leftovers.length() {
        if let Some(node) = leftovers.item(i) {
            node.unchecked_into::<Element>().remove();
        }
    }
    // The app keeps its state in the fragment; start every test without one.
    let window = web_sys::window().expect("no window");
    let location = window.location();
    let path = format!(
        "{}{}",
        location.pathname().unwrap_or_default(),
        location.search().unwrap_or_default()
    );
    window
        .history()
        .expect("no history")
        .replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path))
        .expect("history.replaceState failed");

    let root: HtmlElement = doc
        .create_element("div")
        .expect("create div")
        .unchecked_into();
    root.set_attribute(ROOT_ATTRIBUTE, "")
        .expect("set attribute");
    doc.body()
        .expect("no body")
        .append_child(&root)
        .expect("append container");
    let handle = leptos::mount::mount_to(root.clone(), backprop_viz::ui::App);
    Mounted {
        root,
        handle: Some(Box::new(handle)),
    }
}

/// Resolves after `ms` milliseconds (a macrotask, so pending microtasks and effects ran).
async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        web_sys::window()
            .expect("no window")
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .expect("setTimeout failed");
    });
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .expect("timer promise rejected");
}

/// Polls `probe` until it returns `Ok`, or panics after [`TIMEOUT_MS`] with `what` and the
/// last `Err` it returned.
async fn wait_for<T>(what: &str, mut probe: impl FnMut() -> Result<T, String>) -> T {
    let start = js_sys::Date::now();
    loop {
        match probe() {
            Ok(value) => return value,
            Err(last) if js_sys::Date::now() - start > TIMEOUT_MS => {
                panic!("timed out after {TIMEOUT_MS} ms waiting for {what}; last seen: {last}")
            }
            Err(_) => sleep(10).await,
        }
    }
}

// ---------------------------------------------------------------------------------------
// DOM queries (per the contract)
// ---------------------------------------------------------------------------------------

fn query(root: &Element, selector: &str) -> Result<Element, String> {
    root.query_selector(selector)
        .map_err(|_| format!("invalid selector {selector}"))?
        .ok_or_else(|| format!("no element matches {selector}"))
}

fn query_all(root: &Element, selector: &str) -> Vec<Element> {
    let list = root.query_selector_all(selector).expect("valid selector");
    (0..list.length())
        .filter_map(|i| list.item(i))
        .map(|node| node.unchecked_into())
        .collect()
}

fn text(element: &Element) -> String {
    element
        .text_content()
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// The accessible name of a button as the contract uses it: `aria-label`, else its text.
fn accessible_name(element: &Element) -> String {
    element
        .get_attribute("aria-label")
        .unwrap_or_else(|| text(element))
}

fn button(root: &Element, name: &str) -> Result<HtmlElement, String> {
    let buttons = query_all(root, "button");
    buttons
        .iter()
        .find(|b| accessible_name(b) == name)
        .map(|b| b.clone().unchecked_into())
        .ok_or_else(|| {
            let names: Vec<String> = buttons.iter().map(accessible_name).collect();
            format!("no button named {name:?}; buttons: {names:?}")
        })
}

fn editor(root: &Element) -> Result<HtmlTextAreaElement, String> {
    query(root, r#"textarea[aria-label="Program"]"#).map(|e| e.unchecked_into())
}

fn graph(root: &Element) -> Result<Element, String> {
    query(root, r#"svg[aria-label="Computation graph"]"#)
}

/// A graph node's `data-value`; `None` when the attribute is missing.
fn node_value(root: &Element, name: &str) -> Result<Option<String>, String> {
    let node = query(&graph(root)?, &format!(r#"g[data-node="{name}"]"#))?;
    Ok(node.get_attribute("data-value"))
}

fn node_names(root: &Element) -> Result<Vec<String>, String> {
    Ok(query_all(&graph(root)?, "g[data-node]")
        .iter()
        .filter_map(|g| g.get_attribute("data-node"))
        .collect())
}

/// Every node's value as `name=value`, for assertions and failure messages.
fn values(root: &Element) -> Result<Vec<String>, String> {
    DEFAULT_NODES
        .iter()
        .map(|name| {
            let value = node_value(root, name)?.unwrap_or("<missing>".into());
            Ok(format!("{name}={value}"))
        })
        .collect()
}

fn expect_values(root: &Element, expected: [&str; 4]) -> Result<(), String> {
    let want: Vec<String> = DEFAULT_NODES
        .iter()
        .zip(expected)
        .map(|(name, value)| format!("{name}={value}"))
        .collect();
    let got = values(root)?;
    if got == want {
        Ok(())
    } else {
        Err(format!("values {got:?}, expected {want:?}"))
    }
}

fn set_program(root: &Element, source: &str) -> Result<(), String> {
    let textarea = editor(root)?;
    textarea.set_value(source);
    let init = EventInit::new();
    init.set_bubbles(true);
    let event = Event::new_with_event_init_dict("input", &init).expect("create input event");
    textarea
        .dispatch_event(&event)
        .map_err(|_| "dispatching input failed".to_string())?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------

/// The harness itself: the app mounts and its program editor is in the DOM.
#[wasm_bindgen_test]
async fn harness_mounts_app_with_program_editor() {
    let app = mount_app();
    wait_for("the program editor with a program in it", || {
        let textarea = editor(&app.root)?;
        if textarea.value().trim().is_empty() {
            Err("the editor is empty".into())
        } else {
            Ok(())
        }
    })
    .await;
}

#[wasm_bindgen_test]
async fn default_example_shows_its_nodes_without_values() {
    let app = mount_app();
    let names = wait_for("the graph's nodes", || {
        let names = node_names(&app.root)?;
        let mut sorted = names.clone();
        sorted.sort();
        let mut want = DEFAULT_NODES.map(String::from).to_vec();
        want.sort();
        if sorted == want {
            Ok(names)
        } else {
            Err(format!("nodes {names:?}, expected {DEFAULT_NODES:?}"))
        }
    })
    .await;
    assert_eq!(names.len(), 4);
    expect_values(&app.root, ["", "", "", ""]).expect("no value is known at step 0");
}

#[wasm_bindgen_test]
async fn four_forward_steps_fill_in_the_values() {
    let app = mount_app();
    wait_for("the graph at step 0", || {
        expect_values(&app.root, ["", "", "", ""])
    })
    .await;
    let expected = [
        ["3", "", "", ""],
        ["3", "4", "", ""],
        ["3", "4", "7", ""],
        ["3", "4", "7", "21"],
    ];
    for (step, want) in expected.into_iter().enumerate() {
        wait_for("the \"Step forward\" button", || {
            button(&app.root, "Step forward")
        })
        .await
        .click();
        wait_for(
            &format!("the values after forward step {}", step + 1),
            || expect_values(&app.root, want),
        )
        .await;
    }
}

#[wasm_bindgen_test]
async fn broken_program_marks_the_editor_and_shows_an_alert() {
    let app = mount_app();
    wait_for("the default graph", || {
        expect_values(&app.root, ["", "", "", ""])
    })
    .await;
    set_program(&app.root, "x1 x2").expect("type into the editor");

    wait_for("aria-invalid=\"true\" on the editor", || {
        let invalid = editor(&app.root)?.get_attribute("aria-invalid");
        match invalid.as_deref() {
            Some("true") => Ok(()),
            other => Err(format!("aria-invalid is {other:?}")),
        }
    })
    .await;
    wait_for("a role=alert with the message and the hint", || {
        let alerts: Vec<String> = query_all(&app.root, r#"[role="alert"]"#)
            .iter()
            .map(text)
            .collect();
        alerts
            .iter()
            .find(|t| {
                t.contains("expected an operator before a name")
                    && t.contains("did you mean `x1 * x2`?")
            })
            .map(|_| ())
            .ok_or_else(|| format!("alerts: {alerts:?}"))
    })
    .await;
    let mark = query(&app.root, "mark[data-error-span]").expect("the error span is marked");
    assert_eq!(text(&mark), "x2", "the marked span");
    assert_eq!(
        node_names(&app.root).map(|mut names| {
            names.sort();
            names
        }),
        Ok(vec!["v3".into(), "v4".into(), "x1".into(), "x2".into()]),
        "the last valid graph stays on screen"
    );
}

#[wasm_bindgen_test]
async fn gradient_table_has_a_row_per_input() {
    let app = mount_app();
    let rows = wait_for("the gradient table's rows", || {
        let table = query(&app.root, r#"table[aria-label="Gradients"]"#)?;
        let rows: Vec<String> = query_all(&table, "tr[data-gradient]")
            .iter()
            .filter_map(|tr| tr.get_attribute("data-gradient"))
            .collect();
        if rows.len() == 2 {
            Ok(rows)
        } else {
            Err(format!("rows {rows:?}"))
        }
    })
    .await;
    let mut sorted = rows.clone();
    sorted.sort();
    assert_eq!(sorted, ["x1", "x2"], "one row per input, got {rows:?}");
}
