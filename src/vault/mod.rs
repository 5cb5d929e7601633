//! The vault: a plain folder a team can commit to git and share.
//!
//! ```text
//! vault.json          cleartext, informational: format, recipients
//! team.age            age-encrypted to all recipients: the team key and the authoritative recipient list
//! profiles/NAME.age   one ASCII-armored age file per profile, sealed with the team key
//! .gitattributes      `*.age diff=fbvault merge=fbvault` (appended to an existing file)
//! .gitignore          the lock files and temporary files below (appended likewise)
//! .fbvault.lock       shared by readers, exclusive for writers
//! .locks/NAME.lock    held while a profile is refreshed (network calls happen under it)
//! ```
//!
//! Invariants: folders are 0700 and files 0600; every file is replaced atomically (see
//! [`fsio`]); plaintext never touches the disk; a profile is only returned after its seal
//! checked out. Re-encrypting everything (a recipient change, `rekey`) writes every new
//! file next to the old one as `*.next`, then a commit mark, then renames: a crash before
//! the mark leaves the old vault, a crash after it is rolled forward by the next opener.
//!
//! Everything in the folder may have been written by anyone who can push to its
//! repository, so nothing is trusted for being there: `team.age` is checked against this
//! machine's pins, each profile against its seal and the highest revision this machine
//! saw of it; files are read with a size cap; git conflict markers are reported as a
//! conflict; lock files and `profiles/` are never followed through symbolic links; and
//! machine-local notes (refresh failures) dated in the future are ignored.

mod error;
pub mod fsio;
mod keys;
pub mod merge;
mod name;
mod pin;
mod profile;
pub mod seal;
mod team;
pub mod text;

use std::path::{Path, PathBuf};

pub use error::{Result, VaultError};
pub use keys::{
    Identity, IdentitySource, PassphrasePrompt, encrypt, looks_like_key, normalize_recipient,
    shorten_key,
};
pub use merge::{Merged, Side};
pub use name::{InvalidName, ProfileName};
pub use pin::{Checked, Fingerprint, Pins, check_fingerprint, key_hash};
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
const FAILED: &str = "refresh-failed";
const REFUSED: &str = "refresh-refused";
const ATTEMPTED: &str = "refresh-attempted";
const REJECTED_EDIT: &str = "rejected-edit.age";
const GITATTRIBUTES: &[&str] = &["*.age diff=fbvault merge=fbvault"];
const GITIGNORE: &[&str] = &[
    "# fbvault's local lock and temporary files",
    ".fbvault.lock",
    ".locks/",
    ".tmp-*",
    "*.next",
    ".rekey-commit",
];
/// The largest vault file read: profiles and `team.age` are a few KB.
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// Receives what the vault has to tell the user (first trust, a `vault.json` that
/// disagrees, loose permissions) without the vault printing anything itself.
#[derive(Clone, Default)]
pub struct Notify(Option<std::sync::Arc<dyn Fn(Notice) + Send + Sync>>);

impl std::fmt::Debug for Notify {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Notify")
    }
}

/// Something worth telling the user.
#[derive(Debug, Clone)]
pub enum Notice {
    /// The vault was trusted on first use on this machine.
    FirstTrust {
        /// The vault folder.
        root: PathBuf,
        /// The team trusted.
        team: Team,
    },
    /// A warning, in words.
    Warning(String),
}

/// A vault folder.
#[derive(Debug, Clone)]
pub struct Vault {
    root: PathBuf,
    pins: Option<Pins>,
    fingerprint: Option<Fingerprint>,
    read_only: bool,
    notify: Notify,
    state: Option<PathBuf>,
    /// The layout and `vault.json` checks run once per command, not on every lock.
    checked: std::sync::Arc<Checks>,
}

#[derive(Debug, Default)]
struct Checks {
    layout: std::sync::OnceLock<()>,
    info: std::sync::OnceLock<()>,
}

impl Vault {
    /// The vault at `root` (which may not exist yet).
    pub fn new(root: impl Into<PathBuf>) -> Vault {
        Vault {
            root: root.into(),
            pins: None,
            fingerprint: None,
            read_only: false,
            notify: Notify::default(),
            state: None,
            checked: Default::default(),
        }
    }

    /// Keeps this machine's notes about the vault under `dir` (see [`Vault::note_path`]).
    pub fn with_state_dir(mut self, dir: Option<PathBuf>) -> Vault {
        self.state = dir;
        self
    }

    /// Checks every `team.age` against this machine's pins (see [`Pins`]). Without pins
    /// (and without a fingerprint) `team.age` is refused: the check is never skipped.
    pub fn with_pins(mut self, pins: Pins) -> Vault {
        self.pins = Some(pins);
        self
    }

    /// Checks every `team.age` against a fingerprint too (`FBVAULT_TEAM_FINGERPRINT`).
    pub fn with_fingerprint(mut self, fingerprint: Option<Fingerprint>) -> Vault {
        self.fingerprint = fingerprint;
        self
    }

