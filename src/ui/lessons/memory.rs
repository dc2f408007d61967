//! The "Memory" view: what the tape costs at the app's step (bytes held by kind, the peak
//! so far, the values freed there) and over the whole schedule (the timeline), and the
//! remedies: checkpointing ([`checkpoints`]) and low precision with loss scaling
//! ([`precision`]). Every change of those opens a new link in the app, so the app's
//! stepper runs it and the graph shows it.

mod checkpoints;
mod precision;
mod timeline;

use super::state::LessonsState;
use crate::engine::memory::MemoryReport;
use crate::examples;
use crate::lessons::memory::{MemoryNow, bytes_text, report};
use crate::url_state::{ModeChoice, Storage, UrlState};
use leptos::prelude::*;

/// The memory report of the session's stepper, made again only when the stepper is
/// rebuilt (a step alone does not change it).
#[derive(Clone, Copy)]
pub(super) struct Reading {
    pub revision: Memo<u64>,
    pub report: Memo<Option<MemoryReport>>,
}

impl Reading {
    fn new(ls: LessonsState) -> Reading {
        let revision = Memo::new(move |_| ls.session.with(|s| s.revision()));
        let report = Memo::new(move |_| {
            // Read, not only tracked: a memo runs (and follows the session) only once read.
            revision.get();
            ls.session.with_untracked(|s| s.stepper().map(report))
        });
        Reading { revision, report }
    }
}

/// Open the app's view with `change` made to its storage (checkpoints, precision, loss
/// scale), at the same step.
pub(super) fn open_storage(ls: LessonsState, change: impl FnOnce(&mut Storage)) {
    let mut link = ls.session.with_untracked(|s| s.to_url());
    change(&mut link.storage);
    ls.open(&link);
}

/// Open a worked example (from the CLI's catalogue) with `storage`, at step 0.
pub(super) fn open_example(ls: LessonsState, slug: &str, storage: Storage) {
    let Some(example) = examples::find(slug) else {
        return;
    };
    ls.open(&UrlState {
        program: example.program.to_string(),
        inputs: vec![],
        mode: ModeChoice::Reverse,
        step: 0,
        tensors: vec![],
        about: None,
        setup: example.setup,
        quiz: None,
        storage,
    });
}

#[component]
pub fn Memory() -> impl IntoView {
    let ls = LessonsState::get();
    let reading = Reading::new(ls);
    provide_context(reading);
    let now = Memo::new(move |_| {
        let cursor = ls.session.with(|s| s.stepper().map_or(0, |st| st.cursor()));
        reading.report.with(|report| {
            let report = report.as_ref()?;
            ls.session
                .with_untracked(|s| Some(MemoryNow::at(s.graph()?, report, cursor)))
        })
    });
    let reverse = move || {
        ls.session.with(|s| {
            s.stepper()
                .is_some_and(|st| st.mode() == crate::engine::Mode::Reverse)
        })
    };
    let bytes_per_number = move || {
        reading
            .report
            .with(|r| r.as_ref().map_or(8, |r| r.bytes_per_number))
    };
    let figures = move || {
        let now = now.get()?;
        let freed = if now.freed.is_empty() {
            "nothing".to_string()
        } else {
            now.freed.join(", ")
        };
        Some(view! {
            <dl class="memory-figures" data-held=now.held() data-peak=now.peak data-freed=now.freed.join(",")>
                <div><dt>"Held after this step"</dt><dd class="memory-held">{bytes_text(now.held())}</dd></div>
                <div><dt><span class="swatch inputs"></span>"Inputs and parameters"</dt><dd>{bytes_text(now.inputs)}</dd></div>
                <div><dt><span class="swatch values"></span>"Values on the tape"</dt><dd>{bytes_text(now.values)}</dd></div>
                <div><dt><span class="swatch adjoints"></span>"Adjoints"</dt><dd>{bytes_text(now.adjoints)}</dd></div>
                <div><dt>"Peak so far"</dt><dd class="memory-peak">{bytes_text(now.peak)}</dd></div>
                <div><dt>"Freed after this step"</dt><dd class="memory-freed">{freed}</dd></div>
            </dl>
        })
    };
    view! {
        <h2 class="panel-title">"Memory"</h2>
        <p class="muted small memory-intro">
            "The backward pass reads values the forward pass computed, so they stay in memory (the tape) "
            "until their last reader has run. Each number takes " {move || bytes_per_number()}
            " bytes here; a tensor takes its elements times that."
        </p>
        {move || (!reverse()).then(|| view! {
            <p class="memory-note">"Forward mode keeps no tape: each value is needed only by the next steps. Switch to reverse mode to see the tape."</p>
        })}
        {figures}
        <timeline::Timeline />
        <checkpoints::Checkpoints />
        <precision::PrecisionChoice />
    }
}
