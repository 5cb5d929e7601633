//! Preparing a run (`run` and `env`): choose the profile, refuse a bad rename before
//! anything is written, refresh the tokens when due (under the profile lock, with the
//! back-off of [`super::refresh`]), and build the variables the child gets.
//!
//! A refresh that fails while the stored token is still valid is a warning, not an error:
//! the command runs with the stored token. A refusal, or a token that is no longer valid,
//! stops the run.

use chrono::{Duration, Utc};
use fbvault_provider::{Context, EnvOptions, RefreshNeed};

use super::refresh::{Failure, Refreshed};
use super::{AppError, Session};
use crate::config::project::Project;
use crate::runner::{self, Var};
use crate::status::{State, state, time_left};
use crate::vault::{Profile, ProfileName};

/// What the command line asked for.
#[derive(Debug, Clone, Default)]
pub struct Request<'a> {
    /// The profile named on the command line, if any.
    pub given: Option<&'a ProfileName>,
    /// The page (id or name) to act as, if any.
    pub page: Option<String>,
    /// Never refresh first.
    pub no_refresh: bool,
}

/// The variables of the profile chosen for `request`, its tokens refreshed first when due.
pub fn prepare(
    session: &Session,
    project: Option<&Project>,
    request: &Request,
) -> Result<Vec<Var>, AppError> {
    let name = super::select::chosen(&session.vault, project, request.given)?;
    let mut profile = session.read(&name)?;
    let no_renames = Default::default();
    let project_env = project.map_or(&no_renames, |p| &p.env);
    // A refused rename stops here, before a refresh could write anything.
    runner::check_renames(&profile.env, project_env)?;
    let provider = session.provider(&profile)?;
    let due = !request.no_refresh
        && provider.refresh_due(&Context::now(), &profile.data()) == RefreshNeed::Due;
    if due {
        profile = refreshed(session, &name, profile)?;
    }
    let options = EnvOptions {
        target: request
            .page
            .clone()
            .or_else(|| project.and_then(|p| p.page.clone())),
        include_secrets: profile.inject_secrets,
    };
    let vars = provider
        .env(&profile.data(), &options)
        .map_err(|e| AppError::provider(e, name.as_str()))?;
    let renames = profile.env.keys().chain(project_env.keys());
    // Known: what this profile's provider and every built-in one may inject.
    let known = || {
        let mut all = provider.describe().all_variables();
        all.extend(crate::providers::builtin_variables());
        all
    };
    for key in runner::unknown_renames(renames, &vars, known) {
        session.reporter.warn(&format!(
            "the rename of `{key}` matches no variable (a typo?)"
        ));
    }
    let vars = runner::apply_renames(vars, &profile.env, project_env)?;
    warn_about_expiry(session, &profile, &vars);
    Ok(vars)
}

/// The profile after a refresh that was due: the fresh one, or the stored one with a
/// warning when the refresh cannot happen or failed while the token is still valid.
fn refreshed(session: &Session, name: &ProfileName, profile: Profile) -> Result<Profile, AppError> {
    let warn = |line: String| session.reporter.warn(&line);
    if session.vault.is_read_only() {
        warn(format!(
            "{name}'s token is due for a refresh, but the vault is read-only here; using the stored token (a job without --read-only refreshes it)"
        ));
        return Ok(profile);
    }
    match session.refresh_for_run(name) {
        Ok(Refreshed::Stored(fresh) | Refreshed::Unchanged(fresh) | Refreshed::Asked(fresh, _)) => {
            Ok(fresh)
        }
        // A refresh failed within the hour (maybe the one this run waited for): each try
        // costs up to ~30 s and, when throttled, extends the block.
        Ok(Refreshed::Failed(fresh, at)) => {
            warn(format!(
                "{name}: the last refresh failed at {}; using the stored token until {} (`fbvault refresh {name}` tries now)",
                at.format("%Y-%m-%d %H:%M UTC"),
                (at + Duration::hours(1)).format("%Y-%m-%d %H:%M UTC")
            ));
            Ok(fresh)
        }
        Ok(Refreshed::NoToken) => Ok(profile),
        Err(e) => {
            let still_valid = profile
                .primary_token()
                .is_some_and(|t| !t.is_expired(Utc::now()) && t.invalid.is_none());
            // A refusal means the token is dead whatever the clock says.
            if e.failure() == Some(Failure::Refused) || !still_valid {
                return Err(e);
            }
            warn(format!("{e}; using the stored token, which is still valid"));
            Ok(profile)
        }
    }
}

/// Warns when the primary token expires within `status`'s window, or has expired while
/// another token (a page's) was injected.
fn warn_about_expiry(session: &Session, profile: &Profile, vars: &[Var]) {
    let Some(user) = profile.primary_token() else {
        return;
    };
    let Some(at) = user.expires_at else { return };
    let now = Utc::now();
    let name = &profile.name;
    if at <= now {
        // The primary token was not injected (another one was, like a page's).
        if !vars.iter().any(|v| v.value.expose() == user.value.expose()) {
            session.reporter.warn(&format!(
                "{name}'s user token expired on {}; only the page token was injected. Run `fbvault login {name}`",
                at.format("%Y-%m-%d")
            ));
        }
        return;
    }
    // The same window as `status`'s default "expiring".
    if state(user, now, 7) == State::Expiring {
        let when = time_left(now, at);
        session.reporter.warn(&format!(
            "{name}'s token expires {when}; run `fbvault login {name}`"
        ));
    }
}
