//! `fbvault identity show`: print this machine's public key, to hand to a teammate.

use crate::cli::{CliError, Ctx};

/// Your identity.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Print your public key (give it to a teammate for `fbvault recipients add`)
    Show,
}

pub fn run(ctx: &Ctx, command: Command) -> Result<u8, CliError> {
    match command {
        Command::Show => {
            let identity = ctx.identity()?;
            let public = identity.public_key().ok_or_else(|| {
                CliError::new(format!(
                    "cannot tell the public key of {}",
                    identity.path().display()
                ))
                .hint(format!(
                    "put it next to the key as {}.pub",
                    identity.path().display()
                ))
            })?;
            if ctx.ui.json {
                ctx.ui.out_json(
                    &serde_json::json!({"public_key": public, "identity": identity.path()}),
                );
            } else {
                ctx.ui.out(public);
            }
            Ok(0)
        }
    }
}
