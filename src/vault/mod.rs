//! The vault: a plain folder a team can commit to git and share.
//!
//! ```text
//! vault.json          cleartext, informational: format, recipients
//! team.age            age-encrypted to all recipients: the team key and the authoritative recipient list
//! profiles/NAME.age   one ASCII-armored age file per profile, sealed with the team key
//! .gitattributes      `*.age diff=fbvault merge=fbvault`, `/vault.json -merge` (appended to an
//!                     existing file)
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
//!
//! This file holds the [`Vault`] type and its builders; its other methods are spread over:
//!
//! ```text
//! layout.rs        creating the folder; the checks each command runs on it once
//! locks.rs         the vault lock (shared or exclusive) and the per-profile refresh locks
//! team_file.rs     team.age and vault.json; the capped, conflict-aware read of vault files
//! profile_file.rs  profiles/NAME.age: list, read, write, remove
//! rotate.rs        re-encrypting everything under a new team key, journaled as *.next
//! notes.rs         this machine's notes: refresh failures, refusals, attempts, rejected edits
//! ```
//!
//! and the pieces they use: [`fsio`] (atomic writes, locks), `keys` (age identities and
//! encryption), [`seal`], `pin` (what this machine trusts), `team` and `profile` (the
//! contents of the files), `name`, [`merge`] (the git merge driver), `error` and [`text`].

mod error;
pub mod fsio;
mod keys;
mod layout;
mod locks;
pub mod merge;
mod name;
mod notes;
mod pin;
mod profile;
mod profile_file;
mod rotate;
pub mod seal;
mod team;
mod team_file;
pub mod text;

use std::path::{Path, PathBuf};

pub use error::{Result, VaultError};
pub use keys::{
    Identity, IdentitySource, PassphrasePrompt, encrypt, looks_like_key, normalize_recipient,
    shorten_key,
};
pub use layout::ensure_gitattributes;
pub use merge::{Merged, Side};
pub use name::{InvalidName, ProfileName};
pub use pin::{Checked, Fingerprint, Pins, check_fingerprint, key_hash};
pub use profile::{EnvRename, PROFILE_FORMAT, Profile};
pub use rotate::Rotated;
pub use team::{PastKey, Recipient, Team, VAULT_FORMAT, VaultInfo};
pub use team_file::has_conflict_markers;

const VAULT_JSON: &str = "vault.json";
const TEAM_FILE: &str = "team.age";
const PROFILES: &str = "profiles";
const LOCK_FILE: &str = ".fbvault.lock";
const LOCKS_DIR: &str = ".locks";
const COMMIT_MARK: &str = ".rekey-commit";
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
    checked: std::sync::Arc<layout::Checks>,
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
}
