//! `fbvault recipients list | add | remove`: change who can open the vault. Every change
//! re-encrypts every file and rotates the team key.

use crate::cli::prompt::{self, Confirmed};
use crate::cli::{CliError, Ctx};
use crate::vault::{Recipient, normalize_recipient};

/// Who can open the vault.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// List the recipients (from the encrypted, authoritative list)
    List,
    /// Give someone access: re-encrypts everything to them too and rotates the team key
    ///
    /// Example: fbvault recipients add "$(cat bob.pub)" --name bob
    Add {
        /// Their public key: age1…, ssh-ed25519 …, or ssh-rsa …
        key: String,
        /// A name for them
        #[arg(long)]
        name: Option<String>,
    },
    /// Take someone's access away: re-encrypts everything without them and rotates the
    /// team key
    Remove {
        /// Their public key or name
        who: String,
        /// Do not ask, even when removing yourself
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Trust the vault's current team file after it changed in a way this machine cannot
    /// verify (a teammate re-created the vault): shows who can open it, then asks
    Trust {
        /// Do not ask
        #[arg(long, short = 'y')]
        yes: bool,
    },
}

pub fn run(ctx: &Ctx, command: Command) -> Result<u8, CliError> {
    let session = ctx.session()?;
    let vault = &session.vault;
    match command {
        Command::Trust { yes } => {
            let _lock = vault.write_lock()?;
            let team = vault.team_unpinned(&session.identity)?;
            ctx.ui.info(format!(
                "team.age generation {} can be opened by:",
                team.generation
            ));
            for r in &team.recipients {
                ctx.ui.info(format!("  {r}"));
            }
            let question = "Trust this team file and write new profiles to these recipients?";
            let how = "check the list above, then pass --yes";
            if prompt::confirm_or_yes(yes, question, "trust a changed team file", how)?
                == Confirmed::No
            {
                return Ok(1);
            }
            crate::vault::Pins::new(
                ctx.paths
                    .pins
                    .clone()
                    .ok_or_else(|| CliError::new("no home folder for the pin file"))?,
            )
            .record(vault.root(), &team)?;
            ctx.ui.info("trusted");
            Ok(0)
        }
        Command::List => {
            let _lock = vault.read_lock()?;
            let team = vault.team(&session.identity)?;
            if ctx.ui.json {
                ctx.ui.out_json(&team.recipients);
            } else {
                for r in &team.recipients {
                    let me = session.identity.public_key() == Some(r.key.as_str());
                    let r = crate::cli::sanitize::escape(&r.to_string()).into_owned();
                    ctx.ui
                        .out(format!("{r}{}", if me { "  (you)" } else { "" }));
                }
            }
            Ok(0)
        }
        Command::Add { key, name } => {
            let (key, comment) = normalize_recipient(&key)?;
            let _lock = vault.write_lock()?;
            let team = vault.team(&session.identity)?;
            if team.recipients.iter().any(|r| r.key == key) {
                ctx.ui.info("already a recipient; nothing changed");
                return Ok(0);
            }
            let mut list = team.recipients.clone();
            list.push(Recipient {
                key,
                name: name.or(comment),
            });
            vault.rotate(&session.identity, &team, list)?;
            ctx.ui.info("added; every file is re-encrypted and the team key rotated (commit the vault folder to share it)");
            Ok(0)
        }
        Command::Remove { who, yes } => {
            let _lock = vault.write_lock()?;
            let team = vault.team(&session.identity)?;
            let (gone, kept): (Vec<Recipient>, Vec<Recipient>) = team
                .recipients
                .iter()
                .cloned()
                .partition(|r| r.matches(&who));
            if gone.is_empty() {
                return Err(CliError::new(format!("no recipient matches `{who}`"))
                    .hint("`fbvault recipients list` shows them"));
            }
            if kept.is_empty() {
                return Err(CliError::new(
                    "refusing to remove every recipient: nobody could open the vault",
                ));
            }
            let removing_me = gone
                .iter()
                .any(|r| session.identity.public_key() == Some(r.key.as_str()));
            if removing_me {
                let question = "This removes your own access. Continue?";
                let what = "remove your own access";
                if prompt::confirm_or_yes(yes, question, what, "pass --yes if you mean it")?
                    == Confirmed::No
                {
                    return Ok(1);
                }
            }
            vault.rotate(&session.identity, &team, kept)?;
            ctx.ui.info(format!(
                "removed {}; every file is re-encrypted and the team key rotated",
                gone.iter()
                    .map(|r| r.name.clone().unwrap_or_else(|| r.key.clone()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            ctx.ui.info("they may still hold old copies (git history): rotate the app secrets and log in again to replace the tokens they could read");
            Ok(0)
        }
    }
}
