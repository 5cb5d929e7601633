//! `fbvault rm NAME`: delete a profile (asks on a terminal; otherwise needs `--yes`).

use crate::cli::{CliError, Ctx, prompt};
use crate::vault::{ProfileName, VaultError};

/// Delete a profile.
///
/// Asks for confirmation on a terminal; without one, pass --yes. The file stays in your
/// version control history: revoke the tokens if they must not be used again.
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The profile
    name: ProfileName,
    /// Do not ask
    #[arg(long, short = 'y')]
    yes: bool,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<u8, CliError> {
    let vault = ctx.vault();
    let _ = ctx.session()?;
    if !vault.has_profile(&args.name) {
        return Err(VaultError::NoProfile {
            name: args.name.to_string(),
        }
        .into());
    }
    if !args.yes {
        match prompt::confirm(&format!("Delete profile {}?", args.name)) {
            Some(true) => {}
            Some(false) => {
                ctx.ui.info("nothing deleted");
                return Ok(1);
            }
            None => {
                return Err(CliError::usage(format!(
                    "refusing to delete {} without confirmation",
                    args.name
                ))
                .hint(format!("run `fbvault rm {} --yes`", args.name)));
            }
        }
    }
    let _lock = vault.write_lock()?;
    vault.remove_profile(&args.name)?;
    ctx.ui.info(format!("deleted {}", args.name));
    Ok(0)
}
