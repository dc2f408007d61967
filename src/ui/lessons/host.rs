//! The app's side of the lessons, in the app's bundle: the tabs under the graph, the panel
//! the lessons module is loaded into the first time a tab is opened (meanwhile it says it is
//! loading; if loading fails it says why and offers another try), and the messages: while a
//! view is open the module gets the app's link, theme and highlighted node at every change,
//! and asks the app, through the link object, to seek a step, open a link, highlight a
//! node, set an input's value or move the quiz on. A link with a quiz opens its tab.

use super::super::hooks;
use super::super::module_status::module_status;
use super::super::state::AppState;
use crate::lessons::Lesson;
use crate::playground::loading::{ModuleLoad, Wording};
use crate::url_state::QuizScore;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(inline_js = "
export function app_link(seek, open, highlight, setInput, quiz) {
  return { seek, open, highlight, setInput, quiz };
}
export async function load_lessons(host, link, lesson, attempt) {
  if (!document.querySelector('link[data-lessons-css]')) {
    const css = document.createElement('link');
    css.rel = 'stylesheet';
    css.href = new URL('lessons.css', document.baseURI).href;
    css.dataset.lessonsCss = '';
    document.head.append(css);
  }
  const url = new URL('lessons.js', document.baseURI);
  if (attempt > 1) url.searchParams.set('attempt', String(attempt));
  const module = await import(url.href);
  await module.default();
  return module.mount(host, link, lesson);
}")]
extern "C" {
    /// The mounted lessons module (its `Lessons` export).
    type LessonsModule;

    fn app_link(
        seek: &JsValue,
        open: &JsValue,
        highlight: &JsValue,
        set_input: &JsValue,
        quiz: &JsValue,
    ) -> JsValue;

    /// Link `lessons.css` (the views' styles, once), import `lessons.js` next to the
    /// page, start it and mount it into `host` showing
    /// `lesson`; it answers through `link`.
    #[wasm_bindgen(catch)]
    async fn load_lessons(
        host: &web_sys::HtmlElement,
        link: &JsValue,
        lesson: &str,
        attempt: u32,
    ) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(method, catch)]
    fn update(
        this: &LessonsModule,
        fragment: &str,
        dark: bool,
        highlight: i32,
    ) -> Result<(), JsValue>;

    #[wasm_bindgen(method)]
    fn show(this: &LessonsModule, lesson: &str);

    #[wasm_bindgen(method)]
    fn press(this: &LessonsModule, node: u32);
}

/// How the host speaks of the module.
const WHAT: &Wording = &Wording {
    loading: "Loading the lessons…",
    failed: "The lessons could not be loaded",
};

/// The app's state of the lessons.
#[derive(Clone, Copy)]
struct HostState {
    load: RwSignal<ModuleLoad>,
    attempts: StoredValue<u32>,
    module: StoredValue<Option<LessonsModule>, LocalStorage>,
    /// The open tab, if any.
    open: RwSignal<Option<Lesson>>,
}

/// The link the module answers through.
fn link(app: AppState) -> JsValue {
    let seek = Closure::<dyn Fn(u32)>::new(move |cursor| app.seek(cursor as usize));
    let open = Closure::<dyn Fn(String)>::new(move |fragment: String| {
        app.open_fragment(&fragment);
    });
    let highlight = Closure::<dyn Fn(i32)>::new(move |node: i32| {
        let node = usize::try_from(node).ok();
        if app.highlight.get_untracked() != node {
            app.highlight.set(node);
        }
    });
    let set_input =
        Closure::<dyn Fn(String, f64)>::new(move |name: String, value| app.set_input(&name, value));
    // The quiz's score (`K/N`, anything else: off) and the step it moves to.
    let quiz = Closure::<dyn Fn(u32, String)>::new(move |cursor, score: String| {
        app.playing.set(false);
        app.session.update(|s| {
            s.set_quiz(QuizScore::decode(&score));
            s.seek(cursor as usize);
        });
    });
    app_link(
        &seek.into_js_value(),
        &open.into_js_value(),
        &highlight.into_js_value(),
        &set_input.into_js_value(),
        &quiz.into_js_value(),
    )
}

/// Load the module and mount it into `element`, showing `lesson`.
fn load(app: AppState, host: HostState, element: web_sys::HtmlElement, lesson: Lesson) {
    host.attempts.update_value(|n| *n += 1);
    let attempt = host.attempts.get_value();
    let link = link(app);
    leptos::task::spawn_local(async move {
        let result = match load_lessons(&element, &link, lesson.slug(), attempt).await {
            Ok(module) => {
                host.module.set_value(Some(module.unchecked_into()));
                Ok(())
            }
            Err(error) => Err(hooks::error_text(&error)),
        };
        host.load.update(|load| load.finish(result));
    });
}

