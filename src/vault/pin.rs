//! Pins: what this machine last saw of each vault's team key, so that a `team.age` written
//! by someone who only knows the public keys is refused instead of trusted.
//!
//! age authenticates nobody: anyone can encrypt a new `team.age` to the members' public
//! keys, add themselves as a recipient, and wait for the next profile to be written to
//! them. So each machine records, per vault folder, the generation and a hash of the team
//! key it last opened (`<data dir>/fbvault/pins.json`, trust on first use). A later
//! `team.age` is accepted when it is the same, or when it is newer *and* lists the pinned
//! key among its `previous_keys` — which only someone who held that key can write. An older
//! generation (a rolled-back `team.age`) or an unvouched key is refused; `fbvault recipients
//! trust` re-pins after a human has looked at the new recipient list.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::error::{Result, VaultError};
use super::fsio::{self, Lock};
use super::team::Team;
use fbvault_provider::Secret;

#[derive(Debug, Default, Serialize, Deserialize)]
struct PinFile {
    vaults: BTreeMap<String, Pin>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Pin {
    generation: u64,
    key_sha256: String,
}

/// The pin store of this machine.
#[derive(Debug, Clone)]
pub struct Pins {
    path: PathBuf,
}

fn fingerprint(key: &Secret) -> String {
    let mut h = Sha256::new();
    h.update(b"fbvault-team-pin\n");
    h.update(key.expose().as_bytes());
    super::seal::hex(&h.finalize())
}

fn vault_id(root: &Path) -> String {
    std::fs::canonicalize(root)
        .unwrap_or_else(|_| root.to_path_buf())
        .display()
        .to_string()
}

impl Pins {
    /// The store in `path` (created on first write).
    pub fn new(path: impl Into<PathBuf>) -> Pins {
        Pins { path: path.into() }
    }

    fn load(&self) -> Result<PinFile> {
        match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| VaultError::Damaged {
                what: format!("the pin file {}", self.path.display()),
                reason: e.to_string(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(PinFile::default()),
            Err(e) => Err(VaultError::io(
                format!("cannot read {}", self.path.display()),
                e,
            )),
        }
    }

    fn update(&self, change: impl FnOnce(&mut PinFile)) -> Result<()> {
        if let Some(dir) = self.path.parent() {
            fsio::create_private_dir(dir)?;
        }
        let _lock = Lock::exclusive(&self.path.with_extension("lock"))?;
        let mut file = self.load()?;
        change(&mut file);
        let mut json = serde_json::to_vec_pretty(&file).expect("serializes");
        json.push(b'\n');
        fsio::write_atomic(&self.path, &json)
    }

    /// Records `team` as what this machine trusts for the vault at `root`.
    pub fn record(&self, root: &Path, team: &Team) -> Result<()> {
        let pin = Pin {
            generation: team.generation,
            key_sha256: fingerprint(&team.team_key),
        };
        let id = vault_id(root);
        self.update(|f| {
            f.vaults.insert(id, pin);
        })
    }

    /// Accepts `team` for the vault at `root` if the pin vouches for it (recording it when
    /// it is new or newer), or refuses it.
    pub fn check(&self, root: &Path, team: &Team) -> Result<()> {
        let id = vault_id(root);
        let Some(pin) = self.load()?.vaults.get(&id).cloned() else {
            return self.record(root, team);
        };
        let current = fingerprint(&team.team_key);
        if team.generation == pin.generation && current == pin.key_sha256 {
            return Ok(());
        }
        let vouched = team.generation > pin.generation
            && team
                .previous_keys
                .iter()
                .any(|k| k.generation == pin.generation && fingerprint(&k.key) == pin.key_sha256);
        if vouched {
            return self.record(root, team);
        }
        Err(VaultError::TeamReplaced {
            pinned: pin.generation,
            found: team.generation,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::Recipient;

    fn team() -> Team {
        Team::new(
            vec![Recipient {
                key: "age1x".into(),
                name: None,
            }],
            1,
        )
    }

    #[test]
    fn first_use_then_rotations_are_accepted() {
        let dir = tempfile::tempdir().unwrap();
        let pins = Pins::new(dir.path().join("pins.json"));
        let t1 = team();
        pins.check(dir.path(), &t1).unwrap();
        pins.check(dir.path(), &t1).unwrap();
        let t2 = t1.successor(t1.recipients.clone());
        let t3 = t2.successor(t2.recipients.clone());
        pins.check(dir.path(), &t3).unwrap();
        // Having seen generation 3, generation 2 is a rollback.
        assert!(matches!(
            pins.check(dir.path(), &t2),
            Err(VaultError::TeamReplaced { .. })
        ));
    }

    #[test]
    fn a_team_file_that_does_not_know_the_pinned_key_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let pins = Pins::new(dir.path().join("pins.json"));
        let real = team();
        pins.check(dir.path(), &real).unwrap();
        let mut forged = Team::new(real.recipients.clone(), 2);
        assert!(pins.check(dir.path(), &forged).is_err());
        forged.generation = 1;
        assert!(pins.check(dir.path(), &forged).is_err());
        pins.record(dir.path(), &forged).unwrap();
        pins.check(dir.path(), &forged).unwrap();
    }
}
