//! [`VaultError`]: everything that can go wrong reading or writing the vault. Messages say
//! what happened and name the file; the CLI adds what to do and picks the exit code.

use std::io;
use std::path::PathBuf;

use super::keys::IdentitySource;

/// A vault failure. No variant ever carries a secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VaultError {
    /// There is no vault in the folder.
    #[error("no vault at {}", path.display())]
    NoVault {
        /// The vault folder.
        path: PathBuf,
    },
    /// `init` found a vault already there.
    #[error("a vault already exists at {}", path.display())]
    VaultExists {
        /// The vault folder.
        path: PathBuf,
    },
    /// The identity file does not exist.
    #[error("no identity at {}", path.display())]
    NoIdentity {
        /// The identity file.
        path: PathBuf,
    },
    /// The identity is not something we can use.
    #[error("{identity} is not a usable identity: {reason}")]
    BadIdentity {
        /// The identity file or variable.
        identity: IdentitySource,
        /// Why.
        reason: String,
    },
    /// A variable or flag meant to hold a file path holds key text.
    #[error("{var} holds a private key's text, not a file path (it is not shown)")]
    KeyInPath {
        /// The variable or flag.
        var: &'static str,
    },
    /// An encrypted SSH key and no terminal to ask for its passphrase.
    #[error(
        "the SSH key {identity} is protected by a passphrase and there is no terminal to ask for it"
    )]
    PassphraseNeeded {
        /// The identity file.
        identity: IdentitySource,
    },
    /// The passphrase did not decrypt the SSH key.
    #[error("wrong passphrase for the SSH key {identity}")]
    WrongPassphrase {
        /// The identity file.
        identity: IdentitySource,
    },
    /// The file was not encrypted to this identity.
    #[error("the identity {identity} cannot open {what}: it is not one of its recipients")]
    NotARecipient {
        /// `the vault` or `profile \`acme\``.
        what: String,
        /// The identity tried, in words (its file or variable and its public key).
        identity: String,
    },
    /// A vault file holds git conflict markers: a merge left both versions in it.
    #[error("{file} holds git merge conflict markers: two versions of it were merged as text")]
    Conflict {
        /// The file, relative to the vault (`profiles/acme.age`, `team.age`).
        file: String,
        /// The profile, when the file is one.
        profile: Option<String>,
    },
    /// A vault file larger than any fbvault writes.
    #[error(
        "{file} is {size} bytes, larger than any vault file fbvault writes (limit {limit} bytes); it was not read"
    )]
    TooLarge {
        /// The file.
        file: String,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// A vault folder entry that must be a real folder or file is a symbolic link.
    #[error("{file} in the vault is a symbolic link; fbvault refuses to follow it")]
    Symlink {
        /// The entry, relative to the vault.
        file: String,
    },
    /// The file is not a readable age file (truncated, corrupt, not age at all).
    #[error("{what} is damaged ({reason})")]
    Damaged {
        /// Which file, in words.
        what: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The file decrypted but failed the team-key integrity check.
    #[error(
        "{what} failed its integrity check: it was written, renamed or altered by someone without the team key"
    )]
    Tampered {
        /// Which file, in words.
        what: String,
    },
    /// `team.age` is not vouched for by the team key this machine last saw.
    #[error(
        "the vault's team file (team.age) was replaced: its generation {found} is not vouched for by the team key {trusted} (generation {pinned})"
    )]
    TeamReplaced {
        /// The generation this machine trusts.
        pinned: u64,
        /// The generation found.
        found: u64,
        /// Who vouches: `this machine trusts` or `FBVAULT_TEAM_FINGERPRINT names`.
        trusted: &'static str,
    },
    /// `team.age` is an older generation than this machine has seen.
    #[error(
        "the vault's team file (team.age) is older than the one this machine has seen: generation {found}, but this machine has seen generation {pinned}"
    )]
    TeamRolledBack {
        /// The newest generation seen.
        pinned: u64,
        /// The generation found.
        found: u64,
    },
    /// `team.age` has the generation this machine saw, with another key.
    #[error(
        "the vault's team file (team.age) is generation {generation} with another team key than the generation {generation} this machine has seen: two members changed the recipients at the same time"
    )]
    ConcurrentRotation {
        /// The generation.
        generation: u64,
    },
    /// A profile sealed with an earlier team key than `team.age`'s: a copy from before a
    /// rotation.
    #[error(
        "profile `{name}` is sealed with an earlier team key (generation {generation}) than the vault's (generation {current}): a copy from before the last recipient change or rekey, or written by someone who held that key (a member removed since)"
    )]
    OlderTeamKey {
        /// The profile.
        name: String,
        /// The generation of the key that sealed it.
        generation: u64,
        /// The vault's generation.
        current: u64,
    },
    /// A profile is an older sealed copy than this machine has seen.
    #[error(
        "profile `{name}` is older than the copy this machine has seen: revision {found}, but this machine has seen revision {seen}"
    )]
    ProfileRolledBack {
        /// The profile.
        name: String,
        /// The newest revision seen.
        seen: u64,
        /// The revision found.
        found: u64,
    },
    /// `FBVAULT_TEAM_FINGERPRINT` is not a fingerprint.
    #[error(
        "FBVAULT_TEAM_FINGERPRINT is not a team fingerprint (expected fbv1-GENERATION-HEX, as `fbvault recipients list` prints)"
    )]
    BadFingerprint,
    /// No place to keep this machine's pins.
    #[error(
        "there is no place to keep this machine's team-key pins (no home folder), so team.age cannot be checked"
    )]
    NoPinStore,
    /// A write in read-only mode.
    #[error(
        "the vault is read-only here (--read-only or FBVAULT_READ_ONLY): {what} would change it"
    )]
    ReadOnly {
        /// What would have written.
        what: String,
    },
    /// A recipient string we cannot parse.
    #[error("`{value}` is not a recipient: {reason}")]
    BadRecipient {
        /// The offending text (a public key, never a secret).
        value: String,
        /// Why.
        reason: String,
    },
    /// No such profile.
    #[error("no profile named `{name}`")]
    NoProfile {
        /// The name.
        name: String,
    },
    /// The profile already exists.
    #[error("profile `{name}` already exists")]
    ProfileExists {
        /// The name.
        name: String,
    },
    /// A profile's content is not acceptable.
    #[error("invalid profile `{name}`: {reason}")]
    InvalidProfile {
        /// The name.
        name: String,
        /// Why.
        reason: String,
    },
    /// A recipient change that would lock everybody out, or similar.
    #[error("{0}")]
    Refused(String),
    /// A filesystem error.
    #[error("{what}: {source}")]
    Io {
        /// What we were doing, naming the file.
        what: String,
        /// The cause.
        #[source]
        source: io::Error,
    },
}

impl VaultError {
    /// Wraps an I/O error with what we were doing.
    pub fn io(what: impl Into<String>, source: io::Error) -> Self {
        VaultError::Io {
            what: what.into(),
            source,
        }
    }
}

/// A shorthand for results in this module.
pub type Result<T, E = VaultError> = std::result::Result<T, E>;
