//! `fbvault init`: create the vault (and an identity if there is none) and print the
//! public key; in a folder that already holds a vault, create only the identity and say
//! how to join.

use crate::cli::{CliError, Ctx};
use crate::vault::{Recipient, Vault, VaultInfo, normalize_recipient};

/// Create the vault, encrypted to you and to any --recipient.
///
/// Creates an identity (private key) at --identity / FBVAULT_IDENTITY first when there is
/// none (an existing ~/.ssh/id_ed25519 or id_rsa is used as it is), and prints your public
/// key on stdout. In a git repository, `.gitignore` and `.gitattributes` get the lines fbvault
/// needs appended; every line already there is kept. Run `fbvault git setup` next.
///
/// In a folder that already holds a vault (a clone of your team's repository), creates only
/// your identity and prints the public key to send to a member; no vault file changes.
///
/// Examples:
///   fbvault init
///   fbvault init --vault ./vault --recipient age1… --recipient "ssh-ed25519 AAAA… bob@laptop"
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

/// The configured identity's public key, creating an age identity when there is none.
fn public_key(ctx: &Ctx) -> Result<String, CliError> {
    match super::identity::configured_public_key(ctx)? {
        Some(public) => Ok(public),
        None => super::identity::create(ctx),
    }
}

/// Prints the public key on stdout (with the vault folder under `--json`).
fn print_key(ctx: &Ctx, public: &str, vault: &Vault) {
    if ctx.ui.json {
        ctx.ui.out_json(&serde_json::json!({
            "public_key": public,
            "vault": vault.root(),
        }));
    } else {
        ctx.ui.out(public);
    }
}

/// `init` in a folder that holds a vault: the identity only, and how to join.
fn join(ctx: &Ctx, vault: &Vault) -> Result<u8, CliError> {
    let public = public_key(ctx)?;
    let key = normalize_recipient(&public)?.0;
    let listed = std::fs::read(vault.root().join("vault.json"))
        .ok()
        .and_then(|b| serde_json::from_slice::<VaultInfo>(&b).ok())
        .is_some_and(|info| info.recipients.iter().any(|r| r.key == key));
    if listed {
        ctx.ui.info(format!(
            "a vault already exists at {}, and your key is one of its recipients: nothing to do (`fbvault list` shows the profiles)",
            vault.root().display()
        ));
    } else {
        ctx.ui.info(format!(
            "a vault already exists at {}; no vault file was changed. To join it, send this public key to a member: they run `fbvault recipients add KEY --name YOU` and push, then you pull",
            vault.root().display()
        ));
    }
    print_key(ctx, &public, vault);
    Ok(0)
}

pub fn run(ctx: &Ctx, args: Args) -> Result<u8, CliError> {
    let vault = ctx.vault();
    if vault.exists() {
        return join(ctx, &vault);
    }
    // Check every recipient before creating anything.
    let mut others = Vec::new();
    for r in &args.recipients {
        let (key, comment) = normalize_recipient(r)?;
        others.push(Recipient { key, name: comment });
    }
    if vault.is_read_only() {
        return Err(crate::vault::VaultError::ReadOnly {
            what: "creating a vault".into(),
        }
        .into());
    }
    let public = public_key(ctx)?;
    let me_name = args
        .name
        .or_else(|| crate::config::env_text("USER"))
        .filter(|n| !n.is_empty());
    super::recipients::check_name(me_name.as_deref())?;
    let mut recipients = vec![Recipient {
        key: normalize_recipient(&public)?.0,
        name: me_name,
    }];
    for r in others {
        if !recipients.iter().any(|x| x.key == r.key) {
            recipients.push(r);
        }
    }
    let count = recipients.len();
    vault.create(recipients)?;
    let root = std::fs::canonicalize(vault.root()).unwrap_or_else(|_| vault.root().to_path_buf());
    ctx.ui.info(format!(
        "created vault {} for {count} recipient{}",
        root.display(),
        if count == 1 { "" } else { "s" }
    ));
    if crate::git::repository_of(&root).is_some() {
        // With the folder named: from here, a bare `fbvault` may look elsewhere.
        ctx.ui.info(format!(
            "in a git repository: run `fbvault --vault {} git setup` so that git diffs and merges vault files",
            crate::runner::dotenv_quote(&crate::cli::shown_path(&root))
        ));
    }
    print_key(ctx, &public, &vault);
    Ok(0)
}
