//! Pins: what this machine last saw of each vault, so that a `team.age` written by someone
//! who only knows the public keys, or an older copy of a file put back, is refused instead
//! of trusted.
//!
//! age authenticates nobody: anyone can encrypt a new `team.age` to the members' public
//! keys, add themselves as a recipient, and wait for the next profile to be written to
//! them. So each machine records, per vault, the generation and a hash of the team key it
//! last opened, the folders it saw the vault in, and the highest revision of each profile
//! it read (`<data dir>/fbvault/pins.json`). A vault is known by its own id — a hash of its
//! first team key, which every later `team.age` carries in its history — not by its
//! folder, so a moved folder or a new clone of a known vault keeps its pin.
//!
//! A later `team.age` is accepted when it is the same, or newer *and* lists the pinned key
//! among its `previous_keys` (which only someone who held that key can write). Everything
//! else is refused, and told apart: an older generation (a rollback: `git checkout`,
//! `reset`, `revert`), the same generation with another key (two concurrent rotations),
//! a newer one nobody vouches for (an unknown writer), or another vault in a folder that
//! held a known one. The first sight of a vault is trust on first use, announced by the
//! caller; `FBVAULT_TEAM_FINGERPRINT` (a pin in one line) lets a fresh machine check it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::error::{Result, VaultError};
use super::fsio::{self, Lock};
use super::team::Team;
use fbvault_provider::Secret;

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
struct PinFile {
    #[serde(default)]
    vaults: BTreeMap<String, Pin>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Pin {
    generation: u64,
    key_sha256: String,
    /// The folders this vault was opened in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    paths: Vec<String>,
    /// The highest revision of each profile this machine has read or written.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    profiles: BTreeMap<String, u64>,
}

/// What [`Pins::check`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checked {
    /// The pinned team, or a vouched successor.
    Known,
    /// A vault this machine had never seen: trusted on first use (and now pinned).
    FirstUse,
}

/// The hash a pin keeps of a team key.
pub fn key_hash(key: &Secret) -> String {
    let mut h = Sha256::new();
    h.update(b"fbvault-team-pin\n");
    h.update(key.expose().as_bytes());
    super::seal::hex(&h.finalize())
}

/// A team fingerprint: a pin in one line (`fbv1-GENERATION-HEX`), shown by `recipients
/// list` and accepted in `FBVAULT_TEAM_FINGERPRINT`. It vouches for its own generation's
/// team key and for every later `team.age` that carries that key in its history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    generation: u64,
    hash_prefix: String,
}

const FINGERPRINT_HEX: usize = 32;

impl Fingerprint {
    /// The fingerprint of `team`.
    pub fn of(team: &Team) -> Fingerprint {
        Fingerprint {
            generation: team.generation,
            hash_prefix: key_hash(&team.team_key)[..FINGERPRINT_HEX].to_string(),
        }
    }

    fn matches(&self, generation: u64, key: &Secret) -> bool {
        generation == self.generation && key_hash(key).starts_with(&self.hash_prefix)
    }
}

impl std::fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "fbv1-{}-{}", self.generation, self.hash_prefix)
    }
}

impl std::str::FromStr for Fingerprint {
    type Err = VaultError;
    fn from_str(s: &str) -> Result<Fingerprint> {
        let mut parts = s.trim().splitn(3, '-');
        let (Some("fbv1"), Some(generation), Some(hex)) =
            (parts.next(), parts.next(), parts.next())
        else {
            return Err(VaultError::BadFingerprint);
        };
        let generation = generation.parse().map_err(|_| VaultError::BadFingerprint)?;
        if hex.len() != FINGERPRINT_HEX || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(VaultError::BadFingerprint);
        }
        Ok(Fingerprint {
            generation,
            hash_prefix: hex.to_ascii_lowercase(),
        })
    }
}

