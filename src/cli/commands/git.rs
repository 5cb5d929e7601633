//! `fbvault git setup`: register `fbvault diff` (a textconv that masks secrets) and
//! `fbvault merge` (a merge driver that keeps the later token) in the repository's git
//! config, and make sure `.gitattributes` routes `*.age` files to them and never lets git
//! merge `vault.json` silently (`/vault.json -merge`).

use crate::cli::{CliError, Ctx};

/// Git integration for a vault kept in a repository.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Register fbvault's diff textconv and merge driver in this repository's git config
    ///
    /// Sets, in the repository holding the vault (its .git/config, not shared by git):
    ///   diff.fbvault.textconv = fbvault diff
    ///   merge.fbvault.name    = fbvault profile merge
    ///   merge.fbvault.driver  = fbvault merge %O %A %B %P
    /// and adds `*.age diff=fbvault merge=fbvault` and `/vault.json -merge` to the vault's
    /// .gitattributes when missing (a vault made by an older fbvault gets the second here).
    /// Every member runs it once per clone.
    ///
    /// Example: fbvault git setup
    #[command(verbatim_doc_comment)]
    Setup,
}

/// The git config entries `git setup` writes.
pub const CONFIG: &[(&str, &str)] = &[
    ("diff.fbvault.textconv", "fbvault diff"),
    ("merge.fbvault.name", "fbvault profile merge"),
    ("merge.fbvault.driver", "fbvault merge %O %A %B %P"),
];

pub fn run(ctx: &Ctx, command: Command) -> Result<u8, CliError> {
    match command {
        Command::Setup => setup(ctx),
    }
}

fn setup(ctx: &Ctx) -> Result<u8, CliError> {
    let root = &ctx.paths.vault;
    if !root.is_dir() {
        return Err(crate::vault::VaultError::NoVault { path: root.clone() }.into());
    }
    let Some(repo) = crate::git::repository_of(root) else {
        return Err(
            CliError::new(format!("{} is not in a git repository", root.display()))
                .hint("run `git init` (or clone your team's repository) first"),
        );
    };
    for (key, value) in CONFIG {
        crate::git::set_config(&repo, key, value)
            .map_err(|e| CliError::new(format!("cannot set {key}: {e}")))?;
    }
    if !ctx.paths.read_only {
        crate::vault::ensure_gitattributes(root)?;
    }
    ctx.ui.info(format!(
        "git in {} now shows vault files with `fbvault diff` (secrets masked) and merges them with `fbvault merge`",
        repo.display()
    ));
    Ok(0)
}
