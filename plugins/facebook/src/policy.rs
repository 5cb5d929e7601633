//! Facebook's refresh policy, decided offline: which token is short-lived (and so
//! exchanged at login), when a stored token is due for a re-exchange (its own age from
//! `issued_at`, the refresh window, 14 days for system users), and what to say when
//! Facebook gives the same token back.

use chrono::{DateTime, Duration, Utc};
use fbvault_provider::{ProfileData, RefreshNeed, Token, TokenKind};

use crate::api::{DebugInfo, time};
use crate::{SHORT_LIVED, SYSTEM_USER_WINDOW_DAYS};

/// A user token with less than [`SHORT_LIVED`] to live (the ~1-hour tokens of a login).
pub(crate) fn short_lived(info: &DebugInfo, now: DateTime<Utc>) -> bool {
    time(info.expires_at).is_some_and(|at| at - now < SHORT_LIVED)
}

/// The note for a re-exchange that gave the same token back.
pub(crate) fn same_token_note(old: &Token, profile: &str) -> String {
    let by = old.expires_at.map_or_else(
        || "before it expires".into(),
        |a| format!("by {}", a.format("%Y-%m-%d")),
    );
    format!(
        "Facebook did not extend the token (it gave the same one back; it does not extend long-lived tokens): log in again {by} with `fbvault login {profile}`"
    )
}

/// Facebook's offline refresh rule. The first token decides: a page token never needs a
/// refresh; a user token inside the refresh window (a system-user token inside at least
/// [`SYSTEM_USER_WINDOW_DAYS`]) is due once it is a day old, counted from Facebook's
/// `issued_at` (else from when fbvault obtained it); no expiry means never due.
pub fn refresh_need(now: DateTime<Utc>, profile: &ProfileData, window: Duration) -> RefreshNeed {
    let Some(token) = profile.tokens.first() else {
        return RefreshNeed::Missing;
    };
    if token.invalid.is_some() || token.is_expired(now) {
        return RefreshNeed::Expired;
    }
    let Some(expires_at) = token.expires_at else {
        return RefreshNeed::Fresh;
    };
    if token.kind == TokenKind::Page {
        return RefreshNeed::Fresh;
    }
    let window = if token.kind == TokenKind::SystemUser {
        window.max(Duration::days(SYSTEM_USER_WINDOW_DAYS))
    } else {
        window
    };
    let young = token
        .issued_at
        .or(token.obtained_at)
        .is_some_and(|at| now.signed_duration_since(at) < Duration::hours(24));
    if expires_at - now <= window && !young {
        RefreshNeed::Due
    } else {
        RefreshNeed::Fresh
    }
}
