//! Reading and writing `team.age` (checked against this machine's pins) and `vault.json`,
//! and the guarded read every vault file goes through: a size cap, and git conflict
//! markers reported as a conflict.

use std::path::Path;

use super::{
    Checked, Identity, MAX_FILE_BYTES, Notice, ProfileName, Result, TEAM_FILE, Team, VAULT_FORMAT,
    Vault, VaultError, encrypt, fsio, pin,
};

impl Vault {
    /// Decrypts `team.age` and checks it against this machine's pin.
    pub fn team(&self, identity: &Identity) -> Result<Team> {
        let team = self.team_unpinned(identity)?;
        if let Some(fp) = &self.fingerprint {
            pin::check_fingerprint(&team, fp)?;
        }
        match &self.pins {
            Some(pins) => {
                if pins.check(&self.root, &team)? == Checked::FirstUse {
                    self.notice(Notice::FirstTrust {
                        root: self.root.clone(),
                        team: team.clone(),
                    });
                }
            }
            None if self.fingerprint.is_some() => {}
            None => return Err(VaultError::NoPinStore),
        }
        self.compare_info(&team);
        Ok(team)
    }

    /// Reads a vault file with the size cap, reporting conflict markers as a conflict.
    pub(super) fn read_vault_file(
        &self,
        path: &Path,
        profile: Option<&ProfileName>,
    ) -> Result<Vec<u8>> {
        let rel = path
            .strip_prefix(&self.root)
            .unwrap_or(path)
            .display()
            .to_string();
        let bytes = fsio::read_capped(path, MAX_FILE_BYTES).map_err(|e| match e {
            fsio::ReadError::Missing => match profile {
                Some(name) => VaultError::NoProfile {
                    name: name.to_string(),
                },
                None => VaultError::NoVault {
                    path: self.root.clone(),
                },
            },
            fsio::ReadError::TooLarge(size) => VaultError::TooLarge {
                file: rel.clone(),
                size,
                limit: MAX_FILE_BYTES,
            },
            fsio::ReadError::Io(e) => VaultError::io(format!("cannot read {}", path.display()), e),
        })?;
        if has_conflict_markers(&bytes) {
            return Err(VaultError::Conflict {
                file: rel,
                profile: profile.map(|p| p.to_string()),
            });
        }
        Ok(bytes)
    }

    /// Decrypts `team.age` without the pin check (for `recipients trust`, which shows it to
    /// a human before pinning it).
    pub fn team_unpinned(&self, identity: &Identity) -> Result<Team> {
        let bytes = self.read_vault_file(&self.root.join(TEAM_FILE), None)?;
        self.team_from_bytes(identity, &bytes)
    }

    /// Decrypts and parses the bytes of a `team.age` (this one, or another version of it
    /// from git), without the pin check.
    pub fn team_from_bytes(&self, identity: &Identity, bytes: &[u8]) -> Result<Team> {
        let plain = identity.decrypt(bytes, "the vault (team.age)")?;
        let team: Team = serde_json::from_slice(&plain).map_err(|e| VaultError::Damaged {
            what: "the vault (team.age)".into(),
            reason: format!("unexpected content: {e}"),
        })?;
        if team.format != VAULT_FORMAT {
            return Err(VaultError::Damaged {
                what: "the vault (team.age)".into(),
                reason: format!("format {} is newer than this fbvault", team.format),
            });
        }
        Ok(team)
    }

    pub(super) fn write_team(&self, team: &Team, path: &Path) -> Result<()> {
        let plain = zeroize::Zeroizing::new(serde_json::to_vec_pretty(team).expect("serializes"));
        fsio::write_atomic(path, &encrypt(&team.keys(), &plain)?)
    }

    pub(super) fn write_info(&self, team: &Team, path: &Path) -> Result<()> {
        let mut json = serde_json::to_vec_pretty(&team.info()).expect("serializes");
        json.push(b'\n');
        fsio::write_atomic(path, &json)
    }
}

/// Whether a file holds git's conflict markers at the start of a line.
pub fn has_conflict_markers(bytes: &[u8]) -> bool {
    bytes.starts_with(b"<<<<<<< ") || bytes.windows(9).any(|w| w == b"\n<<<<<<< ")
}
