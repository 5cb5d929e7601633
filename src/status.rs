//! Token states for `list` and `status`, computed offline from what the profile stores,
//! with the fields, warnings and advice the profile's provider adds
//! ([`TokenProvider::status`](fbvault_provider::TokenProvider::status)).

use std::borrow::Cow;

use chrono::{DateTime, Duration, Utc};
use fbvault_provider::{Context, StatusExtras, Token};
use serde::Serialize;
use serde_json::Value;

use crate::config::Paths;
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
    /// What the profile's provider adds (`TokenProvider::status`); the schema lists the
    /// fields of the built-in providers (`TokenProvider::status_schema`).
    #[serde(flatten)]
    pub extras: Extras,
}

/// Fields a provider adds to a row, in the provider's order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Extras(pub Vec<(String, Value)>);

impl Extras {
    /// The value of one field.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }
}

impl Serialize for Extras {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl schemars::JsonSchema for Extras {
    fn schema_name() -> Cow<'static, str> {
        "ProviderFields".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let mut properties = serde_json::Map::new();
        for builtin in crate::providers::BUILTIN {
            if let Some(schema) = builtin.build().status_schema()
                && let Some(Value::Object(p)) = schema.get("properties")
            {
                properties.extend(p.clone());
            }
        }
        schemars::json_schema!({"type": "object", "properties": properties})
    }
}

/// What a profile's provider adds to its rows at `now` (nothing when no provider answers
/// to its name: `status` still shows what the vault knows).
pub fn extras(profile: &Profile, paths: &Paths, now: DateTime<Utc>) -> StatusExtras {
    crate::providers::find(&profile.provider, paths)
        .map(|p| p.status(&Context { now }, &profile.data()))
        .unwrap_or_default()
}

/// Whole days from `now` to `at`, rounded toward negative infinity.
pub fn days_until(now: DateTime<Utc>, at: DateTime<Utc>) -> i64 {
    (at - now).num_seconds().div_euclid(86_400)
}

/// `today`, `in 1 day`, `in 5 days`.
pub fn time_left(now: DateTime<Utc>, at: DateTime<Utc>) -> String {
    match days_until(now, at) {
        0 => "today".to_string(),
        1 => "in 1 day".to_string(),
        d => format!("in {d} days"),
    }
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
pub fn row(
    profile: &Profile,
    token: Option<&Token>,
    now: DateTime<Utc>,
    warn_days: i64,
    extras: &StatusExtras,
) -> Row {
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
        extras: Extras(extras.row_fields(token.map(|t| t.name.as_str()))),
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
