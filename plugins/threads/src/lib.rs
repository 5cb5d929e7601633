//! `fbvault-threads`: the Threads API (its own app id and secret) on `graph.threads.net`:
//! `th_exchange_token`, `th_refresh_token`, `THREADS_ACCESS_TOKEN` and `THREADS_USER_ID`.
//! The logic is [`fbvault_long_lived`]'s; this crate is its [`Spec`].
#![forbid(unsafe_code)]

pub use fbvault_long_lived::{LongLivedProvider, Options, Setup, Spec};

/// Threads' spec.
pub const SPEC: Spec = Spec {
    name: "threads",
    label: "Threads",
    default_url: "https://graph.threads.net",
    exchange_grant: "th_exchange_token",
    refresh_grant: "th_refresh_token",
    oauth_url: "https://graph.threads.net",
    authorize_url: "https://threads.net/oauth/authorize",
    scopes: "threads_basic",
    me_path: "v1.0/me",
    id_field: "id",
    token_var: "THREADS_ACCESS_TOKEN",
    user_var: "THREADS_USER_ID",
};

/// The Threads provider.
pub fn provider(options: Options) -> LongLivedProvider {
    LongLivedProvider::new(SPEC, options)
}

/// The variable whose host beats each profile's `api_url` (a test server).
pub const URL_VAR: &str = "FBVAULT_THREADS_URL";

/// The Threads provider as fbvault builds it: the host from [`URL_VAR`], the timeout given.
pub fn configured(setup: &Setup) -> LongLivedProvider {
    provider(Options {
        url: setup.var(URL_VAR),
        timeout: setup.timeout,
    })
}