/// Keep the module told of the app's view while a tab is open.
fn send_updates(app: AppState, host: HostState) {
    Effect::new(move |_| {
        if host.open.with(Option::is_none) || host.load.with(|load| *load != ModuleLoad::Ready) {
            return;
        }
        let fragment = app.session.with(|s| s.to_url().to_fragment());
        let dark = app.dark.get();
        let highlight = app
            .highlight
            .get()
            .and_then(|n| i32::try_from(n).ok())
            .unwrap_or(-1);
        host.module.with_value(|module| {
            if let Some(module) = module
                && let Err(error) = module.update(&fragment, dark, highlight)
            {
                leptos::logging::error!(
                    "the lessons refused the view: {}",
                    hooks::error_text(&error)
                );
            }
        });
    });
    // A node pressed in the graph, each time (after the view has followed the app).
    Effect::new(move |_| {
        let Some(node) = app.pressed.get() else {
            return;
        };
        if host.open.with_untracked(Option::is_some)
            && host.load.with_untracked(|load| *load == ModuleLoad::Ready)
        {
            host.module.with_value(|module| {
                if let (Some(module), Ok(node)) = (module, u32::try_from(node)) {
                    module.press(node);
                }
            });
        }
    });
    Effect::new(move |_| {
        let open = host.open.get();
        if host.load.with(|load| *load == ModuleLoad::Ready)
            && let Some(lesson) = open
        {
            host.module.with_value(|module| {
                if let Some(module) = module {
                    module.show(lesson.slug());
                }
            });
        }
    });
}

/// The tabs and the panel under the graph.
#[component]
pub fn Lessons() -> impl IntoView {
    let app = AppState::get();
    let host = HostState {
        load: RwSignal::new(ModuleLoad::Idle),
        attempts: StoredValue::new(0),
        module: StoredValue::new_local(None),
        open: RwSignal::new(None),
    };
    send_updates(app, host);
    let mount_point = NodeRef::<leptos::html::Div>::new();
    let start = move || {
        if let (Some(element), Some(lesson)) =
            (mount_point.get_untracked(), host.open.get_untracked())
        {
            load(app, host, element.into(), lesson);
        }
    };
    let choose = move |lesson: Lesson| {
        let open = host.open.get_untracked();
        host.open.set(if open == Some(lesson) {
            None
        } else {
            Some(lesson)
        });
        if host.open.get_untracked().is_some() && host.advance(ModuleLoad::want) {
            start();
        }
    };
    // A link holding a quiz opens it.
    if app.session.with_untracked(|s| s.quiz().is_some()) {
        Effect::new(move |_| choose(Lesson::Quiz));
    }
    let retry = move || {
        if host.advance(ModuleLoad::retry) {
            start();
        }
    };
    let tabs = Lesson::ALL
        .into_iter()
        .map(|lesson| {
            let selected = move || host.open.get() == Some(lesson);
            view! {
                <button
                    role="tab"
                    id=format!("lesson-tab-{}", lesson.slug())
                    data-lesson=lesson.slug()
                    aria-controls="lesson-panel"
                    aria-selected=move || selected().to_string()
                    on:click=move |_| choose(lesson)
                >
                    {lesson.name()}
                </button>
            }
        })
        .collect_view();
    view! {
        <section class="lessons" data-lessons=move || host.load.with(ModuleLoad::name)>
            <div class="lesson-tabs" role="tablist" aria-label="Lessons">{tabs}</div>
            <div
                id="lesson-panel"
                class="lesson-panel"
                role="tabpanel"
                aria-labelledby=move || host.open.get().map(|l| format!("lesson-tab-{}", l.slug()))
                hidden=move || host.open.with(Option::is_none)
            >
                {module_status(host.load, WHAT, "lesson-status", retry)}
                <div class="lesson-mount" node_ref=mount_point></div>
            </div>
        </section>
    }
}

impl HostState {
    /// Move the loading state on by `step`; whether to start loading now.
    fn advance(&self, step: fn(&mut ModuleLoad) -> bool) -> bool {
        self.load.try_maybe_update(|load| {
            let start = step(load);
            (start, start)
        }) == Some(true)
    }
}
