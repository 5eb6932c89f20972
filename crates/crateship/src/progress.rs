//! Progress reporting: the library emits [`Event`]s, the caller decides how to show them.

/// Something worth telling the user while a plan executes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A step began, e.g. `build x86_64-pc-windows-gnu`.
    Started {
        /// Short name of the step.
        step: String,
        /// Steps in this run, for a progress bar.
        total: usize,
    },
    /// A step finished; `detail` says what it produced.
    Finished {
        /// Short name of the step.
        step: String,
        /// What it produced.
        detail: String,
    },
    /// A warning that does not stop the run.
    Warning(String),
}

/// Receives progress events; implemented for any `Fn(Event) + Sync`.
pub trait Reporter: Sync {
    /// Handles one event.
    fn report(&self, event: Event);
}

impl<F: Fn(Event) + Sync> Reporter for F {
    fn report(&self, event: Event) {
        self(event)
    }
}

/// A reporter that drops every event.
pub struct Silent;

impl Reporter for Silent {
    fn report(&self, _event: Event) {}
}
