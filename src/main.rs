//! Entry point of the browser app: mounts the UI and nothing else.

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(backprop_viz::ui::App);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    println!(
        "backprop-viz is the browser app: run `make serve` (dev server) or `make build` (static site in dist/); the command-line tool is `backprop`."
    );
}
