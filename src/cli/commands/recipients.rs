//! `fbvault recipients list | add | remove | trust`: change who can open the vault. Every
//! change re-encrypts every file and rotates the team key. Names and keys come from
//! `team.age`, which anyone with the public keys can write, so they are shown escaped.

use crate::cli::prompt::{self, Confirmed};
use crate::cli::{CliError, Ctx, Session};
use crate::vault::text::{escape_controls, is_control};
use crate::vault::{Fingerprint, Recipient, Rotated, Team, normalize_recipient};

/// Who can open the vault.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// List the recipients (from the encrypted, authoritative list) and the team fingerprint
    ///
    /// The fingerprint (fbv1-GENERATION-HEX) is what FBVAULT_TEAM_FINGERPRINT takes on a CI
    /// runner or a fresh machine.
    ///
    /// Example: fbvault recipients list
    #[command(verbatim_doc_comment)]
    List,
    /// Give someone access: re-encrypts everything to them too and rotates the team key
    ///
    /// Example: fbvault recipients add "$(cat bob.pub)" --name bob
    Add {
        /// Their public key: age1…, ssh-ed25519 …, or ssh-rsa …
        key: String,
        /// A name for them (unique in the vault)
        #[arg(long)]
        name: Option<String>,
    },
    /// Take someone's access away: re-encrypts everything without them and rotates the
    /// team key
    ///
    /// Asks first on a terminal; without one, pass --yes. Then commit and push at once, and
    /// rotate the secrets they could read (the command lists them).
    ///
    /// Example: fbvault recipients remove bob --yes
    #[command(verbatim_doc_comment)]
    Remove {
        /// Their public key or name
        who: String,
        /// Do not ask
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Trust the vault's current team file after it changed in a way this machine cannot
    /// verify (a teammate re-created the vault): shows who can open it, then asks
    ///
    /// Example: fbvault recipients trust
    #[command(verbatim_doc_comment)]
    Trust {
        /// Do not ask
        #[arg(long, short = 'y')]
        yes: bool,
    },
}

/// Refuses a recipient name with control characters (it could rewrite the terminal
/// lines around it when shown).
pub fn check_name(name: Option<&str>) -> Result<(), CliError> {
    match name {
        Some(n) if n.chars().any(is_control) => Err(CliError::usage(format!(
            "the recipient name `{}` holds control characters",
            escape_controls(n)
        ))
        .hint("use letters, digits, spaces and punctuation")),
        Some(n) if n.trim().is_empty() => Err(CliError::usage("a recipient name cannot be empty")),
        _ => Ok(()),
    }
}

pub fn run(ctx: &Ctx, command: Command) -> Result<u8, CliError> {
    let session = ctx.session()?;
    match command {
        Command::Trust { yes } => trust(ctx, &session, yes),
        Command::List => list(ctx, &session),
        Command::Add { key, name } => add(ctx, &session, &key, name),
        Command::Remove { who, yes } => remove(ctx, &session, &who, yes),
    }
}

fn show_team(ctx: &Ctx, team: &Team) {
    ctx.ui.info(format!(
        "team.age generation {} (fingerprint {}) can be opened by {} recipient{}:",
        team.generation,
        Fingerprint::of(team),
        team.recipients.len(),
        if team.recipients.len() == 1 { "" } else { "s" }
    ));
    for r in &team.recipients {
        ctx.ui.info(format!("  {r}"));
    }
}

fn trust(ctx: &Ctx, session: &Session, yes: bool) -> Result<u8, CliError> {
    let vault = &session.vault;
    let _lock = vault.read_lock()?;
    let team = vault.team_unpinned(&session.identity)?;
    show_team(ctx, &team);
    let question = "Trust this team file and write new profiles to these recipients?";
    let how = "check the list above, then pass --yes";
    if prompt::confirm_or_yes(yes, question, "trust a changed team file", how)? == Confirmed::No {
        return Ok(1);
    }
    let pins = vault
        .pins()
        .ok_or_else(|| CliError::from(crate::vault::VaultError::NoPinStore))?;
    pins.record(vault.root(), &team)?;
    ctx.ui.info("trusted");
    Ok(0)
}

fn list(ctx: &Ctx, session: &Session) -> Result<u8, CliError> {
    let vault = &session.vault;
    let _lock = vault.read_lock()?;
    let team = vault.team(&session.identity)?;
    let fingerprint = Fingerprint::of(&team).to_string();
    if ctx.ui.json {
        ctx.ui.out_json(&serde_json::json!({
            "recipients": team.recipients,
            "generation": team.generation,
            "fingerprint": fingerprint,
        }));
        return Ok(0);
    }
    for r in &team.recipients {
        let me = session.identity.public_key() == Some(r.key.as_str());
        ctx.ui
            .out(format!("{r}{}", if me { "  (you)" } else { "" }));
    }
    ctx.ui.out(format!(
        "team fingerprint: {fingerprint}  (generation {}; for FBVAULT_TEAM_FINGERPRINT)",
        team.generation
    ));
    Ok(0)
}

