//! The vault: a plain folder a team can commit to git and share.
//!
//! ```text
//! vault.json          cleartext, informational: format, recipients
//! team.age            age-encrypted to all recipients: the team key and the authoritative recipient list
//! profiles/NAME.age   one ASCII-armored age file per profile, sealed with the team key
//! .gitattributes      `*.age diff=fbvault`
//! .gitignore          the lock files and temporary files below
//! .fbvault.lock       shared by readers, exclusive for writers
//! .locks/NAME.lock    held while a profile is refreshed (network calls happen under it)
//! ```
//!
//! Invariants: folders are 0700 and files 0600; every file is replaced atomically (see
//! [`fsio`]); plaintext never touches the disk; a profile is only returned after its seal
//! checked out. Re-encrypting everything (a recipient change, `rekey`) writes every new
//! file next to the old one as `*.next`, then a commit mark, then renames: a crash before
//! the mark leaves the old vault, a crash after it is rolled forward by the next opener.

mod error;
pub mod fsio;
mod keys;
mod name;
mod pin;
mod profile;
pub mod seal;
mod team;

use std::path::{Path, PathBuf};

pub use error::{Result, VaultError};
pub use keys::{Identity, PassphrasePrompt, encrypt, normalize_recipient};
pub use name::{InvalidName, ProfileName};
pub use pin::Pins;
pub use profile::{EnvRename, PROFILE_FORMAT, Profile};
pub use team::{PastKey, Recipient, Team, VAULT_FORMAT, VaultInfo};

use fsio::Lock;

const VAULT_JSON: &str = "vault.json";
const TEAM_FILE: &str = "team.age";
const PROFILES: &str = "profiles";
const LOCK_FILE: &str = ".fbvault.lock";
const LOCKS_DIR: &str = ".locks";
const COMMIT_MARK: &str = ".rekey-commit";
const NEXT: &str = "next";
const GITATTRIBUTES: &str = "*.age diff=fbvault\n";
const GITIGNORE: &str = "# fbvault's local lock and temporary files\n.fbvault.lock\n.locks/\n.tmp-*\n*.next\n.rekey-commit\n";

/// A vault folder.
#[derive(Debug, Clone)]
pub struct Vault {
    root: PathBuf,
    pins: Option<Pins>,
}

impl Vault {
    /// The vault at `root` (which may not exist yet).
    pub fn new(root: impl Into<PathBuf>) -> Vault {
        Vault {
            root: root.into(),
            pins: None,
        }
    }

    /// Checks every `team.age` against this machine's pins (see [`Pins`]).
    pub fn with_pins(mut self, pins: Pins) -> Vault {
        self.pins = Some(pins);
        self
    }

    /// The vault folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Whether a vault exists here.
    pub fn exists(&self) -> bool {
        self.root.join(TEAM_FILE).is_file()
    }

    fn require(&self) -> Result<()> {
        if self.exists() {
            Ok(())
        } else {
            Err(VaultError::NoVault {
                path: self.root.clone(),
            })
        }
    }

    /// Creates the vault, encrypted to `recipients`.
    pub fn create(&self, recipients: Vec<Recipient>) -> Result<Team> {
        if self.exists() {
            return Err(VaultError::VaultExists {
                path: self.root.clone(),
            });
        }
        fsio::create_private_dir(&self.root.join(PROFILES))?;
        let _lock = Lock::exclusive(&self.root.join(LOCK_FILE))?;
        let team = Team::new(recipients, 1);
        self.write_team(&team, &self.root.join(TEAM_FILE))?;
        self.write_info(&team, &self.root.join(VAULT_JSON))?;
        fsio::write_atomic(&self.root.join(".gitattributes"), GITATTRIBUTES.as_bytes())?;
        fsio::write_atomic(&self.root.join(".gitignore"), GITIGNORE.as_bytes())?;
        if let Some(pins) = &self.pins {
            pins.record(&self.root, &team)?;
        }
        Ok(team)
    }

    /// Takes the vault's shared lock (for reading), finishing an interrupted re-encryption
    /// first if there is one.
    pub fn read_lock(&self) -> Result<Lock> {
        self.require()?;
        loop {
            if self.root.join(COMMIT_MARK).exists() {
                drop(self.write_lock()?);
            }
            let lock = Lock::shared(&self.root.join(LOCK_FILE))?;
            // A re-encryption may have died between the check and the lock.
            if !self.root.join(COMMIT_MARK).exists() {
                return Ok(lock);
            }
        }
    }

