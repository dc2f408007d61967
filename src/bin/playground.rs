//! The training playground as a module the app loads on demand (built for wasm32 by
//! Trunk as `playground.js` + `playground_bg.wasm`, see index.html): `mount` puts the
//! playground into the element the app gives it and returns the handle the app sends its
//! program and theme to; the playground answers through the link it was given.

#[cfg(target_arch = "wasm32")]
mod exports {
    use backprop_viz::ui::playground::{AppLink, Mounted, mount as mount_into};
    use wasm_bindgen::prelude::*;

    /// The mounted playground.
    #[wasm_bindgen]
    pub struct Playground(Mounted);

    #[wasm_bindgen]
    impl Playground {
        /// A message from the app (a `HostUpdate` as JSON); throws when it cannot be read.
        pub fn receive(&self, message: &str) -> Result<(), JsError> {
            self.0
                .receive(message)
                .map_err(|error| JsError::new(&error.to_string()))
        }
    }

    /// Mount the playground into `host`; it answers the app through `to_app` (an object
    /// with `replaceProgram`, `stepInto` and `status`).
    #[wasm_bindgen]
    pub fn mount(host: web_sys::HtmlElement, to_app: AppLink) -> Playground {
        Playground(mount_into(host, to_app))
    }
}

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    println!(
        "playground is the browser app's training playground, loaded on demand by the page: build the site with `make build`."
    );
}
