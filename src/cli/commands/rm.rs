//! `fbvault rm NAME`: delete a profile (asks on a terminal; otherwise needs `--yes`).

use crate::cli::prompt::{self, Confirmed};
use crate::cli::{CliError, Ctx};
use crate::vault::{ProfileName, VaultError};

/// Delete a profile.
///
/// Asks for confirmation on a terminal; without one, pass --yes. The file stays in your
/// version control history: revoke the tokens if they must not be used again.
///
/// Example: fbvault rm old-client --yes
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The profile
    #[arg(add = crate::cli::complete::profiles())]
    name: ProfileName,
    /// Do not ask
    #[arg(long, short = 'y')]
    yes: bool,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<u8, CliError> {
    let session = ctx.session()?;
    let vault = &session.vault;
    if !vault.has_profile(&args.name) {
        return Err(VaultError::NoProfile {
            name: args.name.to_string(),
        }
        .into());
    }
    let question = format!("Delete profile {}?", args.name);
    let what = format!("delete {}", args.name);
    let how = format!("run `fbvault rm {} --yes`", args.name);
    if prompt::confirm_or_yes(args.yes, &question, &what, &how)? == Confirmed::No {
        ctx.ui.info("nothing deleted");
        return Ok(1);
    }
    let _lock = vault.write_lock_for("removing a profile")?;
    let team = vault.team(&session.identity)?;
    vault.remove_profile(&team, &args.name)?;
    ctx.ui.info(format!("deleted {}", args.name));
    Ok(0)
}
