//! `fbvault rekey`: re-encrypt everything to the current recipients under a new team key.

use crate::cli::{CliError, Ctx};

/// Re-encrypt every file to the current recipients with a new team key.
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {}

pub fn run(ctx: &Ctx, _args: Args) -> Result<u8, CliError> {
    let session = ctx.session()?;
    let _lock = session.vault.write_lock()?;
    let team = session.vault.team(&session.identity)?;
    let next = session
        .vault
        .rotate(&session.identity, &team, team.recipients.clone())?;
    ctx.ui.info(format!(
        "re-encrypted {} profile(s) to {} recipient(s); team key generation {}",
        session.vault.names()?.len(),
        next.recipients.len(),
        next.generation
    ));
    Ok(0)
}
