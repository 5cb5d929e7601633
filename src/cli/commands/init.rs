//! `fbvault init`: create the vault (and an identity if there is none) and print the
//! public key.

use crate::cli::{CliError, Ctx};
use crate::vault::{Identity, Recipient, normalize_recipient};

/// Create the vault, encrypted to you and to any --recipient.
///
/// Creates an identity (private key) at --identity / FBVAULT_IDENTITY first when that file
/// does not exist, and prints your public key on stdout.
///
/// Example: fbvault init --recipient age1… --recipient "ssh-ed25519 AAAA… bob@laptop"
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Another member's public key (age1…, ssh-ed25519 …, ssh-rsa …); repeatable
    #[arg(long = "recipient", short = 'r', value_name = "KEY")]
    recipients: Vec<String>,
    /// Your name in the recipient list [default: $USER]
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<u8, CliError> {
    let vault = ctx.vault();
    if vault.exists() {
        return Err(crate::vault::VaultError::VaultExists {
            path: vault.root().to_path_buf(),
        }
        .into());
    }
    // Check every recipient before creating anything.
    let mut others = Vec::new();
    for r in &args.recipients {
        let (key, comment) = normalize_recipient(r)?;
        others.push(Recipient { key, name: comment });
    }
    let path = &ctx.paths.identity;
    let public = if path.exists() {
        super::identity::public_key(path)?
    } else {
        let id = Identity::generate(path)?;
        ctx.ui.info(format!("created identity {}", path.display()));
        id.public_key()
            .expect("a new identity knows its public key")
            .to_string()
    };
    let public = public.as_str();
    let me_name = args
        .name
        .or_else(|| std::env::var("USER").ok())
        .filter(|n| !n.is_empty());
    let mut recipients = vec![Recipient {
        key: normalize_recipient(public)?.0,
        name: me_name,
    }];
    for r in others {
        if !recipients.iter().any(|x| x.key == r.key) {
            recipients.push(r);
        }
    }
    let count = recipients.len();
    vault.create(recipients)?;
    ctx.ui.info(format!(
        "created vault {} for {count} recipient{}",
        vault.root().display(),
        if count == 1 { "" } else { "s" }
    ));
    ctx.ui.out(public);
    Ok(0)
}
