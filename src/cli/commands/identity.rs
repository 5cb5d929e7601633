//! `fbvault identity show | new`: print this machine's public key (to hand to a teammate),
//! or create an age identity.

use std::path::Path;

use crate::cli::{CliError, Ctx};
use crate::config::IdentityChoice;
use crate::vault::{Identity, IdentitySource};

/// The public key of the identity file, without asking for any passphrase.
pub fn public_key(path: &Path) -> Result<String, CliError> {
    Identity::public_key_of(path)?.ok_or_else(|| no_public_key(&path.display().to_string()))
}

fn no_public_key(what: &str) -> CliError {
    CliError::new(format!("cannot tell the public key of {what}"))
        .hint(format!("put the public key next to it as {what}.pub"))
}

/// The public key of the configured identity (a file or `FBVAULT_KEY`), when there is one.
pub fn configured_public_key(ctx: &Ctx) -> Result<Option<String>, CliError> {
    match &ctx.paths.identity {
        IdentityChoice::File(path) if !path.exists() => Ok(None),
        IdentityChoice::File(path) => public_key(path).map(Some),
        IdentityChoice::KeyVar => {
            let text = crate::config::key_text().unwrap_or_default();
            let source = IdentitySource::Text("FBVAULT_KEY");
            Identity::public_key_of_text(&source, &text)?
                .map(Some)
                .ok_or_else(|| no_public_key("FBVAULT_KEY"))
        }
    }
}

/// Creates an age identity at `ctx.paths.new_identity` and returns its public key.
pub fn create(ctx: &Ctx) -> Result<String, CliError> {
    let path = &ctx.paths.new_identity;
    let id = Identity::generate(path)?;
    ctx.ui.info(format!("created identity {}", path.display()));
    Ok(id
        .public_key()
        .expect("a new identity knows its public key")
        .to_string())
}

/// Your identity: the private key that opens the vault, and its public key.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Print your public key (give it to a teammate for `fbvault recipients add`)
    ///
    /// The identity is --identity FILE, else FBVAULT_KEY (the key's text), else
    /// FBVAULT_IDENTITY (a file), else <config dir>/fbvault/identity.txt, ~/.ssh/id_ed25519
    /// or ~/.ssh/id_rsa, the first that exists.
    ///
    /// Example: fbvault identity show | pbcopy
    #[command(verbatim_doc_comment)]
    Show,
    /// Create an age identity (private key) and print its public key
    ///
    /// Written to --identity / FBVAULT_IDENTITY, else <config dir>/fbvault/identity.txt
    /// (0600); an existing file is never overwritten. Send the printed public key to a
    /// member of the vault, who runs `fbvault recipients add KEY`.
    ///
    /// Example: fbvault identity new
    #[command(verbatim_doc_comment)]
    New,
}

pub fn run(ctx: &Ctx, command: Command) -> Result<u8, CliError> {
    let (public, identity) = match command {
        Command::Show => {
            let public = configured_public_key(ctx)?.ok_or_else(|| {
                CliError::from(crate::vault::VaultError::NoIdentity {
                    path: ctx.paths.new_identity.clone(),
                })
            })?;
            let source = match &ctx.paths.identity {
                IdentityChoice::File(p) => p.display().to_string(),
                IdentityChoice::KeyVar => "FBVAULT_KEY".into(),
            };
            (public, source)
        }
        Command::New => {
            let path = &ctx.paths.new_identity;
            if path.exists() {
                return Err(CliError::new(format!(
                    "an identity already exists at {}; it was left as it is",
                    path.display()
                ))
                .hint("`fbvault identity show` prints its public key; to make another, pass --identity NEW-FILE"));
            }
            let public = create(ctx)?;
            ctx.ui.info("send this public key to a member of the vault: they run `fbvault recipients add KEY --name YOU` and push");
            (public, path.display().to_string())
        }
    };
    if ctx.ui.json {
        ctx.ui
            .out_json(&serde_json::json!({"public_key": public, "identity": identity}));
    } else {
        ctx.ui.out(public);
    }
    Ok(0)
}