    /// Takes the vault's exclusive lock (for writing), finishing an interrupted
    /// re-encryption first if there is one.
    pub fn write_lock(&self) -> Result<Lock> {
        self.require()?;
        let lock = Lock::exclusive(&self.root.join(LOCK_FILE))?;
        if self.root.join(COMMIT_MARK).exists() {
            self.roll_forward()?;
        }
        Ok(lock)
    }

    /// Takes the lock that serializes refreshes of one profile. Held across network calls;
    /// it does not block readers.
    pub fn profile_lock(&self, name: &ProfileName) -> Result<Lock> {
        fsio::create_private_dir(&self.root.join(LOCKS_DIR))?;
        Lock::exclusive(&self.root.join(LOCKS_DIR).join(format!("{name}.lock")))
    }

    fn failure_mark(&self, name: &ProfileName) -> PathBuf {
        self.root
            .join(LOCKS_DIR)
            .join(format!("{name}.refresh-failed"))
    }

    /// Records, locally (in the git-ignored `.locks/`), that refreshing `name` just failed.
    pub fn note_refresh_failure(&self, name: &ProfileName) -> Result<()> {
        fsio::create_private_dir(&self.root.join(LOCKS_DIR))?;
        let now = chrono::Utc::now().to_rfc3339();
        fsio::write_atomic(&self.failure_mark(name), now.as_bytes())
    }

    /// When refreshing `name` last failed, if it did and nothing succeeded since.
    pub fn last_refresh_failure(
        &self,
        name: &ProfileName,
    ) -> Option<chrono::DateTime<chrono::Utc>> {
        std::fs::read_to_string(self.failure_mark(name))
            .ok()?
            .trim()
            .parse()
            .ok()
    }

    /// Forgets a recorded refresh failure.
    pub fn clear_refresh_failure(&self, name: &ProfileName) -> Result<()> {
        fsio::remove(&self.failure_mark(name))
    }

    fn refusal_mark(&self, name: &ProfileName) -> PathBuf {
        self.root
            .join(LOCKS_DIR)
            .join(format!("{name}.refresh-refused"))
    }

    /// Records, locally, that the issuer just refused refreshing `name`, and its words
    /// (one line, no secret), so that runs waiting on the profile lock can give the same
    /// answer without asking again.
    pub fn note_refresh_refusal(&self, name: &ProfileName, message: &str) -> Result<()> {
        fsio::create_private_dir(&self.root.join(LOCKS_DIR))?;
        let line = message.replace(['\n', '\r'], " ");
        let text = format!("{}\n{line}", chrono::Utc::now().to_rfc3339());
        fsio::write_atomic(&self.refusal_mark(name), text.as_bytes())
    }

    /// When and why the issuer last refused refreshing `name`, if it did and nothing
    /// succeeded since.
    pub fn last_refresh_refusal(
        &self,
        name: &ProfileName,
    ) -> Option<(chrono::DateTime<chrono::Utc>, String)> {
        let text = std::fs::read_to_string(self.refusal_mark(name)).ok()?;
        let (at, message) = text.split_once('\n')?;
        Some((at.trim().parse().ok()?, message.trim().to_string()))
    }

    /// Forgets a recorded refusal.
    pub fn clear_refresh_refusal(&self, name: &ProfileName) -> Result<()> {
        fsio::remove(&self.refusal_mark(name))
    }

    fn attempt_mark(&self, name: &ProfileName) -> PathBuf {
        self.root
            .join(LOCKS_DIR)
            .join(format!("{name}.refresh-attempted"))
    }

    /// Records, locally (next to the failure marks, never in a tracked file), that a
    /// refresh of `name` just asked the issuer and got the same tokens back.
    pub fn note_refresh_attempt(&self, name: &ProfileName) -> Result<()> {
        fsio::create_private_dir(&self.root.join(LOCKS_DIR))?;
        let now = chrono::Utc::now().to_rfc3339();
        fsio::write_atomic(&self.attempt_mark(name), now.as_bytes())
    }

    /// When a refresh of `name` last got the same tokens back, if it did.
    pub fn last_refresh_attempt(
        &self,
        name: &ProfileName,
    ) -> Option<chrono::DateTime<chrono::Utc>> {
        std::fs::read_to_string(self.attempt_mark(name))
            .ok()?
            .trim()
            .parse()
            .ok()
    }

