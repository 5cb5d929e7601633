//! The folder's layout: creating a vault ([`Vault::create`], with its `.gitattributes` and
//! `.gitignore` lines), and the checks each command runs on the folder once (not on every
//! lock): symbolic links where writes would escape, folders others may write to, and a
//! `vault.json` that disagrees with `team.age`.

use std::path::Path;

use super::{
    LOCK_FILE, LOCKS_DIR, MAX_FILE_BYTES, Notice, PROFILES, Recipient, Result, TEAM_FILE, Team,
    VAULT_JSON, Vault, VaultError, VaultInfo, fsio, fsio::Lock,
};

const GITATTRIBUTES: &[&str] = &["*.age diff=fbvault merge=fbvault"];
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
                "vault.json does not list the recipients team.age holds (team.age is authoritative; `fbvault recipients list` shows them, `fbvault rekey` rewrites vault.json)".into(),
            ));
        }
    }
}

/// Adds `*.age diff=fbvault merge=fbvault` to the vault's `.gitattributes` when missing.
pub fn ensure_gitattributes(root: &Path) -> Result<()> {
    append_lines(&root.join(".gitattributes"), GITATTRIBUTES)
}

/// Adds each of `lines` missing from the file at `path` (creating it when needed) and
/// keeps every line it already has; writes nothing when none is missing.
fn append_lines(path: &Path, lines: &[&str]) -> Result<()> {
    let existing = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(VaultError::io(format!("cannot read {}", path.display()), e)),
    };
    let have: std::collections::HashSet<&str> = existing.lines().map(str::trim).collect();
    let missing: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| !have.contains(l.trim()))
        .collect();
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
