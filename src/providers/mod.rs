//! The provider registry: built-in providers from one table ([`BUILTIN`]), then external
//! `fbvault-provider-NAME` executables in `<config dir>/plugins/` and on `PATH`
//! ([`external`], the bridge that speaks protocol v1 to them).

pub mod external;

use fbvault_provider::{Setup, TokenProvider};

use crate::config::{Paths, seconds_from_env};

/// The provider of a profile made without `--provider` (and of `import`, which reads the
/// `.env` of a Facebook script).
pub const DEFAULT: &str = "facebook";

/// A built-in provider: its name and how to build it (for this machine's environment).
pub struct Builtin {
    /// The name profiles refer to.
    pub name: &'static str,
    /// Builds the provider.
    pub make: fn(&Setup) -> Box<dyn TokenProvider>,
}

/// The built-in providers: the one table of them. Each provider reads its own variables
/// (`FBVAULT_GRAPH_URL`, `FBVAULT_INSTAGRAM_URL`, …) through [`setup`].
pub const BUILTIN: &[Builtin] = &[
    Builtin {
        name: DEFAULT,
        make: |s| Box::new(fbvault_facebook::FacebookProvider::configured(s)),
    },
    Builtin {
        name: "instagram",
        make: |s| Box::new(fbvault_instagram::configured(s)),
    },
    Builtin {
        name: "threads",
        make: |s| Box::new(fbvault_threads::configured(s)),
    },
];

/// What a built-in provider is built with: the environment, read by fbvault's one rule,
/// and `FBVAULT_HTTP_TIMEOUT` (seconds per HTTP attempt, default 10).
pub fn setup() -> Setup {
    Setup {
        var: crate::config::env_text,
        timeout: seconds_from_env(
            "FBVAULT_HTTP_TIMEOUT",
            fbvault_provider::DEFAULT_TIMEOUT,
            300.0,
        ),
    }
}

impl Builtin {
    /// Builds the provider for this machine's environment ([`setup`]).
    pub fn build(&self) -> Box<dyn TokenProvider> {
        (self.make)(&setup())
    }
}

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
        .flat_map(|b| b.build().describe().all_variables())
        .collect()
}

/// Finds the provider called `name`: a built-in one, else an external one.
pub fn find(name: &str, paths: &Paths) -> Result<Box<dyn TokenProvider>, UnknownProvider> {
    if let Some(builtin) = BUILTIN.iter().find(|b| b.name == name) {
        return Ok(builtin.build());
    }
    external::ExternalProvider::find(name, paths)
        .map(|p| Box::new(p) as Box<dyn TokenProvider>)
        .ok_or_else(|| UnknownProvider(name.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_provider_keeps_the_contract() {
        for builtin in BUILTIN {
            let provider = builtin.build();
            assert_eq!(provider.describe().name, builtin.name);
            fbvault_provider::testkit::check(provider.as_ref());
        }
    }
}
