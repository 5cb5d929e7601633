//! The browser login a provider may offer ([`WebLogin`]): fbvault runs the loopback
//! listener, makes the `state` and the PKCE verifier and opens the browser; the provider
//! builds its issuer's authorize URL and redeems the code that comes back for a token,
//! which then goes through its ordinary [`login`](crate::TokenProvider::login).

use crate::{ProfileData, ProviderError, Secret};

/// What goes into the authorize URL besides the provider's own settings.
#[derive(Debug, Clone, Copy)]
pub struct Authorize<'a> {
    /// The exact redirect URI (the redemption repeats it).
    pub redirect_uri: &'a str,
    /// The random `state` the callback must carry back.
    pub state: &'a str,
    /// `base64url(sha256(code_verifier))` (PKCE, S256); an issuer without PKCE ignores it.
    pub code_challenge: &'a str,
    /// The permissions to ask for.
    pub scopes: &'a [String],
}

/// A provider's OAuth authorization-code login (`fbvault login NAME --web`).
pub trait WebLogin {
    /// The issuer's name in messages (`log in to {issuer} at …`).
    fn issuer(&self) -> &str;

    /// The permissions to ask for: `scope` (comma or space separated) when given, else the
    /// provider's defaults (and whatever it decides to keep asking for).
    fn scopes(&self, profile: &ProfileData, scope: Option<&str>) -> Vec<String>;

    /// The page to send the user to.
    fn authorize_page(&self, profile: &ProfileData, a: &Authorize)
    -> Result<String, ProviderError>;

    /// Redeems the callback's `code` for a token to give to `login` (which exchanges it
    /// when short-lived).
    fn redeem(
        &self,
        profile: &ProfileData,
        code: &Secret,
        redirect_uri: &str,
        verifier: &Secret,
    ) -> Result<Secret, ProviderError>;

    /// The requested permissions the stored tokens lack, each with what its absence
    /// means; the default checks nothing.
    fn missing(&self, _requested: &[String], _granted: &[String]) -> Vec<(String, String)> {
        Vec::new()
    }
}

/// Splits a `--scope` list at commas and spaces; `None` when none was given.
pub fn split_scopes(scope: Option<&str>) -> Option<Vec<String>> {
    scope.map(|s| {
        s.split([',', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    })
}
