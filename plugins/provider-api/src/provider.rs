//! The [`TokenProvider`] trait and the values that cross it.
//!
//! # Writing a provider
//!
//! A provider is a value that implements [`TokenProvider`]. fbvault calls it with a
//! [`ProfileData`] — the profile's non-secret `config`, its `secrets` and its current
//! `tokens` — and stores whatever [`TokenSet`] it returns. The provider never touches files,
//! never prompts, never prints: it talks to its issuer and answers.
//!
//! 1. [`describe`](TokenProvider::describe) says who you are, what you can do
//!    ([`Capability`]), which profile fields you need ([`FieldSpec`]) and which variable each
//!    token is injected as by default.
//! 2. [`login`](TokenProvider::login) turns a user's grant (a short-lived token, or a
//!    long-lived one to keep) into the full set of tokens to store.
//! 3. [`refresh_due`](TokenProvider::refresh_due) decides *offline* whether the stored
//!    tokens need a refresh; fbvault calls it before every `run`, so it must be cheap and
//!    must not touch the network. The default, [`default_refresh_need`], fits issuers whose
//!    long-lived tokens can be re-exchanged while valid, at most once a day.
//! 4. [`refresh`](TokenProvider::refresh), [`inspect`](TokenProvider::inspect) and
//!    [`pages`](TokenProvider::pages) are optional: the defaults answer "unsupported".
//! 5. [`env`](TokenProvider::env) lists the variables `fbvault run` injects.
//!
//! Every operation that returns tokens returns the *complete* set to store: carry over
//! the tokens you did not change. Errors are [`ProviderError`]s; their
//! [`ErrorKind`](crate::ErrorKind) decides fbvault's exit code, and their messages must
//! never contain a secret or a URL that carries one.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{ProviderError, Secret, Token};

/// Something a provider can do beyond describing itself and building variables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Capability {
    /// Turn a user's grant into stored tokens.
    Login,
    /// Refresh stored tokens without the user.
    Refresh,
    /// Ask the issuer about a live token.
    Inspect,
    /// List the pages a user manages and store their tokens (Facebook).
    Pages,
}

/// A profile field a provider needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    /// The key in the profile's `config` (or `secrets` when `secret`).
    pub name: String,
    /// Stored among the secrets and masked on display.
    pub secret: bool,
    /// Whether a profile is invalid without it.
    pub required: bool,
    /// One line for humans.
    pub description: String,
}

impl FieldSpec {
    /// The environment variable that holds it for `add --from-env` and `import`: its name
    /// in capitals (`app_secret` is `APP_SECRET`).
    pub fn variable(&self) -> String {
        self.name.to_uppercase()
    }
}

/// Who a provider is and what it can do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Description {
    /// The name profiles refer to (`facebook`).
    pub name: String,
    /// The provider's version.
    pub version: String,
    /// What it can do.
    pub capabilities: Vec<Capability>,
    /// The profile fields it reads.
    pub fields: Vec<FieldSpec>,
    /// Default variable for each token name.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// Every variable the provider may inject besides those of `env` (its renames are
    /// checked against these; absent: only `env`'s).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variables: Vec<String>,
    /// What `login` needs; absent (protocol v1 as first published): a token from the user.
    #[serde(default, skip_serializing_if = "LoginSpec::is_default")]
    pub login: LoginSpec,
}

impl Description {
    /// Whether the provider has `cap`.
    pub fn can(&self, cap: Capability) -> bool {
        self.capabilities.contains(&cap)
    }

    /// Whether tokens come without a user grant (client credentials, a refresh token held
    /// as a secret field): then `login`, `refresh` and `run` call the provider without one.
    pub fn tokenless(&self) -> bool {
        !self.login.needs_token
    }

    /// Every variable the provider may inject: `env`'s and `variables`.
    pub fn all_variables(&self) -> Vec<String> {
        let mut all: Vec<String> = self.env.values().cloned().collect();
        all.extend(self.variables.iter().cloned());
        all.sort();
        all.dedup();
        all
    }
}

/// What a provider's `login` needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginSpec {
    /// `true` (the default): `login` turns a token the user gives into stored tokens.
    /// `false`: the provider gets its tokens from the profile's own fields; `login` is
    /// called with no token, and so is `refresh` when the profile has none.
    #[serde(default = "yes")]
    pub needs_token: bool,
}

impl Default for LoginSpec {
    fn default() -> Self {
        LoginSpec { needs_token: true }
    }
}

impl LoginSpec {
    fn is_default(&self) -> bool {
        *self == LoginSpec::default()
    }
}

