//! The logins a provider may offer besides a pasted token. [`WebLogin`]: fbvault runs the
//! loopback listener, makes the `state` and the PKCE verifier and opens the browser; the
//! provider builds its issuer's authorize URL and redeems the code that comes back.
//! [`DeviceLogin`]: the provider starts a device login and polls it; fbvault shows the
//! code and waits. Either way the token goes through the provider's ordinary
//! [`login`](crate::TokenProvider::login).

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

    /// The profile field that keeps the permissions declined at the last login (to ask
    /// for them again); `None`: nothing is kept.
    fn declined_field(&self) -> Option<&str> {
        None
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

/// A device login started: what to show the person, and what to poll with.
pub struct DeviceCode {
    /// The code to poll with (secret: whoever has it can collect the token).
    pub code: Secret,
    /// The code the person types at `verification_uri`.
    pub user_code: String,
    /// Where the person goes.
    pub verification_uri: String,
    /// Seconds between polls.
    pub interval: u64,
    /// Seconds the code lives.
    pub expires_in: u64,
}

/// One poll of a device login.
pub enum DevicePoll {
    /// Not yet approved: poll again after the interval.
    Pending,
    /// Polled too fast: add 5 seconds to the interval.
    SlowDown,
    /// Approved: the user token, to give to `login`.
    Done(Secret),
}

/// A provider's device login (`fbvault login NAME --device`): a code the person enters
/// on another device, polled until approved. It needs an app credential that is not the
/// app secret (Facebook: the client token), kept in the secret field
/// [`client_field`](DeviceLogin::client_field).
pub trait DeviceLogin {
    /// The secret profile field that keeps the app credential the device login needs.
    fn client_field(&self) -> &str;

    /// Where that credential is found, for the prompt and the hint.
    fn client_place(&self) -> &str;

    /// The permissions to ask for (as [`WebLogin::scopes`]).
    fn device_scopes(&self, profile: &ProfileData, scope: Option<&str>) -> Vec<String>;

    /// Starts a device login.
    fn start(
        &self,
        profile: &ProfileData,
        client: &Secret,
        scopes: &[String],
    ) -> Result<DeviceCode, ProviderError>;

    /// Polls a started device login once.
    fn poll(
        &self,
        profile: &ProfileData,
        client: &Secret,
        device: &DeviceCode,
    ) -> Result<DevicePoll, ProviderError>;
}
