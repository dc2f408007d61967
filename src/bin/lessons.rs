//! The lesson views as a module the app loads on demand (built for wasm32 by Trunk as
//! `lessons.js` + `lessons_bg.wasm`, see index.html): `mount` puts the lessons into the
//! panel the app gives it and returns the handle the app sends its view to; the lessons
//! answer through the link they were given.

#[cfg(target_arch = "wasm32")]
mod exports {
    use backprop_viz::ui::lessons::{AppLink, Mounted, mount as mount_into};
    use wasm_bindgen::prelude::*;

    /// The mounted lessons.
    #[wasm_bindgen]
    pub struct Lessons(Mounted);

    #[wasm_bindgen]
    impl Lessons {
        /// The app's view changed: its link fragment, theme and highlighted node (-1:
        /// none); throws when the link cannot be read.
        pub fn update(&self, fragment: &str, dark: bool, highlight: i32) -> Result<(), JsError> {
            self.0
                .update(fragment, dark, highlight)
                .map_err(|error| JsError::new(&error))
        }

        /// Show the view named `lesson` (`chain-rule`, `four-ways`, `code`, `quiz`,
        /// `backward-graph`, `memory`).
        pub fn show(&self, lesson: &str) {
            self.0.show(lesson);
        }

        /// The app's graph node `node` was pressed (clicked, or Enter on its box).
        pub fn press(&self, node: u32) {
            self.0.press(node as usize);
        }
    }

    /// Mount the lessons into `host`, showing `lesson`; they answer the app through
    /// `to_app` (an object with `seek`, `open` and `highlight`).
    #[wasm_bindgen]
    pub fn mount(host: web_sys::HtmlElement, to_app: AppLink, lesson: &str) -> Lessons {
        Lessons(mount_into(host, to_app, lesson))
    }
}

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    println!(
        "lessons is the browser app's lesson views, loaded on demand by the page: build the site with `make build`."
    );
}