/// What a provider sees of a profile.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileData {
    /// The profile name.
    pub name: String,
    /// Non-secret settings (`app_id`, `graph_version`, …).
    #[serde(default)]
    pub config: BTreeMap<String, String>,
    /// Secret settings (`app_secret`).
    #[serde(default)]
    pub secrets: BTreeMap<String, Secret>,
    /// The stored tokens.
    #[serde(default)]
    pub tokens: Vec<Token>,
}

impl ProfileData {
    /// A config value, if set and not empty.
    pub fn config(&self, key: &str) -> Option<&str> {
        self.config
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// A secret, if set and not empty.
    pub fn secret(&self, key: &str) -> Option<&Secret> {
        self.secrets.get(key).filter(|v| !v.is_empty())
    }

    /// The token with this name.
    pub fn token(&self, name: &str) -> Option<&Token> {
        self.tokens.iter().find(|t| t.name == name)
    }
}

/// The user's grant for [`TokenProvider::login`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginInput {
    /// The token the user gave; empty for a provider whose [`LoginSpec::needs_token`] is
    /// `false` when the user gave none.
    pub token: Secret,
    /// `true` (the usual case): exchange the token for a long-lived one if it is
    /// short-lived (a provider may look first: Facebook exchanges only a user token with
    /// less than a day to live). `false`: never exchange; keep it as given and learn its
    /// expiry.
    #[serde(default = "yes")]
    pub exchange: bool,
}

fn yes() -> bool {
    true
}

/// The tokens to store after an operation, plus notes for the user.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenSet {
    /// The complete set of tokens to store (replaces the stored set).
    pub tokens: Vec<Token>,
    /// One-line remarks shown on stderr (for example "no pages: the token lacks
    /// `pages_show_list`").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// What the issuer says about one live token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Inspection {
    /// Which stored token was inspected.
    pub token: String,
    /// Whether the issuer considers it valid.
    pub valid: bool,
    /// The token type as the issuer names it (`USER`, `PAGE`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Expiry; `null` for never.
    pub expires_at: Option<DateTime<Utc>>,
    /// Data-access expiry; `null` for none.
    #[serde(default)]
    pub data_access_expires_at: Option<DateTime<Utc>>,
    /// When it was issued, when the issuer says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued_at: Option<DateTime<Utc>>,
    /// Granted permissions.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// The user (or system user) it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// The app it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_id: Option<String>,
    /// When invalid, the issuer's reason in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One variable for the child process.
#[derive(Debug, Clone, PartialEq)]
pub struct EnvVar {
    /// The variable's standard name (before renames).
    pub name: String,
    /// Its value.
    pub value: Secret,
    /// Whether the value is secret (masked by `run --mask`).
    pub secret: bool,
}

impl EnvVar {
    /// A secret variable.
    pub fn secret(name: &str, value: Secret) -> Self {
        EnvVar {
            name: name.to_string(),
            value,
            secret: true,
        }
    }

    /// A non-secret variable.
    pub fn plain(name: &str, value: impl Into<String>) -> Self {
        EnvVar {
            name: name.to_string(),
            value: Secret::new(value.into()),
            secret: false,
        }
    }
}

/// Options for [`TokenProvider::env`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EnvOptions {
    /// A sub-account to act as (for Facebook, a page id or name).
    pub target: Option<String>,
    /// Whether the profile opted in to injecting its app secret.
    pub include_secrets: bool,
}

/// Whether stored tokens need a refresh, decided offline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshNeed {
    /// Nothing to do.
    Fresh,
    /// A refresh is due (inside the refresh window, and allowed now).
    Due,
    /// The token expired or was declared invalid: only a new login can help.
    Expired,
    /// There is no token to refresh yet: only a login can help.
    Missing,
}

/// A provider's additions to the `status` rows of one profile (see
/// [`TokenProvider::status`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StatusExtras {
    /// Fields added to every row of the profile, in this order.
    pub fields: Vec<(String, serde_json::Value)>,
    /// Fields added to the row of one token (after `fields`), by token name.
    pub token_fields: BTreeMap<String, Vec<(String, serde_json::Value)>>,
    /// Warnings about the profile, shown by `status`; `status --check` fails on any.
    pub warnings: Vec<String>,
    /// A remark shown when a token is expiring, by token name (when to log in again).
    pub expiring: BTreeMap<String, String>,
    /// What `status --check` advises for a token that needs attention, by token name,
    /// instead of a new login (a token the provider can still extend).
    pub advice: BTreeMap<String, String>,
}

