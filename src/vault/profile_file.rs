//! The profile files, `profiles/NAME.age`: listing, reading (seal and revision pin
//! checked), writing, re-sealing an older copy and removing them.

use std::path::PathBuf;

use super::{
    Identity, InvalidName, PROFILES, Profile, ProfileName, Result, Team, Vault, VaultError,
    encrypt, fsio,
};

impl Vault {
    /// The profile names, sorted.
    pub fn names(&self) -> Result<Vec<ProfileName>> {
        self.require()?;
        let dir = self.root.join(PROFILES);
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(VaultError::io(format!("cannot list {}", dir.display()), e)),
        };
        let mut names: Vec<ProfileName> = entries
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                let file = e.file_name().into_string().ok()?;
                file.strip_suffix(".age")?.parse().ok()
            })
            .collect();
        names.sort();
        Ok(names)
    }

    /// The file of a profile.
    pub fn profile_path(&self, name: &ProfileName) -> PathBuf {
        self.root.join(PROFILES).join(format!("{name}.age"))
    }

    /// Whether the profile exists.
    pub fn has_profile(&self, name: &ProfileName) -> bool {
        self.profile_path(name).is_file()
    }

    /// Decrypts and verifies one profile.
    pub fn read_profile(
        &self,
        identity: &Identity,
        team: &Team,
        name: &ProfileName,
    ) -> Result<Profile> {
        let profile = self.open_sealed(identity, team, name)?;
        if let Some(pins) = &self.pins {
            pins.check_profile(team, name.as_str(), profile.revision)?;
        }
        Ok(profile)
    }

    /// Decrypts a profile and checks its seal under the current team key, without the
    /// revision pin. A seal by an earlier team key (a copy from before a rotation) is told
    /// apart from a forgery.
    pub(super) fn open_sealed(
        &self,
        identity: &Identity,
        team: &Team,
        name: &ProfileName,
    ) -> Result<Profile> {
        let bytes = self.read_vault_file(&self.profile_path(name), Some(name))?;
        let plain = identity.decrypt(&bytes, &format!("profile `{name}`"))?;
        match Profile::open(name, &plain, &team.team_key) {
            Err(VaultError::Tampered { what }) => {
                let old = team
                    .previous_keys
                    .iter()
                    .find(|k| Profile::open(name, &plain, &k.key).is_ok());
                Err(match old {
                    Some(k) => VaultError::OlderTeamKey {
                        name: name.to_string(),
                        generation: k.generation,
                        current: team.generation,
                    },
                    None => VaultError::Tampered { what },
                })
            }
            other => other,
        }
    }

    /// Re-seals, with the current team key, a profile sealed by an earlier one (a copy
    /// from before a rotation that the user chose to keep). The caller holds the write
    /// lock.
    fn reseal_older(&self, identity: &Identity, team: &Team, name: &ProfileName) -> Result<()> {
        let bytes = self.read_vault_file(&self.profile_path(name), Some(name))?;
        let plain = identity.decrypt(&bytes, &format!("profile `{name}`"))?;
        let mut profile = team
            .previous_keys
            .iter()
            .find_map(|k| Profile::open(name, &plain, &k.key).ok())
            .ok_or_else(|| VaultError::Tampered {
                what: format!("profile `{name}`"),
            })?;
        if let Some(pins) = &self.pins {
            pins.set_profile_revision(team, name.as_str(), profile.revision)?;
        }
        self.write_profile(team, &mut profile)
    }

    /// Records that this machine has seen `revision` of profile `name` (after a resolve
    /// wrote it).
    pub fn record_profile_revision(
        &self,
        team: &Team,
        name: &ProfileName,
        revision: u64,
    ) -> Result<()> {
        match &self.pins {
            Some(pins) => {
                pins.check_profile(team, name.as_str(), revision)?;
                pins.flush()
            }
            None => Ok(()),
        }
    }

    /// Accepts the profile file as it is although this machine has seen a newer revision
    /// (the user chose an older copy): its seal must still verify.
    pub fn accept_profile_as_is(&self, identity: &Identity, name: &ProfileName) -> Result<()> {
        let _lock = self.write_lock_for("accepting an older profile")?;
        let team = self.team(identity)?;
        let profile = match self.open_sealed(identity, &team, name) {
            Err(VaultError::OlderTeamKey { .. }) => {
                return self.reseal_older(identity, &team, name);
            }
            other => other?,
        };
        if let Some(pins) = &self.pins {
            pins.set_profile_revision(&team, name.as_str(), profile.revision)?;
        }
        Ok(())
    }

    /// Records the profile revisions read since the last call (one pin-file write).
    pub fn flush_pins(&self) -> Result<()> {
        match &self.pins {
            Some(pins) => pins.flush(),
            None => Ok(()),
        }
    }

    /// Seals, encrypts and writes a profile. The caller holds [`Vault::write_lock`] and got
    /// `team` under it.
    pub fn write_profile(&self, team: &Team, profile: &mut Profile) -> Result<()> {
        self.refuse_read_only("writing a profile")?;
        let name: ProfileName =
            profile
                .name
                .parse()
                .map_err(|e: InvalidName| VaultError::InvalidProfile {
                    name: profile.name.clone(),
                    reason: e.to_string(),
                })?;
        profile.check(&name)?;
        fsio::create_private_dir(&self.root.join(PROFILES))?;
        let sealed = self.seal_profile_next(team, profile)?;
        fsio::write_atomic(&self.profile_path(&name), &sealed)?;
        if let Some(pins) = &self.pins {
            pins.check_profile(team, name.as_str(), profile.revision)?;
            pins.flush()?;
        }
        Ok(())
    }

    /// Writes the bytes of a sealed, encrypted profile (a merge result) in place of the
    /// file. The caller holds [`Vault::write_lock`].
    pub fn write_profile_file(&self, name: &ProfileName, sealed: &[u8]) -> Result<()> {
        self.refuse_read_only("writing a profile")?;
        fsio::write_atomic(&self.profile_path(name), sealed)
    }

    pub(super) fn seal_profile(&self, team: &Team, profile: &mut Profile) -> Result<Vec<u8>> {
        profile.seal(&team.team_key);
        encrypt(&team.keys(), &profile.to_plaintext())
    }

    /// Counts one more revision, then seals and encrypts (a write of new content).
    pub(super) fn seal_profile_next(&self, team: &Team, profile: &mut Profile) -> Result<Vec<u8>> {
        profile.revision += 1;
        self.seal_profile(team, profile)
    }

    /// Deletes a profile. The caller holds [`Vault::write_lock`].
    pub fn remove_profile(&self, team: &Team, name: &ProfileName) -> Result<()> {
        self.refuse_read_only("removing a profile")?;
        if !self.has_profile(name) {
            return Err(VaultError::NoProfile {
                name: name.to_string(),
            });
        }
        fsio::remove(&self.profile_path(name))?;
        match &self.pins {
            Some(pins) => pins.forget_profile(team, name.as_str()),
            None => Ok(()),
        }
    }
}
