//! Token states for `list` and `status`, computed offline from what the profile stores,
//! and (Facebook) the Graph API version of each profile against the provider's version
//! table.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use fbvault_provider::Token;
use serde::Serialize;

use crate::vault::Profile;

/// The state of a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Valid and not expiring soon.
    Ok,
    /// Expires inside the warning window.
    Expiring,
    /// Expired.
    Expired,
    /// The issuer declared it invalid.
    Invalid,
    /// The profile has no token yet: `run` cannot work until a login.
    Missing,
    /// Nothing known.
    Unknown,
}

impl State {
    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Ok => "ok",
            State::Expiring => "expiring",
            State::Expired => "expired",
            State::Invalid => "invalid",
            State::Missing => "missing",
            State::Unknown => "unknown",
        }
    }

    /// Whether `status --check` should fail on it.
    pub fn needs_attention(self) -> bool {
        matches!(
            self,
            State::Expiring | State::Expired | State::Invalid | State::Missing
        )
    }
}

/// One row of `list` or `status` (`--json` prints an array of them; described by
/// `schemas/status.schema.json`). Adding a field is fine; renaming one breaks scripts.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[schemars(title = "fbvault list/status row (--json)")]
pub struct Row {
    /// The profile name.
    pub profile: String,
    /// The provider.
    pub provider: String,
    /// The token's name (`user`, `page:123`); `null` when the profile has none.
    pub token: Option<String>,
    /// `user`, `page`, …; `null` when there is no token.
    pub kind: Option<String>,
    /// A page's name.
    pub label: Option<String>,
    /// Expiry (RFC 3339), `null` for never.
    pub expires_at: Option<DateTime<Utc>>,
    /// Data-access expiry (RFC 3339), `null` for none.
    pub data_access_expires_at: Option<DateTime<Utc>>,
    /// Whole days until expiry (negative once expired), `null` for never.
    pub days_left: Option<i64>,
    /// Whole days until data access expires, `null` for none.
    pub data_access_days_left: Option<i64>,
    /// The state.
    pub state: State,
    /// (Facebook) the Graph API version the profile calls.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub graph_version: Option<String>,
    /// (Facebook) the day the Marketing API stops serving that version; `null` when not
    /// announced or the version is unknown.
    #[serde(skip_serializing_if = "skip_marketing")]
    pub marketing_api_until: Option<Option<NaiveDate>>,
    /// (Facebook user tokens) the day by which a new login is needed: Facebook does not
    /// extend user tokens.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub login_by: Option<DateTime<Utc>>,
}

fn skip_marketing(v: &Option<Option<NaiveDate>>) -> bool {
    v.is_none()
}

/// The Graph API version of a Facebook profile (`None` for other providers).
pub fn graph_version(profile: &Profile) -> Option<String> {
    (profile.provider == "facebook").then(|| {
        profile
            .config
            .get("graph_version")
            .filter(|v| !v.is_empty())
            .cloned()
            .unwrap_or_else(|| fbvault_facebook::DEFAULT_GRAPH_VERSION.to_string())
    })
}

/// What `status` warns about a profile's Graph API version on `today`, if anything.
pub fn version_warning(profile: &Profile, today: NaiveDate) -> Option<String> {
    let v = graph_version(profile)?;
    fbvault_facebook::versions::warning(&v, today)
}

/// Whole days from `now` to `at`, rounded toward negative infinity.
pub fn days_until(now: DateTime<Utc>, at: DateTime<Utc>) -> i64 {
    (at - now).num_seconds().div_euclid(86_400)
}

/// The state of a token at `now` with a warning window of `warn_days`.
pub fn state(token: &Token, now: DateTime<Utc>, warn_days: i64) -> State {
    if token.invalid.is_some() {
        return State::Invalid;
    }
    match token.expires_at {
        None => State::Ok,
        Some(at) if at <= now => State::Expired,
        Some(at) if at - now <= Duration::days(warn_days) => State::Expiring,
        Some(_) => State::Ok,
    }
}

/// The row of one token of a profile (or of a profile without tokens).
pub fn row(profile: &Profile, token: Option<&Token>, now: DateTime<Utc>, warn_days: i64) -> Row {
    Row {
        profile: profile.name.clone(),
        provider: profile.provider.clone(),
        token: token.map(|t| t.name.clone()),
        kind: token.map(|t| t.kind.as_str().to_string()),
        label: token.and_then(|t| t.label.clone()),
        expires_at: token.and_then(|t| t.expires_at),
        data_access_expires_at: token.and_then(|t| t.data_access_expires_at),
        days_left: token
            .and_then(|t| t.expires_at)
            .map(|at| days_until(now, at)),
        data_access_days_left: token
            .and_then(|t| t.data_access_expires_at)
            .map(|at| days_until(now, at)),
        state: token.map_or(State::Missing, |t| state(t, now, warn_days)),
        graph_version: graph_version(profile),
        marketing_api_until: graph_version(profile)
            .map(|v| fbvault_facebook::versions::lookup(&v).and_then(|e| e.marketing_end())),
        login_by: token
            .filter(|t| {
                profile.provider == "facebook" && t.kind == fbvault_provider::TokenKind::User
            })
            .and_then(|t| t.expires_at),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fbvault_provider::TokenKind;

    fn token(expires_in: Option<Duration>) -> Token {
        Token::new(
            "user",
            TokenKind::User,
            "v".into(),
            expires_in.map(|d| Utc::now() + d),
        )
    }

    #[test]
    fn states_follow_expiry_and_window() {
        let now = Utc::now();
        assert_eq!(state(&token(None), now, 7), State::Ok);
        assert_eq!(state(&token(Some(Duration::days(30))), now, 7), State::Ok);
        assert_eq!(
            state(&token(Some(Duration::days(3))), now, 7),
            State::Expiring
        );
        assert_eq!(
            state(&token(Some(Duration::seconds(-1))), now, 7),
            State::Expired
        );
        let mut dead = token(Some(Duration::days(30)));
        dead.invalid = Some("password changed".into());
        assert_eq!(state(&dead, now, 7), State::Invalid);
    }

    #[test]
    fn days_round_down() {
        let now = Utc::now();
        assert_eq!(days_until(now, now + Duration::hours(47)), 1);
        assert_eq!(days_until(now, now - Duration::hours(1)), -1);
    }
}