impl StatusExtras {
    /// The fields of the row of `token` (or of the profile's only row when `None`).
    pub fn row_fields(&self, token: Option<&str>) -> Vec<(String, serde_json::Value)> {
        let mut all = self.fields.clone();
        if let Some(extra) = token.and_then(|t| self.token_fields.get(t)) {
            all.extend(extra.iter().cloned());
        }
        all
    }
}

/// Per-call context: the clock, so that policies are testable.
#[derive(Debug, Clone, Copy)]
pub struct Context {
    /// The current time.
    pub now: DateTime<Utc>,
}

impl Context {
    /// A context at the current time.
    pub fn now() -> Self {
        Context { now: Utc::now() }
    }
}

/// A token issuer. See the [module documentation](self) for how to write one.
pub trait TokenProvider: Send + Sync {
    /// Who the provider is and what it can do.
    fn describe(&self) -> Description;

    /// Checks a profile's config and secrets before they are stored. The default checks
    /// that every required field is there ([`check_required_fields`]).
    fn validate(&self, profile: &ProfileData) -> Result<(), ProviderError> {
        check_required_fields(&self.describe(), profile)
    }

    /// Where `fbvault import` finds this provider's fields and tokens in an old `.env` file.
    /// The default: each declared field upper-cased, `LONG_TOKEN` and `SHORT_TOKEN`.
    fn import_names(&self) -> crate::ImportNames {
        crate::ImportNames::of(&self.describe())
    }

    /// Remarks about a valid profile, shown as warnings when it is added (a setting the
    /// provider does not know, like an unknown API version). Offline; the default has none.
    fn remarks(&self, _profile: &ProfileData) -> Vec<String> {
        Vec::new()
    }

    /// What `status` and `list` add to a profile's rows: fields, warnings and advice the
    /// provider knows about (an API version near its end, the day by which a new login is
    /// needed). Offline and cheap; the default adds nothing.
    fn status(&self, _ctx: &Context, _profile: &ProfileData) -> StatusExtras {
        StatusExtras::default()
    }

    /// The JSON Schema of the fields [`status`](TokenProvider::status) adds to the rows
    /// (an object schema whose properties are those fields); `None` when it adds none.
    fn status_schema(&self) -> Option<schemars::Schema> {
        None
    }

    /// The browser login (`login --web`), when the provider offers one; the default has
    /// none.
    fn web_login(&self) -> Option<&dyn crate::WebLogin> {
        None
    }

    /// The device login (`login --device`), when the provider offers one; the default has
    /// none.
    fn device_login(&self) -> Option<&dyn crate::DeviceLogin> {
        None
    }

    /// Turns the user's grant into the complete set of tokens to store.
    fn login(
        &self,
        ctx: &Context,
        profile: &ProfileData,
        input: &LoginInput,
    ) -> Result<TokenSet, ProviderError>;

    /// Decides offline whether the stored tokens need a refresh.
    fn refresh_due(&self, ctx: &Context, profile: &ProfileData) -> RefreshNeed {
        default_refresh_need(ctx.now, profile, Duration::days(7))
    }

    /// Refreshes what can be refreshed and returns the complete set to store. `force`
    /// ignores the refresh window and the once-a-day limit (never the issuer's rules).
    fn refresh(
        &self,
        _ctx: &Context,
        _profile: &ProfileData,
        _force: bool,
    ) -> Result<TokenSet, ProviderError> {
        Err(ProviderError::unsupported(
            &self.describe().name,
            "refresh tokens",
        ))
    }

    /// Asks the issuer about each stored token (or only `token` when given).
    fn inspect(
        &self,
        _ctx: &Context,
        _profile: &ProfileData,
        _token: Option<&str>,
    ) -> Result<Vec<Inspection>, ProviderError> {
        Err(ProviderError::unsupported(
            &self.describe().name,
            "inspect tokens",
        ))
    }

    /// Lists the pages the user manages and returns the complete set of tokens to store,
    /// with one token per page.
    fn pages(&self, _ctx: &Context, _profile: &ProfileData) -> Result<TokenSet, ProviderError> {
        Err(ProviderError::unsupported(
            &self.describe().name,
            "list pages",
        ))
    }

    /// The variables to inject, under their standard names.
    fn env(
        &self,
        profile: &ProfileData,
        options: &EnvOptions,
    ) -> Result<Vec<EnvVar>, ProviderError>;
}