/// How a team compares with what vouches for a vault (a pin or a fingerprint).
fn compare(
    team: &Team,
    generation: u64,
    is_key: impl Fn(u64, &Secret) -> bool,
    trusted: &'static str,
) -> Result<()> {
    if team.generation == generation && is_key(team.generation, &team.team_key) {
        return Ok(());
    }
    if team.generation < generation {
        return Err(VaultError::TeamRolledBack {
            pinned: generation,
            found: team.generation,
        });
    }
    if team.generation == generation {
        return Err(VaultError::ConcurrentRotation { generation });
    }
    let vouched = team
        .previous_keys
        .iter()
        .any(|k| k.generation == generation && is_key(k.generation, &k.key));
    if vouched {
        Ok(())
    } else {
        Err(VaultError::TeamReplaced {
            pinned: generation,
            found: team.generation,
            trusted,
        })
    }
}

/// Checks `team` against a fingerprint.
pub fn check_fingerprint(team: &Team, fingerprint: &Fingerprint) -> Result<()> {
    let trusted = "FBVAULT_TEAM_FINGERPRINT names";
    compare(
        team,
        fingerprint.generation,
        |g, k| fingerprint.matches(g, k),
        trusted,
    )
    .map_err(|e| match e {
        // The fingerprint is not a machine's own history: another key in its generation
        // is an unknown writer, not a teammate's concurrent rotation.
        VaultError::ConcurrentRotation { generation }
        | VaultError::TeamRolledBack {
            pinned: generation, ..
        } => VaultError::TeamReplaced {
            pinned: generation,
            found: team.generation,
            trusted,
        },
        other => other,
    })
}

/// The pin store of this machine.
#[derive(Debug, Clone)]
pub struct Pins {
    path: PathBuf,
    cache: Arc<Mutex<Option<Arc<PinFile>>>>,
    /// Profile revisions read but not yet recorded (written in one go by [`Pins::flush`]).
    pending: Arc<Mutex<BTreeMap<(String, String), u64>>>,
}

fn folder_id(root: &Path) -> String {
    std::fs::canonicalize(root)
        .unwrap_or_else(|_| root.to_path_buf())
        .display()
        .to_string()
}

impl Pins {
    /// The store in `path` (created on first write).
    pub fn new(path: impl Into<PathBuf>) -> Pins {
        Pins {
            path: path.into(),
            cache: Arc::default(),
            pending: Arc::default(),
        }
    }

