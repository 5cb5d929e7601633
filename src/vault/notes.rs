//! This machine's notes about the vault, kept outside the shared folder: when a refresh of
//! a profile last failed, was refused by the issuer (with its words) or got the same tokens
//! back, and an edit that was refused, kept so that the next `edit` starts from it. They
//! live in `<state dir>/<hash of the vault folder>/` (see [`Vault::with_state_dir`]).

use std::path::{Path, PathBuf};

use super::{MAX_FILE_BYTES, ProfileName, Result, Vault, fsio, seal, text};

const FAILED: &str = "refresh-failed";
const REFUSED: &str = "refresh-refused";
const ATTEMPTED: &str = "refresh-attempted";
const REJECTED_EDIT: &str = "rejected-edit.age";

impl Vault {
    /// Where this machine keeps its notes about this vault (refresh failures, refusals,
    /// attempts): `<state dir>/<hash of the vault folder>/`, outside the shared folder, so
    /// that nothing a teammate commits can plant one. Without a state folder (no home),
    /// the vault's git-ignored `.locks/`, where notes dated in the future are ignored.
    fn note_path(&self, name: &ProfileName, kind: &str) -> Result<PathBuf> {
        let file = format!("{name}.{kind}");
        let Some(state) = &self.state else {
            return Ok(self.locks_dir()?.join(file));
        };
        let root = std::fs::canonicalize(&self.root).unwrap_or_else(|_| self.root.clone());
        let hash = <sha2::Sha256 as sha2::Digest>::digest(root.as_os_str().as_encoded_bytes());
        let dir = state.join(&seal::hex(&hash)[..24]);
        fsio::create_private_dir(&dir)?;
        Ok(dir.join(file))
    }

    fn write_note(&self, name: &ProfileName, kind: &str, text: &str) -> Result<()> {
        self.refuse_read_only("noting a refresh")?;
        fsio::write_atomic(&self.note_path(name, kind)?, text.as_bytes())
    }

    fn read_note(
        &self,
        name: &ProfileName,
        kind: &str,
    ) -> Option<(chrono::DateTime<chrono::Utc>, String)> {
        read_local_note(&self.note_path(name, kind).ok()?)
    }

    fn clear_note(&self, name: &ProfileName, kind: &str) -> Result<()> {
        if self.read_only {
            return Ok(());
        }
        fsio::remove(&self.note_path(name, kind)?)
    }

    /// Keeps an edit of `name` that was refused (already encrypted by the caller to its
    /// own key), so that the next `edit` can start from it.
    pub fn keep_rejected_edit(&self, name: &ProfileName, encrypted: &[u8]) -> Result<()> {
        fsio::write_atomic(&self.note_path(name, REJECTED_EDIT)?, encrypted)
    }

    /// The kept rejected edit of `name`, if there is one.
    pub fn rejected_edit(&self, name: &ProfileName) -> Option<Vec<u8>> {
        let path = self.note_path(name, REJECTED_EDIT).ok()?;
        fsio::read_capped(&path, MAX_FILE_BYTES).ok()
    }

    /// Forgets the kept rejected edit of `name`.
    pub fn drop_rejected_edit(&self, name: &ProfileName) -> Result<()> {
        fsio::remove(&self.note_path(name, REJECTED_EDIT)?)
    }

    /// Records, machine-locally, that refreshing `name` just failed.
    pub fn note_refresh_failure(&self, name: &ProfileName) -> Result<()> {
        self.write_note(name, FAILED, &chrono::Utc::now().to_rfc3339())
    }

    /// When refreshing `name` last failed, if it did and nothing succeeded since.
    pub fn last_refresh_failure(
        &self,
        name: &ProfileName,
    ) -> Option<chrono::DateTime<chrono::Utc>> {
        self.read_note(name, FAILED).map(|(at, _)| at)
    }

    /// Forgets a recorded refresh failure.
    pub fn clear_refresh_failure(&self, name: &ProfileName) -> Result<()> {
        self.clear_note(name, FAILED)
    }

    /// Records, machine-locally, that the issuer just refused refreshing `name`, and its
    /// words (one line, no secret), so that runs waiting on the profile lock can give the
    /// same answer without asking again.
    pub fn note_refresh_refusal(&self, name: &ProfileName, message: &str) -> Result<()> {
        let line = message.replace(['\n', '\r'], " ");
        let text = format!("{}\n{line}", chrono::Utc::now().to_rfc3339());
        self.write_note(name, REFUSED, &text)
    }

    /// When and why the issuer last refused refreshing `name`, if it did and nothing
    /// succeeded since.
    pub fn last_refresh_refusal(
        &self,
        name: &ProfileName,
    ) -> Option<(chrono::DateTime<chrono::Utc>, String)> {
        self.read_note(name, REFUSED)
    }

    /// Forgets a recorded refusal.
    pub fn clear_refresh_refusal(&self, name: &ProfileName) -> Result<()> {
        self.clear_note(name, REFUSED)
    }

    /// Records, machine-locally (never in a tracked file), that a refresh of `name` just
    /// asked the issuer and got the same tokens back.
    pub fn note_refresh_attempt(&self, name: &ProfileName) -> Result<()> {
        self.write_note(name, ATTEMPTED, &chrono::Utc::now().to_rfc3339())
    }

    /// When a refresh of `name` last got the same tokens back, if it did.
    pub fn last_refresh_attempt(
        &self,
        name: &ProfileName,
    ) -> Option<chrono::DateTime<chrono::Utc>> {
        self.read_note(name, ATTEMPTED).map(|(at, _)| at)
    }
}

/// Reads a machine-local note (a date, then optionally a line of text); ignores one that
/// is not a small regular file, does not parse, or is dated in the future. The text is
/// returned with control characters escaped.
fn read_local_note(path: &Path) -> Option<(chrono::DateTime<chrono::Utc>, String)> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    if !meta.is_file() || meta.len() > 4096 {
        return None;
    }
    let text = std::fs::read_to_string(path).ok()?;
    let (at, rest) = text.split_once('\n').unwrap_or((&text, ""));
    let at: chrono::DateTime<chrono::Utc> = at.trim().parse().ok()?;
    (at <= chrono::Utc::now() + chrono::Duration::minutes(5))
        .then(|| (at, text::escape_controls(rest.trim())))
}
