//! [`Reporter`]: how a use case talks with the person at the keyboard (work in progress, a
//! provider's remarks, a warning, a URL to open, a no-echo question) without knowing how it
//! is shown. The command line's `Ui` is the one implementation: remarks obey `--quiet` and
//! are collected for `--json`'s report, warnings and instructions always reach stderr.

use std::any::Any;

/// Where a use case's remarks go.
pub trait Reporter: Sync {
    /// A remark (hidden by `--quiet`).
    fn info(&self, line: &str);
    /// A warning (always shown).
    fn warn(&self, line: &str);
    /// Work that may take a while (a network call); it ends when the value is dropped.
    fn busy(&self, what: &str) -> Box<dyn Any>;
    /// Something the person must act on (open this URL, enter this code): always shown.
    fn tell(&self, line: &str);
    /// A question answered without echo on the terminal; `None` without one.
    fn ask_secret(&self, question: &str) -> Option<fbvault_provider::Secret>;
}
