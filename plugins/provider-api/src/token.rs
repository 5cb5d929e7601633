//! [`Token`]: one stored credential with everything fbvault needs to decide, without any
//! network call, whether it is still good: expiry, data-access expiry, when fbvault last
//! obtained it, and a mark when the issuer declared it dead.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::Secret;

/// What a token stands for, as the issuer reports it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    /// A (long-lived) user access token.
    User,
    /// A Page access token derived from a user token.
    Page,
    /// An app access token.
    App,
    /// A Business Manager system-user token.
    SystemUser,
    /// Anything else (external providers).
    #[default]
    Other,
}

impl TokenKind {
    /// The lowercase name used in tables and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenKind::User => "user",
            TokenKind::Page => "page",
            TokenKind::App => "app",
            TokenKind::SystemUser => "system_user",
            TokenKind::Other => "other",
        }
    }
}

/// One stored token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Token {
    /// Unique within a profile: `user`, `page:<page id>`, or a provider's own name.
    pub name: String,
    /// What the token stands for (`other` when not given).
    #[serde(default)]
    pub kind: TokenKind,
    /// The token itself.
    pub value: Secret,
    /// When it expires; `null` means it has no scheduled expiry ("never").
    pub expires_at: Option<DateTime<Utc>>,
    /// When the 90-day data-access period ends; `null` when there is none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_access_expires_at: Option<DateTime<Utc>>,
    /// When the issuer says it issued the token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued_at: Option<DateTime<Utc>>,
    /// When fbvault last obtained this token from the issuer (exchange or refresh); used to
    /// refresh at most once per day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub obtained_at: Option<DateTime<Utc>>,
    /// Granted permissions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes: Vec<String>,
    /// Who the token acts for: the app-scoped user id, or the page id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// A human name for the subject (a page's name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// What the user may do with the subject (a page's tasks: `MANAGE`, `CREATE_CONTENT`, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tasks: Vec<String>,
    /// The environment variable an external provider asks this token to be injected as.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env: Option<String>,
    /// Set when the issuer declared the token invalid (revoked, password changed, …): why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invalid: Option<String>,
}

impl Token {
    /// A token with only the required fields set.
    pub fn new(
        name: impl Into<String>,
        kind: TokenKind,
        value: Secret,
        expires_at: Option<DateTime<Utc>>,
    ) -> Self {
        Token {
            name: name.into(),
            kind,
            value,
            expires_at,
            data_access_expires_at: None,
            issued_at: None,
            obtained_at: None,
            scopes: Vec::new(),
            subject: None,
            label: None,
            tasks: Vec::new(),
            env: None,
            invalid: None,
        }
    }

    /// True when the token has a scheduled expiry that has passed.
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        self.expires_at.is_some_and(|at| at <= now)
    }
}
