//! Loading a module on demand (the playground, the lessons), as the state the app's host
//! element follows: nothing until the page asks for it, then loading, then ready or failed
//! (with the reason, and another try on request).

/// How a host speaks of its module while loading it and after a failure.
pub struct Wording {
    /// "Loading the training playground…"
    pub loading: &'static str,
    /// "The training playground could not be loaded" (the reason follows).
    pub failed: &'static str,
}

/// Where loading an on-demand module stands.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum ModuleLoad {
    #[default]
    Idle,
    Loading,
    Ready,
    Failed(String),
}

impl ModuleLoad {
    /// The page wants the module: whether to start loading it now (only the first time; a
    /// failure waits for [`ModuleLoad::retry`]).
    pub fn want(&mut self) -> bool {
        if *self == ModuleLoad::Idle {
            *self = ModuleLoad::Loading;
            return true;
        }
        false
    }

    /// The user asks to try again: whether to start loading now.
    pub fn retry(&mut self) -> bool {
        if matches!(self, ModuleLoad::Failed(_)) {
            *self = ModuleLoad::Loading;
            return true;
        }
        false
    }

    /// Loading ended, mounted or not.
    pub fn finish(&mut self, result: Result<(), String>) {
        if *self == ModuleLoad::Loading {
            *self = match result {
                Ok(()) => ModuleLoad::Ready,
                Err(reason) => ModuleLoad::Failed(reason),
            };
        }
    }

    /// For the host element's `data-playground` attribute.
    pub fn name(&self) -> &'static str {
        match self {
            ModuleLoad::Idle => "idle",
            ModuleLoad::Loading => "loading",
            ModuleLoad::Ready => "ready",
            ModuleLoad::Failed(_) => "failed",
        }
    }

    /// What a host that words its module so says meanwhile, if anything.
    pub fn message(&self, words: &Wording) -> Option<String> {
        match self {
            ModuleLoad::Idle | ModuleLoad::Ready => None,
            ModuleLoad::Loading => Some(words.loading.into()),
            ModuleLoad::Failed(reason) => Some(format!("{}: {reason}", words.failed)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAYGROUND: &Wording = &Wording {
        loading: "Loading the training playground…",
        failed: "The training playground could not be loaded",
    };

    #[test]
    fn the_module_loads_once_when_wanted() {
        let mut load = ModuleLoad::default();
        assert_eq!((load.name(), load.message(PLAYGROUND)), ("idle", None));
        assert!(!load.retry(), "nothing failed yet");
        assert!(load.want());
        assert_eq!(load.name(), "loading");
        assert_eq!(
            load.message(PLAYGROUND).as_deref(),
            Some("Loading the training playground…")
        );
        assert!(!load.want(), "already loading");
        load.finish(Ok(()));
        assert_eq!((load.name(), load.message(PLAYGROUND)), ("ready", None));
        assert!(!load.want() && !load.retry());
        load.finish(Err("late".into()));
        assert_eq!(load, ModuleLoad::Ready, "only a pending load finishes");
    }

    #[test]
    fn a_failure_says_why_and_can_be_retried() {
        let mut load = ModuleLoad::default();
        load.want();
        load.finish(Err(
            "TypeError: Failed to fetch dynamically imported module".into(),
        ));
        assert_eq!(load.name(), "failed");
        assert_eq!(
            load.message(PLAYGROUND).as_deref(),
            Some(
                "The training playground could not be loaded: TypeError: Failed to fetch dynamically imported module"
            )
        );
        assert!(!load.want(), "a failure is not retried by itself");
        assert!(load.retry());
        assert_eq!(load, ModuleLoad::Loading);
        load.finish(Ok(()));
        assert_eq!(load, ModuleLoad::Ready);
    }
}
