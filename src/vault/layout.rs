//! The folder's layout: creating a vault ([`Vault::create`], with its `.gitattributes` and
//! `.gitignore` lines), and the checks each command runs on the folder once (not on every
//! lock): symbolic links where writes would escape, folders others may write to, and a
//! `vault.json` that disagrees with `team.age`.

use std::path::Path;

use super::{
    LOCK_FILE, LOCKS_DIR, MAX_FILE_BYTES, Notice, PROFILES, Recipient, Result, TEAM_FILE, Team,
    VAULT_JSON, Vault, VaultError, VaultInfo, fsio, fsio::Lock,
};

/// `*.age` files go through fbvault's textconv and merge driver; `vault.json` (derived from
/// `team.age`) is never merged by git: when both sides changed it, git leaves it conflicted
/// for `fbvault resolve`, with or without the driver configured.
const GITATTRIBUTES: &[&str] = &["*.age diff=fbvault merge=fbvault", VAULT_JSON_ATTRIBUTE];
const VAULT_JSON_ATTRIBUTE: &str = "/vault.json -merge";
const GITIGNORE: &[&str] = &[
    "# fbvault's local lock and temporary files",
    ".fbvault.lock",
    ".locks/",
    ".tmp-*",
    "*.next",
    ".rekey-commit",
];

/// Which of the once-per-command checks already ran.
#[derive(Debug, Default)]
pub(super) struct Checks {
    layout: std::sync::OnceLock<()>,
    info: std::sync::OnceLock<()>,
}

impl Vault {
    /// Creates the vault, encrypted to `recipients`.
    pub fn create(&self, recipients: Vec<Recipient>) -> Result<Team> {
        if self.exists() {
            return Err(VaultError::VaultExists {
                path: self.root.clone(),
            });
        }
        self.refuse_read_only("creating a vault")?;
        fsio::create_private_dir(&self.root.join(PROFILES))?;
        let _lock = Lock::exclusive(&self.root.join(LOCK_FILE))?;
        let team = Team::new(recipients, 1);
        self.write_team(&team, &self.root.join(TEAM_FILE))?;
        self.write_info(&team, &self.root.join(VAULT_JSON))?;
        append_lines(&self.root.join(".gitattributes"), GITATTRIBUTES)?;
        append_lines(&self.root.join(".gitignore"), GITIGNORE)?;
        if let Some(pins) = &self.pins {
            pins.record(&self.root, &team)?;
        }
        Ok(team)
    }

    /// Refuses a vault whose `profiles/` or `.locks/` is a symbolic link (writes and `rm`
    /// would land outside it), and warns about a folder others may write to.
    pub(super) fn check_layout(&self) -> Result<()> {
        if self.checked.layout.get().is_some() {
            return Ok(());
        }
        fsio::refuse_symlink(&self.root.join(PROFILES), PROFILES)?;
        fsio::refuse_symlink(&self.root.join(LOCKS_DIR), LOCKS_DIR)?;
        if let Some(problem) = fsio::loose_folder(&self.root) {
            self.notice(Notice::Warning(format!(
                "the vault folder {} {problem}: anyone who can write there can replace its files (chmod go-w it)",
                self.root.display()
            )));
        }
        if let Some(pins) = &self.pins {
            let file = pins.path();
            for path in [Some(file), file.parent()].into_iter().flatten() {
                if let Some(problem) = fsio::loose_folder(path) {
                    self.notice(Notice::Warning(format!(
                        "{} {problem}: anyone who can write there can reset which team keys this machine trusts (chmod go-w it)",
                        path.display()
                    )));
                }
            }
        }
        let _ = self.checked.layout.set(());
        Ok(())
    }

    /// Warns when `vault.json` (what reviewers read) lists other recipients than `team.age`.
    pub(super) fn compare_info(&self, team: &Team) {
        if self.checked.info.set(()).is_err() {
            return;
        }
        let Ok(bytes) = fsio::read_capped(&self.root.join(VAULT_JSON), MAX_FILE_BYTES) else {
            return;
        };
        let listed = serde_json::from_slice::<VaultInfo>(&bytes)
            .ok()
            .map(|info| info.recipients);
        if listed.as_ref() != Some(&team.recipients) {
            self.notice(Notice::Warning(
                "vault.json does not list the recipients team.age holds (team.age is authoritative; `fbvault recipients list` shows them, `fbvault resolve` or `fbvault rekey` rewrites vault.json)".into(),
            ));
        }
    }

    /// Whether `vault.json` lists the generation and recipients `team` holds.
    fn info_matches(&self, team: &Team) -> bool {
        fsio::read_capped(&self.root.join(VAULT_JSON), MAX_FILE_BYTES)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<VaultInfo>(&bytes).ok())
            .is_some_and(|info| {
                info.generation == team.generation && info.recipients == team.recipients
            })
    }

    /// Rewrites `vault.json` from `team.age` when it does not match it (after a merge git
    /// left conflicted, or a text merge git made before `.gitattributes` had
    /// `/vault.json -merge`): it is derived data. Returns the team it was rewritten from,
    /// `None` when it already matched (then nothing is written and no write lock taken).
    pub fn settle_info(&self, identity: &super::Identity) -> Result<Option<Team>> {
        // This command settles the mismatch: no warning about it.
        let _ = self.checked.info.set(());
        let team = {
            let _lock = self.read_lock()?;
            self.team(identity)?
        };
        if self.info_matches(&team) {
            return Ok(None);
        }
        let _lock = self.write_lock_for("rewriting vault.json from team.age")?;
        let team = self.team(identity)?;
        if self.info_matches(&team) {
            return Ok(None);
        }
        self.write_info(&team, &self.root.join(VAULT_JSON))?;
        Ok(Some(team))
    }

    /// Whether the vault's `.gitattributes` lacks `/vault.json -merge` (a vault from
    /// before it; `fbvault git setup` adds it), so that git may text-merge `vault.json`.
    pub fn vault_json_mergeable(&self) -> bool {
        missing_lines(&self.root.join(".gitattributes"), &[VAULT_JSON_ATTRIBUTE])
            .is_ok_and(|(_, missing)| !missing.is_empty())
    }
}

/// Adds the lines fbvault needs (`*.age diff=fbvault merge=fbvault`, `/vault.json -merge`)
/// to the vault's `.gitattributes` when missing, keeping every line already there: an
/// existing vault gets the lines a newer fbvault added.
pub fn ensure_gitattributes(root: &Path) -> Result<()> {
    append_lines(&root.join(".gitattributes"), GITATTRIBUTES)
}

/// The file's text (empty when missing) and which of `lines` it lacks.
fn missing_lines<'a>(path: &Path, lines: &[&'a str]) -> Result<(String, Vec<&'a str>)> {
    let existing = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(VaultError::io(format!("cannot read {}", path.display()), e)),
    };
    let have: std::collections::HashSet<&str> = existing.lines().map(str::trim).collect();
    let missing = lines
        .iter()
        .copied()
        .filter(|l| !have.contains(l.trim()))
        .collect();
    Ok((existing, missing))
}

/// Adds each of `lines` missing from the file at `path` (creating it when needed) and
/// keeps every line it already has; writes nothing when none is missing.
fn append_lines(path: &Path, lines: &[&str]) -> Result<()> {
    let (existing, missing) = missing_lines(path, lines)?;
    if missing.is_empty() {
        return Ok(());
    }
    let mut text = existing.clone();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    for line in missing {
        text.push_str(line);
        text.push('\n');
    }
    fsio::write_atomic(path, text.as_bytes())
}