fn add(ctx: &Ctx, session: &Session, key: &str, name: Option<String>) -> Result<u8, CliError> {
    let vault = &session.vault;
    let (key, comment) = normalize_recipient(key)?;
    let name = name.or(comment);
    check_name(name.as_deref())?;
    let _lock = vault.write_lock_for("adding a recipient")?;
    let team = vault.team(&session.identity)?;
    if team.recipients.iter().any(|r| r.key == key) {
        ctx.ui.info("already a recipient; nothing changed");
        return Ok(0);
    }
    if let Some(n) = &name
        && team.recipients.iter().any(|r| r.name.as_deref() == Some(n))
    {
        return Err(CliError::new(format!(
            "a recipient is already named `{}`",
            escape_controls(n)
        ))
        .hint("pick another name with --name (names must be unique)"));
    }
    let mut list = team.recipients.clone();
    list.push(Recipient { key, name });
    let rotated = vault.rotate(&session.identity, &team, list)?;
    report_skipped(ctx, &rotated);
    ctx.ui.info("added; every file is re-encrypted and the team key rotated: commit and push the vault folder to share it");
    Ok(0)
}

fn remove(ctx: &Ctx, session: &Session, who: &str, yes: bool) -> Result<u8, CliError> {
    let vault = &session.vault;
    let _lock = vault.write_lock_for("removing a recipient")?;
    let team = vault.team(&session.identity)?;
    let (gone, kept): (Vec<Recipient>, Vec<Recipient>) = team
        .recipients
        .iter()
        .cloned()
        .partition(|r| r.matches(who));
    match gone.len() {
        0 => {
            return Err(
                CliError::new(format!("no recipient matches `{}`", escape_controls(who)))
                    .hint("`fbvault recipients list` shows them"),
            );
        }
        1 => {}
        n => {
            return Err(CliError::new(format!(
                "{n} recipients match `{}`; nothing was changed",
                escape_controls(who)
            ))
            .hint(
                "name the one to remove by its public key (`fbvault recipients list` shows them)",
            ));
        }
    }
    if kept.is_empty() {
        return Err(CliError::new(
            "refusing to remove every recipient: nobody could open the vault",
        ));
    }
    let target = &gone[0];
    let me = session.identity.public_key() == Some(target.key.as_str());
    let question = if me {
        "This removes your own access. Continue?".to_string()
    } else {
        format!("Remove {} from the vault?", target.label())
    };
    let how = "pass --yes if you mean it";
    if prompt::confirm_or_yes(yes, &question, "remove a recipient", how)? == Confirmed::No {
        return Ok(1);
    }
    let profiles = vault.names()?;
    let rotated = vault.rotate(&session.identity, &team, kept)?;
    report_skipped(ctx, &rotated);
    ctx.ui.info(format!(
        "removed {}; every file is re-encrypted and the team key rotated",
        target.label()
    ));
    next_steps(ctx, vault.root(), &profiles);
    Ok(0)
}

fn next_steps(ctx: &Ctx, root: &std::path::Path, profiles: &[crate::vault::ProfileName]) {
    ctx.ui
        .info("next: commit and push now; until then the shared copy still opens for them:");
    ctx.ui.info(format!(
        "  git -C {} add -A . && git -C {} commit -m 'Remove a vault recipient' && git -C {} push",
        root.display(),
        root.display(),
        root.display()
    ));
    if profiles.is_empty() {
        return;
    }
    let names: Vec<&str> = profiles.iter().map(|p| p.as_str()).collect();
    ctx.ui.info(format!(
        "they could read the app secrets and tokens of: {}; they may keep copies (git history), so rotate them:",
        names.join(", ")
    ));
    ctx.ui.info("  1. reset each app secret in the Meta App Dashboard (App settings > Basic > App secret > Reset) and store it with `fbvault edit NAME`");
    ctx.ui.info("  2. log in again with `fbvault login NAME` for new tokens (page tokens are derived again); at some providers (Facebook), old user tokens die when the secret is reset");
}

fn report_skipped(ctx: &Ctx, rotated: &Rotated) {
    for (name, err) in &rotated.skipped {
        ctx.ui.warn(format!(
            "{name} was left as it was (not re-encrypted): {err}; remove it with `fbvault rm {name}` if it is junk"
        ));
    }
}