    /// Decrypts `team.age` and checks it against this machine's pin.
    pub fn team(&self, identity: &Identity) -> Result<Team> {
        let team = self.team_unpinned(identity)?;
        if let Some(pins) = &self.pins {
            pins.check(&self.root, &team)?;
        }
        Ok(team)
    }

    /// Decrypts `team.age` without the pin check (for `recipients trust`, which shows it to
    /// a human before pinning it).
    pub fn team_unpinned(&self, identity: &Identity) -> Result<Team> {
        let bytes = std::fs::read(self.root.join(TEAM_FILE)).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => VaultError::NoVault {
                path: self.root.clone(),
            },
            _ => VaultError::io("cannot read team.age", e),
        })?;
        let plain = identity.decrypt(&bytes, "the vault (team.age)")?;
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
        let path = self.profile_path(name);
        let bytes = std::fs::read(&path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                VaultError::NoProfile {
                    name: name.to_string(),
                }
            } else {
                VaultError::io(format!("cannot read {}", path.display()), e)
            }
        })?;
        let plain = identity.decrypt(&bytes, &format!("profile `{name}`"))?;
        Profile::open(name, &plain, &team.team_key)
    }

    /// Seals, encrypts and writes a profile. The caller holds [`Vault::write_lock`] and got
    /// `team` under it.
    pub fn write_profile(&self, team: &Team, profile: &mut Profile) -> Result<()> {
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
        let sealed = self.seal_profile(team, profile)?;
        fsio::write_atomic(&self.profile_path(&name), &sealed)
    }

    fn seal_profile(&self, team: &Team, profile: &mut Profile) -> Result<Vec<u8>> {
        profile.seal(&team.team_key);
        encrypt(&team.keys(), &profile.to_plaintext())
    }

    /// Deletes a profile. The caller holds [`Vault::write_lock`].
    pub fn remove_profile(&self, name: &ProfileName) -> Result<()> {
        if !self.has_profile(name) {
            return Err(VaultError::NoProfile {
                name: name.to_string(),
            });
        }
        fsio::remove(&self.profile_path(name))
    }

    /// Re-encrypts every file to `recipients` under a new team key and returns the new
    /// team. The caller holds [`Vault::write_lock`]. Every profile must open and verify;
    /// otherwise nothing changes.
    pub fn rotate(
        &self,
        identity: &Identity,
        team: &Team,
        recipients: Vec<Recipient>,
    ) -> Result<Team> {
        if recipients.is_empty() {
            return Err(VaultError::Refused(
                "a vault needs at least one recipient".into(),
            ));
        }
        self.remove_next_files()?;
        let next = team.successor(recipients);
        let mut staged = Vec::new();
        let result = (|| -> Result<()> {
            for name in self.names()? {
                let mut profile = self.read_profile(identity, team, &name)?;
                let sealed = self.seal_profile(&next, &mut profile)?;
                let path = with_next(&self.profile_path(&name));
                fsio::write_atomic(&path, &sealed)?;
                staged.push(path);
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
        Ok(next)
    }

    fn write_team(&self, team: &Team, path: &Path) -> Result<()> {
        let plain = zeroize::Zeroizing::new(serde_json::to_vec_pretty(team).expect("serializes"));
        fsio::write_atomic(path, &encrypt(&team.keys(), &plain)?)
    }

    fn write_info(&self, team: &Team, path: &Path) -> Result<()> {
        let mut json = serde_json::to_vec_pretty(&team.info()).expect("serializes");
        json.push(b'\n');
        fsio::write_atomic(path, &json)
    }

    fn next_files(&self) -> Result<Vec<PathBuf>> {
        let mut found = Vec::new();
        for dir in [self.root.clone(), self.root.join(PROFILES)] {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.filter_map(|e| e.ok()) {
                let path = entry.path();
                if path.extension().is_some_and(|x| x == NEXT) {
                    found.push(path);
                }
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
    fn roll_forward(&self) -> Result<()> {
        for path in self.next_files()? {
            fsio::rename(&path, &path.with_extension(""))?;
        }
        fsio::remove(&self.root.join(COMMIT_MARK))
    }
}

fn with_next(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".");
    s.push(NEXT);
    PathBuf::from(s)
}
