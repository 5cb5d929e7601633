//! `fbvault rekey`: re-encrypt everything to the current recipients under a new team key.

use crate::cli::{CliError, Ctx};

/// Re-encrypt every file to the current recipients with a new team key.
///
/// A profile that does not open or verify is left as it was and reported (exit 1); every
/// other profile is re-encrypted.
///
/// Example: fbvault rekey && git add -A vault && git commit -m "Rekey the vault"
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {}

pub fn run(ctx: &Ctx, _args: Args) -> Result<u8, CliError> {
    let session = ctx.session()?;
    let _lock = session.vault.write_lock_for("re-encrypting the vault")?;
    let team = session.vault.team(&session.identity)?;
    let rotated = session
        .vault
        .rotate(&session.identity, &team, team.recipients.clone())?;
    for (name, err) in &rotated.skipped {
        ctx.ui.warn(format!(
            "{name} was left as it was (not re-encrypted): {err}; remove it with `fbvault rm {name}` if it is junk"
        ));
    }
    let next = &rotated.team;
    ctx.ui.info(format!(
        "re-encrypted {} profile(s) to {} recipient(s); team key generation {}",
        session.vault.names()?.len() - rotated.skipped.len(),
        next.recipients.len(),
        next.generation
    ));
    Ok(if rotated.skipped.is_empty() { 0 } else { 1 })
}
