//! How times, tokens and profiles look to humans.

use chrono::{DateTime, Utc};
use fbvault_provider::{Token, TokenKind};

pub use crate::status::time_left;
use crate::vault::Profile;

/// Shows what a profile holds now: the headline, then one line per token.
pub fn report(ui: &super::Ui, headline: String, profile: &Profile, now: DateTime<Utc>) {
    ui.info(headline);
    for line in token_summary(profile, now) {
        ui.info(format!("  {line}"));
    }
}

/// `2027-01-25 10:00 UTC`, or `never`.
pub fn when(at: Option<DateTime<Utc>>) -> String {
    at.map_or_else(
        || "never".to_string(),
        |a| a.format("%Y-%m-%d %H:%M UTC").to_string(),
    )
}

/// `expires 2027-01-25 (in 60 days)` / `never expires` / `expired 2026-01-02`.
pub fn expiry(at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
    match at {
        None => "never expires".into(),
        Some(a) if a <= now => format!("expired {}", a.format("%Y-%m-%d")),
        Some(a) => format!("expires {} ({})", a.format("%Y-%m-%d"), time_left(now, a)),
    }
}

/// Text that came from outside (page names, Facebook's reasons) fit for a terminal:
/// control characters and bidi overrides escaped (`\u{1b}`, `\r`), the rest as it is
/// (the one rule of [`crate::vault::text`]).
pub fn outside(text: &str) -> String {
    crate::vault::text::escape_controls(text)
}

/// A token's name for humans: `user token`, `page Cute Kitten Page (111…)`.
pub fn token_title(t: &Token) -> String {
    let label = t.label.as_deref().map(outside);
    let subject = t.subject.as_deref().map(outside);
    match (t.kind, &label, &subject) {
        (TokenKind::Page, Some(label), Some(id)) => format!("page {label} ({id})"),
        (TokenKind::Page, None, Some(id)) => format!("page {id}"),
        (kind, _, _) => format!("{} token", kind.as_str().replace('_', "-")),
    }
}

/// One line per token: what was stored and until when.
pub fn token_summary(profile: &Profile, now: DateTime<Utc>) -> Vec<String> {
    profile
        .tokens
        .iter()
        .map(|t| {
            let mut line = format!("{}: {}", token_title(t), expiry(t.expires_at, now));
            if let Some(da) = t.data_access_expires_at {
                line.push_str(&format!(", data access until {}", da.format("%Y-%m-%d")));
            }
            line
        })
        .collect()
}

/// The day by which a profile needs a new login: the expiry of its user token (Facebook
/// does not extend user tokens), `None` for other kinds and for tokens that never expire.
pub fn login_by(profile: &Profile) -> Option<String> {
    let t = profile.primary_token()?;
    (t.kind == TokenKind::User)
        .then_some(t.expires_at)
        .flatten()
        .map(|at| at.format("%Y-%m-%d").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outside_text_has_its_controls_escaped() {
        assert_eq!(
            outside("Caf\u{e9} \u{1b}[2J\r\n"),
            "Caf\u{e9} \\u{1b}[2J\\r\\n"
        );
    }
}
