//! `fbvault refresh NAME | --all`: let the provider refresh what can be refreshed.

use chrono::Utc;

use crate::app;
use crate::cli::{CliError, Ctx, Refreshed, Session, code};
use crate::vault::ProfileName;

/// Refresh a profile's tokens now (normally `run` does it when they are due).
///
/// A long-lived Facebook user token is re-exchanged inside its refresh window (7 days
/// before expiry; 14 for an expiring system-user token), at most once a day of the
/// token's age; --force re-exchanges it anyway. Facebook usually gives a user token back
/// unchanged: then nothing is rewritten, fbvault waits 24 h before asking again, and the
/// only way to a fresh token is a new login (`fbvault login NAME`). A token that never
/// expires is never re-exchanged, and an expired one cannot be. --all refreshes a few
/// profiles at a time.
///
/// Example: fbvault refresh --all
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(flatten)]
    which: crate::cli::select::Which,
    /// Every profile
    #[arg(long, conflicts_with_all = ["name", "profile"])]
    all: bool,
    /// Refresh even when not due
    #[arg(long)]
    force: bool,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<u8, CliError> {
    let session = ctx.session()?;
    let names = if args.all {
        session.vault.names()?
    } else {
        vec![args.which.choose(ctx, &session)?]
    };
    let single = names.len() == 1 && !args.all;
    if single {
        return report(
            ctx,
            &names[0],
            session
                .refresh(&names[0], args.force)
                .map_err(CliError::from),
            true,
        )
        .map(|()| 0);
    }
    let results = refresh_all(&session, &names, args.force);
    let mut worst: Option<CliError> = None;
    for (name, result) in names.iter().zip(results) {
        if let Err(e) = report(ctx, name, result, false) {
            crate::cli::ui::err_line(&e.to_string());
            if worst.as_ref().is_none_or(|w| e.code > w.code) {
                worst = Some(e);
            }
        }
    }
    Ok(worst.map_or(0, |w| w.code))
}

/// Refreshes `names` a few at a time, in name order ([`app::batch::each`]: once the
/// provider cannot be reached or is throttling, the profiles not yet started are skipped).
fn refresh_all(
    session: &Session,
    names: &[ProfileName],
    force: bool,
) -> Vec<Result<Refreshed, CliError>> {
    app::batch::each(names, |name| session.refresh(name, force))
        .into_iter()
        .map(|r| r.map_err(CliError::from))
        .collect()
}

/// Says what a refresh did; a failure, or (for one named profile) no token, is the error.
fn report(
    ctx: &Ctx,
    name: &ProfileName,
    result: Result<Refreshed, CliError>,
    single: bool,
) -> Result<(), CliError> {
    let now = Utc::now();
    match result? {
        Refreshed::Stored(profile) => {
            crate::cli::format::report(&ctx.ui, format!("{name}: refreshed"), &profile, now)
        }
        Refreshed::Unchanged(profile) => {
            let when = profile
                .primary_token()
                .map(|t| crate::cli::format::expiry(t.expires_at, now))
                .unwrap_or_default();
            ctx.ui
                .info(format!("{name}: nothing to refresh (user token {when})"));
        }
        Refreshed::Failed(_, at) => ctx.ui.info(format!(
            "{name}: the last refresh failed at {}; not tried again yet",
            at.format("%Y-%m-%d %H:%M UTC")
        )),
        Refreshed::Asked(profile, at) => {
            let login_by = crate::cli::format::login_by(&profile)
                .map(|by| format!("; log in again by {by} with `fbvault login {name}`"))
                .unwrap_or_default();
            ctx.ui.info(format!(
                "{name}: {} was asked at {} and gave the same token back; fbvault asks again after {} (--force asks now){login_by}",
                profile.provider,
                at.format("%Y-%m-%d %H:%M UTC"),
                (at + chrono::Duration::hours(24)).format("%Y-%m-%d %H:%M UTC"),
            ));
        }
        // With --all, a profile that never had a token is not a failure.
        Refreshed::NoToken if !single => ctx.ui.info(format!(
            "{name}: no token yet (give one with `fbvault login {name}`)"
        )),
        Refreshed::NoToken => {
            return Err(
                CliError::with_code(code::REFUSED, format!("{name} has no token yet"))
                    .hint(format!("give it one with `fbvault login {name}`")),
            );
        }
    }
    Ok(())
}
