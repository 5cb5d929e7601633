//! `fbvault-instagram`: the Instagram API with Instagram Login (its own app id and
//! secret, not the Facebook app's) on `graph.instagram.com`: `ig_exchange_token`,
//! `ig_refresh_token`, `IG_ACCESS_TOKEN` and `IG_USER_ID`. The logic is
//! [`fbvault_long_lived`]'s; this crate is its [`Spec`].
#![forbid(unsafe_code)]

pub use fbvault_long_lived::{LongLivedProvider, Options, Setup, Spec};

/// Instagram's spec.
pub const SPEC: Spec = Spec {
    name: "instagram",
    label: "Instagram",
    default_url: "https://graph.instagram.com",
    exchange_grant: "ig_exchange_token",
    refresh_grant: "ig_refresh_token",
    oauth_url: "https://api.instagram.com",
    authorize_url: "https://www.instagram.com/oauth/authorize",
    scopes: "instagram_business_basic",
    me_path: "me",
    id_field: "user_id",
    token_var: "IG_ACCESS_TOKEN",
    user_var: "IG_USER_ID",
};

/// The Instagram provider.
pub fn provider(options: Options) -> LongLivedProvider {
    LongLivedProvider::new(SPEC, options)
}

/// The variable whose host beats each profile's `api_url` (a test server).
pub const URL_VAR: &str = "FBVAULT_INSTAGRAM_URL";

/// The Instagram provider as fbvault builds it: the host from [`URL_VAR`], the timeout given.
pub fn configured(setup: &Setup) -> LongLivedProvider {
    provider(Options {
        url: setup.var(URL_VAR),
        timeout: setup.timeout,
    })
}