/// Fails when the profile holds a setting the provider does not declare (a typo like
/// `refresh_windows_days` would otherwise be stored and silently ignored), or holds a
/// secret field among the plain settings or the other way round.
pub fn check_known_fields(
    description: &Description,
    profile: &ProfileData,
) -> Result<(), ProviderError> {
    let known: Vec<&str> = description.fields.iter().map(|f| f.name.as_str()).collect();
    let keys = profile
        .config
        .keys()
        .map(|k| (k, false))
        .chain(profile.secrets.keys().map(|k| (k, true)));
    for (key, in_secrets) in keys {
        let Some(field) = description.fields.iter().find(|f| &f.name == key) else {
            return Err(ProviderError::new(
                crate::ErrorKind::BadRequest,
                format!(
                    "the {} provider has no setting `{key}` (it reads: {})",
                    description.name,
                    known.join(", ")
                ),
            ));
        };
        if field.secret != in_secrets {
            let (is, belongs) = if field.secret {
                ("config", "secrets")
            } else {
                ("secrets", "config")
            };
            return Err(ProviderError::new(
                crate::ErrorKind::BadRequest,
                format!("`{key}` is in `{is}` but belongs in `{belongs}`"),
            ));
        }
    }
    Ok(())
}

/// The first field the description marks required that `profile` lacks (missing or empty).
pub fn missing_required_field<'a>(
    description: &'a Description,
    profile: &ProfileData,
) -> Option<&'a FieldSpec> {
    description.fields.iter().filter(|f| f.required).find(|f| {
        if f.secret {
            profile.secret(&f.name).is_none()
        } else {
            profile.config(&f.name).is_none()
        }
    })
}

/// Fails when a field the description marks required is missing or empty.
pub fn check_required_fields(
    description: &Description,
    profile: &ProfileData,
) -> Result<(), ProviderError> {
    match missing_required_field(description, profile) {
        Some(field) => Err(ProviderError::new(
            crate::ErrorKind::BadRequest,
            format!(
                "the {} provider needs `{}` ({})",
                description.name, field.name, field.description
            ),
        )),
        None => Ok(()),
    }
}

/// The refresh policy shared by issuers of re-exchangeable long-lived tokens: look at the
/// first token (the primary one) and call a refresh due when it has a scheduled expiry
/// inside `window`, has not expired, and was not obtained within the last 24 hours. A token
/// with no scheduled expiry is never due: re-exchanging it could shorten its life.
pub fn default_refresh_need(
    now: DateTime<Utc>,
    profile: &ProfileData,
    window: Duration,
) -> RefreshNeed {
    let Some(token) = profile.tokens.first() else {
        return RefreshNeed::Missing;
    };
    if token.invalid.is_some() {
        return RefreshNeed::Expired;
    }
    let Some(expires_at) = token.expires_at else {
        return RefreshNeed::Fresh;
    };
    if expires_at <= now {
        return RefreshNeed::Expired;
    }
    let recently_obtained = token
        .obtained_at
        .is_some_and(|at| now.signed_duration_since(at) < Duration::hours(24));
    if expires_at - now <= window && !recently_obtained {
        RefreshNeed::Due
    } else {
        RefreshNeed::Fresh
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TokenKind;

    fn profile(expires_in: Option<Duration>, obtained_ago: Option<Duration>) -> ProfileData {
        let now = Utc::now();
        let mut t = Token::new(
            "user",
            TokenKind::User,
            "x".into(),
            expires_in.map(|d| now + d),
        );
        t.obtained_at = obtained_ago.map(|d| now - d);
        ProfileData {
            name: "p".into(),
            tokens: vec![t],
            ..Default::default()
        }
    }

    fn need(p: &ProfileData) -> RefreshNeed {
        default_refresh_need(Utc::now(), p, Duration::days(7))
    }

    #[test]
    fn fresh_outside_the_window() {
        assert_eq!(
            need(&profile(Some(Duration::days(30)), None)),
            RefreshNeed::Fresh
        );
    }

    #[test]
    fn due_inside_the_window() {
        let p = profile(Some(Duration::days(3)), Some(Duration::days(50)));
        assert_eq!(need(&p), RefreshNeed::Due);
    }

    #[test]
    fn at_most_once_a_day() {
        let p = profile(Some(Duration::days(3)), Some(Duration::hours(2)));
        assert_eq!(need(&p), RefreshNeed::Fresh);
    }

    #[test]
    fn never_expiring_is_never_due() {
        assert_eq!(need(&profile(None, None)), RefreshNeed::Fresh);
    }

    #[test]
    fn expired_needs_login() {
        let p = profile(Some(Duration::seconds(-5)), None);
        assert_eq!(need(&p), RefreshNeed::Expired);
    }

    #[test]
    fn no_token_is_missing() {
        let p = ProfileData::default();
        assert_eq!(need(&p), RefreshNeed::Missing);
    }
}