    /// Refuses every write (`--read-only`).
    pub fn read_only(mut self, read_only: bool) -> Vault {
        self.read_only = read_only;
        self
    }

    /// Whether writes are refused.
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// Where notices go.
    pub fn with_notify(mut self, notify: impl Fn(Notice) + Send + Sync + 'static) -> Vault {
        self.notify = Notify(Some(std::sync::Arc::new(notify)));
        self
    }

    fn notice(&self, notice: Notice) {
        if let Some(f) = &self.notify.0 {
            f(notice);
        }
    }

    fn refuse_read_only(&self, what: &str) -> Result<()> {
        if self.read_only {
            return Err(VaultError::ReadOnly { what: what.into() });
        }
        Ok(())
    }

    /// The pin store, if any.
    pub fn pins(&self) -> Option<&Pins> {
        self.pins.as_ref()
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

    /// Takes the vault's shared lock (for reading), finishing an interrupted re-encryption
    /// first if there is one.
    pub fn read_lock(&self) -> Result<Lock> {
        self.require()?;
        self.check_layout()?;
        loop {
            if self.root.join(COMMIT_MARK).exists() {
                if self.read_only {
                    return Err(VaultError::ReadOnly {
                        what: "finishing an interrupted re-encryption".into(),
                    });
                }
                drop(self.write_lock()?);
            }
            let path = self.root.join(LOCK_FILE);
            let lock = if self.read_only {
                Lock::shared_read_only(&path)?
            } else {
                Lock::shared(&path)?
            };
            // A re-encryption may have died between the check and the lock.
            if !self.root.join(COMMIT_MARK).exists() {
                return Ok(lock);
            }
        }
    }

    /// Takes the vault's exclusive lock (for writing), finishing an interrupted
    /// re-encryption first if there is one.
    pub fn write_lock(&self) -> Result<Lock> {
        self.write_lock_for("this command")
    }

    /// [`Vault::write_lock`], naming what would write in the read-only error.
    pub fn write_lock_for(&self, what: &str) -> Result<Lock> {
        self.require()?;
        self.refuse_read_only(what)?;
        self.check_layout()?;
        let lock = Lock::exclusive(&self.root.join(LOCK_FILE))?;
        if self.root.join(COMMIT_MARK).exists() {
            self.roll_forward()?;
        }
        Ok(lock)
    }

    /// Takes the lock that serializes refreshes of one profile. Held across network calls;
    /// it does not block readers.
    pub fn profile_lock(&self, name: &ProfileName) -> Result<Lock> {
        self.refuse_read_only("refreshing a token")?;
        self.locks_dir()?;
        Lock::exclusive(&self.root.join(LOCKS_DIR).join(format!("{name}.lock")))
    }

    /// `.locks/`, created when missing and never followed through a symbolic link.
    fn locks_dir(&self) -> Result<PathBuf> {
        let dir = self.root.join(LOCKS_DIR);
        fsio::refuse_symlink(&dir, LOCKS_DIR)?;
        fsio::create_private_dir(&dir)?;
        Ok(dir)
    }

    /// Refuses a vault whose `profiles/` or `.locks/` is a symbolic link (writes and `rm`
    /// would land outside it), and warns about a folder others may write to.
    fn check_layout(&self) -> Result<()> {
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

    /// Warns when `vault.json` (what reviewers read) lists other recipients than `team.age`.
    fn compare_info(&self, team: &Team) {
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

    /// Reads a vault file with the size cap, reporting conflict markers as a conflict.
    fn read_vault_file(&self, path: &Path, profile: Option<&ProfileName>) -> Result<Vec<u8>> {
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
    fn open_sealed(&self, identity: &Identity, team: &Team, name: &ProfileName) -> Result<Profile> {
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

    fn seal_profile(&self, team: &Team, profile: &mut Profile) -> Result<Vec<u8>> {
        profile.seal(&team.team_key);
        encrypt(&team.keys(), &profile.to_plaintext())
    }

    /// Counts one more revision, then seals and encrypts (a write of new content).
    fn seal_profile_next(&self, team: &Team, profile: &mut Profile) -> Result<Vec<u8>> {
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

    fn write_team(&self, team: &Team, path: &Path) -> Result<()> {
        let plain = zeroize::Zeroizing::new(serde_json::to_vec_pretty(team).expect("serializes"));
        fsio::write_atomic(path, &encrypt(&team.keys(), &plain)?)
    }

    fn write_info(&self, team: &Team, path: &Path) -> Result<()> {
        let mut json = serde_json::to_vec_pretty(&team.info()).expect("serializes");
        json.push(b'\n');
        fsio::write_atomic(path, &json)
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
    fn roll_forward(&self) -> Result<()> {
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

/// Whether a file holds git's conflict markers at the start of a line.
pub fn has_conflict_markers(bytes: &[u8]) -> bool {
    bytes.starts_with(b"<<<<<<< ") || bytes.windows(9).any(|w| w == b"\n<<<<<<< ")
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

fn with_next(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".");
    s.push(NEXT);
    PathBuf::from(s)
}
