//! `fbvault identity show`: print this machine's public key, to hand to a teammate.

use std::path::Path;

use crate::cli::{CliError, Ctx};
use crate::vault::Identity;

/// The public key of the identity file, without asking for any passphrase.
pub fn public_key(path: &Path) -> Result<String, CliError> {
    Identity::public_key_of(path)?.ok_or_else(|| {
        CliError::new(format!("cannot tell the public key of {}", path.display())).hint(format!(
            "put the public key next to it as {}.pub",
            path.display()
        ))
    })
}

/// Your identity.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Print your public key (give it to a teammate for `fbvault recipients add`)
    Show,
}

pub fn run(ctx: &Ctx, command: Command) -> Result<u8, CliError> {
    match command {
        Command::Show => {
            let path = &ctx.paths.identity;
            let public = public_key(path)?;
            if ctx.ui.json {
                ctx.ui
                    .out_json(&serde_json::json!({"public_key": public, "identity": path}));
            } else {
                ctx.ui.out(public);
            }
            Ok(0)
        }
    }
}
