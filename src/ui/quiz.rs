//! Predict, then reveal: before each step the learner types the number it will produce
//! (a value, a contribution to an adjoint, a local derivative, an adjoint or a tangent,
//! see [`crate::lessons::quiz`]); a right answer or "Reveal" takes the step, a wrong one
//! brings a hint from the rule; the score counts first tries over the pass. Written against
//! a [`QuizLink`] (the view it quizzes and how to move it on), so the lessons module and
//! the embed share it.

use crate::lessons::quiz::{self, Next, Question, TOLERANCE};
use crate::session::Session;
use crate::url_state::QuizScore;
use leptos::prelude::*;

/// What the quiz needs from the view around it.
#[derive(Clone, Copy)]
pub struct QuizLink {
    /// The view: program, step and the quiz's score (None: the quiz is off).
    pub session: Signal<Session>,
    /// Go to step `cursor` with the quiz's score (None: turn the quiz off).
    pub go: Callback<(usize, Option<QuizScore>)>,
}

/// The question of the view's next step, if it has a program.
fn next_of(session: &Session) -> Option<Next> {
    session.stepper().map(quiz::next)
}

/// The quiz. With `optional`, it starts and stops on the learner's word and is off while
/// the view's score is None; without, it is always on (an embed's `quiz`).
#[component]
pub fn QuizPanel(link: QuizLink, #[prop(optional)] optional: bool) -> impl IntoView {
    let QuizLink { session, go } = link;
    let cursor = move || session.with(|s| s.stepper().map_or(0, |st| st.cursor()));
    let score = move || {
        session
            .with(Session::quiz)
            .or((!optional).then(QuizScore::default))
    };
    let next = Memo::new(move |_| session.with(next_of));
    // The question in hand: the text typed, the tries so far, what the last try said.
    let typed = RwSignal::new(String::new());
    let tries = RwSignal::new(0_u32);
    let said = RwSignal::new(None::<String>);
    // What the last question came to, shown while its step is the one just taken.
    let last = RwSignal::new(None::<(usize, String)>);
    let input = NodeRef::<leptos::html::Input>::new();
    let refocus = StoredValue::new(false);
    Effect::new(move |_| {
        next.with(|_| ());
        typed.set(String::new());
        tries.set(0);
        said.set(None);
        if refocus.get_value() {
            refocus.set_value(false);
            crate::ui::hooks::after_layout(move || {
                if let Some(input) = input.get_untracked() {
                    let _ = input.focus();
                }
            });
        }
    });
    let answered = move |question: &Question, right: bool, word: &str| {
        let now = score().unwrap_or_default();
        let after = quiz::scored(now, tries.get_untracked(), right);
        last.set(Some((
            question.step + 1,
            format!("{word} {}", question.reveal),
        )));
        refocus.set_value(true);
        go.run((question.step + 1, Some(after)));
    };
    let check = move |question: &Question| {
        let answer = match quiz::read_answer(&typed.get_untracked()) {
            Ok(answer) => answer,
            Err(why) => {
                said.set(Some(why.to_string()));
                return;
            }
        };
        if quiz::is_right(answer, question.answer) {
            answered(question, true, "Right:");
            return;
        }
        let now = score().unwrap_or_default();
        let after = quiz::scored(now, tries.get_untracked(), false);
        tries.update(|t| *t += 1);
        said.set(Some(format!(
            "Not right: {} is not {answer}. Try again, or reveal it.",
            question.unknown
        )));
        if Some(after) != session.with_untracked(Session::quiz) {
            go.run((question.step, Some(after)));
        }
    };
    let question_view = move |question: Question| {
        let ask = match question.ask {
            quiz::Ask::Value => "value",
            quiz::Ask::Tangent => "tangent",
            quiz::Ask::Adjoint => "adjoint",
            quiz::Ask::Contribution { .. } => "contribution",
            quiz::Ask::LocalDerivative { .. } => "local-derivative",
        };
        let name = session.with_untracked(|s| {
            s.graph()
                .and_then(|g| g.nodes().get(question.node.0))
                .map(|n| n.name.clone())
        });
        let on_check = question.clone();
        let on_reveal = question.clone();
        let hint = question.hint.clone();
        view! {
            <div class="quiz-question" data-quiz-ask=ask data-quiz-node=name>
                <p class="quiz-prompt">{question.prompt.clone()}</p>
                <p class="quiz-rule"><code>{question.rule.clone()}</code></p>
                <form
                    class="quiz-form"
                    on:submit=move |ev| {
                        ev.prevent_default();
                        check(&on_check);
                    }
                >
                    <label>
                        "Your answer"
                        <input
                            type="text"
                            inputmode="decimal"
                            autocomplete="off"
                            spellcheck="false"
                            node_ref=input
                            prop:value=typed
                            on:input=move |ev| typed.set(event_target_value(&ev))
                        />
                    </label>
                    <button type="submit">"Check"</button>
                    <button type="button" on:click=move |_| answered(&on_reveal, false, "Revealed:")>
                        "Reveal"
                    </button>
                </form>
                <p class="quiz-feedback" role="status">{move || said.get()}</p>
                <p class="quiz-hint" data-quiz-hint="" hidden=move || tries.get() == 0>
                    "Hint: " <code>{hint}</code>
                </p>
            </div>
        }
        .into_any()
    };
    let body = move || match next.get() {
        None => view! { <p class="muted">"The quiz needs a program that compiles."</p> }.into_any(),
        Some(Next::Done) => view! {
            <p class="quiz-done">"The pass is over. Start again to take it once more."</p>
        }
        .into_any(),
        Some(Next::Given { step, text, .. }) => view! {
            <div class="quiz-question" data-quiz-ask="given">
                <p class="quiz-prompt">{text}</p>
                <button on:click=move |_| {
                    refocus.set_value(false);
                    go.run((step + 1, score()));
                }>"Show the step"</button>
            </div>
        }
        .into_any(),
        Some(Next::Ask(question)) => question_view(question),
    };
    let summary = move || {
        last.get()
            .filter(|(step, _)| *step == cursor())
            .map(|(_, text)| text)
    };
    let on = move || score().is_some();
    let restart = move |_| go.run((0, Some(QuizScore::default())));
    view! {
        <section class="quiz" data-quiz=move || if on() { "on" } else { "off" } aria-label="Quiz">
            <Show
                when=on
                fallback=move || view! {
                    <p>"Before each step is shown, type the number it will produce: a forward step's value, a backward step's contribution to an adjoint or its local derivative. A wrong answer brings a hint from the rule."</p>
                    <button on:click=restart>"Start the quiz"</button>
                }
            >
                <p class="quiz-score">
                    "Score: " <span data-quiz-score="">{move || score().map(|s| format!("{} / {}", s.right, s.asked))}</span>
                    <span class="muted small">" (first tries)"</span>
                </p>
                <p class="quiz-last" hidden=move || summary().is_none()>{summary}</p>
                {body}
                <p class="muted small">{TOLERANCE}</p>
                <div class="quiz-actions">
                    <button on:click=restart>"Start again"</button>
                    <Show when=move || optional>
                        <button on:click=move |_| go.run((cursor(), None))>"Stop the quiz"</button>
                    </Show>
                </div>
            </Show>
        </section>
    }
}
