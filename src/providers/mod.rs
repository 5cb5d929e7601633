//! The provider registry: built-in providers from one table ([`BUILTIN`]), then external
//! `fbvault-provider-NAME` executables in `<config dir>/plugins/` and on `PATH`
//! ([`external`], the bridge that speaks protocol v1 to them).

pub mod external;

use std::time::Duration;

use fbvault_facebook::{FacebookProvider, Options};
use fbvault_provider::TokenProvider;

use crate::settings::{Paths, seconds_from_env};

/// The provider of a profile made without `--provider` (and of `import`, which reads the
/// `.env` of a Facebook script).
pub const DEFAULT: &str = "facebook";

/// A built-in provider: its name and how to build it (from the environment).
pub struct Builtin {
    /// The name profiles refer to.
    pub name: &'static str,
    /// Builds the provider.
    pub make: fn() -> Box<dyn TokenProvider>,
}

/// The built-in providers: the one table of them.
pub const BUILTIN: &[Builtin] = &[
    Builtin {
        name: DEFAULT,
        make: || Box::new(facebook()),
    },
    Builtin {
        name: "instagram",
        make: || {
            Box::new(fbvault_instagram::provider(long_lived(
                "FBVAULT_INSTAGRAM_URL",
            )))
        },
    },
    Builtin {
        name: "threads",
        make: || Box::new(fbvault_threads::provider(long_lived("FBVAULT_THREADS_URL"))),
    },
];

/// A provider name that nothing answers to.
#[derive(Debug, thiserror::Error)]
#[error(
    "no provider named `{0}` (built in: {builtin}; external providers are executables named fbvault-provider-NAME)",
    builtin = BUILTIN.iter().map(|b| b.name).collect::<Vec<_>>().join(", ")
)]
pub struct UnknownProvider(pub String);

/// Every variable a built-in provider may inject, as their descriptions declare them.
pub fn builtin_variables() -> Vec<String> {
    BUILTIN
        .iter()
        .flat_map(|b| (b.make)().describe().all_variables())
        .collect()
}

/// Finds the provider called `name`: a built-in one, else an external one.
pub fn find(name: &str, paths: &Paths) -> Result<Box<dyn TokenProvider>, UnknownProvider> {
    if let Some(builtin) = BUILTIN.iter().find(|b| b.name == name) {
        return Ok((builtin.make)());
    }
    external::ExternalProvider::find(name, paths)
        .map(|p| Box::new(p) as Box<dyn TokenProvider>)
        .ok_or_else(|| UnknownProvider(name.to_string()))
}

/// The Facebook provider, configured from the environment: `FBVAULT_GRAPH_URL` (the Graph
/// base URL, beats each profile's `graph_url`), `FBVAULT_DIALOG_URL` (where the login
/// dialog lives) and `FBVAULT_HTTP_TIMEOUT` (seconds per
/// attempt, default 10; three attempts at most).
pub fn facebook() -> FacebookProvider {
    let graph_url = crate::settings::env_text("FBVAULT_GRAPH_URL");
    let timeout = seconds_from_env("FBVAULT_HTTP_TIMEOUT", Duration::from_secs(10), 300.0);
    let dialog_url = crate::settings::env_text("FBVAULT_DIALOG_URL");
    FacebookProvider::new(Options {
        graph_url,
        dialog_url,
        timeout,
        ..Options::default()
    })
}

/// Options of the Instagram and Threads providers: the host from `url_var` (beats each
/// profile's `api_url`), and `FBVAULT_HTTP_TIMEOUT` (seconds per call, default 10).
fn long_lived(url_var: &str) -> fbvault_long_lived::Options {
    fbvault_long_lived::Options {
        url: crate::settings::env_text(url_var),
        timeout: seconds_from_env("FBVAULT_HTTP_TIMEOUT", Duration::from_secs(10), 300.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_provider_keeps_the_contract() {
        for builtin in BUILTIN {
            let provider = (builtin.make)();
            assert_eq!(provider.describe().name, builtin.name);
            fbvault_provider::testkit::check(provider.as_ref());
        }
    }
}
