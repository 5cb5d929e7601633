//! The provider registry: built-in providers by name (a plain `match`), then external
//! `fbvault-provider-NAME` executables in `<config dir>/plugins/` and on `PATH`.

use std::time::Duration;

use fbvault_facebook::{FacebookProvider, Options};
use fbvault_provider::TokenProvider;

use crate::settings::{Paths, seconds_from_env};

/// The built-in providers.
pub const BUILTIN: &[&str] = &["facebook"];

/// A provider name that nothing answers to.
#[derive(Debug, thiserror::Error)]
#[error(
    "no provider named `{0}` (built in: facebook; external providers are executables named fbvault-provider-NAME)"
)]
pub struct UnknownProvider(pub String);

/// Finds the provider called `name`.
pub fn find(name: &str, paths: &Paths) -> Result<Box<dyn TokenProvider>, UnknownProvider> {
    match name {
        "facebook" => Ok(Box::new(facebook())),
        other => crate::external::ExternalProvider::find(other, paths)
            .map(|p| Box::new(p) as Box<dyn TokenProvider>)
            .ok_or_else(|| UnknownProvider(other.to_string())),
    }
}

/// The Facebook provider, configured from the environment: `FBVAULT_GRAPH_URL` (the Graph
/// base URL, beats each profile's `graph_url`) and `FBVAULT_HTTP_TIMEOUT` (seconds per
/// attempt, default 10; three attempts at most).
pub fn facebook() -> FacebookProvider {
    let graph_url = std::env::var("FBVAULT_GRAPH_URL")
        .ok()
        .filter(|v| !v.is_empty());
    let timeout = seconds_from_env("FBVAULT_HTTP_TIMEOUT", Duration::from_secs(10), 300.0);
    FacebookProvider::new(Options {
        graph_url,
        timeout,
        ..Options::default()
    })
}
