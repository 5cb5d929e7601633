//! Re-encrypting the whole vault under a new team key ([`Vault::rotate`], for a recipient
//! change or `rekey`), journaled: every new file is written next to the old one as
//! `*.next`, then the commit mark, then the renames, so that a crash before the mark leaves
//! the old vault and a crash after it is rolled forward by the next opener.

use std::path::{Path, PathBuf};

use super::{
    COMMIT_MARK, Identity, PROFILES, ProfileName, Recipient, Result, TEAM_FILE, Team, VAULT_JSON,
    Vault, VaultError, fsio,
};

const NEXT: &str = "next";

impl Vault {
    /// Re-encrypts every file to `recipients` under a new team key and returns the new
    /// team with the profiles that could not be re-encrypted. The caller holds
    /// [`Vault::write_lock`]. A profile that does not open or verify (damaged, planted,
    /// conflicted, rolled back) never blocks the rotation: it is left as it is and
    /// reported, since its content cannot be trusted anyway. A failure to write stops
    /// everything with nothing changed.
    pub fn rotate(
        &self,
        identity: &Identity,
        team: &Team,
        recipients: Vec<Recipient>,
    ) -> Result<Rotated> {
        self.refuse_read_only("re-encrypting the vault")?;
        if recipients.is_empty() {
            return Err(VaultError::Refused(
                "a vault needs at least one recipient".into(),
            ));
        }
        self.remove_next_files()?;
        let next = team.successor(recipients);
        let mut skipped = Vec::new();
        let result = (|| -> Result<()> {
            for name in self.names()? {
                // An older copy (by this machine's revision pin) is a good profile: it is
                // re-encrypted like the others, so a removed member cannot read it.
                let mut profile = match self.open_sealed(identity, team, &name) {
                    Ok(p) => p,
                    Err(e) => {
                        skipped.push((name, e));
                        continue;
                    }
                };
                let sealed = self.seal_profile(&next, &mut profile)?;
                fsio::write_atomic(&with_next(&self.profile_path(&name)), &sealed)?;
            }
            self.write_team(&next, &with_next(&self.root.join(TEAM_FILE)))?;
            self.write_info(&next, &with_next(&self.root.join(VAULT_JSON)))?;
            Ok(())
        })();
        if let Err(e) = result {
            self.remove_next_files()?;
            return Err(e);
        }
        fsio::write_atomic(&self.root.join(COMMIT_MARK), b"rekey in progress\n")?;
        self.roll_forward()?;
        if let Some(pins) = &self.pins {
            pins.record(&self.root, &next)?;
        }
        self.flush_pins()?;
        Ok(Rotated {
            team: next,
            skipped,
        })
    }

    /// The `*.next` files a rotation writes: `team.age.next`, `vault.json.next` and
    /// `profiles/NAME.age.next` for valid names. Nothing else is ever renamed.
    fn next_files(&self) -> Result<Vec<PathBuf>> {
        let mut found = Vec::new();
        for top in [TEAM_FILE, VAULT_JSON] {
            let path = with_next(&self.root.join(top));
            if path.is_file() {
                found.push(path);
            }
        }
        let Ok(entries) = std::fs::read_dir(self.root.join(PROFILES)) else {
            return Ok(found);
        };
        for entry in entries.filter_map(|e| e.ok()) {
            let file = entry.file_name();
            let Some(name) = file
                .to_str()
                .and_then(|f| f.strip_suffix(".age.next"))
                .filter(|n| n.parse::<ProfileName>().is_ok())
            else {
                continue;
            };
            if entry.file_type().is_ok_and(|t| t.is_file()) {
                found.push(with_next(
                    &self.root.join(PROFILES).join(format!("{name}.age")),
                ));
            }
        }
        Ok(found)
    }

    fn remove_next_files(&self) -> Result<()> {
        for path in self.next_files()? {
            fsio::remove(&path)?;
        }
        Ok(())
    }

    /// Finishes a committed re-encryption: every `*.next` replaces its file.
    pub(super) fn roll_forward(&self) -> Result<()> {
        for path in self.next_files()? {
            fsio::rename(&path, &path.with_extension(""))?;
        }
        fsio::remove(&self.root.join(COMMIT_MARK))
    }
}

/// What [`Vault::rotate`] did.
#[derive(Debug)]
pub struct Rotated {
    /// The new team.
    pub team: Team,
    /// Profiles left as they were because they did not open or verify, with why.
    pub skipped: Vec<(ProfileName, VaultError)>,
}

fn with_next(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".");
    s.push(NEXT);
    PathBuf::from(s)
}
