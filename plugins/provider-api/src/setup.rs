//! [`Setup`]: what fbvault tells a built-in provider about where it runs, so that each
//! provider names its own variables (`FBVAULT_GRAPH_URL`, `FBVAULT_INSTAGRAM_URL`) while
//! fbvault keeps the one rule for reading the environment (empty counts as unset).

use std::time::Duration;

/// How long one HTTP call may take when `FBVAULT_HTTP_TIMEOUT` says nothing.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// The environment a built-in provider is built in.
#[derive(Debug, Clone, Copy)]
pub struct Setup {
    /// Reads one of fbvault's environment variables (`None`: unset or empty).
    pub var: fn(&str) -> Option<String>,
    /// How long one HTTP call (one attempt) may take (`FBVAULT_HTTP_TIMEOUT`).
    pub timeout: Duration,
}

impl Setup {
    /// The value of `name`, if set.
    pub fn var(&self, name: &str) -> Option<String> {
        (self.var)(name)
    }
}