    /// The pin file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn read_file(&self) -> Result<PinFile> {
        match fsio::read_capped(&self.path, 16 * 1024 * 1024) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| VaultError::Damaged {
                what: format!("the pin file {}", self.path.display()),
                reason: e.to_string(),
            }),
            Err(fsio::ReadError::Missing) => Ok(PinFile::default()),
            Err(fsio::ReadError::TooLarge(size)) => Err(VaultError::TooLarge {
                file: self.path.display().to_string(),
                size,
                limit: 16 * 1024 * 1024,
            }),
            Err(fsio::ReadError::Io(e)) => Err(VaultError::io(
                format!("cannot read {}", self.path.display()),
                e,
            )),
        }
    }

    /// The pin file, read once per command and shared (a `list` of many profiles checks
    /// each against it without copying it).
    fn load(&self) -> Result<Arc<PinFile>> {
        let mut cache = self.cache.lock().expect("pin cache");
        if cache.is_none() {
            *cache = Some(Arc::new(self.read_file()?));
        }
        Ok(cache.clone().expect("loaded"))
    }

    fn update(&self, change: impl FnOnce(&mut PinFile)) -> Result<()> {
        if let Some(dir) = self.path.parent() {
            fsio::create_private_dir(dir)?;
        }
        let _lock = Lock::exclusive(&self.path.with_extension("lock"))?;
        let mut file = self.read_file()?;
        change(&mut file);
        let mut json = serde_json::to_vec_pretty(&file).expect("serializes");
        json.push(b'\n');
        fsio::write_atomic(&self.path, &json)?;
        *self.cache.lock().expect("pin cache") = Some(Arc::new(file));
        Ok(())
    }

    /// Records `team` as what this machine trusts for the vault at `root`.
    pub fn record(&self, root: &Path, team: &Team) -> Result<()> {
        let id = team.vault_id();
        let folder = folder_id(root);
        self.update(|f| {
            // A legacy pin keyed by the folder becomes this vault's.
            let legacy = f.vaults.remove(&folder);
            let profiles = legacy.map(|p| p.profiles).unwrap_or_default();
            for pin in f.vaults.values_mut() {
                pin.paths.retain(|p| *p != folder);
            }
            let pin = f.vaults.entry(id).or_insert_with(|| Pin {
                generation: team.generation,
                key_sha256: String::new(),
                paths: Vec::new(),
                profiles,
            });
            pin.generation = team.generation;
            pin.key_sha256 = key_hash(&team.team_key);
            if !pin.paths.contains(&folder) {
                pin.paths.push(folder);
            }
        })
    }

    /// Accepts `team` for the vault at `root` if the pin vouches for it (recording it when
    /// it is new or newer), or refuses it.
    pub fn check(&self, root: &Path, team: &Team) -> Result<Checked> {
        let file = self.load()?;
        let folder = folder_id(root);
        let pin = file
            .vaults
            .get(&team.vault_id())
            .or_else(|| file.vaults.get(&folder));
        let Some(pin) = pin else {
            if let Some(other) = file.vaults.values().find(|p| p.paths.contains(&folder)) {
                return Err(VaultError::TeamReplaced {
                    pinned: other.generation,
                    found: team.generation,
                    trusted: "this machine trusts",
                });
            }
            self.record(root, team)?;
            return Ok(Checked::FirstUse);
        };
        compare(
            team,
            pin.generation,
            |_, k| key_hash(k) == pin.key_sha256,
            "this machine trusts",
        )?;
        if team.generation != pin.generation || !pin.paths.contains(&folder) {
            self.record(root, team)?;
        }
        Ok(Checked::Known)
    }

    /// Refuses a profile older than the newest revision this machine has seen of it, and
    /// remembers a newer one (recorded by [`Pins::flush`]).
    pub fn check_profile(&self, team: &Team, name: &str, revision: u64) -> Result<()> {
        let id = team.vault_id();
        let file = self.load()?;
        let seen = file
            .vaults
            .get(&id)
            .and_then(|p| p.profiles.get(name))
            .copied()
            .unwrap_or(0);
        if revision < seen {
            return Err(VaultError::ProfileRolledBack {
                name: name.to_string(),
                seen,
                found: revision,
            });
        }
        if revision > seen {
            let mut pending = self.pending.lock().expect("pending pins");
            let slot = pending.entry((id, name.to_string())).or_insert(revision);
            *slot = (*slot).max(revision);
        }
        Ok(())
    }

    /// Writes the profile revisions seen since the last flush (one write for all).
    pub fn flush(&self) -> Result<()> {
        let pending = std::mem::take(&mut *self.pending.lock().expect("pending pins"));
        if pending.is_empty() {
            return Ok(());
        }
        self.update(|f| {
            for ((id, name), revision) in pending {
                if let Some(pin) = f.vaults.get_mut(&id) {
                    let slot = pin.profiles.entry(name).or_insert(revision);
                    *slot = (*slot).max(revision);
                }
            }
        })
    }

    /// Sets the revision seen of a profile, lower or not (the user accepted an older copy).
    pub fn set_profile_revision(&self, team: &Team, name: &str, revision: u64) -> Result<()> {
        let id = team.vault_id();
        self.update(|f| {
            if let Some(pin) = f.vaults.get_mut(&id) {
                pin.profiles.insert(name.to_string(), revision);
            }
        })
    }

    /// Forgets the revision seen of a profile (after `rm`, so a new profile of the same
    /// name starts afresh).
    pub fn forget_profile(&self, team: &Team, name: &str) -> Result<()> {
        let id = team.vault_id();
        self.update(|f| {
            if let Some(pin) = f.vaults.get_mut(&id) {
                pin.profiles.remove(name);
            }
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
        assert_eq!(pins.check(dir.path(), &t1).unwrap(), Checked::FirstUse);
        assert_eq!(pins.check(dir.path(), &t1).unwrap(), Checked::Known);
        let t2 = t1.successor(t1.recipients.clone());
        let t3 = t2.successor(t2.recipients.clone());
        pins.check(dir.path(), &t3).unwrap();
        // Having seen generation 3, generation 2 is a rollback.
        assert!(matches!(
            pins.check(dir.path(), &t2),
            Err(VaultError::TeamRolledBack {
                pinned: 3,
                found: 2
            })
        ));
    }

    #[test]
    fn a_moved_folder_keeps_its_pin_and_another_vault_in_a_known_folder_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let pins = Pins::new(dir.path().join("pins.json"));
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        std::fs::create_dir_all(&a).unwrap();
        std::fs::create_dir_all(&b).unwrap();
        let t1 = team();
        pins.check(&a, &t1).unwrap();
        let t2 = t1.successor(t1.recipients.clone());
        pins.check(&a, &t2).unwrap();
        // The same vault elsewhere: still pinned, so its older generation is a rollback.
        assert!(matches!(
            pins.check(&b, &t1),
            Err(VaultError::TeamRolledBack { .. })
        ));
        // Another vault (another first key) in folder a.
        assert!(matches!(
            pins.check(&a, &team()),
            Err(VaultError::TeamReplaced { .. })
        ));
    }

    #[test]
    fn concurrent_rotations_and_unknown_writers_are_told_apart() {
        let dir = tempfile::tempdir().unwrap();
        let pins = Pins::new(dir.path().join("pins.json"));
        let real = team();
        pins.check(dir.path(), &real).unwrap();
        let mine = real.successor(real.recipients.clone());
        let theirs = real.successor(real.recipients.clone());
        pins.check(dir.path(), &mine).unwrap();
        assert!(matches!(
            pins.check(dir.path(), &theirs),
            Err(VaultError::ConcurrentRotation { generation: 2 })
        ));
        // A forged team that claims the vault's history but not the pinned key.
        let mut forged = Team::new(real.recipients.clone(), 5);
        forged.previous_keys = real.successor(vec![]).previous_keys;
        assert!(matches!(
            pins.check(dir.path(), &forged),
            Err(VaultError::TeamReplaced { .. })
        ));
    }

    #[test]
    fn fingerprints_round_trip_and_vouch_for_successors() {
        let t1 = team();
        let fp: Fingerprint = Fingerprint::of(&t1).to_string().parse().unwrap();
        check_fingerprint(&t1, &fp).unwrap();
        let t2 = t1.successor(t1.recipients.clone());
        check_fingerprint(&t2, &fp).unwrap();
        assert!(check_fingerprint(&team(), &fp).is_err());
        assert!("fbv1-1-zz".parse::<Fingerprint>().is_err());
        let newer = Fingerprint::of(&t2);
        assert!(matches!(
            check_fingerprint(&t1, &newer),
            Err(VaultError::TeamReplaced { .. })
        ));
    }

    #[test]
    fn profile_revisions_only_go_up() {
        let dir = tempfile::tempdir().unwrap();
        let pins = Pins::new(dir.path().join("pins.json"));
        let t = team();
        pins.check(dir.path(), &t).unwrap();
        pins.check_profile(&t, "acme", 3).unwrap();
        pins.flush().unwrap();
        let again = Pins::new(dir.path().join("pins.json"));
        again.check_profile(&t, "acme", 3).unwrap();
        assert!(matches!(
            again.check_profile(&t, "acme", 2),
            Err(VaultError::ProfileRolledBack {
                seen: 3,
                found: 2,
                ..
            })
        ));
    }
}
