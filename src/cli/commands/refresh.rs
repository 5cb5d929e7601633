//! `fbvault refresh NAME | --all`: let the provider refresh what can be refreshed.

use chrono::Utc;

use crate::cli::{CliError, Ctx, Refreshed, code};
use crate::vault::ProfileName;

/// Refresh a profile's tokens now (normally `run` does it when they are due).
///
/// A long-lived Facebook user token is re-exchanged inside its refresh window (7 days
/// before expiry), at most once a day; --force re-exchanges it anyway. A token that never
/// expires is never re-exchanged, and an expired one cannot be: log in again.
///
/// Example: fbvault refresh --all
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The profile
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    name: Option<ProfileName>,
    /// Every profile
    #[arg(long)]
    all: bool,
    /// Refresh even when not due
    #[arg(long)]
    force: bool,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<u8, CliError> {
    let session = ctx.session()?;
    let names = match args.name {
        Some(n) => vec![n],
        None => session.vault.names()?,
    };
    let single = names.len() == 1 && !args.all;
    let mut worst: Option<CliError> = None;
    for name in names {
        match session.refresh(&name, args.force) {
            Ok(Refreshed::Stored(profile)) => {
                session.report(format!("{name}: refreshed"), &profile, Utc::now())
            }
            Ok(Refreshed::Unchanged(profile)) => {
                let when = profile
                    .primary_token()
                    .map(|t| crate::cli::format::expiry(t.expires_at, Utc::now()))
                    .unwrap_or_default();
                ctx.ui
                    .info(format!("{name}: nothing to refresh (user token {when})"));
            }
            // With --all, a profile that never had a token is not a failure.
            Ok(Refreshed::NoToken) if !single => ctx.ui.info(format!(
                "{name}: no token yet (give one with `fbvault login {name}`)"
            )),
            Ok(Refreshed::NoToken) => {
                return Err(
                    CliError::with_code(code::REFUSED, format!("{name} has no token yet"))
                        .hint(format!("give it one with `fbvault login {name}`")),
                );
            }
            Err(e) if single => return Err(e),
            Err(e) => {
                crate::cli::ui::err_line(&e.to_string());
                if worst.as_ref().is_none_or(|w| e.code > w.code) {
                    worst = Some(e);
                }
            }
        }
    }
    Ok(worst.map_or(0, |w| w.code))
}
