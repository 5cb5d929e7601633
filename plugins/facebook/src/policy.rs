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

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(
        kind: TokenKind,
        expires_in: i64,
        issued_ago: Option<i64>,
        obtained_ago: i64,
    ) -> ProfileData {
        let now = Utc::now();
        let mut t = Token::new(
            "user",
            kind,
            "x".into(),
            Some(now + Duration::days(expires_in)),
        );
        t.issued_at = issued_ago.map(|d| now - Duration::days(d));
        t.obtained_at = Some(now - Duration::days(obtained_ago));
        ProfileData {
            name: "p".into(),
            tokens: vec![t],
            ..Default::default()
        }
    }

    fn need(p: &ProfileData) -> RefreshNeed {
        refresh_need(Utc::now(), p, Duration::days(7))
    }

    #[test]
    fn age_counts_from_issued_at() {
        // Stored today, issued 58 days ago, 2 days left: due.
        assert_eq!(
            need(&profile(TokenKind::User, 2, Some(58), 0)),
            RefreshNeed::Due
        );
        // Issued today (a fresh exchange), even if stored long ago: not yet.
        assert_eq!(
            need(&profile(TokenKind::User, 2, Some(0), 30)),
            RefreshNeed::Fresh
        );
        // No issued_at: when fbvault obtained it.
        assert_eq!(
            need(&profile(TokenKind::User, 2, None, 0)),
            RefreshNeed::Fresh
        );
        assert_eq!(
            need(&profile(TokenKind::User, 2, None, 3)),
            RefreshNeed::Due
        );
    }

    #[test]
    fn system_users_get_at_least_14_days() {
        assert_eq!(
            need(&profile(TokenKind::User, 10, Some(50), 50)),
            RefreshNeed::Fresh
        );
        assert_eq!(
            need(&profile(TokenKind::SystemUser, 10, Some(50), 50)),
            RefreshNeed::Due
        );
        assert_eq!(
            need(&profile(TokenKind::SystemUser, 20, Some(40), 40)),
            RefreshNeed::Fresh
        );
    }

    #[test]
    fn page_tokens_are_never_due() {
        assert_eq!(
            need(&profile(TokenKind::Page, 2, Some(58), 58)),
            RefreshNeed::Fresh
        );
    }
}
