//! The refresh policy: whether to ask the provider for a refresh, from its offline verdict
//! ([`RefreshNeed`]) and this machine's notes about the last attempts, and what a failed
//! refresh means for `run` — typed, so no caller compares exit codes.
//!
//! - Fresh (and not forced), or no token: nobody is asked.
//! - Due: not asked again within 24 h of a refresh that gave the same tokens back; for
//!   `run`, not within the hour after a refusal (the refusal stands) or a failure (the
//!   stored tokens are used). Notes older than the profile's last change are about tokens it
//!   no longer holds and count for nothing.
//! - Forced, or expired: asked (an expired token's provider says why only a login helps).

use chrono::{DateTime, Duration, Utc};
use fbvault_provider::{ErrorKind, RefreshNeed};

use crate::vault::Profile;

/// What a refresh did.
pub enum Refreshed {
    /// New tokens were stored.
    Stored(Profile),
    /// Nothing changed: not due, or the issuer gave the same tokens back.
    Unchanged(Profile),
    /// The profile has no token yet: only a login can help.
    NoToken,
    /// Due, but the issuer was asked `at` (less than 24 h ago) and gave the same tokens
    /// back: not asked again.
    Asked(Profile, DateTime<Utc>),
    /// (`run` only) Due, but a refresh failed `at`, less than an hour ago (perhaps the one
    /// this run waited for): not tried again; the stored tokens are used.
    Failed(Profile, DateTime<Utc>),
}

/// This machine's notes about a profile's last refresh attempts.
#[derive(Debug, Clone, Default)]
pub struct Notes {
    /// The last attempt that gave the same tokens back.
    pub asked: Option<DateTime<Utc>>,
    /// The last refusal during a `run`, and its message.
    pub refused: Option<(DateTime<Utc>, String)>,
    /// The last other failure during a `run`.
    pub failed: Option<DateTime<Utc>>,
}

/// What to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Ask the provider.
    Ask,
    /// No token: nothing to refresh.
    NoToken,
    /// Fresh: nothing to do.
    Fresh,
    /// Asked at this time and given the same tokens back: not again yet.
    AskedAt(DateTime<Utc>),
    /// (`run`) Failed at this time: use the stored tokens.
    FailedAt(DateTime<Utc>),
    /// (`run`) Refused within the hour, with this message: the refusal stands.
    Refused(String),
}

/// How a provider's failure bears on what comes next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The issuer refused the token or credentials: it is dead whatever the clock says.
    Refused,
    /// The issuer could not be reached or is throttling: the stored token may still serve,
    /// and every further call (to any profile of the same app) extends a throttle.
    Unreachable,
    /// Anything else (a bug, a bad answer): the stored token may still serve.
    Other,
}

impl Failure {
    /// The failure of a provider error of `kind`.
    pub fn of(kind: ErrorKind) -> Failure {
        match kind {
            ErrorKind::InvalidGrant => Failure::Refused,
            ErrorKind::Unreachable | ErrorKind::RateLimited => Failure::Unreachable,
            _ => Failure::Other,
        }
    }
}

/// A note's time when it is within `span` before `now` (a note dated in the future is
/// ignored) and not older than the profile's last change.
fn recent(
    at: Option<DateTime<Utc>>,
    span: Duration,
    now: DateTime<Utc>,
    changed: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    at.filter(|at| *at <= now && now - *at < span && *at >= changed)
}

/// Decides; `notes` is read only when the refresh is due and not forced.
pub fn decide(
    need: RefreshNeed,
    force: bool,
    from_run: bool,
    notes: impl FnOnce() -> Notes,
    changed: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Decision {
    match need {
        RefreshNeed::Missing => Decision::NoToken,
        RefreshNeed::Fresh if !force => Decision::Fresh,
        RefreshNeed::Due if !force => {
            let notes = notes();
            if let Some(at) = recent(notes.asked, Duration::hours(24), now, changed) {
                return Decision::AskedAt(at);
            }
            if !from_run {
                return Decision::Ask;
            }
            if let Some((at, why)) = notes.refused
                && recent(Some(at), Duration::hours(1), now, changed).is_some()
            {
                return Decision::Refused(why);
            }
            match recent(notes.failed, Duration::hours(1), now, changed) {
                Some(at) => Decision::FailedAt(at),
                None => Decision::Ask,
            }
        }
        _ => Decision::Ask,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(hours_ago: i64) -> DateTime<Utc> {
        Utc::now() - Duration::hours(hours_ago)
    }

    fn due(from_run: bool, notes: Notes) -> Decision {
        let changed = at(100);
        decide(
            RefreshNeed::Due,
            false,
            from_run,
            || notes,
            changed,
            Utc::now(),
        )
    }

    #[test]
    fn fresh_and_missing_ask_nobody_and_read_no_notes() {
        let now = Utc::now();
        let unread = || -> Notes { panic!("notes read") };
        assert_eq!(
            decide(RefreshNeed::Fresh, false, true, unread, now, now),
            Decision::Fresh
        );
        assert_eq!(
            decide(RefreshNeed::Missing, true, true, unread, now, now),
            Decision::NoToken
        );
        assert_eq!(
            decide(RefreshNeed::Expired, false, true, unread, now, now),
            Decision::Ask
        );
        assert_eq!(
            decide(RefreshNeed::Fresh, true, false, unread, now, now),
            Decision::Ask
        );
    }

    #[test]
    fn same_tokens_back_waits_a_day() {
        let asked = at(3);
        let notes = Notes {
            asked: Some(asked),
            ..Default::default()
        };
        assert_eq!(due(false, notes), Decision::AskedAt(asked));
        let old = Notes {
            asked: Some(at(25)),
            ..Default::default()
        };
        assert_eq!(due(false, old), Decision::Ask);
    }

    #[test]
    fn run_backs_off_an_hour_after_a_failure_or_refusal() {
        let failed = Notes {
            failed: Some(at(0)),
            ..Default::default()
        };
        assert!(matches!(due(true, failed.clone()), Decision::FailedAt(_)));
        assert_eq!(
            due(false, failed),
            Decision::Ask,
            "refresh itself tries again"
        );
        let refused = Notes {
            refused: Some((at(0), "no".into())),
            ..Default::default()
        };
        assert_eq!(due(true, refused), Decision::Refused("no".into()));
        let stale = Notes {
            failed: Some(at(2)),
            ..Default::default()
        };
        assert_eq!(due(true, stale), Decision::Ask);
    }

    #[test]
    fn notes_older_than_the_profile_count_for_nothing() {
        let notes = Notes {
            asked: Some(at(3)),
            ..Default::default()
        };
        let changed = at(1);
        assert_eq!(
            decide(
                RefreshNeed::Due,
                false,
                false,
                || notes,
                changed,
                Utc::now()
            ),
            Decision::Ask
        );
    }

    #[test]
    fn only_an_invalid_grant_is_a_refusal() {
        assert_eq!(Failure::of(ErrorKind::InvalidGrant), Failure::Refused);
        assert_eq!(Failure::of(ErrorKind::Unreachable), Failure::Unreachable);
        assert_eq!(Failure::of(ErrorKind::RateLimited), Failure::Unreachable);
        assert_eq!(Failure::of(ErrorKind::BadRequest), Failure::Other);
        assert_eq!(Failure::of(ErrorKind::Internal), Failure::Other);
    }
}
